// Feeds arbitrary bytes to the SPEC §15.1 frame parser twice: from memory through read_frame, and through a
// real pipe read by Connection. Both must deliver the same messages and end the same way; only mp::Exception
// may escape the library.
#include <mp/connection.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

enum class Ending { end_of_file, truncated, bad_length, other };

struct Outcome {
    std::vector<std::string> messages;
    Ending ending = Ending::other;
};

Ending classify(const mp::Exception& e) {
    if (dynamic_cast<const mp::EOFError*>(&e)) return Ending::end_of_file;
    if (e.message() == "got end of file during message") return Ending::truncated;
    if (e.message() == "bad message length") return Ending::bad_length;
    return Ending::other;
}

Outcome parse_in_memory(std::span<const std::byte> stream, std::optional<std::uint64_t> maxlength) {
    Outcome outcome;
    mp::connection::MemorySource source(stream);
    try {
        for (;;) {
            std::optional<std::string> body = mp::connection::read_frame(source, maxlength);
            if (!body) {
                outcome.ending = Ending::bad_length;
                return outcome;
            }
            outcome.messages.push_back(std::move(*body));
        }
    } catch (const mp::Exception& e) {
        outcome.ending = classify(e);
    }
    return outcome;
}

void require(bool condition) {
    if (!condition) std::abort();
}

// Receives the expected messages through a real pipe, rotating over recv_bytes, recv_bytes_into a byte
// buffer and recv_bytes_into an int32 buffer (whole-element copies), then expects the same ending.
void check_through_pipe(std::span<const std::byte> stream, std::optional<std::int64_t> maxlength,
                        const Outcome& expected) {
    int fds[2];
    require(::pipe2(fds, O_CLOEXEC) == 0);
    if (stream.size() > 65536) require(::fcntl(fds[1], F_SETPIPE_SZ, int(stream.size())) >= 0);
    mp::Connection reader(fds[0], true, false);
    {
        mp::Connection writer(fds[1], false, true);
        std::size_t done = 0;
        while (done < stream.size()) {
            const ssize_t n = ::write(fds[1], stream.data() + done, stream.size() - done);
            require(n > 0);
            done += std::size_t(n);
        }
    } // the writer closes: the reader sees end of file after the input
    std::size_t index = 0;
    try {
        for (; index <= expected.messages.size(); ++index) {
            const std::string want =
                index < expected.messages.size() ? expected.messages[index] : std::string();
            const std::size_t path = maxlength ? 0 : index % 3;
            if (path == 0) {
                require(reader.recv_bytes(maxlength) == want);
                continue;
            }
            try {
                if (path == 1) {
                    char bytes[64];
                    const std::size_t size = reader.recv_bytes_into(bytes);
                    require(std::string(bytes, size) == want);
                } else {
                    std::int32_t items[16];
                    std::memset(items, 0xa5, sizeof items);
                    const std::size_t size = reader.recv_bytes_into(items);
                    const std::size_t whole = size / 4 * 4;
                    const auto* raw = reinterpret_cast<const unsigned char*>(items);
                    require(size == want.size() && std::memcmp(raw, want.data(), whole) == 0);
                    for (std::size_t i = whole; i < sizeof items; ++i)
                        require(raw[i] == 0xa5);
                }
            } catch (const mp::BufferTooShort& e) {
                require(want.size() > 64 && e.message_bytes() == want);
            }
        }
    } catch (const mp::Exception& e) {
        require(index == expected.messages.size() && classify(e) == expected.ending);
        // A read-only end that met a bad length is closed, as in CPython.
        require(expected.ending != Ending::bad_length || reader.closed());
        return;
    }
    std::abort(); // the pipe delivered more messages than memory did
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // First byte: 0xff means no maxlength, anything else is the maxlength.
    const std::optional<std::int64_t> maxlength =
        data[0] == 0xff ? std::nullopt : std::optional<std::int64_t>(data[0]);
    const auto stream = std::as_bytes(std::span(data + 1, size - 1));
    const Outcome in_memory =
        parse_in_memory(stream, maxlength ? std::optional<std::uint64_t>(*maxlength) : std::nullopt);
    require(in_memory.ending != Ending::other);
    check_through_pipe(stream, maxlength, in_memory);
    return 0;
}
