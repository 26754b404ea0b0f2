#pragma once
// Pieces the primitive units (synchronize*.cpp, sharedctypes, queues) share.
#include "scope_writer.hpp"

#include "mp/synchronize.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace mp {
class Context;
}

namespace mp::detail {

struct SharedObjectAccess {
    static scope::ObjectRef& ref(const SharedObject& object) { return object.ref(); }
    static const std::shared_ptr<scope::ObjectRef>& pointer(const SharedObject& object) {
        return object.ref_;
    }
};

namespace sync {

std::uint32_t me_slow();
// This process's serial in its session, creating the session if needed: what a lock records as owner.
inline std::uint32_t me() {
    if (std::uint32_t s = scope::self()) [[likely]]
        return s;
    return me_slow();
}
// Whether the calling thread holds the Lock/RLock row: its process's serial in the word and its kernel
// thread id in owner_tid (unique among live threads, unlike the per-process tokens shown to users).
inline bool held_by(const scope::SemState& st, std::uint32_t process, std::uint32_t tid) noexcept {
    return st.word.load(std::memory_order_acquire) == process &&
           st.owner_tid.load(std::memory_order_relaxed) == tid;
}
inline bool held_by_caller(const scope::SemState& st, std::uint32_t self) noexcept {
    return held_by(st, self, scope::thread_id());
}

// Python unlinks semaphores made in a fork context at once, so such objects refuse spawn children.
bool made_in_fork_context(const Context* ctx);
inline std::uint32_t context_flags(const Context* ctx) {
    return made_in_fork_context(ctx) ? scope::kObjForkContext : 0;
}
// Refuses handles of fork-context objects for spawn and forkserver children (Python's RuntimeError).
void check_fork_context(const Handle& handle, std::string_view method);

// The operations behind the public classes, for objects built from primitives (queues): they take the
// object row directly. Parts made with kObjInternal are hidden from the inspector's listings.
std::shared_ptr<scope::ObjectRef> make_sem_object(scope::ObjectKind kind, const Context* ctx,
                                                  std::uint32_t value, std::uint32_t maxvalue,
                                                  std::uint32_t extra_flags = 0);
bool lock_acquire(scope::ObjectRef& r, bool block, std::optional<double> timeout);
void lock_release(scope::ObjectRef& r);
bool sem_acquire(scope::ObjectRef& r, bool block, std::optional<double> timeout);
void sem_release(scope::ObjectRef& r);
bool sem_try(scope::SemState& st) noexcept;
constexpr std::uint32_t kSemValueMax = 0x7fffffff; // SEM_VALUE_MAX on Linux

} // namespace sync
} // namespace mp::detail
