// Work in phases with a Barrier: every worker does its share of a phase - some take longer than others -
// then waits at the barrier; only when all have arrived does anybody start the next phase. The last to
// arrive runs the barrier's action, which announces the end of the phase.
#include "scenario.hpp"

#include <mp/process.hpp>
#include <mp/synchronize.hpp>

namespace {

using scenario::say;

void phase_complete() {
    say("--- ", mp::current_process().name(), " arrived last and runs the barrier's action: phase complete");
}
MP_TASK(phase_complete);

void phase_worker(int id, int phases, mp::Barrier barrier, scenario::Tempo tempo) {
    for (int phase = 1; phase <= phases; ++phase) {
        say("worker-", id, " works on phase ", phase);
        tempo.pause(0.4 + 0.3 * ((id + phase) % 3)); // uneven shares: someone always waits
        say("worker-", id, " finished phase ", phase, " and waits at the barrier");
        barrier.wait();
    }
}
MP_TASK(phase_worker);

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int workers = params.integer("workers");
    const int phases = params.integer("phases");
    mp::Barrier barrier = ctx.Barrier(workers, phase_complete);
    barrier.set_label("phase-barrier");
    auto team = scenario::start_processes(ctx, workers, "worker", phase_worker,
                                          [&](int i) { return mp::args(i, phases, barrier, tempo); });
    scenario::join_all(team);
    say("all ", workers, " workers finished ", phases, " phases in step");
}

const scenario::Register registered({
    .name = "barrier_phases",
    .params = {{"workers", 3, 2, 8}, {"phases", 3, 1, 10}},
    .run = run,
});

} // namespace
