// mpscope-run: the scenario runner. An ordinary libmpcore program that runs one scenario of its catalogue
// (app/scenarios/) under a chosen start method and tempo, or prints the catalogue as JSON. The GUI starts
// it and attaches to its session, named on the first line of stderr; --watch prints a text dashboard of
// that session instead.
#include "run_supervisor.hpp"
#include "scenarios/scenario.hpp"

#include <mp/context.hpp>
#include <mp/errors.hpp>
#include <mp/scope/observe.hpp>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <stdexcept>

namespace {

constexpr int kUsage = 2;
constexpr double kTempoMin = 0.01;
constexpr double kTempoMax = 1000;

// A bad command line: exit status 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (const std::string& item : items)
        out += (out.empty() ? "" : separator) + item;
    return out;
}

// 5, 0.25: numbers as a user types them.
std::string number(double v) {
    return QString::number(v, 'g', 12).toStdString();
}

QJsonObject read_resource(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) throw std::runtime_error("missing resource " + path.toStdString());
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        throw std::runtime_error("resource " + path.toStdString() + ": " + error.errorString().toStdString());
    return doc.object();
}

// Title, lesson and parameter descriptions of a scenario in every language
// (resources/scenarios/<name>.json).
QJsonObject texts_of(const scenario::Scenario& s) {
    return read_resource(":/scenarios/" + QString::fromStdString(s.name) + ".json");
}

QJsonArray string_array(const std::vector<std::string>& items) {
    QJsonArray out;
    for (const std::string& item : items)
        out.append(QString::fromStdString(item));
    return out;
}

QJsonObject catalogue_json() {
    // Descriptions of the parameters the runner adds (timeout), unless a scenario words its own.
    const QJsonObject shared = read_resource(":/scenarios/catalogue.json").value("params").toObject();
    QJsonArray scenarios;
    for (const scenario::Scenario& s : scenario::catalogue()) {
        const QJsonObject texts = texts_of(s);
        QJsonArray params;
        for (const scenario::Param& p : s.params) {
            const QString name = QString::fromStdString(p.name);
            QJsonValue description = texts.value("params").toObject().value(name);
            if (description.isUndefined()) description = shared.value(name);
            params.append(QJsonObject{{"name", name},
                                      {"type", p.integer ? "int" : "float"},
                                      {"default", p.default_value},
                                      {"min", p.min},
                                      {"max", p.max},
                                      {"description", description}});
        }
        scenarios.append(QJsonObject{{"name", QString::fromStdString(s.name)},
                                     {"title", texts["title"]},
                                     {"lesson", texts["lesson"]},
                                     {"methods", string_array(s.methods)},
                                     {"deadlocks", s.deadlocks},
                                     {"params", params}});
    }
    return {{"scenarios", scenarios},
            {"methods", string_array(mp::get_all_start_methods())},
            {"tempo", QJsonObject{{"default", 1}, {"min", kTempoMin}, {"max", kTempoMax}}}};
}

const scenario::Scenario& scenario_named(const QStringList& positional) {
    if (positional.size() != 1)
        throw UsageError("name one scenario (mpscope-run --list shows the catalogue)");
    const scenario::Scenario* s = scenario::find(positional.front().toStdString());
    if (!s)
        throw UsageError("no scenario named '" + positional.front().toStdString() +
                         "' (mpscope-run --list shows the catalogue)");
    return *s;
}

std::string method_for(const scenario::Scenario& s, const QCommandLineParser& parser,
                       const QCommandLineOption& option) {
    if (!parser.isSet(option)) return s.methods.front();
    const std::string method = parser.value(option).toStdString();
    const std::vector<std::string> all = mp::get_all_start_methods();
    if (std::find(all.begin(), all.end(), method) == all.end())
        throw UsageError("cannot find context for '" + method + "' (use --method " + join(all, "|") + ")");
    if (std::find(s.methods.begin(), s.methods.end(), method) == s.methods.end())
        throw UsageError(s.name + " does not run under " + method + " (it runs under " +
                         join(s.methods, ", ") + ")");
    return method;
}

scenario::Params params_for(const scenario::Scenario& s, const QStringList& given) {
    scenario::Params values;
    std::vector<std::string> names;
    for (const scenario::Param& p : s.params) {
        values.set(p.name, p.default_value);
        names.push_back(p.name);
    }
    for (const QString& arg : given) {
        const qsizetype eq = arg.indexOf('=');
        if (eq <= 0) throw UsageError("--param needs name=value, not '" + arg.toStdString() + "'");
        const std::string name = arg.left(eq).toStdString();
        const QString text = arg.mid(eq + 1);
        const auto p = std::find_if(s.params.begin(), s.params.end(),
                                    [&](const scenario::Param& p) { return p.name == name; });
        if (p == s.params.end())
            throw UsageError(s.name + " has no parameter '" + name + "' (" +
                             (names.empty() ? "it takes none" : "it takes " + join(names, ", ")) + ")");
        bool ok = false;
        const double v = text.toDouble(&ok);
        if (!ok || !std::isfinite(v) || (p->integer && v != std::floor(v)))
            throw UsageError("parameter " + name + " needs " + (p->integer ? "an integer" : "a number") +
                             ", not '" + text.toStdString() + "'");
        if (v < p->min || v > p->max)
            throw UsageError("parameter " + name + " must be between " + number(p->min) + " and " +
                             number(p->max) + ", not " + text.toStdString());
        values.set(name, v);
    }
    return values;
}

double number_option(const QCommandLineParser& parser, const QCommandLineOption& option, double min,
                     double max) {
    bool ok = false;
    const QString text = parser.value(option);
    const double v = text.toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < min || v > max)
        throw UsageError("--" + option.names().constLast().toStdString() + " needs a number between " +
                         number(min) + " and " + number(max) + ", not '" + text.toStdString() + "'");
    return v;
}

int run_scenario(const scenario::Scenario& s, run::Options options, const scenario::Params& params) {
    mp::Context& ctx = mp::get_context(options.method);
    // The first line on stderr, for the GUI (and anyone else) to attach to the session.
    std::cerr << "mpscope-run: session " << mp::scope::current_session() << std::endl;

    const scenario::Tempo tempo{options.tempo};
    run::Supervisor supervisor(options);
    supervisor.start();
    scenario::say(s.name, ": ", options.title, " (", options.method, ", tempo ", number(options.tempo), ")");
    bool failed = false;
    try {
        s.run(params, ctx, tempo);
    } catch (const std::exception& e) {
        // Ending the processes makes waits fail: that is no failure of the scenario.
        if (scenario::runtime::stopping()) scenario::runtime::park();
        const auto* error = dynamic_cast<const mp::Exception*>(&e);
        std::cerr << "mpscope-run: " << s.name
                  << " failed: " << (error ? std::string(error->type_name()) + ": " : std::string())
                  << e.what() << std::endl;
        failed = true;
    }
    supervisor.finish(failed);
    return failed ? run::kFailed : run::kOk;
}

} // namespace

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv); // spawn children and the forkserver run their part here
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("mpscope-run");
    QCoreApplication::setApplicationVersion(MPSCOPE_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Runs one scenario of the catalogue - a small multi-process program that shows one thing about "
        "processes, queues, locks or shared memory - under a start method, narrating what happens.\n"
        "The first line on stderr names the session: attach the inspector (mpscope-inspect, the GUI) to "
        "it, or use --watch.\n\n"
        "Exit status: 0 when the scenario ran (a deadlocking one ended at its timeout with the deadlock "
        "diagnosed, or any scenario stopped by SIGTERM or Ctrl-C), 1 when it failed, 2 for a bad command "
        "line.");
    const QCommandLineOption help_option = parser.addHelpOption();
    const QCommandLineOption version_option = parser.addVersionOption();
    parser.addPositionalArgument("scenario", "The scenario to run (see --list).", "<scenario>");
    const QCommandLineOption list_option(
        {"l", "list"}, "Print the catalogue as JSON: every scenario with its title and lesson (en, zh_CN), "
                       "parameters and start methods.");
    const QCommandLineOption method_option({"m", "method"},
                                           "Start method: fork, spawn or forkserver (default: the first "
                                           "the scenario lists).",
                                           "method");
    const QCommandLineOption param_option({"p", "param"}, "Set a parameter of the scenario (repeatable).",
                                          "name=value");
    const QCommandLineOption tempo_option(
        {"t", "tempo"}, "Speed of the scenario's pauses: 0.25 is four times slower, 4 four times faster.",
        "factor", "1");
    const QCommandLineOption watch_option(
        {"w", "watch"}, "Redraw a text dashboard of the session (processes, objects, waits, diagnosis and "
                        "the latest output) while the scenario runs.");
    const QCommandLineOption interval_option("interval", "Seconds between dashboards (default 0.5).",
                                             "seconds", "0.5");
    parser.addOptions(
        {list_option, method_option, param_option, tempo_option, watch_option, interval_option});

    try {
        if (!parser.parse(QCoreApplication::arguments())) throw UsageError(parser.errorText().toStdString());
        if (parser.isSet(help_option)) parser.showHelp(0);
        if (parser.isSet(version_option)) parser.showVersion();
        if (parser.isSet(list_option)) {
            if (!parser.positionalArguments().isEmpty()) throw UsageError("--list takes no scenario");
            std::cout << QJsonDocument(catalogue_json()).toJson(QJsonDocument::Indented).toStdString();
            return run::kOk;
        }
        const scenario::Scenario& s = scenario_named(parser.positionalArguments());
        run::Options options;
        options.scenario = &s;
        options.method = method_for(s, parser, method_option);
        const scenario::Params params = params_for(s, parser.values(param_option));
        options.tempo = number_option(parser, tempo_option, kTempoMin, kTempoMax);
        options.watch = parser.isSet(watch_option);
        options.interval = number_option(parser, interval_option, 0.01, 3600);
        if (s.deadlocks) options.timeout = params.number(scenario::timeout_param);
        options.title = texts_of(s)["title"].toObject()["en"].toString().toStdString();
        return run_scenario(s, std::move(options), params);
    } catch (const UsageError& e) {
        std::cerr << "mpscope-run: " << e.what() << '\n';
        return kUsage;
    } catch (const std::exception& e) {
        std::cerr << "mpscope-run: " << e.what() << '\n';
        return run::kFailed;
    }
}
