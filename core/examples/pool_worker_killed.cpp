// Beyond CPython: a worker killed in the middle of map(). Item 3 sends SIGKILL to the worker running it;
// map() raises mp::WorkerLostError at once, naming that worker, its pid and the signal, instead of waiting
// for ever (CPython, python/cpython#96062). The other tasks complete, the worker is replaced - its name
// continues the counter - and the pool serves the next map. Worker names vary with scheduling, so the test
// masks them.
#include "example_method.hpp"

#include <mp/pool.hpp>

#include <csignal>
#include <iostream>
#include <numeric>
#include <vector>

int square_or_die(int x) {
    if (x == 3) ::raise(SIGKILL);
    return x * x;
}
MP_TASK(square_or_die);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);
    std::vector<int> items(8);
    std::iota(items.begin(), items.end(), 0);
    mp::Pool pool(2);
    std::cout << "map over 8 items; item 3 kills its worker" << std::endl;
    try {
        std::cout << pool.map(square_or_die, items, 1) << std::endl;
    } catch (const mp::WorkerLostError& e) {
        std::cout << "WorkerLostError: " << e.what() << std::endl;
    }
    items[3] = 0; // nobody dies this time
    std::cout << "the pool survives: " << pool.map(square_or_die, items, 1) << std::endl;
    std::cout << pool << std::endl;
}
