#pragma once
// Small POSIX building blocks shared by the start methods: owned descriptors, pipes, whole reads and
// writes that survive EINTR, SIGPIPE-safe writes, readiness waits and wait-status decoding.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mp::detail {

// Owns one file descriptor; closes it on destruction.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept
        : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept
        : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const noexcept { return fd_; }
    bool valid() const noexcept { return fd_ >= 0; }
    explicit operator bool() const noexcept { return valid(); }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

struct PipeEnds {
    UniqueFd read;
    UniqueFd write;
};

// pipe2(O_CLOEXEC): nothing leaks into exec'd programs unless asked for.
PipeEnds make_pipe();

void set_cloexec(int fd, bool on);
bool fd_is_open(int fd) noexcept;

// Writes everything; a vanished reader raises SystemError(EPIPE) instead of killing the process with
// SIGPIPE (the signal is blocked for this thread and any instance it raised is consumed).
void write_all(int fd, std::string_view data);
// Reads exactly n bytes. Returns the number read before EOF (n on success); errors throw SystemError.
std::size_t read_exact(int fd, char* buffer, std::size_t n);
// Reads until EOF.
std::string read_to_eof(int fd);

// Waits until fd is readable (data or EOF). nullopt = forever; <= 0 polls once. True when ready.
bool wait_readable(int fd, std::optional<double> timeout_seconds);

// 8-byte native-endian signed integers, as the forkserver exchanges them (SPEC §14).
void write_signed(int fd, std::int64_t value);
std::optional<std::int64_t> read_signed(int fd); // nullopt on EOF before 8 bytes

// waitpid status -> Python exitcode: exit status, or -N for signal N.
int exitcode_from_status(int status) noexcept;

// "-SIGTERM" for -15 and the other signal numbers Python names; otherwise the number.
std::string exitcode_to_name(int exitcode);

// Flushes C and C++ standard output streams so a child does not repeat the parent's buffered output.
void flush_std_streams() noexcept;
// In a fork child: drops what stdout and stderr held unwritten at the fork. The parent flushes before it
// forks, but another of its threads may have written since; that text is the parent's to write, not the
// child's as well (it would appear twice).
void discard_inherited_std_buffers() noexcept;

} // namespace mp::detail
