// Ctrl-C during blocking library waits (interrupt.hpp).
#include "interrupt.hpp"

#include <atomic>
#include <csignal>
#include <mutex>
#include <pthread.h>

namespace mp::detail {

namespace {

std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free); // set from a signal handler

struct Installed {
    std::mutex mutex;
    int scopes = 0;
    struct sigaction previous {};
};

Installed& installed() {
    static Installed instance;
    return instance;
}

extern "C" void on_sigint(int) {
    interrupted.store(true, std::memory_order_relaxed);
}

} // namespace

InterruptScope::InterruptScope() {
    Installed& in = installed();
    std::lock_guard lock(in.mutex);
    if (in.scopes++ > 0) return;
    interrupted.store(false, std::memory_order_relaxed);
    struct sigaction action {};
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; // no SA_RESTART: a futex or poll the signal lands in returns at once
    ::sigaction(SIGINT, &action, &in.previous);
}

InterruptScope::~InterruptScope() {
    Installed& in = installed();
    std::lock_guard lock(in.mutex);
    if (--in.scopes > 0) return;
    ::sigaction(SIGINT, &in.previous, nullptr);
    // A Ctrl-C no wait took goes to whatever the process had set up.
    if (interrupted.exchange(false, std::memory_order_relaxed)) ::raise(SIGINT);
}

bool InterruptScope::take() noexcept {
    return interrupted.load(std::memory_order_relaxed) &&
           interrupted.exchange(false, std::memory_order_relaxed);
}

void block_sigint_in_this_thread() noexcept {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

} // namespace mp::detail
