// JoinableQueue (core/examples/joinable_queue.cpp): a daemonic worker marks each item done with
// task_done(); the main process's join() returns once every item put has been marked. Watch the queue's
// count of unfinished tasks go down.
#include "scenario.hpp"

#include <mp/queues.hpp>

namespace {

using scenario::say;

void joinable_worker(mp::JoinableQueue q, scenario::Tempo tempo) {
    for (;;) {
        mp::Object item = q.get();
        say("Working on ", item.repr());
        tempo.pause(0.6);
        say("Finished ", item.repr());
        q.task_done();
    }
}
MP_TASK(joinable_worker);

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    mp::JoinableQueue q = ctx.JoinableQueue();
    q.set_label("tasks");

    // Send the task requests to the worker.
    for (int item = 0; item < params.integer("items"); ++item)
        q.put(item);
    say("All task requests sent");

    // The worker never returns: as a daemon it is terminated when the main process exits.
    mp::Process p = ctx.Process(mp::ProcessOptions{
        .target = joinable_worker, .name = "worker", .args = mp::args(q, tempo), .daemon = true});
    p.start();

    // Block until all tasks are done.
    q.join();
    say("All work completed");
}

const scenario::Register registered({
    .name = "joinable_queue",
    .params = {{"items", 5, 1, 50}},
    .run = run,
});

} // namespace
