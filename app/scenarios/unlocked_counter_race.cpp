// Lost updates on a shared Value (the docs' note, core/examples/counter_lock.cpp): `counter.value += 1`
// is a locked read followed by a locked write, so two processes can read the same value and one of the
// increments is lost. The same work with the read-modify-write inside `with counter.get_lock():` loses
// nothing.
#include "scenario.hpp"

#include <mp/sharedctypes.hpp>
#include <mp/synchronize.hpp>

#include <mutex>
#include <string>

namespace {

using scenario::say;

void add_unlocked(int id, mp::Value counter, int n, mp::Barrier start) {
    start.wait();
    for (int i = 0; i < n; ++i)
        counter.set(counter.get<int>() + 1); // counter.value += 1: two separately locked steps
    say("adder-", id, " added ", n, " without holding the lock");
}
MP_TASK(add_unlocked);

void add_locked(int id, mp::Value counter, int n, mp::Barrier start) {
    start.wait();
    for (int i = 0; i < n; ++i) {
        std::lock_guard hold(counter); // with counter.get_lock():
        counter.set(counter.get<int>() + 1);
    }
    say("locked-adder-", id, " added ", n, " holding the lock");
}
MP_TASK(add_locked);

// Runs `add` in `processes` processes that start counting together; the counter's final value.
int count_with(mp::Context& ctx, const char* label, const char* prefix,
               void (*add)(int, mp::Value, int, mp::Barrier), int processes, int increments) {
    mp::Value counter = ctx.Value('i', 0);
    scenario::label_with_lock(counter, label);
    mp::Barrier start = ctx.Barrier(processes);
    start.set_label(std::string(label) + "-start");
    auto adders = scenario::start_processes(ctx, processes, prefix, add,
                                            [&](int i) { return mp::args(i, counter, increments, start); });
    scenario::join_all(adders);
    return counter.get<int>();
}

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int processes = params.integer("processes");
    const int increments = params.integer("increments");
    const int expected = processes * increments;

    say(processes, " processes each add ", increments, " to a shared counter with counter.value += 1");
    const int unlocked = count_with(ctx, "counter", "adder", add_unlocked, processes, increments);
    say("without the lock: ", unlocked, " of ", expected, " (lost ", expected - unlocked, ")");
    tempo.pause(2);

    say("the same again, each increment inside with counter.get_lock():");
    const int locked = count_with(ctx, "locked-counter", "locked-adder", add_locked, processes, increments);
    say("with the lock: ", locked, " of ", expected, " (lost ", expected - locked, ")");
}

const scenario::Register registered({
    .name = "unlocked_counter_race",
    .params = {{"processes", 4, 2, 16}, {"increments", 20000, 100, 1000000}},
    .run = run,
});

} // namespace
