// Event (SPEC §7): a shared flag plus a generation word that set() bumps, so a waiter woken by set()
// returns even when clear() follows at once, and then reports the flag as it is (Python's wait() does).
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
    return ref().slot().state.event.flag.load(std::memory_order_acquire) != 0;
}

void Event::set() {
    sc::ObjectRef& r = ref();
    sc::gate(sc::Op::EventSet, r.serial());
    auto& st = r.slot().state.event;
    st.flag.store(1);
    st.generation.fetch_add(1);
    if (st.waiters.load() != 0) detail::futex_wake_all(st.generation);
    r.count_op();
    if (sc::observing()) sc::record(sc::Op::EventSet, r.serial(), 1);
}

void Event::clear() {
    sc::ObjectRef& r = ref();
    sc::gate(sc::Op::EventClear, r.serial());
    r.slot().state.event.flag.store(0);
    r.count_op();
    if (sc::observing()) sc::record(sc::Op::EventClear, r.serial(), 0);
}

bool Event::wait(std::optional<double> timeout) {
    sc::ObjectRef& r = ref();
    sc::gate(sc::Op::EventWait, r.serial());
    auto& st = r.slot().state.event;
    r.count_op();
    if (st.flag.load() != 0) return true;
    const auto deadline = detail::deadline_after(timeout);
    bool result = false;
    {
        sc::WaitScope waiting(sc::Op::EventWait, r.serial(), 0, deadline);
        st.waiters.fetch_add(1);
        const std::uint32_t generation = st.generation.load();
        for (;;) {
            if (st.flag.load() != 0) {
                result = true;
                break;
            }
            if (st.generation.load() != generation) {
                result = st.flag.load() != 0;
                break;
            }
            if (deadline && detail::monotonic_ns() >= *deadline) {
                result = st.flag.load() != 0;
                break;
            }
            detail::futex_wait(st.generation, generation, deadline);
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
