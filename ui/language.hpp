#pragma once
// The interface language, switchable while the program runs: installs the embedded translation
// (:/i18n/mpscope_<code>.qm) and Qt's own, and sets the default locale. Every widget then gets a
// QEvent::LanguageChange and retranslates itself.
#include <QString>
#include <QStringList>

namespace mpui {

// "en", "zh_CN".
QStringList availableLanguages();
// The name of a language in that language: "English", "简体中文".
QString languageName(const QString& code);
// false for an unknown code (the language stays as it was).
bool setLanguage(const QString& code);
QString currentLanguage();

} // namespace mpui
