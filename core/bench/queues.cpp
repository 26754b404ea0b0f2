// Queue workloads, run side by side with core/bench/python/queues.py by scripts/bench: small-int
// throughput from one producer process to one consumer through a Queue, a SimpleQueue and a JoinableQueue
// (the consumer marks every item done), four producer processes into one consumer, and a request/response
// round trip through two queues. Times are per item (per round trip), from the producers' start signal to
// the last item got.
#include "bench_report.hpp"

#include <mp/context.hpp>
#include <mp/process.hpp>
#include <mp/queues.hpp>
#include <mp/synchronize.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace {

constexpr std::int64_t items = 200'000;
constexpr int producers = 4;
constexpr int round_trips = 20'000;

} // namespace

// The queue comes as an Object: every kind of queue runs the same producer.
void produce(mp::Object queue, mp::Event go, std::int64_t first, std::int64_t n) {
    const mp::Handle& h = queue.as_handle();
    go.wait();
    if (h.kind == "SimpleQueue") {
        mp::SimpleQueue q = mp::SimpleQueue::from_handle(h);
        for (std::int64_t i = first; i < first + n; ++i)
            q.put(i);
    } else {
        mp::Queue q = mp::Queue::from_handle(h);
        for (std::int64_t i = first; i < first + n; ++i)
            q.put(i);
    }
}
MP_TASK(produce);

void respond(mp::Queue requests, mp::Queue responses) {
    for (mp::Object request = requests.get(); !request.is_none(); request = requests.get())
        responses.put(request);
}
MP_TASK(respond);

namespace {

// Starts `n` producers of `items` ints in all on `queue`, lets them go, and times `consume(items)`.
template <class Consume> double per_item(const mp::Object& queue, int n, Consume consume) {
    mp::Event go;
    std::vector<mp::Process> children;
    for (int i = 0; i < n; ++i) {
        children.emplace_back(produce, mp::args(queue, go, i * (items / n), items / n));
        children.back().start();
    }
    const auto start = std::chrono::steady_clock::now();
    go.set();
    const std::int64_t sum = consume(items);
    const double elapsed = bench::seconds_since(start);
    for (auto& p : children)
        p.join();
    if (sum != items * (items - 1) / 2) std::exit(1); // every item once
    return elapsed / double(items);
}

template <class Q> std::int64_t get_all(Q& q, std::int64_t n) {
    std::int64_t sum = 0;
    for (std::int64_t i = 0; i < n; ++i)
        sum += q.get().as_int();
    return sum;
}

} // namespace

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    mp::set_start_method("fork"); // the CPython side uses fork too

    {
        mp::Queue q;
        bench::report("queue.throughput_1p_1c", "s/op",
                      per_item(mp::to_object(q), 1, [&](std::int64_t n) { return get_all(q, n); }));
    }
    {
        mp::SimpleQueue q;
        bench::report("simplequeue.throughput_1p_1c", "s/op",
                      per_item(mp::to_object(q), 1, [&](std::int64_t n) { return get_all(q, n); }));
    }
    {
        mp::JoinableQueue q;
        bench::report("joinablequeue.throughput_1p_1c", "s/op",
                      per_item(mp::to_object(q), 1, [&](std::int64_t n) {
                          std::int64_t sum = 0;
                          for (std::int64_t i = 0; i < n; ++i) {
                              sum += q.get().as_int();
                              q.task_done();
                          }
                          q.join();
                          return sum;
                      }));
    }
    {
        mp::Queue q;
        bench::report("queue.throughput_4p_1c", "s/op",
                      per_item(mp::to_object(q), producers, [&](std::int64_t n) { return get_all(q, n); }));
    }
    {
        mp::Queue requests, responses;
        mp::Process p(respond, mp::args(requests, responses));
        p.start();
        for (int i = 0; i < 1000; ++i) { // warm-up
            requests.put(i);
            responses.get();
        }
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < round_trips; ++i) {
            requests.put(i);
            if (responses.get().as_int() != i) return 1;
        }
        const double elapsed = bench::seconds_since(start);
        requests.put(mp::None);
        p.join();
        bench::report("queue.round_trip", "s/op", elapsed / round_trips);
    }
}
