#include "catalogue.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace mpui {

QString Localized::text(const QString& language) const {
    auto it = byLanguage.find(language);
    if (it != byLanguage.end() && !it->isEmpty()) return *it;
    return byLanguage.value(QStringLiteral("en"));
}

namespace {

Localized localized(const QJsonValue& v) {
    Localized out;
    if (v.isString()) {
        out.byLanguage.insert(QStringLiteral("en"), v.toString());
        return out;
    }
    const QJsonObject o = v.toObject();
    for (auto it = o.begin(); it != o.end(); ++it)
        out.byLanguage.insert(it.key(), it.value().toString());
    return out;
}

QStringList strings(const QJsonValue& v) {
    QStringList out;
    for (const QJsonValue& item : v.toArray())
        out << item.toString();
    return out;
}

} // namespace

std::optional<Catalogue> Catalogue::parse(const QByteArray& json, QString* error) {
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error)
            *error = parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                  : QStringLiteral("not a JSON object");
        return std::nullopt;
    }
    const QJsonObject root = doc.object();
    if (!root.value(QStringLiteral("scenarios")).isArray()) {
        if (error) *error = QStringLiteral("no \"scenarios\" array");
        return std::nullopt;
    }
    Catalogue c;
    c.methods = strings(root.value(QStringLiteral("methods")));
    const QJsonObject tempo = root.value(QStringLiteral("tempo")).toObject();
    c.tempoDefault = tempo.value(QStringLiteral("default")).toDouble(1);
    c.tempoMin = tempo.value(QStringLiteral("min")).toDouble(0.01);
    c.tempoMax = tempo.value(QStringLiteral("max")).toDouble(1000);
    for (const QJsonValue& v : root.value(QStringLiteral("scenarios")).toArray()) {
        const QJsonObject o = v.toObject();
        ScenarioInfo s;
        s.name = o.value(QStringLiteral("name")).toString();
        if (s.name.isEmpty()) continue;
        s.title = localized(o.value(QStringLiteral("title")));
        s.lesson = localized(o.value(QStringLiteral("lesson")));
        s.methods = strings(o.value(QStringLiteral("methods")));
        s.deadlocks = o.value(QStringLiteral("deadlocks")).toBool();
        for (const QJsonValue& pv : o.value(QStringLiteral("params")).toArray()) {
            const QJsonObject po = pv.toObject();
            ScenarioParam p;
            p.name = po.value(QStringLiteral("name")).toString();
            p.integer = po.value(QStringLiteral("type")).toString() != QStringLiteral("float");
            p.defaultValue = po.value(QStringLiteral("default")).toDouble();
            p.min = po.value(QStringLiteral("min")).toDouble();
            p.max = po.value(QStringLiteral("max")).toDouble();
            p.description = localized(po.value(QStringLiteral("description")));
            s.params << p;
        }
        c.scenarios << s;
    }
    return c;
}

const ScenarioInfo* Catalogue::find(const QString& name) const {
    for (const ScenarioInfo& s : scenarios)
        if (s.name == name) return &s;
    return nullptr;
}

} // namespace mpui
