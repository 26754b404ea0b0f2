#include "asymmetric_fence.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace mp::detail::fence {

bool plain_release_allowed = false;

namespace {
long membarrier(int command) noexcept {
    return ::syscall(SYS_membarrier, command, 0u, 0);
}
} // namespace

void register_process() noexcept {
    if (plain_release_allowed) return; // inherited over fork
    plain_release_allowed = membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) == 0;
}

void heavy() noexcept {
    // Fails only where no process could register (no such command, or forbidden): every release is then a
    // locked exchange, and the waiter's own locked increment is fence enough.
    if (membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) != 0) std::atomic_thread_fence(std::memory_order_seq_cst);
}

} // namespace mp::detail::fence
