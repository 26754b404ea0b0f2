// The seed's info() example: the main line and a child print their module name, parent pid and pid.
#include "example_method.hpp"

#include <mp/context.hpp>
#include <mp/process.hpp>

#include <iostream>
#include <string>
#include <unistd.h>

// Python's __name__: spawn and forkserver children import the main module again as "__mp_main__",
// while the main process and fork children run it as "__main__".
std::string module_name() {
    if (mp::parent_process() == nullptr || mp::get_start_method() == "fork") return "__main__";
    return "__mp_main__";
}

void info(const std::string& title) {
    std::cout << title << '\n';
    std::cout << "module name: " << module_name() << '\n';
    std::cout << "parent process: " << ::getppid() << '\n';
    std::cout << "process id: " << ::getpid() << std::endl;
}

void f(const std::string& name) {
    info("function f");
    std::cout << "hello " << name << std::endl;
}
MP_TASK(f);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);
    info("main line");
    mp::Process p(f, mp::args("bob"));
    p.start();
    p.join();
}
