// Pipe workloads, run side by side with core/bench/python/pipe.py by scripts/bench: a parent <-> child
// round trip of a small object, and send_bytes throughput in 1 MiB messages. One JSON line per workload.
#include "bench_report.hpp"

#include <mp/connection.hpp>
#include <mp/context.hpp>
#include <mp/process.hpp>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

constexpr int round_trips = 20000;
constexpr int chunks = 512;
constexpr std::size_t chunk_size = std::size_t(1) << 20;

} // namespace

void echo(mp::Connection conn) {
    for (;;) {
        mp::Object obj = conn.recv();
        if (obj.is_none()) break;
        conn.send(obj);
    }
}
MP_TASK(echo);

void sink(mp::Connection conn) {
    std::int64_t received = 0;
    for (;;) {
        const std::string data = conn.recv_bytes();
        if (data.empty()) break;
        received += static_cast<std::int64_t>(data.size());
    }
    conn.send(received);
}
MP_TASK(sink);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    mp::set_start_method("fork"); // the CPython side uses fork too

    {
        auto [parent, child] = mp::Pipe();
        mp::Process p(echo, mp::args(child));
        p.start();
        const mp::Object small = mp::Object::list({1, "abc", mp::None});
        for (int i = 0; i < 1000; ++i) { // warm-up
            parent.send(small);
            parent.recv();
        }
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < round_trips; ++i) {
            parent.send(small);
            parent.recv();
        }
        const double elapsed = bench::seconds_since(start);
        parent.send(mp::None);
        p.join();
        bench::report("pipe.roundtrip_small_object", "s/op", elapsed / round_trips);
    }
    {
        auto [parent, child] = mp::Pipe();
        mp::Process p(sink, mp::args(child));
        p.start();
        const std::string chunk(chunk_size, '\x5a');
        parent.send_bytes(chunk); // warm-up
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < chunks; ++i)
            parent.send_bytes(chunk);
        parent.send_bytes("");
        const std::int64_t received = parent.recv().as_int();
        const double elapsed = bench::seconds_since(start);
        p.join();
        if (received != std::int64_t(chunks + 1) * std::int64_t(chunk_size)) return 1;
        bench::report("pipe.send_bytes_1MiB", "MiB/s",
                      double(chunks) * double(chunk_size) / double(1 << 20) / elapsed);
    }
}
