// The seed's Pool usage example (core/examples/pool_timeouts.cpp): apply_async().get(timeout), map, imap
// with next() and next(timeout), and a get(timeout) that runs out while a worker sleeps. Leaving the block
// terminates the pool, sleeper included.
#include "scenario.hpp"

#include <mp/pool.hpp>

#include <chrono>
#include <cstdint>
#include <numeric>
#include <thread>
#include <vector>

namespace {

using scenario::say;

std::int64_t timeouts_square(std::int64_t x) {
    return x * x;
}
MP_TASK(timeouts_square);

// Sleeps for real: the point is a get(1) that runs out before it ends.
void timeouts_sleep(double seconds) {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}
MP_TASK(timeouts_sleep);

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    std::vector<std::int64_t> range10(10);
    std::iota(range10.begin(), range10.end(), 0);
    say("# start 4 worker processes");
    mp::Pool pool = ctx.Pool(4);
    tempo.pause(1);

    say("# evaluate f(10) asynchronously in a single process; get(timeout=1)");
    mp::AsyncResult result = pool.apply_async(timeouts_square, mp::args(10));
    say(result.get(1)); // prints "100" unless your computer is *very* slow
    tempo.pause(1);

    say("# map(f, range(10))");
    say(pool.map(timeouts_square, range10)); // prints "[0, 1, 4,..., 81]"
    tempo.pause(1);

    say("# imap(f, range(10)), read one result at a time with next()");
    mp::IMapIterator it = pool.imap(timeouts_square, range10);
    say(it.next());  // prints "0"
    say(it.next());  // prints "1"
    say(it.next(1)); // prints "4" unless your computer is *very* slow
    tempo.pause(1);

    say("# a worker sleeps for 10 s; get(timeout=1) gives up after one second");
    result = pool.apply_async(timeouts_sleep, mp::args(10));
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
