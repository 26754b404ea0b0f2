// The main window in Simplified Chinese, switched at run time from the Language menu: every text it shows -
// menus, actions, pane titles, column headers, labels, placeholders, tool tips - is Chinese, and switching
// back gives English again. A screenshot of the Chinese window goes to <build>/artifacts/.
#include "language.hpp"
#include "main_window.hpp"
#include "ui_test_support.hpp"

#include <QAbstractItemView>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenuBar>
#include <QRegularExpression>
#include <QTextBrowser>
#include <QToolBar>

namespace {

// Texts that are the same in every language: names, abbreviations, numbers.
bool languageNeutral(const QString& text) {
    static const QStringList names{"English", "简体中文", "PID", "mpscope"};
    static const QRegularExpression noLetters(QStringLiteral("^[^A-Za-z]*$"));
    return names.contains(text) || noLetters.match(text).hasMatch();
}

bool chinese(const QString& text) {
    static const QRegularExpression han(QStringLiteral("\\p{Han}"));
    return han.match(text).hasMatch();
}

// Every text of the window a user can see or hover over, with where it is.
QList<QPair<QString, QString>> texts(QMainWindow& window) {
    QList<QPair<QString, QString>> out;
    auto add = [&](const QString& where, const QString& text) {
        QString plain = text;
        plain.remove(QRegularExpression(QStringLiteral("<[^>]*>"))).remove(QLatin1Char('&'));
        if (!plain.trimmed().isEmpty()) out.append({where, plain});
    };
    for (QAction* menu : window.menuBar()->actions()) {
        add(QStringLiteral("menu"), menu->text());
        if (menu->menu())
            for (QAction* a : menu->menu()->actions())
                add(QStringLiteral("menu item"), a->text());
    }
    for (QToolBar* bar : window.findChildren<QToolBar*>())
        for (QAction* a : bar->actions()) {
            add(QStringLiteral("toolbar"), a->text());
            add(QStringLiteral("toolbar tip"), a->toolTip());
        }
    for (QDockWidget* dock : window.findChildren<QDockWidget*>())
        add(QStringLiteral("pane"), dock->windowTitle());
    for (QAbstractItemView* view : window.findChildren<QAbstractItemView*>()) {
        const QAbstractItemModel* model = view->model();
        if (!model || view->inherits("QComboBoxListView")) continue;
        for (int c = 0; c < model->columnCount(); ++c)
            add(QStringLiteral("column"), model->headerData(c, Qt::Horizontal).toString());
    }
    for (QLabel* label : window.findChildren<QLabel*>())
        // Scenario parameters are named as mpscope-run's --param takes them (their tool tips are translated).
        if (label->isVisibleTo(&window) && !label->objectName().startsWith(QStringLiteral("paramLabel_")))
            add(QStringLiteral("label ") + label->objectName(), label->text());
    for (QLineEdit* edit : window.findChildren<QLineEdit*>())
        add(QStringLiteral("placeholder"), edit->placeholderText());
    for (QWidget* w : window.findChildren<QWidget*>())
        add(QStringLiteral("tool tip of ") + w->metaObject()->className(), w->toolTip());
    return out;
}

// Qt posts LanguageChange to the top-level windows: deliver it.
void deliverLanguageChange() {
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LanguageChange);
}

} // namespace

class TestMainWindowI18n : public QObject {
    Q_OBJECT
private slots:
    void switchesAtRunTime() {
        QVERIFY(mpui::setLanguage("en"));
        qputenv("MPSCOPE_RUN",
                MPSCOPE_BINARY_DIR "/app/mpscope-run"); // for the catalogue: titles and lessons
        mpui::MainWindow window;
        window.resize(1600, 1000);
        window.show();
        auto* scenarios = window.findChild<QComboBox*>(QStringLiteral("scenarioCombo"));
        QTRY_VERIFY_WITH_TIMEOUT(scenarios->count() > 0, 20000);
        QCOMPARE(scenarios->currentText(), QStringLiteral("Dining philosophers (deadlock)"));
        auto* sessionMenu = window.findChild<QMenu*>(QStringLiteral("sessionMenu"));
        QVERIFY(sessionMenu);
        QCOMPARE(sessionMenu->title(), QStringLiteral("&Session"));

        // The Language menu does the switch.
        auto* zh = window.findChild<QAction*>(QStringLiteral("language_zh_CN"));
        QVERIFY(zh);
        zh->trigger();
        deliverLanguageChange();
        QCOMPARE(mpui::currentLanguage(), QStringLiteral("zh_CN"));
        QVERIFY(zh->isChecked());
        QCOMPARE(sessionMenu->title(), QStringLiteral("会话(&S)"));
        QCOMPARE(window.findChild<QDockWidget*>(QStringLiteral("processesDock"))->windowTitle(),
                 QStringLiteral("进程"));
        QCOMPARE(window.findChild<QDockWidget*>(QStringLiteral("memoryDock"))->windowTitle(),
                 QStringLiteral("共享内存"));
        QCOMPARE(window.findChild<QAction*>(QStringLiteral("runAction"))->text(), QStringLiteral("运行"));
        QCOMPARE(window.findChild<QLabel*>(QStringLiteral("statusSession"))->text(),
                 QStringLiteral("无会话"));
        // Scenario titles and the lesson come from the catalogue in both languages.
        QCOMPARE(scenarios->currentText(), QStringLiteral("哲学家就餐问题（死锁）"));
        QVERIFY(window.findChild<QTextBrowser*>(QStringLiteral("lessonView"))
                    ->toPlainText()
                    .contains(QStringLiteral("哲学家")));

        QStringList english;
        for (const auto& [where, text] : texts(window))
            if (!chinese(text) && !languageNeutral(text)) english << where + QStringLiteral(": ") + text;
        QVERIFY2(english.isEmpty(), qPrintable(english.join(QLatin1Char('\n'))));

        QDir().mkpath(QStringLiteral(MPSCOPE_BINARY_DIR "/artifacts"));
        QVERIFY(window.grab().save(QStringLiteral(MPSCOPE_BINARY_DIR "/artifacts/main_window_zh_CN.png")));

        window.findChild<QAction*>(QStringLiteral("language_en"))->trigger();
        deliverLanguageChange();
        QCOMPARE(sessionMenu->title(), QStringLiteral("&Session"));
        QCOMPARE(window.findChild<QLabel*>(QStringLiteral("statusSession"))->text(),
                 QStringLiteral("No session"));
    }
};

MPUI_QTEST_MAIN(TestMainWindowI18n)
#include "tst_main_window_i18n.moc"
