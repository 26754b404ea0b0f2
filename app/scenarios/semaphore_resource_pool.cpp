// A pool of scarce resources guarded by a Semaphore: more workers than connections, and a
// BoundedSemaphore whose value is the number of free connections. A worker acquires one (waiting while
// none is free), uses it, and releases it; the peak number in use never passes the pool's size.
#include "scenario.hpp"

#include <mp/sharedctypes.hpp>
#include <mp/synchronize.hpp>

#include <algorithm>
#include <mutex>

namespace {

using scenario::say;

void connection_user(int id, mp::BoundedSemaphore connections, mp::Value in_use, mp::Value peak,
                     scenario::Tempo tempo) {
    tempo.pause(0.2 * id);
    say("worker-", id, " asks for a connection (", connections.get_value(), " free)");
    std::lock_guard hold_connection(connections);
    {
        std::lock_guard hold(in_use); // in_use += 1 and the peak, as one step
        in_use.set(in_use.get<int>() + 1);
        peak.set(std::max(peak.get<int>(), in_use.get<int>()));
        say("worker-", id, " got a connection; ", in_use.get<int>(), " in use");
    }
    tempo.pause(1.0 + 0.3 * (id % 3));
    {
        std::lock_guard hold(in_use);
        in_use.set(in_use.get<int>() - 1);
    }
    say("worker-", id, " gives its connection back");
}
MP_TASK(connection_user);

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int workers = params.integer("workers");
    const int size = params.integer("connections");
    mp::BoundedSemaphore connections = ctx.BoundedSemaphore(size);
    connections.set_label("connections");
    mp::Value in_use = ctx.Value('i', 0);
    scenario::label_with_lock(in_use, "in-use");
    mp::Value peak = ctx.RawValue('i', 0); // guarded by in-use's lock
    peak.set_label("peak");
    auto team = scenario::start_processes(ctx, workers, "worker", connection_user, [&](int i) {
        return mp::args(i, connections, in_use, peak, tempo);
    });
    scenario::join_all(team);
    say(workers, " workers shared ", size, " connections; at most ", peak.get<int>(), " were in use at once");
}

const scenario::Register registered({
    .name = "semaphore_resource_pool",
    .params = {{"workers", 6, 1, 16}, {"connections", 2, 1, 8}},
    .run = run,
});

} // namespace
