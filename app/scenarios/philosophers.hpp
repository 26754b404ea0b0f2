#pragma once
// The table both dining-philosopher scenarios lay: n forks (Locks labelled fork-0 ...) and a barrier
// "all-seated" that lets everyone start at the same moment.
#include <mp/context.hpp>
#include <mp/synchronize.hpp>

#include <string>
#include <vector>

namespace scenario {

struct Table {
    std::vector<mp::Lock> forks;
    mp::Barrier all_seated;
};

inline Table lay_table(mp::Context& ctx, int philosophers) {
    Table table{{}, ctx.Barrier(philosophers)};
    for (int i = 0; i < philosophers; ++i) {
        table.forks.push_back(ctx.Lock());
        table.forks.back().set_label("fork-" + std::to_string(i));
    }
    table.all_seated.set_label("all-seated");
    return table;
}

} // namespace scenario
