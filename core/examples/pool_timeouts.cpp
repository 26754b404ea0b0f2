// The seed's Pool usage example: apply_async().get(timeout), map, imap with next() and next(timeout), and a
// get(timeout) that runs out while a worker sleeps. Leaving the block terminates the pool, sleeper included.
#include "example_method.hpp"

#include <mp/pool.hpp>

#include <chrono>
#include <iostream>
#include <numeric>
#include <thread>
#include <vector>

int f(int x) {
    return x * x;
}
MP_TASK(f);

void sleep_seconds(double seconds) {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}
MP_TASK(sleep_seconds);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);
    std::vector<int> range10(10);
    std::iota(range10.begin(), range10.end(), 0);
    // start 4 worker processes
    mp::Pool pool(4);
    // evaluate "f(10)" asynchronously in a single process
    mp::AsyncResult result = pool.apply_async(f, mp::args(10));
    // prints "100" unless your computer is *very* slow
    std::cout << result.get(1) << std::endl;
    // prints "[0, 1, 4,..., 81]"
    std::cout << pool.map(f, range10) << std::endl;

    mp::IMapIterator it = pool.imap(f, range10);
    // prints "0"
    std::cout << it.next() << std::endl;
    // prints "1"
    std::cout << it.next() << std::endl;
    // prints "4" unless your computer is *very* slow
    std::cout << it.next(1) << std::endl;

    result = pool.apply_async(sleep_seconds, mp::args(10));
    try {
        std::cout << result.get(1) << std::endl;
    } catch (const mp::TimeoutError&) {
        std::cout << "TimeoutError" << std::endl; // raises multiprocessing.TimeoutError
    }
}
