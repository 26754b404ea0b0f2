// The docs' shared-memory example (core/examples/value_array.cpp): a child writes a Value('d') and
// negates every element of an Array('i') in shared memory; the main process prints both after join().
#include "scenario.hpp"

#include <mp/sharedctypes.hpp>

#include <ranges>

namespace {

using scenario::say;

void negate_shared(mp::Value n, mp::Array a, scenario::Tempo tempo) {
    tempo.pause(0.5);
    n.set(3.1415927);
    for (std::size_t i = 0; i < a.size(); ++i) {
        tempo.pause(0.2); // one element at a time: watch the array change
        a.set(i, -a.get<int>(i));
    }
}
MP_TASK(negate_shared);

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    mp::Value num = ctx.Value('d', 0.0);
    scenario::label_with_lock(num, "num");
    mp::Array arr(ctx, 'i', std::views::iota(0, 10));
    scenario::label_with_lock(arr, "arr");
    mp::Process p = ctx.Process(negate_shared, mp::args(num, arr, tempo));
    p.start();
    p.join();
    say(num.value().repr()); // 3.1415927
    say(arr.slice().repr()); // [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]
}

const scenario::Register registered({.name = "value_array", .run = run});

} // namespace
