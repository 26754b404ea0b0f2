// The text and JSON renderings of a snapshot: every object kind and wait in words, the diagnoses and
// notes, the --list table, and JSON that carries the same facts.
#include <QTest>
#include <mp/scope/report.hpp>

#include <string>

using namespace mp::scope;

namespace {

ProcessInfo process(ProcessId id, const std::string& name, int pid) {
    ProcessInfo p;
    p.id = id;
    p.name = name;
    p.pid = pid;
    p.state = ProcessState::Running;
    return p;
}

ObjectInfo object(ObjectId id, const std::string& kind, const std::string& name) {
    ObjectInfo o;
    o.id = id;
    o.kind = kind;
    o.name = name;
    o.ops = 1;
    return o;
}

Wait wait(const std::string& op, ObjectId object, double since) {
    Wait w;
    w.thread = 1;
    w.main_thread = true;
    w.op = op;
    w.object = object;
    w.since = since;
    return w;
}

Snapshot sample() {
    Snapshot s;
    s.time = 10;
    s.session.name = "mpscope-1-abc";
    s.session.creator_pid = 100;
    s.session.age = 10;
    s.session.alive = true;
    s.observe_level = "basic";
    s.event_head = 12;
    s.processes.push_back(process(1, "MainProcess", 100));
    s.processes.back().main = true;
    s.processes.back().cpu_seconds = 0.25;
    s.processes.push_back(process(2, "Process-1", 101));
    s.processes.back().parent = 1;
    s.processes.back().start_method = "spawn";
    s.processes.back().target = "worker";
    s.processes.back().daemon = true;
    s.processes.push_back(process(3, "Process-2", 102));
    s.processes.back().state = ProcessState::Killed;
    s.processes.back().exitcode = -9;

    ObjectInfo lock = object(10, "RLock", "RLock-1");
    lock.owner = 2;
    lock.owner_thread = 3;
    lock.depth = 2;
    lock.waiters = 1;
    lock.users = {1, 2};
    s.objects.push_back(lock);
    ObjectInfo recovered = object(11, "Lock", "Lock-1");
    recovered.recovered_from = 3;
    recovered.recovered_from_pid = 102;
    s.objects.push_back(recovered);
    ObjectInfo sem = object(12, "BoundedSemaphore", "BoundedSemaphore-1");
    sem.value = 1;
    sem.maxvalue = 3;
    sem.holders = {{2, 2}};
    s.objects.push_back(sem);
    ObjectInfo cond = object(13, "Condition", "Condition-1");
    cond.lock = 10;
    cond.sleepers = 2;
    s.objects.push_back(cond);
    s.objects.push_back(object(14, "Event", "Event-1"));
    ObjectInfo barrier = object(15, "Barrier", "Barrier-1");
    barrier.parties = 3;
    barrier.n_waiting = 1;
    barrier.generation = 4;
    barrier.barrier_state = "filling";
    s.objects.push_back(barrier);
    ObjectInfo value = object(16, "Value", "Value-1");
    value.typecode = 'd';
    value.length = 1;
    value.data = {0.1};
    s.objects.push_back(value);
    ObjectInfo array = object(17, "Array", "Array-1");
    array.typecode = 'i';
    array.length = 10;
    array.data = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    array.lock = 10;
    s.objects.push_back(array);
    ObjectInfo queue = object(18, "JoinableQueue", "JoinableQueue-1");
    queue.items = 1;
    queue.used_bytes = 20;
    queue.capacity_bytes = 4096;
    queue.unfinished = 1;
    s.objects.push_back(queue);
    ObjectInfo internal = object(19, "Lock", "Lock-2");
    internal.internal = true;
    s.objects.push_back(internal);

    s.processes[0].waits.push_back(wait("join", 0, 9));
    s.processes[0].waits.back().target = 2;
    s.processes[1].waits.push_back(wait("acquire", 13, 8.5));
    Wait timed = wait("put", 18, 9.5);
    timed.thread = 2;
    timed.main_thread = false;
    timed.internal = true;
    timed.deadline = 12;
    s.processes[1].waits.push_back(timed);
    s.processes[1].parked = Parked{"acquire", 11, 1};
    return s;
}

} // namespace

class TestScopeReport : public QObject {
    Q_OBJECT
private slots:
    void objectsInWords() {
        const Snapshot s = sample();
        auto words = [&](ObjectId id) { return QString::fromStdString(describe_object(s, *s.object(id))); };
        QCOMPARE(words(10),
                 QString("held by Process-1 (thread 3), depth 2; 1 waiter; 1 op; used by MainProcess "
                         "and Process-1"));
        QCOMPARE(words(11), QString("free; recovered from Process-2 (pid 102), which died holding it; 1 op"));
        QCOMPARE(words(12), QString("value 1 of 3; units held by Process-1 x2; 1 op"));
        QCOMPARE(words(13), QString("lock RLock-1; 2 sleeping; 1 op"));
        QCOMPARE(words(14), QString("not set; 1 op"));
        QCOMPARE(words(15), QString("1 of 3 parties waiting; generation 4; 1 op"));
        QCOMPARE(words(16), QString("'d' = 0.1; no lock; 1 op"));
        QCOMPARE(words(17), QString("'i' x 10: [0, 1, 2, 3, 4, 5, 6, 7, ...]; lock RLock-1; 1 op"));
        QCOMPARE(words(18), QString("1 item, 20 of 4096 bytes; 1 unfinished task; 1 op"));
    }

    void waitsInWords() {
        const Snapshot s = sample();
        QCOMPARE(describe_wait(s, s.processes[0].waits[0]),
                 std::string("joins Process-1 (pid 101) for 1.0 s"));
        // Acquiring a condition acquires its lock.
        QCOMPARE(describe_wait(s, s.processes[1].waits[0]),
                 std::string("waits for Condition-1 (Condition, held by Process-1) for 1.5 s"));
        QCOMPARE(describe_wait(s, s.processes[1].waits[1]),
                 std::string("waits to put on JoinableQueue-1 (JoinableQueue) for 0.5 s, timeout in 2.0 s"));
    }

    void wholeReport() {
        const Snapshot s = sample();
        Diagnosis note;
        note.kind = DiagnosisKind::Recovered;
        note.steps.push_back(Step{ProcessRef{3, "Process-2", 102, ProcessState::Killed, -9},
                                  Relation::Holds,
                                  "",
                                  ObjectRef{11, "Lock", "Lock-1"},
                                  {},
                                  1});
        const std::string text = format_report(s, {note});
        QCOMPARE(QString::fromStdString(text).split('\n').mid(0, 13),
                 QStringList(
                     {"Session mpscope-1-abc (creator pid 100, age 10.0 s)",
                      "Step mode off, observation basic, 12 events recorded", "",
                      "Processes (3):", "  MainProcess [1] pid 100, running, cpu 0.2 s",
                      "      main thread joins Process-1 (pid 101) for 1.0 s",
                      "  Process-1 [2] pid 101, spawn, target worker, parent MainProcess, daemon, running, "
                      "cpu 0.0 s",
                      "      main thread waits for Condition-1 (Condition, held by Process-1) for 1.5 s",
                      "      thread 2 (library) waits to put on JoinableQueue-1 (JoinableQueue) for 0.5 s, "
                      "timeout in 2.0 s",
                      "      parked before acquire on Lock-1",
                      "  Process-2 [3] pid 102, was killed by signal 9 (SIGKILL)", "", "Objects (9):"}));
        QVERIFY(text.find("Lock-2") == std::string::npos); // internal
        QVERIFY(
            text.find("\nNo deadlock found.\n\nNotes:\n  - Lock recovered from a dead holder: Process-2 (pid "
                      "102) died holding Lock-1; the next acquirer recovered it.\n") != std::string::npos);

        Diagnosis cycle;
        cycle.kind = DiagnosisKind::LockCycle;
        const std::string with_deadlock = format_report(s, {cycle, note});
        QVERIFY(with_deadlock.find("\nDeadlocks (1):\n  1. Lock cycle: Lock cycle\n") != std::string::npos);
    }

    void sessionTable() {
        SessionInfo a;
        a.name = "mpscope-12-abcdefgh";
        a.creator_pid = 12;
        a.age = 61.25;
        a.alive = true;
        a.main_name = "MainProcess";
        a.processes = 4;
        a.live_processes = 3;
        SessionInfo b = a;
        b.name = "mpscope-7-x";
        b.alive = false;
        b.main_name.clear();
        QCOMPARE(
            QString::fromStdString(format_sessions({a, b})),
            QString("SESSION               CREATOR         AGE  MAIN              PROCESSES\n"
                    "mpscope-12-abcdefgh        12      61.2 s  MainProcess       3 live of 4\n"
                    "mpscope-7-x                12      61.2 s  -                 3 live of 4 (ended)\n"));
        QCOMPARE(format_sessions({}), std::string("No live mpscope session.\n"));
    }

    void jsonCarriesTheSameFacts() {
        const Snapshot s = sample();
        Diagnosis d;
        d.kind = DiagnosisKind::DeadHolder;
        d.processes = {2};
        d.objects = {11};
        d.steps.push_back(Step{ProcessRef{2, "Process-1", 101, ProcessState::Running, {}},
                               Relation::WaitsFor,
                               "acquire",
                               ObjectRef{11, "Lock", "Lock-1"},
                               {},
                               0});
        d.gone.push_back(ProcessRef{3, "Process-2", 102, ProcessState::Killed, -9});
        const nlohmann::json j = to_json(s, {d});
        QCOMPARE(j["processes"].size(), size_t(3));
        QCOMPARE(j["processes"][1]["waits"][1]["deadline"].get<double>(), 12.0);
        QVERIFY(!j["processes"][1]["waits"][1]["main_thread"].get<bool>());
        QCOMPARE(j["processes"][1]["parked"]["object"].get<int>(), 11);
        QVERIFY(j["processes"][0]["parked"].is_null());
        QCOMPARE(j["processes"][2]["exitcode"].get<int>(), -9);
        QCOMPARE(j["processes"][2]["state"].get<std::string>(), std::string("killed"));
        QCOMPARE(j["objects"].size(), size_t(10)); // internal ones too, flagged
        QVERIFY(j["objects"][9]["internal"].get<bool>());
        QCOMPARE(j["objects"][0]["owner"].get<int>(), 2);
        QCOMPARE(j["objects"][0]["depth"].get<int>(), 2);
        QVERIFY(j["objects"][1]["owner"].is_null());
        QCOMPARE(j["objects"][1]["recovered_from_pid"].get<int>(), 102);
        QCOMPARE(j["objects"][5]["n_waiting"].get<int>(), 1);
        QCOMPARE(j["objects"][7]["data"].size(), size_t(10));
        QCOMPARE(j["objects"][8]["unfinished"].get<int>(), 1);
        QVERIFY(!j["objects"][8].contains("owner"));
        QVERIFY(j["deadlocked"].get<bool>());
        const auto& diag = j["diagnoses"][0];
        QCOMPARE(diag["kind"].get<std::string>(), std::string("dead_holder"));
        QCOMPARE(diag["text"].get<std::string>(), d.text());
        QCOMPARE(diag["steps"][0]["relation"].get<std::string>(), std::string("waits_for"));
        QCOMPARE(diag["steps"][0]["object"]["name"].get<std::string>(), std::string("Lock-1"));
        QCOMPARE(diag["gone"][0]["pid"].get<int>(), 102);
        QVERIFY(diag["cause"].is_null());
        QVERIFY(!to_json(s, {})["deadlocked"].get<bool>());
    }
};

QTEST_APPLESS_MAIN(TestScopeReport)
#include "tst_scope_report.moc"
