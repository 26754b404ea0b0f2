// The seed's info() example (core/examples/process_info.cpp): the main process and a child print their
// module name, parent pid and pid. A spawn or forkserver child runs the program again as "__mp_main__".
#include "scenario.hpp"

#include <string>
#include <unistd.h>

namespace {

using scenario::say;

// Python's __name__: spawn and forkserver children import the main module again as "__mp_main__".
std::string module_name() {
    if (mp::parent_process() == nullptr || mp::current_process().name().starts_with("ForkProcess-"))
        return "__main__";
    return "__mp_main__";
}

void info(const std::string& title) {
    say(title);
    say("module name: ", module_name());
    say("parent process: ", ::getppid());
    say("process id: ", ::getpid());
}

void show_info(const std::string& name, scenario::Tempo tempo) {
    tempo.pause(1);
    info("function f");
    say("hello ", name);
}
MP_TASK(show_info);

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    info("main line");
    mp::Process p = ctx.Process(show_info, mp::args("bob", tempo));
    p.start();
    p.join();
}

const scenario::Register registered({.name = "process_info", .run = run});

} // namespace
