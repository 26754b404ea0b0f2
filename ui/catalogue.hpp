#pragma once
// The scenario catalogue as `mpscope-run --list` prints it: names, titles and lessons in English and
// Chinese, parameters, start methods, the tempo range.
#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace mpui {

// Text in several languages ("en", "zh_CN"); text(lang) falls back to English.
struct Localized {
    QMap<QString, QString> byLanguage;
    QString text(const QString& language) const;
};

struct ScenarioParam {
    QString name;
    bool integer = true;
    double defaultValue = 0, min = 0, max = 0;
    Localized description;
};

struct ScenarioInfo {
    QString name;
    Localized title, lesson;
    QStringList methods;
    bool deadlocks = false;
    QList<ScenarioParam> params;
};

struct Catalogue {
    QList<ScenarioInfo> scenarios;
    QStringList methods;
    double tempoDefault = 1, tempoMin = 0.01, tempoMax = 1000;

    // nullopt and `error` set when `json` is not a catalogue.
    static std::optional<Catalogue> parse(const QByteArray& json, QString* error = nullptr);
    const ScenarioInfo* find(const QString& name) const;
};

} // namespace mpui
