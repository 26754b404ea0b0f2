// threading's Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event and Barrier for mp::dummy
// (SPEC §12), with CPython's argument checks, error texts and reprs. A Lock is a futex word (any thread may
// release it, so it cannot be a std::mutex); the others are std::mutex / std::condition_variable.
#include "dummy_internal.hpp"
#include "futex.hpp"

#include <atomic>
#include <cmath>
#include <deque>

namespace mp::dummy {

namespace detail {

// How long a lock acquisition may wait: not at all, for ever, or `timeout` seconds from when it starts
// waiting (the deadline is only computed then, off the uncontended path).
struct LockWait {
    bool poll = false;
    std::optional<double> timeout;

    // _thread.lock.acquire's argument rules: -1 (or nullopt) is "for ever"; NaN and out-of-range values
    // fail as CPython converts them; a timeout with block=false and other negatives are ValueError.
    static LockWait checked(bool block, std::optional<double> timeout) {
        if (timeout && *timeout == -1) timeout.reset();
        if (timeout) {
            if (std::isnan(*timeout)) throw ValueError("Invalid value NaN (not a number)");
            if (*timeout > 9223372036.854775807)
                throw OverflowError("timestamp out of range for platform time_t");
            if (!block) throw ValueError("can't specify a timeout for a non-blocking call");
            if (*timeout < 0) throw ValueError("timeout value must be positive");
            if (*timeout > timeout_max) throw OverflowError("timeout value is too large");
        }
        return LockWait{!block, timeout};
    }
    std::optional<Clock::time_point> deadline() const {
        return poll ? Clock::now() : deadline_after(timeout);
    }
};

// A futex word: 0 unlocked, 1 locked, 2 locked and someone may be waiting (the classic three-state mutex,
// without an owner, so any thread may release it). Uncontended acquire and release are one atomic each.
struct LockState {
    std::atomic<std::uint32_t> word{0};

    bool acquire(const LockWait& wait) {
        std::uint32_t c = 0;
        if (word.compare_exchange_strong(c, 1, std::memory_order_acquire)) return true;
        if (wait.poll) return false;
        const auto deadline = wait.deadline();
        std::optional<std::int64_t> deadline_ns; // steady_clock is CLOCK_MONOTONIC, the futex's clock
        if (deadline)
            deadline_ns =
                std::chrono::duration_cast<std::chrono::nanoseconds>(deadline->time_since_epoch()).count();
        if (c != 2) c = word.exchange(2, std::memory_order_acquire);
        while (c != 0) {
            if (deadline_ns && mp::detail::monotonic_ns() >= *deadline_ns) return false;
            mp::detail::futex_wait(word, 2, deadline_ns);
            c = word.exchange(2, std::memory_order_acquire);
        }
        return true;
    }
    void release() {
        const std::uint32_t previous = word.exchange(0, std::memory_order_release);
        if (previous == 0) throw RuntimeError("release unlocked lock");
        if (previous == 2) mp::detail::futex_wake(word, 1);
    }
    bool is_locked() const { return word.load(std::memory_order_relaxed) != 0; }
};

struct RLockState {
    std::mutex mutex;
    std::condition_variable released;
    std::uint64_t owner = 0;
    std::uint64_t count = 0;

    bool acquire(const LockWait& wait, std::uint64_t depth = 1) {
        const std::uint64_t me = current_ident();
        std::unique_lock lock(mutex);
        if (count > 0 && owner == me) {
            count += depth;
            return true;
        }
        const auto free = [&] { return count == 0; };
        if (!free() && (wait.poll || !wait_until(released, lock, wait.deadline(), free))) return false;
        owner = me;
        count = depth;
        return true;
    }
    void release() {
        {
            std::lock_guard lock(mutex);
            if (count == 0 || owner != current_ident()) throw RuntimeError("cannot release un-acquired lock");
            if (--count > 0) return;
            owner = 0;
        }
        released.notify_one();
    }
    bool is_owned() {
        std::lock_guard lock(mutex);
        return count > 0 && owner == current_ident();
    }
    // RLock._release_save: gives the lock up entirely, returning the depth to restore.
    std::uint64_t release_save() {
        std::uint64_t depth = 0;
        {
            std::lock_guard lock(mutex);
            if (count == 0) throw RuntimeError("cannot release un-acquired lock");
            depth = count;
            count = 0;
            owner = 0;
        }
        released.notify_one();
        return depth;
    }
};

struct SemaphoreState {
    std::mutex mutex;
    std::condition_variable available;
    std::int64_t value = 0;
    std::optional<std::int64_t> bound; // BoundedSemaphore's initial value
};

struct ConditionState {
    using LockType = Condition::LockType;
    struct Waiter {
        bool notified = false;
    };

    explicit ConditionState(LockType l)
        : lock(std::move(l)) {}

    LockType lock;
    std::mutex mutex; // guards waiters
    std::condition_variable woken;
    std::deque<std::shared_ptr<Waiter>> waiters;

    static LockState& state(const Lock& l) { return *l.state_; }
    static RLockState& state(const RLock& l) { return *l.state_; }

    // Condition._is_owned: an RLock held by the caller; a Lock held by anyone (CPython cannot tell more).
    bool is_owned() const {
        return std::visit(
            [](const auto& l) {
                if constexpr (std::is_same_v<std::decay_t<decltype(l)>, RLock>)
                    return state(l).is_owned();
                else
                    return state(l).is_locked();
            },
            lock);
    }
    std::uint64_t release_save() const {
        return std::visit(
            [](const auto& l) -> std::uint64_t {
                if constexpr (std::is_same_v<std::decay_t<decltype(l)>, RLock>) {
                    return state(l).release_save();
                } else {
                    state(l).release();
                    return 1;
                }
            },
            lock);
    }
    void acquire_restore(std::uint64_t depth) const {
        std::visit(
            [depth](const auto& l) {
                if constexpr (std::is_same_v<std::decay_t<decltype(l)>, RLock>)
                    state(l).acquire(LockWait{}, depth);
                else
                    state(l).acquire(LockWait{});
            },
            lock);
    }
};

struct EventState {
    std::mutex mutex;
    std::condition_variable changed;
    bool flag = false;
    std::uint64_t sets = 0; // a waiter woken by set() returns true even if clear() came first
};

struct BarrierState {
    enum : int { Filling = 0, Draining = 1, Resetting = -1, Broken = -2 };
    std::mutex mutex;
    std::condition_variable changed;
    Target action;
    std::optional<double> timeout;
    std::int64_t parties = 0;
    int state = Filling;
    std::int64_t count = 0;

    void break_barrier() {
        state = Broken;
        changed.notify_all();
    }
};

} // namespace detail

using detail::Clock;

// ---- Lock -------------------------------------------------------------------------------------------------

Lock::Lock()
    : state_(std::make_shared<detail::LockState>()) {}

bool Lock::acquire(bool block, std::optional<double> timeout) {
    return state_->acquire(detail::LockWait::checked(block, timeout));
}

void Lock::release() {
    state_->release();
}

bool Lock::locked() const {
    return state_->is_locked();
}

std::string Lock::repr() const {
    return std::string("<") + (locked() ? "locked" : "unlocked") + " _thread.lock object at " +
           detail::address_of(state_.get()) + ">";
}

Handle Lock::to_handle() const {
    return detail::pin("dummy.Lock", state_);
}

Lock Lock::from_handle(const Handle& handle) {
    return Lock(detail::unpin_as<detail::LockState>(handle, "dummy.Lock"));
}

// ---- RLock ------------------------------------------------------------------------------------------------

RLock::RLock()
    : state_(std::make_shared<detail::RLockState>()) {}

bool RLock::acquire(bool block, std::optional<double> timeout) {
    return state_->acquire(detail::LockWait::checked(block, timeout));
}

void RLock::release() {
    state_->release();
}

std::string RLock::repr() const {
    std::uint64_t owner = 0, count = 0;
    {
        std::lock_guard lock(state_->mutex);
        owner = state_->owner;
        count = state_->count;
    }
    return std::string("<") + (count ? "locked" : "unlocked") +
           " _thread.RLock object owner=" + std::to_string(owner) + " count=" + std::to_string(count) +
           " at " + detail::address_of(state_.get()) + ">";
}

Handle RLock::to_handle() const {
    return detail::pin("dummy.RLock", state_, "_thread.RLock");
}

RLock RLock::from_handle(const Handle& handle) {
    return RLock(detail::unpin_as<detail::RLockState>(handle, "dummy.RLock"));
}

// ---- Semaphore, BoundedSemaphore --------------------------------------------------------------------------

Semaphore::Semaphore(std::int64_t value)
    : state_(std::make_shared<detail::SemaphoreState>()) {
    if (value < 0) throw ValueError("semaphore initial value must be >= 0");
    state_->value = value;
}

Semaphore::Semaphore(Bounded, std::int64_t value)
    : Semaphore(value) {
    state_->bound = value;
}

bool Semaphore::acquire(bool block, std::optional<double> timeout) {
    if (!block && timeout) throw ValueError("can't specify timeout for non-blocking acquire");
    auto& s = *state_;
    std::unique_lock lock(s.mutex);
    auto available = [&] { return s.value > 0; };
    if (!available()) {
        if (!block) return false;
        if (!detail::wait_until(s.available, lock, detail::deadline_after(timeout), available)) return false;
    }
    --s.value;
    return true;
}

void Semaphore::release(std::int64_t n) {
    if (n < 1) throw ValueError("n must be one or more");
    auto& s = *state_;
    {
        std::lock_guard lock(s.mutex);
        if (s.bound && s.value + n > *s.bound) throw ValueError("Semaphore released too many times");
        s.value += n;
    }
    for (std::int64_t i = 0; i < n; ++i)
        s.available.notify_one();
}

std::string Semaphore::repr() const {
    std::lock_guard lock(state_->mutex);
    const auto& s = *state_;
    std::string text = std::string("<threading.") + (s.bound ? "BoundedSemaphore" : "Semaphore") + " at " +
                       detail::address_of(&s) + ": value=" + std::to_string(s.value);
    if (s.bound) text.append("/").append(std::to_string(*s.bound)); // not "/" + ...: GCC 12 -Wrestrict
    return text + ">";
}

Handle Semaphore::to_handle() const {
    return detail::pin("dummy.Semaphore", state_);
}

Semaphore Semaphore::from_handle(const Handle& handle) {
    return Semaphore(detail::unpin_as<detail::SemaphoreState>(handle, "dummy.Semaphore"));
}

BoundedSemaphore::BoundedSemaphore(std::int64_t value)
    : Semaphore(Bounded{}, value) {}

Handle BoundedSemaphore::to_handle() const {
    return detail::pin("dummy.BoundedSemaphore", state_);
}

BoundedSemaphore BoundedSemaphore::from_handle(const Handle& handle) {
    return BoundedSemaphore(detail::unpin_as<detail::SemaphoreState>(handle, "dummy.BoundedSemaphore"));
}

// ---- Condition --------------------------------------------------------------------------------------------

Condition::Condition()
    : Condition(RLock()) {}

Condition::Condition(Lock lock)
    : state_(std::make_shared<detail::ConditionState>(std::move(lock))) {}

Condition::Condition(RLock lock)
    : state_(std::make_shared<detail::ConditionState>(std::move(lock))) {}

bool Condition::acquire(bool block, std::optional<double> timeout) {
    return std::visit([&](auto& l) { return l.acquire(block, timeout); }, state_->lock);
}

void Condition::release() {
    std::visit([](auto& l) { l.release(); }, state_->lock);
}

bool Condition::wait(std::optional<double> timeout) {
    auto& s = *state_;
    if (!s.is_owned()) throw RuntimeError("cannot wait on un-acquired lock");
    const auto deadline = detail::deadline_after(timeout);
    auto waiter = std::make_shared<detail::ConditionState::Waiter>();
    {
        std::lock_guard lock(s.mutex);
        s.waiters.push_back(waiter);
    }
    const std::uint64_t depth = s.release_save();
    bool notified = false;
    {
        std::unique_lock lock(s.mutex);
        notified = detail::wait_until(s.woken, lock, deadline, [&] { return waiter->notified; });
        if (!notified) std::erase(s.waiters, waiter);
    }
    s.acquire_restore(depth);
    return notified;
}

void Condition::notify(std::int64_t n) {
    auto& s = *state_;
    if (!s.is_owned()) throw RuntimeError("cannot notify on un-acquired lock");
    {
        std::lock_guard lock(s.mutex);
        for (; n > 0 && !s.waiters.empty(); --n) {
            s.waiters.front()->notified = true;
            s.waiters.pop_front();
        }
    }
    s.woken.notify_all();
}

void Condition::notify_all() {
    std::int64_t n = 0;
    {
        std::lock_guard lock(state_->mutex);
        n = static_cast<std::int64_t>(state_->waiters.size());
    }
    notify(n);
}

Condition::LockType Condition::get_lock() const {
    return state_->lock;
}

std::string Condition::repr() const {
    const std::string lock = std::visit([](const auto& l) { return l.repr(); }, state_->lock);
    std::lock_guard guard(state_->mutex);
    return "<Condition(" + lock + ", " + std::to_string(state_->waiters.size()) + ")>";
}

Handle Condition::to_handle() const {
    // CPython's pickling fails on the condition's lock first.
    const bool rlock = std::holds_alternative<RLock>(state_->lock);
    return detail::pin("dummy.Condition", state_, rlock ? "_thread.RLock" : "_thread.lock");
}

Condition Condition::from_handle(const Handle& handle) {
    return Condition(detail::unpin_as<detail::ConditionState>(handle, "dummy.Condition"));
}

// ---- Event ------------------------------------------------------------------------------------------------

Event::Event()
    : state_(std::make_shared<detail::EventState>()) {}

bool Event::is_set() const {
    std::lock_guard lock(state_->mutex);
    return state_->flag;
}

void Event::set() {
    {
        std::lock_guard lock(state_->mutex);
        state_->flag = true;
        ++state_->sets;
    }
    state_->changed.notify_all();
}

void Event::clear() {
    std::lock_guard lock(state_->mutex);
    state_->flag = false;
}

bool Event::wait(std::optional<double> timeout) {
    auto& s = *state_;
    std::unique_lock lock(s.mutex);
    if (s.flag) return true;
    const std::uint64_t sets = s.sets;
    return detail::wait_until(s.changed, lock, detail::deadline_after(timeout),
                              [&] { return s.sets != sets; });
}

std::string Event::repr() const {
    return "<threading.Event at " + detail::address_of(state_.get()) + ": " + (is_set() ? "set" : "unset") +
           ">";
}

Handle Event::to_handle() const {
    return detail::pin("dummy.Event", state_);
}

Event Event::from_handle(const Handle& handle) {
    return Event(detail::unpin_as<detail::EventState>(handle, "dummy.Event"));
}

// ---- Barrier: threading.Barrier's algorithm ---------------------------------------------------------------

Barrier::Barrier(std::int64_t parties, Target action, std::optional<double> timeout)
    : state_(std::make_shared<detail::BarrierState>()) {
    state_->parties = parties;
    state_->action = std::move(action);
    state_->timeout = timeout;
}

std::int64_t Barrier::wait(std::optional<double> timeout) {
    using S = detail::BarrierState;
    auto& s = *state_;
    if (!timeout) timeout = s.timeout;
    std::unique_lock lock(s.mutex);
    // Arrivals wait while the previous round drains or resets.
    s.changed.wait(lock, [&] { return s.state != S::Draining && s.state != S::Resetting; });
    if (s.state < 0) throw BrokenBarrierError("");
    const std::int64_t index = s.count++;
    struct Leave { // Barrier._exit, however this call ends
        S& s;
        ~Leave() {
            if (--s.count == 0 && (s.state == S::Draining || s.state == S::Resetting)) {
                s.state = S::Filling;
                s.changed.notify_all();
            }
        }
    } leave{s};
    if (index + 1 == s.parties) {
        try {
            if (s.action) s.action(Object::tuple(), Object::dict());
            s.state = S::Draining;
            s.changed.notify_all();
        } catch (...) {
            s.break_barrier();
            throw;
        }
        return index;
    }
    if (!detail::wait_until(s.changed, lock, detail::deadline_after(timeout),
                            [&] { return s.state != S::Filling; })) {
        s.break_barrier();
        throw BrokenBarrierError("");
    }
    if (s.state < 0) throw BrokenBarrierError("");
    return index;
}

void Barrier::reset() {
    using S = detail::BarrierState;
    auto& s = *state_;
    std::lock_guard lock(s.mutex);
    if (s.count > 0) {
        if (s.state == S::Filling || s.state == S::Broken) s.state = S::Resetting;
    } else {
        s.state = S::Filling;
    }
    s.changed.notify_all();
}

void Barrier::abort() {
    std::lock_guard lock(state_->mutex);
    state_->break_barrier();
}

std::int64_t Barrier::parties() const {
    return state_->parties;
}

std::int64_t Barrier::n_waiting() const {
    std::lock_guard lock(state_->mutex);
    return state_->state == detail::BarrierState::Filling ? state_->count : 0;
}

bool Barrier::broken() const {
    std::lock_guard lock(state_->mutex);
    return state_->state == detail::BarrierState::Broken;
}

std::string Barrier::repr() const {
    const std::string head = "<threading.Barrier at " + detail::address_of(state_.get()) + ":";
    if (broken()) return head + " broken>";
    return head + " waiters=" + std::to_string(n_waiting()) + "/" + std::to_string(parties()) + ">";
}

Handle Barrier::to_handle() const {
    return detail::pin("dummy.Barrier", state_);
}

Barrier Barrier::from_handle(const Handle& handle) {
    return Barrier(detail::unpin_as<detail::BarrierState>(handle, "dummy.Barrier"));
}

} // namespace mp::dummy
