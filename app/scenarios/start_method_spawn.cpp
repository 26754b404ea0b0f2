// The seed's set_start_method example (core/examples/start_method_spawn.cpp): the start method is chosen
// once, at the start of the program; a child started with it puts 'hello' on a Queue. Setting it a
// second time is a RuntimeError.
#include "scenario.hpp"

#include <mp/queues.hpp>

namespace {

using scenario::say;

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    const std::string method = ctx.start_method();
    say("# mp.set_start_method('", method, "')");
    mp::set_start_method(method);
    mp::Queue q;
    q.set_label("q");
    mp::Process p(scenario::put_hello, mp::args(q, tempo));
    p.start();
    say(q.get().str());
    p.join();
    try {
        mp::set_start_method(method); // at most once per program
    } catch (const mp::RuntimeError& e) {
        say("RuntimeError: ", e.what());
    }
}

const scenario::Register registered({.name = "start_method_spawn", .run = run});

} // namespace
