// The deadlock the multiprocessing guidelines warn about ("joining processes that use queues"): a child
// puts a large item on a Queue and the parent joins the child before getting it. The child cannot exit
// until its feeder thread has written the item into the queue's channel, which holds 64 KiB, and nobody
// reads: both wait for ever - the Python program hangs the same way.
//
// By default the main process joins anyway, while a second thread watches the program's own session
// through the observation plane, prints the finder's diagnosis (within a second), shows the queue's state,
// then drains the queue, so that the join returns and the program exits 0. --fixed gets the item before
// joining, as the guidelines advise. --method fork|spawn|forkserver picks the start method.
#include "example_method.hpp"

#include <mp/process.hpp>
#include <mp/queues.hpp>
#include <mp/scope/analysis.hpp>
#include <mp/scope/observe.hpp>
#include <mp/scope/session.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

constexpr std::size_t kItemBytes = 1 << 20;

void f(mp::Queue q) {
    q.put(mp::Object::bytes(std::string(kItemBytes, 'X')));
}
MP_TASK(f);

namespace {

using Clock = std::chrono::steady_clock;

// "Queue-1: 0 items in the channel, 65536 of 65536 bytes used; Process-1's feeder holds 1 item (983061
// bytes) and waits for room".
std::string queue_state(const mp::scope::Snapshot& snap, const std::string& queue) {
    for (const auto& o : snap.objects) {
        if (o.name != queue) continue;
        std::string out = o.name + ": " + std::to_string(o.items) + " items in the channel, " +
                          std::to_string(o.used_bytes) + " of " + std::to_string(o.capacity_bytes) +
                          " bytes used";
        for (const auto& f : o.feeders) {
            if (f.items == 0) continue;
            std::string who = "process #" + std::to_string(f.process);
            for (const auto& p : snap.processes)
                if (p.id == f.process) who = p.name;
            out += "; " + who + "'s feeder holds " + std::to_string(f.items) + " item" +
                   (f.items == 1 ? "" : "s") + " (" + std::to_string(f.bytes) + " bytes)" +
                   (f.flushing ? " and waits for room" : "");
        }
        return out;
    }
    return queue + ": not found";
}

// Watches the session until the finder reports a deadlock (or 20 s pass), prints what it found, then
// gets the item so that everyone can finish. Returns whether a deadlock was diagnosed.
bool diagnose_then_drain(mp::Queue& q) {
    auto session = mp::scope::Session::attach(mp::scope::current_session());
    const auto start = Clock::now();
    std::vector<mp::scope::Diagnosis> found;
    mp::scope::Snapshot snap;
    while (found.empty() && Clock::now() - start < std::chrono::seconds(20)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        snap = session.snapshot();
        found = mp::scope::find_deadlocks(snap);
    }
    const double after = std::chrono::duration<double>(Clock::now() - start).count();
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", after);
    for (const auto& d : found)
        std::cout << "deadlock diagnosed after " << seconds << " s: " << mp::scope::title(d.kind) << ": "
                  << d.text() << std::endl;
    if (found.empty()) std::cout << "no deadlock diagnosed in " << seconds << " s" << std::endl;
    std::cout << queue_state(snap, q.name()) << std::endl;
    std::cout << "draining " << q.name() << ": got " << q.get().as_bytes().size() << " bytes" << std::endl;
    return !found.empty();
}

} // namespace

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);
    bool fixed = false;
    for (int i = 1; i < argc; ++i)
        fixed = fixed || std::strcmp(argv[i], "--fixed") == 0;

    mp::Queue queue;
    mp::Process p(f, mp::args(queue));
    p.start();
    if (fixed) {
        std::cout << p.name() << " puts " << kItemBytes << " bytes on " << queue.name()
                  << "; the main process gets them, then joins it" << std::endl;
        std::cout << "got " << queue.get().as_bytes().size() << " bytes" << std::endl;
        p.join();
    } else {
        std::cout << p.name() << " puts " << kItemBytes << " bytes on " << queue.name()
                  << "; the main process joins it before getting them" << std::endl;
        bool diagnosed = false;
        std::thread watcher([&] { diagnosed = diagnose_then_drain(queue); });
        p.join(); // the mistake: returns only once the watcher has drained the queue
        watcher.join();
        if (!diagnosed) return 1;
    }
    std::cout << p.name() << " exited with code " << p.exitcode().value_or(-1) << std::endl;
    return 0;
}
