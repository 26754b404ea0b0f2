#include "mp/util.hpp"

#include "process_internal.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <unistd.h>
#include <vector>

#include "mp/errors.hpp"

namespace mp::util {

struct Finalize::Entry {
    std::function<void()> callback;
    std::optional<int> exitpriority;
    std::uint64_t order = 0;
    pid_t creator = 0;
    std::atomic<bool> done{false};
};

namespace {

using Key = std::pair<int, std::uint64_t>; // (exit priority, registration order)

struct FinalizerRegistry {
    std::mutex mutex;
    std::uint64_t next_order = 0;
    std::map<Key, std::shared_ptr<Finalize::Entry>> entries; // only entries with an exit priority
};

FinalizerRegistry& finalizers() {
    static FinalizerRegistry registry;
    return registry;
}

struct AfterForkRegistry {
    std::mutex mutex;
    std::uint64_t next_id = 1;
    std::map<std::uint64_t, std::function<void()>> hooks; // ordered by registration
};

AfterForkRegistry& after_fork_hooks() {
    static AfterForkRegistry registry;
    return registry;
}

struct TempDir {
    std::mutex mutex;
    std::string path;
};

TempDir& temp_dir() {
    static TempDir dir;
    return dir;
}

void run_entry(const std::shared_ptr<Finalize::Entry>& entry) {
    if (entry->done.exchange(true)) return;
    // Finalizers inherited through fork belong to the parent (its temp dir, its listener socket ...).
    if (entry->creator != ::getpid()) return;
    try {
        entry->callback();
    } catch (const std::exception& e) {
        std::cerr << "Error in finalizer: " << e.what() << std::endl;
    } catch (...) {
        std::cerr << "Error in finalizer: unknown exception" << std::endl;
    }
}

} // namespace

Finalize::Finalize(std::function<void()> callback, std::optional<int> exitpriority)
    : entry_(std::make_shared<Entry>()) {
    entry_->callback = std::move(callback);
    entry_->exitpriority = exitpriority;
    entry_->creator = ::getpid();
    auto& reg = finalizers();
    if (exitpriority) mp::detail::ensure_exit_handler();
    std::lock_guard lock(reg.mutex);
    entry_->order = reg.next_order++;
    if (exitpriority) reg.entries.emplace(Key{*exitpriority, entry_->order}, entry_);
}

void Finalize::operator()() const {
    if (entry_->exitpriority) {
        auto& reg = finalizers();
        std::lock_guard lock(reg.mutex);
        reg.entries.erase(Key{*entry_->exitpriority, entry_->order});
    }
    run_entry(entry_);
}

void Finalize::cancel() const {
    if (entry_->exitpriority) {
        auto& reg = finalizers();
        std::lock_guard lock(reg.mutex);
        reg.entries.erase(Key{*entry_->exitpriority, entry_->order});
    }
    entry_->done = true;
}

bool Finalize::still_active() const {
    return !entry_->done && entry_->creator == ::getpid();
}

void run_finalizers(std::optional<int> minpriority) {
    auto& reg = finalizers();
    std::vector<std::shared_ptr<Finalize::Entry>> to_run;
    {
        std::lock_guard lock(reg.mutex);
        for (auto it = reg.entries.rbegin(); it != reg.entries.rend(); ++it)
            if (!minpriority || it->first.first >= *minpriority) to_run.push_back(it->second);
        for (const auto& e : to_run)
            reg.entries.erase(Key{*e->exitpriority, e->order});
    }
    // Outside the lock: a finalizer may register or cancel others.
    for (const auto& e : to_run)
        run_entry(e);
    if (!minpriority) {
        std::lock_guard lock(reg.mutex);
        reg.entries.clear();
    }
}

std::uint64_t register_after_fork(std::function<void()> hook) {
    auto& reg = after_fork_hooks();
    std::lock_guard lock(reg.mutex);
    std::uint64_t id = reg.next_id++;
    reg.hooks.emplace(id, std::move(hook));
    return id;
}

void unregister_after_fork(std::uint64_t id) {
    auto& reg = after_fork_hooks();
    std::lock_guard lock(reg.mutex);
    reg.hooks.erase(id);
}

std::string get_temp_dir() {
    auto& dir = temp_dir();
    {
        std::lock_guard lock(dir.mutex);
        if (!dir.path.empty()) return dir.path;
    }
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/pymp-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) throw_errno("mkdtemp " + pattern);
    std::string path(buf.data());
    {
        std::lock_guard lock(dir.mutex);
        if (!dir.path.empty()) { // another thread won the race
            std::error_code ec;
            std::filesystem::remove(path, ec);
            return dir.path;
        }
        dir.path = path;
    }
    // Removed after everything else at exit, as in Python (priority -100).
    Finalize(
        [path] {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        },
        -100);
    return path;
}

} // namespace mp::util

namespace mp::detail {

void util_reset_after_fork() {
    std::construct_at(&util::finalizers().mutex);
    std::construct_at(&util::after_fork_hooks().mutex);
    std::construct_at(&util::temp_dir().mutex);
}

void clear_finalizers_in_child() {
    auto& reg = util::finalizers();
    std::lock_guard lock(reg.mutex);
    reg.entries.clear();
}

void run_after_fork_hooks() {
    std::vector<std::function<void()>> hooks;
    {
        auto& reg = util::after_fork_hooks();
        std::lock_guard lock(reg.mutex);
        for (const auto& [id, hook] : reg.hooks)
            hooks.push_back(hook);
    }
    for (const auto& hook : hooks)
        hook();
}

void touch_util_registries() {
    (void)util::finalizers();
    (void)util::after_fork_hooks();
    (void)util::temp_dir();
}

std::string inherited_temp_dir() {
    auto& dir = util::temp_dir();
    std::lock_guard lock(dir.mutex);
    return dir.path;
}

void adopt_temp_dir(std::string path) {
    auto& dir = util::temp_dir();
    std::lock_guard lock(dir.mutex);
    dir.path = std::move(path);
}

} // namespace mp::detail
