// Barrier (SPEC §7): threading.Barrier's algorithm over state in the session arena. A robust mutex guards
// the state (a party killed inside the critical section cannot wedge the rest) and a sequence word plays
// the condition variable: waiters sleep on it, every state change bumps it and wakes them all.
#include "arena.hpp"
#include "futex.hpp"
#include "process_internal.hpp"
#include "synchronize_internal.hpp"

#include "mp/synchronize.hpp"

#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

namespace mp {

namespace sc = detail::scope;

namespace {

constexpr std::int32_t kFilling = 0, kDraining = 1, kResetting = -1, kBroken = -2;

// Actions of the Barriers this process created (or inherited by fork): under fork any callable works,
// like a Process target; spawn and forkserver children find registered tasks by name.
struct BarrierActions {
    std::mutex mutex;
    std::map<std::uint32_t, Target> by_serial;
};
BarrierActions& barrier_actions() {
    static BarrierActions instance;
    return instance;
}

} // namespace

void detail::construct_barrier_actions() {
    (void)barrier_actions();
}

namespace {

void check_barrier(const Handle& h, std::string_view method) {
    detail::sync::check_fork_context(h, method);
    if (method == "fork" || h.ints.size() < 2) return;
    std::lock_guard lock(barrier_actions().mutex);
    auto it = barrier_actions().by_serial.find(static_cast<std::uint32_t>(h.ints[1]));
    if (it != barrier_actions().by_serial.end() && it->second && !it->second.task_name())
        throw PicklingError("Can't pickle the Barrier's action " + it->second.description() +
                            ": spawn and forkserver children find it by name; register it with MP_TASK");
}

const bool barrier_check_registered = [] {
    register_handle_check("Barrier", check_barrier);
    return true;
}();

// The barrier's lock and condition: the robust mutex plus the sequence word.
class Guard {
public:
    explicit Guard(sc::BarrierState& st)
        : st_(st)
        , lock_(std::in_place, st.mutex) {}

    // Condition.wait(): releases the mutex until a notify or the deadline.
    void wait(std::optional<std::int64_t> deadline) {
        std::uint32_t seq = st_.seq.load();
        lock_.reset();
        // The other parties usually arrive within microseconds: spin before the futex sleep (see Event).
        if (!detail::spin_until([&] { return st_.seq.load(std::memory_order_acquire) != seq; }))
            detail::futex_wait(st_.seq, seq, deadline);
        lock_.emplace(st_.mutex);
    }
    void notify_all() {
        st_.seq.fetch_add(1);
        detail::futex_wake_all(st_.seq);
    }
    // Condition.wait_for(state != filling, deadline): false on timeout.
    bool wait_until_released(std::optional<std::int64_t> deadline) {
        while (st_.state.load() == kFilling) {
            if (deadline && detail::monotonic_ns() >= *deadline) return false;
            wait(deadline);
        }
        return true;
    }

private:
    sc::BarrierState& st_;
    std::optional<detail::RobustLock> lock_;
};

void break_barrier(sc::BarrierState& st, Guard& guard) {
    st.state.store(kBroken);
    guard.notify_all();
}

std::uint32_t checked_parties(std::int64_t parties) {
    // Python 3.11 does not check parties (a quirk); a barrier nobody can pass is refused here.
    if (parties < 1) throw ValueError("parties must be at least 1");
    if (parties > 0x7fffffff) throw OverflowError("too many parties");
    return static_cast<std::uint32_t>(parties);
}

std::shared_ptr<sc::ObjectRef> make_barrier(const Context* ctx, std::int64_t parties, const Target& action,
                                            std::optional<double> timeout) {
    const std::uint32_t n = checked_parties(parties);
    std::string task = action ? action.task_name().value_or("") : "";
    auto ref = sc::create_object(
        sc::ObjectKind::Barrier, detail::sync::context_flags(ctx), [&](sc::ObjectSlot& slot) {
            auto& st = slot.state.barrier;
            detail::init_robust_mutex(st.mutex);
            st.parties.store(n, std::memory_order_relaxed);
            st.default_timeout_ns.store(timeout ? static_cast<std::int64_t>(std::max(0.0, *timeout) * 1e9)
                                                : -1,
                                        std::memory_order_relaxed);
            std::strncpy(st.action, task.c_str(), sizeof st.action - 1);
        });
    if (action) {
        std::lock_guard lock(barrier_actions().mutex);
        barrier_actions().by_serial[ref->serial()] = action;
    }
    return ref;
}

} // namespace

Barrier::Barrier(std::int64_t parties, Target action, std::optional<double> timeout)
    : SharedObject(make_barrier(nullptr, parties, action, timeout))
    , action_(std::move(action)) {}

Barrier::Barrier(const Context& ctx, std::int64_t parties, Target action, std::optional<double> timeout)
    : SharedObject(make_barrier(&ctx, parties, action, timeout))
    , action_(std::move(action)) {}

std::int64_t Barrier::wait(std::optional<double> timeout) {
    sc::ObjectRef& r = ref();
    sc::gate(sc::Op::BarrierWait, r.serial());
    auto& st = r.slot().state.barrier;
    r.count_op();
    if (!timeout) {
        std::int64_t t = st.default_timeout_ns.load(std::memory_order_relaxed);
        if (t >= 0) timeout = static_cast<double>(t) / 1e9;
    }
    const auto deadline = detail::deadline_after(timeout);
    sc::WaitScope waiting(sc::Op::BarrierWait, r.serial(), 0, deadline);
    Guard guard(st);
    // Block while the previous cycle drains or a reset completes.
    while (st.state.load() == kDraining || st.state.load() == kResetting)
        guard.wait(std::nullopt);
    if (st.state.load() < 0) {
        if (sc::observing()) sc::record(sc::Op::BarrierWait, r.serial(), -1);
        throw BrokenBarrierError("");
    }
    const std::uint32_t index = st.count.fetch_add(1);
    struct Leave {
        sc::BarrierState& st;
        Guard& guard;
        ~Leave() {
            // The last one out lets the next cycle (or a pending reset) proceed.
            if (st.count.fetch_sub(1) == 1) {
                std::int32_t s = st.state.load();
                if (s == kResetting || s == kDraining) {
                    st.state.store(kFilling);
                    guard.notify_all();
                }
            }
        }
    } leave{st, guard};
    if (index + 1 == st.parties.load()) {
        try {
            if (action_) action_(Object::tuple(), Object::dict());
            st.state.store(kDraining);
            st.generation.fetch_add(1);
            guard.notify_all();
        } catch (...) {
            break_barrier(st, guard);
            throw;
        }
    } else {
        if (!guard.wait_until_released(deadline)) {
            break_barrier(st, guard);
            if (sc::observing()) sc::record(sc::Op::BarrierWait, r.serial(), -1);
            throw BrokenBarrierError("");
        }
        if (st.state.load() < 0) {
            if (sc::observing()) sc::record(sc::Op::BarrierWait, r.serial(), -1);
            throw BrokenBarrierError("");
        }
    }
    if (sc::observing()) sc::record(sc::Op::BarrierWait, r.serial(), static_cast<std::int32_t>(index));
    return index;
}

void Barrier::reset() {
    sc::ObjectRef& r = ref();
    sc::gate(sc::Op::BarrierReset, r.serial());
    auto& st = r.slot().state.barrier;
    Guard guard(st);
    if (st.count.load() > 0) {
        std::int32_t s = st.state.load();
        // Waiting parties are woken and get BrokenBarrierError; the last one out completes the reset.
        if (s == kFilling || s == kBroken) st.state.store(kResetting);
    } else {
        st.state.store(kFilling);
    }
    guard.notify_all();
    r.count_op();
    if (sc::observing()) sc::record(sc::Op::BarrierReset, r.serial(), 0);
}

void Barrier::abort() {
    sc::ObjectRef& r = ref();
    sc::gate(sc::Op::BarrierAbort, r.serial());
    auto& st = r.slot().state.barrier;
    Guard guard(st);
    break_barrier(st, guard);
    r.count_op();
    if (sc::observing()) sc::record(sc::Op::BarrierAbort, r.serial(), 0);
}

std::int64_t Barrier::parties() const {
    return ref().slot().state.barrier.parties.load(std::memory_order_relaxed);
}

std::int64_t Barrier::n_waiting() const {
    const auto& st = ref().slot().state.barrier;
    return st.state.load() == kFilling ? st.count.load() : 0;
}

bool Barrier::broken() const {
    return ref().slot().state.barrier.state.load() == kBroken;
}

std::string Barrier::repr() const {
    char address[32];
    std::snprintf(address, sizeof address, "%#llx",
                  static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(&ref().slot())));
    std::string head = std::string("<multiprocessing.synchronize.Barrier at ") + address + ": ";
    if (broken()) return head + "broken>";
    return head + "waiters=" + std::to_string(n_waiting()) + "/" + std::to_string(parties()) + ">";
}

Handle Barrier::to_handle() const {
    return make_handle("Barrier");
}

Barrier Barrier::from_handle(const Handle& handle) {
    auto ref = sc::object_from_handle(handle, sc::ObjectKind::Barrier, "Barrier");
    Target action;
    {
        std::lock_guard lock(barrier_actions().mutex);
        if (auto it = barrier_actions().by_serial.find(ref->serial());
            it != barrier_actions().by_serial.end())
            action = it->second;
    }
    if (!action) {
        const char* task = ref->slot().state.barrier.action;
        if (task[0] != '\0') {
            std::string name(task, strnlen(task, sizeof ref->slot().state.barrier.action));
            if (!find_task(name))
                throw AttributeError("Can't get task '" + name +
                                     "' in this program: register it with MP_TASK(" + name + ")");
            action = Target::task(name);
        }
    }
    return Barrier(std::move(ref), std::move(action));
}

} // namespace mp
