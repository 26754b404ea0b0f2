// The seed's counter-example: a program without the `if __name__ == '__main__':` guard. Its C++
// counterpart is a main() that does not begin with mp::freeze_support(argc, argv): fork still works, but
// spawn and forkserver re-execute the program and would run main() again, so start() refuses with
// RuntimeError and says what to add.
#include "example_method.hpp"

#include <mp/process.hpp>

#include <iostream>

void foo() {
    std::cout << "hello" << std::endl;
}
MP_TASK(foo);

int main(int argc, char** argv) {
    // Deliberately no mp::freeze_support(argc, argv) here.
    example::use_start_method_from_args(argc, argv);
    mp::Process p(foo);
    try {
        p.start();
    } catch (const mp::RuntimeError& e) {
        std::cout << "RuntimeError: " << e.what() << std::endl;
        return 1;
    }
    p.join();
}
