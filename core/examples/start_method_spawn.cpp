// The seed's set_start_method example (core/examples/python/start_method_spawn.py): the start method is
// chosen once, in main, before anything else; a child started with it puts 'hello' on a Queue.
// --method fork|spawn|forkserver replaces the seed's fixed 'spawn' (default: spawn).
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

    mp::set_start_method(method);
    mp::Queue q;
    mp::Process p(foo, mp::args(q));
    p.start();
    std::cout << q.get().str() << std::endl;
    p.join();
    try {
        mp::set_start_method(method); // at most once per program
    } catch (const mp::RuntimeError& e) {
        std::cout << "RuntimeError: " << e.what() << std::endl;
    }
}
