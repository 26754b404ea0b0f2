// The docs' multiprocessing.sharedctypes example (core/examples/sharedctypes_point.cpp): a child squares
// a Value('i') and a raw c_double, upper-cases a shared byte string and squares the fields of an Array of
// Point structs; the string and the array share one Lock.
#include "scenario.hpp"

#include <mp/sharedctypes.hpp>
#include <mp/synchronize.hpp>

#include <cctype>
#include <cmath>
#include <string>
#include <vector>

// class Point(Structure): _fields_ = [('x', c_double), ('y', c_double)]
struct Point {
    double x;
    double y;
};
MP_CTYPES_STRUCT(Point, x, y);

namespace {

using scenario::say;

void modify(mp::Value n, mp::Value x, mp::Array s, mp::Array A, scenario::Tempo tempo) {
    tempo.pause(0.5);
    // Like `n.value **= 2`: a locked read, then a locked write - not one atomic step.
    const int n_value = n.get<int>();
    n.set(n_value * n_value);
    tempo.pause(0.5);
    x.set(std::pow(x.get<double>(), 2));
    tempo.pause(0.5);
    std::string text = s.value().as_bytes();
    for (char& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    s.set_value(mp::Object::bytes(text));
    for (std::size_t i = 0; i < A.size(); ++i) {
        tempo.pause(0.5);
        Point a = A.get<Point>(i);
        a.x = std::pow(a.x, 2);
        a.y = std::pow(a.y, 2);
        A.set(i, a);
    }
}
MP_TASK(modify);

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    mp::Lock lock = ctx.Lock();
    lock.set_label("lock");
    mp::Value n = ctx.Value('i', 7);
    scenario::label_with_lock(n, "n");
    mp::Value x = ctx.Value(mp::c_double, 1.0 / 3.0, false);
    x.set_label("x");
    mp::Array s = ctx.Array('c', mp::Object::bytes("hello world"), lock);
    s.set_label("s");
    mp::Array A(ctx, mp::ctype<Point>(), std::vector<Point>{{1.875, -6.25}, {-5.75, 2.0}, {2.375, 9.5}},
                lock);
    A.set_label("A");
    mp::Process p = ctx.Process(modify, mp::args(n, x, s, A, tempo));
    p.start();
    p.join();
    // print result
    say(n.value().repr());
    say(x.value().repr());
    say(s.value().repr());
    say(A.slice().repr()); // [(a.x, a.y) for a in A]
}

const scenario::Register registered({.name = "sharedctypes_point", .run = run});

} // namespace
