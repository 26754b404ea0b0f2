// The seed's Pool examples with multiprocessing.dummy (core/examples/python/dummy_pool.py): the same
// Pool API, but the workers are threads of this process, so any callable works - here a plain function
// and a lambda - and os.getpid() is the same in every task. Threads have no start method: --method is
// accepted and ignored, like freeze_support().
#include <mp/dummy.hpp>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <unistd.h>
#include <vector>

namespace dummy = mp::dummy;

std::int64_t f(std::int64_t x) {
    return x * x;
}

int main(int argc, char** argv) {
    dummy::freeze_support(argc, argv);

    {
        dummy::Pool p(5);
        std::cout << p.map(f, {1, 2, 3}) << std::endl;
    }

    std::vector<std::int64_t> range10(10);
    for (std::int64_t i = 0; i < 10; ++i)
        range10[static_cast<std::size_t>(i)] = i;
    const auto getpid = [] { return static_cast<std::int64_t>(::getpid()); };

    // start 4 worker threads
    {
        dummy::Pool pool(4);
        // print "[0, 1, 4,..., 81]"
        std::cout << pool.map(f, range10) << std::endl;
        // print the same numbers (they arrive in arbitrary order)
        std::vector<std::int64_t> unordered;
        for (const mp::Object& x : pool.imap_unordered(f, range10))
            unordered.push_back(x.as_int());
        std::sort(unordered.begin(), unordered.end());
        for (std::int64_t i : unordered)
            std::cout << i << std::endl;
        // evaluate "f(20)" asynchronously
        auto res = pool.apply_async(f, mp::args(20)); // runs in *only* one thread
        std::cout << res.get(1) << std::endl;         // prints "400"
        // evaluate "getpid()" asynchronously
        res = pool.apply_async(getpid);       // runs in *only* one thread
        std::cout << res.get(1) << std::endl; // prints the PID of this process
        // launching multiple evaluations asynchronously: every thread has the same pid
        std::vector<dummy::AsyncResult> multiple_results;
        for (int i = 0; i < 4; ++i)
            multiple_results.push_back(pool.apply_async(getpid));
        std::vector<mp::Object> pids;
        for (const auto& r : multiple_results)
            pids.push_back(r.get(1));
        std::cout << mp::Object::list(pids) << std::endl;
        std::cout << "For the moment, the pool remains available for more work" << std::endl;
    }
    // leaving the block has stopped the pool
    std::cout << "Now the pool is closed and no longer available" << std::endl;
}
