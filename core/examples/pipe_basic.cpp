// The docs' Pipe example (core/examples/python/pipe_basic.py): a child sends a list through its end of a
// duplex Pipe and the parent prints it. --method fork|spawn|forkserver picks the start method.
#include "example_method.hpp"

#include <mp/connection.hpp>
#include <mp/process.hpp>

#include <iostream>

void f(mp::Connection conn) {
    conn.send(mp::Object::list({42, mp::None, "hello"}));
    conn.close();
}
MP_TASK(f);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);

    auto [parent_conn, child_conn] = mp::Pipe();
    mp::Process p(f, mp::args(child_conn));
    p.start();
    std::cout << parent_conn.recv() << std::endl; // prints "[42, None, 'hello']"
    p.join();
}
