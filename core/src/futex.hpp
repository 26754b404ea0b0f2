#pragma once
// Process-shared futex waits on 32-bit words in the session arena, and the monotonic clock every
// deadline and observation timestamp uses.
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <ctime>
#include <linux/futex.h>
#include <optional>
#include <sys/syscall.h>
#include <unistd.h>

namespace mp::detail {

inline std::int64_t monotonic_ns() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The same clock at the kernel's tick resolution (a few ms), several times cheaper to read: for
// timestamps the inspector shows (recent writes), never for deadlines.
inline std::int64_t monotonic_coarse_ns() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// An absolute CLOCK_MONOTONIC deadline; nullopt means "for ever". Python's timeouts: negative means 0.
inline std::optional<std::int64_t> deadline_after(std::optional<double> timeout_seconds) noexcept {
    if (!timeout_seconds) return std::nullopt;
    double t = *timeout_seconds > 0 ? *timeout_seconds : 0.0;
    if (t > 1e9) return std::nullopt; // beyond 30 years: effectively for ever, and no overflow
    return monotonic_ns() + static_cast<std::int64_t>(t * 1e9);
}

// Waits while *word == expected, until woken, `deadline_ns` (absolute, monotonic) or a spurious wake-up.
// Not FUTEX_PRIVATE: the word may be shared between processes.
inline void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                       std::optional<std::int64_t> deadline_ns) noexcept {
    static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
    timespec ts{};
    timespec* tsp = nullptr;
    if (deadline_ns) {
        ts.tv_sec = static_cast<time_t>(*deadline_ns / 1'000'000'000);
        ts.tv_nsec = static_cast<long>(*deadline_ns % 1'000'000'000);
        tsp = &ts;
    }
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_BITSET, expected, tsp, nullptr,
              FUTEX_BITSET_MATCH_ANY);
}

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// Spins up to `rounds` pause instructions (microseconds) for pred(): the other side of a cross-process
// hand-off usually answers that fast, and a futex sleep and wake-up costs more.
template <class Pred> bool spin_until(Pred pred, int rounds = 256) noexcept {
    for (int i = 0; i < rounds; ++i) {
        if (pred()) return true;
        cpu_relax();
    }
    return pred();
}

// Spins about 30 microseconds (a futex sleep and wake-up costs as much here) for pred() before a waiter
// sleeps, trying it 12 times with pauses that double up to 256 between tries: each try pulls the holder's
// cache line away from it, so a waiter that tried on every pause slowed down the very holder it waited
// for (two processes on one Lock: 37-44 -> 15-17 ns per acquire and release).
template <class Pred> bool spin_with_backoff(Pred pred) noexcept {
    for (int attempt = 0; attempt < 12; ++attempt) {
        if (pred()) return true;
        for (int pause = 1 << (attempt < 8 ? attempt : 8); pause > 0; --pause)
            cpu_relax();
    }
    return pred();
}

// Returns how many waiters it woke.
inline long futex_wake(std::atomic<std::uint32_t>& word, int count) noexcept {
    return ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, count, nullptr, nullptr,
                     0);
}

inline void futex_wake_all(std::atomic<std::uint32_t>& word) noexcept {
    (void)futex_wake(word, 0x7fffffff);
}

} // namespace mp::detail
