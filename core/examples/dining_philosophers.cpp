// Dining philosophers, deadlocking on purpose: five philosophers (processes) each pick up the fork (a Lock)
// on their left, wait until everyone holds one, then reach for the fork on their right - which their
// neighbour holds. Every philosopher waits for the next one: a lock cycle.
//
// Without options it stays deadlocked, like the Python program would; `mpscope-inspect <pid>` from another
// terminal shows the cycle. With --inspect the main process watches its own session through the
// observation plane, prints the diagnosis, ends the philosophers and exits with status 1.
// --method fork|spawn|forkserver picks the start method; --philosophers N (2..16) the table size.
#include "example_method.hpp"

#include <mp/process.hpp>
#include <mp/scope/analysis.hpp>
#include <mp/scope/observe.hpp>
#include <mp/scope/session.hpp>
#include <mp/synchronize.hpp>

#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

void philosopher(int i, mp::Lock left, mp::Lock right, mp::Barrier all_seated) {
    left.acquire();
    std::cout << "philosopher-" << i << " picks up " << left.name() << std::endl;
    all_seated.wait(); // now every left fork is taken
    std::cout << "philosopher-" << i << " reaches for " << right.name() << std::endl;
    right.acquire(); // never returns: the right fork is a neighbour's left fork
    std::cout << "philosopher-" << i << " eats" << std::endl;
    right.release();
    left.release();
}
MP_TASK(philosopher);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);
    bool inspect = false;
    int n = 5;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--inspect") == 0) inspect = true;
        if (std::strcmp(argv[i], "--philosophers") == 0 && i + 1 < argc) n = std::stoi(argv[++i]);
    }
    if (n < 2 || n > 16) {
        std::cerr << argv[0] << ": --philosophers must be between 2 and 16\n";
        return 2;
    }

    std::vector<mp::Lock> forks(n);
    for (int i = 0; i < n; ++i)
        forks[i].set_label("fork-" + std::to_string(i));
    mp::Barrier all_seated(n);
    std::vector<mp::Process> philosophers;
    for (int i = 0; i < n; ++i) {
        philosophers.emplace_back(mp::ProcessOptions{
            .target = philosopher,
            .name = "philosopher-" + std::to_string(i),
            .args = mp::args(i, forks[i], forks[(i + 1) % n], all_seated),
        });
        philosophers.back().start();
    }

    if (!inspect) {
        std::cerr << "(deadlocked on purpose: run `mpscope-inspect " << ::getpid()
                  << "` in another terminal to see why, or run with --inspect)" << std::endl;
        for (auto& p : philosophers)
            p.join();
        return 0;
    }

    auto session = mp::scope::Session::attach(mp::scope::current_session());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::vector<mp::scope::Diagnosis> found;
    while (found.empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        found = mp::scope::find_deadlocks(session.snapshot());
    }
    for (const auto& d : found)
        std::cout << mp::scope::title(d.kind) << ": " << d.text() << std::endl;
    // All killed before any is joined: a philosopher still waiting when its neighbour is gone would take
    // the dead neighbour's fork over (dead-holder recovery) and eat.
    for (auto& p : philosophers)
        p.kill();
    for (auto& p : philosophers)
        p.join();
    return found.empty() ? 0 : 1;
}
