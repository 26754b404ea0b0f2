// Synchronization workloads, run side by side with core/bench/python/synchronize.py by scripts/bench:
// uncontended Lock acquire+release (observation off, on, and with an inspector attached), a Lock contended
// by two processes, `with v.get_lock(): v.value += 1`, Event ping-pong and a Barrier(2) cycle between two
// processes.
#include "bench_report.hpp"

#include <mp/context.hpp>
#include <mp/process.hpp>
#include <mp/scope/observe.hpp>
#include <mp/sharedctypes.hpp>
#include <mp/synchronize.hpp>

#include <chrono>
#include <mutex>

namespace {

// Counts sized so that each workload runs for about a quarter of a second (its CPython twin takes longer
// still): a run of a few milliseconds would take the whole of any burst of noise on a shared machine.
constexpr int uncontended_ops = 20'000'000;
constexpr int uncontended_ops_inspected = 4'000'000; // each operation is also an event
constexpr int contended_ops = 10'000'000;            // per process
constexpr int value_increments = 15'000'000;
constexpr int ping_pongs = 400'000;
constexpr int barrier_cycles = 200'000;

double uncontended_lock(mp::Lock& lock, int ops) {
    for (int i = 0; i < 10'000; ++i) { // warm-up
        lock.acquire();
        lock.release();
    }
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < ops; ++i) {
        lock.acquire();
        lock.release();
    }
    return bench::seconds_since(start) / ops;
}

} // namespace

void hammer(mp::Lock lock, mp::Event go, int n) {
    go.wait();
    for (int i = 0; i < n; ++i) {
        lock.acquire();
        lock.release();
    }
}
MP_TASK(hammer);

void pong(mp::Event ping, mp::Event pong_event, int n) {
    for (int i = 0; i < n; ++i) {
        ping.wait();
        ping.clear();
        pong_event.set();
    }
}
MP_TASK(pong);

void cycle(mp::Barrier barrier, int n) {
    for (int i = 0; i < n; ++i)
        barrier.wait();
}
MP_TASK(cycle);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    mp::set_start_method("fork"); // the CPython side uses fork too

    {
        mp::Lock lock;
        mp::scope::set_observe_level(mp::scope::ObserveLevel::Off);
        const double off = uncontended_lock(lock, uncontended_ops);
        mp::scope::set_observe_level(mp::scope::ObserveLevel::Basic);
        const double on = uncontended_lock(lock, uncontended_ops);
        mp::scope::set_observe_level(mp::scope::ObserveLevel::Full);
        const double full = uncontended_lock(lock, uncontended_ops_inspected);
        mp::scope::set_observe_level(mp::scope::ObserveLevel::Basic);
        bench::report("lock.uncontended (observation off)", "s/op", off);
        bench::report("lock.uncontended (observation on)", "s/op", on);
        bench::report("lock.uncontended (inspector attached)", "s/op", full);
        bench::report("lock.uncontended observation cost (on/off)", "ratio", on / off);
    }
    {
        mp::Lock lock;
        mp::Event go;
        mp::Process a(hammer, mp::args(lock, go, contended_ops));
        mp::Process b(hammer, mp::args(lock, go, contended_ops));
        a.start();
        b.start();
        const auto start = std::chrono::steady_clock::now();
        go.set();
        a.join();
        b.join();
        bench::report("lock.contended_2_processes", "s/op",
                      bench::seconds_since(start) / (2.0 * contended_ops));
    }
    {
        mp::Value v('i', 0);
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < value_increments; ++i) {
            std::lock_guard hold(v.get_lock());
            v.set(v.get<int>() + 1);
        }
        const double elapsed = bench::seconds_since(start);
        if (v.get<int>() != value_increments) return 1;
        bench::report("value.locked_increment", "s/op", elapsed / value_increments);
    }
    {
        mp::Event ping, pong_event;
        mp::Process p(pong, mp::args(ping, pong_event, ping_pongs));
        p.start();
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < ping_pongs; ++i) {
            ping.set();
            pong_event.wait();
            pong_event.clear();
        }
        const double elapsed = bench::seconds_since(start);
        p.join();
        bench::report("event.ping_pong", "s/op", elapsed / ping_pongs);
    }
    {
        mp::Barrier barrier(2);
        mp::Process p(cycle, mp::args(barrier, barrier_cycles));
        p.start();
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < barrier_cycles; ++i)
            barrier.wait();
        const double elapsed = bench::seconds_since(start);
        p.join();
        bench::report("barrier.cycle_2_processes", "s/op", elapsed / barrier_cycles);
    }
}
