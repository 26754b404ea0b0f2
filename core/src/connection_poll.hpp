#pragma once
// poll(2) with Python's timeout rules, shared by Connection::poll and connection::wait.
#include <optional>
#include <poll.h>
#include <span>

namespace mp::connection::detail {

// Waits until one of `fds` has an event or `timeout` seconds pass (nullopt: forever; negative: 0). Retries
// after EINTR with the time that is left. Returns how many entries have revents set (0 on timeout).
int poll_descriptors(std::span<pollfd> fds, std::optional<double> timeout);

} // namespace mp::connection::detail
