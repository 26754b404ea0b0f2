#include "language.hpp"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <memory>

namespace mpui {

namespace {

struct State {
    QString code = QStringLiteral("en");
    std::unique_ptr<QTranslator> app, qt;
};

State& state() {
    static State s;
    return s;
}

} // namespace

QStringList availableLanguages() {
    return {QStringLiteral("en"), QStringLiteral("zh_CN")};
}

QString languageName(const QString& code) {
    if (code == QLatin1String("zh_CN")) return QStringLiteral("简体中文");
    if (code == QLatin1String("en")) return QStringLiteral("English");
    return code;
}

bool setLanguage(const QString& code) {
    if (!availableLanguages().contains(code)) return false;
    State& s = state();
    auto app = std::make_unique<QTranslator>();
    if (!app->load(QStringLiteral(":/i18n/mpscope_%1.qm").arg(code))) return false;
    // Qt's own strings (standard buttons, context menus of text fields); missing is not an error.
    auto qt = std::make_unique<QTranslator>();
    if (!qt->load(QLocale(code), QStringLiteral("qtbase"), QStringLiteral("_"),
                  QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        qt.reset();
    if (s.app) QCoreApplication::removeTranslator(s.app.get());
    if (s.qt) QCoreApplication::removeTranslator(s.qt.get());
    s.app = std::move(app);
    s.qt = std::move(qt);
    QLocale::setDefault(code == QLatin1String("en") ? QLocale(QLocale::English, QLocale::UnitedStates)
                                                    : QLocale(code));
    if (s.qt) QCoreApplication::installTranslator(s.qt.get());
    QCoreApplication::installTranslator(s.app.get()); // sends LanguageChange to every widget
    s.code = code;
    return true;
}

QString currentLanguage() {
    return state().code;
}

} // namespace mpui
