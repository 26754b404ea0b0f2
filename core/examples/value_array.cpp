// The docs' shared-memory example (core/examples/python/value_array.py): a child writes a Value('d') and
// negates every element of an Array('i'); the parent prints both. --method fork|spawn|forkserver picks
// the start method.
#include "example_method.hpp"

#include <mp/process.hpp>
#include <mp/sharedctypes.hpp>

#include <iostream>
#include <ranges>

void f(mp::Value n, mp::Array a) {
    n.set(3.1415927);
    for (std::size_t i = 0; i < a.size(); ++i)
        a.set(i, -a.get<int>(i));
}
MP_TASK(f);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);

    mp::Value num('d', 0.0);
    mp::Array arr('i', std::views::iota(0, 10));
    mp::Process p(f, mp::args(num, arr));
    p.start();
    p.join();
    std::cout << num.value() << '\n';      // 3.1415927
    std::cout << arr.slice() << std::endl; // [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]
}
