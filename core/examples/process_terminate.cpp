// The seed's terminate session: reprs and is_alive() before start, while running and after terminate(),
// then whether the exit code is -SIGTERM.
#include "example_method.hpp"

#include <mp/process.hpp>

#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

// time.sleep(seconds)
void sleep_seconds(double seconds) {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}
MP_TASK(sleep_seconds);

// print(p, p.is_alive()): the arguments are evaluated first, so repr sees the state is_alive() left.
void print_state(const mp::Process& p) {
    bool alive = p.is_alive();
    std::cout << p << ' ' << (alive ? "True" : "False") << std::endl;
}

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);
    mp::Process p(sleep_seconds, mp::args(1000));
    print_state(p);
    p.start();
    print_state(p);
    p.terminate();
    sleep_seconds(0.1);
    print_state(p);
    std::cout << (p.exitcode() == -SIGTERM ? "True" : "False") << std::endl;
}
