#pragma once
// Pieces the primitive units (synchronize*.cpp, sharedctypes, queues) share.
#include "scope_writer.hpp"

#include "mp/synchronize.hpp"

#include <cstdint>
#include <memory>

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

// This process's serial in its session, creating the session if needed: what a lock records as owner.
std::uint32_t me();
// Python unlinks semaphores made in a fork context at once, so such objects refuse spawn children.
bool made_in_fork_context(const Context* ctx);
inline std::uint32_t context_flags(const Context* ctx) {
    return made_in_fork_context(ctx) ? scope::kObjForkContext : 0;
}
// Refuses handles of fork-context objects for spawn and forkserver children (Python's RuntimeError).
void check_fork_context(const Handle& handle, std::string_view method);

} // namespace sync
} // namespace mp::detail
