#pragma once
// Process-shared synchronization primitives (SPEC §7): Lock, RLock, Semaphore, BoundedSemaphore,
// Condition, Event and Barrier, with Python's rules, error types and reprs. They live in the session arena,
// so they work between threads and between processes under every start method, and the inspector sees
// their state (owner, value, waiters ...) live. Copies refer to the same primitive, like Python references.
//
// Beyond CPython: a process that dies holding a Lock or RLock does not wedge the others; the next
// acquirer detects the death, takes the lock over and the inspector records "owner ... died holding it".
#include "mp/errors.hpp"
#include "mp/object.hpp"
#include "mp/process.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace mp {

class Context;

namespace detail {
namespace scope {
class ObjectRef;
}
struct SharedObjectAccess;
} // namespace detail

// Base of every object that lives in the session arena (primitives, shared values, queues).
class SharedObject {
public:
    // "Lock-3", or the label given with set_label().
    std::string name() const;
    // A name for the inspector (at most 47 bytes), e.g. "fork-0" for a dining philosopher's fork.
    void set_label(std::string_view label);
    // The object's id in its session (mp::scope::ObjectId).
    std::uint32_t scope_id() const;
    // The same shared object (not merely equal state).
    bool same_as(const SharedObject& other) const noexcept { return ref_ == other.ref_; }

protected:
    SharedObject() = default;
    explicit SharedObject(std::shared_ptr<detail::scope::ObjectRef> ref)
        : ref_(std::move(ref)) {}
    detail::scope::ObjectRef& ref() const {
        if (!ref_) [[unlikely]]
            throw_moved_from();
        return *ref_;
    }
    [[noreturn]] static void throw_moved_from();
    Handle make_handle(std::string_view kind) const;

    friend struct detail::SharedObjectAccess;
    std::shared_ptr<detail::scope::ObjectRef> ref_;
};

// A non-recursive lock with no owner: any thread or process may release it (Python's multiprocessing.Lock).
// Meets the C++ Lockable requirements, so std::lock_guard / std::scoped_lock play the part of `with`.
class Lock : public SharedObject {
public:
    Lock();                            // in the default context
    explicit Lock(const Context& ctx); // ctx.Lock()

    // block=false never waits and ignores timeout; a negative timeout means 0; nullopt waits for ever.
    // Without a timeout, the caller builds no std::optional: its one-byte store and eight-byte reload
    // cannot be forwarded and stalled the uncontended path by a third.
    bool acquire(bool block = true);
    bool acquire(bool block, std::optional<double> timeout);
    // ValueError('semaphore or lock released too many times') when not locked.
    void release();
    bool locked() const;

    void lock() { acquire(); }
    bool try_lock() { return acquire(false); }
    void unlock() { release(); }

    // <Lock(owner=None)>, <Lock(owner=MainProcess)>, <Lock(owner=SomeOtherProcess)> ...
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Lock& l) { return out << l.repr(); }

    Handle to_handle() const;
    static Lock from_handle(const Handle& handle);

private:
    friend class Condition;
    explicit Lock(std::shared_ptr<detail::scope::ObjectRef> ref)
        : SharedObject(std::move(ref)) {}
};

// A recursive lock owned by one thread of one process.
class RLock : public SharedObject {
public:
    RLock();
    explicit RLock(const Context& ctx);

    // The owner may always re-acquire, even with block=false; the depth grows. Two overloads as Lock's.
    bool acquire(bool block = true);
    bool acquire(bool block, std::optional<double> timeout);
    // AssertionError('attempt to release recursive lock not owned by thread') unless owned by the caller.
    void release();
    bool locked() const;

    void lock() { acquire(); }
    bool try_lock() { return acquire(false); }
    void unlock() { release(); }

    // <RLock(None, 0)>, <RLock(MainProcess, 2)>, <RLock(SomeOtherProcess, nonzero)>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const RLock& l) { return out << l.repr(); }

    Handle to_handle() const;
    static RLock from_handle(const Handle& handle);

private:
    friend class Condition;
    explicit RLock(std::shared_ptr<detail::scope::ObjectRef> ref)
        : SharedObject(std::move(ref)) {}
};

// A counting semaphore (maximum SEM_VALUE_MAX). A negative initial value is OSError (EINVAL).
class Semaphore : public SharedObject {
public:
    explicit Semaphore(std::int64_t value = 1);
    Semaphore(const Context& ctx, std::int64_t value = 1);

    bool acquire(bool block = true, std::optional<double> timeout = std::nullopt);
    // ValueError when the value would pass its maximum.
    void release();
    std::int64_t get_value() const;
    bool locked() const; // value == 0

    void lock() { acquire(); }
    bool try_lock() { return acquire(false); }
    void unlock() { release(); }

    // <Semaphore(value=N)>; a BoundedSemaphore: <BoundedSemaphore(value=N, maxvalue=M)>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Semaphore& s) { return out << s.repr(); }

    Handle to_handle() const;
    static Semaphore from_handle(const Handle& handle);

protected:
    struct Bounded {};
    Semaphore(Bounded, const Context* ctx, std::int64_t value);
    explicit Semaphore(std::shared_ptr<detail::scope::ObjectRef> ref)
        : SharedObject(std::move(ref)) {}
};

// A semaphore whose value may never exceed its initial value: release at the maximum is
// ValueError('semaphore or lock released too many times').
class BoundedSemaphore : public Semaphore {
public:
    explicit BoundedSemaphore(std::int64_t value = 1);
    BoundedSemaphore(const Context& ctx, std::int64_t value = 1);

    Handle to_handle() const;
    static BoundedSemaphore from_handle(const Handle& handle);

private:
    explicit BoundedSemaphore(std::shared_ptr<detail::scope::ObjectRef> ref)
        : Semaphore(std::move(ref)) {}
};

// A condition variable over a Lock or an RLock (default: a new RLock).
class Condition : public SharedObject {
public:
    using LockType = std::variant<Lock, RLock>;
    explicit Condition(std::optional<LockType> lock = std::nullopt);
    explicit Condition(const Context& ctx, std::optional<LockType> lock = std::nullopt);

    bool acquire(bool block = true, std::optional<double> timeout = std::nullopt);
    void release();
    void lock() { acquire(); }
    bool try_lock() { return acquire(false); }
    void unlock() { release(); }

    // Releases the lock (every recursion level), waits for a notification or the timeout, re-acquires.
    // True when notified. AssertionError('must acquire() condition before using wait()') unless owned.
    bool wait(std::optional<double> timeout = std::nullopt);
    // Waits until pred() is truthy or the timeout passes; returns pred()'s last result.
    template <class Pred> auto wait_for(Pred pred, std::optional<double> timeout = std::nullopt);
    // Wakes up to n sleepers and blocks until each has woken. AssertionError('lock is not owned').
    void notify(std::int64_t n = 1);
    void notify_all();

    // The lock this condition uses.
    LockType get_lock() const;

    // <Condition(<RLock(None, 0)>, 0)>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Condition& c) { return out << c.repr(); }

    Handle to_handle() const;
    static Condition from_handle(const Handle& handle);

private:
    Condition(std::shared_ptr<detail::scope::ObjectRef> ref, LockType lock)
        : SharedObject(std::move(ref))
        , lock_(std::move(lock)) {}
    static double monotonic_now();
    void init(const Context* ctx);
    LockType lock_;
};

// A flag processes can wait for.
class Event : public SharedObject {
public:
    Event();
    explicit Event(const Context& ctx);

    bool is_set() const;
    void set(); // wakes every waiter
    void clear();
    // Returns the flag: true once set, false when the timeout passed first.
    bool wait(std::optional<double> timeout = std::nullopt);

    // <Event at 0x... set|unset>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Event& e) { return out << e.repr(); }

    Handle to_handle() const;
    static Event from_handle(const Handle& handle);

private:
    explicit Event(std::shared_ptr<detail::scope::ObjectRef> ref)
        : SharedObject(std::move(ref)) {}
};

// threading.Barrier between processes: `parties` arrive, the last runs `action`, everyone proceeds.
// Under spawn and forkserver the action must be a registered task (MP_TASK), like a Process target.
class Barrier : public SharedObject {
public:
    explicit Barrier(std::int64_t parties, Target action = {}, std::optional<double> timeout = std::nullopt);
    Barrier(const Context& ctx, std::int64_t parties, Target action = {},
            std::optional<double> timeout = std::nullopt);

    // The arrival index 0 .. parties-1. nullopt: the barrier's default timeout. A timeout breaks the
    // barrier; a broken barrier raises BrokenBarrierError until reset().
    std::int64_t wait(std::optional<double> timeout = std::nullopt);
    void reset();
    void abort();
    std::int64_t parties() const;
    std::int64_t n_waiting() const;
    bool broken() const;

    // <multiprocessing.synchronize.Barrier at 0x...: waiters=1/3>, or ...: broken>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Barrier& b) { return out << b.repr(); }

    Handle to_handle() const;
    static Barrier from_handle(const Handle& handle);

private:
    Barrier(std::shared_ptr<detail::scope::ObjectRef> ref, Target action)
        : SharedObject(std::move(ref))
        , action_(std::move(action)) {}
    Target action_;
};

namespace detail {
// Condition.wait_for(predicate, timeout) over any condition with wait(optional<double>): waits until pred()
// is truthy or the deadline passes, and returns pred()'s last result. `now` reads a monotonic clock in
// seconds. mp::dummy::Condition shares it.
template <class Cond, class Pred, class Now>
auto condition_wait_for(Cond& condition, Pred& pred, std::optional<double> timeout, Now now) {
    auto result = pred();
    if (result) return result;
    std::optional<double> deadline;
    if (timeout) deadline = now() + *timeout;
    while (!result) {
        std::optional<double> wait_time;
        if (deadline) {
            wait_time = *deadline - now();
            if (*wait_time <= 0) break;
        }
        condition.wait(wait_time);
        result = pred();
    }
    return result;
}
} // namespace detail

template <class Pred> auto Condition::wait_for(Pred pred, std::optional<double> timeout) {
    return detail::condition_wait_for(*this, pred, timeout, &Condition::monotonic_now);
}

// Process arguments and messages carry primitives as handles.
#define MP_DETAIL_SHARED_CONVERT(Type)                                                                       \
    template <> struct Convert<Type> {                                                                       \
        static Object to(const Type& value) { return Object(value.to_handle()); }                            \
        static Type from(const Object& object) { return Type::from_handle(object.as_handle()); }             \
    };
MP_DETAIL_SHARED_CONVERT(Lock)
MP_DETAIL_SHARED_CONVERT(RLock)
MP_DETAIL_SHARED_CONVERT(Semaphore)
MP_DETAIL_SHARED_CONVERT(BoundedSemaphore)
MP_DETAIL_SHARED_CONVERT(Condition)
MP_DETAIL_SHARED_CONVERT(Event)
MP_DETAIL_SHARED_CONVERT(Barrier)
#undef MP_DETAIL_SHARED_CONVERT

} // namespace mp
