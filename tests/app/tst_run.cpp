// mpscope-run run as a separate program: the --list catalogue, every scenario under every start method it
// applies to (the deadlocking ones to their timeout, with the expected diagnosis), the --watch dashboard,
// command-line errors (exit status 2) and SIGTERM/SIGINT, which end the run and every process of it.
#include "session_test_support.hpp"

#include <mp/scope/analysis.hpp>
#include <mp/scope/session.hpp>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <thread>
#include <unistd.h>

namespace {

using test_support::shm_exists;
using test_support::wait_until;

const QString runner = MPSCOPE_BINARY_DIR "/app/mpscope-run";
// Fast enough that a scenario's pauses hardly count.
const QString fast = "1000";

struct Run {
    int exit_code = -1;
    QString out, err;
    QStringList lines() const { return out.split('\n', Qt::SkipEmptyParts); }
};

Run run(const QStringList& args, int timeout_ms = 60'000) {
    QProcess p;
    p.start(runner, args);
    Run r;
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
        qWarning("mpscope-run %s did not finish", qPrintable(args.join(' ')));
        return r;
    }
    r.exit_code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QJsonObject catalogue() {
    static const QJsonObject doc = QJsonDocument::fromJson(run({"--list"}).out.toUtf8()).object();
    return doc;
}

const QRegularExpression session_line("^mpscope-run: session (mpscope-\\d+-\\w+)$");

// The session named on the first line of stderr.
QString session_of(const QString& err) {
    return session_line.match(err.section('\n', 0, 0)).captured(1);
}

// /proc/<pid>/stat: state and parent pid, nullopt when there is no such process.
std::optional<std::pair<char, int>> proc_stat(int pid) {
    QFile file("/proc/" + QString::number(pid) + "/stat");
    if (!file.open(QIODevice::ReadOnly)) return std::nullopt;
    const QByteArray text = file.readAll(); // empty when the process went away meanwhile
    const auto paren = text.lastIndexOf(')');
    if (paren < 0) return std::nullopt;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(text.constData() + paren + 1, " %c %d", &state, &ppid) != 2) return std::nullopt;
    return std::pair(state, ppid);
}

// Ended: gone, or a zombie its new parent has not reaped yet.
bool ended(int pid) {
    const auto st = proc_stat(pid);
    return !st || st->first == 'Z' || st->first == 'X';
}

// Every descendant of `root` (the forkserver and its children included).
QList<int> descendants(int root) {
    QList<int> found{root};
    for (qsizetype i = 0; i < found.size(); ++i)
        for (const QString& entry : QDir("/proc").entryList(QDir::Dirs)) {
            bool numeric = false;
            const int pid = entry.toInt(&numeric);
            if (!numeric) continue;
            const auto st = proc_stat(pid);
            if (st && st->second == found[i] && !found.contains(pid)) found.append(pid);
        }
    found.removeFirst();
    return found;
}

using Check = std::function<void(const Run&, const QString& method)>;

// What each scenario must print (whole lines), and further checks.
struct Expect {
    QStringList lines;
    Check check = nullptr;
};

int count_containing(const Run& r, const QString& text) {
    int n = 0;
    for (const QString& line : r.lines())
        n += line.contains(text);
    return n;
}

const std::map<QString, Expect>& expectations() {
    static const std::map<QString, Expect> table = {
        {"barrier_phases",
         {{"all 3 workers finished 3 phases in step"},
          [](const Run& r, const QString&) {
              QCOMPARE(count_containing(r, "runs the barrier's action"), 3);
          }}},
        {"bounded_buffer_condition",
         {{"all 12 items went through a buffer of 3 slots"},
          [](const Run& r, const QString&) {
              QCOMPARE(count_containing(r, " took "), 12);
              QCOMPARE(count_containing(r, " stops after "), 2);
          }}},
        {"dining_philosophers_ordered",
         {{"every philosopher ate 3 meals: no deadlock"},
          [](const Run& r, const QString&) { QCOMPARE(count_containing(r, " and eats meal "), 15); }}},
        {"event_start_gun",
         {{"all 4 runners finished"},
          [](const Run& r, const QString&) {
              const QStringList lines = r.lines();
              const auto fired = lines.indexOf("the main process fires the start gun: start_gun.set()");
              QVERIFY(fired > 0);
              for (int i = 0; i < 4; ++i) {
                  const QString runner = "runner-" + QString::number(i);
                  QVERIFY(lines.indexOf(runner + " is at the line and waits for the start gun") < fired);
                  QVERIFY(lines.indexOf(runner + " starts") > fired);
              }
          }}},
        {"get_context",
         {{"hello"},
          [](const Run& r, const QString& method) {
              // Preparing a spawn or forkserver child fixes the default, as in CPython.
              QCOMPARE(r.lines().last(), method == "fork" ? QString("None") : QString("fork"));
          }}},
        {"joinable_queue", {{"All task requests sent", "Finished 4", "All work completed"}}},
        {"lock_print",
         {{"hello world 0", "hello world 1", "hello world 2", "hello world 3", "hello world 4",
           "hello world 5", "hello world 6", "hello world 7", "hello world 8", "hello world 9"}}},
        {"pipe_basic", {{"[42, None, 'hello']"}}},
        {"pipe_bytes",
         {{"[1, 'hello', None]", "b'thank you'", "20 bytes received into a 10-int array",
           "array('i', [0, 1, 2, 3, 4, 0, 0, 0, 0, 0])"}}},
        {"dummy_pool",
         {{"[1, 4, 9]", "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]", "400",
           "For the moment, the pool remains available for more work",
           "Now the pool is closed and no longer available"},
          [](const Run& r, const QString&) {
              // Threads of the main process: every task reports the same pid.
              const auto pids =
                  QRegularExpression("^\\[(\\d+), \\1, \\1, \\1\\]$", QRegularExpression::MultilineOption)
                      .match(r.out);
              QVERIFY2(pids.hasMatch(), qPrintable(r.out));
              QVERIFY(r.lines().contains(pids.captured(1)));
          }}},
        {"pool_demo",
         {{"Creating pool with 4 processes", "Ordered results using pool.apply_async():",
           "Ordered results using pool.imap():", "Unordered results using pool.imap_unordered():",
           "Ordered results using pool.map() --- will block till complete:", "Testing error handling:",
           "\tGot ZeroDivisionError as expected from pool.apply()",
           "\tGot ZeroDivisionError as expected from pool.map()",
           "\tGot ZeroDivisionError as expected from list(pool.imap())",
           "\tGot ZeroDivisionError as expected from IMapIterator.next()",
           "Testing IMapIterator.next() with timeout:"},
          [](const Run& r, const QString& method) {
              const QString worker = method == "fork"    ? "ForkPoolWorker-"
                                     : method == "spawn" ? "SpawnPoolWorker-"
                                                         : "ForkServerPoolWorker-";
              // 20 tasks through apply_async, imap, imap_unordered and map, then 1 + 20 with timeouts.
              QCOMPARE(count_containing(r, " says that "), 101);
              QCOMPARE(r.out.count(QRegularExpression("^\\.*\\t ?" + worker + "\\d+ says that ",
                                                      QRegularExpression::MultilineOption)),
                       101);
              QCOMPARE(count_containing(r, " says that mul(9, 7) = 63"), 5);
              QCOMPARE(count_containing(r, " says that plus(9, 8) = 17"), 5);
              QCOMPARE(count_containing(r, " says that mul(0, 7) = 0"), 6);
              QCOMPARE(r.out.count(QRegularExpression("^Testing ApplyResult\\.get\\(\\) with timeout: \\.*$",
                                                      QRegularExpression::MultilineOption)),
                       1);
          }}},
        {"pool_map", {{"[1, 4, 9]"}}},
        {"pool_timeouts", {{"100", "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]", "0", "1", "4", "TimeoutError"}}},
        {"pool_map_vs_imap",
         {{"a Pool of 3 workers; tasks 0 to 5 take [0.9, 0.1, 0.2, 0.5, 0.1, 0.8] s at tempo 1 "
           "(task 0 is the slowest)",
           "map and imap kept the input order; imap_unordered gave each result as soon as it was ready"},
          [](const Run& r, const QString&) {
              QCOMPARE(r.out.count(
                           QRegularExpression("^map returned \\[0, 1, 2, 3, 4, 5\\] after \\d+\\.\\d\\d s$",
                                              QRegularExpression::MultilineOption)),
                       1);
              // imap in input order; imap_unordered in some order, the one it then sums up.
              auto tasks = [&](const QString& call) {
                  QStringList order;
                  const QRegularExpression given("^" + call + " gives task (\\d) after \\d+\\.\\d\\d s$");
                  for (const QString& line : r.lines())
                      if (const auto m = given.match(line); m.hasMatch()) order << m.captured(1);
                  return order;
              };
              QCOMPARE(tasks("imap"), QStringList({"0", "1", "2", "3", "4", "5"}));
              const QStringList unordered = tasks("imap_unordered");
              QStringList sorted = unordered;
              sorted.sort();
              QCOMPARE(sorted, QStringList({"0", "1", "2", "3", "4", "5"}));
              QVERIFY2(r.lines().contains("imap_unordered's order: [" + unordered.join(", ") + "]"),
                       qPrintable(r.out));
          }}},
        {"pool_worker_killed",
         {{"apply_async: 8 tasks of half a second each; task 3 takes much longer",
           "7 of 8 tasks completed; only the killed worker's task failed"},
          [](const Run& r, const QString& method) {
              const QString worker = method == "fork"    ? "ForkPoolWorker-"
                                     : method == "spawn" ? "SpawnPoolWorker-"
                                                         : "ForkServerPoolWorker-";
              QVERIFY2(
                  r.lines().contains("the pool's workers: " + worker + "1, " + worker + "2, " + worker + "3"),
                  qPrintable(r.out));
              // Exactly task 3 fails, naming the worker that was killed and its pid.
              const auto lost =
                  QRegularExpression("^task 3 failed: WorkerLostError: Worker (" + worker +
                                         "[123]) \\(pid (\\d+)\\) died while running this task: it "
                                         "was killed by signal 9 \\(SIGKILL\\)$",
                                     QRegularExpression::MultilineOption)
                      .match(r.out);
              QVERIFY2(lost.hasMatch(), qPrintable(r.out));
              QCOMPARE(count_containing(r, " failed: "), 1);
              QVERIFY(r.lines().contains("the main process kills the worker running task 3 (pid " +
                                         lost.captured(2) + ") with SIGKILL"));
              QCOMPARE(r.out.count(QRegularExpression("^task [0-7]: done by " + worker + "\\d$",
                                                      QRegularExpression::MultilineOption)),
                       7);
              // The killed worker's slot has a new worker, whose name continues the counter.
              QVERIFY2(r.lines().contains("the pool replaced " + lost.captured(1) + " with " + worker + "4"),
                       qPrintable(r.out));
          }}},
        {"pool_workers",
         {{"[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]", "400",
           "We lacked patience and got a multiprocessing.TimeoutError",
           "For the moment, the pool remains available for more work",
           "Now the pool is closed and no longer available"},
          [](const Run& r, const QString&) {
              // imap_unordered: the same ten squares, in some order.
              const QStringList lines = r.lines();
              const auto from = lines.indexOf("# print same numbers in arbitrary order");
              QVERIFY(from > 0 && from + 10 < lines.size());
              QList<int> squares;
              for (const QString& line : lines.mid(from + 1, 10))
                  squares << line.toInt();
              std::sort(squares.begin(), squares.end());
              QCOMPARE(squares, QList<int>({0, 1, 4, 9, 16, 25, 36, 49, 64, 81}));
              QCOMPARE(r.out.count(QRegularExpression("^\\[\\d+, \\d+, \\d+, \\d+\\]$",
                                                      QRegularExpression::MultilineOption)),
                       1);
          }}},
        {"process_hello", {{"hello bob"}}},
        {"process_info",
         {{"main line", "function f", "hello bob"},
          [](const Run& r, const QString& method) {
              QCOMPARE(r.lines().count("module name: __main__"), method == "fork" ? 2 : 1);
              QCOMPARE(r.lines().count("module name: __mp_main__"), method == "fork" ? 0 : 1);
          }}},
        {"process_terminate",
         {{"True"},
          [](const Run& r, const QString&) {
              QVERIFY2(r.out.contains(QRegularExpression("initial> False\n")), qPrintable(r.out));
              QVERIFY2(r.out.contains(QRegularExpression("started> True\n")), qPrintable(r.out));
              QVERIFY2(r.out.contains("stopped exitcode=-SIGTERM> False\n"), qPrintable(r.out));
          }}},
        {"producer_consumer",
         {{"consumed 10 of 10 items"},
          [](const Run& r, const QString&) { QCOMPARE(count_containing(r, " takes item "), 10); }}},
        {"queue_basic", {{"[42, None, 'hello']"}}},
        {"queue_workers",
         {{"Unordered results:"},
          [](const Run& r, const QString&) {
              QCOMPARE(count_containing(r, " says that "), 30);
              QCOMPARE(count_containing(r, " says that mul(19, 7) = 133"), 1);
              QCOMPARE(count_containing(r, " says that plus(9, 8) = 17"), 1);
          }}},
        {"semaphore_resource_pool",
         {{},
          [](const Run& r, const QString&) {
              const auto m =
                  QRegularExpression("^6 workers shared 2 connections; at most (\\d) were in use at "
                                     "once$",
                                     QRegularExpression::MultilineOption)
                      .match(r.out);
              QVERIFY2(m.hasMatch(), qPrintable(r.out));
              QVERIFY(m.captured(1).toInt() >= 1 && m.captured(1).toInt() <= 2);
          }}},
        {"sharedctypes_point",
         {{"49", "0.1111111111111111", "b'HELLO WORLD'",
           "[(3.515625, 39.0625), (33.0625, 4.0), (5.640625, 90.25)]"}}},
        {"start_method_spawn", {{"hello", "RuntimeError: context has already been set"}}},
        {"start_methods",
         {{"ForkProcess-2 fork", "SpawnProcess-3 spawn", "ForkServerProcess-4 forkserver"},
          [](const Run& r, const QString& method) { QVERIFY(r.lines().contains("Process-1 " + method)); }}},
        {"unlocked_counter_race",
         {{"with the lock: 80000 of 80000 (lost 0)"},
          [](const Run& r, const QString&) {
              const auto m = QRegularExpression("^without the lock: (\\d+) of 80000",
                                                QRegularExpression::MultilineOption)
                                 .match(r.out);
              QVERIFY2(m.hasMatch(), qPrintable(r.out));
              QVERIFY(m.captured(1).toInt() > 0 && m.captured(1).toInt() <= 80000);
          }}},
        {"value_array", {{"3.1415927", "[0, -1, -2, -3, -4, -5, -6, -7, -8, -9]"}}},
        {"wait_pipes",
         {{"(0, 'ForkProcess-1')", "(9, 'ForkProcess-1')"},
          [](const Run& r, const QString&) {
              QCOMPARE(count_containing(r, "Process-"), 40);
              QCOMPARE(count_containing(r, "# end of file"), 4);
          }}},
        // Not deadlocking: the fix.
        {"queue_join_deadlock",
         {{"the main process got 256 KiB and joins the worker", "worker exited with code 0"}}},
    };
    return table;
}

// The process names wait_pipes prints depend on the context.
QString with_method_names(QString line, const QString& method) {
    const QString cls = method == "fork"    ? "ForkProcess"
                        : method == "spawn" ? "SpawnProcess"
                                            : "ForkServerProcess";
    return line.replace("'ForkProcess-", "'" + cls + "-");
}

// A run in progress, with the session it named.
class LiveRun {
public:
    explicit LiveRun(const QStringList& args) {
        process_.setReadChannel(QProcess::StandardError);
        process_.start(runner, args);
    }
    ~LiveRun() {
        if (process_.state() != QProcess::NotRunning) {
            for (int pid : descendants(static_cast<int>(process_.processId())))
                ::kill(pid, SIGKILL);
            process_.kill();
            process_.waitForFinished();
        }
    }
    // Waits for the first line on stderr and attaches to the session it names.
    bool attach() {
        for (int i = 0; i < 100 && !process_.canReadLine(); ++i)
            process_.waitForReadyRead(100);
        first_line_ = QString::fromUtf8(process_.readLine()).trimmed();
        session_name_ = session_line.match(first_line_).captured(1);
        if (session_name_.isEmpty()) return false;
        session_.emplace(mp::scope::Session::attach(session_name_.toStdString()));
        return true;
    }
    QProcess& process() { return process_; }
    const QString& first_line() const { return first_line_; }
    const QString& session_name() const { return session_name_; }
    mp::scope::Session& session() { return *session_; }

private:
    QProcess process_;
    QString first_line_, session_name_;
    std::optional<mp::scope::Session> session_;
};

} // namespace

class TestRun : public QObject {
    Q_OBJECT
private slots:
    void listIsTheWholeCatalogue() {
        const QJsonObject doc = catalogue();
        QCOMPARE(doc["methods"].toArray(), QJsonArray({"fork", "spawn", "forkserver"}));
        QCOMPARE(doc["tempo"].toObject()["default"].toDouble(), 1.0);
        QSet<QString> names;
        const QRegularExpression chinese("[\\x{4e00}-\\x{9fff}]");
        for (const QJsonValue& v : doc["scenarios"].toArray()) {
            const QJsonObject s = v.toObject();
            const QString name = s["name"].toString();
            names.insert(name);
            for (const char* text : {"title", "lesson"}) {
                QVERIFY2(!s[text]["en"].toString().isEmpty(), qPrintable(name));
                QVERIFY2(s[text]["zh_CN"].toString().contains(chinese), qPrintable(name));
            }
            QVERIFY2(s["lesson"]["en"].toString().contains("Watch for:"), qPrintable(name));
            QVERIFY2(s["lesson"]["zh_CN"].toString().contains("请观察"), qPrintable(name));
            QVERIFY(!s["methods"].toArray().isEmpty());
            for (const QJsonValue& m : s["methods"].toArray())
                QVERIFY(doc["methods"].toArray().contains(m));
            QSet<QString> params;
            for (const QJsonValue& pv : s["params"].toArray()) {
                const QJsonObject p = pv.toObject();
                const QString where = name + " " + p["name"].toString();
                params.insert(p["name"].toString());
                QVERIFY2(p["type"] == "int" || p["type"] == "float", qPrintable(where));
                QVERIFY2(p["min"].toDouble() <= p["default"].toDouble() &&
                             p["default"].toDouble() <= p["max"].toDouble(),
                         qPrintable(where));
                QVERIFY2(!p["description"]["en"].toString().isEmpty(), qPrintable(where));
                QVERIFY2(p["description"]["zh_CN"].toString().contains(chinese), qPrintable(where));
            }
            QCOMPARE(params.contains("timeout"), s["deadlocks"].toBool());
        }
        // The classic problems and every ported example (counter_lock is unlocked_counter_race; a program
        // without freeze_support(), missing_main_guard, cannot be a scenario of a program that has it).
        for (const char* name : {"dining_philosophers",
                                 "dining_philosophers_ordered",
                                 "producer_consumer",
                                 "unlocked_counter_race",
                                 "queue_join_deadlock",
                                 "barrier_phases",
                                 "bounded_buffer_condition",
                                 "semaphore_resource_pool",
                                 "event_start_gun",
                                 "process_hello",
                                 "process_info",
                                 "process_terminate",
                                 "start_methods",
                                 "get_context",
                                 "start_method_spawn",
                                 "pipe_basic",
                                 "wait_pipes",
                                 "pipe_bytes",
                                 "lock_print",
                                 "value_array",
                                 "sharedctypes_point",
                                 "queue_basic",
                                 "joinable_queue",
                                 "queue_workers",
                                 "pool_map",
                                 "pool_timeouts",
                                 "pool_workers",
                                 "pool_demo",
                                 "dummy_pool",
                                 "pool_map_vs_imap",
                                 "pool_worker_killed"})
            QVERIFY2(names.contains(name), name);
        // Every lesson file belongs to a scenario.
        for (const QString& file : QDir(MPSCOPE_SOURCE_DIR "/resources/scenarios").entryList({"*.json"}))
            QVERIFY2(file == "catalogue.json" || names.contains(file.chopped(5)), qPrintable(file));
    }

    void scenarioRuns_data() {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QStringList>("params");
        for (const QJsonValue& v : catalogue()["scenarios"].toArray()) {
            const QJsonObject s = v.toObject();
            const QString name = s["name"].toString();
            // The deadlocking queue scenario's fix runs to its end.
            const QStringList params =
                name == "queue_join_deadlock" ? QStringList{"--param", "drain_first=1"} : QStringList{};
            if (s["deadlocks"].toBool() && params.isEmpty()) continue;
            for (const QJsonValue& m : s["methods"].toArray())
                QTest::addRow("%s %s", qPrintable(name), qPrintable(m.toString()))
                    << name << m.toString() << params;
        }
    }

    void scenarioRuns() {
        QFETCH(QString, scenario);
        QFETCH(QString, method);
        QFETCH(QStringList, params);
        const auto expect = expectations().find(scenario);
        QVERIFY2(expect != expectations().end(), "add the scenario's expected output to tst_run");
        const Run r = run(QStringList{scenario, "--method", method, "--tempo", fast} + params);
        QVERIFY2(r.exit_code == 0, qPrintable(r.out + r.err));
        QVERIFY2(!session_of(r.err).isEmpty(), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1); // nothing but the session line
        const QStringList lines = r.lines();
        QVERIFY2(lines.first().startsWith(scenario + ": ") &&
                     lines.first().endsWith(" (" + method + ", tempo 1000)"),
                 qPrintable(lines.first()));
        for (const QString& line : expect->second.lines)
            QVERIFY2(lines.contains(with_method_names(line, method)), qPrintable(line + "\n---\n" + r.out));
        if (expect->second.check) expect->second.check(r, method);
    }

    void deadlockEndsAtItsTimeout_data() {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("diagnosis");
        for (const char* method : {"fork", "spawn", "forkserver"}) {
            QTest::addRow("dining_philosophers %s", method)
                << "dining_philosophers" << method
                << "deadlock: Lock cycle: philosopher-0 holds fork-0 and waits for fork-1, held by "
                   "philosopher-1, "
                   "which waits for fork-2, held by philosopher-2, which waits for fork-3, held by "
                   "philosopher-3, "
                   "which waits for fork-4, held by philosopher-4, which waits for fork-0, held by "
                   "philosopher-0.";
            // The bytes: the pickled 256 KiB result less what the full 64 KiB channel took, the same under
            // every start method.
            QTest::addRow("queue_join_deadlock %s", method)
                << "queue_join_deadlock" << method
                << "deadlock: Join before draining a queue: MainProcess joins worker, which cannot exit "
                   "until its feeder flushes 196625 bytes into results, which only MainProcess reads.";
        }
    }

    void deadlockEndsAtItsTimeout() {
        QFETCH(QString, scenario);
        QFETCH(QString, method);
        QFETCH(QString, diagnosis);
        LiveRun live({scenario, "--method", method, "--tempo", fast, "--param", "timeout=2"});
        QVERIFY2(live.attach(), qPrintable(live.first_line()));
        QVERIFY(live.process().waitForFinished(30'000));
        QCOMPARE(live.process().exitStatus(), QProcess::NormalExit);
        const QString out = QString::fromUtf8(live.process().readAllStandardOutput());
        QVERIFY2(live.process().exitCode() == 0, qPrintable(out));
        const QStringList lines = out.split('\n', Qt::SkipEmptyParts);
        // Narrated once when found, then again at the timeout.
        QCOMPARE(lines.count(diagnosis), 2);
        const auto timeout = lines.indexOf("timeout after 2 s: the diagnosis");
        QVERIFY2(timeout > 0 && lines.indexOf(diagnosis, timeout) > timeout, qPrintable(out));
        QCOMPARE(lines.last(), QString("ending the processes"));
        // No process of the run is left, and the session goes with them.
        for (const auto& p : live.session().snapshot().processes)
            QVERIFY2(wait_until([&] { return ended(p.pid); }), qPrintable(QString::fromStdString(p.name)));
        QVERIFY(wait_until([&] { return !shm_exists(live.session_name().toStdString()); }));
    }

    void stopSignalEndsEveryProcess_data() {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("method");
        QTest::addColumn<int>("signal");
        for (const char* method : {"fork", "spawn", "forkserver"})
            QTest::addRow("deadlocked, SIGTERM, %s", method) << "dining_philosophers" << method << SIGTERM;
        // A run that is not stuck, in the middle of its work.
        QTest::addRow("working, SIGINT, spawn") << "producer_consumer"
                                                << "spawn" << SIGINT;
    }

    void stopSignalEndsEveryProcess() {
        QFETCH(QString, scenario);
        QFETCH(QString, method);
        QFETCH(int, signal);
        LiveRun live({scenario, "--method", method, "--tempo", "2"});
        QVERIFY2(live.attach(), qPrintable(live.first_line()));
        const int runner_pid = static_cast<int>(live.process().processId());
        // Stop it once every process has started (and the philosophers are deadlocked).
        QList<int> pids;
        QVERIFY(wait_until(
            [&] {
                const auto snap = live.session().snapshot();
                int running = 0;
                for (const auto& p : snap.processes)
                    running += p.state == mp::scope::ProcessState::Running && !p.main;
                const bool ready = scenario == "dining_philosophers"
                                       ? !mp::scope::find_deadlocks(snap).empty()
                                       : running == 4;
                if (ready) pids = descendants(runner_pid);
                return ready;
            },
            std::chrono::seconds(20)));
        QVERIFY(pids.size() >= 4);
        ::kill(runner_pid, signal);
        QVERIFY(live.process().waitForFinished(20'000));
        QCOMPARE(live.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(live.process().exitCode(), 0);
        const QString out = QString::fromUtf8(live.process().readAllStandardOutput());
        const QString stopped = signal == SIGTERM ? "SIGTERM" : "SIGINT";
        QVERIFY2(out.endsWith("stopped by " + stopped + ": ending the processes\n"), qPrintable(out));
        for (int pid : pids)
            QVERIFY2(wait_until([&] { return ended(pid); }), qPrintable(QString::number(pid)));
        QVERIFY(wait_until([&] { return !shm_exists(live.session_name().toStdString()); }));
    }

    void watchPrintsTheDashboard() {
        Run r = run(
            {"producer_consumer", "--watch", "--interval", "0.05", "--tempo", "50", "--param", "items=3"});
        QCOMPARE(r.exit_code, 0);
        QVERIFY2(!r.out.contains('\033'), "no terminal codes when stdout is not a terminal");
        QVERIFY2(
            r.out.startsWith("mpscope-run producer_consumer: Producer–consumer with a bounded Queue (fork, "
                             "tempo 50, "),
            qPrintable(r.out));
        const QString session = session_of(r.err);
        QVERIFY(!session.isEmpty());
        QVERIFY(r.out.count("\nSession " + session + " (creator pid ") >= 2); // refreshed
        QVERIFY(
            r.out.contains(QRegularExpression("\n  producer-1 \\[\\d+\\] pid \\d+, fork, target producer, "
                                              "parent MainProcess, ")));
        QVERIFY(r.out.contains(QRegularExpression("\n  buffer \\[\\d+\\] Queue: ")));
        QVERIFY(r.out.contains("\nNo deadlock found.\n"));
        // Every line of output appears once, in a dashboard's output section.
        QCOMPARE(r.out.count("\n  consumed 6 of 6 items\n"), 1);
        QCOMPARE(r.out.count(" takes item "), 6);
        QVERIFY(r.out.endsWith("\n  consumed 6 of 6 items\n\nThe scenario has ended.\n"));

        // A deadlock shows in the dashboard's diagnosis.
        r = run({"dining_philosophers", "--watch", "--interval", "0.2", "--tempo", fast, "--param",
                 "philosophers=3", "--param", "timeout=2"});
        QCOMPARE(r.exit_code, 0);
        QVERIFY2(r.out.contains(
                     "\nDeadlocks (2):\n  1. Lock cycle: philosopher-0 holds fork-0 and waits for fork-1"),
                 qPrintable(r.out));
        QVERIFY(r.out.contains("\n  ending the processes\n"));
        QVERIFY(r.out.endsWith("\nStopped.\n"));
    }

    void badCommandLinesExitTwo_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no scenario") << QStringList{}
                                     << "name one scenario (mpscope-run --list shows the catalogue)";
        QTest::newRow("unknown scenario")
            << QStringList{"no_such_scenario"}
            << "no scenario named 'no_such_scenario' (mpscope-run --list shows the "
               "catalogue)";
        QTest::newRow("unknown method")
            << QStringList{"process_hello", "--method", "vfork"}
            << "cannot find context for 'vfork' (use --method fork|spawn|forkserver)";
        QTest::newRow("unknown parameter")
            << QStringList{"dining_philosophers", "--param", "forks=3"}
            << "dining_philosophers has no parameter 'forks' (it takes philosophers, "
               "timeout)";
        QTest::newRow("no parameters") << QStringList{"process_hello", "-p", "n=1"}
                                       << "process_hello has no parameter 'n' (it takes none)";
        QTest::newRow("out of range") << QStringList{"dining_philosophers", "--param", "philosophers=1"}
                                      << "parameter philosophers must be between 2 and 16, not 1";
        QTest::newRow("not an integer") << QStringList{"producer_consumer", "--param", "items=2.5"}
                                        << "parameter items needs an integer, not '2.5'";
        QTest::newRow("not a number") << QStringList{"dining_philosophers", "--param", "timeout=soon"}
                                      << "parameter timeout needs a number, not 'soon'";
        QTest::newRow("no value") << QStringList{"producer_consumer", "--param", "items"}
                                  << "--param needs name=value, not 'items'";
        QTest::newRow("tempo") << QStringList{"process_hello", "--tempo", "0"}
                               << "--tempo needs a number between 0.01 and 1000, not '0'";
        QTest::newRow("unknown option")
            << QStringList{"process_hello", "--slowly"} << "Unknown option 'slowly'.";
        QTest::newRow("list and scenario")
            << QStringList{"--list", "process_hello"} << "--list takes no scenario";
    }

    void badCommandLinesExitTwo() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = run(args);
        QCOMPARE(r.exit_code, 2);
        QCOMPARE(r.err, "mpscope-run: " + message + "\n"); // and no session was created
        QVERIFY(r.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRun)
#include "tst_run.moc"
