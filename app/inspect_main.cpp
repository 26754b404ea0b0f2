// mpscope-inspect: a jstack-like dump of a running mpscope session - every process, what each blocked
// thread waits for, every shared object's state and the deadlocks found - as text or JSON, once or
// refreshed. It only reads the session's arena: the inspected program is not stopped or slowed.
#include <mp/errors.hpp>
#include <mp/scope/analysis.hpp>
#include <mp/scope/report.hpp>
#include <mp/scope/session.hpp>

#include <QCommandLineParser>
#include <QCoreApplication>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace {

constexpr int kOk = 0;
constexpr int kError = 1;
constexpr int kDeadlock = 2;

volatile std::sig_atomic_t interrupted = 0;
void on_interrupt(int) {
    interrupted = 1;
}

std::string dump(const nlohmann::json& j, bool pretty) {
    // Names are cut to fit their fields, possibly inside a UTF-8 sequence: replace, never throw.
    return j.dump(pretty ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Prints one report of `session`; the exit status it stands for.
int print_report(const mp::scope::Session& session, bool json, bool pretty, double min_wait_age) {
    const mp::scope::Snapshot snap = session.snapshot();
    std::vector<mp::scope::Diagnosis> diagnoses = mp::scope::find_deadlocks(snap, min_wait_age);
    const int status = diagnoses.empty() ? kOk : kDeadlock;
    for (auto& note : mp::scope::find_recoveries(snap))
        diagnoses.push_back(std::move(note));
    if (json)
        std::cout << dump(mp::scope::to_json(snap, diagnoses), pretty) << '\n';
    else
        std::cout << mp::scope::format_report(snap, diagnoses);
    std::cout.flush();
    return status;
}

int list_sessions(bool all, bool json) {
    std::vector<mp::scope::SessionInfo> sessions = mp::scope::Session::list();
    if (!all) std::erase_if(sessions, [](const auto& s) { return !s.alive; });
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& s : sessions)
            out.push_back(mp::scope::to_json(s));
        std::cout << dump(out, true) << '\n';
    } else {
        std::cout << mp::scope::format_sessions(sessions);
    }
    return kOk;
}

// Reprints until the session ends or Ctrl-C; the status of the last report.
int watch(const mp::scope::Session& session, bool json, double interval, double min_wait_age) {
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    const bool terminal = ::isatty(STDOUT_FILENO) == 1;
    int status = kOk;
    for (bool first = true; !interrupted; first = false) {
        if (!json) std::cout << (terminal ? "\033[H\033[2J" : first ? "" : "\n");
        status = print_report(session, json, /*pretty=*/false, min_wait_age);
        if (!session.alive()) {
            if (!json) std::cout << "\nThe session has ended.\n" << std::flush;
            break;
        }
        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(interval);
        while (!interrupted && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return status;
}

double seconds_option(const QCommandLineParser& parser, const QCommandLineOption& option, bool positive) {
    bool ok = false;
    const double v = parser.value(option).toDouble(&ok);
    if (!ok || v < 0 || (positive && v == 0))
        throw mp::ValueError("--" + option.names().constLast().toStdString() + " needs a number of seconds" +
                             (positive ? " above 0" : "") + ", not '" + parser.value(option).toStdString() +
                             "'");
    return v;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("mpscope-inspect");
    QCoreApplication::setApplicationVersion(MPSCOPE_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Prints what a running mpscope session is doing: each process, what each of its blocked threads "
        "waits "
        "for, each shared object's state, and the deadlocks found in them.\n\n"
        "Exit status: 0 when no deadlock was found, 1 on an error, 2 when a deadlock was found "
        "(with --watch: as of the last report).");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("session",
                                 "A session name (mpscope-<pid>-<random>) or the pid of any of its "
                                 "live processes.",
                                 "<pid|session>");
    const QCommandLineOption list_option({"l", "list"},
                                         "List the live sessions: name, creator pid, age, main "
                                         "process and process count.");
    const QCommandLineOption all_option("all", "With --list, also list sessions that have ended.");
    const QCommandLineOption json_option({"j", "json"},
                                         "Print JSON instead of text (with --watch, one line per "
                                         "refresh).");
    const QCommandLineOption watch_option({"w", "watch"}, "Refresh until Ctrl-C or until the session ends.");
    const QCommandLineOption interval_option(
        "interval", "Seconds between refreshes with --watch (default 1).", "seconds", "1");
    const QCommandLineOption age_option("min-wait-age",
                                        "Count only waits blocked at least this long towards a deadlock "
                                        "(default 0.2).",
                                        "seconds", "0.2");
    parser.addOptions({list_option, all_option, json_option, watch_option, interval_option, age_option});
    parser.process(app);

    try {
        const QStringList args = parser.positionalArguments();
        const bool json = parser.isSet(json_option);
        if (parser.isSet(list_option)) {
            if (!args.isEmpty()) throw mp::ValueError("--list takes no session");
            return list_sessions(parser.isSet(all_option), json);
        }
        if (args.size() != 1)
            throw mp::ValueError("name one session or pid (mpscope-inspect --list shows the live sessions)");
        const double interval = seconds_option(parser, interval_option, true);
        const double min_wait_age = seconds_option(parser, age_option, false);
        const mp::scope::Session session = mp::scope::Session::attach(args.front().toStdString());
        if (parser.isSet(watch_option)) return watch(session, json, interval, min_wait_age);
        return print_report(session, json, /*pretty=*/true, min_wait_age);
    } catch (const std::exception& e) {
        std::cerr << "mpscope-inspect: " << e.what() << '\n';
        return kError;
    }
}
