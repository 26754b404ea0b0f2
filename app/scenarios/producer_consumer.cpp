// Producer-consumer over a bounded Queue: N producers put items into a queue of limited size, M
// consumers take them out. The consumers are slower, so the queue fills up and the producers block in
// put() until a consumer makes room; at the end one None per consumer tells them to stop.
#include "scenario.hpp"

#include <mp/queues.hpp>
#include <mp/sharedctypes.hpp>

#include <mutex>
#include <string>

namespace {

using scenario::say;

void producer(int id, int items, mp::Queue buffer, scenario::Tempo tempo) {
    for (int k = 0; k < items; ++k) {
        tempo.pause(0.3);
        const std::string item = "item " + std::to_string(id) + "." + std::to_string(k);
        say("producer-", id, " puts ", item, buffer.full() ? " (the buffer is full: it waits)" : "");
        buffer.put(item);
    }
    say("producer-", id, " is done");
}
MP_TASK(producer);

void consumer(int id, mp::Queue buffer, mp::Value consumed, scenario::Tempo tempo) {
    for (;;) {
        const mp::Object item = buffer.get();
        if (item.is_none()) break;
        say("consumer-", id, " takes ", item.str());
        {
            std::lock_guard hold(consumed); // consumed += 1 as one step
            consumed.set(consumed.get<int>() + 1);
        }
        tempo.pause(0.7);
    }
    say("consumer-", id, " stops");
}
MP_TASK(consumer);

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int producers = params.integer("producers");
    const int consumers = params.integer("consumers");
    const int items = params.integer("items");
    mp::Queue buffer = ctx.Queue(params.integer("capacity"));
    buffer.set_label("buffer");
    mp::Value consumed = ctx.Value('i', 0);
    scenario::label_with_lock(consumed, "consumed");

    auto consuming = scenario::start_processes(ctx, consumers, "consumer", consumer,
                                               [&](int i) { return mp::args(i, buffer, consumed, tempo); });
    auto producing = scenario::start_processes(ctx, producers, "producer", producer,
                                               [&](int i) { return mp::args(i, items, buffer, tempo); });
    scenario::join_all(producing);
    say("every producer is done: one None per consumer tells them to stop");
    for (int i = 0; i < consumers; ++i)
        buffer.put(mp::None);
    scenario::join_all(consuming);
    say("consumed ", consumed.get<int>(), " of ", producers * items, " items");
}

const scenario::Register registered({
    .name = "producer_consumer",
    .params = {{"producers", 2, 1, 8}, {"consumers", 2, 1, 8}, {"items", 5, 1, 100}, {"capacity", 3, 1, 50}},
    .run = run,
});

} // namespace
