// The seed's Queue example (core/examples/queue_basic.cpp): a child puts a list on a Queue; the main
// process waits in get() until it arrives.
#include "scenario.hpp"

#include <mp/queues.hpp>

namespace {

using scenario::say;

void put_list(mp::Queue q, scenario::Tempo tempo) {
    tempo.pause(1);
    q.put(mp::Object::list({42, mp::None, "hello"}));
}
MP_TASK(put_list);

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    mp::Queue q = ctx.Queue();
    q.set_label("q");
    mp::Process p = ctx.Process(put_list, mp::args(q, tempo));
    p.start();
    say("# the main process waits in get()");
    say(q.get().repr()); // prints "[42, None, 'hello']"
    p.join();
}

const scenario::Register registered({.name = "queue_basic", .run = run});

} // namespace
