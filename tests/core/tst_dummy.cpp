// multiprocessing.dummy (SPEC §12): Process as a thread, threading's primitives with their own rules and
// messages (checked against CPython 3.11), queue.Queue, the in-memory Pipe and Listener/Client, the
// Manager() holders, Value and Array, and the ThreadPool with Pool's API (ordering, chunks, callbacks,
// errors, imap, close/terminate/join). Threads are sequenced with Events and queues; the only timed waits
// are the short timeouts whose expiry is what a test checks.
#include "expect_error.hpp"
#include "mp_test_main.hpp"

#include <mp/context.hpp>
#include <mp/dummy.hpp>
#include <mp/process.hpp>

#include <QTest>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <mutex>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using test_support::error_of;
using test_support::throws_with;
namespace dummy = mp::dummy;
using mp::Object;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

bool matches(const std::string& text, const std::string& pattern) {
    if (std::regex_match(text, std::regex(pattern))) return true;
    qWarning("'%s' does not match '%s'", text.c_str(), pattern.c_str());
    return false;
}

// The number N of a "Thread-N ..." name.
int thread_number(const std::string& name) {
    return std::stoi(name.substr(name.find('-') + 1));
}

// Threads of this process, as the kernel counts them.
int thread_count() {
    std::FILE* status = std::fopen("/proc/self/status", "r");
    char line[256];
    int threads = -1;
    while (std::fgets(line, sizeof line, status))
        if (std::sscanf(line, "Threads: %d", &threads) == 1) break;
    std::fclose(status);
    return threads;
}

// What `action` writes to stderr (fd 2).
std::string capture_stderr(const std::function<void()>& action) {
    std::fflush(stderr);
    FILE* file = std::tmpfile();
    const int saved = ::dup(2);
    ::dup2(::fileno(file), 2);
    action();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::string text;
    std::rewind(file);
    for (int c; (c = std::fgetc(file)) != EOF;)
        text += static_cast<char>(c);
    std::fclose(file);
    return text;
}

std::int64_t square(std::int64_t x) {
    return x * x;
}

std::int64_t reciprocal_of_zero_fails(std::int64_t x) {
    if (x == 0) throw mp::ZeroDivisionError("division by zero");
    return 100 / x;
}

} // namespace

namespace mp {
// QCOMPARE prints Objects as Python would.
char* toString(const Object& object) {
    return qstrdup(object.repr().c_str());
}
} // namespace mp

class TestDummy : public QObject {
    Q_OBJECT

private slots:
    // ---- Process ------------------------------------------------------------------------------------------

    void processNamesLikeThreads() {
        dummy::Process plain;
        const int n = thread_number(plain.name());
        QVERIFY(matches(plain.name(), "Thread-[0-9]+"));
        dummy::Process lambda([] {});
        QCOMPARE(lambda.name(), "Thread-" + std::to_string(n + 1) + " (<lambda>)");
        dummy::Process named([] {}, Object::tuple(), Object::dict(), "worker-x");
        QCOMPARE(named.name(), std::string("worker-x"));
        named.set_name("renamed");
        QCOMPARE(named.name(), std::string("renamed"));
        QCOMPARE(plain.repr(), "<DummyProcess(" + plain.name() + ", initial)>");
        QVERIFY(!plain.ident());
        QVERIFY(!plain.exitcode());
        QVERIFY(!plain.daemon());
        QVERIFY(throws_with<mp::AssertionError>([] { dummy::Process p({.group = 1}); },
                                                "group argument must be None for now"));
    }

    void processRunsTargetInAThread() {
        dummy::Event go;
        dummy::Queue seen;
        dummy::Process p(
            [&](std::int64_t a, const std::string& b) {
                seen.put(Object::tuple(a, b, dummy::current_process().name(),
                                       dummy::current_process() == dummy::current_process()));
                go.wait();
            },
            mp::args(7, "x"));
        p.start();
        QVERIFY(p.is_alive());
        QVERIFY(!p.exitcode());
        QVERIFY(p.ident());
        QVERIFY(p.native_id());
        QVERIFY(*p.native_id() != ::getpid());
        QCOMPARE(p.repr(), "<DummyProcess(" + p.name() + ", started " + std::to_string(*p.ident()) + ")>");
        const Object report = seen.get();
        QCOMPARE(report, Object::tuple(7, "x", p.name(), true));
        // active_children: the started child, while it runs.
        const auto children = dummy::active_children();
        QCOMPARE(children.size(), std::size_t{1});
        QVERIFY(children[0] == p);
        QVERIFY(throws_with<mp::RuntimeError>([&] { p.set_daemon(true); },
                                              "cannot set daemon status of active thread"));
        p.join(0.01); // times out: still waiting for `go`
        QVERIFY(p.is_alive());
        go.set();
        p.join();
        QVERIFY(!p.is_alive());
        QCOMPARE(p.exitcode(), std::optional<int>(0));
        QCOMPARE(p.repr(), "<DummyProcess(" + p.name() + ", stopped " + std::to_string(*p.ident()) + ")>");
        QVERIFY(dummy::active_children().empty());
        QVERIFY(throws_with<mp::RuntimeError>([&] { p.start(); }, "threads can only be started once"));
    }

    void processErrors() {
        dummy::Process p([] {});
        QVERIFY(throws_with<mp::RuntimeError>([&] { p.join(); }, "cannot join thread before it is started"));
        QVERIFY(throws_with<mp::RuntimeError>([] { dummy::current_process().join(); },
                                              "cannot join current thread"));
        // Only the creating thread may start it.
        std::string error;
        std::jthread other([&] { error = error_of<mp::RuntimeError>([&] { p.start(); }); });
        other.join();
        QVERIFY(matches(error,
                        "Parent is <_MainThread\\(MainThread, started [0-9]+\\)> but current_process is "
                        "<_DummyThread\\(Dummy-[0-9]+, started daemon [0-9]+\\)>"));
        // A daemon flag set before start shows in the repr; a target's exception is printed, exit code 0.
        dummy::Process failing([] { throw mp::ValueError("boom"); }, Object::tuple(), Object::dict(),
                               "failing");
        failing.set_daemon(true);
        QCOMPARE(failing.repr(), std::string("<DummyProcess(failing, initial daemon)>"));
        const std::string printed = capture_stderr([&] {
            failing.start();
            failing.join();
        });
        QCOMPARE(failing.exitcode(), std::optional<int>(0));
        QVERIFY2(printed.starts_with("Exception in thread failing:\nTraceback (most recent call last):\n"),
                 printed.c_str());
        QVERIFY2(printed.ends_with("ValueError: boom\n"), printed.c_str());
        // mp::exit() in a thread just ends it, silently (threading ignores SystemExit).
        dummy::Process exiting([] { mp::exit(3); });
        const std::string quiet = capture_stderr([&] {
            exiting.start();
            exiting.join();
        });
        QCOMPARE(quiet, std::string());
        QCOMPARE(exiting.exitcode(), std::optional<int>(0));
    }

    void currentProcessOfEveryKindOfThread() {
        dummy::Process& main = dummy::current_process();
        QCOMPARE(main.name(), std::string("MainThread"));
        QVERIFY(!main.daemon());
        QVERIFY(matches(main.repr(), "<_MainThread\\(MainThread, started [0-9]+\\)>"));
        QVERIFY(main == dummy::current_process());
        // A thread dummy did not start is a daemonic "Dummy-N"; threads it starts inherit that flag.
        std::string repr, child_daemon;
        std::jthread foreign([&] {
            repr = dummy::current_process().repr();
            dummy::Process child([] {});
            child_daemon = child.daemon() ? "daemon" : "not daemon";
        });
        foreign.join();
        QVERIFY(matches(repr, "<_DummyThread\\(Dummy-[0-9]+, started daemon [0-9]+\\)>"));
        QCOMPARE(child_daemon, std::string("daemon"));
        // active_children is per creating thread: a grandchild is not the main thread's child.
        dummy::Event release;
        dummy::Queue grandchild_seen;
        dummy::Process parent([&] {
            dummy::Process grandchild([&] { release.wait(); });
            grandchild.start();
            grandchild_seen.put(static_cast<std::int64_t>(dummy::active_children().size()));
            grandchild.join();
        });
        parent.start();
        QCOMPARE(grandchild_seen.get(), Object(1));
        const auto mine = dummy::active_children();
        QCOMPARE(mine.size(), std::size_t{1});
        QVERIFY(mine[0] == parent);
        release.set();
        parent.join();
    }

    void processArgumentsCarryDummyObjects() {
        dummy::Queue results;
        dummy::Lock lock;
        dummy::Process p(
            [](dummy::Queue out, dummy::Lock l) {
                l.acquire();
                out.put(l.locked());
            },
            mp::args(results, lock));
        p.start();
        p.join();
        QCOMPARE(results.get(), Object(true));
        QVERIFY(lock.locked()); // the same lock, not a copy
        // A spawn or forkserver child cannot have them: CPython's pickling error, at start().
        QVERIFY(throws_with<mp::TypeError>(
            [&] {
                mp::Process c = mp::get_context("spawn").Process({}, mp::args(lock));
                c.start();
            },
            "cannot pickle '_thread.lock' object"));
        QVERIFY(throws_with<mp::TypeError>(
            [&] {
                mp::Process c = mp::get_context("forkserver").Process({}, mp::args(dummy::RLock()));
                c.start();
            },
            "cannot pickle '_thread.RLock' object"));
        QVERIFY(throws_with<mp::TypeError>(
            [&] {
                mp::Process c = mp::get_context("spawn").Process({}, mp::args(dummy::Manager().list()));
                c.start();
            },
            "cannot send a multiprocessing.dummy list to a spawn child: it lives in this process's memory "
            "(send a copy of its value)"));
        // A fork child has a copy of this process's memory, so it gets a copy of the queue.
        dummy::Queue copied;
        mp::Process forked = mp::get_context("fork").Process(
            [](dummy::Queue q) {
                q.put("in the child's copy");
                if (q.qsize() != 1) mp::exit(1);
            },
            mp::args(copied));
        forked.start();
        forked.join();
        QCOMPARE(forked.exitcode(), std::optional<int>(0));
        QVERIFY(copied.empty());
        dummy::freeze_support(); // nothing to do for threads
    }

    // ---- Lock and RLock -----------------------------------------------------------------------------------

    void lockRules() {
        dummy::Lock lock;
        QVERIFY(matches(lock.repr(), "<unlocked _thread.lock object at 0x[0-9a-f]+>"));
        QVERIFY(throws_with<mp::RuntimeError>([&] { lock.release(); }, "release unlocked lock"));
        QVERIFY(lock.acquire());
        QVERIFY(matches(lock.repr(), "<locked _thread.lock object at 0x[0-9a-f]+>"));
        QVERIFY(!lock.acquire(false));
        QVERIFY(!lock.acquire(false, -1)); // -1 is the default, allowed with block=false
        QVERIFY(!lock.acquire(true, 0));
        const auto start = Clock::now();
        QVERIFY(!lock.acquire(true, 0.05));
        QVERIFY(seconds_since(start) >= 0.04);
        QVERIFY(throws_with<mp::ValueError>([&] { lock.acquire(false, 1); },
                                            "can't specify a timeout for a non-blocking call"));
        QVERIFY(
            throws_with<mp::ValueError>([&] { lock.acquire(true, -2); }, "timeout value must be positive"));
        QVERIFY(throws_with<mp::ValueError>([&] { lock.acquire(false, -5); },
                                            "can't specify a timeout for a non-blocking call"));
        QVERIFY(throws_with<mp::ValueError>([&] { lock.acquire(true, std::nan("")); },
                                            "Invalid value NaN (not a number)"));
        QVERIFY(throws_with<mp::OverflowError>([&] { lock.acquire(true, 1e10); },
                                               "timestamp out of range for platform time_t"));
        // No owner: another thread releases it, and timeout=-1 waits for that.
        std::jthread releaser([&] { lock.release(); });
        QVERIFY(lock.acquire(true, -1));
        releaser.join();
        lock.release();
        QVERIFY(!lock.locked());
        {
            std::lock_guard guard(lock); // Lockable, like Python's `with`
            QVERIFY(lock.locked());
        }
        QVERIFY(!lock.locked());
    }

    void rlockRules() {
        dummy::RLock rlock;
        QVERIFY(matches(rlock.repr(), "<unlocked _thread.RLock object owner=0 count=0 at 0x[0-9a-f]+>"));
        QVERIFY(throws_with<mp::RuntimeError>([&] { rlock.release(); }, "cannot release un-acquired lock"));
        QVERIFY(rlock.acquire());
        QVERIFY(rlock.acquire(false)); // the owner always may
        QVERIFY(matches(rlock.repr(), "<locked _thread.RLock object owner=" +
                                          std::to_string(*dummy::current_process().ident()) +
                                          " count=2 at 0x[0-9a-f]+>"));
        QVERIFY(throws_with<mp::ValueError>([&] { rlock.acquire(false, 1); },
                                            "can't specify a timeout for a non-blocking call"));
        QVERIFY(
            throws_with<mp::ValueError>([&] { rlock.acquire(true, -2); }, "timeout value must be positive"));
        std::string other_release;
        bool other_acquired = true;
        std::jthread other([&] {
            other_acquired = rlock.acquire(true, 0.01);
            other_release = error_of<mp::RuntimeError>([&] { rlock.release(); });
        });
        other.join();
        QVERIFY(!other_acquired);
        QCOMPARE(other_release, std::string("cannot release un-acquired lock"));
        rlock.release();
        rlock.release();
        QVERIFY(throws_with<mp::RuntimeError>([&] { rlock.release(); }, "cannot release un-acquired lock"));
    }

    // ---- Semaphore and BoundedSemaphore -------------------------------------------------------------------

    void semaphoreRules() {
        QVERIFY(throws_with<mp::ValueError>([] { dummy::Semaphore s(-1); },
                                            "semaphore initial value must be >= 0"));
        dummy::Semaphore sem(2);
        QVERIFY(matches(sem.repr(), "<threading.Semaphore at 0x[0-9a-f]+: value=2>"));
        QVERIFY(throws_with<mp::ValueError>([&] { sem.acquire(false, 1.0); },
                                            "can't specify timeout for non-blocking acquire"));
        QVERIFY(sem.acquire());
        QVERIFY(sem.acquire(true, -1)); // negative: no wait, but a free unit is taken
        QVERIFY(!sem.acquire(false));
        QVERIFY(!sem.acquire(true, -1)); // negative is not "for ever" here
        QVERIFY(!sem.acquire(true, 0.01));
        QVERIFY(throws_with<mp::ValueError>([&] { sem.release(0); }, "n must be one or more"));
        // release(n) wakes n waiters.
        dummy::Queue done;
        std::vector<std::jthread> waiters;
        for (int i = 0; i < 3; ++i)
            waiters.emplace_back([&] { done.put(sem.acquire(true, 20)); });
        sem.release(3);
        for (auto& t : waiters)
            t.join();
        QCOMPARE(done.qsize(), std::int64_t{3});
        for (int i = 0; i < 3; ++i)
            QCOMPARE(done.get(), Object(true));
        sem.release(5); // unbounded
        QVERIFY(matches(sem.repr(), "<threading.Semaphore at 0x[0-9a-f]+: value=5>"));

        dummy::BoundedSemaphore bounded(2);
        QVERIFY(matches(bounded.repr(), "<threading.BoundedSemaphore at 0x[0-9a-f]+: value=2/2>"));
        QVERIFY(throws_with<mp::ValueError>([&] { bounded.release(); }, "Semaphore released too many times"));
        bounded.acquire();
        bounded.acquire();
        QVERIFY(matches(bounded.repr(), "<threading.BoundedSemaphore at 0x[0-9a-f]+: value=0/2>"));
        QVERIFY(
            throws_with<mp::ValueError>([&] { bounded.release(3); }, "Semaphore released too many times"));
        bounded.release(2);
    }

    // ---- Condition
    // ------------------------------------------------------------------------------------------

    void conditionRules() {
        dummy::Condition cond;
        QVERIFY(
            matches(cond.repr(),
                    "<Condition\\(<unlocked _thread.RLock object owner=0 count=0 at 0x[0-9a-f]+>, 0\\)>"));
        QVERIFY(throws_with<mp::RuntimeError>([&] { cond.wait(); }, "cannot wait on un-acquired lock"));
        QVERIFY(throws_with<mp::RuntimeError>([&] { cond.wait(-1); }, "cannot wait on un-acquired lock"));
        QVERIFY(throws_with<mp::RuntimeError>([&] { cond.notify(); }, "cannot notify on un-acquired lock"));
        QVERIFY(throws_with<mp::RuntimeError>([&] { cond.release(); }, "cannot release un-acquired lock"));
        cond.acquire();
        cond.acquire(); // an RLock: wait() releases both levels
        QVERIFY(!cond.wait(0));
        QVERIFY(!cond.wait(-1));
        QCOMPARE(cond.wait_for([] { return 0; }, 0.01), 0);

        // Waiters are woken first come, first served; notify() does not wait for them.
        dummy::Queue order, ready;
        std::vector<std::jthread> waiters;
        for (int i = 0; i < 3; ++i) {
            waiters.emplace_back([&, i] {
                std::lock_guard guard(cond);
                ready.put(i);
                order.put(Object::tuple(i, cond.wait(20)));
            });
            cond.release();
            cond.release();
            QCOMPARE(ready.get(), Object(i)); // it holds the lock until wait() releases it
            cond.acquire();
            cond.acquire();
        }
        QVERIFY(
            matches(cond.repr(),
                    "<Condition\\(<locked _thread.RLock object owner=[0-9]+ count=2 at 0x[0-9a-f]+>, 3\\)>"));
        cond.notify(2); // the first two to wait, in whichever order they get the lock back
        cond.release();
        cond.release();
        const std::set<std::int64_t> woken{order.get()[0].as_int(), order.get()[0].as_int()};
        QCOMPARE(woken, (std::set<std::int64_t>{0, 1}));
        cond.acquire();
        cond.notify_all();
        cond.release();
        QCOMPARE(order.get(), Object::tuple(2, true));
        for (auto& t : waiters)
            t.join();

        // Over a plain Lock: "owned" means locked by anyone, as CPython can only tell that.
        dummy::Lock lock;
        dummy::Condition over_lock(lock);
        QVERIFY(
            matches(over_lock.repr(), "<Condition\\(<unlocked _thread.lock object at 0x[0-9a-f]+>, 0\\)>"));
        lock.acquire();
        QVERIFY(!over_lock.wait(0.01));
        QVERIFY(lock.locked());
        over_lock.notify(); // nobody waits: nothing happens
        lock.release();
        QVERIFY(std::holds_alternative<dummy::Lock>(over_lock.get_lock()));

        // wait_for returns the predicate's last value.
        int value = 0;
        dummy::Condition c2;
        std::jthread setter([&] {
            std::lock_guard guard(c2);
            value = 42;
            c2.notify();
        });
        {
            std::lock_guard guard(c2);
            QCOMPARE(c2.wait_for([&] { return value; }, 20), 42);
        }
        setter.join();
    }

    // ---- Event and Barrier
    // ----------------------------------------------------------------------------------

    void eventRules() {
        dummy::Event event;
        QVERIFY(matches(event.repr(), "<threading.Event at 0x[0-9a-f]+: unset>"));
        QVERIFY(!event.is_set());
        QVERIFY(!event.wait(0));
        QVERIFY(!event.wait(-1));
        QVERIFY(!event.wait(0.01));
        std::jthread setter([&] { event.set(); });
        QVERIFY(event.wait());
        setter.join();
        QVERIFY(event.is_set());
        QVERIFY(matches(event.repr(), "<threading.Event at 0x[0-9a-f]+: set>"));
        QVERIFY(event.wait(-1));
        event.clear();
        QVERIFY(!event.is_set());
    }

    void barrierRules() {
        std::atomic<int> actions{0};
        dummy::Barrier barrier(3, [&] { ++actions; });
        QVERIFY(matches(barrier.repr(), "<threading.Barrier at 0x[0-9a-f]+: waiters=0/3>"));
        QCOMPARE(barrier.parties(), std::int64_t{3});
        dummy::Queue indices;
        std::vector<std::jthread> parties;
        for (int round = 0; round < 2; ++round) {
            for (int i = 0; i < 3; ++i)
                parties.emplace_back([&] { indices.put(barrier.wait()); });
            for (auto& t : parties)
                t.join();
            parties.clear();
        }
        std::multiset<std::int64_t> seen;
        for (int i = 0; i < 6; ++i)
            seen.insert(indices.get().as_int());
        QCOMPARE(seen, (std::multiset<std::int64_t>{0, 0, 1, 1, 2, 2}));
        QCOMPARE(actions.load(), 2);
        QCOMPARE(barrier.n_waiting(), std::int64_t{0});

        // A timeout breaks it for everyone until reset().
        dummy::Barrier two(2);
        QVERIFY(throws_with<mp::BrokenBarrierError>([&] { two.wait(0.01); }, ""));
        QVERIFY(two.broken());
        QVERIFY(matches(two.repr(), "<threading.Barrier at 0x[0-9a-f]+: broken>"));
        QVERIFY(throws_with<mp::BrokenBarrierError>([&] { two.wait(); }, ""));
        two.reset();
        QVERIFY(!two.broken());
        // A negative default timeout breaks at once; abort() breaks a waiting party.
        dummy::Barrier impatient(2, {}, -1);
        QVERIFY(throws_with<mp::BrokenBarrierError>([&] { impatient.wait(); }, ""));
        dummy::Barrier aborted(2);
        std::string waiter_error;
        std::jthread waiter([&] {
            waiter_error =
                error_of<mp::BrokenBarrierError>([&] { aborted.wait(20); }).empty() ? "raised" : "?";
        });
        QVERIFY(QTest::qWaitFor([&] { return aborted.n_waiting() == 1; }, 10000));
        aborted.abort();
        waiter.join();
        QCOMPARE(waiter_error, std::string("raised"));
        // An action that throws breaks the barrier and the exception reaches the party that ran it.
        dummy::Barrier failing(1, [] { throw mp::KeyError("k"); });
        QVERIFY(throws_with<mp::KeyError>([&] { failing.wait(); }, "k"));
        QVERIFY(failing.broken());
        QCOMPARE(dummy::Barrier(1).wait(), std::int64_t{0});
    }

    // ---- Queue
    // ------------------------------------------------------------------------------------------------

    void queueRules() {
        dummy::Queue q;
        QVERIFY(matches(q.repr(), "<queue.Queue object at 0x[0-9a-f]+>"));
        QVERIFY(q.empty());
        QVERIFY(!q.full());
        QCOMPARE(q.maxsize(), std::int64_t{0});
        QVERIFY(throws_with<mp::Empty>([&] { q.get(false); }, ""));
        QVERIFY(throws_with<mp::Empty>([&] { q.get_nowait(); }, ""));
        QVERIFY(throws_with<mp::Empty>([&] { q.get(true, 0); }, ""));
        QVERIFY(throws_with<mp::Empty>([&] { q.get(false, -1); }, "")); // block=false ignores the timeout
        QVERIFY(
            throws_with<mp::ValueError>([&] { q.get(true, -1); }, "'timeout' must be a non-negative number"));
        q.put(1, true, -1); // an unbounded queue never checks put's timeout
        q.put(std::vector<int>{2, 3});
        q.put_nowait("three");
        QCOMPARE(q.qsize(), std::int64_t{3});
        QCOMPARE(q.get(), Object(1));
        QCOMPARE(q.get_as<std::vector<int>>(), (std::vector<int>{2, 3}));
        QCOMPARE(q.get(true, 1e10), Object("three")); // a huge timeout is fine when nothing has to wait

        dummy::JoinableQueue bounded(1);
        bounded.put("a");
        QVERIFY(bounded.full());
        QVERIFY(throws_with<mp::Full>([&] { bounded.put("b", false); }, ""));
        QVERIFY(throws_with<mp::Full>([&] { bounded.put_nowait("b"); }, ""));
        QVERIFY(throws_with<mp::Full>([&] { bounded.put("b", true, 0.01); }, ""));
        QVERIFY(throws_with<mp::ValueError>([&] { bounded.put("b", true, -1); },
                                            "'timeout' must be a non-negative number"));
        QVERIFY(throws_with<mp::OverflowError>([&] { bounded.put("b", true, 1e10); },
                                               "timestamp out of range for platform time_t"));
        QCOMPARE(dummy::Queue(-3).full(), false);

        // task_done / join.
        QVERIFY(throws_with<mp::ValueError>([] { dummy::Queue().task_done(); },
                                            "task_done() called too many times"));
        dummy::Event joined;
        std::jthread joiner([&] {
            bounded.join();
            joined.set();
        });
        QCOMPARE(bounded.get(), Object("a"));
        QVERIFY(!joined.wait(0.01)); // got, but not done
        bounded.task_done();
        QVERIFY(joined.wait(20));
        joiner.join();
        bounded.join(); // nothing unfinished: returns at once
    }

    // ---- Pipe, Listener, Client
    // -------------------------------------------------------------------------------

    void pipeSemantics() {
        auto [a, b] = dummy::Pipe();
        a.send(Object::list({1, Object(), "hello"}));
        a.send_bytes("raw");
        a.send_bytes(std::vector<std::uint8_t>{1, 2});
        a.send(std::vector<int>{4});
        QVERIFY(b.poll());
        QCOMPARE(b.recv().repr(), std::string("[1, None, 'hello']"));
        QCOMPARE(b.recv(), Object::bytes("raw")); // send_bytes puts a bytes object
        QCOMPARE(b.recv_bytes(), std::string("\x01\x02", 2));
        QVERIFY(throws_with<mp::TypeError>([&] { b.recv_bytes(); }, "expected bytes, got list"));
        QVERIFY(!b.poll());
        QVERIFY(!b.poll(0.01));
        QVERIFY(!a.poll()); // each end reads only what the other sends
        std::jthread sender([&] { b.send("late"); });
        QVERIFY(a.poll(20));
        sender.join();
        QCOMPARE(a.recv(), Object("late"));
        // duplex=false is ignored (both ends can send), close() does nothing.
        auto [r, w] = dummy::Pipe(false);
        r.send(1);
        w.send(2);
        QCOMPARE(w.recv(), Object(1));
        QCOMPARE(r.recv(), Object(2));
        r.close();
        w.send(3);
        QCOMPARE(r.recv(), Object(3));
        // A connection end travels inside an Object (a thread's argument).
        dummy::Process echo([](dummy::Connection conn) { conn.send(conn.recv()); }, mp::args(b));
        echo.start();
        a.send("ping");
        QCOMPARE(a.recv(), Object("ping"));
        echo.join();
    }

    void listenerAndClient() {
        QCOMPARE(dummy::connection::families.size(), std::size_t{1});
        QVERIFY(dummy::connection::families[0].is_none());
        dummy::connection::Listener listener;
        const dummy::connection::Address address = listener.address();
        QVERIFY(static_cast<bool>(address));
        QVERIFY(matches(address.repr(), "<queue.Queue object at 0x[0-9a-f]+>"));
        dummy::Process client(
            [](dummy::connection::Address where) {
                dummy::Connection conn = dummy::connection::Client(where);
                conn.send("hello from the client");
                conn.send(conn.recv().as_int() + 1);
            },
            mp::args(address));
        client.start();
        dummy::Connection conn = listener.accept();
        QCOMPARE(conn.recv(), Object("hello from the client"));
        conn.send(41);
        QCOMPARE(conn.recv(), Object(42));
        client.join();
        listener.close();
        QVERIFY(!listener.address());
        QCOMPARE(listener.address().repr(), std::string("None"));
        QVERIFY(throws_with<mp::AttributeError>([&] { listener.accept(); },
                                                "'NoneType' object has no attribute 'get'"));
        QVERIFY(throws_with<mp::AttributeError>([] { dummy::connection::Client({}); },
                                                "'NoneType' object has no attribute 'put'"));
        // The backlog holds one waiting client (backlog=1): a second blocks until accept() takes the first.
        dummy::connection::Listener small;
        dummy::Queue connected;
        std::vector<std::jthread> clients;
        for (int i = 0; i < 2; ++i)
            clients.emplace_back([&] {
                dummy::connection::Client(small.address());
                connected.put(1);
            });
        QCOMPARE(connected.get(), Object(1));
        QVERIFY(throws_with<mp::Empty>([&] { connected.get(true, 0.05); }, ""));
        small.accept();
        QCOMPARE(connected.get(), Object(1));
        small.accept();
        for (auto& t : clients)
            t.join();
    }

    // ---- Manager(), Value, Array
    // --------------------------------------------------------------------------------

    void managerHolders() {
        dummy::Manager manager;
        dummy::List list = manager.list(Object::list({1, 2}));
        dummy::Dict dict = manager.dict(Object::dict({{"a", 1}}));
        // Shared by reference between threads.
        std::vector<std::jthread> threads;
        for (int i = 0; i < 4; ++i)
            threads.emplace_back([list, dict, i]() mutable {
                for (int k = 0; k < 250; ++k)
                    list.append(i);
                dict.set_item(i, i * i);
            });
        for (auto& t : threads)
            t.join();
        QCOMPARE(list.size(), std::size_t{1002});
        QCOMPARE(list.count(3), std::int64_t{250});
        QCOMPARE(dict.size(), std::size_t{5});
        QCOMPARE(dict.item(3), Object(9));

        dummy::List l = manager.list();
        QCOMPARE(l.repr(), std::string("[]"));
        l.extend(Object::tuple(1, "x", 3.5));
        l.insert(-10, 0);
        l.insert(100, 9);
        QCOMPARE(l.repr(), std::string("[0, 1, 'x', 3.5, 9]"));
        QCOMPARE(l.item(-1), Object(9));
        QCOMPARE(l.pop(), Object(9));
        QCOMPARE(l.pop(0), Object(0));
        QCOMPARE(l.index("x"), std::int64_t{1});
        QVERIFY(l.contains(3.5));
        l.set_item(0, "one");
        l.del_item(-1);
        l.reverse();
        QCOMPARE(l.copy(), Object::list({"x", "one"}));
        l.extend(Object(l.to_handle())); // extending a list with itself
        QCOMPARE(len(l), std::size_t{4});
        QVERIFY(throws_with<mp::IndexError>([&] { l.item(4); }, "list index out of range"));
        QVERIFY(
            throws_with<mp::IndexError>([&] { l.set_item(-5, 1); }, "list assignment index out of range"));
        QVERIFY(throws_with<mp::IndexError>([&] { l.pop(7); }, "pop index out of range"));
        QVERIFY(throws_with<mp::ValueError>([&] { l.index(5); }, "5 is not in list"));
        QVERIFY(throws_with<mp::ValueError>([&] { l.remove(5); }, "list.remove(x): x not in list"));
        l.clear();
        QVERIFY(throws_with<mp::IndexError>([&] { l.pop(); }, "pop from empty list"));
        QVERIFY(throws_with<mp::TypeError>([&] { l.extend(5); }, "'int' object is not iterable"));

        dummy::Dict d = manager.dict();
        d.set_item("k", 1);
        d.update(Object::list({Object::tuple("j", 2)}));
        QCOMPARE(d.repr(), std::string("{'k': 1, 'j': 2}"));
        QCOMPARE(d.get("missing"), Object());
        QCOMPARE(d.get("missing", 0), Object(0));
        QCOMPARE(d.setdefault("k", 5), Object(1));
        QCOMPARE(d.setdefault("n", 5), Object(5));
        QCOMPARE(d.pop("n"), Object(5));
        QCOMPARE(d.pop("n", "gone"), Object("gone"));
        QCOMPARE(d.keys(), Object::list({"k", "j"}));
        QCOMPARE(d.values(), Object::list({1, 2}));
        QCOMPARE(d.items(), Object::list({Object::tuple("k", 1), Object::tuple("j", 2)}));
        QVERIFY(throws_with<mp::KeyError>([&] { d.item("x"); }, "'x'"));
        QVERIFY(throws_with<mp::KeyError>([&] { d.del_item("x"); }, "'x'"));
        QVERIFY(throws_with<mp::KeyError>([&] { d.pop("x"); }, "'x'"));
        QVERIFY(
            throws_with<mp::ValueError>([&] { d.update(Object::list({Object::tuple(1, 2, 3)})); },
                                        "dictionary update sequence element #0 has length 3; 2 is required"));
        QVERIFY(
            throws_with<mp::TypeError>([&] { d.update(Object::list({1})); },
                                       "cannot convert dictionary update sequence element #0 to a sequence"));

        dummy::Namespace ns = manager.Namespace(Object::dict({{"a1", 1}, {"a", 2}, {"_hidden", 3}}));
        QCOMPARE(ns.repr(), std::string("Namespace(a1=1, a=2)")); // Python sorts the "name=value" texts
        ns.set("b", "x");
        QCOMPARE(ns.get("b"), Object("x"));
        QVERIFY(ns.has("_hidden"));
        ns.del("b");
        QVERIFY(
            throws_with<mp::AttributeError>([&] { ns.get("b"); }, "'Namespace' object has no attribute 'b'"));
        QVERIFY(
            throws_with<mp::AttributeError>([&] { ns.del("b"); }, "'Namespace' object has no attribute 'b'"));

        // The rest of Manager() are the plain threading and queue objects.
        dummy::Queue q = manager.Queue(2);
        QCOMPARE(q.maxsize(), std::int64_t{2});
        dummy::Condition c = manager.Condition(manager.Lock());
        QVERIFY(std::holds_alternative<dummy::Lock>(c.get_lock()));
        manager.start();
        manager.shutdown();
    }

    void valueAndArray() {
        dummy::Value v('i', 3);
        QCOMPARE(v.repr(), std::string("<Value('i', 3)>"));
        QCOMPARE(v.get<int>(), 3);
        v.set_value("anything"); // dummy.Value checks nothing, as in Python
        QCOMPARE(v.repr(), std::string("<Value('i', 'anything')>"));
        QCOMPARE(dummy::Value("d", 1.5).repr(), std::string("<Value('d', 1.5)>"));
        // No lock: concurrent v = v + 1 may lose updates, but each read and write is whole.
        dummy::Value counter('i', 0);
        std::vector<std::jthread> threads;
        for (int i = 0; i < 4; ++i)
            threads.emplace_back([counter]() mutable {
                for (int k = 0; k < 1000; ++k)
                    counter.set(counter.get<int>() + 1);
            });
        for (auto& t : threads)
            t.join();
        QVERIFY(counter.get<int>() >= 1 && counter.get<int>() <= 4000);

        dummy::Array a('i', Object::list({1, 2, 3}));
        QCOMPARE(a.repr(), std::string("array('i', [1, 2, 3])"));
        a.set_item(-1, 30);
        QCOMPARE(a.item(2), Object(30));
        QCOMPARE(a.values<int>(), (std::vector<int>{1, 2, 30}));
        QCOMPARE(dummy::Array("d", {1, 2}).repr(), std::string("array('d', [1.0, 2.0])"));
        QCOMPARE(dummy::Array('f', {0.1}).repr(), std::string("array('f', [0.10000000149011612])"));
        QCOMPARE(dummy::Array('b', Object::list()).repr(), std::string("array('b')"));
        QCOMPARE(dummy::Array('u', Object("ab")).repr(), std::string("array('u', 'ab')"));
        QCOMPARE(dummy::Array('b', Object::bytes("ab")).repr(), std::string("array('b', [97, 98])"));
        QCOMPARE(dummy::Array('B', std::vector<int>{255}).item(0), Object(255));
        QVERIFY(
            throws_with<mp::TypeError>([] { dummy::Array('i', Object(3)); }, "'int' object is not iterable"));
        QVERIFY(
            throws_with<mp::ValueError>([] { dummy::Array('z', Object::list()); },
                                        "bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)"));
        QVERIFY(throws_with<mp::TypeError>([] { dummy::Array('i', {1.5}); },
                                           "'float' object cannot be interpreted as an integer"));
        QVERIFY(throws_with<mp::OverflowError>([] { dummy::Array('b', {300}); },
                                               "signed char is greater than maximum"));
        QVERIFY(throws_with<mp::OverflowError>([] { dummy::Array('H', {-1}); },
                                               "unsigned short is less than minimum"));
        QVERIFY(throws_with<mp::OverflowError>([] { dummy::Array('I', {-1}); },
                                               "can't convert negative value to unsigned int"));
        QVERIFY(throws_with<mp::OverflowError>(
            [] { dummy::Array('q', {Object::parse_int("9223372036854775808")}); }, "int too big to convert"));
        QVERIFY(throws_with<mp::TypeError>([] { dummy::Array('d', {"x"}); }, "must be real number, not str"));
        QVERIFY(throws_with<mp::TypeError>([] { dummy::Array('u', {1}); },
                                           "array item must be unicode character"));
        QVERIFY(throws_with<mp::TypeError>([] { dummy::Array('i', Object("ab")); },
                                           "cannot use a str to initialize an array with typecode 'i'"));
        QVERIFY(throws_with<mp::ValueError>([] { dummy::Array('i', Object::bytes("abc")); },
                                            "bytes length not a multiple of item size"));
        QVERIFY(throws_with<mp::IndexError>([&] { a.item(3); }, "array index out of range"));
        QVERIFY(
            throws_with<mp::IndexError>([&] { a.set_item(3, 1); }, "array assignment index out of range"));
    }

    // ---- many threads, nothing lost
    // -------------------------------------------------------------------------

    void hammerLockAndQueue() {
        dummy::Lock lock;
        std::int64_t counter = 0; // guarded by `lock` only
        std::vector<dummy::Process> threads;
        for (int i = 0; i < 8; ++i)
            threads.emplace_back([&] {
                for (int k = 0; k < 5000; ++k) {
                    std::lock_guard guard(lock);
                    ++counter;
                }
            });
        for (auto& t : threads)
            t.start();
        for (auto& t : threads)
            t.join();
        QCOMPARE(counter, std::int64_t{40000});

        dummy::JoinableQueue q(16); // small, so producers block on a full queue too
        constexpr int producers = 6, consumers = 4, per_producer = 2000;
        std::mutex seen_mutex;
        std::vector<int> seen(producers * per_producer, 0);
        std::vector<dummy::Process> workers;
        for (int p = 0; p < producers; ++p)
            workers.emplace_back([&q, p] {
                for (int k = 0; k < per_producer; ++k)
                    q.put(p * per_producer + k);
            });
        for (int c = 0; c < consumers; ++c)
            workers.emplace_back([&] {
                for (Object item = q.get(); !item.is_none(); item = q.get()) {
                    {
                        std::lock_guard guard(seen_mutex);
                        ++seen[static_cast<std::size_t>(item.as_int())];
                    }
                    q.task_done();
                }
                q.task_done();
            });
        for (auto& w : workers)
            w.start();
        for (int p = 0; p < producers; ++p)
            workers[static_cast<std::size_t>(p)].join();
        q.join(); // every item taken and done
        for (int c = 0; c < consumers; ++c)
            q.put(Object());
        for (auto& w : workers)
            w.join();
        QCOMPARE(std::count(seen.begin(), seen.end(), 1), std::ptrdiff_t{producers * per_producer});
        QCOMPARE(q.qsize(), std::int64_t{0});
    }

    // ---- ThreadPool
    // -------------------------------------------------------------------------------------------

    void poolMapOrderAndChunks() {
        dummy::Pool pool(3);
        QCOMPARE(pool.repr(), std::string("<multiprocessing.pool.ThreadPool state=RUN pool_size=3>"));
        QCOMPARE(pool.map(square, {1, 2, 3}), Object::list({1, 4, 9}));
        std::vector<std::int64_t> input(100);
        for (std::size_t i = 0; i < input.size(); ++i)
            input[i] = static_cast<std::int64_t>(i);
        const Object squares = pool.map(square, input);
        QCOMPARE(squares.size(), std::size_t{100});
        for (std::size_t i = 0; i < 100; ++i)
            QCOMPARE(squares[i].as_int(), static_cast<std::int64_t>(i * i));
        QCOMPARE(pool.map(square, Object::list()), Object::list());
        QCOMPARE(pool.map(square, Object::tuple(2, 3)), Object::list({4, 9}));
        QCOMPARE(pool.map([](const std::string& c) { return c + c; }, Object("ab")),
                 Object::list({"aa", "bb"}));
        QVERIFY(
            throws_with<mp::TypeError>([&] { pool.map(square, Object(5)); }, "'int' object is not iterable"));

        // Items of one chunk run together, in one worker: with chunksize 4, items 0-3 share a thread.
        std::mutex mutex;
        std::vector<std::uint64_t> ran_on(10);
        auto record = [&](std::int64_t x) {
            std::lock_guard guard(mutex);
            ran_on[static_cast<std::size_t>(x)] = *dummy::current_process().ident();
            return x;
        };
        const std::vector<std::int64_t> ten(input.begin(), input.begin() + 10);
        QCOMPARE(pool.map(record, ten, 4).size(), std::size_t{10});
        for (std::size_t chunk_start : {0u, 4u, 8u})
            for (std::size_t i = chunk_start; i < std::min<std::size_t>(chunk_start + 4, 10); ++i)
                QCOMPARE(ran_on[i], ran_on[chunk_start]);
        // chunksize 0 (or less): [None] * n and nothing runs (CPython's quirk).
        std::atomic<int> calls{0};
        auto count_calls = [&](std::int64_t x) {
            ++calls;
            return x;
        };
        QCOMPARE(pool.map(count_calls, {1, 2, 3}, 0), Object::list({Object(), Object(), Object()}));
        QCOMPARE(pool.map(count_calls, {1, 2}, -1), Object::list({Object(), Object()}));
        QCOMPARE(calls.load(), 0);
        // starmap unpacks each item.
        QCOMPARE(pool.starmap([](std::int64_t a, std::int64_t b) { return a * 10 + b; },
                              Object::list({Object::tuple(1, 2), Object::list({3, 4})})),
                 Object::list({12, 34}));
        QVERIFY(throws_with<mp::TypeError>([&] { pool.starmap(square, Object::list({2})); },
                                           "'int' object is not iterable"));
        dummy::MapResult star_async = pool.starmap_async([](std::int64_t a, std::int64_t b) { return a - b; },
                                                         Object::list({Object::tuple(5, 2)}));
        QCOMPARE(star_async.get(), Object::list({3}));
        // Lambdas capture by reference: threads share memory.
        std::vector<int> shared(5, 0);
        pool.map([&](std::int64_t i) { shared[static_cast<std::size_t>(i)] = 1; }, {0, 1, 2, 3, 4}, 1);
        QCOMPARE(shared, std::vector<int>(5, 1));
    }

    void poolApplyAndResults() {
        dummy::Pool pool(2);
        QCOMPARE(pool.apply(square, mp::args(7)), Object(49));
        QCOMPARE(
            pool.apply([](const Object& args, const Object& kwargs) { return Object::tuple(args, kwargs); },
                       mp::args(1), Object::dict({{"k", 2}})),
            Object::tuple(Object::tuple(1), Object::dict({{"k", 2}})));

        dummy::Event go;
        dummy::AsyncResult slow = pool.apply_async([&] {
            go.wait();
            return 5;
        });
        QVERIFY(matches(slow.repr(), "<multiprocessing.pool.ApplyResult object at 0x[0-9a-f]+>"));
        QVERIFY(!slow.ready());
        QVERIFY(throws_with<mp::ValueError>([&] { slow.successful(); }, slow.repr() + " not ready"));
        QVERIFY(throws_with<mp::TimeoutError>([&] { slow.get(-1); }, ""));
        QVERIFY(throws_with<mp::TimeoutError>([&] { slow.get(0.01); }, ""));
        slow.wait(0.01);
        go.set();
        QCOMPARE(slow.get(), Object(5));
        QVERIFY(slow.ready());
        QVERIFY(slow.successful());
        QCOMPARE(slow.get_as<int>(), 5);

        // Thread pools hand back the worker's own exception: same type, not wrapped.
        QVERIFY(throws_with<mp::ZeroDivisionError>([&] { pool.apply(reciprocal_of_zero_fails, mp::args(0)); },
                                                   "division by zero"));
        bool runtime_error = false;
        try {
            pool.apply([] { throw std::runtime_error("plain C++"); });
        } catch (const std::runtime_error& e) {
            runtime_error = std::string(e.what()) == "plain C++" && !dynamic_cast<const mp::Exception*>(&e);
        }
        QVERIFY(runtime_error);
        dummy::AsyncResult failed = pool.apply_async(reciprocal_of_zero_fails, mp::args(0));
        failed.wait();
        QVERIFY(!failed.successful());
        QVERIFY(
            throws_with<mp::TypeError>([&] { pool.apply(square, mp::args("x")); }, "expected int, got str"));
    }

    void poolCallbacks() {
        dummy::Pool pool(3);
        // Callbacks run on the result handler thread, before ready() turns true.
        dummy::Queue called;
        auto on_result = [&](const Object& value) {
            called.put(Object::tuple(value, dummy::current_process().name()));
        };
        dummy::AsyncResult r = pool.apply_async(square, mp::args(3), Object::dict(), on_result);
        r.wait();
        const Object call = called.get_nowait();
        QCOMPARE(call[0], Object(9));
        QVERIFY(matches(call[1].as_str(), "Thread-[0-9]+ \\(_handle_results\\)"));
        // map_async: the whole list, once; a typed callback converts it.
        std::vector<std::int64_t> typed;
        dummy::MapResult m =
            pool.map_async(square, {1, 2, 3, 4, 5}, 2, [&](std::vector<std::int64_t> all) { typed = all; });
        QCOMPARE(m.get(), Object::list({1, 4, 9, 16, 25}));
        QVERIFY(matches(m.repr(), "<multiprocessing.pool.MapResult object at 0x[0-9a-f]+>"));
        QCOMPARE(typed, (std::vector<std::int64_t>{1, 4, 9, 16, 25}));
        // Empty input: ready at once, the callback is not called.
        bool empty_called = false;
        dummy::MapResult empty =
            pool.map_async(square, Object::list(), std::nullopt, [&](const Object&) { empty_called = true; });
        QVERIFY(empty.ready());
        QCOMPARE(empty.get(), Object::list());
        QVERIFY(!empty_called);

        // Errors: get() raises the first failure; error_callback once, after every chunk finished.
        std::atomic<int> error_calls{0};
        std::string error_type;
        std::atomic<int> finished{0};
        auto slow_fail = [&](std::int64_t x) {
            if (x % 2 == 0) throw mp::ZeroDivisionError("even " + std::to_string(x));
            ++finished;
            return x;
        };
        dummy::MapResult failing =
            pool.map_async(slow_fail, {0, 1, 2, 3, 5, 7}, 1, {}, [&](const mp::Exception& e) {
                ++error_calls;
                error_type =
                    std::string(e.type_name()) + (finished.load() == 4 ? " after all" : " too early");
            });
        failing.wait();
        QVERIFY(!failing.successful());
        QCOMPARE(error_calls.load(), 1);
        QCOMPARE(error_type, std::string("ZeroDivisionError after all"));
        QVERIFY(error_of<mp::ZeroDivisionError>([&] { failing.get(); }).starts_with("even "));
        // The error callback forms of mp::Pool (ExceptionValue) and of threads (exception_ptr).
        dummy::Queue values;
        pool.apply_async(reciprocal_of_zero_fails, mp::args(0), Object::dict(), {},
                         [&](const mp::ExceptionValue& e) { values.put(Object::tuple(e.type, e.message)); })
            .wait();
        QCOMPARE(values.get_nowait(), Object::tuple("ZeroDivisionError", "division by zero"));
        pool.apply_async([] { throw std::out_of_range("range"); }, Object::tuple(), Object::dict(), {},
                         [&](std::exception_ptr e) {
                             try {
                                 std::rethrow_exception(e);
                             } catch (const std::out_of_range& x) {
                                 values.put(x.what());
                             }
                         })
            .wait();
        QCOMPARE(values.get_nowait(), Object("range"));
    }

    void poolImap() {
        dummy::Pool pool(3);
        dummy::IMapIterator it = pool.imap(square, {1, 2, 3, 4});
        QVERIFY(matches(it.repr(), "<multiprocessing.pool.IMapIterator object at 0x[0-9a-f]+>"));
        std::vector<std::int64_t> got;
        for (const Object& x : it)
            got.push_back(x.as_int());
        QCOMPARE(got, (std::vector<std::int64_t>{1, 4, 9, 16}));
        QVERIFY(throws_with<mp::StopIteration>([&] { it.next(); }, ""));

        // In input order whatever the finishing order; imap_unordered in finishing order.
        dummy::Event first_may_finish;
        auto held_back = [&](std::int64_t x) {
            if (x == 0) first_may_finish.wait();
            return x;
        };
        dummy::IMapIterator ordered = pool.imap(held_back, {0, 1, 2});
        QVERIFY(throws_with<mp::TimeoutError>([&] { ordered.next(0.05); }, ""));
        QVERIFY(throws_with<mp::TimeoutError>([&] { ordered.next(-1); }, ""));
        first_may_finish.set();
        QCOMPARE(ordered.next(20), Object(0));
        QCOMPARE(ordered.next(), Object(1));
        QCOMPARE(ordered.next_as<int>(), 2);
        first_may_finish.clear();
        dummy::IMapIterator unordered = pool.imap_unordered(held_back, {0, 1, 2});
        QVERIFY(
            matches(unordered.repr(), "<multiprocessing.pool.IMapUnorderedIterator object at 0x[0-9a-f]+>"));
        std::set<std::int64_t> early{unordered.next(20).as_int(), unordered.next(20).as_int()};
        QCOMPARE(early, (std::set<std::int64_t>{1, 2}));
        first_may_finish.set();
        QCOMPARE(unordered.next(20), Object(0));
        QVERIFY(throws_with<mp::StopIteration>([&] { unordered.next(); }, ""));

        // A failing task raises at its position, and iteration goes on.
        dummy::IMapIterator failing = pool.imap(reciprocal_of_zero_fails, {1, 0, 2});
        QCOMPARE(failing.next(), Object(100));
        QVERIFY(throws_with<mp::ZeroDivisionError>([&] { failing.next(); }, "division by zero"));
        QCOMPARE(failing.next(), Object(50));
        QVERIFY(throws_with<mp::StopIteration>([&] { failing.next(); }, ""));
        // Chunks: single items come out; a failed chunk raises at its first item.
        dummy::IMapIterator chunked = pool.imap(reciprocal_of_zero_fails, {1, 2, 4, 0, 5}, 2);
        QCOMPARE(chunked.next(), Object(100));
        QCOMPARE(chunked.next(), Object(50));
        QVERIFY(throws_with<mp::ZeroDivisionError>([&] { chunked.next(); }, "division by zero"));
        QCOMPARE(chunked.next(), Object(20));
        QVERIFY(throws_with<mp::StopIteration>([&] { chunked.next(); }, ""));
        QVERIFY(
            throws_with<mp::ValueError>([&] { pool.imap(square, {1}, 0); }, "Chunksize must be 1+, not 0"));
        QVERIFY(throws_with<mp::ValueError>([&] { pool.imap_unordered(square, {1}, -1); },
                                            "Chunksize must be 1+, not -1"));
        // The input is consumed lazily on the pool's task thread; its exception comes at its position.
        std::string consumed_on;
        int produced = 0;
        dummy::IMapIterator lazy = pool.imap(square, [&]() -> std::optional<Object> {
            consumed_on = dummy::current_process().name();
            if (produced == 2) throw mp::KeyError("k");
            return Object(++produced);
        });
        QCOMPARE(lazy.next(), Object(1));
        QCOMPARE(lazy.next(), Object(4));
        QVERIFY(throws_with<mp::KeyError>([&] { lazy.next(); }, "k"));
        QVERIFY(throws_with<mp::StopIteration>([&] { lazy.next(); }, ""));
        QVERIFY(matches(consumed_on, "Thread-[0-9]+ \\(_handle_tasks\\)"));
        // A non-iterable fails on the first next(), as Python's generator does.
        dummy::IMapIterator not_iterable = pool.imap(square, Object(5));
        QVERIFY(throws_with<mp::TypeError>([&] { not_iterable.next(); }, "'int' object is not iterable"));
    }

    void poolThreadsAndNames() {
        const int before = thread_number(dummy::Process().name());
        std::atomic<int> initialized{0};
        dummy::Pool pool(
            3, [&](std::int64_t step) { initialized += static_cast<int>(step); }, mp::args(10));
        dummy::Queue names;
        pool.map(
            [&](std::int64_t) {
                names.put(Object::tuple(dummy::current_process().name(), dummy::current_process().daemon()));
            },
            {1, 2, 3, 4, 5, 6}, 1);
        std::set<int> numbers;
        while (!names.empty()) {
            const Object n = names.get();
            QVERIFY(matches(n[0].as_str(), "Thread-[0-9]+ \\(worker\\)"));
            QCOMPARE(n[1], Object(true));
            numbers.insert(thread_number(n[0].as_str()));
        }
        for (int number : numbers)
            QVERIFY(number >= before + 1 && number <= before + 3);
        QCOMPARE(initialized.load(), 30); // initializer(*initargs) once per worker
        // Workers are the creating thread's children (DummyProcesses); the handler threads are not.
        QCOMPARE(dummy::active_children().size(), std::size_t{3});
        // Workers are Thread-(n+1..n+3); CPython's worker handler takes n+4, then the task and result
        // handlers.
        dummy::Queue handler;
        pool.apply_async(square, mp::args(1), Object::dict(),
                         [&](const Object&) { handler.put(dummy::current_process().repr()); })
            .wait();
        QVERIFY(
            matches(handler.get_nowait().as_str(), "<Thread\\(Thread-" + std::to_string(before + 6) +
                                                       " \\(_handle_results\\), started daemon [0-9]+\\)>"));
        QVERIFY(
            throws_with<mp::ValueError>([] { dummy::Pool p(0); }, "Number of processes must be at least 1"));
        QVERIFY(throws_with<mp::ValueError>([] { dummy::ThreadPool p(-1); },
                                            "Number of processes must be at least 1"));
        dummy::Pool default_size;
        QCOMPARE(default_size.repr(), "<multiprocessing.pool.ThreadPool state=RUN pool_size=" +
                                          std::to_string(mp::cpu_count()) + ">");
    }

    void poolCloseTerminateJoin() {
        dummy::Pool pool(2);
        QVERIFY(throws_with<mp::ValueError>([&] { pool.join(); }, "Pool is still running"));
        dummy::Event go;
        dummy::AsyncResult pending = pool.apply_async([&] {
            go.wait();
            return 1;
        });
        pool.close();
        QCOMPARE(pool.repr(), std::string("<multiprocessing.pool.ThreadPool state=CLOSE pool_size=2>"));
        QVERIFY(throws_with<mp::ValueError>([&] { pool.apply(square, mp::args(1)); }, "Pool not running"));
        QVERIFY(throws_with<mp::ValueError>([&] { pool.map(square, {1}); }, "Pool not running"));
        QVERIFY(throws_with<mp::ValueError>([&] { pool.imap(square, {1}); }, "Pool not running"));
        // close(): what was submitted still completes, then the workers leave.
        go.set();
        pool.join();
        QCOMPARE(pending.get(), Object(1));
        QVERIFY(dummy::active_children().empty());

        // terminate(): queued tasks are dropped, their results never complete; running ones finish.
        dummy::Pool busy(1);
        dummy::Event release, running;
        dummy::AsyncResult first = busy.apply_async([&] {
            running.set();
            release.wait();
            return 1;
        });
        dummy::AsyncResult queued = busy.apply_async(square, mp::args(2));
        QVERIFY(running.wait(20));
        busy.terminate();
        QCOMPARE(busy.repr(), std::string("<multiprocessing.pool.ThreadPool state=TERMINATE pool_size=1>"));
        QVERIFY(throws_with<mp::ValueError>([&] { busy.apply(square, mp::args(1)); }, "Pool not running"));
        busy.terminate(); // once is enough
        release.set();
        busy.join();
        QVERIFY(!queued.ready());
        QVERIFY(throws_with<mp::TimeoutError>([&] { queued.get(0.01); }, ""));

        // A callback that throws ends the result thread (printed as in CPython); later results never
        // arrive, and terminate() refuses to leave them behind.
        dummy::Pool broken(1);
        const int threads_before = thread_count();
        const std::string printed = capture_stderr([&] {
            broken.apply_async(square, mp::args(1), Object::dict(),
                               [](const Object&) { throw mp::RuntimeError("callback"); });
            QVERIFY(QTest::qWaitFor([&] { return thread_count() == threads_before - 1; }, 20000));
        });
        QVERIFY2(
            matches(
                printed,
                "Exception in thread Thread-[0-9]+ \\(_handle_results\\):\n(.|\n)*RuntimeError: callback\n"),
            printed.c_str());
        dummy::AsyncResult never = broken.apply_async(square, mp::args(2));
        QVERIFY(throws_with<mp::TimeoutError>([&] { never.get(0.05); }, ""));
        QVERIFY(throws_with<mp::AssertionError>([&] { broken.terminate(); },
                                                "Cannot have cache with result_hander not alive"));
    }
};

MP_QTEST_MAIN(TestDummy)
#include "tst_dummy.moc"
