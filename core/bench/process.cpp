// Process start+join per start method: the cost of running a trivial target in a new process.
// One JSON object per line: {"workload": ..., "unit": "s/op", "value": seconds per start+join}.
#include <mp/context.hpp>
#include <mp/process.hpp>

#include <chrono>
#include <cstdio>
#include <string>

void nothing() {}
MP_TASK(nothing);

double seconds_per_start_join(mp::Context& context, int rounds) {
    // One unmeasured round starts the forkserver and warms the page cache for spawn.
    mp::Process warm = context.Process(nothing);
    warm.start();
    warm.join();
    auto begin = std::chrono::steady_clock::now();
    for (int i = 0; i < rounds; ++i) {
        mp::Process p = context.Process(nothing);
        p.start();
        p.join();
        if (p.exitcode() != 0) throw mp::RuntimeError("benchmark child failed");
    }
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - begin;
    return elapsed.count() / rounds;
}

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    const std::pair<const char*, int> methods[] = {{"fork", 200}, {"spawn", 50}, {"forkserver", 200}};
    for (const auto& [method, rounds] : methods) {
        double value = seconds_per_start_join(mp::get_context(method), rounds);
        std::printf("{\"workload\": \"process start+join (%s)\", \"unit\": \"s/op\", \"value\": %.9f}\n",
                    method, value);
        std::fflush(stdout);
    }
}
