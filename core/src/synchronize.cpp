// Process-shared primitives on futex words in the session arena (SPEC §7). Each operation passes the
// step-mode gate, keeps the object's observable state (owner, holders, waiters) current and reports
// blocking waits; the uncontended paths stay a compare-and-swap plus a few relaxed stores.
#include "mp/synchronize.hpp"

#include "asymmetric_fence.hpp"
#include "futex.hpp"
#include "process_internal.hpp"
#include "scope_writer.hpp"
#include "synchronize_internal.hpp"

#include "mp/context.hpp"
#include "mp/process.hpp"
#include "mp/sharedctypes.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

namespace mp {

namespace detail::sync {

using scope::ObjectKind;
using scope::ObjectRef;
using scope::Op;
using scope::SemState;

constexpr std::int64_t kLivenessSliceNs = 100'000'000; // how often a waiter checks that the holder lives

// Who holds a lock: this process's serial in its session (never 0 once the session exists).
std::uint32_t me_slow() {
    scope::ensure_session();
    return scope::self();
}

bool made_in_fork_context(const Context* ctx) {
    std::string method = ctx ? ctx->start_method() : resolve_start_method();
    return method == "fork";
}

// ---- holder bookkeeping (what the wait-for graph needs for semaphores) ---------------------------------

void holders_add(SemState& st, std::uint32_t process) noexcept {
    for (auto& h : st.holders)
        if (h.process.load(std::memory_order_relaxed) == process) {
            h.units.fetch_add(1, std::memory_order_relaxed);
            return;
        }
    for (auto& h : st.holders) {
        std::uint32_t cur = h.process.load(std::memory_order_relaxed);
        if (cur != 0 && h.units.load(std::memory_order_relaxed) != 0) continue;
        if (h.process.compare_exchange_strong(cur, process, std::memory_order_relaxed)) {
            h.units.store(1, std::memory_order_relaxed);
            return;
        }
    }
    st.holders_overflow.store(1, std::memory_order_relaxed);
}

void holders_remove(SemState& st, std::uint32_t process) noexcept {
    for (auto& h : st.holders)
        if (h.process.load(std::memory_order_relaxed) == process) {
            std::uint32_t u = h.units.load(std::memory_order_relaxed);
            if (u > 0) h.units.store(u - 1, std::memory_order_relaxed);
            if (u <= 1) h.process.store(0, std::memory_order_relaxed);
            return;
        }
    // Released by a process that never acquired (a signalling semaphore): nothing to remove.
}

// ---- owner death ---------------------------------------------------------------------------------------

// Cheap test for a non-blocking acquire: the holder ended (recorded) or its pid no longer exists. /proc is
// read only to confirm a death, never while the holder lives (that costs microseconds per try_lock).
bool holder_obviously_dead(std::uint32_t holder) noexcept {
    if (scope::process_end_recorded(holder)) return true;
    int pid = scope::process_pid(holder);
    return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH && scope::process_dead(holder);
}

void note_recovery(ObjectRef& r, std::uint32_t dead) noexcept {
    SemState& st = r.slot().state.sem;
    int pid = scope::process_pid(dead);
    st.recovered_from.store(dead, std::memory_order_relaxed);
    st.recovered_from_pid.store(pid, std::memory_order_relaxed);
    scope::record(Op::OwnerDied, r.serial(), pid);
}

// ---- Lock and RLock ------------------------------------------------------------------------------------

// Who takes a lock, read before its compare-and-swap: on x86 no load issued after a locked instruction
// starts before it completes, so every load left after it adds its latency to the operation.
struct Taker {
    scope::ObjectSlot* slot;
    std::uint32_t tid;
    std::uint32_t token;
    explicit Taker(ObjectRef& r) noexcept
        : slot(&r.slot())
        , tid(scope::identity().tid)
        , token(scope::identity().token) {}
};

[[gnu::always_inline]] inline void took_lock(const Taker& taker, bool recursive) noexcept {
    SemState& st = taker.slot->state.sem;
    st.owner_tid.store(taker.tid, std::memory_order_relaxed);
    st.owner_thread.store(taker.token, std::memory_order_relaxed);
    if (recursive) st.count.store(1, std::memory_order_relaxed);
    taker.slot->ops.store(taker.slot->ops.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}
void took_lock(ObjectRef& r, bool recursive) noexcept {
    took_lock(Taker(r), recursive);
}

// Cleared before the word, so that the next owner is never mistaken for this one.
inline void clear_owner(SemState& st) noexcept {
    st.owner_tid.store(0, std::memory_order_relaxed);
    st.owner_thread.store(0, std::memory_order_relaxed);
}

// Blocking part of Lock/RLock acquire: spin briefly, then sleep on the word; every slice check whether
// the holder still lives and take the lock over if it does not.
bool lock_acquire_slow(ObjectRef& r, bool block, const std::optional<double>& timeout, std::uint32_t self,
                       bool recursive) {
    SemState& st = r.slot().state.sem;
    if (!block) {
        std::uint32_t cur = st.word.load(std::memory_order_acquire);
        if (cur != 0 && cur != self && holder_obviously_dead(cur) &&
            st.word.compare_exchange_strong(cur, self, std::memory_order_acquire)) {
            took_lock(r, recursive);
            note_recovery(r, cur);
            return true;
        }
        if (cur == 0 && st.word.compare_exchange_strong(cur, self, std::memory_order_acquire)) {
            took_lock(r, recursive);
            return true;
        }
        if (scope::full_events()) scope::record(Op::Acquire, r.serial(), 0);
        return false;
    }
    const auto deadline = deadline_after(timeout);
    if (spin_with_backoff([&] {
            std::uint32_t cur = st.word.load(std::memory_order_relaxed);
            return cur == 0 && st.word.compare_exchange_strong(cur, self, std::memory_order_acquire);
        })) {
        took_lock(r, recursive);
        if (scope::full_events()) scope::record(Op::Acquire, r.serial(), 1);
        return true;
    }
    scope::WaitScope waiting(Op::Acquire, r.serial(), 0, deadline);
    st.waiters.fetch_add(1);
    bool acquired = false;
    bool fenced = false; // whether every releaser is now bound to see this waiter's last write
    std::uint32_t recovered_from = 0;
    std::int64_t next_check = monotonic_ns() + kLivenessSliceNs;
    for (;;) {
        std::uint32_t cur = st.word.load();
        if (cur == 0) {
            if (st.word.compare_exchange_strong(cur, self)) {
                acquired = true;
                break;
            }
            continue;
        }
        if (!fenced) {
            // A release is a plain store followed by reads of waiters and wake_pending: pair it with
            // the asymmetric fence before the word is read for the last time ahead of a sleep.
            fence::heavy();
            fenced = true;
            continue;
        }
        std::int64_t now = monotonic_ns();
        if (now >= next_check || scope::process_end_recorded(cur)) {
            if (cur == self ? false : scope::process_dead(cur)) {
                if (st.word.compare_exchange_strong(cur, self)) {
                    acquired = true;
                    recovered_from = cur;
                    break;
                }
                continue;
            }
            next_check = now + kLivenessSliceNs;
        }
        if (deadline && now >= *deadline) break;
        futex_wait(st.word, cur, deadline ? std::min(*deadline, next_check) : next_check);
        st.wake_pending.store(0); // woken or not, this waiter looks at the word again now
        fenced = false;
    }
    st.waiters.fetch_sub(1);
    if (acquired) {
        took_lock(r, recursive);
        if (recovered_from) note_recovery(r, recovered_from);
    }
    if (scope::observing()) scope::record(Op::Acquire, r.serial(), acquired ? 1 : 0);
    return acquired;
}

// The timeout by reference: a copy of the by-value argument was a 16-byte reload of two 8-byte stores,
// which no store forwards, and it stalled the compare-and-swap behind it.
[[gnu::always_inline]] inline bool lock_acquire_inline(ObjectRef& r, bool block,
                                                       const std::optional<double>& timeout) {
    scope::gate(Op::Acquire, r.serial());
    const Taker taker(r);
    SemState& st = taker.slot->state.sem;
    const std::uint32_t self = me();
    const std::uint32_t serial = r.serial();
    const bool record = scope::full_events();
    std::uint32_t expected = 0;
    if (st.word.compare_exchange_strong(expected, self, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
        took_lock(taker, false);
        if (record) scope::record(Op::Acquire, serial, 1);
        return true;
    }
    return lock_acquire_slow(r, block, timeout, self, false);
}
bool lock_acquire(ObjectRef& r, bool block, std::optional<double> timeout) {
    return lock_acquire_inline(r, block, timeout);
}

void wake_one_waiter(SemState& st) noexcept {
    if (st.waiters.load() != 0) futex_wake(st.word, 1);
}

// Lock and RLock: one wake on its way at a time. A holder that releases and re-acquires while the waiter
// it woke has not run yet makes no further system call (that was most of a contended lock's cost); the
// woken waiter clears the mark and either takes the lock or sleeps again, and then the next release wakes
// it. A Semaphore keeps waking on every release: several units may be free at once.
void wake_sleeping_lock_waiter(SemState& st) noexcept {
    if (st.wake_pending.load(std::memory_order_relaxed) != 0 || st.wake_pending.exchange(1) != 0) return;
    if (futex_wake(st.word, 1) > 0) return;
    st.wake_pending.store(0);
    // Nobody was asleep yet. A release in between may have seen the mark and skipped its wake: make it
    // for that release while the lock is still free (a later holder's release wakes otherwise).
    if (st.word.load() == 0 && st.waiters.load() != 0) futex_wake(st.word, 1);
}
inline void wake_lock_waiter(SemState& st) noexcept {
    if (st.waiters.load() != 0) [[unlikely]]
        wake_sleeping_lock_waiter(st);
}

[[gnu::always_inline]] inline void lock_release_inline(ObjectRef& r) {
    scope::gate(Op::Release, r.serial());
    SemState& st = r.slot().state.sem;
    const bool record = scope::full_events();
    // Like CPython's check (sem_getvalue before sem_post), this catches a second release, not two
    // releases racing each other.
    if (st.word.load(std::memory_order_relaxed) == 0)
        throw ValueError("semaphore or lock released too many times");
    clear_owner(st);
    fence::release_word(st.word);
    wake_lock_waiter(st);
    r.count_op();
    if (record) scope::record(Op::Release, r.serial(), 1);
}
void lock_release(ObjectRef& r) {
    lock_release_inline(r);
}

[[gnu::always_inline]] inline bool rlock_acquire_inline(ObjectRef& r, bool block,
                                                        const std::optional<double>& timeout) {
    scope::gate(Op::Acquire, r.serial());
    SemState& st = r.slot().state.sem;
    const std::uint32_t self = me();
    const Taker taker(r);
    const bool record = scope::full_events();
    if (held_by(st, self, taker.tid)) {
        // Only the owner changes the depth while it holds the lock: no read-modify-write needed.
        st.count.store(st.count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        r.count_op();
        if (record) scope::record(Op::Acquire, r.serial(), 1);
        return true;
    }
    std::uint32_t expected = 0;
    if (st.word.compare_exchange_strong(expected, self, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
        took_lock(taker, true);
        if (record) scope::record(Op::Acquire, r.serial(), 1);
        return true;
    }
    return lock_acquire_slow(r, block, timeout, self, true);
}
bool rlock_acquire(ObjectRef& r, bool block, std::optional<double> timeout) {
    return rlock_acquire_inline(r, block, timeout);
}

[[gnu::always_inline]] inline void rlock_release_inline(ObjectRef& r) {
    scope::gate(Op::Release, r.serial());
    SemState& st = r.slot().state.sem;
    if (!held_by_caller(st, me()) || st.count.load(std::memory_order_relaxed) == 0)
        throw AssertionError("attempt to release recursive lock not owned by thread");
    r.count_op();
    const std::uint32_t depth = st.count.load(std::memory_order_relaxed);
    st.count.store(depth - 1, std::memory_order_relaxed);
    if (depth > 1) return;
    clear_owner(st);
    fence::release_word(st.word);
    wake_lock_waiter(st);
    if (scope::full_events()) scope::record(Op::Release, r.serial(), 1);
}
void rlock_release(ObjectRef& r) {
    rlock_release_inline(r);
}

// Either kind of lock, as a Condition sees it.
bool any_lock_acquire(ObjectRef& r, bool block, std::optional<double> timeout) {
    return r.kind() == ObjectKind::RLock ? rlock_acquire(r, block, timeout) : lock_acquire(r, block, timeout);
}
void any_lock_release(ObjectRef& r) {
    r.kind() == ObjectKind::RLock ? rlock_release(r) : lock_release(r);
}
bool any_lock_is_mine(ObjectRef& r) {
    const SemState& st = r.slot().state.sem;
    return held_by_caller(st, me());
}
std::uint32_t any_lock_depth(ObjectRef& r) {
    return r.kind() == ObjectKind::RLock ? r.slot().state.sem.count.load(std::memory_order_relaxed) : 1;
}

// ---- Semaphore -----------------------------------------------------------------------------------------

bool sem_try(SemState& st) noexcept {
    std::uint32_t v = st.word.load(std::memory_order_relaxed);
    while (v > 0)
        if (st.word.compare_exchange_weak(v, v - 1, std::memory_order_acquire, std::memory_order_relaxed))
            return true;
    return false;
}

bool sem_acquire(ObjectRef& r, bool block, std::optional<double> timeout) {
    scope::gate(Op::Acquire, r.serial());
    SemState& st = r.slot().state.sem;
    bool acquired = sem_try(st);
    if (!acquired && block) {
        const auto deadline = deadline_after(timeout);
        acquired = spin_with_backoff([&] { return sem_try(st); });
        if (!acquired) {
            scope::WaitScope waiting(Op::Acquire, r.serial(), 0, deadline);
            st.waiters.fetch_add(1);
            for (;;) {
                if (sem_try(st)) {
                    acquired = true;
                    break;
                }
                if (deadline && monotonic_ns() >= *deadline) break;
                futex_wait(st.word, 0, deadline);
            }
            st.waiters.fetch_sub(1);
            if (scope::observing()) scope::record(Op::Acquire, r.serial(), acquired ? 1 : 0);
        }
    }
    if (acquired) {
        r.count_op();
        if (scope::observing()) holders_add(st, me());
        if (scope::full_events()) scope::record(Op::Acquire, r.serial(), 1);
    } else if (!block && scope::full_events()) {
        scope::record(Op::Acquire, r.serial(), 0);
    }
    return acquired;
}

void sem_release(ObjectRef& r) {
    scope::gate(Op::Release, r.serial());
    SemState& st = r.slot().state.sem;
    const std::uint32_t max = st.maxvalue.load(std::memory_order_relaxed);
    std::uint32_t v = st.word.load(std::memory_order_relaxed);
    do {
        if (v >= max) throw ValueError("semaphore or lock released too many times");
    } while (!st.word.compare_exchange_weak(v, v + 1, std::memory_order_release, std::memory_order_relaxed));
    if (scope::observing()) holders_remove(st, me());
    wake_one_waiter(st);
    r.count_op();
    if (scope::full_events()) scope::record(Op::Release, r.serial(), static_cast<std::int32_t>(v + 1));
}

// ---- internal futex semaphores (Condition) -------------------------------------------------------------

bool fsem_try(scope::FutexSem& s) noexcept {
    std::uint32_t v = s.value.load(std::memory_order_relaxed);
    while (v > 0)
        if (s.value.compare_exchange_weak(v, v - 1, std::memory_order_acquire, std::memory_order_relaxed))
            return true;
    return false;
}

bool fsem_acquire(scope::FutexSem& s, std::optional<std::int64_t> deadline) noexcept {
    if (fsem_try(s)) return true;
    s.waiters.fetch_add(1);
    bool acquired = false;
    for (;;) {
        if (fsem_try(s)) {
            acquired = true;
            break;
        }
        if (deadline && monotonic_ns() >= *deadline) break;
        futex_wait(s.value, 0, deadline);
    }
    s.waiters.fetch_sub(1);
    return acquired;
}

void fsem_release(scope::FutexSem& s) noexcept {
    s.value.fetch_add(1);
    if (s.waiters.load() != 0) futex_wake(s.value, 1);
}

// ---- handle checks -------------------------------------------------------------------------------------

void check_fork_context(const Handle& h, std::string_view method) {
    if (method == "fork" || h.ints.size() < 3) return;
    // CPython's text says "spawn context" for forkserver children too.
    if (h.ints[2] & scope::kObjForkContext)
        throw RuntimeError("A SemLock created in a fork context is being shared with a process in a spawn "
                           "context. This is not supported. Please use the same context to create "
                           "multiprocessing objects and Process.");
}

const bool handle_checks_registered = [] {
    for (const char* kind : {"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "Event"})
        register_handle_check(kind, check_fork_context);
    return true;
}();

std::string owner_description(const SemState& st, bool& mine) {
    const std::uint32_t self = me();
    const std::uint32_t owner = st.word.load(std::memory_order_acquire);
    mine = false;
    if (owner == 0) return "None";
    if (owner == self) {
        if (st.owner_tid.load(std::memory_order_relaxed) == scope::thread_id()) {
            mine = true;
            std::string name = current_process().name();
            if (!scope::is_main_thread()) name += "|Thread-" + std::to_string(scope::thread_token() - 1);
            return name;
        }
        return "SomeOtherThread";
    }
    return "SomeOtherProcess";
}

std::shared_ptr<ObjectRef> make_sem_object(ObjectKind kind, const Context* ctx, std::uint32_t value,
                                           std::uint32_t maxvalue, std::uint32_t extra_flags) {
    std::uint32_t flags = context_flags(ctx) | extra_flags;
    return scope::create_object(kind, flags, [&](scope::ObjectSlot& slot) {
        slot.state.sem.word.store(value, std::memory_order_relaxed);
        slot.state.sem.maxvalue.store(maxvalue, std::memory_order_relaxed);
    });
}

// An OSError with errno whose text is Python's str(OSError(err, strerror(err))): "[Errno 22] Invalid
// argument". SystemError's own text would be "<what>: <strerror>".
class PythonErrnoError final : public SystemError {
public:
    explicit PythonErrnoError(int err)
        : SystemError(err, "")
        , text_("[Errno " + std::to_string(err) + "] " + std::strerror(err)) {}
    const char* what() const noexcept override { return text_.what(); }

private:
    std::runtime_error text_; // copies without throwing, as an exception's text must
};

std::uint32_t checked_initial_value(std::int64_t value) {
    if (value < 0) throw PythonErrnoError(EINVAL);
    if (value > static_cast<std::int64_t>(kSemValueMax))
        throw OverflowError("Python int too large to convert to C int");
    return static_cast<std::uint32_t>(value);
}

} // namespace detail::sync

using namespace detail::sync;
namespace sc = detail::scope;

// ---- SharedObject --------------------------------------------------------------------------------------

void SharedObject::throw_moved_from() {
    throw ValueError("this shared object was moved from");
}

std::string SharedObject::name() const {
    return ref().name();
}

void SharedObject::set_label(std::string_view label) {
    auto& slot = ref().slot();
    std::string text(label.substr(0, sizeof slot.name - 1));
    slot.meta_seq.fetch_add(1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    std::memset(slot.name, 0, sizeof slot.name);
    std::memcpy(slot.name, text.data(), text.size());
    slot.meta_seq.fetch_add(1, std::memory_order_release);
}

std::uint32_t SharedObject::scope_id() const {
    return ref().serial();
}

Handle SharedObject::make_handle(std::string_view kind) const {
    return ref().to_handle(kind);
}

// ---- Lock ----------------------------------------------------------------------------------------------

Lock::Lock()
    : SharedObject(make_sem_object(sc::ObjectKind::Lock, nullptr, 0, 1)) {}
Lock::Lock(const Context& ctx)
    : SharedObject(make_sem_object(sc::ObjectKind::Lock, &ctx, 0, 1)) {}

bool Lock::acquire(bool block, std::optional<double> timeout) {
    return lock_acquire_inline(ref(), block, timeout);
}
bool Lock::acquire(bool block) {
    return lock_acquire_inline(ref(), block, std::nullopt);
}
void Lock::release() {
    lock_release_inline(ref());
}
bool Lock::locked() const {
    return ref().slot().state.sem.word.load(std::memory_order_acquire) != 0;
}
std::string Lock::repr() const {
    bool mine = false;
    return "<Lock(owner=" + owner_description(ref().slot().state.sem, mine) + ")>";
}
Handle Lock::to_handle() const {
    return make_handle("Lock");
}
Lock Lock::from_handle(const Handle& handle) {
    return Lock(sc::object_from_handle(handle, sc::ObjectKind::Lock, "Lock"));
}

// ---- RLock ---------------------------------------------------------------------------------------------

RLock::RLock()
    : SharedObject(make_sem_object(sc::ObjectKind::RLock, nullptr, 0, 1)) {}
RLock::RLock(const Context& ctx)
    : SharedObject(make_sem_object(sc::ObjectKind::RLock, &ctx, 0, 1)) {}

bool RLock::acquire(bool block, std::optional<double> timeout) {
    return rlock_acquire_inline(ref(), block, timeout);
}
bool RLock::acquire(bool block) {
    return rlock_acquire_inline(ref(), block, std::nullopt);
}
void RLock::release() {
    rlock_release_inline(ref());
}
bool RLock::locked() const {
    return ref().slot().state.sem.word.load(std::memory_order_acquire) != 0;
}
std::string RLock::repr() const {
    const auto& st = ref().slot().state.sem;
    bool mine = false;
    std::string owner = owner_description(st, mine);
    std::string count = mine              ? std::to_string(st.count.load(std::memory_order_relaxed))
                        : owner == "None" ? "0"
                                          : "nonzero";
    return "<RLock(" + owner + ", " + count + ")>";
}
Handle RLock::to_handle() const {
    return make_handle("RLock");
}
RLock RLock::from_handle(const Handle& handle) {
    return RLock(sc::object_from_handle(handle, sc::ObjectKind::RLock, "RLock"));
}

// ---- AnyLock (mp/sharedctypes.hpp) ---------------------------------------------------------------------

// Here rather than with the rest of AnyLock so that `with v.get_lock():`, the locked Value's hottest path,
// takes the inline paths directly instead of calling through Lock or RLock.
bool AnyLock::acquire(bool block) const {
    return is_rlock() ? rlock_acquire_inline(ref(), block, std::nullopt)
                      : lock_acquire_inline(ref(), block, std::nullopt);
}
void AnyLock::release() const {
    is_rlock() ? rlock_release_inline(ref()) : lock_release_inline(ref());
}

// ---- Semaphore, BoundedSemaphore -----------------------------------------------------------------------

Semaphore::Semaphore(std::int64_t value)
    : SharedObject(
          make_sem_object(sc::ObjectKind::Semaphore, nullptr, checked_initial_value(value), kSemValueMax)) {}
Semaphore::Semaphore(const Context& ctx, std::int64_t value)
    : SharedObject(
          make_sem_object(sc::ObjectKind::Semaphore, &ctx, checked_initial_value(value), kSemValueMax)) {}
Semaphore::Semaphore(Bounded, const Context* ctx, std::int64_t value)
    : SharedObject(make_sem_object(sc::ObjectKind::BoundedSemaphore, ctx, checked_initial_value(value),
                                   checked_initial_value(value))) {}

bool Semaphore::acquire(bool block, std::optional<double> timeout) {
    return sem_acquire(ref(), block, timeout);
}
void Semaphore::release() {
    sem_release(ref());
}
std::int64_t Semaphore::get_value() const {
    return ref().slot().state.sem.word.load(std::memory_order_acquire);
}
bool Semaphore::locked() const {
    return get_value() == 0;
}
std::string Semaphore::repr() const {
    const auto& st = ref().slot().state.sem;
    std::string value = std::to_string(st.word.load(std::memory_order_acquire));
    if (ref().kind() == sc::ObjectKind::BoundedSemaphore)
        return "<BoundedSemaphore(value=" + value + ", maxvalue=" + std::to_string(st.maxvalue.load()) + ")>";
    return "<Semaphore(value=" + value + ")>";
}
Handle Semaphore::to_handle() const {
    return make_handle(ref().kind() == sc::ObjectKind::BoundedSemaphore ? "BoundedSemaphore" : "Semaphore");
}
Semaphore Semaphore::from_handle(const Handle& handle) {
    if (handle.kind == "BoundedSemaphore")
        return Semaphore(
            sc::object_from_handle(handle, sc::ObjectKind::BoundedSemaphore, "BoundedSemaphore"));
    return Semaphore(sc::object_from_handle(handle, sc::ObjectKind::Semaphore, "Semaphore"));
}

BoundedSemaphore::BoundedSemaphore(std::int64_t value)
    : Semaphore(Bounded{}, nullptr, value) {}
BoundedSemaphore::BoundedSemaphore(const Context& ctx, std::int64_t value)
    : Semaphore(Bounded{}, &ctx, value) {}
Handle BoundedSemaphore::to_handle() const {
    return make_handle("BoundedSemaphore");
}
BoundedSemaphore BoundedSemaphore::from_handle(const Handle& handle) {
    return BoundedSemaphore(
        sc::object_from_handle(handle, sc::ObjectKind::BoundedSemaphore, "BoundedSemaphore"));
}

// ---- Condition -----------------------------------------------------------------------------------------

namespace {

sc::ObjectRef& lock_ref_of(const Condition::LockType& lock) {
    return std::visit([](const auto& l) -> sc::ObjectRef& { return detail::SharedObjectAccess::ref(l); },
                      lock);
}

} // namespace

Condition::Condition(std::optional<LockType> lock)
    : lock_(lock ? std::move(*lock) : LockType(RLock())) {
    init(nullptr);
}

Condition::Condition(const Context& ctx, std::optional<LockType> lock)
    : lock_(lock ? std::move(*lock) : LockType(RLock(ctx))) {
    init(&ctx);
}

void Condition::init(const Context* ctx) {
    sc::ObjectRef& l = lock_ref_of(lock_);
    std::uint32_t flags = made_in_fork_context(ctx) ? sc::kObjForkContext : 0;
    ref_ = sc::create_object(sc::ObjectKind::Condition, flags, [&](sc::ObjectSlot& slot) {
        slot.state.cond.lock_index.store(l.index(), std::memory_order_relaxed);
        slot.state.cond.lock_serial.store(l.serial(), std::memory_order_relaxed);
        sc::add_reference(l.segment(), l.index()); // the condition keeps its lock alive
    });
}

double Condition::monotonic_now() {
    return static_cast<double>(detail::monotonic_ns()) / 1e9;
}

bool Condition::acquire(bool block, std::optional<double> timeout) {
    return any_lock_acquire(lock_ref_of(lock_), block, timeout);
}
void Condition::release() {
    any_lock_release(lock_ref_of(lock_));
}

bool Condition::wait(std::optional<double> timeout) {
    sc::ObjectRef& l = lock_ref_of(lock_);
    sc::ObjectRef& c = ref();
    if (!any_lock_is_mine(l)) throw AssertionError("must acquire() condition before using wait()");
    sc::gate(sc::Op::CondWait, c.serial());
    auto& st = c.slot().state.cond;
    c.count_op();
    fsem_release(st.sleeping); // this thread is going to sleep
    const std::uint32_t depth = any_lock_depth(l);
    for (std::uint32_t i = 0; i < depth; ++i)
        any_lock_release(l);
    bool notified;
    {
        auto deadline = detail::deadline_after(timeout);
        sc::WaitScope waiting(sc::Op::CondWait, c.serial(), 0, deadline);
        notified = fsem_acquire(st.wait_sem, deadline);
    }
    fsem_release(st.woken); // this thread has woken
    if (sc::observing()) sc::record(sc::Op::CondWait, c.serial(), notified ? 1 : 0);
    for (std::uint32_t i = 0; i < depth; ++i)
        any_lock_acquire(l, true, std::nullopt);
    return notified;
}

void Condition::notify(std::int64_t n) {
    sc::ObjectRef& l = lock_ref_of(lock_);
    sc::ObjectRef& c = ref();
    if (!any_lock_is_mine(l)) throw AssertionError("lock is not owned");
    sc::gate(sc::Op::CondNotify, c.serial());
    auto& st = c.slot().state.cond;
    c.count_op();
    if (fsem_try(st.wait_sem)) throw AssertionError("notify: wait semaphore was not zero");
    // Sleepers that timed out since the last notify have counted themselves as woken: discount them.
    while (fsem_try(st.woken))
        if (!fsem_try(st.sleeping))
            throw AssertionError("notify: Bug in sleeping_count.acquire- res should not be False");
    std::int64_t sleepers = 0;
    while (sleepers < n && fsem_try(st.sleeping)) {
        fsem_release(st.wait_sem); // wake up one sleeper
        ++sleepers;
    }
    if (sleepers) {
        for (std::int64_t i = 0; i < sleepers; ++i)
            fsem_acquire(st.woken, std::nullopt); // wait for a sleeper to wake
        // Rezero wait_sem in case some timeouts just happened.
        while (fsem_try(st.wait_sem)) {
        }
    }
    if (sc::observing()) sc::record(sc::Op::CondNotify, c.serial(), static_cast<std::int32_t>(sleepers));
}

void Condition::notify_all() {
    notify(std::numeric_limits<std::int64_t>::max());
}

Condition::LockType Condition::get_lock() const {
    return lock_;
}

std::string Condition::repr() const {
    const auto& st = ref().slot().state.cond;
    std::int64_t waiters = static_cast<std::int64_t>(st.sleeping.value.load()) - st.woken.value.load();
    std::string lock = std::visit([](const auto& l) { return l.repr(); }, lock_);
    return "<Condition(" + lock + ", " + std::to_string(waiters) + ")>";
}

Handle Condition::to_handle() const {
    return make_handle("Condition");
}

Condition Condition::from_handle(const Handle& handle) {
    auto ref = sc::object_from_handle(handle, sc::ObjectKind::Condition, "Condition");
    auto& st = ref->slot().state.cond;
    auto lock = sc::object_ref(st.lock_index.load(), st.lock_serial.load());
    if (!lock) throw ValueError("the Condition's lock no longer exists");
    if (lock->kind() == sc::ObjectKind::RLock) return Condition(std::move(ref), RLock(std::move(lock)));
    return Condition(std::move(ref), Lock(std::move(lock)));
}

} // namespace mp

// ---- context members -----------------------------------------------------------------------------------

namespace mp {

Lock Context::Lock() const {
    return mp::Lock(*this);
}
RLock Context::RLock() const {
    return mp::RLock(*this);
}
Semaphore Context::Semaphore(std::int64_t value) const {
    return mp::Semaphore(*this, value);
}
BoundedSemaphore Context::BoundedSemaphore(std::int64_t value) const {
    return mp::BoundedSemaphore(*this, value);
}
Condition Context::Condition() const {
    return mp::Condition(*this);
}
Condition Context::Condition(const mp::Lock& lock) const {
    return mp::Condition(*this, mp::Condition::LockType(lock));
}
Condition Context::Condition(const mp::RLock& lock) const {
    return mp::Condition(*this, mp::Condition::LockType(lock));
}
Event Context::Event() const {
    return mp::Event(*this);
}
Barrier Context::Barrier(std::int64_t parties, Target action, std::optional<double> timeout) const {
    return mp::Barrier(*this, parties, std::move(action), timeout);
}

} // namespace mp
