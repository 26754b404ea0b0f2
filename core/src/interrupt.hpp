#pragma once
// Ctrl-C during a blocking library wait. Python raises KeyboardInterrupt in the main thread wherever it
// waits; C++ has no such hook, so a wait that must stay interruptible (a pool's get(), next(), map())
// holds an InterruptScope: while at least one exists, SIGINT no longer ends the process but sets a flag
// that those waits poll between short sleeps (at most kInterruptSliceNs), and the first to see it throws
// mp::KeyboardInterrupt. The process's own disposition (default, ignored, or a handler) is restored when
// the last scope ends, and a SIGINT that arrived with nobody left to take it is raised again then, so it
// is never lost.
#include <cstdint>

namespace mp::detail {

// How long an interruptible wait sleeps at most before it looks at the flag again.
inline constexpr std::int64_t kInterruptSliceNs = 100'000'000;

class InterruptScope {
public:
    InterruptScope();
    ~InterruptScope();
    InterruptScope(const InterruptScope&) = delete;
    InterruptScope& operator=(const InterruptScope&) = delete;

    // Consumes a pending SIGINT: true once per Ctrl-C.
    static bool take() noexcept;
};

// Blocks SIGINT in the calling thread, for library threads, so that Ctrl-C reaches a user thread.
void block_sigint_in_this_thread() noexcept;

} // namespace mp::detail
