// The Connection docs' interactive session (core/examples/python/pipe_bytes.py): objects, bytes, and
// recv_bytes_into an int array, printing each value the session shows.
#include <mp/connection.hpp>

#include <array>
#include <cstdint>
#include <iostream>
#include <string>

namespace {

// Python's repr of array('i', values).
template <std::size_t N> std::string int_array_repr(const std::array<std::int32_t, N>& values) {
    std::string out = "array('i', [";
    for (std::size_t i = 0; i < N; ++i)
        out += (i ? ", " : "") + std::to_string(values[i]);
    return out + "])";
}

} // namespace

int main() {
    auto [a, b] = mp::Pipe();
    a.send(mp::Object::list({1, "hello", mp::None}));
    std::cout << b.recv() << '\n';
    b.send_bytes("thank you");
    std::cout << mp::Object::bytes(a.recv_bytes()) << '\n';
    const std::array<std::int32_t, 5> arr1{0, 1, 2, 3, 4};
    std::array<std::int32_t, 10> arr2{};
    a.send_bytes(arr1);
    const std::size_t count = b.recv_bytes_into(arr2);
    if (count != arr1.size() * sizeof(std::int32_t)) return 1; // the session's assert
    std::cout << int_array_repr(arr2) << '\n';
}
