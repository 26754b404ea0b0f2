// Pool, AsyncResult and IMapIterator (SPEC §10) under fork, spawn and forkserver: the constructor's checks,
// worker names, daemon flag and initializer, apply/map/starmap/imap with Python's ordering, chunking and
// error rules, callbacks, the lifecycle errors, maxtasksperchild; and beyond CPython: a worker killed or
// ending by _exit fails exactly its task with WorkerLostError at once while the pool carries on, a callback
// that throws reports on its result, Ctrl-C in a waiting map() returns KeyboardInterrupt and leaves no
// worker. What the observation plane shows of a pool is checked along the way, and after every pool that
// its row and its workers are gone.
#include "expect_error.hpp"
#include "mp_test_main.hpp"

#include <mp/context.hpp>
#include <mp/pool.hpp>
#include <mp/scope/observe.hpp>
#include <mp/scope/report.hpp>
#include <mp/scope/session.hpp>
#include <mp/synchronize.hpp>

#include <QScopeGuard>
#include <QTest>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using test_support::throws_with;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Polls `condition` until it holds or `seconds` pass; for states another process reaches.
bool eventually(const std::function<bool()>& condition, double seconds = 10) {
    const auto start = Clock::now();
    while (!condition()) {
        if (seconds_since(start) > seconds) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

void add_methods() {
    QTest::addColumn<QString>("method");
    for (const char* method : {"fork", "spawn", "forkserver"})
        QTest::newRow(method) << QString(method);
}

mp::Context& context() {
    QFETCH(QString, method);
    return mp::get_context(method.toStdString());
}

std::string prefix(const mp::Context& ctx) {
    return ctx.start_method() == "fork"    ? "ForkPoolWorker-"
           : ctx.start_method() == "spawn" ? "SpawnPoolWorker-"
                                           : "ForkServerPoolWorker-";
}

mp::scope::Snapshot snapshot() {
    return mp::scope::Session::attach(mp::scope::current_session()).snapshot();
}

mp::scope::ObjectInfo pool_row(const mp::Pool& pool) {
    const auto snap = snapshot();
    const mp::scope::ObjectInfo* o = snap.object(pool.scope_id());
    if (!o) throw std::runtime_error("the pool has no row");
    return *o;
}

std::vector<int> worker_pids(const mp::Pool& pool) {
    std::vector<int> pids;
    for (const auto& w : pool_row(pool).workers)
        if (w.pid > 0) pids.push_back(w.pid);
    return pids;
}

bool pid_gone(int pid) {
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// A pool's end leaves nothing behind: its row is freed and every worker it had is gone.
void check_gone(std::uint32_t pool_id, const std::vector<int>& pids) {
    const auto snap = snapshot();
    QVERIFY2(snap.object(pool_id) == nullptr, "the pool's row outlived the pool");
    for (int pid : pids)
        QVERIFY2(pid_gone(pid), qPrintable("worker " + QString::number(pid) + " outlived the pool"));
}

std::vector<std::int64_t> range(std::int64_t n) {
    std::vector<std::int64_t> v;
    for (std::int64_t i = 0; i < n; ++i)
        v.push_back(i);
    return v;
}

// A user exception type that is registered everywhere (workers too: at static initialisation) ...
struct PoolTestError : mp::Exception {
    using mp::Exception::Exception;
    std::string_view type_name() const noexcept override { return "PoolTestError"; }
};
const bool registered = [] {
    mp::register_exception_type<PoolTestError>("PoolTestError");
    return true;
}();
// ... and one the parent does not know.
struct PoolTestUnknown : mp::Exception {
    using mp::Exception::Exception;
    std::string_view type_name() const noexcept override { return "PoolTestUnknown"; }
};

std::string initialized = "no";

} // namespace

std::int64_t square(std::int64_t x) {
    return x * x;
}
MP_TASK(square);

std::int64_t add(std::int64_t a, std::int64_t b) {
    return a + b;
}
MP_TASK(add);

mp::Object identity(const mp::Object& x) {
    return x;
}
MP_TASK(identity);

// An item Object that is not a registered task's typed function: the general path, item by item.
mp::Object identity_raw(const mp::Object& args, const mp::Object&) {
    return args[0];
}
MP_TASK(identity_raw);

void remember(const std::string& text) {
    initialized = text;
}
MP_TASK(remember);

// (name, daemon, pid, what the initializer left)
mp::Object whoami(std::int64_t) {
    return mp::Object::tuple(mp::current_process().name(), mp::current_process().daemon(),
                             static_cast<std::int64_t>(::getpid()), initialized);
}
MP_TASK(whoami);

std::int64_t pid_of_worker(std::int64_t) {
    return ::getpid();
}
MP_TASK(pid_of_worker);

double inverse(double x) {
    if (x == 5.0) throw mp::ZeroDivisionError("float division by zero");
    return 1.0 / (x - 5.0);
}
MP_TASK(inverse);

void raise_error(const std::string& which) {
    if (which == "registered") throw PoolTestError("registered one");
    throw PoolTestUnknown("unknown one");
}
MP_TASK(raise_error);

std::int64_t kill_self_at(std::int64_t x, std::int64_t at) {
    if (x == at) ::raise(SIGKILL);
    return x * x;
}
MP_TASK(kill_self_at);

std::int64_t square_or_die(std::int64_t x) {
    return kill_self_at(x, 3);
}
MP_TASK(square_or_die);

void exit_now(std::int64_t code) {
    ::_exit(static_cast<int>(code));
}
MP_TASK(exit_now);

// Tells the test it runs, then waits to be released (or killed).
std::int64_t hold(mp::Event started, mp::Event release) {
    started.set();
    release.wait();
    return ::getpid();
}
MP_TASK(hold);

// hold() for map and imap, which pass each item as the one argument: the item is the pair of events.
std::int64_t hold_pair(const mp::Object& events) {
    return hold(mp::from_object<mp::Event>(events[0]), mp::from_object<mp::Event>(events[1]));
}
MP_TASK(hold_pair);

void pause_for(double seconds) {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}
MP_TASK(pause_for);

std::string bad_utf8() {
    return "\xff";
}
MP_TASK(bad_utf8);

class TestPool : public QObject {
    Q_OBJECT

private slots:
    void constructorChecks_data() { add_methods(); }
    void constructorChecks() {
        mp::Context& ctx = context();
        QVERIFY(throws_with<mp::ValueError>([&] { ctx.Pool(0); }, "Number of processes must be at least 1"));
        QVERIFY(throws_with<mp::ValueError>([&] { ctx.Pool(-1); }, "Number of processes must be at least 1"));
        for (std::int64_t bad : {0, -1})
            QVERIFY(throws_with<mp::ValueError>([&] { ctx.Pool(1, {}, mp::Object::tuple(), bad); },
                                                "maxtasksperchild must be a positive int or None"));
        // Spawn and forkserver workers find the initializer by name.
        auto lambda = [] {};
        if (ctx.start_method() == "fork") {
            mp::Pool pool = ctx.Pool(1, lambda);
            QCOMPARE(pool.apply(square, mp::args(3)), mp::Object(9));
        } else {
            const std::string what = test_support::error_of<mp::PicklingError>([&] { ctx.Pool(1, lambda); });
            QVERIFY2(what.find("MP_TASK") != std::string::npos, what.c_str());
        }
    }

    void workersAndInitializer_data() { add_methods(); }
    void workersAndInitializer() {
        mp::Context& ctx = context();
        std::uint32_t id;
        std::vector<int> pids;
        {
            mp::Pool pool = ctx.Pool(3, remember, mp::args("yes"));
            QCOMPARE(pool.repr(), std::string("<multiprocessing.pool.Pool state=RUN pool_size=3>"));
            id = pool.scope_id();
            std::set<std::string> names;
            const mp::Object seen = pool.map(whoami, range(30), 1);
            for (const mp::Object& w : seen.items()) {
                const std::string name = w[0].as_str();
                QVERIFY2(name.starts_with(prefix(ctx)), name.c_str());
                QCOMPARE(w[1], mp::Object(true));  // daemonic
                QCOMPARE(w[3], mp::Object("yes")); // the initializer ran first
                names.insert(name);
            }
            QVERIFY(names.size() <= 3);
            const auto row = pool_row(pool);
            QCOMPARE(row.kind, std::string("Pool"));
            QVERIFY(!row.internal);
            QCOMPARE(row.pool_state, std::string("RUN"));
            QCOMPARE(row.pool_size, 3u);
            QCOMPARE(row.workers.size(), std::size_t{3});
            QCOMPARE(row.tasks_completed, std::uint64_t{30});
            for (const auto& w : row.workers) {
                QVERIFY(w.pid > 0 && w.process != 0);
                QCOMPARE(w.generation, 1u);
                QVERIFY(w.startup > 0);
            }
            pids = worker_pids(pool);
            pool.close();
            QCOMPARE(pool.repr(), std::string("<multiprocessing.pool.Pool state=CLOSE pool_size=3>"));
            pool.join();
        }
        check_gone(id, pids);
    }

    void applyMapStarmap_data() { add_methods(); }
    void applyMapStarmap() {
        mp::Pool pool = context().Pool(2);
        QCOMPARE(pool.apply(add, mp::args(2, 3)), mp::Object(5));
        QCOMPARE(pool.apply_async(square, mp::args(7)).get_as<int>(), 49);
        std::vector<std::int64_t> expected;
        for (std::int64_t i = 0; i < 100; ++i)
            expected.push_back(i * i);
        for (std::optional<std::int64_t> chunksize : {std::optional<std::int64_t>{}, {1}, {7}, {1000}})
            QCOMPARE(mp::from_object<std::vector<std::int64_t>>(pool.map(square, range(100), chunksize)),
                     expected);
        const mp::Object pairs = mp::Object::list({mp::Object::tuple(1, 2), mp::Object::tuple(3, 4)});
        QCOMPARE(pool.starmap(add, pairs), mp::Object::list({3, 7}));
        // Any iterable Object: a tuple, a str (one item per character) ...
        QCOMPARE(pool.map(square, mp::Object::tuple(2, 3)), mp::Object::list({4, 9}));
        // Python's quirk: an explicit chunksize of 0 runs nothing and gives [None] * n.
        QCOMPARE(pool.map(square, range(3), 0), mp::Object::list({mp::None, mp::None, mp::None}));
        // A function that is not a registered task is refused, naming the fix.
        const std::string what = test_support::error_of<mp::PicklingError>(
            [&] { pool.apply_async([](int x) { return x; }, mp::args(1)); });
        QVERIFY2(what.find("register it with MP_TASK") != std::string::npos, what.c_str());
    }

    // Results of every kind come back in order, whether the parent reads a chunk's numbers straight into
    // the final list or the general way (any other value in the chunk), and whatever the chunk size.
    void mapResultsOfEveryKind_data() { add_methods(); }
    void mapResultsOfEveryKind() {
        mp::Pool pool = context().Pool(2);
        std::vector<mp::Object> items;
        for (std::int64_t i = 0; i < 30'000; ++i) {
            switch (i % 9) {
            case 0:
                items.emplace_back(i);
                break;
            case 1:
                items.emplace_back(i * 1'000'000'007);
                break;
            case 2:
                items.emplace_back(-i);
                break;
            case 3:
                items.emplace_back(static_cast<double>(i) / 3);
                break;
            case 4:
                items.emplace_back(i % 2 == 0);
                break;
            case 5:
                items.emplace_back();
                break;
            default:
                items.emplace_back(i & 0xFFFF);
                break;
            }
        }
        const mp::Object numbers = mp::Object::list(items);
        items[12'345] = mp::Object("a str among them");
        items[20'000] = mp::Object::parse_int("123456789012345678901234567890");
        const mp::Object mixed = mp::Object::list(items);
        for (std::optional<std::int64_t> chunksize : {std::optional<std::int64_t>{}, {1}, {7}, {30'000}}) {
            QVERIFY(pool.map(identity, numbers, chunksize) == numbers);
            QVERIFY(pool.map(identity, mixed, chunksize) == mixed);
            QVERIFY(pool.map_async(identity, numbers, chunksize).get() == numbers);
            QVERIFY(pool.map(identity_raw, mixed, chunksize) == mixed);
        }
        // A task that cannot take the one argument fails as when it is called item by item.
        QVERIFY(throws_with<mp::TypeError>([&] { pool.map(add, range(10)); },
                                           "add() missing 1 required positional argument"));
        QCOMPARE(pool.map(square, range(3)), mp::Object::list({0, 1, 4}));
    }

    void defaultChunksize_data() { add_methods(); }
    void defaultChunksize() {
        // With one task per worker, every chunk runs in a worker of its own: 13 items on 3 workers make
        // chunks of ceil(13 / 12) = 2, so 7 pids, each for two neighbours (the last alone).
        mp::Pool pool = context().Pool(3, {}, mp::Object::tuple(), 1);
        const mp::Object pids = pool.map(pid_of_worker, range(13));
        std::set<std::int64_t> distinct;
        for (std::size_t i = 0; i < 13; ++i) {
            distinct.insert(pids[i].as_int());
            if (i % 2 == 1) QCOMPARE(pids[i], pids[i - 1]);
        }
        QCOMPARE(distinct.size(), std::size_t{7});
    }

    void callbacks_data() { add_methods(); }
    void callbacks() {
        mp::Pool pool = context().Pool(2);
        std::vector<mp::Object> seen;
        std::mutex m;
        mp::AsyncResult r = pool.apply_async(square, mp::args(4), {}, [&](const mp::Object& v) {
            std::lock_guard lock(m);
            seen.push_back(v);
        });
        QCOMPARE(r.get(), mp::Object(16));
        {
            // The callback has finished before ready() turns true.
            std::lock_guard lock(m);
            QCOMPARE(seen.size(), std::size_t{1});
            QCOMPARE(seen[0], mp::Object(16));
        }
        // map_async: the callback gets the whole list; the error callback gets the first failure.
        mp::AsyncResult all = pool.map_async(square, range(5), std::nullopt, [&](const mp::Object& v) {
            std::lock_guard lock(m);
            seen.push_back(v);
        });
        all.wait();
        {
            std::lock_guard lock(m);
            QCOMPARE(seen.back(), mp::Object::list({0, 1, 4, 9, 16}));
        }
        std::vector<mp::ExceptionValue> errors;
        mp::AsyncResult failed = pool.map_async(inverse, range(10), 1, {}, [&](const mp::ExceptionValue& e) {
            std::lock_guard lock(m);
            errors.push_back(e);
        });
        failed.wait();
        QVERIFY(!failed.successful());
        {
            std::lock_guard lock(m);
            QCOMPARE(errors.size(), std::size_t{1});
            QCOMPARE(errors[0].type, std::string("ZeroDivisionError"));
        }
        // An empty input is ready at once and calls no callback.
        bool called = false;
        mp::AsyncResult empty = pool.map_async(square, mp::Object::list(), std::nullopt,
                                               [&](const mp::Object&) { called = true; });
        QVERIFY(empty.ready());
        QCOMPARE(empty.get(), mp::Object::list());
        QVERIFY(!called);
        // Beyond CPython: a callback that throws reports on its result, and the pool goes on.
        mp::AsyncResult bad = pool.apply_async(
            square, mp::args(2), {}, [](const mp::Object&) { throw mp::ValueError("callback refused"); });
        QVERIFY(throws_with<mp::ValueError>([&] { bad.get(); }, "callback refused"));
        QVERIFY(!bad.successful());
        QCOMPARE(pool.apply(square, mp::args(5)), mp::Object(25));
    }

    void errorsKeepTheirType_data() { add_methods(); }
    void errorsKeepTheirType() {
        mp::Pool pool = context().Pool(2);
        QVERIFY(throws_with<mp::ZeroDivisionError>([&] { pool.apply(inverse, mp::args(5)); },
                                                   "float division by zero"));
        QVERIFY(throws_with<mp::ZeroDivisionError>([&] { pool.map(inverse, range(10)); },
                                                   "float division by zero"));
        QVERIFY(throws_with<PoolTestError>([&] { pool.apply(raise_error, mp::args("registered")); },
                                           "registered one"));
        try {
            pool.apply(raise_error, mp::args("unknown"));
            QFAIL("no exception");
        } catch (const mp::RemoteError& e) {
            QCOMPARE(e.remote_type(), std::string("PoolTestUnknown"));
            QCOMPARE(e.remote_message(), std::string("unknown one"));
            QCOMPARE(e.message(), std::string("PoolTestUnknown: unknown one"));
            QVERIFY2(e.remote_traceback().find("raise_error") != std::string::npos,
                     e.remote_traceback().c_str());
        }
        // A result that cannot be sent fails its task and the worker lives on; so does an argument.
        const std::string what =
            test_support::error_of<mp::MaybeEncodingError>([&] { pool.apply(bad_utf8); });
        QVERIFY2(what.starts_with("Error sending result: "), what.c_str());
        QVERIFY_THROWS_EXCEPTION(mp::PicklingError, pool.apply(square, mp::args(std::string("\xff"))));
        QCOMPARE(pool.apply(square, mp::args(6)), mp::Object(36));
    }

    void asyncResultStates_data() { add_methods(); }
    void asyncResultStates() {
        mp::Context& ctx = context();
        mp::Pool pool = ctx.Pool(1);
        mp::Event started = ctx.Event(), release = ctx.Event();
        mp::AsyncResult r = pool.apply_async(hold, mp::args(started, release));
        QVERIFY(!r.ready());
        QVERIFY(throws_with<mp::ValueError>([&] { r.successful(); }, r.repr() + " not ready"));
        QVERIFY(r.repr().starts_with("<multiprocessing.pool.ApplyResult object at 0x"));
        QVERIFY(throws_with<mp::TimeoutError>([&] { r.get(0.05); }, ""));
        QVERIFY(throws_with<mp::TimeoutError>([&] { r.get(-1); }, ""));
        r.wait(0.01);
        QVERIFY(!r.ready());
        QVERIFY(started.wait(10));
        // The inspector sees the worker at it.
        QVERIFY(eventually([&] {
            const auto row = pool_row(pool);
            return row.workers.size() == 1 && row.workers[0].state == "working" &&
                   row.workers[0].task == "hold";
        }));
        const auto row = pool_row(pool);
        QCOMPARE(row.results_outstanding, 1u);
        QVERIFY(row.workers[0].job > 0 || row.workers[0].index == 0);
        // mpscope-inspect's words for it.
        const std::string words = mp::scope::describe_object(snapshot(), row);
        QVERIFY2(words.starts_with("RUN, 1 worker; 1 result outstanding, 0 queued, 0 done; "), words.c_str());
        QVERIFY2(words.find(" working hold (job ") != std::string::npos, words.c_str());
        QCOMPARE(mp::scope::to_json(snapshot(), {})["objects"].size() > 0, true);
        release.set();
        QVERIFY(r.get(10).as_int() > 0);
        QVERIFY(r.ready());
        QVERIFY(r.successful());
        QVERIFY(pool.map_async(square, range(3))
                    .repr()
                    .starts_with("<multiprocessing.pool.MapResult object at 0x"));
    }

    void imapRules_data() { add_methods(); }
    void imapRules() {
        mp::Pool pool = context().Pool(2);
        QVERIFY(throws_with<mp::ValueError>([&] { pool.imap(square, range(3), 0); },
                                            "Chunksize must be 1+, not 0"));
        QVERIFY(throws_with<mp::ValueError>([&] { pool.imap_unordered(square, range(3), -2); },
                                            "Chunksize must be 1+, not -2"));
        for (std::int64_t chunksize : {1, 3}) {
            std::vector<mp::Object> got;
            for (const mp::Object& x : pool.imap(square, range(10), chunksize))
                got.push_back(x);
            QCOMPARE(mp::Object::list(got), pool.map(square, range(10)));
            std::multiset<std::int64_t> unordered;
            for (const mp::Object& x : pool.imap_unordered(square, range(10), chunksize))
                unordered.insert(x.as_int());
            QCOMPARE(unordered, (std::multiset<std::int64_t>{0, 1, 4, 9, 16, 25, 36, 49, 64, 81}));
        }
        // A failing task raises at its position and iteration goes on.
        mp::IMapIterator it = pool.imap(inverse, range(10));
        for (int i = 0; i < 10; ++i) {
            if (i == 5)
                QVERIFY_THROWS_EXCEPTION(mp::ZeroDivisionError, it.next());
            else
                QCOMPARE(it.next().as_float(), 1.0 / (i - 5.0));
        }
        QVERIFY_THROWS_EXCEPTION(mp::StopIteration, it.next());
        // With chunks, at the first item of the failing chunk (items 3..5 make the chunk with 5).
        it = pool.imap(inverse, range(9), 3);
        for (int i = 0; i < 3; ++i)
            it.next();
        QVERIFY_THROWS_EXCEPTION(mp::ZeroDivisionError, it.next());
        QCOMPARE(it.next().as_float(), 1.0 / (6 - 5.0));
        // An empty input ends at once.
        it = pool.imap_unordered(add, mp::Object::list());
        QVERIFY_THROWS_EXCEPTION(mp::StopIteration, it.next());
        mp::IMapIterator none = pool.imap(square, range(0));
        QVERIFY_THROWS_EXCEPTION(mp::StopIteration, none.next(10));
        // A lazy input: consumed by the task handler; its exception is raised at its position.
        int produced = 0;
        mp::IMapIterator lazy = pool.imap(square, mp::Generator([&]() -> std::optional<mp::Object> {
                                              if (produced == 3) throw mp::KeyError("'lazy'");
                                              return mp::Object(produced++);
                                          }));
        QCOMPARE(lazy.next(), mp::Object(0));
        QCOMPARE(lazy.next(), mp::Object(1));
        QCOMPARE(lazy.next(), mp::Object(4));
        QVERIFY(throws_with<mp::KeyError>([&] { lazy.next(); }, "'lazy'"));
        QVERIFY_THROWS_EXCEPTION(mp::StopIteration, lazy.next());
    }

    void imapTimeout_data() { add_methods(); }
    void imapTimeout() {
        mp::Context& ctx = context();
        mp::Pool pool = ctx.Pool(1);
        mp::Event started = ctx.Event(), release = ctx.Event();
        mp::IMapIterator it = pool.imap(hold_pair, mp::Object::list({mp::args(started, release)}), 1);
        QVERIFY_THROWS_EXCEPTION(mp::TimeoutError, it.next(0.05));
        QVERIFY_THROWS_EXCEPTION(mp::TimeoutError, it.next(-1));
        release.set();
        QVERIFY(it.next(10).as_int() > 0);
        QVERIFY_THROWS_EXCEPTION(mp::StopIteration, it.next(10));
    }

    void lifecycle_data() { add_methods(); }
    void lifecycle() {
        mp::Context& ctx = context();
        std::uint32_t id;
        std::vector<int> pids;
        {
            mp::Pool pool = ctx.Pool(2);
            id = pool.scope_id();
            pids = worker_pids(pool);
            QVERIFY(throws_with<mp::ValueError>([&] { pool.join(); }, "Pool is still running"));
            // close(): no new work, but what was submitted completes, and join() waits for it.
            mp::AsyncResult pending = pool.apply_async(pause_for, mp::args(0.2));
            mp::AsyncResult mapped = pool.map_async(square, range(50), 1);
            pool.close();
            QVERIFY(
                throws_with<mp::ValueError>([&] { pool.apply(square, mp::args(1)); }, "Pool not running"));
            QVERIFY(throws_with<mp::ValueError>([&] { pool.map(square, range(2)); }, "Pool not running"));
            QVERIFY(throws_with<mp::ValueError>([&] { pool.imap(square, range(2)); }, "Pool not running"));
            pool.join();
            QVERIFY(pending.ready() && pending.successful());
            QCOMPARE(mapped.get(0).size(), std::size_t{50});
            for (int pid : pids)
                QVERIFY(pid_gone(pid));
            pool.terminate();
            QCOMPARE(pool.repr(), std::string("<multiprocessing.pool.Pool state=TERMINATE pool_size=2>"));
        }
        check_gone(id, pids);
        {
            // terminate(): stops at once; results still pending fail (CPython leaves them pending).
            mp::Pool pool = ctx.Pool(2);
            id = pool.scope_id();
            pids = worker_pids(pool);
            mp::AsyncResult slow = pool.map_async(pause_for, std::vector<double>(100, 0.05), 1);
            const auto start = Clock::now();
            pool.terminate();
            QVERIFY(seconds_since(start) < 5);
            QVERIFY(throws_with<mp::RuntimeError>([&] { slow.get(1); },
                                                  "the pool was terminated before this result was ready"));
            QVERIFY(
                throws_with<mp::ValueError>([&] { pool.apply(square, mp::args(1)); }, "Pool not running"));
            pool.join();
        }
        check_gone(id, pids);
    }

    void maxtasksperchild_data() { add_methods(); }
    void maxtasksperchild() {
        mp::Context& ctx = context();
        mp::Pool pool = ctx.Pool(2, {}, mp::Object::tuple(), 1);
        std::set<std::string> names;
        for (int i = 0; i < 6; ++i)
            names.insert(pool.apply(whoami, mp::args(i))[0].as_str());
        // Every task in a new worker, and the names continue the counter.
        QCOMPARE(names.size(), std::size_t{6});
        QVERIFY(eventually([&] { return pool_row(pool).workers_replaced >= 5; }));
        // Closing before the work is done does not hang (Python's test_pool_worker_lifetime_early_close).
        mp::AsyncResult r = pool.apply_async(pause_for, mp::args(0.1));
        pool.close();
        pool.join();
        QVERIFY(r.ready() && r.successful());
    }

    void workerKilledFailsItsTask_data() { add_methods(); }
    void workerKilledFailsItsTask() {
        mp::Context& ctx = context();
        std::uint32_t id;
        std::vector<int> pids;
        const std::uint64_t first_event =
            mp::scope::Session::attach(mp::scope::current_session()).event_head();
        {
            mp::Pool pool = ctx.Pool(2);
            id = pool.scope_id();
            pids = worker_pids(pool);
            // Killed from outside while it runs a task.
            mp::Event started = ctx.Event(), release = ctx.Event();
            mp::AsyncResult r = pool.apply_async(hold, mp::args(started, release));
            QVERIFY(started.wait(10));
            int victim = 0;
            QVERIFY(eventually([&] {
                for (const auto& w : pool_row(pool).workers)
                    if (w.state == "working") victim = w.pid;
                return victim != 0;
            }));
            ::kill(victim, SIGKILL);
            const auto killed = Clock::now();
            try {
                r.get(10);
                QFAIL("no exception");
            } catch (const mp::WorkerLostError& e) {
                QVERIFY2(seconds_since(killed) < 1, "the lost task took more than a second to fail");
                const std::string what = e.what();
                QVERIFY2(what.find("(pid " + std::to_string(victim) + ")") != std::string::npos, e.what());
                QVERIFY2(what.find("SIGKILL") != std::string::npos, e.what());
            }
            // The pool goes on: the worker was replaced and the next work completes.
            QCOMPARE(pool.map(square, range(20)), pool.map(square, range(20)));
            QVERIFY(eventually([&] {
                const auto row = pool_row(pool);
                return row.tasks_lost == 1 && row.workers_replaced == 1;
            }));
            // A task that ends its worker with _exit, and one that kills it mid-map: only those fail.
            try {
                pool.apply(exit_now, mp::args(3));
                QFAIL("no exception");
            } catch (const mp::WorkerLostError& e) {
                QVERIFY2(std::string(e.what()).find("exited with code 3") != std::string::npos, e.what());
            }
            mp::IMapIterator it = pool.imap(square_or_die, range(6));
            for (std::int64_t i = 0; i < 6; ++i) {
                if (i == 3)
                    QVERIFY_THROWS_EXCEPTION(mp::WorkerLostError, it.next(10));
                else
                    QCOMPARE(it.next(10), mp::Object(i * i)); // the other tasks complete
            }
            std::vector<mp::Object> pairs;
            for (int i = 0; i < 8; ++i)
                pairs.push_back(mp::args(i, 3));
            QVERIFY_THROWS_EXCEPTION(mp::WorkerLostError,
                                     pool.starmap(kill_self_at, mp::Object::list(pairs), 1));
            QCOMPARE(pool.starmap(add, mp::Object::list({mp::args(1, 1)})), mp::Object::list({2}));
            for (int pid : worker_pids(pool))
                pids.push_back(pid);
            const auto row = pool_row(pool);
            QVERIFY(row.tasks_lost >= 3);
            // The events say which tasks were lost and which workers replaced.
            auto session = mp::scope::Session::attach(mp::scope::current_session());
            int lost = 0, replaced = 0;
            std::uint64_t next = first_event;
            // Reading stops before an event still being written (workers starting write theirs): read on.
            QVERIFY(eventually([&] {
                const mp::scope::Events batch = session.events_since(next, 1 << 16);
                for (const auto& e : batch.events)
                    if (e.object == id) {
                        lost += e.op == "task_lost";
                        replaced += e.op == "worker_replaced";
                    }
                next = batch.next;
                return lost >= 3 && replaced >= 3;
            }));
        }
        check_gone(id, pids);
    }

    void ctrlCInMap_data() { add_methods(); }
    void ctrlCInMap() {
        mp::Context& ctx = context();
        std::uint32_t id;
        std::vector<int> pids;
        mp::Event started = ctx.Event(), release = ctx.Event();
        std::atomic<bool> sent{false};
        Clock::time_point sent_at;
        {
            mp::Pool pool = ctx.Pool(2);
            id = pool.scope_id();
            pids = worker_pids(pool);
            // Sends SIGINT to the process once the main thread waits in map() (then the handler is in place).
            std::thread interrupter([&] {
                if (!started.wait(10)) return;
                const bool waiting = eventually([] {
                    for (const auto& p : snapshot().processes)
                        if (p.pid == ::getpid())
                            for (const auto& w : p.waits)
                                if (w.main_thread && w.op == "pool_wait") return true;
                    return false;
                });
                if (!waiting) return;
                sent_at = Clock::now();
                sent = true;
                ::kill(::getpid(), SIGINT);
            });
            auto join = qScopeGuard([&] {
                release.set(); // lets the interrupter give up if map() failed otherwise
                started.set();
                interrupter.join();
            });
            bool interrupted = false;
            try {
                // Far more tasks than the channel holds, one per chunk: the task handler is still putting
                // them from map()'s borrowed list when map() throws and that list is destroyed.
                const mp::Object items =
                    mp::Object::list(std::vector<mp::Object>(20000, mp::args(started, release)));
                pool.map(hold_pair, items, 1);
            } catch (const mp::KeyboardInterrupt&) {
                interrupted = true;
            }
            join.dismiss();
            interrupter.join();
            QVERIFY(sent);
            QVERIFY(interrupted);
            QVERIFY2(seconds_since(sent_at) < 1, "map() took more than a second to return after SIGINT");
            // The pool was terminated: no worker is left.
            QCOMPARE(pool.repr(), std::string("<multiprocessing.pool.Pool state=TERMINATE pool_size=2>"));
            for (int pid : pids)
                QVERIFY(pid_gone(pid));
        }
        check_gone(id, pids);
        // SIGINT's disposition is the process's own again.
        struct sigaction now {};
        ::sigaction(SIGINT, nullptr, &now);
        QVERIFY(now.sa_handler == SIG_DFL);
    }
};

MP_QTEST_MAIN(TestPool)
#include "tst_pool.moc"
