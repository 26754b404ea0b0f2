// Joining a process before getting what it put on a Queue (the programming guidelines' "Joining processes
// that use queues"): the worker's feeder thread cannot write the whole result into the queue's full
// channel, the worker waits for its feeder before it exits, and the main process waits in join() for the
// worker - while the only reader of the channel is the main process itself. With drain_first=1 the main
// process gets the result first and then joins: no deadlock.
#include "scenario.hpp"

#include <mp/queues.hpp>

#include <string>

namespace {

using scenario::say;

void put_big_result(mp::Queue results, int kib, scenario::Tempo tempo) {
    tempo.pause(0.5);
    say("worker puts a result of ", kib, " KiB on the queue");
    results.put(mp::Object::bytes(std::string(static_cast<std::size_t>(kib) * 1024, 'x')));
    say("worker returns; before it can exit, its feeder thread must write the whole result into the "
        "queue's channel");
}
MP_TASK(put_big_result);

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int kib = params.integer("kib");
    mp::Queue results = ctx.Queue();
    results.set_label("results");
    mp::Process worker = ctx.Process(mp::ProcessOptions{
        .target = put_big_result, .name = "worker", .args = mp::args(results, kib, tempo)});
    worker.start();
    tempo.pause(1);
    if (params.integer("drain_first") != 0) {
        say("the main process gets the result first");
        const std::size_t size = results.get().as_bytes().size();
        say("the main process got ", size / 1024, " KiB and joins the worker");
        worker.join();
    } else {
        say("the main process joins the worker before getting its result");
        worker.join();
        say("the main process gets the result");
        results.get();
    }
    say("worker exited with code ", worker.exitcode().value_or(-1));
}

const scenario::Register registered({
    .name = "queue_join_deadlock",
    .params = {{"kib", 256, 100, 16384}, {"drain_first", 0, 0, 1}},
    .deadlocks = true,
    .run = run,
});

} // namespace
