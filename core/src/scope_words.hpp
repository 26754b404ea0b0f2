#pragma once
// English phrases shared by the diagnosis text and the text report, so both word a wait the same way.
#include "mp/scope/snapshot.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mp::scope::words {

// "Semaphore" -> true for the kinds whose acquire is a lock acquire.
inline bool is_lock(std::string_view kind) {
    return kind == "Lock" || kind == "RLock";
}
inline bool is_semaphore(std::string_view kind) {
    return kind == "Semaphore" || kind == "BoundedSemaphore";
}
inline bool is_queue(std::string_view kind) {
    return kind == "Queue" || kind == "SimpleQueue" || kind == "JoinableQueue";
}
// A queue operation that waits for others to read what this process put.
inline bool is_feeding(std::string_view op) {
    return op == "put" || op == "feeder_flush";
}

// The verb phrase of a blocked operation: "waits for fork-1", "waits at barrier B", "joins Process-2".
std::string wait_phrase(std::string_view op, std::string_view kind, std::string_view object,
                        std::string_view joined = {});

// How a process that is no longer running ended: "exited with code 1", "was killed by signal 9
// (SIGKILL)", "vanished"; for live ones "is running" / "is starting".
std::string ended_phrase(ProcessState state, const std::optional<int>& exitcode);

// "a", "a and b", "a, b and c".
std::string join_words(const std::vector<std::string>& items);

} // namespace mp::scope::words
