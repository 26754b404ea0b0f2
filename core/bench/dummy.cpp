// multiprocessing.dummy's objects: threading locks, queue.Queue, the in-memory Pipe and the ThreadPool
// (core/bench/python/dummy.py runs the same workloads on CPython). JSON lines for scripts/bench; every
// figure is seconds per operation (an item, a task, a round trip).
#include "bench_report.hpp"

#include <mp/dummy.hpp>

#include <cstdint>
#include <thread>
#include <vector>

namespace dummy = mp::dummy;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int uncontended_ops = 2'000'000;
constexpr int contended_ops = 200'000; // per thread, 4 threads
constexpr int queue_items = 200'000;
constexpr int ping_pongs = 20'000;
constexpr int map_items = 100'000;
constexpr int async_tasks = 20'000;
constexpr int imap_items = 20'000;

std::int64_t square(std::int64_t x) {
    return x * x;
}

} // namespace

int main() {
    {
        dummy::Lock lock;
        const auto start = Clock::now();
        for (int i = 0; i < uncontended_ops; ++i) {
            lock.acquire();
            lock.release();
        }
        bench::report("dummy.lock.uncontended", "s/op", bench::seconds_since(start) / uncontended_ops);
    }
    {
        dummy::Lock lock;
        dummy::Event go;
        std::vector<dummy::Process> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&] {
                go.wait();
                for (int i = 0; i < contended_ops; ++i) {
                    lock.acquire();
                    lock.release();
                }
            });
            threads.back().start();
        }
        const auto start = Clock::now();
        go.set();
        for (auto& t : threads)
            t.join();
        bench::report("dummy.lock.contended (4 threads)", "s/op",
                      bench::seconds_since(start) / (4 * contended_ops));
    }
    {
        dummy::Queue q;
        const auto start = Clock::now();
        for (int i = 0; i < queue_items; ++i)
            q.put(i);
        for (int i = 0; i < queue_items; ++i)
            q.get();
        bench::report("dummy.queue.put_then_get", "s/op", bench::seconds_since(start) / queue_items);
    }
    {
        dummy::Queue q(1000);
        const auto start = Clock::now();
        dummy::Process producer([&] {
            for (int i = 0; i < queue_items; ++i)
                q.put(i);
        });
        producer.start();
        for (int i = 0; i < queue_items; ++i)
            q.get();
        producer.join();
        bench::report("dummy.queue.producer_consumer", "s/op", bench::seconds_since(start) / queue_items);
    }
    {
        auto [a, b] = dummy::Pipe();
        dummy::Process echo([b = b] {
            for (int i = 0; i < ping_pongs; ++i)
                b.send(b.recv());
        });
        echo.start();
        const auto start = Clock::now();
        for (int i = 0; i < ping_pongs; ++i) {
            a.send(i);
            a.recv();
        }
        echo.join();
        bench::report("dummy.pipe.ping_pong", "s/op", bench::seconds_since(start) / ping_pongs);
    }
    {
        dummy::Pool pool(4);
        std::vector<std::int64_t> items(map_items);
        for (int i = 0; i < map_items; ++i)
            items[static_cast<std::size_t>(i)] = i;
        pool.map(square, std::vector<std::int64_t>{1, 2, 3}); // warm-up
        auto start = Clock::now();
        pool.map(square, items);
        bench::report("dummy.pool.map (4 threads)", "s/op", bench::seconds_since(start) / map_items);

        start = Clock::now();
        std::vector<dummy::AsyncResult> results;
        results.reserve(async_tasks);
        for (int i = 0; i < async_tasks; ++i)
            results.push_back(pool.apply_async(square, mp::args(i)));
        for (const auto& r : results)
            r.get();
        bench::report("dummy.pool.apply_async (4 threads)", "s/op",
                      bench::seconds_since(start) / async_tasks);

        start = Clock::now();
        const std::vector<std::int64_t> first(items.begin(), items.begin() + imap_items);
        for (const mp::Object& x : pool.imap(square, first))
            (void)x;
        bench::report("dummy.pool.imap (4 threads)", "s/op", bench::seconds_since(start) / imap_items);
    }
}
