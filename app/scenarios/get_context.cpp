// The seed's get_context example (core/examples/get_context.cpp): a context object carries the whole API
// bound to one start method, so a program can use a method without setting the default.
#include "scenario.hpp"

#include <mp/queues.hpp>

namespace {

using scenario::say;

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    say("# ctx = mp.get_context('", ctx.start_method(), "')");
    mp::Queue q = ctx.Queue();
    q.set_label("q");
    mp::Process p = ctx.Process(scenario::put_hello, mp::args(q, tempo));
    p.start();
    say(q.get().str());
    p.join();
    // None under fork; spawn and forkserver fix the default while preparing the child, as in CPython.
    say(mp::get_start_method(true).value_or("None"));
}

const scenario::Register registered({.name = "get_context", .run = run});

} // namespace
