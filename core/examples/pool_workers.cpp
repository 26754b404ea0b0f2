// The seed's "Using a pool of workers" example: map, imap_unordered, apply_async of f and of getpid, several
// apply_async at once, and a get(timeout) that gives up on a sleeping worker while the pool stays usable.
// imap_unordered prints in completion order, so the test compares the output sorted (pids normalised).
#include "example_method.hpp"

#include <mp/pool.hpp>

#include <chrono>
#include <iostream>
#include <numeric>
#include <thread>
#include <unistd.h>
#include <vector>

int f(int x) {
    return x * x;
}
MP_TASK(f);

int getpid_task() {
    return static_cast<int>(::getpid());
}
MP_TASK(getpid_task);

void sleep_seconds(double seconds) {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}
MP_TASK(sleep_seconds);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);
    std::vector<int> range10(10);
    std::iota(range10.begin(), range10.end(), 0);
    {
        // start 4 worker processes
        mp::Pool pool(4);
        // print "[0, 1, 4,..., 81]"
        std::cout << pool.map(f, range10) << std::endl;
        // print same numbers in arbitrary order
        for (const mp::Object& i : pool.imap_unordered(f, range10))
            std::cout << i << std::endl;
        // evaluate "f(20)" asynchronously
        mp::AsyncResult res = pool.apply_async(f, mp::args(20)); // runs in *only* one process
        std::cout << res.get(1) << std::endl;                    // prints "400"
        // evaluate "os.getpid()" asynchronously
        res = pool.apply_async(getpid_task);  // runs in *only* one process
        std::cout << res.get(1) << std::endl; // prints the PID of that process
        // launching multiple evaluations asynchronously *may* use more processes
        std::vector<mp::AsyncResult> multiple_results;
        for (int i = 0; i < 4; ++i)
            multiple_results.push_back(pool.apply_async(getpid_task));
        std::vector<mp::Object> pids;
        for (const auto& r : multiple_results)
            pids.push_back(r.get(1));
        std::cout << mp::Object::list(pids) << std::endl;
        // make a single worker sleep for 10 secs
        res = pool.apply_async(sleep_seconds, mp::args(10));
        try {
            std::cout << res.get(1) << std::endl;
        } catch (const mp::TimeoutError&) {
            std::cout << "We lacked patience and got a multiprocessing.TimeoutError" << std::endl;
        }
        std::cout << "For the moment, the pool remains available for more work" << std::endl;
    }
    // exiting the block has stopped the pool
    std::cout << "Now the pool is closed and no longer available" << std::endl;
}
