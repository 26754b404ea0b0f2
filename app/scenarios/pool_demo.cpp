// The seed's long Pool example (core/examples/pool_demo.cpp, CPython's mp_pool.py): calculate/mul/plus
// through apply_async, imap, imap_unordered and map; error handling, where f(5) divides by zero
// (mp::ZeroDivisionError) in apply, map, imap and step by step with next(); and get()/next() with a 0.02 s
// timeout, printing a dot per timeout. The tasks' random pauses are at most 0.2 s (0.5 s in the seed) and
// follow the tempo, so that the whole program takes a few seconds at tempo 1.
#include "scenario.hpp"

#include <mp/pool.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using scenario::say;

// The worker's tempo, set by the pool's initializer in each worker.
scenario::Tempo worker_tempo;

void pool_demo_tempo(scenario::Tempo tempo) {
    worker_tempo = tempo;
}
MP_TASK(pool_demo_tempo);

void random_pause() {
    thread_local std::mt19937 random(std::random_device{}());
    std::uniform_real_distribution<double> pause(0.0, 0.2);
    worker_tempo.pause(pause(random));
}

std::int64_t mul(std::int64_t a, std::int64_t b) {
    random_pause();
    return a * b;
}

std::int64_t plus(std::int64_t a, std::int64_t b) {
    random_pause();
    return a + b;
}

//
// Functions used by test code
//

// A task names its function, as in the seed; the names are looked up here rather than among the
// registered tasks, so that "mul" and "plus" stay free for other scenarios.
std::string pool_demo_calculate(const std::string& func, const mp::Object& args) {
    const std::int64_t a = args[0].as_int(), b = args[1].as_int();
    const std::int64_t result = func == "mul" ? mul(a, b) : plus(a, b);
    return mp::current_process().name() + " says that " + func + args.repr() + " = " + std::to_string(result);
}
MP_TASK(pool_demo_calculate);

std::string pool_demo_calculatestar(const mp::Object& args) {
    return pool_demo_calculate(args[0].as_str(), args[1]);
}
MP_TASK(pool_demo_calculatestar);

double pool_demo_f(double x) {
    if (x == 5.0) throw mp::ZeroDivisionError("float division by zero");
    return 1.0 / (x - 5.0);
}
MP_TASK(pool_demo_f);

//
// Test code
//

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    constexpr int processes = 4;
    say("Creating pool with ", processes, " processes");
    mp::Pool pool = ctx.Pool(processes, pool_demo_tempo, mp::args(tempo));
    tempo.pause(1); // the workers start

    //
    // Tests
    //

    std::vector<mp::Object> tasks;
    for (int i = 0; i < 10; ++i)
        tasks.push_back(mp::Object::tuple("mul", mp::Object::tuple(i, 7)));
    for (int i = 0; i < 10; ++i)
        tasks.push_back(mp::Object::tuple("plus", mp::Object::tuple(i, 8)));

    say("# 20 tasks submitted three times at once: apply_async each, imap and imap_unordered");
    std::vector<mp::AsyncResult> results;
    for (const auto& t : tasks)
        results.push_back(pool.apply_async(pool_demo_calculate, t));
    mp::IMapIterator imap_it = pool.imap(pool_demo_calculatestar, tasks);
    mp::IMapIterator imap_unordered_it = pool.imap_unordered(pool_demo_calculatestar, tasks);

    say("Ordered results using pool.apply_async():");
    for (const auto& r : results)
        say("\t ", r.get().str());
    tempo.pause(0.5);

    say("Ordered results using pool.imap():");
    for (const mp::Object& x : imap_it)
        say("\t ", x.str());
    tempo.pause(0.5);

    say("Unordered results using pool.imap_unordered():");
    for (const mp::Object& x : imap_unordered_it)
        say("\t ", x.str());
    tempo.pause(0.5);

    say("Ordered results using pool.map() --- will block till complete:");
    const mp::Object mapped = pool.map(pool_demo_calculatestar, tasks);
    for (const mp::Object& x : mapped.items())
        say("\t ", x.str());
    tempo.pause(0.5);

    //
    // Test error handling
    //

    say("Testing error handling:");
    say("# f(5) divides by zero in a worker; the exception comes back to the caller");

    try {
        say(pool.apply(pool_demo_f, mp::args(5)));
        throw mp::AssertionError("expected ZeroDivisionError");
    } catch (const mp::ZeroDivisionError&) {
        say("\tGot ZeroDivisionError as expected from pool.apply()");
    }

    const std::vector<int> range10{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    try {
        say(pool.map(pool_demo_f, range10));
        throw mp::AssertionError("expected ZeroDivisionError");
    } catch (const mp::ZeroDivisionError&) {
        say("\tGot ZeroDivisionError as expected from pool.map()");
    }

    try {
        std::vector<mp::Object> all;
        for (const mp::Object& x : pool.imap(pool_demo_f, range10))
            all.push_back(x);
        say(mp::Object::list(all));
        throw mp::AssertionError("expected ZeroDivisionError");
    } catch (const mp::ZeroDivisionError&) {
        say("\tGot ZeroDivisionError as expected from list(pool.imap())");
    }

    mp::IMapIterator it = pool.imap(pool_demo_f, range10);
    int i = 0;
    for (; i < 10; ++i) {
        try {
            it.next();
            if (i == 5) throw mp::AssertionError("expected ZeroDivisionError");
        } catch (const mp::ZeroDivisionError&) {
            if (i != 5) throw;
        } catch (const mp::StopIteration&) {
            break;
        }
    }
    if (i != 10) throw mp::AssertionError(""); // Python's `assert i == 9`: the loop ran to its end
    say("\tGot ZeroDivisionError as expected from IMapIterator.next()");
    tempo.pause(0.5);

    //
    // Testing timeouts
    //

    say("# get() and next() with a 0.02 s timeout: a dot for each timeout");
    std::string dots;
    mp::AsyncResult res = pool.apply_async(pool_demo_calculate, tasks[0]);
    for (;;) {
        try {
            const std::string line = res.get(0.02).str();
            say("Testing ApplyResult.get() with timeout: ", dots);
            say("\t", line);
            break;
        } catch (const mp::TimeoutError&) {
            dots += '.';
        }
    }
    tempo.pause(0.5);

    say("Testing IMapIterator.next() with timeout:");
    it = pool.imap(pool_demo_calculatestar, tasks);
    dots.clear();
    for (;;) {
        try {
            const std::string line = it.next(0.02).str();
            say(dots, "\t", line);
            dots.clear();
        } catch (const mp::StopIteration&) {
            break;
        } catch (const mp::TimeoutError&) {
            dots += '.';
        }
    }
    tempo.pause(0.5);
    pool.terminate(); // leaving the with block
    pool.join();
}

const scenario::Register registered({.name = "pool_demo", .run = run});

} // namespace
