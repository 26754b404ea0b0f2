#pragma once
// multiprocessing.util pieces the exit sequence relies on (SPEC §3, §13): finalizers with exit
// priorities, after-fork hooks and the per-process temporary directory.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace mp::util {

// A callback that runs at most once: when called, or at process exit if it has an exit priority
// (priorities >= 0 before children are terminated and joined, negative ones after; higher first, equal
// priorities most recently registered first). It runs only in the process that created it.
// Copies refer to the same finalizer.
class Finalize {
public:
    explicit Finalize(std::function<void()> callback, std::optional<int> exitpriority = std::nullopt);

    // Runs the callback unless it already ran or was cancelled (then does nothing).
    void operator()() const;
    // Keeps the callback from ever running.
    void cancel() const;
    // True while the callback has neither run nor been cancelled.
    bool still_active() const;

    struct Entry;

private:
    std::shared_ptr<Entry> entry_;
};

// Runs the finalizers whose exit priority is >= minpriority (all with a priority when nullopt), in exit
// order; with nullopt the registry is cleared afterwards.
void run_finalizers(std::optional<int> minpriority = std::nullopt);

// Registers a hook run in fork children before their target (Python's register_after_fork), e.g. to
// reset locks or buffers the child must not share. Returns an id for unregister_after_fork.
std::uint64_t register_after_fork(std::function<void()> hook);
void unregister_after_fork(std::uint64_t id);

// A private directory ("pymp-XXXXXX" in $TMPDIR or /tmp, mode 0700) created on first use and removed
// with its contents when this process exits.
std::string get_temp_dir();

} // namespace mp::util
