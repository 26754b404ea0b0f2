// Deadlock diagnosis and the wait-for graph over hand-built snapshots: each named pattern, and the
// busy-but-healthy programs that must not be reported.
#include <QTest>
#include <mp/scope/analysis.hpp>

#include <string>
#include <vector>

using namespace mp::scope;

namespace {

// A snapshot taken at t = 10 s, built process by process.
struct Builder {
    Snapshot snap;

    Builder() { snap.time = 10.0; }

    ProcessInfo& process(ProcessId id, const std::string& name) {
        ProcessInfo p;
        p.id = id;
        p.pid = 1000 + static_cast<int>(id);
        p.name = name;
        p.state = ProcessState::Running;
        p.main = id == 1;
        snap.processes.push_back(p);
        return snap.processes.back();
    }
    ObjectInfo& object(ObjectId id, const std::string& kind, const std::string& name,
                       std::vector<ProcessId> users = {}) {
        ObjectInfo o;
        o.id = id;
        o.kind = kind;
        o.name = name;
        o.users = std::move(users);
        snap.objects.push_back(o);
        return snap.objects.back();
    }
    ObjectInfo& lock(ObjectId id, const std::string& name, std::optional<ProcessId> owner) {
        ObjectInfo& o = object(id, "Lock", name);
        o.owner = owner;
        o.owner_thread = owner ? 1 : 0;
        return o;
    }
    ProcessInfo& find(ProcessId id) {
        for (ProcessInfo& p : snap.processes)
            if (p.id == id) return p;
        qFatal("no process %u", id);
        return snap.processes.front();
    }
    // Objects move as more are added: look them up again rather than keep references.
    ObjectInfo& find_object(ObjectId id) {
        for (ObjectInfo& o : snap.objects)
            if (o.id == id) return o;
        qFatal("no object %u", id);
        return snap.objects.front();
    }
    // The main thread of `id` blocked in `op` on `object` for `age` seconds.
    Wait& wait(ProcessId id, const std::string& op, ObjectId object, double age = 2.0) {
        Wait w;
        w.thread = 1;
        w.main_thread = true;
        w.op = op;
        w.object = object;
        w.since = snap.time - age;
        find(id).waits.push_back(w);
        return find(id).waits.back();
    }
    Wait& join(ProcessId id, ProcessId target, double age = 2.0) {
        Wait& w = wait(id, "join", 0, age);
        w.target = target;
        return w;
    }
    void ended(ProcessId id, ProcessState state, std::optional<int> exitcode) {
        find(id).state = state;
        find(id).exitcode = exitcode;
    }
};

std::string ids(const std::vector<std::uint32_t>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        out.append(i ? "," : "").append(std::to_string(v[i]));
    return out.append("]");
}

// Everything structured about a diagnosis in one comparable line.
std::string summary(const Diagnosis& d) {
    std::string out = std::string(to_string(d.kind)) + " p" + ids(d.processes) + " o" + ids(d.objects) + " {";
    for (std::size_t i = 0; i < d.steps.size(); ++i) {
        const Step& s = d.steps[i];
        out += (i ? "; " : "") + s.process.name + " " + to_string(s.relation) + " " +
               (s.relation == Relation::Joins ? s.target.name : s.object.name);
        if (!s.op.empty() && s.relation != Relation::Joins) out += " (" + s.op + ")";
        if (s.relation == Relation::Holds) out += " x" + std::to_string(s.units);
    }
    out += "}";
    std::vector<std::uint32_t> gone;
    for (const ProcessRef& g : d.gone)
        gone.push_back(g.id);
    if (!gone.empty()) out += " gone" + ids(gone);
    if (d.cause) out += " cause " + std::to_string(*d.cause);
    return out;
}

QStringList summaries(const std::vector<Diagnosis>& ds) {
    QStringList out;
    for (const Diagnosis& d : ds)
        out << QString::fromStdString(summary(d));
    return out;
}

QStringList texts(const std::vector<Diagnosis>& ds) {
    QStringList out;
    for (const Diagnosis& d : ds)
        out << QString::fromStdString(d.text());
    return out;
}

// Two philosophers, each holding one fork and waiting for the other's; the main process joins one.
Builder philosophers() {
    Builder b;
    b.process(1, "MainProcess");
    b.process(2, "Process-1");
    b.process(3, "Process-2");
    b.lock(10, "fork-0", 2);
    b.lock(11, "fork-1", 3);
    b.wait(2, "acquire", 11);
    b.wait(3, "acquire", 10);
    b.join(1, 2);
    return b;
}

} // namespace

class TestScopeAnalysis : public QObject {
    Q_OBJECT
private slots:
    void lockCycleOfTwoAndTheJoinOnIt() {
        const auto ds = find_deadlocks(philosophers().snap);
        QCOMPARE(
            summaries(ds),
            QStringList({"lock_cycle p[2,3] o[11,10] {Process-1 holds fork-0 x1; Process-1 waits_for fork-1 "
                         "(acquire); Process-2 holds fork-1 x1; Process-2 waits_for fork-0 (acquire)}",
                         "join_chain p[1,2] o[11] {MainProcess joins Process-1; Process-1 waits_for fork-1 "
                         "(acquire)} cause 0"}));
        QCOMPARE(texts(ds),
                 QStringList({"Process-1 holds fork-0 and waits for fork-1, held by Process-2, which "
                              "waits for fork-0, held by Process-1.",
                              "MainProcess joins Process-1, which waits for fork-1."}));
        QVERIFY(ds[0].deadlock());
    }

    void fivePhilosophersListedFromTheSmallestId() {
        Builder b;
        b.process(1, "MainProcess");
        for (ProcessId p = 2; p <= 6; ++p) {
            b.process(p, "Process-" + std::to_string(p - 1));
            b.lock(10 + p, "fork-" + std::to_string(p - 2), p); // philosopher p holds fork p-2
        }
        // Philosopher p waits for the next fork (recorded in any order).
        for (ProcessId p = 6; p >= 2; --p)
            b.wait(p, "acquire", p == 6 ? 12 : 10 + p + 1);
        const auto ds = find_deadlocks(b.snap);
        QCOMPARE(ds.size(), size_t(1));
        QCOMPARE(ds[0].processes, (std::vector<ProcessId>{2, 3, 4, 5, 6}));
        QCOMPARE(
            QString::fromStdString(ds[0].text()),
            QString("Process-1 holds fork-0 and waits for fork-1, held by Process-2, which waits for fork-2, "
                    "held by Process-3, which waits for fork-3, held by Process-4, which waits for fork-4, "
                    "held by Process-5, which waits for fork-0, held by Process-1."));
    }

    void lockReacquiredByItsOwner() {
        Builder b;
        b.process(1, "MainProcess");
        b.lock(5, "Lock-1", 1);
        b.wait(1, "acquire", 5);
        const auto ds = find_deadlocks(b.snap);
        QCOMPARE(
            summaries(ds),
            QStringList({"lock_cycle p[1] o[5] {MainProcess holds Lock-1 x1; MainProcess waits_for Lock-1 "
                         "(acquire)}"}));
        QCOMPARE(texts(ds),
                 QStringList(
                     {"MainProcess waits for Lock-1, which it already holds (a Lock is not re-entrant)."}));

        // An RLock is re-entrant, and another thread of the owner may still release a Lock.
        b.snap.objects[0].kind = "RLock";
        QVERIFY(find_deadlocks(b.snap).empty());
        b.snap.objects[0].kind = "Lock";
        b.snap.objects[0].owner_thread = 2;
        QVERIFY(find_deadlocks(b.snap).empty());
    }

    void joinClosingALockCycle() {
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        b.lock(5, "Lock-1", 1);
        b.join(1, 2);
        b.wait(2, "acquire", 5);
        const auto ds = find_deadlocks(b.snap);
        QCOMPARE(summaries(ds),
                 QStringList({"lock_cycle p[1,2] o[5] {MainProcess holds Lock-1 x1; MainProcess joins "
                              "Process-1; Process-1 waits_for Lock-1 (acquire)}"}));
        QCOMPARE(texts(ds),
                 QStringList({"MainProcess holds Lock-1 and joins Process-1, which waits for Lock-1, "
                              "held by MainProcess."}));
    }

    void deadHolder() {
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        b.process(3, "Process-2");
        b.process(4, "Process-3");
        b.ended(2, ProcessState::Killed, -9);
        b.find(2).pid = 1234;
        b.lock(5, "Lock-1", 2);
        b.wait(3, "acquire", 5);
        b.wait(4, "acquire", 5);
        const auto ds = find_deadlocks(b.snap);
        QCOMPARE(summaries(ds), QStringList({"dead_holder p[3,4] o[5] {Process-2 waits_for Lock-1 (acquire); "
                                             "Process-3 waits_for Lock-1 (acquire)} gone[2]"}));
        QCOMPARE(texts(ds),
                 QStringList({"Process-2 and Process-3 wait for Lock-1, held by Process-1 (pid 1234), "
                              "which was killed by signal 9 (SIGKILL)."}));
        QCOMPARE(ds[0].gone[0].pid, 1234);

        b.ended(2, ProcessState::Exited, 3);
        QCOMPARE(texts(find_deadlocks(b.snap)),
                 QStringList({"Process-2 and Process-3 wait for Lock-1, held by Process-1 (pid 1234), which "
                              "exited with code 3."}));
        // The holder's row is gone altogether, or nobody is recorded as holding it.
        b.snap.objects[0].owner = 42;
        QCOMPARE(texts(find_deadlocks(b.snap)),
                 QStringList({"Process-2 and Process-3 wait for Lock-1, held by process #42, which vanished "
                              "without a recorded exit."}));
        b.snap.objects[0].owner.reset();
        QCOMPARE(texts(find_deadlocks(b.snap)),
                 QStringList({"Process-2 and Process-3 wait for Lock-1, whose holder is gone."}));
    }

    void joinChainDownToTheRootCause() {
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        b.process(3, "Process-2");
        b.process(4, "Process-3");
        b.ended(4, ProcessState::Exited, 1);
        b.lock(5, "Lock-1", 4);
        b.join(1, 2);
        b.join(2, 3);
        b.wait(3, "acquire", 5);
        const auto ds = find_deadlocks(b.snap);
        QCOMPARE(
            summaries(ds),
            QStringList({"dead_holder p[3] o[5] {Process-2 waits_for Lock-1 (acquire)} gone[4]",
                         "join_chain p[1,2,3] o[5] {MainProcess joins Process-1; Process-1 joins Process-2; "
                         "Process-2 waits_for Lock-1 (acquire)} cause 0"}));
        QCOMPARE(texts(ds),
                 QStringList({"Process-2 waits for Lock-1, held by Process-3 (pid 1004), which exited "
                              "with code 1.",
                              "MainProcess joins Process-1, which joins Process-2, which waits for "
                              "Lock-1."}));
    }

    void lockChainBehindADeadHolder() {
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        b.process(3, "Process-2");
        b.ended(1, ProcessState::Exited, 0);
        b.lock(5, "Lock-1", 1);
        b.lock(6, "Lock-2", 2);
        b.wait(2, "acquire", 5);
        b.wait(3, "acquire", 6);
        const auto ds = find_deadlocks(b.snap);
        QCOMPARE(summaries(ds),
                 QStringList({"dead_holder p[2] o[5] {Process-1 waits_for Lock-1 (acquire)} gone[1]",
                              "lock_chain p[3,2] o[6,5] {Process-2 waits_for Lock-2 (acquire); Process-1 "
                              "waits_for Lock-1 (acquire)} cause 0"}));
        QCOMPARE(texts(ds)[1],
                 QString("Process-2 waits for Lock-2, held by Process-1, which waits for Lock-1."));
    }

    void barrierNobodyCanFill() {
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        b.process(3, "Process-2");
        b.process(4, "Process-3");
        b.ended(4, ProcessState::Exited, 0);
        ObjectInfo& barrier = b.object(7, "Barrier", "Barrier-1", {1, 2, 3, 4});
        barrier.parties = 3;
        barrier.n_waiting = 2;
        b.wait(2, "barrier_wait", 7);
        b.wait(3, "barrier_wait", 7);
        b.join(1, 2);
        const auto ds = find_deadlocks(b.snap);
        // The main process's join is part of the explanation, so no separate chain repeats it.
        QCOMPARE(summaries(ds), QStringList({"unsatisfiable p[2,3,1] o[7] {Process-1 waits_for Barrier-1 "
                                             "(barrier_wait); Process-2 waits_for Barrier-1 (barrier_wait); "
                                             "MainProcess joins Process-1} gone[4]"}));
        QCOMPARE(texts(ds),
                 QStringList({"Barrier-1 (Barrier) can never be satisfied: Process-1 and Process-2 wait "
                              "on it, and every other process that could help is blocked or gone: "
                              "MainProcess joins Process-1; Process-3 exited with code 0."}));
    }

    void semaphoreConditionAndEventNobodyCanSignal() {
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        b.process(3, "Process-2");
        b.ended(3, ProcessState::Killed, -15);
        ObjectInfo& sem = b.object(5, "Semaphore", "Semaphore-1", {1, 2});
        sem.holders = {{3, 1}};
        b.object(6, "Event", "Event-1", {2});
        b.object(8, "Condition", "Condition-1", {1, 2});
        b.wait(2, "acquire", 5);
        b.wait(1, "event_wait", 6);
        auto ds = find_deadlocks(b.snap);
        // The main process waits for an event only Process-1 uses, and Process-1 for a unit only the
        // killed Process-2 held.
        QCOMPARE(
            summaries(ds),
            QStringList({"unsatisfiable p[2,1] o[5] {Process-1 waits_for Semaphore-1 (acquire); MainProcess "
                         "waits_for Event-1 (event_wait)} gone[3]",
                         "unsatisfiable p[1,2] o[6] {MainProcess waits_for Event-1 (event_wait); Process-1 "
                         "waits_for Semaphore-1 (acquire)}"}));
        QCOMPARE(texts(ds)[0],
                 QString("Semaphore-1 (Semaphore) can never be satisfied: Process-1 waits on it, and "
                         "every other process that could help is blocked or gone: MainProcess waits "
                         "for event Event-1; Process-2 was killed by signal 15 (SIGTERM)."));

        // Both users asleep on one condition.
        Builder c;
        c.process(1, "MainProcess");
        c.process(2, "Process-1");
        c.object(8, "Condition", "Condition-1", {1, 2});
        c.wait(1, "wait", 8);
        c.wait(2, "wait", 8);
        ds = find_deadlocks(c.snap);
        QCOMPARE(texts(ds),
                 QStringList({"Condition-1 (Condition) can never be satisfied: MainProcess and Process-1 "
                              "wait on it, and nobody else uses it."}));
    }

    void joinBeforeDrainingAQueue() {
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        ObjectInfo& q = b.object(9, "Queue", "Queue-1", {1, 2});
        q.items = 1;
        q.used_bytes = 1 << 20;
        b.wait(2, "feeder_flush", 9);
        b.join(1, 2);
        auto ds = find_deadlocks(b.snap);
        QCOMPARE(summaries(ds), QStringList({"join_before_drain p[2,1] o[9] {Process-1 waits_for Queue-1 "
                                             "(feeder_flush); MainProcess joins Process-1}"}));
        QCOMPARE(texts(ds), QStringList({"MainProcess joins Process-1, which cannot exit until its feeder "
                                         "flushes what it put into Queue-1, which only MainProcess reads."}));

        // With the feeder's load known, the diagnosis carries it.
        q.feeders.push_back(QueueFeederInfo{2, 1, 1048598, true, false});
        ds = find_deadlocks(b.snap);
        QCOMPARE(ds.size(), size_t(1));
        QCOMPARE(ds[0].steps[0].units, 1u);
        QCOMPARE(ds[0].steps[0].bytes, std::uint64_t(1048598));
        QCOMPARE(texts(ds),
                 QStringList({"MainProcess joins Process-1, which cannot exit until its feeder "
                              "flushes 1048598 bytes into Queue-1, which only MainProcess reads."}));

        // A third user that could read but is blocked elsewhere is named too.
        b.process(3, "Process-2");
        b.object(10, "Event", "Event-1", {3});
        b.wait(3, "event_wait", 10);
        b.find_object(9).users.push_back(3);
        ds = find_deadlocks(b.snap);
        QCOMPARE(ds.size(), size_t(2)); // and Event-1 nobody can set
        QCOMPARE(
            QString::fromStdString(ds[0].text()),
            QString("MainProcess joins Process-1, which cannot exit until its feeder flushes 1048598 bytes "
                    "into Queue-1, which only MainProcess and Process-2 read; Process-2 waits for event "
                    "Event-1."));
    }

    void joinBeforeDrainingAFullQueue() {
        // The child's own put blocks: the queue is full and only the joiner reads it.
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        ObjectInfo& q = b.object(9, "Queue", "Queue-1", {1, 2});
        q.items = 2;
        q.maxsize = 2;
        b.wait(2, "put", 9);
        b.join(1, 2);
        const auto ds = find_deadlocks(b.snap);
        QCOMPARE(summaries(ds), QStringList({"join_before_drain p[2,1] o[9] {Process-1 waits_for Queue-1 "
                                             "(put); MainProcess joins Process-1}"}));
        QCOMPARE(texts(ds), QStringList({"MainProcess joins Process-1, which waits to put on Queue-1, which "
                                         "only MainProcess reads."}));
    }

    void fullQueueCycle() {
        // Each child blocks putting on a full queue that only the other reads; the main process, a user of
        // both, joins the first child and so cannot read either.
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        b.process(3, "Process-2");
        for (ObjectId id : {8u, 9u}) {
            ObjectInfo& q = b.object(id, "Queue", "Queue-" + std::to_string(id - 7), {1, 2, 3});
            q.items = 1;
            q.maxsize = 1;
        }
        b.wait(2, "put", 8);
        b.wait(3, "put", 9);
        b.join(1, 2);
        const auto ds = find_deadlocks(b.snap);
        QCOMPARE(summaries(ds),
                 QStringList({"queue_cycle p[2,3] o[8,9] {Process-1 waits_for Queue-1 (put); Process-2 "
                              "waits_for Queue-2 (put)}",
                              "join_chain p[1,2] o[8] {MainProcess joins Process-1; Process-1 waits_for "
                              "Queue-1 (put)} cause 0"}));
        QCOMPARE(texts(ds), QStringList({"Process-1 waits to put on Queue-1, which only Process-2 reads; "
                                         "Process-2 waits to put on Queue-2, which only Process-1 reads.",
                                         "MainProcess joins Process-1, which waits to put on Queue-1."}));

        // Waiting to get from empty queues each fed only by the other is a cycle too.
        b.find(2).waits.back().op = "get";
        b.find(3).waits.back().op = "get";
        b.find_object(8).items = b.find_object(9).items = 0;
        QCOMPARE(texts(find_deadlocks(b.snap)).value(0),
                 QString("Process-1 waits to get from Queue-1, which only Process-2 puts on; Process-2 waits "
                         "to get from Queue-2, which only Process-1 puts on."));

        // A third process that is free to read one of them breaks the cycle.
        b.process(4, "Process-3");
        b.find_object(8).users.push_back(4);
        QVERIFY(find_deadlocks(b.snap).empty());
    }

    void queueWaitsServedByTheSameSideAreNotReleasers() {
        // Two getters of an empty queue cannot feed each other: with the only putter gone, both are stuck,
        // and neither is named as the other's way out.
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        b.process(3, "Process-2");
        b.ended(3, ProcessState::Exited, 0);
        b.object(9, "Queue", "Queue-1", {1, 2, 3});
        b.wait(1, "get", 9);
        b.wait(2, "get", 9);
        auto ds = find_deadlocks(b.snap);
        QCOMPARE(summaries(ds),
                 QStringList({"unsatisfiable p[1,2] o[9] {MainProcess waits_for Queue-1 (get); "
                              "Process-1 waits_for Queue-1 (get)} gone[3]"}));
        QCOMPARE(texts(ds), QStringList({"Queue-1 (Queue) can never be satisfied: MainProcess and Process-1 "
                                         "wait on it, and every other process that could help is blocked or "
                                         "gone: Process-2 exited with code 0."}));

        // Items on their way - in the channel, or in a live process's feeder - end a get by themselves.
        ObjectInfo& q = b.snap.objects.back();
        q.feeders.push_back(QueueFeederInfo{2, 1, 20, false, false});
        QVERIFY(find_deadlocks(b.snap).empty());
        q.feeders.clear();
        q.items = 1;
        QVERIFY(find_deadlocks(b.snap).empty());
    }

    void busyProducerConsumerIsNotADeadlock() {
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        b.process(3, "Process-2");
        b.object(9, "Queue", "Queue-1", {1, 2, 3});
        b.lock(5, "Lock-1", 2);
        // Momentary waits of a busy pipeline: each side blocks for a few milliseconds at a time.
        b.wait(2, "put", 9, 0.005);
        b.wait(3, "get", 9, 0.01);
        b.wait(1, "acquire", 5, 0.003);
        QVERIFY(find_deadlocks(b.snap).empty());
        // A consumer waiting long for a producer that is busy computing is not stuck either.
        b.find(2).waits.clear();
        b.find(3).waits.back().since = 0;
        QVERIFY(find_deadlocks(b.snap).empty());
    }

    void minimumWaitAge() {
        Builder b = philosophers();
        for (ProcessInfo& p : b.snap.processes)
            p.waits.back().since = b.snap.time - 0.1;
        QVERIFY(find_deadlocks(b.snap).empty());
        QCOMPARE(find_deadlocks(b.snap, 0.05).size(), size_t(2));
    }

    void timedWaitBreaksTheCycle() {
        Builder b = philosophers();
        b.find(2).waits.back().deadline = 12.0; // Process-1's acquire times out and it backs off
        QVERIFY(find_deadlocks(b.snap).empty());
    }

    void ownerRunningOrLibraryThreadWaitingIsNotADeadlock() {
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        b.lock(5, "Lock-1", 1);
        b.wait(2, "acquire", 5, 30.0);
        QVERIFY(find_deadlocks(b.snap).empty());

        // Only a feeder thread of the main process is blocked: its main thread still runs.
        Builder c;
        c.process(1, "MainProcess");
        c.object(9, "Queue", "Queue-1", {1});
        Wait& w = c.wait(1, "put", 9, 30.0);
        w.thread = 2;
        w.main_thread = false;
        w.internal = true;
        QVERIFY(find_deadlocks(c.snap).empty());
    }

    void joinOfAnEndedProcessOrIncompleteUsersIsNotADeadlock() {
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        b.ended(2, ProcessState::Exited, 0);
        b.join(1, 2);
        QVERIFY(find_deadlocks(b.snap).empty());

        // The user list overflowed: any live process might release the semaphore.
        Builder c;
        c.process(1, "MainProcess");
        c.process(2, "Process-1");
        ObjectInfo& sem = c.object(5, "Semaphore", "Semaphore-1", {1});
        sem.users_complete = false;
        c.wait(1, "acquire", 5);
        QVERIFY(find_deadlocks(c.snap).empty());
        c.find(2).state = ProcessState::Vanished;
        QCOMPARE(find_deadlocks(c.snap).size(), size_t(1));
    }

    void recoveredLockIsANoteNotADeadlock() {
        Builder b;
        b.process(1, "MainProcess");
        b.process(2, "Process-1");
        b.process(3, "Process-2");
        b.ended(2, ProcessState::Killed, -9);
        ObjectInfo& lock = b.lock(5, "Lock-3", 3);
        lock.recovered_from = 2;
        lock.recovered_from_pid = 1234;
        QVERIFY(find_deadlocks(b.snap).empty());
        const auto notes = find_recoveries(b.snap);
        QCOMPARE(summaries(notes),
                 QStringList({"recovered p[2] o[5] {Process-1 holds Lock-3 x1; Process-2 holds "
                              "Lock-3 x1} gone[2]"}));
        QCOMPARE(texts(notes), QStringList({"Process-1 (pid 1234) died holding Lock-3; the next acquirer "
                                            "recovered it, and it is now held by Process-2."}));
        QVERIFY(!notes[0].deadlock());
    }

    void waitGraphMarksTheDeadlock() {
        Builder b = philosophers();
        b.object(20, "Event", "Event-1", {1});
        ObjectInfo& hidden = b.object(21, "Lock", "Lock-internal");
        hidden.internal = true;
        const WaitGraph g = build_wait_graph(b.snap);
        QCOMPARE(g.nodes.size(), size_t(3 + 3)); // 3 processes, fork-0, fork-1, Event-1
        auto node = [&](std::size_t i) { return g.nodes[i].label; };
        QStringList edges;
        for (const GraphEdge& e : g.edges) {
            const char* kind = e.kind == GraphEdge::Kind::Waits    ? "waits"
                               : e.kind == GraphEdge::Kind::HeldBy ? "held_by"
                                                                   : "joins";
            edges << QString::fromStdString(node(e.from) + " " + kind + " " + node(e.to) +
                                            (e.deadlocked ? " !" : ""));
        }
        QCOMPARE(edges, QStringList({"MainProcess joins Process-1 !", "Process-1 waits fork-1 !",
                                     "Process-2 waits fork-0 !", "fork-0 held_by Process-1 !",
                                     "fork-1 held_by Process-2 !"}));
        for (const GraphNode& n : g.nodes)
            QCOMPARE(n.deadlocked, n.label != "Event-1");
        QCOMPARE(g.process_node(3), std::optional<std::size_t>(2));
        QCOMPARE(g.object_node(20), std::optional<std::size_t>(5));
        QVERIFY(!g.object_node(21));
        QCOMPARE(g.edges[1].age, 2.0);

        // Nothing is marked when nothing is stuck.
        for (const GraphEdge& e : build_wait_graph(b.snap, {}).edges)
            QVERIFY(!e.deadlocked);
    }
};

QTEST_APPLESS_MAIN(TestScopeAnalysis)
#include "tst_scope_analysis.moc"
