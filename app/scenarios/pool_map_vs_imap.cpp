// Pool.map, imap and imap_unordered side by side on the same six tasks of uneven duration: map hands back
// every result at once when the last task is done, imap one at a time in input order (so quick tasks wait
// behind the slow first one), imap_unordered one at a time as the tasks finish. The main process narrates
// when each result arrives.
#include "scenario.hpp"

#include <mp/pool.hpp>

#include <chrono>
#include <cstdio>
#include <iterator>
#include <numeric>
#include <string>
#include <vector>

namespace {

using scenario::say;
using Clock = std::chrono::steady_clock;

// Seconds each task takes at tempo 1. The first is the slowest, so that imap holds back everything behind
// it; with three workers the tasks finish in the order 1, 2, 4, 3, 0, 5.
constexpr double durations[] = {0.9, 0.1, 0.2, 0.5, 0.1, 0.8};

// The worker's tempo, set by the pool's initializer in each worker.
scenario::Tempo worker_tempo;

void uneven_task_tempo(scenario::Tempo tempo) {
    worker_tempo = tempo;
}
MP_TASK(uneven_task_tempo);

// Task i: takes durations[i], returns i.
std::int64_t uneven_task(std::int64_t i) {
    worker_tempo.pause(durations[i]);
    return i;
}
MP_TASK(uneven_task);

std::string since(Clock::time_point start) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f s", std::chrono::duration<double>(Clock::now() - start).count());
    return text;
}

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int workers = params.integer("workers");
    std::vector<std::int64_t> tasks(std::size(durations));
    std::iota(tasks.begin(), tasks.end(), 0);
    std::vector<double> seconds(std::begin(durations), std::end(durations));
    say("a Pool of ", workers, " workers; tasks 0 to 5 take ", mp::to_object(seconds),
        " s at tempo 1 (task 0 is the slowest)");
    mp::Pool pool = ctx.Pool(workers, uneven_task_tempo, mp::args(tempo));
    tempo.pause(1); // the workers start

    say("map: waits until every task is done, then returns all the results at once, in input order");
    auto start = Clock::now();
    const mp::Object all = pool.map(uneven_task, tasks, 1);
    say("map returned ", all, " after ", since(start));
    tempo.pause(1);

    say("imap: one result at a time, in input order - the quick tasks wait behind task 0");
    start = Clock::now();
    for (const mp::Object& x : pool.imap(uneven_task, tasks))
        say("imap gives task ", x, " after ", since(start));
    tempo.pause(1);

    say("imap_unordered: one result at a time, in the order the tasks finish");
    start = Clock::now();
    std::vector<std::int64_t> order;
    for (const mp::Object& x : pool.imap_unordered(uneven_task, tasks)) {
        say("imap_unordered gives task ", x, " after ", since(start));
        order.push_back(x.as_int());
    }
    say("imap_unordered's order: ", mp::to_object(order));
    tempo.pause(2); // time to look at the workers' bars

    pool.close();
    pool.join();
    say("map and imap kept the input order; imap_unordered gave each result as soon as it was ready");
}

const scenario::Register registered({
    .name = "pool_map_vs_imap",
    .params = {{"workers", 3, 1, 8}},
    .run = run,
});

} // namespace
