// The seed's first Process example (core/examples/process_hello.cpp): a child prints "hello bob" while the
// main process waits for it in join().
#include "scenario.hpp"

#include <string>

namespace {

using scenario::say;

void f(const std::string& name, scenario::Tempo tempo) {
    tempo.pause(1); // long enough to see the child running and the main process joining it
    say("hello ", name);
}
MP_TASK(f);

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    mp::Process p = ctx.Process(f, mp::args("bob", tempo));
    p.start();
    say("# ", p.name(), " started (pid ", p.pid().value_or(0), "); the main process joins it");
    p.join();
    say("# ", p.name(), " exited with code ", p.exitcode().value_or(-1));
}

const scenario::Register registered({.name = "process_hello", .run = run});

} // namespace
