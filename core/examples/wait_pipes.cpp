// The docs' connection.wait() example (core/examples/python/wait_pipes.py): four children each send
// (i, name) ten times over their own simplex pipe; the parent waits on all read ends at once until every
// one reports end of file. --method fork|spawn|forkserver picks the start method.
#include "example_method.hpp"

#include <mp/connection.hpp>
#include <mp/process.hpp>

#include <algorithm>
#include <iostream>
#include <vector>

void foo(mp::Connection w) {
    for (int i = 0; i < 10; ++i)
        w.send(mp::Object::tuple(i, mp::current_process().name()));
    w.close();
}
MP_TASK(foo);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);

    std::vector<mp::Connection> readers;
    std::vector<mp::Process> children;
    for (int i = 0; i < 4; ++i) {
        auto [r, w] = mp::Pipe(false);
        readers.push_back(r);
        mp::Process p(foo, mp::args(w));
        p.start();
        // We close the writable end of the pipe now to be sure that p is the only process which owns a
        // handle for it. This ensures that when p closes its handle for the writable end, wait() will
        // promptly report the readable end as being ready.
        w.close();
        children.push_back(std::move(p));
    }

    // The children interleave nondeterministically, so the messages are printed sorted (compare with
    // `python3 wait_pipes.py | sort`).
    std::vector<mp::Object> messages;
    while (!readers.empty()) {
        for (const mp::Connection& r : mp::connection::wait(readers)) {
            try {
                messages.push_back(r.recv());
            } catch (const mp::EOFError&) {
                readers.erase(std::find(readers.begin(), readers.end(), r));
            }
        }
    }
    std::sort(messages.begin(), messages.end(), [](const mp::Object& a, const mp::Object& b) {
        return std::pair(a[0].as_int(), a[1].as_str()) < std::pair(b[0].as_int(), b[1].as_str());
    });
    for (const mp::Object& msg : messages)
        std::cout << msg << '\n';
    for (mp::Process& p : children)
        p.join();
}
