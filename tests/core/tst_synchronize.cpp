// Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event and Barrier (SPEC §7): Python's rules, error
// messages and reprs between threads and between processes under fork, spawn and forkserver; the refusal
// of fork-context primitives by spawn and forkserver children; and what libmpcore adds to CPython: a holder
// that dies does not wedge the others, and a blocked thread shows in the observation plane while it waits.
// Children report through Pipes and are sequenced with Events and Pipes; the few short sleeps only give a
// wrong extra wake-up room to show, or let waiters fall asleep before they are woken.
#include "connection_test_support.hpp"
#include "mp_test_main.hpp"
#include "process_test_support.hpp"

// The object rows, process rows and event ring are read directly: they are what the inspector sees.
#include "../../core/src/synchronize_internal.hpp"

#include <mp/connection.hpp>
#include <mp/context.hpp>
#include <mp/process.hpp>
#include <mp/synchronize.hpp>

#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <regex>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace test_support;
namespace sc = mp::detail::scope;
using Clock = std::chrono::steady_clock;

const std::string kForkContextMessage =
    "A SemLock created in a fork context is being shared with a process in a spawn context. This is not "
    "supported. Please use the same context to create multiprocessing objects and Process.";

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Polls `condition` until it holds or `seconds` pass; for states another thread or process reaches.
bool eventually(const std::function<bool()>& condition, double seconds = 10) {
    const auto start = Clock::now();
    while (!condition()) {
        if (seconds_since(start) > seconds) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

// The next message from a child, as text (strings as they are, other values as their repr), or
// "<nothing>" when none arrives in time.
std::string next(const mp::Connection& conn, double seconds = 20) {
    if (!conn.poll(seconds)) return "<nothing>";
    mp::Object message = conn.recv();
    return message.is_str() ? message.as_str() : message.repr();
}

std::uint32_t serial_of(const mp::SharedObject& object) {
    return mp::detail::SharedObjectAccess::ref(object).serial();
}

sc::SemState& sem_state_of(const mp::SharedObject& object) {
    return mp::detail::SharedObjectAccess::ref(object).slot().state.sem;
}

// The process-table row of a running process.
sc::ProcessSlot* row_of_pid(int pid) {
    mp::detail::Segment* s = sc::session();
    if (!s) return nullptr;
    for (std::uint32_t i = 0; i < s->process_capacity(); ++i) {
        sc::ProcessSlot& row = s->process_at(i);
        if (row.serial.load() != 0 && row.pid.load() == pid &&
            row.state.load() == static_cast<std::uint32_t>(sc::ProcState::Running))
            return &row;
    }
    return nullptr;
}

// The wait record of thread `thread` in `row` when it shows a wait in `op` on `object`.
const sc::WaitRecord* wait_shown(const sc::ProcessSlot& row, std::uint32_t thread, sc::Op op,
                                 std::uint32_t object) {
    for (const sc::WaitRecord& w : row.waits)
        if (w.thread.load() == thread && w.op.load() == static_cast<std::uint32_t>(op) &&
            w.object.load() == object)
            return &w;
    return nullptr;
}

// Whether thread `thread` of `row` shows any wait at all.
bool any_wait_shown(const sc::ProcessSlot& row, std::uint32_t thread) {
    for (const sc::WaitRecord& w : row.waits)
        if (w.thread.load() == thread && w.op.load() != static_cast<std::uint32_t>(sc::Op::None)) return true;
    return false;
}

// Whether the event ring still holds a complete event (op, object, arg).
bool event_in_ring(sc::Op op, std::uint32_t object, std::int32_t arg) {
    mp::detail::Segment* s = sc::session();
    if (!s) return false;
    const std::uint64_t head = s->header().event_head.load();
    const std::uint64_t capacity = s->header().event_capacity;
    for (std::uint64_t seq = head > capacity ? head - capacity : 0; seq < head; ++seq) {
        const sc::EventRecord& e = s->event_at(seq);
        if (e.stamp.load(std::memory_order_acquire) != 2 * seq + 2) continue;
        if (e.op.load() == static_cast<std::uint16_t>(op) && e.object.load() == object && e.arg.load() == arg)
            return true;
    }
    return false;
}

// A data row named "a/b/c" after its values.
QTestData& add_row(std::initializer_list<const char*> parts) {
    std::string name;
    for (const char* part : parts) {
        if (!name.empty()) name += '/';
        name += part;
    }
    return QTest::newRow(name.c_str());
}

// A primitive of `kind` made in the default (fork) context, as a Process argument.
mp::Object default_context_primitive(const std::string& kind) {
    if (kind == "Lock") return mp::to_object(mp::Lock());
    if (kind == "RLock") return mp::to_object(mp::RLock());
    if (kind == "Semaphore") return mp::to_object(mp::Semaphore(2));
    if (kind == "BoundedSemaphore") return mp::to_object(mp::BoundedSemaphore(2));
    if (kind == "Condition") return mp::to_object(mp::Condition());
    if (kind == "Event") return mp::to_object(mp::Event());
    return mp::to_object(mp::Barrier(2));
}

// A shared counter in a file, bumped with a deliberately non-atomic read-modify-write.
int read_counter(int fd) {
    char text[32] = {};
    if (::pread(fd, text, sizeof text - 1, 0) < 0) throw mp::OSError("pread");
    return std::atoi(text);
}
void write_counter(int fd, int value) {
    std::string text = std::to_string(value);
    text.resize(16, ' ');
    if (::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        throw mp::OSError("pwrite");
}
template <class L> void bump_times(L& guard, int fd, int times) {
    for (int i = 0; i < times; ++i) {
        std::lock_guard hold(guard);
        int value = read_counter(fd);
        std::this_thread::yield(); // widen the window an unprotected update would lose
        write_counter(fd, value + 1);
    }
}

// ---- tasks run by the children --------------------------------------------------------------------

int g_action_runs = 0; // how often a Barrier action ran in this process

void count_action() {
    ++g_action_runs;
}
MP_TASK(count_action);

// What a child sees of a Lock its parent holds; then it releases it, which a Lock allows anyone.
void probe_and_release_lock(mp::Lock lock, mp::Connection out) {
    std::string seen = lock.repr();
    seen += lock.acquire(false) ? " acquired" : " busy";
    seen += lock.acquire(true, 0.05) ? " acquired" : " busy";
    lock.release();
    out.send(seen);
}
MP_TASK(probe_and_release_lock);

// What a child sees of an RLock its parent holds, and its attempt to release it.
void probe_rlock(mp::RLock lock, mp::Connection out) {
    std::string seen = lock.repr();
    seen += lock.acquire(false) ? " acquired " : " busy ";
    seen += error_of<mp::AssertionError>([&] { lock.release(); });
    out.send(seen);
}
MP_TASK(probe_rlock);

// Holds a Lock (or an RLock, twice) until `go` is set.
void hold_until_set(mp::Object primitive, mp::Connection out, mp::Event go) {
    const mp::Handle& h = primitive.as_handle();
    if (h.kind == "Lock") {
        mp::Lock lock = mp::Lock::from_handle(h);
        lock.acquire();
        out.send(std::string("held"));
        go.wait(20);
        lock.release();
    } else {
        mp::RLock lock = mp::RLock::from_handle(h);
        lock.acquire();
        lock.acquire();
        out.send(std::string("held"));
        go.wait(20);
        lock.release();
        lock.release();
    }
    out.send(std::string("released"));
}
MP_TASK(hold_until_set);

// Takes a Lock, an RLock (twice) or a Condition's lock and dies holding it: SIGKILLed by the parent
// ("kill") or through _exit, skipping every exit handler ("exit").
void hold_and_die(mp::Object primitive, std::string how, mp::Connection out) {
    const mp::Handle& h = primitive.as_handle();
    if (h.kind == "Lock") {
        mp::Lock::from_handle(h).acquire();
    } else if (h.kind == "RLock") {
        mp::RLock lock = mp::RLock::from_handle(h);
        lock.acquire();
        lock.acquire();
    } else {
        mp::Condition::from_handle(h).acquire();
    }
    out.send(std::string("held"));
    if (how == "exit") ::_exit(7);
    for (;;)
        ::pause();
}
MP_TASK(hold_and_die);

// Blocks on a Lock the parent holds, reports when it has it, and keeps it until `go`.
void acquire_then_hold(mp::Lock lock, mp::Connection out, mp::Event go) {
    out.send(std::string("trying"));
    bool got = lock.acquire(true, 20);
    out.send(std::string(got ? "got" : "timeout"));
    go.wait(20);
    if (got) lock.release();
}
MP_TASK(acquire_then_hold);

// Acquires without blocking and reports the repr it saw.
void try_lock_in_child(mp::Lock lock, mp::Connection out) {
    bool acquired = lock.acquire(false);
    std::string seen = std::string(acquired ? "acquired " : "busy ") + lock.repr();
    if (acquired) lock.release();
    out.send(seen);
}
MP_TASK(try_lock_in_child);

// Releases a (bounded) semaphore `times` times, reporting each outcome.
void release_semaphore(mp::Semaphore semaphore, int times, mp::Connection out) {
    std::string outcome;
    for (int i = 0; i < times; ++i) {
        try {
            semaphore.release();
            outcome += "ok;";
        } catch (const mp::ValueError& e) {
            outcome += std::string("ValueError: ") + e.what() + ";";
        }
    }
    out.send(outcome);
}
MP_TASK(release_semaphore);

// The Condition comes as an Object: a typed Condition parameter trips GCC's -Wmaybe-uninitialized on
// the std::variant inside it.
void wait_for_notify(mp::Object condition, mp::Connection out) {
    mp::Condition cond = mp::Condition::from_handle(condition.as_handle());
    cond.acquire();
    out.send(std::string("ready")); // the parent gets the lock only once this process sleeps in wait()
    bool notified = cond.wait(20);
    cond.release();
    out.send(std::string(notified ? "notified" : "timeout"));
}
MP_TASK(wait_for_notify);

void wait_for_event(mp::Event event, double timeout, mp::Connection out) {
    out.send(std::string("waiting"));
    out.send(event.wait(timeout));
}
MP_TASK(wait_for_event);

// Passes the barrier `rounds` times, reporting each arrival index, then how often the action ran here.
void barrier_rounds(mp::Barrier barrier, int rounds, mp::Connection out) {
    for (int i = 0; i < rounds; ++i)
        out.send(barrier.wait(20));
    out.send(g_action_runs);
}
MP_TASK(barrier_rounds);

void barrier_expect_broken(mp::Barrier barrier, mp::Connection out) {
    try {
        out.send(std::to_string(barrier.wait(20)));
    } catch (const mp::BrokenBarrierError&) {
        out.send(std::string("BrokenBarrierError"));
    }
}
MP_TASK(barrier_expect_broken);

// Adds `times` to the counter in file `path`, each step under the Lock or Semaphore `guard`.
void add_under_guard(mp::Object guard, std::string path, int times) {
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) throw mp::OSError("cannot open " + path);
    const mp::Handle& h = guard.as_handle();
    if (h.kind == "Lock") {
        mp::Lock lock = mp::Lock::from_handle(h);
        bump_times(lock, fd, times);
    } else {
        mp::Semaphore semaphore = mp::Semaphore::from_handle(h);
        bump_times(semaphore, fd, times);
    }
    ::close(fd);
}
MP_TASK(add_under_guard);

void never_runs(mp::Object) {}
MP_TASK(never_runs);

} // namespace

class TestSynchronize : public QObject {
    Q_OBJECT

private slots:
    // ---- Lock --------------------------------------------------------------------------------------

    void lockAcquireRelease() {
        mp::Lock lock;
        QCOMPARE(lock.repr(), std::string("<Lock(owner=None)>"));
        QVERIFY(!lock.locked());
        QVERIFY(lock.acquire());
        QVERIFY(lock.locked());
        QCOMPARE(lock.repr(), std::string("<Lock(owner=MainProcess)>"));
        lock.release();
        QVERIFY(!lock.locked());
        QCOMPARE(lock.repr(), std::string("<Lock(owner=None)>"));
        QVERIFY(lock.acquire(false));
        lock.release();
        QVERIFY(lock.acquire(true, 1.0));
        lock.release();
    }

    void lockNonBlockingIgnoresTimeout() {
        mp::Lock lock;
        QVERIFY(lock.acquire(false, 5.0)); // no error, unlike threading
        const auto start = Clock::now();
        QVERIFY(!lock.acquire(false, 5.0)); // the holder itself: no deadlock, no wait
        QVERIFY(seconds_since(start) < 0.5);
        lock.release();
    }

    void lockNegativeTimeoutIsZero() {
        mp::Lock lock;
        lock.acquire();
        const auto start = Clock::now();
        QVERIFY(!lock.acquire(true, -1.0));
        QVERIFY(!lock.acquire(true, 0.0));
        QVERIFY(seconds_since(start) < 0.5);
        lock.release();
        QVERIFY(lock.acquire(true, -1.0)); // a free lock is still taken
        lock.release();
    }

    void lockTimeoutExpires() {
        mp::Lock lock;
        lock.acquire();
        const auto start = Clock::now();
        QVERIFY(!lock.acquire(true, 0.2));
        const double took = seconds_since(start);
        QVERIFY2(took >= 0.2 && took < 1.2, std::to_string(took).c_str());
        lock.release();
    }

    void lockReleaseWhenUnlocked() {
        mp::Lock lock;
        QVERIFY(throws_with<mp::ValueError>([&] { lock.release(); },
                                            "semaphore or lock released too many times"));
        lock.acquire();
        lock.release();
        QVERIFY(throws_with<mp::ValueError>([&] { lock.release(); },
                                            "semaphore or lock released too many times"));
        QVERIFY(lock.acquire(false)); // the failed release left it usable
        lock.release();
    }

    void lockReleasedByAnotherThread() {
        mp::Lock lock;
        lock.acquire();
        std::string error = "<not run>";
        std::thread([&] { error = error_of<mp::ValueError>([&] { lock.release(); }); }).join();
        QCOMPARE(error, std::string("<no exception>"));
        QVERIFY(!lock.locked());
        QVERIFY(lock.acquire(false));
        lock.release();
    }

    void lockReprFromThreads() {
        mp::Lock lock;
        lock.acquire();
        std::string seen;
        std::thread([&] { seen = lock.repr(); }).join();
        QCOMPARE(seen, std::string("<Lock(owner=SomeOtherThread)>"));
        lock.release();

        // A thread that holds it sees itself as "<process>|<thread name>"; the main thread sees another.
        std::promise<void> held, done;
        std::string own;
        std::jthread holder([&] {
            lock.acquire();
            own = lock.repr();
            held.set_value();
            done.get_future().wait();
            lock.release();
        });
        held.get_future().wait();
        std::string from_main = lock.repr();
        done.set_value();
        holder.join();
        QVERIFY2(own.rfind("<Lock(owner=MainProcess|Thread-", 0) == 0 && own.ends_with(")>"), own.c_str());
        QCOMPARE(from_main, std::string("<Lock(owner=SomeOtherThread)>"));
    }

    void lockWithStandardGuards() {
        mp::Lock a;
        mp::RLock b;
        {
            std::lock_guard guard(a);
            QVERIFY(a.locked());
        }
        QVERIFY(!a.locked());
        {
            std::scoped_lock both(a, b);
            QVERIFY(a.locked() && b.locked());
            QCOMPARE(b.repr(), std::string("<RLock(MainProcess, 1)>"));
        }
        QVERIFY(!a.locked() && !b.locked());
        {
            std::unique_lock first(a);
            std::unique_lock second(a, std::try_to_lock);
            QVERIFY(!second.owns_lock());
        }
        QVERIFY(!a.locked());
    }

    void lockSeenFromChild_data() { connection_test::add_start_methods(); }
    void lockSeenFromChild() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Lock lock = ctx.Lock();
        auto [mine, theirs] = mp::Pipe();
        lock.acquire();
        mp::Process p = ctx.Process(probe_and_release_lock, mp::args(lock, theirs));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        p.start();
        QCOMPARE(next(mine), std::string("<Lock(owner=SomeOtherProcess)> busy busy"));
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(0));
        QVERIFY(!lock.locked()); // released by the child: a Lock has no owner
        QVERIFY(lock.acquire(false));
        lock.release();
    }

    void lockHeldByChild_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("kind");
        for (const char* method : {"fork", "spawn", "forkserver"})
            for (const char* kind : {"Lock", "RLock"})
                add_row({method, kind}) << QString(method) << QString(kind);
    }
    void lockHeldByChild() {
        QFETCH(QString, method);
        QFETCH(QString, kind);
        mp::Context& ctx = mp::get_context(method.toStdString());
        const bool recursive = kind == "RLock";
        std::optional<mp::Lock> lock;
        std::optional<mp::RLock> rlock;
        mp::Object primitive;
        if (recursive) {
            rlock = ctx.RLock();
            primitive = mp::to_object(*rlock);
        } else {
            lock = ctx.Lock();
            primitive = mp::to_object(*lock);
        }
        auto repr = [&] { return recursive ? rlock->repr() : lock->repr(); };
        auto acquire = [&](bool block, std::optional<double> timeout) {
            return recursive ? rlock->acquire(block, timeout) : lock->acquire(block, timeout);
        };
        mp::Event go = ctx.Event();
        auto [mine, theirs] = mp::Pipe();
        mp::Process p = ctx.Process(hold_until_set, mp::args(primitive, theirs, go));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        p.start();
        QCOMPARE(next(mine), std::string("held"));
        QCOMPARE(repr(), std::string(recursive ? "<RLock(SomeOtherProcess, nonzero)>"
                                               : "<Lock(owner=SomeOtherProcess)>"));
        QVERIFY(!acquire(false, std::nullopt));
        QVERIFY(!acquire(true, 0.05));
        if (recursive)
            QVERIFY(throws_with<mp::AssertionError>([&] { rlock->release(); },
                                                    "attempt to release recursive lock not owned by thread"));
        go.set();
        QCOMPARE(next(mine), std::string("released"));
        QVERIFY(acquire(true, 5));
        QCOMPARE(repr(), std::string(recursive ? "<RLock(MainProcess, 1)>" : "<Lock(owner=MainProcess)>"));
        recursive ? rlock->release() : lock->release();
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    // ---- RLock -------------------------------------------------------------------------------------

    void rlockRecursion() {
        mp::RLock lock;
        QCOMPARE(lock.repr(), std::string("<RLock(None, 0)>"));
        QVERIFY(lock.acquire());
        QVERIFY(lock.acquire(false)); // the owner always gets it again, even without blocking
        QVERIFY(lock.acquire(true, 0.0));
        QCOMPARE(lock.repr(), std::string("<RLock(MainProcess, 3)>"));
        lock.release();
        QCOMPARE(lock.repr(), std::string("<RLock(MainProcess, 2)>"));
        lock.release();
        lock.release();
        QCOMPARE(lock.repr(), std::string("<RLock(None, 0)>"));
        QVERIFY(!lock.locked());
    }

    void rlockReleaseNotOwned() {
        const std::string message = "attempt to release recursive lock not owned by thread";
        mp::RLock lock;
        QVERIFY(throws_with<mp::AssertionError>([&] { lock.release(); }, message));
        lock.acquire();
        lock.acquire();
        std::string from_thread, seen, blocked;
        std::thread([&] {
            from_thread = error_of<mp::AssertionError>([&] { lock.release(); });
            seen = lock.repr();
            blocked = lock.acquire(false) || lock.acquire(true, 0.05) ? "acquired" : "busy";
        }).join();
        QCOMPARE(from_thread, message);
        QCOMPARE(seen, std::string("<RLock(SomeOtherThread, nonzero)>"));
        QCOMPARE(blocked, std::string("busy"));
        QCOMPARE(lock.repr(), std::string("<RLock(MainProcess, 2)>"));
        lock.release();
        lock.release();
        QVERIFY(throws_with<mp::AssertionError>([&] { lock.release(); }, message));
    }

    void rlockReprOfAThread() {
        mp::RLock lock;
        std::promise<void> held, done;
        std::string own;
        std::jthread holder([&] {
            lock.acquire();
            lock.acquire();
            own = lock.repr();
            held.set_value();
            done.get_future().wait();
            lock.release();
            lock.release();
        });
        held.get_future().wait();
        std::string from_main = lock.repr();
        done.set_value();
        holder.join();
        QVERIFY2(own.rfind("<RLock(MainProcess|Thread-", 0) == 0 && own.ends_with(", 2)>"), own.c_str());
        QCOMPARE(from_main, std::string("<RLock(SomeOtherThread, nonzero)>"));
    }

    void rlockNotOwnedByChild_data() { connection_test::add_start_methods(); }
    void rlockNotOwnedByChild() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::RLock lock = ctx.RLock();
        auto [mine, theirs] = mp::Pipe();
        lock.acquire();
        lock.acquire();
        mp::Process p = ctx.Process(probe_rlock, mp::args(lock, theirs));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        p.start();
        QCOMPARE(next(mine), std::string("<RLock(SomeOtherProcess, nonzero)> busy "
                                         "attempt to release recursive lock not owned by thread"));
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(0));
        QCOMPARE(lock.repr(), std::string("<RLock(MainProcess, 2)>"));
        lock.release();
        lock.release();
    }

    // ---- Semaphore, BoundedSemaphore ---------------------------------------------------------------

    void semaphoreCounts() {
        mp::Semaphore s(2);
        QCOMPARE(s.repr(), std::string("<Semaphore(value=2)>"));
        QVERIFY(s.acquire());
        QVERIFY(s.acquire(false, 5.0)); // block=false ignores the timeout
        QCOMPARE(s.get_value(), std::int64_t(0));
        QVERIFY(s.locked());
        QVERIFY(!s.acquire(false));
        auto start = Clock::now();
        QVERIFY(!s.acquire(true, -1.0));
        QVERIFY(seconds_since(start) < 0.5);
        start = Clock::now();
        QVERIFY(!s.acquire(true, 0.1));
        const double took = seconds_since(start);
        QVERIFY2(took >= 0.1 && took < 1.1, std::to_string(took).c_str());
        s.release();
        s.release();
        s.release(); // an unbounded semaphore may pass its initial value
        QCOMPARE(s.get_value(), std::int64_t(3));
        QCOMPARE(s.repr(), std::string("<Semaphore(value=3)>"));
        mp::Semaphore zero(0);
        QVERIFY(!zero.acquire(false));
        QCOMPARE(zero.repr(), std::string("<Semaphore(value=0)>"));
    }

    void semaphoreNegativeValue() {
        QVERIFY(throws_with<mp::OSError>([] { mp::Semaphore(-1); }, "[Errno 22] Invalid argument"));
        QVERIFY(throws_with<mp::OSError>([] { mp::BoundedSemaphore(-1); }, "[Errno 22] Invalid argument"));
        try {
            mp::Semaphore(-5);
            QFAIL("no error");
        } catch (const mp::SystemError& e) {
            QCOMPARE(e.error_code(), EINVAL);
        }
    }

    void semaphoreValueMax() {
        constexpr std::int64_t sem_value_max = 2147483647;
        mp::Semaphore s(sem_value_max);
        QCOMPARE(s.repr(), std::string("<Semaphore(value=2147483647)>"));
        QVERIFY(
            throws_with<mp::ValueError>([&] { s.release(); }, "semaphore or lock released too many times"));
        QCOMPARE(s.get_value(), sem_value_max);
        // CPython fails converting the value to a C int.
        QVERIFY(throws_with<mp::OverflowError>([&] { mp::Semaphore(sem_value_max + 1); },
                                               "Python int too large to convert to C int"));
    }

    void semaphoreReleasedByAnotherThread() {
        mp::Semaphore s(0);
        std::jthread releaser([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(20)); // let the acquire sleep first
            s.release();
        });
        QVERIFY(s.acquire(true, 10));
        QCOMPARE(s.get_value(), std::int64_t(0));
    }

    void boundedSemaphoreOverRelease() {
        mp::BoundedSemaphore s(2);
        QCOMPARE(s.repr(), std::string("<BoundedSemaphore(value=2, maxvalue=2)>"));
        QVERIFY(
            throws_with<mp::ValueError>([&] { s.release(); }, "semaphore or lock released too many times"));
        s.acquire();
        QCOMPARE(s.repr(), std::string("<BoundedSemaphore(value=1, maxvalue=2)>"));
        s.release();
        QVERIFY(
            throws_with<mp::ValueError>([&] { s.release(); }, "semaphore or lock released too many times"));
        QCOMPARE(s.get_value(), std::int64_t(2));
        s.acquire();
        s.acquire();
        QVERIFY(!s.acquire(false));
        QCOMPARE(s.repr(), std::string("<BoundedSemaphore(value=0, maxvalue=2)>"));
    }

    void semaphoreReleasedByChild_data() { connection_test::add_start_methods(); }
    void semaphoreReleasedByChild() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Semaphore counting = ctx.Semaphore(0);
        mp::BoundedSemaphore bounded = ctx.BoundedSemaphore(1);
        bounded.acquire();
        auto [mine, theirs] = mp::Pipe();
        mp::Process a = ctx.Process(release_semaphore, mp::args(counting, 2, theirs));
        mp::Process b = ctx.Process(release_semaphore, mp::args(bounded, 2, theirs));
        auto cleanup = qScopeGuard([&] {
            kill_if_running(a);
            kill_if_running(b);
        });
        a.start();
        QVERIFY(counting.acquire(true, 20)); // woken by the child's release
        QCOMPARE(next(mine), std::string("ok;ok;"));
        QVERIFY(counting.acquire(false));
        b.start();
        QCOMPARE(next(mine), std::string("ok;ValueError: semaphore or lock released too many times;"));
        QCOMPARE(bounded.get_value(), std::int64_t(1));
        a.join(20);
        b.join(20);
        QCOMPARE(a.exitcode(), std::optional<int>(0));
        QCOMPARE(b.exitcode(), std::optional<int>(0));
    }

    // ---- Condition ---------------------------------------------------------------------------------

    void conditionDefaultLockIsRLock() {
        mp::Condition cond;
        QVERIFY(std::holds_alternative<mp::RLock>(cond.get_lock()));
        QCOMPARE(cond.repr(), std::string("<Condition(<RLock(None, 0)>, 0)>"));
        cond.acquire();
        QVERIFY(cond.acquire(false)); // recursive
        QCOMPARE(cond.repr(), std::string("<Condition(<RLock(MainProcess, 2)>, 0)>"));
        cond.release();
        cond.release();

        mp::Lock lock;
        mp::Condition over_lock(mp::Condition::LockType{lock});
        QVERIFY(std::holds_alternative<mp::Lock>(over_lock.get_lock()));
        QVERIFY(std::get<mp::Lock>(over_lock.get_lock()).same_as(lock));
        over_lock.acquire();
        QCOMPARE(over_lock.repr(), std::string("<Condition(<Lock(owner=MainProcess)>, 0)>"));
        QVERIFY(lock.locked());
        QVERIFY(!over_lock.acquire(false)); // a Lock is not recursive
        over_lock.release();
        QCOMPARE(over_lock.repr(), std::string("<Condition(<Lock(owner=None)>, 0)>"));
    }

    void conditionRequiresOwnership() {
        const std::string wait_message = "must acquire() condition before using wait()";
        mp::Condition cond;
        QVERIFY(throws_with<mp::AssertionError>([&] { cond.wait(); }, wait_message));
        QVERIFY(throws_with<mp::AssertionError>([&] { cond.wait(0); }, wait_message));
        QVERIFY(throws_with<mp::AssertionError>([&] { cond.notify(); }, "lock is not owned"));
        QVERIFY(throws_with<mp::AssertionError>([&] { cond.notify_all(); }, "lock is not owned"));
        QVERIFY(throws_with<mp::AssertionError>([&] { cond.wait_for([] { return false; }, 0.01); },
                                                wait_message));
        // Held by another thread is not owned either, for both kinds of lock.
        mp::Condition over_lock(mp::Condition::LockType{mp::Lock()});
        cond.acquire();
        over_lock.acquire();
        std::string errors;
        std::thread([&] {
            errors = error_of<mp::AssertionError>([&] { cond.wait(0); }) + "|" +
                     error_of<mp::AssertionError>([&] { cond.notify(); }) + "|" +
                     error_of<mp::AssertionError>([&] { over_lock.wait(0); }) + "|" +
                     error_of<mp::AssertionError>([&] { over_lock.notify_all(); });
        }).join();
        QCOMPARE(errors, wait_message + "|lock is not owned|" + wait_message + "|lock is not owned");
        over_lock.release();
        cond.release();
    }

    void conditionWaitWithoutTime() {
        mp::Condition cond;
        std::lock_guard hold(cond);
        const auto start = Clock::now();
        QVERIFY(!cond.wait(0));
        QVERIFY(!cond.wait(-1));
        QVERIFY(seconds_since(start) < 0.5);
        cond.notify(); // nobody sleeps: nothing happens and nothing is remembered
        QVERIFY(!cond.wait(0));
        QCOMPARE(cond.repr(), std::string("<Condition(<RLock(MainProcess, 1)>, 0)>"));
    }

    void conditionWaitReleasesEveryLevel() {
        mp::Condition cond;
        cond.acquire();
        cond.acquire();
        cond.acquire();
        std::atomic<bool> got_lock{false};
        std::jthread notifier([&] {
            if (!cond.acquire(true, 10)) return; // possible only once wait() released all three levels
            got_lock = true;
            cond.notify();
            cond.release();
        });
        QVERIFY(cond.wait(10));
        QVERIFY(got_lock);
        QCOMPARE(cond.repr(), std::string("<Condition(<RLock(MainProcess, 3)>, 0)>"));
        cond.release();
        cond.release();
        cond.release();
        QVERIFY(throws_with<mp::AssertionError>([&] { cond.release(); },
                                                "attempt to release recursive lock not owned by thread"));
    }

    void conditionOverALock() {
        mp::Lock lock;
        mp::Condition cond(mp::Condition::LockType{lock});
        cond.acquire();
        std::atomic<bool> got_lock{false};
        std::jthread notifier([&] {
            if (!lock.acquire(true, 10)) return; // free only while the waiter sleeps
            got_lock = true;
            cond.notify_all();
            lock.release();
        });
        QVERIFY(cond.wait(10));
        QVERIFY(got_lock);
        QCOMPARE(cond.repr(), std::string("<Condition(<Lock(owner=MainProcess)>, 0)>"));
        cond.release();
        QVERIFY(!lock.locked());
    }

    void conditionWaitForReturnsThePredicate() {
        mp::Condition cond;
        std::lock_guard hold(cond);
        auto start = Clock::now();
        int zero = cond.wait_for([] { return 0; }, 0.1);
        QCOMPARE(zero, 0); // the falsy value on timeout
        const double took = seconds_since(start);
        QVERIFY2(took >= 0.1 && took < 1.1, std::to_string(took).c_str());
        start = Clock::now();
        QCOMPARE(cond.wait_for([] { return 7; }), 7); // truthy at once: no wait, no timeout needed
        QCOMPARE(cond.wait_for([] { return false; }, -1.0), false);
        QVERIFY(seconds_since(start) < 0.5);

        int value = 0; // guarded by cond
        std::jthread setter([&] {
            std::lock_guard inner(cond);
            value = 42;
            cond.notify();
        });
        QCOMPARE(cond.wait_for([&] { return value; }, 10), 42);
    }

    void conditionNotifyWakesExactlyN() {
        mp::Condition cond;
        int ready = 0; // guarded by cond
        std::atomic<int> notified{0};
        std::vector<std::jthread> sleepers;
        for (int i = 0; i < 4; ++i)
            sleepers.emplace_back([&] {
                std::lock_guard hold(cond);
                ++ready;
                if (cond.wait(10)) ++notified;
            });
        // Once the lock is ours with all four counted, all four sleep in wait().
        QVERIFY(eventually([&] {
            std::lock_guard hold(cond);
            return ready == 4;
        }));
        cond.acquire();
        QCOMPARE(cond.repr(), std::string("<Condition(<RLock(MainProcess, 1)>, 4)>"));
        cond.notify(2); // returns once both have woken
        QCOMPARE(cond.repr(), std::string("<Condition(<RLock(MainProcess, 1)>, 2)>"));
        cond.release();
        QVERIFY(eventually([&] { return notified == 2; }));
        cond.acquire();
        QCOMPARE(cond.repr(), std::string("<Condition(<RLock(MainProcess, 1)>, 2)>"));
        cond.notify_all();
        QCOMPARE(cond.repr(), std::string("<Condition(<RLock(MainProcess, 1)>, 0)>"));
        cond.release();
        for (auto& t : sleepers)
            t.join();
        QCOMPARE(notified.load(), 4);
    }

    void conditionNotifyProcesses_data() { connection_test::add_start_methods(); }
    void conditionNotifyProcesses() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Condition cond = ctx.Condition();
        std::vector<mp::Connection> replies;
        std::vector<mp::Process> children;
        auto cleanup = qScopeGuard([&] {
            for (auto& p : children)
                kill_if_running(p);
        });
        for (int i = 0; i < 3; ++i) {
            auto [mine, theirs] = mp::Pipe();
            replies.push_back(mine);
            children.push_back(ctx.Process(wait_for_notify, mp::args(mp::to_object(cond), theirs)));
            children.back().start();
        }
        for (auto& r : replies)
            QCOMPARE(next(r), std::string("ready"));
        cond.acquire(); // every child has released the lock inside wait(): all three sleep
        QCOMPARE(cond.repr(), std::string("<Condition(<RLock(MainProcess, 1)>, 3)>"));
        cond.notify(2);
        QCOMPARE(cond.repr(), std::string("<Condition(<RLock(MainProcess, 1)>, 1)>"));
        cond.release();
        // Which two woke is up to the scheduler; exactly two did, and the third still sleeps.
        auto woken = [&] {
            std::vector<int> ready;
            for (int i = 0; i < 3; ++i)
                if (replies[i].poll(0)) ready.push_back(i);
            return ready;
        };
        QVERIFY(eventually([&] { return woken().size() >= 2; }));
        std::this_thread::sleep_for(std::chrono::milliseconds(100)); // room for a wrong third wake-up
        const std::vector<int> first = woken();
        QCOMPARE(first.size(), std::size_t(2));
        for (int i : first)
            QCOMPARE(next(replies[i]), std::string("notified"));
        const int asleep = 3 - first[0] - first[1];
        {
            std::lock_guard hold(cond);
            cond.notify_all();
        }
        QCOMPARE(next(replies[asleep]), std::string("notified"));
        for (auto& p : children) {
            p.join(20);
            QCOMPARE(p.exitcode(), std::optional<int>(0));
        }
    }

    // ---- Event -------------------------------------------------------------------------------------

    void eventSetClearWait() {
        mp::Event event;
        QVERIFY(!event.is_set());
        QVERIFY(event.repr().rfind("<Event at 0x", 0) == 0 && event.repr().ends_with(" unset>"));
        auto start = Clock::now();
        QVERIFY(!event.wait(0.1)); // the flag, not None
        const double took = seconds_since(start);
        QVERIFY2(took >= 0.1 && took < 1.1, std::to_string(took).c_str());
        start = Clock::now();
        QVERIFY(!event.wait(-1.0));
        QVERIFY(!event.wait(0));
        QVERIFY(seconds_since(start) < 0.5);
        event.set();
        QVERIFY(event.is_set());
        QVERIFY(event.repr().ends_with(" set>"));
        QVERIFY(event.wait());
        QVERIFY(event.wait(0));
        QVERIFY(event.wait(-1.0));
        event.set(); // idempotent
        event.clear();
        QVERIFY(!event.is_set());
        QVERIFY(!event.wait(0));
    }

    void eventWakesThreads() {
        mp::Event event;
        std::atomic<int> woken{0};
        std::vector<std::jthread> waiters;
        for (int i = 0; i < 3; ++i)
            waiters.emplace_back([&] {
                if (event.wait(10)) ++woken;
            });
        std::this_thread::sleep_for(std::chrono::milliseconds(20)); // let some of them sleep first
        event.set();
        for (auto& t : waiters)
            t.join();
        QCOMPARE(woken.load(), 3);
    }

    void eventWakesOtherProcesses_data() { connection_test::add_start_methods(); }
    void eventWakesOtherProcesses() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Event event = ctx.Event();
        mp::Event never = ctx.Event();
        std::vector<mp::Connection> replies;
        std::vector<mp::Process> children;
        auto cleanup = qScopeGuard([&] {
            for (auto& p : children)
                kill_if_running(p);
        });
        for (int i = 0; i < 3; ++i) {
            auto [mine, theirs] = mp::Pipe();
            replies.push_back(mine);
            children.push_back(i < 2 ? ctx.Process(wait_for_event, mp::args(event, 20.0, theirs))
                                     : ctx.Process(wait_for_event, mp::args(never, 0.1, theirs)));
            children.back().start();
        }
        for (auto& r : replies)
            QCOMPARE(next(r), std::string("waiting"));
        event.set();
        QCOMPARE(next(replies[0]), std::string("True"));
        QCOMPARE(next(replies[1]), std::string("True"));
        QCOMPARE(next(replies[2]), std::string("False")); // timed out: the flag
        for (auto& p : children) {
            p.join(20);
            QCOMPARE(p.exitcode(), std::optional<int>(0));
        }
    }

    // ---- Barrier -----------------------------------------------------------------------------------

    void barrierOfOne() {
        mp::Barrier barrier(1);
        QCOMPARE(barrier.wait(), std::int64_t(0));
        QCOMPARE(barrier.wait(0), std::int64_t(0));
        QCOMPARE(barrier.parties(), std::int64_t(1));
        QCOMPARE(barrier.n_waiting(), std::int64_t(0));
        QVERIFY(!barrier.broken());
    }

    void barrierThreadsAndAction() {
        constexpr int parties = 3, rounds = 5;
        std::atomic<int> actions{0};
        mp::Barrier barrier(parties, [&] { ++actions; });
        QVERIFY(std::regex_match(
            barrier.repr(),
            std::regex("<multiprocessing\\.synchronize\\.Barrier at 0x[0-9a-f]+: waiters=0/3>")));
        std::vector<std::vector<std::int64_t>> indexes(parties);
        std::vector<std::jthread> threads;
        for (int t = 0; t < parties - 1; ++t)
            threads.emplace_back([&, t] {
                for (int r = 0; r < rounds; ++r)
                    indexes[t].push_back(barrier.wait(10));
            });
        QVERIFY(eventually([&] { return barrier.n_waiting() == 2; }));
        QVERIFY(std::regex_match(
            barrier.repr(),
            std::regex("<multiprocessing\\.synchronize\\.Barrier at 0x[0-9a-f]+: waiters=2/3>")));
        for (int r = 0; r < rounds; ++r)
            indexes[parties - 1].push_back(barrier.wait(10));
        for (auto& t : threads)
            t.join();
        QCOMPARE(actions.load(), rounds); // once per generation
        for (int r = 0; r < rounds; ++r) {
            std::set<std::int64_t> seen;
            for (int t = 0; t < parties; ++t)
                seen.insert(indexes[t].at(r));
            QCOMPARE(seen, (std::set<std::int64_t>{0, 1, 2}));
        }
        QVERIFY(!barrier.broken());
    }

    void barrierAcrossProcesses_data() { connection_test::add_start_methods(); }
    void barrierAcrossProcesses() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        constexpr int rounds = 3;
        g_action_runs = 0; // fork children start from this process's count
        mp::Barrier barrier = ctx.Barrier(3, count_action);
        std::vector<mp::Connection> replies;
        std::vector<mp::Process> children;
        auto cleanup = qScopeGuard([&] {
            for (auto& p : children)
                kill_if_running(p);
        });
        for (int i = 0; i < 2; ++i) {
            auto [mine, theirs] = mp::Pipe();
            replies.push_back(mine);
            children.push_back(ctx.Process(barrier_rounds, mp::args(barrier, rounds, theirs)));
            children.back().start();
        }
        std::vector<std::int64_t> own;
        for (int r = 0; r < rounds; ++r)
            own.push_back(barrier.wait(20));
        std::vector<std::vector<std::string>> theirs(2);
        int actions = g_action_runs;
        for (int i = 0; i < 2; ++i) {
            for (int r = 0; r < rounds; ++r)
                theirs[i].push_back(next(replies[i]));
            actions += std::stoi(next(replies[i]));
        }
        for (int r = 0; r < rounds; ++r) {
            std::set<std::string> seen{std::to_string(own[r]), theirs[0][r], theirs[1][r]};
            QCOMPARE(seen, (std::set<std::string>{"0", "1", "2"})); // unique per generation
        }
        QCOMPARE(actions, rounds); // run once per generation, by whichever process arrived last
        for (auto& p : children) {
            p.join(20);
            QCOMPARE(p.exitcode(), std::optional<int>(0));
        }
    }

    void barrierTimeoutBreaksIt() {
        mp::Barrier barrier(3);
        std::string other;
        std::jthread waiter([&] {
            try {
                other = std::to_string(barrier.wait(10));
            } catch (const mp::BrokenBarrierError&) {
                other = "BrokenBarrierError";
            }
        });
        QVERIFY(eventually([&] { return barrier.n_waiting() == 1; }));
        auto start = Clock::now();
        QVERIFY(throws_with<mp::BrokenBarrierError>([&] { barrier.wait(0.2); }, ""));
        const double took = seconds_since(start);
        QVERIFY2(took >= 0.2 && took < 1.2, std::to_string(took).c_str());
        waiter.join();
        QCOMPARE(other, std::string("BrokenBarrierError"));
        QVERIFY(barrier.broken());
        QCOMPARE(barrier.n_waiting(), std::int64_t(0));
        QVERIFY(std::regex_match(
            barrier.repr(), std::regex("<multiprocessing\\.synchronize\\.Barrier at 0x[0-9a-f]+: broken>")));
        start = Clock::now();
        QVERIFY(throws_with<mp::BrokenBarrierError>([&] { barrier.wait(5); }, "")); // fails at once
        QVERIFY(seconds_since(start) < 0.5);

        barrier.reset();
        QVERIFY(!barrier.broken());
        std::vector<std::int64_t> indexes(3, -1);
        {
            std::jthread a([&] { indexes[0] = barrier.wait(10); });
            std::jthread b([&] { indexes[1] = barrier.wait(10); });
            indexes[2] = barrier.wait(10);
        }
        QCOMPARE(std::set<std::int64_t>(indexes.begin(), indexes.end()), (std::set<std::int64_t>{0, 1, 2}));
    }

    void barrierDefaultTimeout() {
        mp::Barrier barrier(2, {}, 0.1);
        const auto start = Clock::now();
        QVERIFY(throws_with<mp::BrokenBarrierError>([&] { barrier.wait(); }, ""));
        const double took = seconds_since(start);
        QVERIFY2(took >= 0.1 && took < 1.1, std::to_string(took).c_str());
        QVERIFY(barrier.broken());
    }

    void barrierTimeoutAcrossProcesses_data() { connection_test::add_start_methods(); }
    void barrierTimeoutAcrossProcesses() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Barrier barrier = ctx.Barrier(3);
        auto [mine, theirs] = mp::Pipe();
        mp::Process p = ctx.Process(barrier_expect_broken, mp::args(barrier, theirs));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        p.start();
        QVERIFY(eventually([&] { return barrier.n_waiting() == 1; }));
        QVERIFY(throws_with<mp::BrokenBarrierError>([&] { barrier.wait(0.1); }, ""));
        QCOMPARE(next(mine), std::string("BrokenBarrierError"));
        QVERIFY(barrier.broken());
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void barrierAbort() {
        mp::Barrier barrier(2);
        std::string other;
        std::jthread waiter([&] {
            try {
                other = std::to_string(barrier.wait(10));
            } catch (const mp::BrokenBarrierError&) {
                other = "BrokenBarrierError";
            }
        });
        QVERIFY(eventually([&] { return barrier.n_waiting() == 1; }));
        barrier.abort();
        waiter.join();
        QCOMPARE(other, std::string("BrokenBarrierError"));
        QVERIFY(barrier.broken());
        QVERIFY(throws_with<mp::BrokenBarrierError>([&] { barrier.wait(1); }, ""));
        barrier.reset();
        QVERIFY(!barrier.broken());
    }

    void barrierResetWhileWaiting() {
        mp::Barrier barrier(3);
        std::vector<std::string> outcomes(2);
        {
            std::vector<std::jthread> waiters;
            for (int i = 0; i < 2; ++i)
                waiters.emplace_back([&, i] {
                    try {
                        outcomes[i] = std::to_string(barrier.wait(10));
                    } catch (const mp::BrokenBarrierError&) {
                        outcomes[i] = "BrokenBarrierError";
                    }
                });
            QVERIFY(eventually([&] { return barrier.n_waiting() == 2; }));
            barrier.reset();
        }
        QCOMPARE(outcomes, (std::vector<std::string>{"BrokenBarrierError", "BrokenBarrierError"}));
        QVERIFY(!barrier.broken());
        QCOMPARE(barrier.n_waiting(), std::int64_t(0));
        // Fresh again: a full set of parties passes.
        std::vector<std::int64_t> indexes(3, -1);
        {
            std::jthread a([&] { indexes[0] = barrier.wait(10); });
            std::jthread b([&] { indexes[1] = barrier.wait(10); });
            indexes[2] = barrier.wait(10);
        }
        QCOMPARE(std::set<std::int64_t>(indexes.begin(), indexes.end()), (std::set<std::int64_t>{0, 1, 2}));
    }

    void barrierActionThatThrows() {
        mp::Barrier barrier(2, [] { throw mp::ValueError("boom"); });
        std::string other;
        std::jthread waiter([&] {
            try {
                other = std::to_string(barrier.wait(10));
            } catch (const mp::BrokenBarrierError&) {
                other = "BrokenBarrierError";
            }
        });
        QVERIFY(eventually([&] { return barrier.n_waiting() == 1; }));
        // This thread arrives last, so it runs the action and gets its exception.
        QVERIFY(throws_with<mp::ValueError>([&] { barrier.wait(10); }, "boom"));
        waiter.join();
        QCOMPARE(other, std::string("BrokenBarrierError"));
        QVERIFY(barrier.broken());
    }

    void barrierRefusesBadParties() {
        QVERIFY(throws_with<mp::ValueError>([] { mp::Barrier(0); }, "parties must be at least 1"));
        QVERIFY(throws_with<mp::ValueError>([] { mp::Barrier(-2); }, "parties must be at least 1"));
    }

    void barrierUnregisteredAction_data() { connection_test::add_start_methods(); }
    void barrierUnregisteredAction() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        g_action_runs = 0;
        mp::Barrier barrier = ctx.Barrier(2, [] { ++g_action_runs; });
        auto [mine, theirs] = mp::Pipe();
        mp::Process p = ctx.Process(barrier_rounds, mp::args(barrier, 1, theirs));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        if (method != "fork") {
            // Spawn and forkserver children find an action by name; a lambda has none.
            std::string error = error_of<mp::PicklingError>([&] { p.start(); });
            QVERIFY2(error.find("Barrier's action") != std::string::npos &&
                         error.find("register it with MP_TASK") != std::string::npos,
                     error.c_str());
            QVERIFY(!p.pid());
            return;
        }
        p.start(); // under fork any callable works, as for a Process target
        const std::int64_t own = barrier.wait(20);
        const std::string child_index = next(mine);
        QCOMPARE(std::set<std::string>({std::to_string(own), child_index}),
                 (std::set<std::string>{"0", "1"}));
        QCOMPARE(g_action_runs + std::stoi(next(mine)), 1);
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    // ---- many threads and processes on one primitive -----------------------------------------------

    void hammerWithThreads() {
        constexpr int threads = 6, steps = 2000;
        mp::Lock lock;
        mp::Semaphore semaphore(1);
        long by_lock = 0, by_semaphore = 0; // plain ints: only the primitives keep them right
        {
            std::vector<std::jthread> workers;
            for (int t = 0; t < threads; ++t)
                workers.emplace_back([&] {
                    for (int i = 0; i < steps; ++i) {
                        {
                            std::lock_guard hold(lock);
                            by_lock = by_lock + 1;
                        }
                        std::lock_guard hold(semaphore);
                        by_semaphore = by_semaphore + 1;
                    }
                });
        }
        QCOMPARE(by_lock, long(threads * steps));
        QCOMPARE(by_semaphore, long(threads * steps));
        QVERIFY(!lock.locked());
        QCOMPARE(semaphore.get_value(), std::int64_t(1));
    }

    void hammerWithProcesses_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("kind");
        for (const char* method : {"fork", "spawn", "forkserver"})
            for (const char* kind : {"Lock", "Semaphore"})
                add_row({method, kind}) << QString(method) << QString(kind);
    }
    void hammerWithProcesses() {
        QFETCH(QString, method);
        QFETCH(QString, kind);
        constexpr int workers = 4, steps = 150;
        mp::Context& ctx = mp::get_context(method.toStdString());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("counter").toStdString();
        int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        QVERIFY(fd >= 0);
        auto close_fd = qScopeGuard([&] { ::close(fd); });
        write_counter(fd, 0);
        mp::Object guard = kind == "Lock" ? mp::to_object(ctx.Lock()) : mp::to_object(ctx.Semaphore(1));
        std::vector<mp::Process> children;
        auto cleanup = qScopeGuard([&] {
            for (auto& p : children)
                kill_if_running(p);
        });
        for (int i = 0; i < workers; ++i) {
            children.push_back(ctx.Process(add_under_guard, mp::args(guard, path, steps)));
            children.back().start();
        }
        for (auto& p : children) {
            p.join(60);
            QCOMPARE(p.exitcode(), std::optional<int>(0));
        }
        QCOMPARE(read_counter(fd), workers * steps); // no lost update
    }

    // ---- contexts ----------------------------------------------------------------------------------

    void forkContextRefusedBySpawnChildren_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("kind");
        for (const char* method : {"spawn", "forkserver"})
            for (const char* kind :
                 {"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "Event", "Barrier"})
                add_row({method, kind}) << QString(method) << QString(kind);
    }
    void forkContextRefusedBySpawnChildren() {
        QFETCH(QString, method);
        QFETCH(QString, kind);
        QCOMPARE(mp::get_start_method().value_or(""), std::string("fork")); // the default context
        mp::Object primitive = default_context_primitive(kind.toStdString());
        mp::Process p = mp::get_context(method.toStdString()).Process(never_runs, mp::args(primitive));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        // Python's text names the spawn context for forkserver too.
        QVERIFY(throws_with<mp::RuntimeError>([&] { p.start(); }, kForkContextMessage));
        QVERIFY(!p.pid());
    }

    void contextPrimitivesInChildren_data() {
        QTest::addColumn<QString>("made_in");
        QTest::addColumn<QString>("method");
        QTest::newRow("fork in fork") << "fork"
                                      << "fork";
        QTest::newRow("spawn in spawn") << "spawn"
                                        << "spawn";
        QTest::newRow("forkserver in forkserver") << "forkserver"
                                                  << "forkserver";
        QTest::newRow("spawn in forkserver") << "spawn"
                                             << "forkserver";
        QTest::newRow("spawn in fork") << "spawn"
                                       << "fork";
    }
    void contextPrimitivesInChildren() {
        QFETCH(QString, made_in);
        QFETCH(QString, method);
        mp::Lock lock = mp::get_context(made_in.toStdString()).Lock();
        auto [mine, theirs] = mp::Pipe();
        mp::Process p =
            mp::get_context(method.toStdString()).Process(try_lock_in_child, mp::args(lock, theirs));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        p.start();
        QCOMPARE(next(mine), "acquired <Lock(owner=" + p.name() + ")>");
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(0));
        QVERIFY(!lock.locked());
    }

    // ---- beyond CPython: a holder that dies --------------------------------------------------------

    void holderDies_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("how");
        for (const char* method : {"fork", "spawn", "forkserver"})
            for (const char* kind : {"Lock", "RLock", "Condition"})
                for (const char* how : {"kill", "exit"})
                    add_row({method, kind, how}) << QString(method) << QString(kind) << QString(how);
    }
    void holderDies() {
        QFETCH(QString, method);
        QFETCH(QString, kind);
        QFETCH(QString, how);
        mp::Context& ctx = mp::get_context(method.toStdString());
        std::optional<mp::Lock> lock;
        std::optional<mp::RLock> rlock;
        std::optional<mp::Condition> cond;
        mp::Object primitive;
        if (kind == "Lock") {
            lock = ctx.Lock();
            primitive = mp::to_object(*lock);
        } else if (kind == "RLock") {
            rlock = ctx.RLock();
            primitive = mp::to_object(*rlock);
        } else {
            cond = ctx.Condition();
            rlock = std::get<mp::RLock>(cond->get_lock());
            primitive = mp::to_object(*cond);
        }
        const mp::SharedObject& target = lock ? static_cast<const mp::SharedObject&>(*lock) : *rlock;
        auto acquire = [&](bool block, std::optional<double> timeout) {
            if (lock) return lock->acquire(block, timeout);
            if (cond) return cond->acquire(block, timeout);
            return rlock->acquire(block, timeout);
        };
        auto [mine, theirs] = mp::Pipe();
        mp::Process p = ctx.Process(hold_and_die, mp::args(primitive, how.toStdString(), theirs));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        p.start();
        QCOMPARE(next(mine), std::string("held"));
        const int pid = p.pid().value();
        sc::ProcessSlot* row = row_of_pid(pid);
        QVERIFY(row);
        const std::uint32_t child_serial = row->serial.load();
        QCOMPARE(sem_state_of(target).word.load(), child_serial);
        if (how == "kill") {
            QVERIFY(!acquire(false, std::nullopt)); // alive and holding
            p.kill();                               // no join: the acquirer finds out on its own
        }

        const auto start = Clock::now();
        QVERIFY(acquire(true, 10));
        const double took = seconds_since(start);
        QVERIFY2(took < 1.5, std::to_string(took).c_str());
        const sc::SemState& st = sem_state_of(target);
        QCOMPARE(st.recovered_from.load(), child_serial);
        QCOMPARE(st.recovered_from_pid.load(), pid);
        QVERIFY(event_in_ring(sc::Op::OwnerDied, serial_of(target), pid));
        if (rlock) {
            QCOMPARE(rlock->repr(), std::string("<RLock(MainProcess, 1)>")); // the dead owner's depth is gone
            rlock->release();
            QVERIFY(!rlock->locked());
        } else {
            QCOMPARE(lock->repr(), std::string("<Lock(owner=MainProcess)>"));
            lock->release();
        }
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(how == "kill" ? -SIGKILL : 7));
    }

    void holderDiedBeforeNonBlockingAcquire_data() { connection_test::add_start_methods(); }
    void holderDiedBeforeNonBlockingAcquire() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Lock lock = ctx.Lock();
        auto [mine, theirs] = mp::Pipe();
        mp::Process p = ctx.Process(hold_and_die, mp::args(lock, std::string("kill"), theirs));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        p.start();
        QCOMPARE(next(mine), std::string("held"));
        const int pid = p.pid().value();
        p.kill();
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(-SIGKILL));
        QVERIFY(lock.acquire(false)); // the reaped holder is known dead: taken over without waiting
        QCOMPARE(sem_state_of(lock).recovered_from_pid.load(), pid);
        QVERIFY(event_in_ring(sc::Op::OwnerDied, serial_of(lock), pid));
        lock.release();
    }

    // ---- the observation plane while blocked -------------------------------------------------------

    void blockedThreadShowsItsWait() {
        mp::Lock lock; // creates the session, so observing() reads its level
        if (!sc::observing()) QSKIP("observation is off (MPSCOPE_OBSERVE=off)");
        lock.acquire();
        sc::ProcessSlot* row = sc::state::self_slot;
        QVERIFY(row);
        std::atomic<std::uint32_t> token{0};
        std::atomic<bool> got{false};
        std::promise<void> go;
        std::jthread blocked([&, done = go.get_future()] {
            token = sc::thread_token();
            got = lock.acquire(true, 10);
            done.wait();
            if (got) lock.release();
        });
        auto release_thread = qScopeGuard([&] {
            if (lock.locked() && !got) lock.release();
            go.set_value();
        });
        const sc::WaitRecord* shown = nullptr;
        QVERIFY(eventually([&] {
            shown = token ? wait_shown(*row, token, sc::Op::Acquire, serial_of(lock)) : nullptr;
            return shown != nullptr;
        }));
        QCOMPARE(shown->flags.load() & sc::kWaitMainThread, 0u);
        QVERIFY(shown->since_ns.load() > 0);
        QCOMPARE(shown->flags.load() & sc::kWaitTimed, sc::kWaitTimed);
        lock.release();
        QVERIFY(eventually([&] { return got.load(); }));
        QVERIFY(!any_wait_shown(*row, token)); // no longer waiting, though still alive and holding it
    }

    void blockedChildShowsItsWait_data() { connection_test::add_start_methods(); }
    void blockedChildShowsItsWait() {
        QFETCH(QString, method);
        if (!sc::observing()) QSKIP("observation is off (MPSCOPE_OBSERVE=off)");
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Lock lock = ctx.Lock();
        mp::Event go = ctx.Event();
        auto [mine, theirs] = mp::Pipe();
        lock.acquire();
        mp::Process p = ctx.Process(acquire_then_hold, mp::args(lock, theirs, go));
        auto cleanup = qScopeGuard([&] {
            go.set();
            kill_if_running(p);
        });
        p.start();
        QCOMPARE(next(mine), std::string("trying"));
        sc::ProcessSlot* row = nullptr;
        QVERIFY(eventually([&] { return (row = row_of_pid(p.pid().value())) != nullptr; }));
        const sc::WaitRecord* shown = nullptr;
        QVERIFY(eventually([&] { return (shown = wait_shown(*row, 1, sc::Op::Acquire, serial_of(lock))); }));
        QCOMPARE(shown->flags.load() & sc::kWaitMainThread, sc::kWaitMainThread);
        lock.release();
        QCOMPARE(next(mine), std::string("got"));
        QVERIFY(!wait_shown(*row, 1, sc::Op::Acquire, serial_of(lock))); // (it now waits for `go`)
        QCOMPARE(lock.repr(), std::string("<Lock(owner=SomeOtherProcess)>"));
        go.set();
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(0));
        QVERIFY(!lock.locked());
    }
};

MP_QTEST_MAIN(TestSynchronize)
#include "tst_synchronize.moc"
