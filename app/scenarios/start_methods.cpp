// The same child started under the default start method (set from --method) and then under each
// concrete context (core/examples/start_methods.cpp): it prints its process name and the start method
// it sees. The class name in the process name tells which context made it.
#include "scenario.hpp"

namespace {

using scenario::say;

void show(scenario::Tempo tempo) {
    tempo.pause(0.5);
    say(mp::current_process().name(), ' ', mp::get_start_method().value());
}
MP_TASK(show);

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    mp::set_start_method(ctx.start_method());
    say("# the default start method is now ", ctx.start_method());
    mp::Process p(show, mp::args(tempo));
    p.start();
    p.join();
    for (const auto& method : mp::get_all_start_methods()) {
        say("# get_context('", method, "').Process(...)");
        mp::Process q = mp::get_context(method).Process(show, mp::args(tempo));
        q.start();
        q.join();
    }
}

const scenario::Register registered({.name = "start_methods", .run = run});

} // namespace
