// A Pool worker killed with SIGKILL in the middle of a task (core/examples/pool_worker_killed.cpp, killed
// from outside here): the AsyncResult of exactly that task fails at once with WorkerLostError naming the
// worker, its pid and the signal - where CPython would wait for ever (python/cpython#96062) - the other
// tasks complete, and the pool starts a new worker in the dead one's place. A task held at a barrier on
// every worker shows who the workers are before and after.
#include "scenario.hpp"

#include <mp/pool.hpp>
#include <mp/synchronize.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using scenario::say;

constexpr std::int64_t victim = 3; // the task whose worker is killed

// The worker's tempo, set by the pool's initializer in each worker.
scenario::Tempo worker_tempo;

void work_item_tempo(scenario::Tempo tempo) {
    worker_tempo = tempo;
}
MP_TASK(work_item_tempo);

// Task i takes half a second and says which worker did it. The victim's task tells the main process its
// pid instead and runs on until it is killed (a minute at most, should nobody kill it).
std::string work_item(std::int64_t i, mp::Event victim_running, mp::Value victim_pid) {
    const std::string me = mp::current_process().name();
    if (i == victim) {
        say("task ", i, " runs in ", me, " (pid ", ::getpid(), ") and takes its time");
        victim_pid.set(static_cast<int>(::getpid()));
        victim_running.set();
        std::this_thread::sleep_for(std::chrono::minutes(1));
    }
    worker_tempo.pause(0.5);
    return "done by " + me;
}
MP_TASK(work_item);

// Waits until every worker holds one of these, so each worker runs exactly one: its name.
std::string meet_at_barrier(mp::Barrier everyone) {
    everyone.wait(30);
    return mp::current_process().name();
}
MP_TASK(meet_at_barrier);

// The names of the pool's workers, sorted.
std::vector<std::string> worker_names(mp::Pool& pool, const mp::Context& ctx, int workers,
                                      const std::string& label) {
    mp::Barrier everyone = ctx.Barrier(workers);
    everyone.set_label(label);
    std::vector<mp::AsyncResult> calls;
    for (int i = 0; i < workers; ++i)
        calls.push_back(pool.apply_async(meet_at_barrier, mp::args(everyone)));
    std::vector<std::string> names;
    for (const mp::AsyncResult& call : calls)
        names.push_back(call.get(60).as_str());
    std::sort(names.begin(), names.end());
    return names;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names)
        out += (out.empty() ? "" : ", ") + name;
    return out;
}

// Names in `a` but not in `b` (both sorted).
std::vector<std::string> minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::string> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int workers = params.integer("workers");
    const int tasks = params.integer("tasks");
    mp::Pool pool = ctx.Pool(workers, work_item_tempo, mp::args(tempo));
    const std::vector<std::string> before = worker_names(pool, ctx, workers, "workers_before");
    say("the pool's workers: ", joined(before));

    mp::Event victim_running = ctx.Event();
    victim_running.set_label("victim_running");
    mp::Value victim_pid = ctx.RawValue('i', 0);
    victim_pid.set_label("victim_pid");
    say("apply_async: ", tasks, " tasks of half a second each; task ", victim, " takes much longer");
    std::vector<mp::AsyncResult> results;
    for (int i = 0; i < tasks; ++i)
        results.push_back(pool.apply_async(work_item, mp::args(i, victim_running, victim_pid)));
    if (!victim_running.wait(60)) throw std::runtime_error("task 3 did not start within a minute");
    tempo.pause(1);
    const int pid = victim_pid.get<int>();
    say("the main process kills the worker running task ", victim, " (pid ", pid, ") with SIGKILL");
    ::kill(pid, SIGKILL);

    int completed = 0;
    for (int i = 0; i < tasks; ++i) {
        try {
            say("task ", i, ": ", results[static_cast<std::size_t>(i)].get(60).as_str());
            ++completed;
        } catch (const mp::WorkerLostError& e) {
            say("task ", i, " failed: WorkerLostError: ", e.what());
        }
    }
    if (completed == tasks - 1)
        say(completed, " of ", tasks, " tasks completed; only the killed worker's task failed");
    else
        say(completed, " of ", tasks, " tasks completed");

    const std::vector<std::string> after = worker_names(pool, ctx, workers, "workers_after");
    say("the pool's workers now: ", joined(after));
    say("the pool replaced ", joined(minus(before, after)), " with ", joined(minus(after, before)));
    tempo.pause(2); // time to look at the pool as it is now
    pool.close();
    pool.join();
}

const scenario::Register registered({
    .name = "pool_worker_killed",
    .params = {{"workers", 3, 2, 8}, {"tasks", 8, 4, 16}},
    .run = run,
});

} // namespace
