// The deadlock finder on real programs rather than hand-built snapshots: a busy producer/consumer is never
// reported, a barrier nobody can fill and joins waiting on an event nobody can set are, and a lock whose
// holder was killed shows up recovered - under every start method.
#include "mp_test_main.hpp"
#include "sanitizer_support.hpp"

#include <mp/context.hpp>
#include <mp/process.hpp>
#include <mp/queues.hpp>
#include <mp/scope/analysis.hpp>
#include <mp/scope/observe.hpp>
#include <mp/scope/session.hpp>
#include <mp/synchronize.hpp>

#include <QScopeGuard>
#include <QTest>

#include <chrono>
#include <csignal>
#include <optional>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using mp::scope::DiagnosisKind;

mp::scope::Session own_session() {
    return mp::scope::Session::attach(mp::scope::current_session());
}

// The first deadlock diagnoses seen within `limit`, or none.
std::vector<mp::scope::Diagnosis> diagnose_within(std::chrono::milliseconds limit) {
    auto session = own_session();
    const auto deadline = Clock::now() + limit;
    for (;;) {
        auto found = mp::scope::find_deadlocks(session.snapshot());
        if (!found.empty() || Clock::now() > deadline) return found;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

// Puts items until told to stop, so the test decides how long the busy phase lasts, however fast it runs.
void produce(mp::Queue q, mp::Lock counter_lock, mp::Event stop) {
    for (int i = 0; !stop.is_set(); ++i) {
        std::lock_guard hold(counter_lock);
        q.put(i);
    }
    q.put(mp::None);
}
MP_TASK(produce);

void consume(mp::Queue q, mp::Semaphore done) {
    while (!q.get().is_none()) {
    }
    done.release();
}
MP_TASK(consume);

void arrive(mp::Barrier b) {
    b.wait();
}
MP_TASK(arrive);

void wait_for_event(mp::Event e) {
    e.wait();
}
MP_TASK(wait_for_event);

// Starts a child that waits for an event nobody sets, then joins it: a join of a stuck process.
void join_a_stuck_child(mp::Event e, std::string method) {
    mp::Process c = mp::get_context(method).Process(wait_for_event, mp::args(e));
    c.start();
    c.join();
}
MP_TASK(join_a_stuck_child);

void hold_lock_and_report(mp::Lock lock, mp::Event held) {
    lock.acquire();
    held.set();
    for (;;)
        ::pause();
}
MP_TASK(hold_lock_and_report);

void kill_all(std::vector<mp::Process>& children) {
    for (auto& p : children) {
        try {
            if (p.is_alive()) p.kill();
            p.join();
        } catch (const mp::Exception&) {
        }
    }
}

void add_methods() {
    QTest::addColumn<QString>("method");
    for (const char* method : {"fork", "spawn", "forkserver"})
        QTest::newRow(method) << QString::fromLatin1(method);
}

} // namespace

class TestScopeLive : public QObject {
    Q_OBJECT

private slots:
    void busyProducerConsumerIsNeverADeadlock_data() { add_methods(); }
    void busyProducerConsumerIsNeverADeadlock() {
        QFETCH(QString, method);
        MP_SKIP_IF_FORK_CHILD_STARTS_THREADS_UNDER_TSAN(method); // the producers' feeders
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Queue q = ctx.Queue(8); // small: producers often block on a full queue, consumers on an empty one
        mp::Lock lock = ctx.Lock();
        mp::Semaphore done = ctx.Semaphore(0);
        mp::Event stop = ctx.Event();
        std::vector<mp::Process> children;
        for (int i = 0; i < 2; ++i)
            children.push_back(ctx.Process(produce, mp::args(q, lock, stop)));
        for (int i = 0; i < 2; ++i)
            children.push_back(ctx.Process(consume, mp::args(q, done)));
        for (auto& p : children)
            p.start();
        auto cleanup = qScopeGuard([&] { kill_all(children); });
        // Sampled while all four run, then while they wind down: every wait is a short hand-off, never a
        // deadlock.
        auto session = own_session();
        auto sample = [&] {
            const auto found = mp::scope::find_deadlocks(session.snapshot());
            QVERIFY2(found.empty(), found.empty() ? "" : found[0].text().c_str());
        };
        int busySamples = 0;
        for (; busySamples < 20; ++busySamples) {
            QVERIFY2(!done.acquire(true, 0.01), "a consumer finished before the producers were told to stop");
            sample();
            if (QTest::currentTestFailed()) return;
        }
        stop.set();
        int finished = 0;
        const auto deadline = Clock::now() + std::chrono::seconds(30);
        while (finished < 2 && Clock::now() < deadline) {
            if (done.acquire(true, 0.01)) ++finished;
            sample();
            if (QTest::currentTestFailed()) return;
        }
        QCOMPARE(finished, 2);
        for (auto& p : children)
            p.join();
    }

    void barrierNobodyCanFill_data() { add_methods(); }
    void barrierNobodyCanFill() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Barrier barrier = ctx.Barrier(3);
        barrier.set_label("phase");
        std::vector<mp::Process> children;
        for (int i = 0; i < 2; ++i)
            children.push_back(ctx.Process(arrive, mp::args(barrier)));
        for (auto& p : children)
            p.start();
        auto cleanup = qScopeGuard([&] {
            barrier.abort();
            kill_all(children);
        });
        // The main process, the only other user, joins the first waiter in its main thread: nobody can ever
        // arrive. Another thread watches (QTest checks stay on the test thread), then lets everyone go.
        std::vector<mp::scope::Diagnosis> found;
        std::thread watcher([&] {
            found = diagnose_within(std::chrono::seconds(10));
            barrier.abort();
        });
        children[0].join();
        watcher.join();
        QVERIFY(!found.empty());
        QCOMPARE(found[0].kind, DiagnosisKind::Unsatisfiable);
        QVERIFY2(found[0].text().find("phase") != std::string::npos, found[0].text().c_str());
        QCOMPARE(children[0].exitcode(), std::optional<int>(1)); // BrokenBarrierError in the child
    }

    void joinOfAStuckProcess_data() { add_methods(); }
    void joinOfAStuckProcess() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Event never = ctx.Event();
        never.set_label("never");
        mp::Process parent = ctx.Process(join_a_stuck_child, mp::args(never, method.toStdString()));
        parent.start();
        auto cleanup = qScopeGuard([&] {
            never.set();
            parent.join();
        });
        std::vector<mp::scope::Diagnosis> found;
        std::thread watcher([&] {
            found = diagnose_within(std::chrono::seconds(10));
            never.set();
        });
        parent.join(); // this main process joins too, so it is part of the chain
        watcher.join();
        // One diagnosis names it all: the event nobody can set, and the joins waiting on its waiter.
        QVERIFY(!found.empty());
        const std::string text = found[0].text();
        QCOMPARE(found[0].kind, DiagnosisKind::Unsatisfiable);
        QVERIFY2(text.find("never (Event)") != std::string::npos, text.c_str());
        QVERIFY2(text.find("MainProcess joins " + parent.name()) != std::string::npos, text.c_str());
        QVERIFY2(text.find(parent.name() + " joins " + parent.name() + ":1") != std::string::npos,
                 text.c_str());
        QCOMPARE(parent.exitcode(), std::optional<int>(0));
    }

    void lockOfAKilledHolderIsRecovered_data() { add_methods(); }
    void lockOfAKilledHolderIsRecovered() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Lock lock = ctx.Lock();
        lock.set_label("printer");
        mp::Event held = ctx.Event();
        mp::Process holder = ctx.Process(hold_lock_and_report, mp::args(lock, held));
        holder.start();
        QVERIFY(held.wait(10));
        holder.kill();
        QVERIFY(lock.acquire(true, 5));
        holder.join();
        lock.release();
        auto notes = mp::scope::find_recoveries(own_session().snapshot());
        bool named = false;
        for (const auto& n : notes)
            named = named || n.text().find("printer") != std::string::npos;
        QVERIFY2(named, notes.empty() ? "no recovery noted" : notes[0].text().c_str());
    }
};

MP_QTEST_MAIN(TestScopeLive)
#include "tst_scope_live.moc"
