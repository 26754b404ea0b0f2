// The seed's get_context example (core/examples/python/get_context.py): a context object carries the
// whole API bound to one start method, so a program (or a library) can use several methods side by side
// without touching the default. --method picks the context's method (default: spawn).
#include "example_method.hpp"

#include <mp/context.hpp>
#include <mp/process.hpp>
#include <mp/queues.hpp>

#include <iostream>
#include <string>

void foo(mp::Queue q) {
    q.put("hello");
}
MP_TASK(foo);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    const std::string method = example::start_method_from_args(argc, argv, "spawn");

    mp::Context& ctx = mp::get_context(method);
    mp::Queue q = ctx.Queue();
    mp::Process p = ctx.Process(foo, mp::args(q));
    p.start();
    std::cout << q.get().str() << std::endl;
    p.join();
    // The default start method was left alone.
    std::cout << mp::get_start_method(true).value_or("None") << std::endl;
}
