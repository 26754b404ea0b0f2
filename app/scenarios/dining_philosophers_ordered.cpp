// Dining philosophers without the deadlock: the forks are numbered and every philosopher picks up the
// lower-numbered of their two forks first. The last philosopher therefore reaches right first, and no
// cycle of waits can close. They all eat their meals and leave.
#include "philosophers.hpp"
#include "scenario.hpp"

#include <mp/synchronize.hpp>

#include <algorithm>
#include <mutex>

namespace {

using scenario::say;

void ordered_philosopher(int i, mp::Lock first, mp::Lock second, int meals, mp::Barrier all_seated,
                         scenario::Tempo tempo) {
    all_seated.wait();
    for (int meal = 1; meal <= meals; ++meal) {
        say("philosopher-", i, " thinks");
        tempo.pause(0.3 + 0.15 * i);
        std::lock_guard hold_first(first);
        say("philosopher-", i, " picks up ", first.name(), " (the lower number)");
        tempo.pause(0.3);
        std::lock_guard hold_second(second);
        say("philosopher-", i, " picks up ", second.name(), " and eats meal ", meal, " of ", meals);
        tempo.pause(0.6);
        say("philosopher-", i, " puts down ", second.name(), " and ", first.name());
    }
    say("philosopher-", i, " leaves the table");
}
MP_TASK(ordered_philosopher);

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int n = params.integer("philosophers");
    const int meals = params.integer("meals");
    scenario::Table table = scenario::lay_table(ctx, n);
    auto philosophers = scenario::start_processes(ctx, n, "philosopher", ordered_philosopher, [&](int i) {
        const int left = i;
        const int right = (i + 1) % n;
        return mp::args(i, table.forks[std::min(left, right)], table.forks[std::max(left, right)], meals,
                        table.all_seated, tempo);
    });
    scenario::join_all(philosophers);
    say("every philosopher ate ", meals, " meals: no deadlock");
}

const scenario::Register registered({
    .name = "dining_philosophers_ordered",
    .params = {{"philosophers", 5, 2, 16}, {"meals", 3, 1, 20}},
    .run = run,
});

} // namespace
