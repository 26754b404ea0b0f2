#include "process_fd.hpp"

#include "mp/errors.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <iostream>
#include <poll.h>
#include <stdio_ext.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mp::detail {

void UniqueFd::reset(int fd) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

PipeEnds make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe");
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void set_cloexec(int fd, bool on) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0) throw_errno("fcntl(F_GETFD)");
    flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
    if (::fcntl(fd, F_SETFD, flags) != 0) throw_errno("fcntl(F_SETFD)");
}

bool fd_is_open(int fd) noexcept {
    return fd >= 0 && ::fcntl(fd, F_GETFD) >= 0;
}

namespace {

// Blocks SIGPIPE for the current thread for the lifetime of the guard; a SIGPIPE raised meanwhile
// by our own write is consumed before the old mask comes back.
class SigpipeGuard {
public:
    SigpipeGuard() {
        sigemptyset(&pipe_set_);
        sigaddset(&pipe_set_, SIGPIPE);
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_set_, &old_mask_);
    }
    ~SigpipeGuard() {
        if (raised_ && !was_pending_) {
            timespec zero{};
            while (sigtimedwait(&pipe_set_, nullptr, &zero) < 0 && errno == EINTR) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    }
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;
    void note_epipe() { raised_ = true; }

private:
    sigset_t pipe_set_{};
    sigset_t old_mask_{};
    bool was_pending_ = false;
    bool raised_ = false;
};

} // namespace

void write_all(int fd, std::string_view data) {
    SigpipeGuard guard;
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            if (err == EPIPE) guard.note_epipe();
            throw_errno("write", err);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::size_t read_exact(int fd, char* buffer, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
        ssize_t r = ::read(fd, buffer + got, n - got);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw_errno("read");
        }
        if (r == 0) break;
        got += static_cast<std::size_t>(r);
    }
    return got;
}

std::string read_to_eof(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t r = ::read(fd, buf, sizeof buf);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw_errno("read");
        }
        if (r == 0) return out;
        out.append(buf, static_cast<std::size_t>(r));
    }
}

bool wait_readable(int fd, std::optional<double> timeout_seconds) {
    using Clock = std::chrono::steady_clock;
    std::optional<Clock::time_point> deadline;
    if (timeout_seconds) {
        double t = *timeout_seconds > 0 ? *timeout_seconds : 0.0;
        deadline =
            Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(t));
    }
    for (;;) {
        int wait_ms = -1;
        if (deadline) {
            auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
            wait_ms = left > 0 ? static_cast<int>(std::min<long long>(left, 1 << 30)) : 0;
        }
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, wait_ms);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw_errno("poll");
        }
        if (r > 0) return true;
        if (deadline && Clock::now() >= *deadline) return false;
    }
}

void write_signed(int fd, std::int64_t value) {
    char buf[sizeof value];
    std::memcpy(buf, &value, sizeof value);
    write_all(fd, std::string_view(buf, sizeof buf));
}

std::optional<std::int64_t> read_signed(int fd) {
    char buf[sizeof(std::int64_t)];
    if (read_exact(fd, buf, sizeof buf) != sizeof buf) return std::nullopt;
    std::int64_t value;
    std::memcpy(&value, buf, sizeof value);
    return value;
}

int exitcode_from_status(int status) noexcept {
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return WEXITSTATUS(status);
}

std::string exitcode_to_name(int exitcode) {
    // The names Python's signal module exports for Linux signal numbers (aliases such as SIGIOT and
    // SIGIO lose to SIGABRT and SIGPOLL there as well).
    static constexpr const char* names[65] = {
        nullptr,    "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",  "SIGTRAP",   "SIGABRT",
        "SIGBUS",   "SIGFPE",  "SIGKILL",   "SIGUSR1", "SIGSEGV", "SIGUSR2",   "SIGPIPE",
        "SIGALRM",  "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",   "SIGTSTP",
        "SIGTTIN",  "SIGTTOU", "SIGURG",    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGPOLL", "SIGPWR",    "SIGSYS",  nullptr,   nullptr,     "SIGRTMIN"};
    if (exitcode < 0 && exitcode >= -64) {
        int sig = -exitcode;
        if (sig == 64) return "-SIGRTMAX";
        if (sig < 35 && names[sig]) return std::string("-") + names[sig];
    }
    return std::to_string(exitcode);
}

void flush_std_streams() noexcept {
    try {
        std::cout.flush();
        std::cerr.flush();
        std::clog.flush();
    } catch (...) {
        // A broken stream must not stop a process from starting or exiting (Python tolerates it too).
    }
    std::fflush(stdout);
    std::fflush(stderr);
}

void discard_inherited_std_buffers() noexcept {
    ::__fpurge(stdout);
    ::__fpurge(stderr);
}

} // namespace mp::detail
