// Words: the inspector's sentences. In English a diagnosis reads exactly as mp::scope's Diagnosis::text()
// (the GUI rebuilds it from the structured steps so that it can be translated); in Chinese no English phrase
// is left.
#include "language.hpp"
#include "ui_test_support.hpp"
#include "words.hpp"

#include <mp/scope/analysis.hpp>

#include <QRegularExpression>

#include <set>

using mp::scope::DiagnosisKind;
using mp::scope::ProcessState;

namespace {

// A lock held by a process that exited, waited for; a barrier one party short whose other user ended; a
// lock recovered from a holder that died.
mp::scope::Snapshot troubled() {
    mp::scope::Snapshot s;
    s.session.name = "mpscope-test-words";
    s.time = 20;
    s.processes.push_back(ui_test::process(1, 0, "MainProcess"));
    auto waiter = ui_test::process(2, 1, "Process-1");
    waiter.waits.push_back(ui_test::wait("acquire", 1, 10));
    s.processes.push_back(waiter);
    auto dead = ui_test::process(3, 1, "Process-2");
    dead.state = ProcessState::Exited;
    dead.exitcode = 1;
    s.processes.push_back(dead);
    auto barrierWaiter = ui_test::process(4, 1, "Process-3");
    barrierWaiter.waits.push_back(ui_test::wait("barrier_wait", 2, 10));
    s.processes.push_back(barrierWaiter);
    auto gone = ui_test::process(5, 1, "Process-4");
    gone.state = ProcessState::Killed;
    gone.exitcode = -9;
    s.processes.push_back(gone);

    auto lock = ui_test::object(1, "Lock", "Lock-1");
    lock.owner = 3;
    lock.value = 0;
    lock.holders = {{3, 1}};
    lock.waiters = 1;
    s.objects.push_back(lock);
    auto barrier = ui_test::object(2, "Barrier", "gate");
    barrier.parties = 2;
    barrier.n_waiting = 1;
    barrier.barrier_state = "filling";
    barrier.users = {4, 5};
    s.objects.push_back(barrier);
    auto recovered = ui_test::object(3, "Lock", "Lock-3");
    recovered.recovered_from = 5;
    recovered.recovered_from_pid = 1005;
    recovered.owner = 1;
    recovered.holders = {{1, 1}};
    s.objects.push_back(recovered);
    return s;
}

// MainProcess joins worker, whose feeder still has to flush 196625 bytes into results - which only
// MainProcess and starter read, and starter waits for an event nobody sets. `feeder` false: worker's own
// put blocks on the full queue instead (its feeder's load unknown).
mp::scope::Snapshot joinBeforeDrain(bool feeder = true) {
    mp::scope::Snapshot s;
    s.session.name = "mpscope-test-join-before-drain";
    s.time = 20;
    auto main = ui_test::process(1, 0, "MainProcess");
    main.waits.push_back(ui_test::wait("join", 0, 10, 2));
    s.processes.push_back(main);
    auto worker = ui_test::process(2, 1, "worker");
    worker.waits.push_back(ui_test::wait(feeder ? "feeder_flush" : "put", 1, 10));
    s.processes.push_back(worker);
    auto starter = ui_test::process(3, 1, "starter");
    starter.waits.push_back(ui_test::wait("event_wait", 2, 10));
    s.processes.push_back(starter);

    auto results = ui_test::object(1, "Queue", "results");
    results.users = {1, 2, 3};
    results.items = 1;
    results.used_bytes = 65536;
    results.capacity_bytes = 65536;
    if (feeder)
        results.feeders.push_back({2, 1, 196625, true, false});
    else
        results.maxsize = 1;
    s.objects.push_back(results);
    auto event = ui_test::object(2, "Event", "go");
    event.users = {3};
    s.objects.push_back(event);
    return s;
}

// Two workers each blocked on a queue only the other serves: full queues they put on (`op` "put", the
// first one's feeder holding bytes it cannot flush) or empty ones they get from ("get").
mp::scope::Snapshot queueCycle(const std::string& op) {
    mp::scope::Snapshot s;
    s.session.name = "mpscope-test-queue-cycle";
    s.time = 20;
    s.processes.push_back(ui_test::process(1, 0, "MainProcess"));
    auto ping = ui_test::process(2, 1, "ping");
    ping.waits.push_back(ui_test::wait(op == "put" ? "feeder_flush" : op, 1, 10));
    s.processes.push_back(ping);
    auto pong = ui_test::process(3, 1, "pong");
    pong.waits.push_back(ui_test::wait(op, 2, 10));
    s.processes.push_back(pong);
    for (mp::scope::ObjectId id : {1u, 2u}) {
        auto q = ui_test::object(id, "Queue", id == 1 ? "to_pong" : "to_ping");
        q.users = {2, 3};
        q.items = op == "put" ? 1 : 0;
        q.maxsize = op == "put" ? 1 : 0;
        s.objects.push_back(q);
    }
    if (op == "put") s.objects[0].feeders.push_back({2, 1, 4096, true, false});
    return s;
}

std::vector<mp::scope::Snapshot> snapshots() {
    return {ui_test::diningPhilosophers(5), troubled(),        joinBeforeDrain(),
            joinBeforeDrain(false),         queueCycle("put"), queueCycle("get")};
}

std::vector<mp::scope::Diagnosis> everything(const mp::scope::Snapshot& s) {
    auto all = mp::scope::find_deadlocks(s);
    for (auto& d : mp::scope::find_recoveries(s))
        all.push_back(std::move(d));
    return all;
}

} // namespace

class TestWords : public QObject {
    Q_OBJECT
private slots:
    void init() { QVERIFY(mpui::setLanguage("en")); }

    void diagnosisReadsAsTheCoreWordsIt_data() {
        QTest::addColumn<int>("which");
        QTest::newRow("dining philosophers") << 0;
        QTest::newRow("dead holder, barrier, recovery") << 1;
        QTest::newRow("join before drain, feeder") << 2;
        QTest::newRow("join before drain, full queue") << 3;
        QTest::newRow("queue cycle, full") << 4;
        QTest::newRow("queue cycle, empty") << 5;
    }
    void diagnosisReadsAsTheCoreWordsIt() {
        QFETCH(int, which);
        const auto snap = snapshots().at(static_cast<std::size_t>(which));
        const auto diagnoses = everything(snap);
        QVERIFY(!diagnoses.empty());
        for (const auto& d : diagnoses) {
            QCOMPARE(mpui::Words::diagnosisText(d), QString::fromStdString(d.text()));
            QCOMPARE(mpui::Words::diagnosisTitle(d.kind), QString::fromUtf8(mp::scope::title(d.kind)));
        }
    }

    void kindsCovered() {
        std::set<DiagnosisKind> kinds;
        for (const auto& snap : snapshots())
            for (const auto& d : everything(snap))
                kinds.insert(d.kind);
        QVERIFY(kinds.count(DiagnosisKind::LockCycle));
        QVERIFY(kinds.count(DiagnosisKind::JoinChain));
        QVERIFY(kinds.count(DiagnosisKind::DeadHolder));
        QVERIFY(kinds.count(DiagnosisKind::Unsatisfiable));
        QVERIFY(kinds.count(DiagnosisKind::JoinBeforeDrain));
        QVERIFY(kinds.count(DiagnosisKind::QueueCycle));
        QVERIFY(kinds.count(DiagnosisKind::Recovered));
    }

    void queuesInWords() {
        auto diagnoses = mp::scope::find_deadlocks(joinBeforeDrain());
        QCOMPARE(diagnoses.front().kind, DiagnosisKind::JoinBeforeDrain);
        QCOMPARE(mpui::Words::diagnosisText(diagnoses.front()),
                 QStringLiteral("MainProcess joins worker, which cannot exit until its feeder flushes 196625 "
                                "bytes into results, which only MainProcess and starter read; starter waits "
                                "for event go."));
        diagnoses = mp::scope::find_deadlocks(queueCycle("put"));
        QCOMPARE(diagnoses.front().kind, DiagnosisKind::QueueCycle);
        QCOMPARE(mpui::Words::diagnosisText(diagnoses.front()),
                 QStringLiteral("ping waits for its feeder to flush 4096 bytes into to_pong, which only pong "
                                "reads; pong waits to put on to_ping, which only ping reads."));
        QCOMPARE(mpui::Words::diagnosisTitle(DiagnosisKind::QueueCycle), QStringLiteral("Queue cycle"));
    }

    void diningInWords() {
        const auto diagnoses = mp::scope::find_deadlocks(ui_test::diningPhilosophers(3));
        QCOMPARE(mpui::Words::diagnosisText(diagnoses.front()),
                 QStringLiteral(
                     "philosopher-0 holds fork-0 and waits for fork-1, held by philosopher-1, which waits "
                     "for fork-2, held by philosopher-2, which waits for fork-0, held by philosopher-0."));
    }

    void chineseLeavesNoEnglish() {
        QVERIFY(mpui::setLanguage("zh_CN"));
        const QRegularExpression english(
            QStringLiteral("\\b(holds|waits|which|held|joins|and|can never|nobody|died|"
                           "exited|killed|recovered|cannot|exit|until|flush(es)?|bytes|into|only|"
                           "reads?|puts?)\\b"));
        for (const auto& snap : snapshots())
            for (const auto& d : everything(snap)) {
                const QString text = mpui::Words::diagnosisText(d);
                QVERIFY2(!english.match(text).hasMatch(), qPrintable(text));
                QVERIFY2(!mpui::Words::diagnosisTitle(d.kind).contains(QRegularExpression("[a-z]{3}")),
                         qPrintable(mpui::Words::diagnosisTitle(d.kind)));
            }
        const auto dining = mp::scope::find_deadlocks(ui_test::diningPhilosophers(3));
        QCOMPARE(
            mpui::Words::diagnosisText(dining.front()),
            QStringLiteral(
                "philosopher-0 持有 fork-0，并等待 fork-1（由 philosopher-1 持有）；philosopher-1 等待 "
                "fork-2（由 philosopher-2 持有）；philosopher-2 等待 fork-0（由 philosopher-0 持有）。"));
        QCOMPARE(mpui::Words::diagnosisTitle(DiagnosisKind::LockCycle), QStringLiteral("锁环"));
        QCOMPARE(
            mpui::Words::diagnosisText(mp::scope::find_deadlocks(joinBeforeDrain()).front()),
            QStringLiteral("MainProcess 等待 worker 结束（join），但 worker 要等它的 feeder 线程把 196625 "
                           "字节写入 results 后才能退出，而只有 MainProcess 和 starter 会读取 "
                           "results；starter 等待事件 go。"));
        QCOMPARE(mpui::Words::diagnosisTitle(DiagnosisKind::QueueCycle), QStringLiteral("队列环"));
        QVERIFY(mpui::setLanguage("en"));
    }

    void statesAndWaits() {
        auto snap = ui_test::diningPhilosophers(2);
        const auto& p = snap.processes[1];
        QCOMPARE(mpui::Words::processState(p), QStringLiteral("blocked"));
        QCOMPARE(mpui::Words::blockedOn(snap, p), QStringLiteral("acquire fork-1"));
        QCOMPARE(mpui::Words::waitText(snap, p.waits.front()),
                 QStringLiteral("waits for fork-1 (Lock, held by philosopher-1) for 3.0 s"));
        auto killed = p;
        killed.state = ProcessState::Killed;
        killed.exitcode = -15;
        QCOMPARE(mpui::Words::processState(killed), QStringLiteral("killed by SIGTERM"));
        QCOMPARE(mpui::Words::ended(ProcessState::Exited, 3), QStringLiteral("exited with code 3"));
        QCOMPARE(mpui::Words::list({"a", "b", "c"}), QStringLiteral("a, b and c"));

        auto pool = ui_test::object(9, "Pool", "Pool-1");
        pool.pool_state = "RUN";
        pool.pool_size = 2;
        pool.workers.resize(2);
        pool.workers[0].state = "working";
        pool.workers[1].state = "idle";
        pool.tasks_queued = 3;
        pool.tasks_completed = 7;
        pool.tasks_lost = 1;
        pool.workers_replaced = 1;
        QCOMPARE(mpui::busyWorkers(pool), 1);
        QCOMPARE(mpui::Words::objectState(snap, pool),
                 QStringLiteral("RUN, 1 of 2 workers working; 3 tasks queued; 7 completed; 1 lost with their "
                                "worker; 1 worker replaced"));
        QCOMPARE(mpui::Words::objectBrief(pool), QStringLiteral("1 of 2 working"));
        QCOMPARE(mpui::format(QStringLiteral("%2 before %1, %2 again, %3 unknown"), {"x", "y"}),
                 QStringLiteral("y before x, y again, %3 unknown"));
    }
};

MPUI_QTEST_MAIN(TestWords)
#include "tst_words.moc"
