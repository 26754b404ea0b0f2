// The same child started under the default start method (--method) and then under each concrete
// context: it prints its process name and the start method it sees.
#include "example_method.hpp"

#include <mp/context.hpp>
#include <mp/process.hpp>

#include <iostream>

void show() {
    std::cout << mp::current_process().name() << ' ' << mp::get_start_method().value() << std::endl;
}
MP_TASK(show);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);
    mp::Process p(show);
    p.start();
    p.join();
    for (const auto& method : mp::get_all_start_methods()) {
        mp::Process q = mp::get_context(method).Process(show);
        q.start();
        q.join();
    }
}
