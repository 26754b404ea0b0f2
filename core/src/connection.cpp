// Pipe and Connection (SPEC §4).
#include "mp/connection.hpp"
#include "mp/pickle.hpp"

#include "connection_poll.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <unordered_map>

namespace mp {

namespace {

// A reply to a small message usually arrives within microseconds. Looking for it in user space for a
// short, bounded while before blocking in read() saves the sleep and wake-up through the scheduler,
// which otherwise dominates a small round trip (the idea of an adaptive mutex). sched_yield() lets a
// peer that shares this CPU run meanwhile.
void await_readable_briefly(int fd) {
    constexpr auto spin_limit = std::chrono::microseconds(50);
    pollfd watched{.fd = fd, .events = POLLIN, .revents = 0};
    const auto deadline = std::chrono::steady_clock::now() + spin_limit;
    do {
        // Data, end of file, an error or EINTR: the blocking read that follows sorts it out.
        if (::poll(&watched, 1, 0) != 0) return;
        sched_yield();
    } while (std::chrono::steady_clock::now() < deadline);
}

} // namespace

struct Connection::State {
    int fd;
    bool readable;
    bool writable;
    bool is_socket; // sockets are written with MSG_NOSIGNAL; pipes need SigpipeBlock

    State(int fd_, bool readable_, bool writable_, bool is_socket_)
        : fd(fd_)
        , readable(readable_)
        , writable(writable_)
        , is_socket(is_socket_) {}
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() { close(); }

    void close() {
        if (fd < 0) return;
        forget(fd);
        // Not retried on EINTR: Linux releases the descriptor even then, and it may already be reused.
        ::close(fd);
        fd = -1;
    }

    // Open connections of this process by descriptor. Turning a Handle back into a Connection must find
    // the existing owner (in this process, or the copy a fork child inherited), not make a second one that
    // would close the descriptor twice.
    static void remember(const std::shared_ptr<State>& state) {
        std::lock_guard lock(registry_mutex());
        registry()[state->fd] = state;
    }
    static std::shared_ptr<State> find(int fd) {
        std::lock_guard lock(registry_mutex());
        const auto it = registry().find(fd);
        return it == registry().end() ? nullptr : it->second.lock();
    }

private:
    static void forget(int fd) {
        std::lock_guard lock(registry_mutex());
        registry().erase(fd);
    }
    static std::mutex& registry_mutex() {
        static std::mutex mutex;
        // Held across fork() so that a child never starts with it locked by a thread that does not exist
        // there (a later Connection in the child would wait forever).
        static const int fork_guard =
            pthread_atfork([] { mutex.lock(); }, [] { mutex.unlock(); }, [] { mutex.unlock(); });
        (void)fork_guard;
        return mutex;
    }
    static std::unordered_map<int, std::weak_ptr<State>>& registry() {
        static std::unordered_map<int, std::weak_ptr<State>> open_connections;
        return open_connections;
    }
};

namespace {

bool is_socket(int fd) {
    struct stat info {};
    return ::fstat(fd, &info) == 0 && S_ISSOCK(info.st_mode);
}

// Writing to a pipe whose reader is gone raises SIGPIPE, which would kill the process; there is no
// MSG_NOSIGNAL for pipes. Python ignores SIGPIPE process-wide; a library must not change the disposition,
// so the signal is blocked for this thread during the write, and a SIGPIPE the write itself raised is
// taken off the pending set before the old mask returns. The caller then sees EPIPE → OSError.
class SigpipeBlock {
public:
    SigpipeBlock() {
        sigemptyset(&sigpipe_);
        sigaddset(&sigpipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &sigpipe_, &previous_);
    }
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;
    ~SigpipeBlock() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

    // After EPIPE: discard the SIGPIPE this write generated. If the caller already had SIGPIPE blocked, a
    // pending one may be theirs, so it is left alone.
    void discard_generated_signal() {
        if (sigismember(&previous_, SIGPIPE)) return;
        const timespec no_wait{};
        while (sigtimedwait(&sigpipe_, nullptr, &no_wait) == -1 && errno == EINTR) {
        }
    }

private:
    sigset_t sigpipe_{};
    sigset_t previous_{};
};

// Writes every byte of `parts` (header and body) with as few system calls as possible, resuming after
// partial writes and EINTR.
void write_all(int fd, bool socket, std::span<iovec> parts) {
    std::optional<SigpipeBlock> sigpipe_block;
    if (!socket) sigpipe_block.emplace();
    while (!parts.empty()) {
        ssize_t written;
        if (socket) {
            msghdr message{};
            message.msg_iov = parts.data();
            message.msg_iovlen = parts.size();
            written = ::sendmsg(fd, &message, MSG_NOSIGNAL);
        } else {
            written = ::writev(fd, parts.data(), static_cast<int>(parts.size()));
        }
        if (written < 0) {
            const int err = errno;
            if (err == EINTR) continue;
            if (err == EPIPE && sigpipe_block) sigpipe_block->discard_generated_signal();
            throw_errno("send", err);
        }
        auto left = static_cast<std::size_t>(written);
        while (!parts.empty() && left >= parts.front().iov_len) {
            left -= parts.front().iov_len;
            parts = parts.subspan(1);
        }
        if (!parts.empty()) {
            parts.front().iov_base = static_cast<char*>(parts.front().iov_base) + left;
            parts.front().iov_len -= left;
        }
    }
}

} // namespace

Connection::Connection(int fd, bool readable, bool writable) {
    if (fd < 0) throw ValueError("invalid handle");
    if (!readable && !writable) throw ValueError("at least one of `readable` and `writable` must be True");
    state_ = std::make_shared<State>(fd, readable, writable, is_socket(fd));
    State::remember(state_);
}

Connection Connection::adopt(int fd, bool readable, bool writable) {
    if (std::shared_ptr<State> existing = State::find(fd)) return Connection(std::move(existing));
    return Connection(fd, readable, writable);
}

Object Convert<Connection>::to(const Connection& connection) {
    return Handle{.kind = "Connection",
                  .name = {},
                  .ints = {connection.readable(), connection.writable()},
                  .fds = {connection.fileno()}};
}

Connection Convert<Connection>::from(const Object& object) {
    const Handle& handle = object.as_handle();
    if (handle.kind != "Connection" || handle.ints.size() != 2 || handle.fds.size() != 1)
        throw TypeError("expected a Connection handle, got '" + handle.kind + "'");
    return Connection::adopt(handle.fds[0], handle.ints[0] != 0, handle.ints[1] != 0);
}

void Connection::check_readable() const {
    if (state_->fd < 0) throw OSError("handle is closed");
    if (!state_->readable) throw OSError("connection is write-only");
}

void Connection::check_writable() const {
    if (state_->fd < 0) throw OSError("handle is closed");
    if (!state_->writable) throw OSError("connection is read-only");
}

int Connection::fileno() const {
    if (state_->fd < 0) throw OSError("handle is closed");
    return state_->fd;
}

void Connection::close() const {
    state_->close();
}

bool Connection::closed() const noexcept {
    return state_->fd < 0;
}
bool Connection::readable() const noexcept {
    return state_->readable;
}
bool Connection::writable() const noexcept {
    return state_->writable;
}

void Connection::send_bytes(std::span<const std::byte> buffer, std::int64_t offset,
                            std::optional<std::int64_t> size) const {
    check_writable();
    const auto length = static_cast<std::int64_t>(buffer.size());
    if (offset < 0) throw ValueError("offset is negative");
    if (length < offset) throw ValueError("buffer length < offset");
    std::int64_t count = length - offset;
    if (size) {
        if (*size < 0) throw ValueError("size is negative");
        if (*size > length - offset) throw ValueError("buffer length < offset + size");
        count = *size;
    }
    send_message(buffer.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(count)));
}

void Connection::send(const Object& object) const {
    check_writable();
    const std::string pickled = pickle::dumps(object);
    send_message(std::as_bytes(std::span(pickled.data(), pickled.size())));
}

Object Connection::recv() const {
    check_readable();
    return pickle::loads(receive_message(std::nullopt));
}

void Connection::send_message(std::span<const std::byte> body) const {
    const connection::FrameHeader header = connection::encode_header(body.size());
    // One gather write carries header and body together, so a small message is a single system call and
    // (up to PIPE_BUF) a single atomic write on a pipe.
    std::array<iovec, 2> parts{iovec{const_cast<std::byte*>(header.bytes.data()), header.size},
                               iovec{const_cast<std::byte*>(body.data()), body.size()}};
    write_all(state_->fd, state_->is_socket, std::span(parts.data(), body.empty() ? 1 : 2));
}

std::string Connection::receive_message(std::optional<std::uint64_t> maxlength) const {
    await_readable_briefly(state_->fd);
    connection::DescriptorSource source(state_->fd);
    std::optional<std::string> body = connection::read_frame(source, maxlength);
    if (!body) {
        // The body (if any) is still in the stream, so nothing more can be read from this end.
        if (state_->writable)
            state_->readable = false;
        else
            close();
        throw OSError("bad message length");
    }
    return std::move(*body);
}

std::string Connection::recv_bytes(std::optional<std::int64_t> maxlength) const {
    check_readable();
    if (maxlength && *maxlength < 0) throw ValueError("negative maxlength");
    return receive_message(maxlength ? std::optional<std::uint64_t>(*maxlength) : std::nullopt);
}

std::size_t Connection::recv_bytes_into_items(std::byte* items, std::size_t count, std::size_t item_size,
                                              std::int64_t offset) const {
    check_readable();
    const std::uint64_t buffer_bytes = std::uint64_t(count) * item_size;
    if (offset < 0) throw ValueError("negative offset");
    if (std::uint64_t(offset) > buffer_bytes) throw ValueError("offset too large");
    std::string message = receive_message(std::nullopt);
    const std::uint64_t size = message.size();
    if (buffer_bytes < std::uint64_t(offset) + size) throw BufferTooShort(std::move(message));
    // CPython copies into the element slice [offset // itemsize, (offset + size) // itemsize), starting from
    // the first message byte: only whole elements are written, and the start rounds down to an element.
    const std::uint64_t first = std::uint64_t(offset) / item_size;
    const std::uint64_t last = (std::uint64_t(offset) + size) / item_size;
    const std::uint64_t copied = std::min((last - first) * item_size, size);
    if (copied != 0) std::memcpy(items + first * item_size, message.data(), copied);
    return size;
}

bool Connection::poll(std::optional<double> timeout) const {
    check_readable();
    pollfd watched{.fd = state_->fd, .events = POLLIN, .revents = 0};
    return connection::detail::poll_descriptors(std::span(&watched, 1), timeout) > 0;
}

std::pair<Connection, Connection> Pipe(bool duplex) {
    int fds[2];
    if (duplex) {
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) throw_errno("socketpair");
        return {Connection(fds[0]), Connection(fds[1])};
    }
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe");
    return {Connection(fds[0], true, false), Connection(fds[1], false, true)};
}

} // namespace mp
