// The docs' connection.wait() example (core/examples/wait_pipes.cpp): children each send (i, name) over
// their own simplex pipe; the main process waits on all read ends at once and prints whatever arrives,
// until every pipe reports end of file.
#include "scenario.hpp"

#include <mp/connection.hpp>

#include <algorithm>
#include <vector>

namespace {

using scenario::say;

void send_messages(mp::Connection w, int messages, scenario::Tempo tempo) {
    for (int i = 0; i < messages; ++i) {
        tempo.pause(0.2);
        w.send(mp::Object::tuple(i, mp::current_process().name()));
    }
    w.close();
}
MP_TASK(send_messages);

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int messages = params.integer("messages");
    std::vector<mp::Connection> readers;
    std::vector<mp::Process> children;
    for (int i = 0; i < params.integer("children"); ++i) {
        auto [r, w] = mp::Pipe(false);
        readers.push_back(r);
        mp::Process p = ctx.Process(send_messages, mp::args(w, messages, tempo));
        p.start();
        // We close the writable end of the pipe now to be sure that p is the only process which owns a
        // handle for it. This ensures that when p closes its handle for the writable end, wait() will
        // promptly report the readable end as being ready.
        w.close();
        children.push_back(std::move(p));
    }

    while (!readers.empty()) {
        for (const mp::Connection& r : mp::connection::wait(readers)) {
            try {
                say(r.recv().repr());
            } catch (const mp::EOFError&) {
                say("# end of file: the writer closed its end");
                readers.erase(std::find(readers.begin(), readers.end(), r));
            }
        }
    }
    scenario::join_all(children);
}

const scenario::Register registered({
    .name = "wait_pipes",
    .params = {{"children", 4, 1, 16}, {"messages", 10, 1, 100}},
    .run = run,
});

} // namespace
