// mpscope-inspect run as a separate program on session arenas this test fills by hand: the text
// report, --json, --list, --watch, and the exit status (2 on a deadlock, 1 on an error).
#include "scope_test_support.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QTest>

#include <chrono>
#include <csignal>
#include <thread>
#include <unistd.h>

using test_support::TestArena;
using test_support::L::ProcState;
namespace L = test_support::L;

namespace {

struct Run {
    int exit_code = -1;
    QString out, err;
};

Run inspect(const QStringList& args, int timeout_ms = 30'000) {
    QProcess p;
    p.start(MPSCOPE_BINARY_DIR "/app/mpscope-inspect", args);
    Run r;
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
        qWarning("mpscope-inspect %s did not finish", qPrintable(args.join(' ')));
        return r;
    }
    r.exit_code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString name_of(const TestArena& a) {
    return QString::fromStdString(a.name());
}

} // namespace

class TestInspect : public QObject {
    Q_OBJECT
private slots:
    void textReportOfADeadlock() {
        TestArena a;
        test_support::fill_lock_cycle(a);
        const Run r = inspect({name_of(a)});
        QCOMPARE(r.exit_code, 2);
        QVERIFY2(r.out.startsWith("Session " + name_of(a) + " (creator pid " + QString::number(::getpid())),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains("  Process-1 [2] pid " + QString::number(::getpid()) +
                                ", fork, target philosopher, parent MainProcess, running"),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains("      main thread waits for fork-0 (Lock, held by MainProcess) for 3."),
                 qPrintable(r.out));
        QVERIFY2(
            r.out.contains("  fork-1 [11] Lock: held by Process-1; 7 ops; used by MainProcess and Process-1"),
            qPrintable(r.out));
        QVERIFY2(
            r.out.contains("Deadlocks (1):\n  1. Lock cycle: MainProcess holds fork-0 and waits for fork-1, "
                           "held by Process-1, which waits for fork-0, held by MainProcess.\n"),
            qPrintable(r.out));
        QVERIFY(r.err.isEmpty());

        // The same session found by the pid of one of its processes.
        const Run by_pid = inspect({QString::number(::getpid())});
        QCOMPARE(by_pid.exit_code, 2);
        QVERIFY(by_pid.out.startsWith("Session " + name_of(a)));
    }

    void jsonHasTheProcessesAndTheDiagnosis() {
        TestArena a;
        test_support::fill_lock_cycle(a);
        const Run r = inspect({"--json", name_of(a)});
        QCOMPARE(r.exit_code, 2);
        QJsonParseError error{};
        const QJsonObject doc = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(doc["session"].toObject()["name"].toString(), name_of(a));
        const QJsonArray processes = doc["processes"].toArray();
        QCOMPARE(processes.size(), 2);
        QCOMPARE(processes[0].toObject()["name"].toString(), QString("MainProcess"));
        QCOMPARE(processes[1].toObject()["name"].toString(), QString("Process-1"));
        QCOMPARE(processes[1].toObject()["start_method"].toString(), QString("fork"));
        QCOMPARE(processes[1].toObject()["waits"].toArray()[0].toObject()["op"].toString(),
                 QString("acquire"));
        QCOMPARE(doc["objects"].toArray().size(), 2);
        QCOMPARE(doc["objects"].toArray()[0].toObject()["owner"].toInt(), 1);
        QVERIFY(doc["deadlocked"].toBool());
        const QJsonObject d = doc["diagnoses"].toArray()[0].toObject();
        QCOMPARE(d["kind"].toString(), QString("lock_cycle"));
        QCOMPARE(d["processes"].toArray(), QJsonArray({1, 2}));
        QCOMPARE(d["steps"].toArray().size(), 4);
        QCOMPARE(d["steps"].toArray()[1].toObject()["relation"].toString(), QString("waits_for"));
        QCOMPARE(d["steps"].toArray()[1].toObject()["object"].toObject()["name"].toString(),
                 QString("fork-1"));
    }

    // A real program, not a hand-filled arena: the dining philosophers example deadlocks under each start
    // method and mpscope-inspect, a separate process, finds the cycle through its live session.
    void liveDeadlockedProgram_data() {
        QTest::addColumn<QString>("method");
        for (const char* method : {"fork", "spawn", "forkserver"})
            QTest::newRow(method) << QString::fromLatin1(method);
    }

    void liveDeadlockedProgram() {
        QFETCH(QString, method);
        QProcess program;
        program.start(MPSCOPE_BINARY_DIR "/core/example_dining_philosophers", {"--method", method});
        QVERIFY(program.waitForStarted());
        const QString pid = QString::number(program.processId());
        QList<int> pids;
        auto end_all = qScopeGuard([&] {
            for (int p : pids)
                ::kill(p, SIGKILL);
            program.kill();
            program.waitForFinished();
        });
        Run r;
        for (int attempt = 0; attempt < 200 && r.exit_code != 2; ++attempt) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            r = inspect({"--json", pid});
        }
        QCOMPARE(r.exit_code, 2);
        const QJsonObject doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
        for (const auto& p : doc["processes"].toArray())
            pids.append(p.toObject()["pid"].toInt());
        QCOMPARE(pids.size(), 6); // the main process and five philosophers
        const QJsonObject d = doc["diagnoses"].toArray()[0].toObject();
        QCOMPARE(d["kind"].toString(), QString("lock_cycle"));
        QCOMPARE(d["processes"].toArray().size(), 5);
        QStringList forks;
        for (const auto& step : d["steps"].toArray())
            if (step.toObject()["relation"].toString() == "waits_for")
                forks << step.toObject()["object"].toObject()["name"].toString();
        forks.sort();
        QCOMPARE(forks, QStringList({"fork-0", "fork-1", "fork-2", "fork-3", "fork-4"}));
        QVERIFY(d["text"].toString().startsWith("philosopher-0 holds fork-0 and waits for fork-1, held by "
                                                "philosopher-1"));
        for (const auto& p : doc["processes"].toArray())
            if (p.toObject()["name"].toString().startsWith("philosopher"))
                QCOMPARE(p.toObject()["start_method"].toString(), method);
    }

    void healthySessionExitsZero() {
        TestArena a;
        // The same locks, but the waits are only a few milliseconds old: ordinary contention.
        test_support::fill_lock_cycle(a, 0.0);
        Run r = inspect({"--min-wait-age", "60", name_of(a)});
        QCOMPARE(r.exit_code, 0);
        QVERIFY2(r.out.contains("\nNo deadlock found.\n"), qPrintable(r.out));
        r = inspect({"--json", "--min-wait-age", "60", name_of(a)});
        QCOMPARE(r.exit_code, 0);
        QVERIFY(!QJsonDocument::fromJson(r.out.toUtf8()).object()["deadlocked"].toBool());
    }

    void listShowsTheSession() {
        TestArena a;
        test_support::fill_lock_cycle(a);
        Run r = inspect({"--list"});
        QCOMPARE(r.exit_code, 0);
        const QStringList lines = r.out.split('\n');
        QVERIFY(lines[0].startsWith("SESSION"));
        bool found = false;
        for (const QString& line : lines)
            if (line.startsWith(name_of(a) + " ")) {
                found = true;
                QVERIFY2(line.contains(" " + QString::number(::getpid()) + " ") &&
                             line.contains("MainProcess") && line.endsWith("2 live of 2"),
                         qPrintable(line));
            }
        QVERIFY2(found, qPrintable(r.out));

        r = inspect({"--list", "--json"});
        QCOMPARE(r.exit_code, 0);
        found = false;
        for (const QJsonValue& s : QJsonDocument::fromJson(r.out.toUtf8()).array())
            if (s.toObject()["name"].toString() == name_of(a)) {
                found = true;
                QCOMPARE(s.toObject()["processes"].toInt(), 2);
                QCOMPARE(s.toObject()["main"].toString(), QString("MainProcess"));
            }
        QVERIFY(found);

        // Ended sessions only with --all.
        a.header().ended.store(1);
        QVERIFY(!inspect({"--list"}).out.contains(name_of(a)));
        QVERIFY(inspect({"--list", "--all"}).out.contains(name_of(a)));
    }

    void watchRefreshesUntilTheSessionEnds() {
        TestArena a;
        test_support::fill_lock_cycle(a);
        QProcess p;
        p.start(MPSCOPE_BINARY_DIR "/app/mpscope-inspect", {"--watch", "--interval", "0.05", name_of(a)});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        // At least two refreshes, then the tracker ends the session and the watch stops by itself.
        for (int i = 0; i < 200 && out.count("Deadlocks (1):") < 2; ++i) {
            p.waitForReadyRead(100);
            out += p.readAllStandardOutput();
        }
        QVERIFY2(out.count("Deadlocks (1):") >= 2, out.constData());
        a.header().ended.store(1);
        QVERIFY(p.waitForFinished(10'000));
        out += p.readAllStandardOutput();
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(out.endsWith("\nThe session has ended.\n"));

        // Ctrl-C stops it too.
        TestArena b;
        test_support::fill_lock_cycle(b, 0.0);
        p.start(MPSCOPE_BINARY_DIR "/app/mpscope-inspect",
                {"--watch", "--json", "--min-wait-age", "60", "--interval", "0.05", name_of(b)});
        QVERIFY(p.waitForStarted());
        QVERIFY(p.waitForReadyRead(10'000));
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(10'000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        const QByteArray first = p.readAllStandardOutput().split('\n').front();
        QCOMPARE(QJsonDocument::fromJson(first).object()["session"].toObject()["name"].toString(),
                 name_of(b));
    }

    void errorsExitOne() {
        Run r = inspect({"mpscope-no-such-session"});
        QCOMPARE(r.exit_code, 1);
        QCOMPARE(r.err,
                 QString("mpscope-inspect: cannot attach to session 'mpscope-no-such-session': No such "
                         "file or directory\n"));
        QVERIFY(r.out.isEmpty());
        r = inspect({});
        QCOMPARE(r.exit_code, 1);
        QVERIFY(r.err.contains("name one session or pid"));
        r = inspect({"--interval", "soon", "--watch", "1"});
        QCOMPARE(r.exit_code, 1);
        QCOMPARE(r.err,
                 QString("mpscope-inspect: --interval needs a number of seconds above 0, not 'soon'\n"));
        r = inspect({"--no-such-option"});
        QCOMPARE(r.exit_code, 1);
        r = inspect({"--help"});
        QCOMPARE(r.exit_code, 0);
        QVERIFY(r.out.contains("2 when a deadlock was found"));
    }
};

QTEST_GUILESS_MAIN(TestInspect)
#include "tst_inspect.moc"
