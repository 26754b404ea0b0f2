// The docs' note on Value (core/examples/python/counter_lock.py): `counter.value += 1` reads and writes
// under the lock separately, so concurrent increments are lost; holding get_lock() around the read-modify-
// write makes it atomic. Four children add 20000 each, first without, then with the lock.
// --method fork|spawn|forkserver picks the start method.
#include "example_method.hpp"

#include <mp/process.hpp>
#include <mp/sharedctypes.hpp>

#include <iostream>
#include <mutex>
#include <vector>

constexpr int increments = 20000;
constexpr int processes = 4;

void unsafe_add(mp::Value counter, int n) {
    for (int i = 0; i < n; ++i)
        counter.set(counter.get<int>() + 1); // counter.value += 1: two separately locked steps
}
MP_TASK(unsafe_add);

void safe_add(mp::Value counter, int n) {
    for (int i = 0; i < n; ++i) {
        std::lock_guard hold(counter.get_lock()); // with counter.get_lock():
        counter.set(counter.get<int>() + 1);
    }
}
MP_TASK(safe_add);

int run(void (*task)(mp::Value, int)) {
    mp::Value counter('i', 0);
    std::vector<mp::Process> children;
    for (int i = 0; i < processes; ++i) {
        children.emplace_back(task, mp::args(counter, increments));
        children.back().start();
    }
    for (auto& p : children)
        p.join();
    return counter.get<int>();
}

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);

    const int expected = processes * increments;
    const int unsafe = run(unsafe_add);
    std::cout << "counter.value += 1 in " << processes << " processes: " << unsafe << " of " << expected
              << " (lost " << expected - unsafe << ")" << std::endl;
    std::cout << "never more than expected: " << (unsafe <= expected ? "True" : "False") << std::endl;
    std::cout << "with counter.get_lock(): " << run(safe_add) << " of " << expected << std::endl;
}
