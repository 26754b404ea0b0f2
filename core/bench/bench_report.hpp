#pragma once
// The JSON-lines output every C++ benchmark prints for scripts/bench (core/bench/compare.py pairs it with
// the CPython counterpart by workload name).
#include <chrono>
#include <cstdio>

namespace bench {

inline void report(const char* workload, const char* unit, double value) {
    std::printf("{\"workload\": \"%s\", \"unit\": \"%s\", \"value\": %.6g}\n", workload, unit, value);
    std::fflush(stdout);
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace bench
