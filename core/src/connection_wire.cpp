// SPEC §15.1 framing: header encoding and the frame parser shared by Connection, tests and the fuzzer.
#include "mp/connection.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace mp::connection {

FrameHeader encode_header(std::uint64_t body_length) noexcept {
    FrameHeader header;
    auto put_big_endian = [&](std::uint64_t value, std::size_t width) {
        for (std::size_t i = 0; i < width; ++i)
            header.bytes[header.size + i] = std::byte((value >> (8 * (width - 1 - i))) & 0xff);
        header.size += width;
    };
    if (body_length <= max_short_body) {
        put_big_endian(body_length, 4);
    } else {
        put_big_endian(0xffffffffu, 4); // int32 −1 announces the 8-byte length
        put_big_endian(body_length, 8);
    }
    return header;
}

std::optional<HeaderPrefix> decode_header_prefix(std::span<const std::byte, 4> prefix) noexcept {
    std::uint32_t raw = 0;
    for (std::byte b : prefix)
        raw = (raw << 8) | std::to_integer<std::uint32_t>(b);
    const auto value = static_cast<std::int32_t>(raw);
    if (value == -1) return HeaderPrefix{.extended = true, .length = 0};
    if (value < -1) return std::nullopt;
    return HeaderPrefix{.extended = false, .length = static_cast<std::uint64_t>(value)};
}

std::uint64_t decode_extended_length(std::span<const std::byte, 8> bytes) noexcept {
    std::uint64_t value = 0;
    for (std::byte b : bytes)
        value = (value << 8) | std::to_integer<std::uint64_t>(b);
    return value;
}

std::size_t MemorySource::read_some(std::byte* into, std::size_t size) {
    const std::size_t count = std::min(size, data_.size());
    if (count != 0) std::memcpy(into, data_.data(), count);
    data_ = data_.subspan(count);
    return count;
}

std::size_t DescriptorSource::read_some(std::byte* into, std::size_t size) {
    for (;;) {
        const ssize_t count = ::read(fd_, into, size);
        if (count >= 0) return static_cast<std::size_t>(count);
        if (errno != EINTR) throw_errno("read");
    }
}

namespace {

// Fills `into` completely. Returns false when the source was already at its end (nothing read);
// ending part-way is a truncated message.
bool read_exact(ByteSource& source, std::byte* into, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
        const std::size_t count = source.read_some(into + done, size - done);
        if (count == 0) {
            if (done == 0) return false;
            throw OSError("got end of file during message");
        }
        done += count;
    }
    return true;
}

// The header is not trusted for allocation: the body buffer starts at most this big and doubles as bytes
// actually arrive, so a bogus 2^63 length ends in EOF handling instead of a huge allocation.
constexpr std::size_t initial_body_capacity = std::size_t(1) << 20;

} // namespace

std::optional<std::string> read_frame(ByteSource& source, std::optional<std::uint64_t> maxlength) {
    std::array<std::byte, 8> buffer{};
    if (!read_exact(source, buffer.data(), 4)) throw EOFError("");
    const std::optional<HeaderPrefix> prefix =
        decode_header_prefix(std::span<const std::byte, 4>(buffer.data(), 4));
    if (!prefix) return std::nullopt;
    std::uint64_t length = prefix->length;
    if (prefix->extended) {
        if (!read_exact(source, buffer.data(), 8)) throw EOFError("");
        length = decode_extended_length(buffer);
    }
    if (maxlength && length > *maxlength) return std::nullopt;

    std::string body;
    std::uint64_t received = 0;
    while (received < length) {
        if (body.size() == received)
            body.resize(static_cast<std::size_t>(std::min<std::uint64_t>(
                length, std::max<std::uint64_t>(initial_body_capacity, received * 2))));
        const std::size_t count =
            source.read_some(reinterpret_cast<std::byte*>(body.data()) + received, body.size() - received);
        if (count == 0) {
            if (received == 0) throw EOFError("");
            throw OSError("got end of file during message");
        }
        received += count;
    }
    return body;
}

} // namespace mp::connection
