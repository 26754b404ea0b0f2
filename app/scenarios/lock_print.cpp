// The seed's Lock example (core/examples/lock_print.cpp): children print under one shared Lock, so that
// their lines never interleave; the others wait for the lock meanwhile.
#include "scenario.hpp"

#include <mp/synchronize.hpp>

#include <mutex>
#include <vector>

namespace {

using scenario::say;

void print_under_lock(mp::Lock l, int i, scenario::Tempo tempo) {
    std::lock_guard hold(l); // l.acquire() ... finally: l.release()
    say("hello world ", i);
    tempo.pause(0.3); // hold the lock a while: the others queue up behind it
}
MP_TASK(print_under_lock);

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    mp::Lock lock = ctx.Lock();
    lock.set_label("print-lock");
    std::vector<mp::Process> children;
    for (int num = 0; num < params.integer("children"); ++num) {
        children.push_back(ctx.Process(print_under_lock, mp::args(lock, num, tempo)));
        children.back().start();
    }
    // Python relies on the exit sequence to join them; joining here changes nothing but the order.
    scenario::join_all(children);
}

const scenario::Register registered({
    .name = "lock_print",
    .params = {{"children", 10, 1, 32}},
    .run = run,
});

} // namespace
