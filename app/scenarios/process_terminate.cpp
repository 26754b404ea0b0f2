// The seed's terminate session (core/examples/process_terminate.cpp): a process's repr and is_alive()
// before start, while running and after terminate(), and its exit code -SIGTERM.
#include "common_tasks.hpp"
#include "scenario.hpp"

#include <csignal>

namespace {

using scenario::say;
using scenario::sleep_seconds; // time.sleep(seconds)

// print(p, p.is_alive()): the arguments are evaluated first, so repr sees the state is_alive() left.
void print_state(const mp::Process& p) {
    const bool alive = p.is_alive();
    say(p.repr(), ' ', alive ? "True" : "False");
}

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    mp::Process p = ctx.Process(sleep_seconds, mp::args(1000));
    print_state(p);
    p.start();
    print_state(p);
    tempo.pause(1.5);
    say("# the main process calls terminate(): SIGTERM");
    p.terminate();
    p.join(); // the seed sleeps 0.1 s here; join() waits exactly as long as needed
    print_state(p);
    say(p.exitcode() == -SIGTERM ? "True" : "False");
}

const scenario::Register registered({.name = "process_terminate", .run = run});

} // namespace
