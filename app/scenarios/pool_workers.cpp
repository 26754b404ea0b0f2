// The seed's "Using a pool of workers" example (core/examples/pool_workers.cpp): map, imap_unordered,
// apply_async of f and of getpid, several apply_async at once, and a get(timeout) that gives up on a
// sleeping worker while the pool stays usable; leaving the block stops the pool.
#include "common_tasks.hpp"
#include "scenario.hpp"

#include <mp/pool.hpp>

#include <cstdint>
#include <numeric>
#include <unistd.h>
#include <vector>

namespace {

using scenario::say;
using scenario::sleep_seconds;
using scenario::square;

std::int64_t workers_getpid() {
    return static_cast<std::int64_t>(::getpid());
}
MP_TASK(workers_getpid);

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    std::vector<std::int64_t> range10(10);
    std::iota(range10.begin(), range10.end(), 0);
    {
        say("# start 4 worker processes");
        mp::Pool pool = ctx.Pool(4);
        tempo.pause(1);

        say("# print \"[0, 1, 4,..., 81]\"");
        say(pool.map(square, range10));
        tempo.pause(1);

        say("# print same numbers in arbitrary order");
        for (const mp::Object& i : pool.imap_unordered(square, range10))
            say(i);
        tempo.pause(1);

        say("# evaluate f(20) asynchronously: runs in *only* one process");
        mp::AsyncResult res = pool.apply_async(square, mp::args(20));
        say(res.get(1)); // prints "400"
        tempo.pause(1);

        say("# evaluate os.getpid() asynchronously: prints the PID of that worker");
        res = pool.apply_async(workers_getpid);
        say(res.get(1));
        tempo.pause(1);

        say("# launching multiple evaluations asynchronously *may* use more processes");
        std::vector<mp::AsyncResult> multiple_results;
        for (int i = 0; i < 4; ++i)
            multiple_results.push_back(pool.apply_async(workers_getpid));
        std::vector<mp::Object> pids;
        for (const auto& r : multiple_results)
            pids.push_back(r.get(1));
        say(mp::Object::list(pids));
        tempo.pause(1);

        say("# make a single worker sleep for 10 s; get(timeout=1)");
        res = pool.apply_async(sleep_seconds, mp::args(10));
        try {
            say(res.get(1));
        } catch (const mp::TimeoutError&) {
            say("We lacked patience and got a multiprocessing.TimeoutError");
        }
        say("For the moment, the pool remains available for more work");
        tempo.pause(1);
        pool.terminate(); // leaving the with block
        pool.join();
    }
    // exiting the block has stopped the pool
    say("Now the pool is closed and no longer available");
}

const scenario::Register registered({.name = "pool_workers", .run = run});

} // namespace
