#pragma once
// Polling helpers for tests that watch a session from outside: whether its arena still exists, and waiting
// for a condition that another process brings about.
#include <chrono>
#include <string>
#include <sys/stat.h>
#include <thread>

namespace test_support {

// The session's arena is still in /dev/shm (its resource tracker removes it once every process is gone).
inline bool shm_exists(const std::string& session) {
    struct stat st {};
    return ::stat(("/dev/shm/" + session).c_str(), &st) == 0;
}

// Polls `pred` until it holds or `limit` has passed; its last result.
template <class Pred> bool wait_until(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pred();
}

} // namespace test_support
