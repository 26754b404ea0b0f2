// connection::wait() and the poll(2) loop behind it (SPEC §5).
#include "connection_poll.hpp"
#include "mp/connection.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <ctime>
#include <unordered_set>

namespace mp::connection {

namespace detail {

int poll_descriptors(std::span<pollfd> fds, std::optional<double> timeout) {
    using Clock = std::chrono::steady_clock;
    std::optional<Clock::time_point> deadline;
    if (timeout) {
        // Python converts the timeout to whole milliseconds and fails the same way on these.
        if (std::isnan(*timeout)) throw ValueError("cannot convert float NaN to integer");
        if (std::isinf(*timeout) && *timeout > 0)
            throw OverflowError("cannot convert float infinity to integer");
        // Beyond a century the deadline would overflow the clock; nobody can tell the difference.
        const double seconds = std::clamp(*timeout, 0.0, 100.0 * 365 * 24 * 3600);
        deadline = Clock::now() +
                   std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    }
    for (;;) {
        timespec remaining{};
        if (deadline) {
            const auto left = std::max(*deadline - Clock::now(), Clock::duration::zero());
            const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
            remaining.tv_sec = static_cast<time_t>(nanoseconds / 1'000'000'000);
            remaining.tv_nsec = static_cast<long>(nanoseconds % 1'000'000'000);
        }
        const int count = ::ppoll(fds.data(), fds.size(), deadline ? &remaining : nullptr, nullptr);
        if (count >= 0) return count;
        if (errno != EINTR) throw_errno("poll");
        if (deadline && Clock::now() >= *deadline) {
            for (pollfd& p : fds)
                p.revents = 0;
            return 0;
        }
    }
}

} // namespace detail

int Waitable::fileno() const {
    if (const Connection* c = connection()) return c->fileno();
    const int fd = std::get<int>(target_);
    if (fd < 0) throw ValueError("Invalid file descriptor: " + std::to_string(fd));
    return fd;
}

std::vector<Waitable> wait(const std::vector<Waitable>& objects, std::optional<double> timeout) {
    std::vector<pollfd> fds;
    fds.reserve(objects.size());
    std::unordered_set<int> seen;
    for (const Waitable& object : objects) {
        const int fd = object.fileno();
        if (!seen.insert(fd).second) {
            const std::string what =
                object.connection() ? "<Connection fd=" + std::to_string(fd) + ">" : std::to_string(fd);
            throw KeyError(what + " (FD " + std::to_string(fd) + ") is already registered");
        }
        // Only POLLIN is asked for; POLLHUP/POLLERR/POLLNVAL also count as ready, because the next read
        // then reports end of file or the error instead of blocking.
        fds.push_back(pollfd{.fd = fd, .events = POLLIN, .revents = 0});
    }
    std::vector<Waitable> ready;
    if (detail::poll_descriptors(fds, timeout) == 0) return ready;
    for (std::size_t i = 0; i < fds.size(); ++i)
        if (fds[i].revents != 0) ready.push_back(objects[i]);
    return ready;
}

} // namespace mp::connection
