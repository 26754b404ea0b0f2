// The seed's Pool usage example (core/examples/pool_timeouts.cpp): apply_async().get(timeout), map, imap
// with next() and next(timeout), and a get(timeout) that runs out while a worker sleeps. Leaving the block
// terminates the pool, sleeper included.
#include "common_tasks.hpp"
#include "scenario.hpp"

#include <mp/pool.hpp>

#include <cstdint>
#include <numeric>
#include <vector>

namespace {

using scenario::say;
using scenario::sleep_seconds;
using scenario::square;

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    std::vector<std::int64_t> range10(10);
    std::iota(range10.begin(), range10.end(), 0);
    say("# start 4 worker processes");
    mp::Pool pool = ctx.Pool(4);
    tempo.pause(1);

    say("# evaluate f(10) asynchronously in a single process; get(timeout=1)");
    mp::AsyncResult result = pool.apply_async(square, mp::args(10));
    say(result.get(1)); // prints "100" unless your computer is *very* slow
    tempo.pause(1);

    say("# map(f, range(10))");
    say(pool.map(square, range10)); // prints "[0, 1, 4,..., 81]"
    tempo.pause(1);

    say("# imap(f, range(10)), read one result at a time with next()");
    mp::IMapIterator it = pool.imap(square, range10);
    say(it.next());  // prints "0"
    say(it.next());  // prints "1"
    say(it.next(1)); // prints "4" unless your computer is *very* slow
    tempo.pause(1);

    say("# a worker sleeps for 10 s; get(timeout=1) gives up after one second");
    result = pool.apply_async(sleep_seconds, mp::args(10));
    try {
        say(result.get(1));
    } catch (const mp::TimeoutError&) {
        say("TimeoutError"); // raises multiprocessing.TimeoutError
    }
    tempo.pause(1);
    say("# leaving the with block terminates the pool, the sleeping worker included");
    pool.terminate();
    pool.join();
}

const scenario::Register registered({.name = "pool_timeouts", .run = run});

} // namespace
