// Dining philosophers, deadlocking for real: every philosopher (a process) picks up the fork on their
// left (a Lock), waits at a barrier until everyone holds one, then reaches for the fork on their right -
// which their neighbour holds. Each waits for the next: a lock cycle, and it stays so until stopped.
#include "philosophers.hpp"
#include "scenario.hpp"

#include <mp/synchronize.hpp>

#include <mutex>

namespace {

using scenario::say;

void philosopher(int i, mp::Lock left, mp::Lock right, mp::Barrier all_seated, scenario::Tempo tempo) {
    say("philosopher-", i, " sits down and thinks");
    tempo.pause(0.5 + 0.25 * i);
    std::lock_guard hold_left(left);
    say("philosopher-", i, " picks up ", left.name(), " (left)");
    // The barrier makes the unlucky timing certain: without it the deadlock happens only sometimes.
    all_seated.wait();
    tempo.pause(1);
    say("philosopher-", i, " reaches for ", right.name(), " (right)");
    std::lock_guard hold_right(right); // never returns: the right fork is a neighbour's left fork
    say("philosopher-", i, " eats");
}
MP_TASK(philosopher);

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int n = params.integer("philosophers");
    scenario::Table table = scenario::lay_table(ctx, n);
    auto philosophers = scenario::start_processes(ctx, n, "philosopher", philosopher, [&](int i) {
        return mp::args(i, table.forks[i], table.forks[(i + 1) % n], table.all_seated, tempo);
    });
    say("the main process waits for every philosopher to finish");
    scenario::join_all(philosophers);
    say("dinner is over");
}

const scenario::Register registered({
    .name = "dining_philosophers",
    .params = {{"philosophers", 5, 2, 16}},
    .deadlocks = true,
    .run = run,
});

} // namespace
