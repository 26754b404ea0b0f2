// The docs' multiprocessing.sharedctypes example (core/examples/python/sharedctypes_point.py): a child
// squares a Value('i') and a raw c_double, upper-cases a shared byte string and squares the fields of an
// Array of Point structs; the string and the array share one Lock. --method fork|spawn|forkserver picks
// the start method.
#include "example_method.hpp"

#include <mp/process.hpp>
#include <mp/sharedctypes.hpp>
#include <mp/synchronize.hpp>

#include <cctype>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

// class Point(Structure): _fields_ = [('x', c_double), ('y', c_double)]
struct Point {
    double x;
    double y;
};
MP_CTYPES_STRUCT(Point, x, y);

void modify(mp::Value n, mp::Value x, mp::Array s, mp::Array A) {
    // Like `n.value **= 2`: a locked read, then a locked write - not one atomic step.
    const int n_value = n.get<int>();
    n.set(n_value * n_value);
    x.set(std::pow(x.get<double>(), 2));
    std::string text = s.value().as_bytes();
    for (char& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    s.set_value(mp::Object::bytes(text));
    for (std::size_t i = 0; i < A.size(); ++i) {
        Point a = A.get<Point>(i);
        a.x = std::pow(a.x, 2);
        a.y = std::pow(a.y, 2);
        A.set(i, a);
    }
}
MP_TASK(modify);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);

    mp::Lock lock;
    mp::Value n('i', 7);
    mp::Value x(mp::c_double, 1.0 / 3.0, false);
    mp::Array s('c', mp::Object::bytes("hello world"), lock);
    mp::Array A(mp::ctype<Point>(), std::vector<Point>{{1.875, -6.25}, {-5.75, 2.0}, {2.375, 9.5}}, lock);
    mp::Process p(modify, mp::args(n, x, s, A));
    p.start();
    p.join();
    // print result
    std::cout << n.value() << '\n';
    std::cout << x.value() << '\n';
    std::cout << s.value() << '\n';
    std::cout << A.slice() << std::endl; // [(a.x, a.y) for a in A]
}
