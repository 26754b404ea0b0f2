// The seed's first Process example: a child prints "hello bob".
#include "example_method.hpp"

#include <mp/process.hpp>

#include <iostream>
#include <string>

void f(const std::string& name) {
    std::cout << "hello " << name << std::endl;
}
MP_TASK(f);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);
    mp::Process p(f, mp::args("bob"));
    p.start();
    p.join();
}
