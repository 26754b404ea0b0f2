// A bounded buffer built by hand from Conditions: the slots are a shared array, `head` and `count` say
// which are full, and two conditions over one Lock - not-full and not-empty - let a producer wait while
// the buffer is full and a consumer while it is empty. Whoever changes the buffer notifies the other
// side. (mp::Queue does all of this for you; here you can watch the parts move.)
#include "scenario.hpp"

#include <mp/sharedctypes.hpp>
#include <mp/synchronize.hpp>

#include <mutex>
#include <string>

namespace {

using scenario::say;

constexpr int stop_item = -1;

// The buffer's parts; every process rebuilds it from the shared objects it was given.
class Buffer {
public:
    Buffer(mp::Array slots, mp::Value head, mp::Value count, mp::Condition not_full, mp::Condition not_empty)
        : slots_(std::move(slots))
        , head_(std::move(head))
        , count_(std::move(count))
        , not_full_(std::move(not_full))
        , not_empty_(std::move(not_empty)) {}

    void put(int item, const std::string& who) {
        std::lock_guard hold(not_full_); // the lock both conditions share
        const int capacity = static_cast<int>(slots_.size());
        if (count() == capacity) say(who, " finds the buffer full and waits on not-full");
        not_full_.wait_for([&] { return count() < capacity; });
        slots_.set((head() + count()) % capacity, item);
        count_.set(count() + 1);
        not_empty_.notify();
    }

    int get(const std::string& who) {
        std::lock_guard hold(not_empty_);
        if (count() == 0) say(who, " finds the buffer empty and waits on not-empty");
        not_empty_.wait_for([&] { return count() > 0; });
        const int item = slots_.get<int>(head());
        head_.set((head() + 1) % static_cast<int>(slots_.size()));
        count_.set(count() - 1);
        not_full_.notify();
        return item;
    }

private:
    int head() const { return head_.get<int>(); }
    int count() const { return count_.get<int>(); }

    mp::Array slots_;
    mp::Value head_, count_;
    mp::Condition not_full_, not_empty_;
};

void buffer_producer(int id, int items, mp::Array slots, mp::Value head, mp::Value count,
                     mp::Condition not_full, mp::Condition not_empty, scenario::Tempo tempo) {
    Buffer buffer(slots, head, count, not_full, not_empty);
    const std::string me = "producer-" + std::to_string(id);
    for (int k = 0; k < items; ++k) {
        tempo.pause(0.3);
        const int item = id * 1000 + k;
        buffer.put(item, me);
        say(me, " put ", item);
    }
}
MP_TASK(buffer_producer);

void buffer_consumer(int id, mp::Array slots, mp::Value head, mp::Value count, mp::Condition not_full,
                     mp::Condition not_empty, scenario::Tempo tempo) {
    Buffer buffer(slots, head, count, not_full, not_empty);
    const std::string me = "consumer-" + std::to_string(id);
    int taken = 0;
    for (int item; (item = buffer.get(me)) != stop_item; ++taken) {
        say(me, " took ", item);
        tempo.pause(0.8);
    }
    say(me, " stops after ", taken, " items");
}
MP_TASK(buffer_consumer);

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int producers = params.integer("producers");
    const int consumers = params.integer("consumers");
    const int items = params.integer("items");
    mp::Array slots = ctx.RawArray('i', params.integer("capacity"));
    slots.set_label("slots");
    mp::Value head = ctx.RawValue('i', 0);
    head.set_label("head");
    mp::Value count = ctx.RawValue('i', 0);
    count.set_label("count");
    mp::Lock lock = ctx.Lock();
    lock.set_label("buffer-lock");
    mp::Condition not_full = ctx.Condition(lock);
    not_full.set_label("not-full");
    mp::Condition not_empty = ctx.Condition(lock);
    not_empty.set_label("not-empty");

    auto consuming = scenario::start_processes(ctx, consumers, "consumer", buffer_consumer, [&](int i) {
        return mp::args(i, slots, head, count, not_full, not_empty, tempo);
    });
    auto producing = scenario::start_processes(ctx, producers, "producer", buffer_producer, [&](int i) {
        return mp::args(i, items, slots, head, count, not_full, not_empty, tempo);
    });
    scenario::join_all(producing);
    say("every producer is done: the main process puts one stop item (", stop_item, ") per consumer");
    Buffer buffer(slots, head, count, not_full, not_empty);
    for (int i = 0; i < consumers; ++i)
        buffer.put(stop_item, "the main process");
    scenario::join_all(consuming);
    say("all ", producers * items, " items went through a buffer of ", slots.size(), " slots");
}

const scenario::Register registered({
    .name = "bounded_buffer_condition",
    .params = {{"producers", 2, 1, 8}, {"consumers", 2, 1, 8}, {"items", 6, 1, 100}, {"capacity", 3, 1, 16}},
    .run = run,
});

} // namespace
