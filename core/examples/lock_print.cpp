// The seed's Lock example (core/examples/python/lock_print.py): ten children print under one shared Lock so
// that their lines never interleave. --method fork|spawn|forkserver picks the start method.
#include "example_method.hpp"

#include <mp/process.hpp>
#include <mp/synchronize.hpp>

#include <iostream>
#include <vector>

void f(mp::Lock l, int i) {
    l.acquire();
    try {
        std::cout << "hello world " << i << std::endl;
    } catch (...) {
        l.release();
        throw;
    }
    l.release();
}
MP_TASK(f);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);

    mp::Lock lock;
    // Python drops its Process objects and relies on the exit sequence to join them; a C++ Process is
    // joined the same way at exit, so keeping them here changes nothing but their lifetime.
    std::vector<mp::Process> children;
    for (int num = 0; num < 10; ++num) {
        children.emplace_back(f, mp::args(lock, num));
        children.back().start();
    }
}
