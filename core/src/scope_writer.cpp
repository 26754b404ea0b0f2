// Writer side of the observation plane (scope_writer.hpp).
#include "scope_writer.hpp"

#include "asymmetric_fence.hpp"
#include "futex.hpp"
#include "proc_stat.hpp"
#include "process_internal.hpp"
#include "resource_tracker.hpp"

#include "mp/errors.hpp"
#include "mp/process.hpp"
#include "mp/scope/observe.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <new>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <unordered_map>

namespace mp::detail::scope {

namespace state {
Segment* segment = nullptr;
std::uint32_t self = 0;
ProcessSlot* self_slot = nullptr;
std::uint32_t fork_generation = 1;
} // namespace state

namespace {

// Everything else the writer keeps per process.
struct Writer {
    std::mutex mutex;               // session creation and attaching
    std::unique_ptr<Segment> owned; // the mapping behind state::segment
    std::string inherited_session;  // a child's session name, before it attaches
    std::mutex park_mutex;          // one parked thread per process at a time
    std::atomic<std::uint32_t> next_thread_token{2};
    std::mutex registry_mutex;
    struct LocalEntry {
        std::uint32_t serial = 0;
        std::uint32_t count = 0;
    };
    std::unordered_map<std::uint32_t, LocalEntry> registry; // object index -> references in this process
    std::array<ObjectFinalizer, static_cast<std::size_t>(ObjectKind::Count)> finalizers{};
    bool inherited_references = false; // a fork child that has not yet joined its objects' user lists
};

// Never destroyed: exit handlers, thread-exit hooks and other threads may still record into the mapping
// while static destructors run, and the kernel unmaps it at exit anyway.
template <class T> class Immortal {
public:
    Immortal() { std::construct_at(reinterpret_cast<T*>(storage_)); }
    T& get() noexcept { return *std::launder(reinterpret_cast<T*>(storage_)); }

private:
    alignas(T) unsigned char storage_[sizeof(T)];
};

Writer& writer() {
    static Immortal<Writer> instance;
    return instance.get();
}

// Created when a thread first claims a wait record: gives the record back when the thread ends.
struct WaitRecordReturn {
    ~WaitRecordReturn() {
        const ThreadIdentity& t = this_thread;
        if (t.wait_record >= 0 && t.record_generation == state::fork_generation && state::self_slot) {
            WaitRecord& r = state::self_slot->waits[t.wait_record];
            r.op.store(0, std::memory_order_relaxed);
            r.thread.store(0, std::memory_order_release);
        }
    }
};

} // namespace

constinit thread_local ThreadIdentity this_thread;

ThreadIdentity& refresh_identity() noexcept {
    ThreadIdentity& t = this_thread;
    t.generation = state::fork_generation;
    t.tid = static_cast<std::uint32_t>(::syscall(SYS_gettid));
    t.main = t.tid == static_cast<std::uint32_t>(::getpid());
    t.token = t.main ? 1 : writer().next_thread_token.fetch_add(1, std::memory_order_relaxed);
    t.wait_record = -1;
    return t;
}

namespace {

void copy_name(char* dest, std::size_t size, std::string_view text) {
    std::size_t n = std::min(size - 1, text.size());
    std::memcpy(dest, text.data(), n);
    std::memset(dest + n, 0, size - n);
}

// Seqlock writers for metadata several fields long.
struct SeqWrite {
    explicit SeqWrite(U32& seq) noexcept
        : seq_(seq) {
        seq_.fetch_add(1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
    }
    ~SeqWrite() { seq_.fetch_add(1, std::memory_order_release); }
    SeqWrite(const SeqWrite&) = delete;
    SeqWrite& operator=(const SeqWrite&) = delete;
    U32& seq_;
};

std::string random_suffix() {
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char bytes[8];
    if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
        for (auto& b : bytes)
            b = static_cast<unsigned char>(std::rand());
    std::string out;
    for (unsigned char b : bytes)
        out += alphabet[b % (sizeof alphabet - 1)];
    return out;
}

ObserveLevel level_from_environment() {
    const char* text = std::getenv("MPSCOPE_OBSERVE");
    if (!text || !*text) return ObserveLevel::Basic;
    std::string_view v(text);
    if (v == "off" || v == "0") return ObserveLevel::Off;
    if (v == "basic" || v == "1") return ObserveLevel::Basic;
    if (v == "full" || v == "2") return ObserveLevel::Full;
    throw ValueError("MPSCOPE_OBSERVE must be off, basic or full, not '" + std::string(v) + "'");
}

ProcessSlot* slot_of(Segment& s, std::uint32_t serial) noexcept {
    if (serial == 0) return nullptr;
    ProcessSlot& slot = s.process_at(serial % s.process_capacity());
    return slot.serial.load(std::memory_order_acquire) == serial ? &slot : nullptr;
}

bool final_state(std::uint32_t st) noexcept {
    auto s = static_cast<ProcState>(st);
    return s == ProcState::Exited || s == ProcState::Killed || s == ProcState::Vanished;
}

// Claims a process row: serial S lives in row S % capacity, so lookups need no search. A row still used
// by a live process is skipped (its serial is simply not handed out).
std::pair<std::uint32_t, ProcessSlot*> claim_process_row(Segment& s) noexcept {
    Header& h = s.header();
    for (std::uint32_t attempt = 0; attempt < s.process_capacity(); ++attempt) {
        std::uint32_t serial = h.next_process_serial.fetch_add(1, std::memory_order_relaxed);
        if (serial == 0) continue;
        ProcessSlot& slot = s.process_at(serial % s.process_capacity());
        std::uint32_t old = slot.serial.load(std::memory_order_acquire);
        if (old != 0 && !final_state(slot.state.load(std::memory_order_acquire))) continue;
        if (!slot.serial.compare_exchange_strong(old, serial, std::memory_order_acq_rel)) continue;
        slot.state.store(static_cast<std::uint32_t>(ProcState::Starting), std::memory_order_relaxed);
        slot.pid.store(0, std::memory_order_relaxed);
        slot.exit_code.store(0, std::memory_order_relaxed);
        slot.parent.store(0, std::memory_order_relaxed);
        slot.flags.store(0, std::memory_order_relaxed);
        slot.created_ns.store(monotonic_ns(), std::memory_order_relaxed);
        slot.started_ns.store(0, std::memory_order_relaxed);
        slot.ended_ns.store(0, std::memory_order_relaxed);
        slot.start_ticks.store(0, std::memory_order_relaxed);
        slot.park_op.store(0, std::memory_order_relaxed);
        for (auto& w : slot.waits) {
            w.op.store(0, std::memory_order_relaxed);
            w.thread.store(0, std::memory_order_relaxed);
        }
        return {serial, &slot};
    }
    return {0, nullptr};
}

void write_process_meta(ProcessSlot& slot, std::string_view name, std::string_view method,
                        std::string_view target) noexcept {
    SeqWrite w(slot.meta_seq);
    copy_name(slot.name, sizeof slot.name, name);
    copy_name(slot.method, sizeof slot.method, method);
    copy_name(slot.target, sizeof slot.target, target);
}

// This process takes row `slot` as its own: pid, Running, and the start time when nobody else records it
// (a started child's parent reads it in child_launched, off the child's way to its target).
void become(Segment& s, std::uint32_t serial, ProcessSlot* slot, bool record_start_time) noexcept {
    state::segment = &s;
    state::self = serial;
    state::self_slot = slot;
    fence::register_process(); // before this process's first Lock release
    if (!slot) return;
    int pid = static_cast<int>(::getpid());
    slot->pid.store(pid, std::memory_order_relaxed);
    if (record_start_time)
        if (auto st = read_proc_stat(pid))
            slot->start_ticks.store(st->start_ticks, std::memory_order_relaxed);
    slot->started_ns.store(monotonic_ns(), std::memory_order_relaxed);
    slot->state.store(static_cast<std::uint32_t>(ProcState::Running), std::memory_order_release);
    record(Op::ProcessStarted, 0, pid);
}

void add_user(ObjectSlot& slot, std::uint32_t process) noexcept {
    if (process == 0) return;
    for (auto& u : slot.users)
        if (u.load(std::memory_order_relaxed) == process) return;
    for (auto& u : slot.users) {
        std::uint32_t cur = u.load(std::memory_order_relaxed);
        // An entry of a process that ended may be reused.
        if (cur != 0 && !process_dead(cur)) continue;
        if (u.compare_exchange_strong(cur, process, std::memory_order_relaxed)) return;
    }
    slot.users_overflow.store(1, std::memory_order_relaxed);
}

void free_object_row(Segment& s, std::uint32_t index) noexcept {
    ObjectSlot& slot = s.object_at(index);
    auto kind = static_cast<ObjectKind>(slot.kind.load(std::memory_order_relaxed));
    std::uint32_t serial = slot.serial.load(std::memory_order_relaxed);
    if (auto fin = writer().finalizers[static_cast<std::size_t>(kind)]) fin(s, slot);
    record(Op::ObjectFreed, serial, 0);
    {
        SeqWrite w(slot.meta_seq);
        slot.kind.store(0, std::memory_order_relaxed);
        slot.name[0] = '\0';
    }
    slot.serial.store(0, std::memory_order_release);
}

void local_acquire(Segment& s, std::uint32_t index, std::uint32_t serial, bool counted_already) {
    Writer& w = writer();
    std::lock_guard lock(w.registry_mutex);
    auto& e = w.registry[index];
    if (e.count++ == 0) {
        e.serial = serial;
        ObjectSlot& slot = s.object_at(index);
        if (!counted_already) slot.refs.fetch_add(1, std::memory_order_relaxed);
        if (observing()) add_user(slot, state::self);
    }
}

void local_release(Segment& s, std::uint32_t index) noexcept {
    Writer& w = writer();
    bool last = false;
    {
        std::lock_guard lock(w.registry_mutex);
        auto it = w.registry.find(index);
        if (it == w.registry.end()) return;
        if (--it->second.count == 0) {
            w.registry.erase(it);
            last = true;
        }
    }
    if (last) drop_reference(s, index);
}

} // namespace

// ---- session -------------------------------------------------------------------------------------------

Segment& ensure_session() {
    if (Segment* s = state::segment) return *s;
    Writer& w = writer();
    std::lock_guard lock(w.mutex);
    if (state::segment) return *state::segment;
    if (!w.inherited_session.empty()) {
        w.owned = Segment::open(w.inherited_session);
        state::segment = w.owned.get();
        return *state::segment;
    }
    ObserveLevel lvl = level_from_environment();
    ArenaSizes sizes = ArenaSizes::from_environment();
    // The tracker first (it forks, and so copies less), then the segment it removes once every process
    // of the session is gone - also after kill -9.
    resource_tracker::ensure_running();
    std::unique_ptr<Segment> seg;
    for (int attempt = 0; !seg; ++attempt) {
        std::string name = "mpscope-" + std::to_string(::getpid()) + "-" + random_suffix();
        try {
            seg = Segment::create(name, sizes);
        } catch (const SystemError& e) {
            if (e.error_code() != EEXIST || attempt >= 100) throw;
        }
    }
    try {
        resource_tracker::register_resource("/" + seg->name(), "session");
    } catch (...) {
        ::shm_unlink(("/" + seg->name()).c_str());
        throw;
    }
    seg->header().observe_level.store(static_cast<std::uint32_t>(lvl), std::memory_order_relaxed);
    w.owned = std::move(seg);
    Segment& s = *w.owned;
    auto [serial, slot] = claim_process_row(s);
    if (slot) {
        std::uint32_t parent = 0;
        write_process_meta(*slot, current_process().name(), "", "");
        slot->parent.store(parent, std::memory_order_relaxed);
        slot->flags.store(kProcMain, std::memory_order_relaxed);
    }
    become(s, serial, slot, true);
    return s;
}

Segment* try_ensure_session() noexcept {
    try {
        return &ensure_session();
    } catch (...) {
        return nullptr;
    }
}

Segment& session_for(const std::string& name) {
    Segment* s = state::segment;
    if (!s) {
        Writer& w = writer();
        std::unique_lock lock(w.mutex);
        if (!state::segment) {
            if (w.inherited_session.empty() || w.inherited_session == name) {
                w.inherited_session = name;
                lock.unlock();
                return ensure_session();
            }
        }
        s = state::segment ? state::segment : nullptr;
        if (!s)
            throw ValueError("the object belongs to session '" + name + "', not to this process's session '" +
                             w.inherited_session + "'");
    }
    if (s->name() != name)
        throw ValueError("the object belongs to session '" + name + "', not to this process's session '" +
                         s->name() + "': shared objects only work between processes of one program run");
    return *s;
}

// ---- threads -------------------------------------------------------------------------------------------

void mark_internal_thread() noexcept {
    identity().internal = true;
}

// ---- events --------------------------------------------------------------------------------------------

void record_for(std::uint32_t process, Op op, std::uint32_t object, std::int32_t arg) noexcept {
    Segment* s = state::segment;
    if (!s) return;
    const ThreadIdentity& me = identity();
    if (me.composite_op != Op::None && object != me.composite_object) return; // a part's own event
    Header& h = s->header();
    std::uint64_t seq = h.event_head.fetch_add(1, std::memory_order_relaxed);
    EventRecord& r = s->event_at(seq);
    r.stamp.store(2 * seq + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    r.time_ns.store(monotonic_ns(), std::memory_order_relaxed);
    r.process.store(process, std::memory_order_relaxed);
    r.object.store(object, std::memory_order_relaxed);
    r.op.store(static_cast<std::uint16_t>(op), std::memory_order_relaxed);
    r.thread.store(static_cast<std::uint16_t>(identity().token), std::memory_order_relaxed);
    r.arg.store(arg, std::memory_order_relaxed);
    r.stamp.store(2 * seq + 2, std::memory_order_release);
}

void record(Op op, std::uint32_t object, std::int32_t arg) noexcept {
    record_for(state::self, op, object, arg);
}

// ---- step mode -----------------------------------------------------------------------------------------

void park(Op op, std::uint32_t object) noexcept {
    Segment* s = state::segment;
    ProcessSlot* slot = state::self_slot;
    ThreadIdentity& me = identity();
    if (!s || !slot || me.internal || me.composite_op != Op::None) return;
    Header& h = s->header();
    std::lock_guard lock(writer().park_mutex);
    std::uint32_t ticket = slot->park_ticket.load(std::memory_order_acquire);
    {
        SeqWrite w(slot->park_seq);
        slot->park_object.store(object, std::memory_order_relaxed);
        slot->park_thread.store(me.token, std::memory_order_relaxed);
        slot->park_op.store(static_cast<std::uint32_t>(op), std::memory_order_relaxed);
    }
    record(Op::Park, object, static_cast<std::int32_t>(op));
    h.park_seq.fetch_add(1, std::memory_order_release);
    futex_wake_all(h.park_seq);
    while (h.step_mode.load(std::memory_order_acquire) != 0 &&
           slot->park_ticket.load(std::memory_order_acquire) == ticket)
        futex_wait(slot->park_ticket, ticket, monotonic_ns() + 100'000'000);
    {
        SeqWrite w(slot->park_seq);
        slot->park_op.store(0, std::memory_order_relaxed);
    }
    record(Op::Unpark, object, static_cast<std::int32_t>(op));
    h.park_seq.fetch_add(1, std::memory_order_release);
    futex_wake_all(h.park_seq);
}

// ---- waits ---------------------------------------------------------------------------------------------

WaitScope::WaitScope(Op op, std::uint32_t object, std::uint32_t target,
                     std::optional<std::int64_t> deadline_ns) noexcept {
    ProcessSlot* slot = state::self_slot;
    if (!slot || !observing()) return;
    ThreadIdentity& me = identity();
    if (me.wait_record < 0 || me.record_generation != state::fork_generation) {
        me.wait_record = -1;
        for (int i = 0; i < kWaitRecords; ++i) {
            std::uint32_t expected = 0;
            if (slot->waits[i].thread.compare_exchange_strong(expected, me.token,
                                                              std::memory_order_acq_rel)) {
                me.wait_record = i;
                me.record_generation = state::fork_generation;
                thread_local WaitRecordReturn give_back;
                (void)give_back;
                break;
            }
        }
        if (me.wait_record < 0) return; // more blocked threads than records: this one goes unrecorded
    }
    WaitRecord& r = slot->waits[me.wait_record];
    if (me.composite_op != Op::None) {
        // Inside a composite operation the thread waits for the composite object, not for its parts.
        op = me.composite_op;
        object = me.composite_object;
    }
    if (r.op.load(std::memory_order_relaxed) != 0) {
        outer_ =
            Saved{r.op.load(std::memory_order_relaxed),       r.object.load(std::memory_order_relaxed),
                  r.target.load(std::memory_order_relaxed),   r.flags.load(std::memory_order_relaxed),
                  r.since_ns.load(std::memory_order_relaxed), r.deadline_ns.load(std::memory_order_relaxed)};
    }
    {
        SeqWrite w(r.seq);
        r.object.store(object, std::memory_order_relaxed);
        r.target.store(target, std::memory_order_relaxed);
        r.flags.store((me.main ? kWaitMainThread : 0) | (me.internal ? kWaitInternal : 0) |
                          (deadline_ns ? kWaitTimed : 0),
                      std::memory_order_relaxed);
        r.since_ns.store(monotonic_ns(), std::memory_order_relaxed);
        r.deadline_ns.store(deadline_ns.value_or(0), std::memory_order_relaxed);
        r.op.store(static_cast<std::uint32_t>(op), std::memory_order_relaxed);
    }
    record_ = &r;
}

WaitScope::~WaitScope() {
    if (!record_) return;
    SeqWrite w(record_->seq);
    if (!outer_) {
        record_->op.store(0, std::memory_order_relaxed);
        return;
    }
    // A nested wait ended: the thread waits for what it waited for before.
    record_->object.store(outer_->object, std::memory_order_relaxed);
    record_->target.store(outer_->target, std::memory_order_relaxed);
    record_->flags.store(outer_->flags, std::memory_order_relaxed);
    record_->since_ns.store(outer_->since_ns, std::memory_order_relaxed);
    record_->deadline_ns.store(outer_->deadline_ns, std::memory_order_relaxed);
    record_->op.store(outer_->op, std::memory_order_relaxed);
}

CompositeScope::CompositeScope(Op op, std::uint32_t object) noexcept {
    gate(op, object);
    ThreadIdentity& me = identity();
    outer_op_ = me.composite_op;
    outer_object_ = me.composite_object;
    if (outer_op_ == Op::None) {
        me.composite_op = op;
        me.composite_object = object;
    }
}

CompositeScope::~CompositeScope() {
    ThreadIdentity& me = identity();
    me.composite_op = outer_op_;
    me.composite_object = outer_object_;
}

// ---- processes -----------------------------------------------------------------------------------------

std::uint32_t register_child(std::string_view name, std::string_view method, std::string_view target,
                             bool daemon) noexcept {
    Segment* s = try_ensure_session();
    if (!s) return 0;
    auto [serial, slot] = claim_process_row(*s);
    if (!slot) return 0;
    write_process_meta(*slot, name, method, target);
    slot->parent.store(state::self, std::memory_order_relaxed);
    slot->flags.store(daemon ? kProcDaemon : 0, std::memory_order_relaxed);
    record_for(serial, Op::ProcessCreated, 0, 0);
    return serial;
}

void child_launched(std::uint32_t serial, int pid) noexcept {
    Segment* s = state::segment;
    if (!s) return;
    if (ProcessSlot* slot = slot_of(*s, serial)) {
        int expected = 0;
        slot->pid.compare_exchange_strong(expected, pid, std::memory_order_relaxed);
        if (slot->start_ticks.load(std::memory_order_relaxed) == 0)
            if (auto st = read_proc_stat(pid)) {
                std::uint64_t zero = 0;
                slot->start_ticks.compare_exchange_strong(zero, st->start_ticks, std::memory_order_relaxed);
            }
    }
}

void child_launch_failed(std::uint32_t serial) noexcept {
    Segment* s = state::segment;
    if (!s) return;
    if (ProcessSlot* slot = slot_of(*s, serial)) {
        slot->state.store(static_cast<std::uint32_t>(ProcState::Vanished), std::memory_order_release);
        slot->ended_ns.store(monotonic_ns(), std::memory_order_relaxed);
    }
}

void process_ended(std::uint32_t serial, int exitcode) noexcept {
    Segment* s = state::segment;
    if (!s) return;
    ProcessSlot* slot = slot_of(*s, serial);
    if (!slot) return;
    std::uint32_t cur = slot->state.load(std::memory_order_acquire);
    auto st = exitcode < 0 ? ProcState::Killed : ProcState::Exited;
    // The first record wins (a child records its own exit; the parent's later reaping agrees).
    while (!final_state(cur) || static_cast<ProcState>(cur) == ProcState::Vanished) {
        slot->exit_code.store(exitcode, std::memory_order_relaxed);
        slot->ended_ns.store(monotonic_ns(), std::memory_order_relaxed);
        if (slot->state.compare_exchange_weak(cur, static_cast<std::uint32_t>(st),
                                              std::memory_order_acq_rel)) {
            record_for(serial, Op::ProcessExited, 0, exitcode);
            break;
        }
    }
}

void adopt_identity(const std::string& session, std::uint32_t serial) noexcept {
    Writer& w = writer();
    if (session.empty()) return;
    if (state::segment && state::segment->name() != session) {
        // A fork child of a process whose own session differs cannot happen; keep the mapping as is.
        return;
    }
    if (!state::segment) {
        std::lock_guard lock(w.mutex);
        w.inherited_session = session;
    }
    Segment* s = try_ensure_session();
    if (!s) return;
    become(*s, serial, slot_of(*s, serial), false);
    if (w.inherited_references && observing()) {
        std::lock_guard lock(w.registry_mutex);
        for (auto& [index, e] : w.registry)
            add_user(s->object_at(index), serial);
    }
    w.inherited_references = false;
}

void exiting(int exitcode) noexcept {
    if (state::self) process_ended(state::self, exitcode);
}

void reset_after_fork() noexcept {
    Writer& w = writer();
    std::construct_at(&w.mutex);
    std::construct_at(&w.park_mutex);
    std::construct_at(&w.registry_mutex);
    ++state::fork_generation;
    w.next_thread_token.store(2, std::memory_order_relaxed);
    state::self = 0;
    state::self_slot = nullptr;
    // This child now holds its own reference to every object the parent's memory refers to.
    if (Segment* s = state::segment)
        for (auto& [index, e] : w.registry)
            s->object_at(index).refs.fetch_add(1, std::memory_order_relaxed);
    w.inherited_references = !w.registry.empty();
}

bool process_end_recorded(std::uint32_t serial) noexcept {
    Segment* s = state::segment;
    if (!s || serial == 0) return false;
    ProcessSlot& slot = s->process_at(serial % s->process_capacity());
    return slot.serial.load(std::memory_order_acquire) != serial ||
           final_state(slot.state.load(std::memory_order_acquire));
}

bool process_dead(std::uint32_t serial) noexcept {
    Segment* s = state::segment;
    if (!s || serial == 0) return false;
    ProcessSlot& slot = s->process_at(serial % s->process_capacity());
    if (slot.serial.load(std::memory_order_acquire) != serial) return true; // row reused: long gone
    std::uint32_t st = slot.state.load(std::memory_order_acquire);
    if (final_state(st)) return true;
    int pid = slot.pid.load(std::memory_order_relaxed);
    if (pid <= 0) return false; // still starting
    const bool dead =
        !same_live_process(read_proc_stat(pid), slot.start_ticks.load(std::memory_order_relaxed));
    if (dead) {
        std::uint32_t expected = st;
        if (slot.state.compare_exchange_strong(expected, static_cast<std::uint32_t>(ProcState::Vanished)))
            slot.ended_ns.store(monotonic_ns(), std::memory_order_relaxed);
    }
    return dead;
}

int process_pid(std::uint32_t serial) noexcept {
    Segment* s = state::segment;
    if (!s) return 0;
    ProcessSlot* slot = slot_of(*s, serial);
    return slot ? slot->pid.load(std::memory_order_relaxed) : 0;
}

std::string process_name(std::uint32_t serial) {
    Segment* s = state::segment;
    if (!s) return "";
    ProcessSlot* slot = slot_of(*s, serial);
    if (!slot) return "";
    for (;;) {
        std::uint32_t a = slot->meta_seq.load(std::memory_order_acquire);
        std::string name(slot->name, strnlen(slot->name, sizeof slot->name));
        std::atomic_thread_fence(std::memory_order_acquire);
        if ((a & 1) == 0 && slot->meta_seq.load(std::memory_order_relaxed) == a) return name;
    }
}

// ---- objects -------------------------------------------------------------------------------------------

ObjectRef::ObjectRef(Segment& segment, std::uint32_t index, std::uint32_t serial)
    : segment_(&segment)
    , slot_(&segment.object_at(index))
    , index_(index)
    , serial_(serial) {}

ObjectRef::~ObjectRef() {
    local_release(*segment_, index_);
}

std::string ObjectRef::name() const {
    for (;;) {
        std::uint32_t a = slot_->meta_seq.load(std::memory_order_acquire);
        std::string name(slot_->name, strnlen(slot_->name, sizeof slot_->name));
        std::atomic_thread_fence(std::memory_order_acquire);
        if ((a & 1) == 0 && slot_->meta_seq.load(std::memory_order_relaxed) == a) return name;
    }
}

Handle ObjectRef::to_handle(std::string_view kind_name) const {
    slot_->refs.fetch_add(1, std::memory_order_relaxed);
    return Handle{.kind = std::string(kind_name),
                  .name = segment_->name(),
                  .ints = {index_, serial_, slot_->flags.load(std::memory_order_relaxed)},
                  .fds = {}};
}

std::shared_ptr<ObjectRef> create_object_row(ObjectKind kind, std::uint32_t flags) {
    Segment& s = ensure_session();
    Header& h = s.header();
    const std::uint32_t capacity = s.object_capacity();
    // Row 0 stays unused so that an index of 0 can mean "none".
    for (std::uint32_t attempt = 0; attempt < capacity; ++attempt) {
        std::uint32_t index = h.object_cursor.fetch_add(1, std::memory_order_relaxed) % capacity;
        if (index == 0) continue;
        ObjectSlot& slot = s.object_at(index);
        std::uint32_t expected = 0;
        if (slot.serial.load(std::memory_order_relaxed) != 0) continue;
        // Claim with a placeholder so that the serial is published only once the row is ready.
        if (!slot.serial.compare_exchange_strong(expected, kSerialCreating, std::memory_order_acq_rel))
            continue;
        std::uint32_t serial = h.next_object_serial.fetch_add(1, std::memory_order_relaxed);
        std::uint32_t number =
            h.kind_counters[static_cast<std::size_t>(kind)].fetch_add(1, std::memory_order_relaxed) + 1;
        std::memset(static_cast<void*>(&slot.state), 0, sizeof slot.state);
        for (auto& u : slot.users)
            u.store(0, std::memory_order_relaxed);
        slot.users_overflow.store(0, std::memory_order_relaxed);
        slot.creator.store(state::self, std::memory_order_relaxed);
        slot.refs.store(1, std::memory_order_relaxed);
        slot.flags.store(flags, std::memory_order_relaxed);
        slot.created_ns.store(monotonic_ns(), std::memory_order_relaxed);
        slot.ops.store(0, std::memory_order_relaxed);
        {
            SeqWrite w(slot.meta_seq);
            slot.kind.store(static_cast<std::uint32_t>(kind), std::memory_order_relaxed);
            copy_name(slot.name, sizeof slot.name,
                      std::string(kind_name(kind)) + "-" + std::to_string(number));
        }
        auto ref = std::make_shared<ObjectRef>(s, index, serial);
        local_acquire(s, index, serial, /*counted_already=*/true);
        return ref;
    }
    throw MemoryError("the session's object table is full (" + std::to_string(capacity - 1) +
                      " objects): free unused locks, values and queues, or create fewer of them");
}

void publish_object(ObjectRef& ref) {
    ref.slot().serial.store(ref.serial(), std::memory_order_release);
    record(Op::ObjectCreated, ref.serial(), static_cast<std::int32_t>(ref.kind()));
}

std::shared_ptr<ObjectRef> object_ref(std::uint32_t index, std::uint32_t serial) {
    Segment* s = state::segment;
    if (!s || index == 0 || index >= s->object_capacity()) return nullptr;
    if (s->object_at(index).serial.load(std::memory_order_acquire) != serial) return nullptr;
    auto ref = std::make_shared<ObjectRef>(*s, index, serial);
    local_acquire(*s, index, serial, false);
    return ref;
}

std::shared_ptr<ObjectRef> object_from_handle(const Handle& handle, ObjectKind kind,
                                              std::string_view kind_label) {
    if (handle.ints.size() < 2) throw TypeError("malformed " + std::string(kind_label) + " handle");
    Segment& s = session_for(handle.name);
    auto index = static_cast<std::uint32_t>(handle.ints[0]);
    auto serial = static_cast<std::uint32_t>(handle.ints[1]);
    if (index == 0 || index >= s.object_capacity())
        throw ValueError("malformed " + std::string(kind_label) + " handle");
    ObjectSlot& slot = s.object_at(index);
    if (slot.serial.load(std::memory_order_acquire) != serial)
        throw ValueError("this " + std::string(kind_label) +
                         " no longer exists: every reference to it was dropped");
    if (static_cast<ObjectKind>(slot.kind.load(std::memory_order_relaxed)) != kind)
        throw TypeError("the handle refers to a " +
                        std::string(kind_name(static_cast<ObjectKind>(slot.kind.load()))) + ", not a " +
                        std::string(kind_label));
    auto ref = std::make_shared<ObjectRef>(s, index, serial);
    local_acquire(s, index, serial, false);
    return ref;
}

void add_reference(Segment& segment, std::uint32_t index) noexcept {
    segment.object_at(index).refs.fetch_add(1, std::memory_order_relaxed);
}

void drop_reference(Segment& segment, std::uint32_t index) noexcept {
    if (segment.object_at(index).refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
        free_object_row(segment, index);
}

void disown(ObjectRef& ref) noexcept {
    Writer& w = writer();
    std::lock_guard lock(w.registry_mutex);
    w.registry.erase(ref.index());
}

void register_finalizer(ObjectKind kind, ObjectFinalizer finalizer) noexcept {
    writer().finalizers[static_cast<std::size_t>(kind)] = finalizer;
}

const char* kind_name(ObjectKind kind) noexcept {
    switch (kind) {
    case ObjectKind::Lock:
        return "Lock";
    case ObjectKind::RLock:
        return "RLock";
    case ObjectKind::Semaphore:
        return "Semaphore";
    case ObjectKind::BoundedSemaphore:
        return "BoundedSemaphore";
    case ObjectKind::Condition:
        return "Condition";
    case ObjectKind::Event:
        return "Event";
    case ObjectKind::Barrier:
        return "Barrier";
    case ObjectKind::Value:
        return "Value";
    case ObjectKind::Array:
        return "Array";
    case ObjectKind::Queue:
        return "Queue";
    case ObjectKind::SimpleQueue:
        return "SimpleQueue";
    case ObjectKind::JoinableQueue:
        return "JoinableQueue";
    case ObjectKind::Pool:
        return "Pool";
    case ObjectKind::Manager:
        return "Manager";
    case ObjectKind::None:
    case ObjectKind::Count:
        break;
    }
    return "Object";
}

const char* op_name(Op op) noexcept {
    switch (op) {
    case Op::None:
        return "none";
    case Op::ProcessCreated:
        return "process_created";
    case Op::ProcessStarted:
        return "process_started";
    case Op::ProcessExited:
        return "process_exited";
    case Op::Join:
        return "join";
    case Op::ObjectCreated:
        return "object_created";
    case Op::ObjectFreed:
        return "object_freed";
    case Op::Acquire:
        return "acquire";
    case Op::Release:
        return "release";
    case Op::OwnerDied:
        return "owner_died";
    case Op::CondWait:
        return "wait";
    case Op::CondNotify:
        return "notify";
    case Op::EventSet:
        return "set";
    case Op::EventClear:
        return "clear";
    case Op::EventWait:
        return "event_wait";
    case Op::BarrierWait:
        return "barrier_wait";
    case Op::BarrierReset:
        return "reset";
    case Op::BarrierAbort:
        return "abort";
    case Op::Read:
        return "read";
    case Op::Write:
        return "write";
    case Op::Put:
        return "put";
    case Op::Get:
        return "get";
    case Op::FeederFlush:
        return "feeder_flush";
    case Op::TaskDone:
        return "task_done";
    case Op::QueueJoin:
        return "queue_join";
    case Op::PoolWait:
        return "pool_wait";
    case Op::TaskLost:
        return "task_lost";
    case Op::WorkerReplaced:
        return "worker_replaced";
    case Op::Park:
        return "park";
    case Op::Unpark:
        return "unpark";
    case Op::Count:
        break;
    }
    return "unknown";
}

} // namespace mp::detail::scope

// ---- public controls (mp/scope/observe.hpp) ------------------------------------------------------------

namespace mp::scope {

std::string current_session() {
    return detail::scope::ensure_session().name();
}

void set_observe_level(ObserveLevel level) {
    detail::scope::ensure_session().header().observe_level.store(static_cast<std::uint32_t>(level),
                                                                 std::memory_order_relaxed);
}

ObserveLevel observe_level() {
    return static_cast<ObserveLevel>(detail::scope::level());
}

} // namespace mp::scope
