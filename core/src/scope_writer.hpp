#pragma once
// The writer side of the observation plane: this process's session arena, its row in the process
// table, the object table rows of the objects it creates, events, wait records, and the step-mode gate.
// Every blocking or state-changing operation of libmpcore passes through gate() / record() /
// WaitScope here, which is what the inspector sees and what step mode stops.
#include "arena.hpp"
#include "scope_layout.hpp"

#include "mp/object.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mp::detail::scope {

// ---- session -------------------------------------------------------------------------------------------

namespace state {
// Hot-path globals: the mapping of this process's session and this process's serial in it.
extern Segment* segment;
extern std::uint32_t self;
extern ProcessSlot* self_slot;
extern std::uint32_t fork_generation;
} // namespace state

inline Segment* session() noexcept {
    return state::segment;
}
// This process's session, created now (this process becomes its main process) or attached to the one
// this process was started in. OSError/MemoryError when shared memory is unavailable.
Segment& ensure_session();
// Like ensure_session(), but nullptr instead of an error (processes still run unobserved).
Segment* try_ensure_session() noexcept;
// Attaches to `name` when this process has no session yet; ValueError when it belongs to another one.
Segment& session_for(const std::string& name);
// Serial of this process in its session; 0 before it has one.
inline std::uint32_t self() noexcept {
    return state::self;
}

// ---- observation level ---------------------------------------------------------------------------------

inline ObserveLevel level() noexcept {
    Segment* s = state::segment;
    if (!s) return ObserveLevel::Off;
    Header& h = s->header();
    if (h.readers.load(std::memory_order_relaxed) != 0) return ObserveLevel::Full;
    return static_cast<ObserveLevel>(h.observe_level.load(std::memory_order_relaxed));
}
inline bool observing() noexcept {
    return level() != ObserveLevel::Off;
}
inline bool full_events() noexcept {
    return level() == ObserveLevel::Full;
}

// ---- threads -------------------------------------------------------------------------------------------

// Who the calling thread is. Trivially destructible and constant-initialised, so that reading it is a
// plain thread-local access on every operation's path; refreshed after a fork.
struct ThreadIdentity {
    std::uint32_t generation = 0;
    std::uint32_t token = 0; // small number, unique in this process; 1 is the process's main thread
    std::uint32_t tid = 0;   // kernel thread id
    bool main = false;
    bool internal = false;
    int wait_record = -1; // index into this process's waits[], -1: none yet
    std::uint32_t record_generation = 0;
    // The composite operation (a queue's put or get ...) this thread is inside, if any.
    Op composite_op = Op::None;
    std::uint32_t composite_object = 0;
};
extern constinit thread_local ThreadIdentity this_thread;
ThreadIdentity& refresh_identity() noexcept;

inline ThreadIdentity& identity() noexcept {
    ThreadIdentity& t = this_thread;
    if (t.generation != state::fork_generation) [[unlikely]]
        return refresh_identity();
    return t;
}
inline std::uint32_t thread_token() noexcept {
    return identity().token;
}
inline bool is_main_thread() noexcept {
    return identity().main;
}
// The calling thread's kernel id (gettid), cached.
inline std::uint32_t thread_id() noexcept {
    return identity().tid;
}
// Library threads (queue feeders, pool handlers) mark themselves: their waits are flagged internal and
// they never park in step mode.
void mark_internal_thread() noexcept;

// ---- events, gates, waits ------------------------------------------------------------------------------

// Appends one event to the ring (never blocks; a slow reader sees a counted gap).
void record(Op op, std::uint32_t object, std::int32_t arg = 0) noexcept;
void record_for(std::uint32_t process, Op op, std::uint32_t object, std::int32_t arg) noexcept;

void park(Op op, std::uint32_t object) noexcept;
// The instrumentation point in front of every blocking or state-changing operation: in step mode the
// calling thread parks here until the controller releases it.
inline void gate(Op op, std::uint32_t object) noexcept {
    Segment* s = state::segment;
    if (s && s->header().step_mode.load(std::memory_order_relaxed) != 0) park(op, object);
}

// Marks the calling thread as blocked in `op` for its lifetime (the inspector's "waits for").
class WaitScope {
public:
    WaitScope(Op op, std::uint32_t object, std::uint32_t target = 0,
              std::optional<std::int64_t> deadline_ns = std::nullopt) noexcept;
    ~WaitScope();
    WaitScope(const WaitScope&) = delete;
    WaitScope& operator=(const WaitScope&) = delete;

private:
    struct Saved {
        std::uint32_t op, object, target, flags;
        std::int64_t since_ns, deadline_ns;
    };
    WaitRecord* record_ = nullptr;
    std::optional<Saved> outer_; // the wait this one is nested in
};

// An operation built from other primitives (a queue's put on its internal locks and semaphore): passes
// the gate once, as `op` on `object`, and for its lifetime the parts neither park nor record events,
// and a wait inside it is reported as waiting in `op` on `object`.
class CompositeScope {
public:
    CompositeScope(Op op, std::uint32_t object) noexcept;
    ~CompositeScope();
    CompositeScope(const CompositeScope&) = delete;
    CompositeScope& operator=(const CompositeScope&) = delete;

private:
    Op outer_op_ = Op::None;
    std::uint32_t outer_object_ = 0;
};

// ---- processes -----------------------------------------------------------------------------------------

// Parent side: a row for a child about to start (state Starting). Returns its serial; 0 when there is no
// session or the table is full (the child then runs unobserved).
std::uint32_t register_child(std::string_view name, std::string_view method, std::string_view target,
                             bool daemon) noexcept;
void child_launched(std::uint32_t serial, int pid) noexcept;
void child_launch_failed(std::uint32_t serial) noexcept;
// Records how a process ended (by its parent after reaping, or by itself before _exit).
void process_ended(std::uint32_t serial, int exitcode) noexcept;
// Child side, first thing in the bootstrap: this process is `serial` of `session` ("" = none).
void adopt_identity(const std::string& session, std::uint32_t serial) noexcept;
// This process is about to exit with `exitcode`.
void exiting(int exitcode) noexcept;
// Fork child: forget the parent's identity and per-thread records; mutexes are fresh.
void reset_after_fork() noexcept;

// Whether the process `serial` of this session has ended (exited, killed, or gone without a trace). Reads
// /proc: for slow paths only.
bool process_dead(std::uint32_t serial) noexcept;
// Whether its end is already recorded in the process table (no system call).
bool process_end_recorded(std::uint32_t serial) noexcept;
// pid of process `serial` (0 if unknown); its name ("" if unknown).
int process_pid(std::uint32_t serial) noexcept;
std::string process_name(std::uint32_t serial);

// ---- objects -------------------------------------------------------------------------------------------

// A process-local reference to an object slot. Copies of the user-facing object share one ObjectRef;
// the first ObjectRef for a slot in a process counts as one reference of that process, and the object
// is freed when the last reference of the whole session goes (objects sent as messages stay pinned).
class ObjectRef {
public:
    ObjectRef(Segment& segment, std::uint32_t index, std::uint32_t serial);
    ~ObjectRef();
    ObjectRef(const ObjectRef&) = delete;
    ObjectRef& operator=(const ObjectRef&) = delete;

    Segment& segment() const noexcept { return *segment_; }
    ObjectSlot& slot() const noexcept { return *slot_; }
    std::uint32_t index() const noexcept { return index_; }
    std::uint32_t serial() const noexcept { return serial_; }
    ObjectKind kind() const noexcept {
        return static_cast<ObjectKind>(slot_->kind.load(std::memory_order_relaxed));
    }
    std::string name() const;

    // Counts one operation (the inspector's rates); cheap and deliberately not atomic as a whole.
    void count_op() const noexcept {
        slot_->ops.store(slot_->ops.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    // The Handle that carries this object in an mp::Object (Process args, messages); pins the object
    // for the rest of the session since the receiver's lifetime is unknown.
    Handle to_handle(std::string_view kind_name) const;

private:
    Segment* segment_;
    ObjectSlot* slot_;
    std::uint32_t index_;
    std::uint32_t serial_;
};

// Allocates a row (name "<Kind>-N", creator = this process, one reference) in this process's session.
// `init` sets up the kind-specific state before the object becomes visible. MemoryError when full.
template <class Init>
std::shared_ptr<ObjectRef> create_object(ObjectKind kind, std::uint32_t flags, Init&& init);
std::shared_ptr<ObjectRef> create_object_row(ObjectKind kind, std::uint32_t flags);
void publish_object(ObjectRef& ref);

template <class Init>
std::shared_ptr<ObjectRef> create_object(ObjectKind kind, std::uint32_t flags, Init&& init) {
    auto ref = create_object_row(kind, flags);
    init(ref->slot());
    publish_object(*ref);
    return ref;
}

// The object a Handle refers to; checks session, kind and that it still exists.
std::shared_ptr<ObjectRef> object_from_handle(const Handle& handle, ObjectKind kind,
                                              std::string_view kind_name);
// Another reference to the object in slot `index` of this session, if it still has `serial`.
std::shared_ptr<ObjectRef> object_ref(std::uint32_t index, std::uint32_t serial);

// References one object row holds on another (a Condition on its lock, a Value on its lock).
void add_reference(Segment& segment, std::uint32_t index) noexcept;
void drop_reference(Segment& segment, std::uint32_t index) noexcept;
// Takes the object of `ref` (this process's only ObjectRef to it) out of this process's reference
// bookkeeping: the reference it stood for becomes the caller's, to drop with drop_reference(), and
// destroying `ref` no longer does. Fork children then inherit no reference to it - one a killed child would
// never drop. For a row whose lifetime its creator manages alone (a pool's).
void disown(ObjectRef& ref) noexcept;

// Called when an object's last reference goes, before its row is freed: releases kind-specific
// resources (heap blocks). Registered per kind by the implementing unit.
using ObjectFinalizer = void (*)(Segment&, ObjectSlot&) noexcept;
void register_finalizer(ObjectKind kind, ObjectFinalizer finalizer) noexcept;

const char* kind_name(ObjectKind kind) noexcept;
const char* op_name(Op op) noexcept;

} // namespace mp::detail::scope
