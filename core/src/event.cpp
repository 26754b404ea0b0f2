// Event (SPEC §7): one word holds the flag (bit 0) and how many times set() raised it (the rest), changed
// together, so a waiter woken by set() returns even when clear() follows at once, and then reports the flag
// as it is (Python's wait() does) - and a set() that began before a wait never passes for one during it.
#include "futex.hpp"
#include "synchronize_internal.hpp"

#include "mp/synchronize.hpp"

#include <cstdio>

namespace mp {

namespace sc = detail::scope;

Event::Event()
    : SharedObject(sc::create_object(sc::ObjectKind::Event, detail::sync::context_flags(nullptr),
                                     [](sc::ObjectSlot&) {})) {}

Event::Event(const Context& ctx)
    : SharedObject(sc::create_object(sc::ObjectKind::Event, detail::sync::context_flags(&ctx),
                                     [](sc::ObjectSlot&) {})) {}

bool Event::is_set() const {
    return (ref().slot().state.event.generation.load(std::memory_order_acquire) & 1) != 0;
}

void Event::set() {
    sc::ObjectRef& r = ref();
    sc::gate(sc::Op::EventSet, r.serial());
    auto& st = r.slot().state.event;
    std::uint32_t word = st.generation.load();
    while ((word & 1) == 0 && !st.generation.compare_exchange_weak(word, (word + 2) | 1)) {
    }
    if (st.waiters.load() != 0) detail::futex_wake_all(st.generation);
    r.count_op();
    if (sc::observing()) sc::record(sc::Op::EventSet, r.serial(), 1);
}

void Event::clear() {
    sc::ObjectRef& r = ref();
    sc::gate(sc::Op::EventClear, r.serial());
    auto& st = r.slot().state.event;
    st.generation.fetch_and(~std::uint32_t(1));
    r.count_op();
    if (sc::observing()) sc::record(sc::Op::EventClear, r.serial(), 0);
}

bool Event::wait(std::optional<double> timeout) {
    sc::ObjectRef& r = ref();
    sc::gate(sc::Op::EventWait, r.serial());
    auto& st = r.slot().state.event;
    r.count_op();
    const std::uint32_t seen = st.generation.load();
    if ((seen & 1) != 0) return true;
    const auto deadline = detail::deadline_after(timeout);
    bool result = false;
    // In a hand-off between processes the set() usually comes within microseconds: spinning that long
    // costs less than a futex sleep and wake-up (tens of microseconds on a virtual machine), and a waiter
    // that spins is no waiter set() has to wake.
    std::uint32_t changed = seen;
    if (!(timeout && *timeout <= 0) && detail::spin_until([&] {
            changed = st.generation.load(std::memory_order_acquire);
            return changed != seen;
        })) {
        result = (changed & 1) != 0;
    } else {
        sc::WaitScope waiting(sc::Op::EventWait, r.serial(), 0, deadline);
        st.waiters.fetch_add(1);
        for (;;) {
            const std::uint32_t word = st.generation.load();
            // Changed: set() raised the flag meanwhile; it may be down again (clear()), and then, as in
            // Python, the wait reports false.
            if (word != seen || (deadline && detail::monotonic_ns() >= *deadline)) {
                result = (word & 1) != 0;
                break;
            }
            detail::futex_wait(st.generation, seen, deadline);
        }
        st.waiters.fetch_sub(1);
    }
    if (sc::observing()) sc::record(sc::Op::EventWait, r.serial(), result ? 1 : 0);
    return result;
}

std::string Event::repr() const {
    char address[32];
    std::snprintf(address, sizeof address, "%#llx",
                  static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(&ref().slot())));
    return std::string("<Event at ") + address + (is_set() ? " set>" : " unset>");
}

Handle Event::to_handle() const {
    return make_handle("Event");
}

Event Event::from_handle(const Handle& handle) {
    return Event(sc::object_from_handle(handle, sc::ObjectKind::Event, "Event"));
}

} // namespace mp
