#pragma once
// The asymmetric fence behind Lock and RLock release. A releasing holder stores 0 to the lock word and
// then reads the waiter count; a waiter about to sleep increments the count and then reads the word. Each
// side needs a full fence between its write and its read, or both can miss the other (x86 lets a load
// pass an earlier store) and the waiter sleeps through the release. The release is the hot path, so it
// stays a plain store, and the waiter, which is about to make a system call anyway, pays for both sides:
// membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) makes every CPU that runs a registered process execute a
// full barrier. A process that could not register releases with a locked exchange instead.
#include <atomic>
#include <cstdint>

namespace mp::detail::fence {

// Whether this process is registered, so that its releases may be plain stores. Registration is made once
// per process when it joins a session; a fork child inherits it, exec clears it.
extern bool plain_release_allowed;

// Registers this process: a few microseconds while it has one thread, about 15 ms (the kernel waits for
// an RCU grace period) when it already has several.
void register_process() noexcept;

// The waiter's side: a full barrier on every CPU running a registered process.
void heavy() noexcept;

// The holder's side: stores 0 to a lock word with the fence the waiter's heavy() pairs with.
inline void release_word(std::atomic<std::uint32_t>& word) noexcept {
    if (plain_release_allowed) [[likely]] {
        word.store(0, std::memory_order_release);
        std::atomic_signal_fence(
            std::memory_order_seq_cst); // keep the compiler's order; the CPU's is heavy()'s job
    } else {
        word.exchange(0);
    }
}

} // namespace mp::detail::fence
