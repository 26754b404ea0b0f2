// The Connection docs' session (core/examples/pipe_bytes.cpp), with the second end in a child process:
// objects with send()/recv(), raw bytes with send_bytes()/recv_bytes(), and recv_bytes_into() an int array
// larger than the message.
#include "scenario.hpp"

#include <mp/connection.hpp>

#include <array>
#include <cstdint>
#include <string>

namespace {

using scenario::say;

// Python's repr of array('i', values).
template <std::size_t N> std::string int_array_repr(const std::array<std::int32_t, N>& values) {
    std::string out = "array('i', [";
    for (std::size_t i = 0; i < N; ++i)
        out += (i ? ", " : "") + std::to_string(values[i]);
    return out + "])";
}

// Holds the end `b` of the docs' session.
void bytes_peer(mp::Connection b, scenario::Tempo tempo) {
    say(b.recv().repr());
    tempo.pause(1);
    b.send_bytes("thank you");
    std::array<std::int32_t, 10> arr2{};
    const std::size_t count = b.recv_bytes_into(arr2);
    say(count, " bytes received into a 10-int array");
    say(int_array_repr(arr2));
}
MP_TASK(bytes_peer);

void run(const scenario::Params&, mp::Context& ctx, const scenario::Tempo& tempo) {
    auto [a, b] = mp::Pipe();
    mp::Process p = ctx.Process(bytes_peer, mp::args(b, tempo));
    p.start();
    tempo.pause(0.5);
    a.send(mp::Object::list({1, "hello", mp::None}));
    say(mp::Object::bytes(a.recv_bytes()).repr());
    tempo.pause(1);
    const std::array<std::int32_t, 5> arr1{0, 1, 2, 3, 4};
    a.send_bytes(arr1);
    p.join();
}

const scenario::Register registered({.name = "pipe_bytes", .run = run});

} // namespace
