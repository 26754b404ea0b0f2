// The seed's Pool examples with multiprocessing.dummy (core/examples/dummy_pool.cpp): the same Pool API,
// but the workers are threads of the main process, so any callable works - here a plain function and a
// lambda - and os.getpid() is the same in every task. Threads have no start method: the scenario runs the
// same under every --method, and the inspector sees no new process and no pool (a thread pool lives in the
// process's own memory, not in the session).
#include "scenario.hpp"

#include <mp/dummy.hpp>

#include <algorithm>
#include <cstdint>
#include <unistd.h>
#include <vector>

namespace {

using scenario::say;
namespace dummy = mp::dummy;

std::int64_t square(std::int64_t x) {
    return x * x;
}

void run(const scenario::Params&, mp::Context&, const scenario::Tempo& tempo) {
    {
        say("# a thread pool of 5 workers: map(f, [1, 2, 3])");
        dummy::Pool p(5);
        say(p.map(square, {1, 2, 3})); // prints "[1, 4, 9]"
    }
    tempo.pause(1);

    std::vector<std::int64_t> range10(10);
    for (std::int64_t i = 0; i < 10; ++i)
        range10[static_cast<std::size_t>(i)] = i;
    // A lambda as a task: a thread pool takes any callable, nothing is pickled.
    const auto getpid = [] { return static_cast<std::int64_t>(::getpid()); };

    {
        say("# start 4 worker threads");
        dummy::Pool pool(4);
        say(pool.map(square, range10)); // prints "[0, 1, 4,..., 81]"
        tempo.pause(1);

        say("# the same numbers with imap_unordered (they arrive in arbitrary order; printed sorted)");
        std::vector<std::int64_t> unordered;
        for (const mp::Object& x : pool.imap_unordered(square, range10))
            unordered.push_back(x.as_int());
        std::sort(unordered.begin(), unordered.end());
        for (std::int64_t i : unordered)
            say(i);
        tempo.pause(1);

        say("# evaluate f(20) asynchronously: runs in *only* one thread");
        auto res = pool.apply_async(square, mp::args(20));
        say(res.get(1)); // prints "400"
        tempo.pause(1);

        say("# evaluate getpid() asynchronously: the PID of this very process");
        res = pool.apply_async(getpid);
        say(res.get(1));
        tempo.pause(1);

        say("# four evaluations at once: every thread has the same pid");
        std::vector<dummy::AsyncResult> multiple_results;
        for (int i = 0; i < 4; ++i)
            multiple_results.push_back(pool.apply_async(getpid));
        std::vector<mp::Object> pids;
        for (const auto& r : multiple_results)
            pids.push_back(r.get(1));
        say(mp::Object::list(pids));
        say("For the moment, the pool remains available for more work");
        tempo.pause(1);
    }
    // leaving the block has stopped the pool
    say("Now the pool is closed and no longer available");
}

const scenario::Register registered({.name = "dummy_pool", .run = run});

} // namespace
