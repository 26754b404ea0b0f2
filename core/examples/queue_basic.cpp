// The seed's Queue example (core/examples/python/queue_basic.py): a child puts a list, the parent gets it.
// --method fork|spawn|forkserver picks the start method.
#include "example_method.hpp"

#include <mp/process.hpp>
#include <mp/queues.hpp>

#include <iostream>

void f(mp::Queue q) {
    q.put(mp::Object::list({42, mp::None, "hello"}));
}
MP_TASK(f);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);

    mp::Queue q;
    mp::Process p(f, mp::args(q));
    p.start();
    std::cout << q.get() << std::endl; // prints "[42, None, 'hello']"
    p.join();
}
