#pragma once
// Helpers shared by the tests that start processes: raw pipes whose ends children receive as
// Handle{"fd"} arguments, line-based messages over them, the text of an expected exception, and ending a
// child a failed check left running.
#include "expect_error.hpp"

#include <mp/errors.hpp>
#include <mp/object.hpp>
#include <mp/process.hpp>

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <optional>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace test_support {

// A pipe owned by the test; children get its ends as Handle{"fd"} arguments.
class RawPipe {
public:
    RawPipe() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
        r_ = fds[0];
        w_ = fds[1];
    }
    ~RawPipe() {
        close_read();
        close_write();
    }
    RawPipe(const RawPipe&) = delete;
    RawPipe& operator=(const RawPipe&) = delete;
    int r() const { return r_; }
    int w() const { return w_; }
    mp::Handle read_handle() const { return mp::Handle{"fd", "", {}, {r_}}; }
    mp::Handle write_handle() const { return mp::Handle{"fd", "", {}, {w_}}; }
    void close_read() {
        if (r_ >= 0) ::close(r_);
        r_ = -1;
    }
    void close_write() {
        if (w_ >= 0) ::close(w_);
        w_ = -1;
    }
    void send_byte() const {
        char c = 'x';
        if (::write(w_, &c, 1) != 1) throw std::runtime_error("write");
    }

private:
    int r_ = -1;
    int w_ = -1;
};

inline void write_text(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw mp::OSError("write failed");
        done += static_cast<std::size_t>(n);
    }
}

// Reads one '\n'-terminated line; gives up after 20 s so a broken child cannot hang the suite.
inline std::optional<std::string> read_line(int fd) {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        int left = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
                .count());
        if (left <= 0 || ::poll(&p, 1, left) <= 0) return std::nullopt;
        char c;
        ssize_t n = ::read(fd, &c, 1);
        if (n <= 0) return std::nullopt;
        if (c == '\n') return line;
        line += c;
    }
}

// After a failed check: a child left running would be joined for ever by the exit sequence.
inline void kill_if_running(mp::Process& p) noexcept {
    try {
        if (p.pid() && !p.exitcode()) {
            p.kill();
            p.join();
        }
    } catch (const std::exception&) {
        // closed or never started: nothing runs
    }
}

} // namespace test_support
