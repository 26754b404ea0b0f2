#pragma once
// Pipe and Connection: message-oriented byte streams between processes (SPEC §4), framed as in CPython's
// multiprocessing.connection on POSIX (SPEC §15.1), so either end may be a real Python process.
#include <mp/errors.hpp>
#include <mp/object.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace mp {

class Connection;

namespace detail {
// A contiguous buffer of plain values that send_bytes views as bytes (text goes through string_view).
template <class Range>
concept ByteViewableBuffer =
    std::ranges::contiguous_range<const Range> && std::ranges::sized_range<const Range> &&
    std::is_trivially_copyable_v<std::ranges::range_value_t<const Range>> &&
    !std::is_convertible_v<const Range&, std::string_view>;
// A contiguous, writable buffer of plain values that recv_bytes_into fills.
template <class Range>
concept WritableBuffer = std::ranges::contiguous_range<Range> && std::ranges::sized_range<Range> &&
    std::is_trivially_copyable_v<std::ranges::range_value_t<Range>> &&
    !std::is_const_v<std::remove_reference_t<std::ranges::range_reference_t<Range>>>;
// A typed value that reaches Object only through Convert (std::vector<int>, a Connection ...).
template <class T>
concept ConvertibleValue = !std::is_convertible_v<const T&, Object> && requires(const T& value) {
    Convert<T>::to(value);
};
template <class T>
concept WaitableElement = std::same_as<T, Connection> || std::same_as<T, int>;
} // namespace detail

// A reference to one end of a connection. Copies refer to the same end (like Python object references):
// close() through any copy closes it for all, and the descriptor is closed when the last copy goes.
class Connection {
public:
    // Takes ownership of `fd`. ValueError('invalid handle') for fd < 0; ValueError when neither direction is
    // allowed.
    explicit Connection(int fd, bool readable = true, bool writable = true);

    // Sends one object as one message (pickle protocol 4, readable by CPython's Connection.recv).
    void send(const Object& object) const;
    // Typed values go through mp::to_object, e.g. send(std::vector<int>{1, 2}).
    template <detail::ConvertibleValue T> void send(const T& value) const { send(to_object(value)); }
    // Receives one message and unpickles it. EOFError when the peer has closed and nothing is pending.
    Object recv() const;

    // Sends `buffer[offset : offset + size]` as one message; offset and size count bytes.
    void send_bytes(std::span<const std::byte> buffer, std::int64_t offset = 0,
                    std::optional<std::int64_t> size = std::nullopt) const;
    void send_bytes(std::string_view buffer, std::int64_t offset = 0,
                    std::optional<std::int64_t> size = std::nullopt) const {
        send_bytes(std::as_bytes(std::span(buffer.data(), buffer.size())), offset, size);
    }
    // Any contiguous buffer of plain values (std::vector<int>, std::array<double, N>, ...) is sent as its
    // bytes.
    template <detail::ByteViewableBuffer Range>
    void send_bytes(const Range& buffer, std::int64_t offset = 0,
                    std::optional<std::int64_t> size = std::nullopt) const {
        send_bytes(std::as_bytes(std::span(std::ranges::data(buffer), std::ranges::size(buffer))), offset,
                   size);
    }

    // Receives one message. When it is longer than `maxlength`, its body stays unread, the connection stops
    // being readable (a read-only one is closed) and OSError('bad message length') is raised.
    std::string recv_bytes(std::optional<std::int64_t> maxlength = std::nullopt) const;

    // Receives one message into `buffer` starting at byte `offset`; returns its length in bytes. A message
    // that does not fit raises BufferTooShort carrying the whole message (which is consumed). As in CPython,
    // buffers of multi-byte elements receive whole elements only.
    template <detail::WritableBuffer Range>
    std::size_t recv_bytes_into(Range&& buffer, std::int64_t offset = 0) const {
        using Element = std::ranges::range_value_t<Range>;
        return recv_bytes_into_items(reinterpret_cast<std::byte*>(std::ranges::data(buffer)),
                                     std::ranges::size(buffer), sizeof(Element), offset);
    }

    // True when a message (or end of file) can be read. nullopt waits forever; negative means 0.
    bool poll(std::optional<double> timeout = 0.0) const;

    int fileno() const;
    void close() const; // idempotent
    bool closed() const noexcept;
    bool readable() const noexcept;
    bool writable() const noexcept;

    // Identity, as Python's `is`: copies of one connection compare equal.
    bool operator==(const Connection& other) const noexcept { return state_ == other.state_; }

private:
    friend struct Convert<Connection>;
    struct State;
    explicit Connection(std::shared_ptr<State> state)
        : state_(std::move(state)) {}
    // The connection already open on `fd` in this process (including one inherited through fork), or a
    // new one taking ownership of it.
    static Connection adopt(int fd, bool readable, bool writable);

    void check_readable() const;
    void check_writable() const;
    std::size_t recv_bytes_into_items(std::byte* items, std::size_t count, std::size_t item_size,
                                      std::int64_t offset) const;
    std::string receive_message(std::optional<std::uint64_t> maxlength) const;
    void send_message(std::span<const std::byte> body) const;

    std::shared_ptr<State> state_;
};

// A Connection travels as Handle{kind "Connection", ints {readable, writable}, fds {fd}}, so it can be a
// Process argument under every start method (the process layer carries the descriptor across).
template <> struct Convert<Connection> {
    static Object to(const Connection& connection); // OSError('handle is closed') when closed
    static Connection from(const Object& object);
};

// (conn1, conn2). Duplex: a connected AF_UNIX stream socket pair, both ends readable and writable.
// Simplex: an OS pipe, conn1 read-only and conn2 write-only. Both descriptors are close-on-exec.
std::pair<Connection, Connection> Pipe(bool duplex = true);

namespace connection {

// ---- Wire format (SPEC §15.1) ----------------------------------------------------------------------------

// Bodies up to this length use the 4-byte header; longer ones use −1 followed by an 8-byte length.
inline constexpr std::uint64_t max_short_body = 0x7fffffff;

struct FrameHeader {
    std::array<std::byte, 12> bytes{};
    std::size_t size = 0;
    std::span<const std::byte> view() const noexcept { return {bytes.data(), size}; }
};
FrameHeader encode_header(std::uint64_t body_length) noexcept;

// What the first four header bytes say: either the body length, or that an 8-byte length follows.
// A value below −1 has no meaning (CPython reads it as an empty message); it is rejected here, returning
// nullopt, so a corrupt or hostile stream is reported instead of being silently misread.
struct HeaderPrefix {
    bool extended = false;
    std::uint64_t length = 0; // valid when !extended
};
std::optional<HeaderPrefix> decode_header_prefix(std::span<const std::byte, 4> prefix) noexcept;
std::uint64_t decode_extended_length(std::span<const std::byte, 8> bytes) noexcept;

// Where frames are read from: a descriptor, or memory (tests and fuzzing run the same parser).
class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Reads at least one and at most `size` bytes; returns 0 only at end of file.
    virtual std::size_t read_some(std::byte* into, std::size_t size) = 0;
};

class MemorySource final : public ByteSource {
public:
    explicit MemorySource(std::span<const std::byte> data) noexcept
        : data_(data) {}
    std::size_t read_some(std::byte* into, std::size_t size) override;
    std::size_t remaining() const noexcept { return data_.size(); }

private:
    std::span<const std::byte> data_;
};

class DescriptorSource final : public ByteSource {
public:
    explicit DescriptorSource(int fd) noexcept
        : fd_(fd) {}
    std::size_t read_some(std::byte* into, std::size_t size) override; // retries EINTR; OSError on failure

private:
    int fd_;
};

// Reads one frame. Returns nullopt, with only the header consumed, when the announced length exceeds
// `maxlength` or the header is invalid. EOFError when the source ends before a header or before a body;
// OSError('got end of file during message') when it ends inside one.
std::optional<std::string> read_frame(ByteSource& source,
                                      std::optional<std::uint64_t> maxlength = std::nullopt);

// ---- wait() ---------------------------------------------------------------------------------------------

// Something wait() can watch: a Connection, a process sentinel or any other readable descriptor.
class Waitable {
public:
    Waitable(Connection connection)
        : target_(std::move(connection)) {}
    Waitable(int fd)
        : target_(fd) {}

    // nullptr when this is a plain descriptor.
    const Connection* connection() const noexcept { return std::get_if<Connection>(&target_); }
    // The descriptor to watch: OSError('handle is closed') for a closed Connection, ValueError for fd < 0.
    int fileno() const;

    bool operator==(const Waitable& other) const = default;

private:
    std::variant<Connection, int> target_;
};

// Waits until at least one object is ready (data or end of file readable, process ended) and returns the
// ready ones in input order; [] when `timeout` seconds pass first. nullopt waits forever, negative means 0.
// The same descriptor twice → KeyError.
std::vector<Waitable> wait(const std::vector<Waitable>& objects,
                           std::optional<double> timeout = std::nullopt);

// The same over a homogeneous list, returning elements of that list (e.g. `for (auto& r : wait(readers))`).
template <mp::detail::WaitableElement T>
std::vector<T> wait(const std::vector<T>& objects, std::optional<double> timeout = std::nullopt) {
    std::vector<Waitable> waitables(objects.begin(), objects.end());
    std::vector<T> ready;
    for (const Waitable& w : wait(waitables, timeout)) {
        if constexpr (std::same_as<T, Connection>)
            ready.push_back(*w.connection());
        else
            ready.push_back(w.fileno());
    }
    return ready;
}

// ---- Listener and Client (SPEC §5, handshake §15.2) -------------------------------------------------------

// An AF_INET address: Python's (host, port) tuple.
struct InetAddress {
    std::string host;
    int port = 0;
    bool operator==(const InetAddress&) const = default;
};
// A string is an AF_UNIX path ("\0name" for Linux's abstract namespace; a string starting with two
// backslashes is a Windows AF_PIPE name, which POSIX rejects).
using Address = std::variant<std::string, InetAddress>;

// The families this platform accepts, and the one an address belongs to ("AF_INET", "AF_UNIX", "AF_PIPE").
inline const std::vector<std::string> families{"AF_INET", "AF_UNIX"};
std::string address_type(const Address& address);

} // namespace connection

// Addresses as Python values: ('127.0.0.1', 6000), '/tmp/x', and b'\x00name' for abstract names.
template <> struct Convert<connection::InetAddress> {
    static Object to(const connection::InetAddress& address);
    static connection::InetAddress from(const Object& object);
};
template <> struct Convert<connection::Address> {
    static Object to(const connection::Address& address);
    static connection::Address from(const Object& object);
};

namespace connection {

// A listening socket. Without an address it binds a fresh one of the family (AF_UNIX by default: a path
// in a private temporary directory; AF_INET: ('localhost', 0)). With an authkey, every accepted connection
// is authenticated both ways before accept() returns it. Filesystem AF_UNIX paths are removed on close.
// The destructor closes, like leaving Python's `with Listener(...)` block.
class Listener {
public:
    explicit Listener(std::optional<Address> address = std::nullopt,
                      std::optional<std::string> family = std::nullopt, int backlog = 1,
                      std::optional<std::string> authkey = std::nullopt);
    Listener(Listener&& other) noexcept;
    Listener& operator=(Listener&& other) noexcept;
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    ~Listener();

    // OSError('listener is closed') after close(); AuthenticationError when the peer fails the handshake.
    Connection accept();
    void close();
    bool closed() const noexcept { return fd_ < 0; }
    const Address& address() const noexcept { return address_; }
    // The peer's address of the last accepted connection ("" for an unnamed AF_UNIX peer).
    const std::optional<Address>& last_accepted() const noexcept { return last_accepted_; }

private:
    int fd_ = -1;
    Address address_;
    bool unlink_on_close_ = false;
    std::optional<std::string> authkey_;
    std::optional<Address> last_accepted_;
};

// Connects to a Listener; with an authkey, answers its challenge and then challenges it.
Connection Client(const Address& address, std::optional<std::string> family = std::nullopt,
                  std::optional<std::string> authkey = std::nullopt);

// The mutual-authentication halves (SPEC §15.2). deliver_challenge sends `#CHALLENGE#{digest}` + 40 random
// bytes and accepts a `{digest}`-prefixed HMAC or a legacy raw HMAC-MD5 reply; answer_challenge answers
// either form. Failure → AuthenticationError ('digest received was wrong' / 'digest sent was rejected').
void deliver_challenge(const Connection& connection, std::string_view authkey,
                       std::string_view digest_name = "sha256");
void answer_challenge(const Connection& connection, std::string_view authkey);

// The MAC computations behind the handshake, exposed so that the protocol's test vectors can be checked.
// challenge_response: the reply to a challenge message (without the #CHALLENGE# prefix).
std::string challenge_response(std::string_view authkey, std::string_view message);
// verify_challenge_response: AuthenticationError unless `response` answers `message`.
void verify_challenge_response(std::string_view authkey, std::string_view message, std::string_view response);

} // namespace connection
} // namespace mp
