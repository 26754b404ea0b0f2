// The docs' Pipe example (core/examples/pipe_basic.cpp): a child sends a list through its end of a duplex
// Pipe; the main process waits in recv() until it arrives and prints it.
#include "scenario.hpp"

#include <mp/connection.hpp>

namespace {

using scenario::say;

void send_list(mp::Connection conn, scenario::Tempo tempo) {
    tempo.pause(1);
    conn.send(mp::Object::list({42, mp::None, "hello"}));
    conn.close();
}
MP_TASK(send_list);

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    auto [parent_conn, child_conn] = mp::Pipe();
    mp::Process p = ctx.Process(send_list, mp::args(child_conn, tempo));
    p.start();
    say("# the main process waits in recv()");
    say(parent_conn.recv().repr()); // prints "[42, None, 'hello']"
    p.join();
}

const scenario::Register registered({.name = "pipe_basic", .run = run});

} // namespace
