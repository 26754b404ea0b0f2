// The seed's first Pool example (core/examples/pool_map.cpp): `with Pool(5) as p: print(p.map(f, [1, 2,
// 3]))`. Five workers start; map splits the list into tasks, the workers square the numbers, and map returns
// the results in input order.
#include "common_tasks.hpp"
#include "scenario.hpp"

#include <mp/pool.hpp>

#include <cstdint>
#include <vector>

namespace {

using scenario::say;
using scenario::square;

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    say("# a Pool of 5 worker processes");
    mp::Pool p = ctx.Pool(5);
    tempo.pause(1); // the workers start
    say("# map(square, [1, 2, 3]) waits until every result is back");
    say(p.map(square, std::vector<std::int64_t>{1, 2, 3})); // prints "[1, 4, 9]"
    tempo.pause(1);
    say("# leaving the with block terminates the pool");
    p.terminate();
    p.join();
}

const scenario::Register registered({.name = "pool_map", .run = run});

} // namespace
