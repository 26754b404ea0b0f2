// The seed's first Pool example: five workers square [1, 2, 3] with map().
#include "example_method.hpp"

#include <mp/pool.hpp>

#include <iostream>
#include <vector>

int f(int x) {
    return x * x;
}
MP_TASK(f);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);
    mp::Pool p(5);
    std::cout << p.map(f, std::vector{1, 2, 3}) << std::endl;
}
