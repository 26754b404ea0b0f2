// Pool workloads, run side by side with core/bench/python/pool.py by scripts/bench: Pool(2).map over
// 100,000 trivial items with the default chunksize and over 10,000 with chunksize 1, the apply_async().get()
// round trip, and a pool's creation up to its first result under each start method.
#include "bench_report.hpp"

#include <mp/context.hpp>
#include <mp/pool.hpp>

#include <chrono>
#include <numeric>
#include <string>
#include <vector>

std::int64_t square(std::int64_t x) {
    return x * x;
}
MP_TASK(square);

namespace {

std::vector<std::int64_t> range(std::int64_t n) {
    std::vector<std::int64_t> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), 0);
    return v;
}

} // namespace

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    {
        mp::Pool pool = mp::get_context("fork").Pool(2); // the CPython side uses fork too
        const mp::Object big = mp::to_object(range(100'000));
        for (int i = 0; i < 3; ++i) // warm-up: workers and handlers reach their steady state
            pool.map(square, big);
        constexpr int rounds = 10;
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < rounds; ++i)
            pool.map(square, big);
        bench::report("pool.map 100000 items (default chunksize)", "s/op",
                      bench::seconds_since(start) / rounds);

        const mp::Object small = mp::to_object(range(10'000));
        start = std::chrono::steady_clock::now();
        for (int i = 0; i < 2; ++i)
            pool.map(square, small, 1);
        bench::report("pool.map 10000 items (chunksize 1)", "s/op", bench::seconds_since(start) / 2);

        constexpr int trips = 2000;
        for (int i = 0; i < 200; ++i)
            pool.apply_async(square, mp::args(i)).get();
        start = std::chrono::steady_clock::now();
        for (int i = 0; i < trips; ++i)
            pool.apply_async(square, mp::args(i)).get();
        bench::report("pool.apply_async().get() round trip", "s/op", bench::seconds_since(start) / trips);
    }
    for (const auto& [method, rounds] : {std::pair{"fork", 20}, {"spawn", 5}, {"forkserver", 20}}) {
        mp::Context& ctx = mp::get_context(method);
        ctx.Pool(2).apply(square, mp::args(1)); // starts the forkserver, warms the page cache
        double total = 0;
        for (int i = 0; i < rounds; ++i) {
            const auto start = std::chrono::steady_clock::now();
            mp::Pool pool = ctx.Pool(2);
            pool.apply(square, mp::args(3));
            total += bench::seconds_since(start);
        }
        bench::report((std::string("pool create + first result (") + method + ")").c_str(), "s/op",
                      total / rounds);
    }
}
