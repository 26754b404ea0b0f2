// An Event as a start gun: the runners get ready one by one, each signals it is ready (a Semaphore the
// main process counts), then all wait on the same Event. When the main process sets it, every waiting
// runner starts at once - one set() wakes them all.
#include "scenario.hpp"

#include <mp/synchronize.hpp>

namespace {

using scenario::say;

void runner(int id, mp::Semaphore ready, mp::Event start_gun, scenario::Tempo tempo) {
    tempo.pause(0.3 + 0.3 * id); // getting ready takes each runner its own time
    say("runner-", id, " is at the line and waits for the start gun");
    ready.release();
    start_gun.wait();
    say("runner-", id, " starts");
    tempo.pause(0.5 + 0.2 * ((id * 7) % 5));
    say("runner-", id, " finishes");
}
MP_TASK(runner);

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int runners = params.integer("runners");
    mp::Event start_gun = ctx.Event();
    start_gun.set_label("start-gun");
    mp::Semaphore ready = ctx.Semaphore(0);
    ready.set_label("ready");
    auto race = scenario::start_processes(ctx, runners, "runner", runner,
                                          [&](int i) { return mp::args(i, ready, start_gun, tempo); });
    for (int i = 0; i < runners; ++i)
        ready.acquire();
    say("every runner is ready; on your marks... get set...");
    tempo.pause(1.5);
    say("the main process fires the start gun: start_gun.set()");
    start_gun.set();
    scenario::join_all(race);
    say("all ", runners, " runners finished");
}

const scenario::Register registered({
    .name = "event_start_gun",
    .params = {{"runners", 4, 1, 16}},
    .run = run,
});

} // namespace
