// mp::scope::Session: finding session arenas, attaching to them and reading them (session.hpp).
#include "mp/scope/session.hpp"

#include "arena.hpp"
#include "futex.hpp"
#include "proc_stat.hpp"
#include "scope_layout.hpp"
#include "scope_writer.hpp"

#include "mp/errors.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <unistd.h>
#include <utility>

namespace mp::scope {

namespace L = mp::detail::scope;
using detail::Segment;

// ---- snapshot.hpp out-of-line functions ----------------------------------------------------------------

const char* to_string(ProcessState state) noexcept {
    switch (state) {
    case ProcessState::Starting:
        return "starting";
    case ProcessState::Running:
        return "running";
    case ProcessState::Exited:
        return "exited";
    case ProcessState::Killed:
        return "killed";
    case ProcessState::Vanished:
        return "vanished";
    }
    return "unknown";
}

const Wait* ProcessInfo::main_wait() const noexcept {
    for (const Wait& w : waits)
        if (w.main_thread) return &w;
    for (const Wait& w : waits)
        if (w.thread == 1) return &w;
    return nullptr;
}

const ProcessInfo* Snapshot::process(ProcessId id) const noexcept {
    // snapshot() sorts by id; hand-built snapshots need not be sorted.
    for (const ProcessInfo& p : processes)
        if (p.id == id) return &p;
    return nullptr;
}

const ObjectInfo* Snapshot::object(ObjectId id) const noexcept {
    for (const ObjectInfo& o : objects)
        if (o.id == id) return &o;
    return nullptr;
}

namespace {

// A writer holds a seqlock for a handful of stores; after this many tries (about a millisecond) the
// reader gives up on the fields rather than show a mix of two versions.
constexpr int kSeqlockAttempts = 64;
// A slot whose serial changes under the reader is being freed and reused; it is skipped after this.
constexpr int kSlotAttempts = 8;
// Shared arrays larger than this are shown truncated.
constexpr std::uint64_t kMaxArrayValues = std::uint64_t{1} << 20;
constexpr std::string_view kArenaPrefix = "mpscope-";

// Spin first (a writer holds a seqlock for a few stores), then give a preempted writer the CPU.
void backoff(int attempt) {
    if (attempt >= 48)
        std::this_thread::sleep_for(std::chrono::microseconds(20));
    else if (attempt >= 8)
        std::this_thread::yield();
}

// Runs `read` until it saw fields no writer was changing: `seq` even and unchanged across the read.
// False when every try met a writer inside its write (a writer that was preempted there for long, or
// died there): what was read is then not to be trusted. `read` loads with acquire, which keeps the
// second look at `seq` after it (no fences: ThreadSanitizer does not model them).
template <class F> bool read_consistent(const L::U32& seq, F&& read) {
    for (int attempt = 0; attempt < kSeqlockAttempts; ++attempt) {
        const std::uint32_t before = seq.load(std::memory_order_acquire);
        if ((before & 1) == 0) {
            read();
            if (seq.load(std::memory_order_relaxed) == before) return true;
        }
        backoff(attempt);
    }
    return false;
}

// A NUL-terminated string another process may be rewriting (the seqlock around it says whether it did).
std::string read_chars(char* field, std::size_t size) {
    std::string out;
    for (std::size_t i = 0; i < size; ++i) {
        const char c = std::atomic_ref<char>(field[i]).load(std::memory_order_acquire);
        if (c == '\0') break;
        out.push_back(c);
    }
    return out;
}

template <std::size_t N> std::string read_chars(char (&field)[N]) {
    return read_chars(field, N);
}

struct Clock {
    std::int64_t base_ns;
    double at(std::int64_t ns) const noexcept { return static_cast<double>(ns - base_ns) / 1e9; }
};

double ticks_per_second() {
    static const double hz = [] {
        long v = ::sysconf(_SC_CLK_TCK);
        return v > 0 ? static_cast<double>(v) : 100.0;
    }();
    return hz;
}

std::string op_string(std::uint32_t op) {
    if (op >= static_cast<std::uint32_t>(L::Op::Count)) return "op" + std::to_string(op);
    return L::op_name(static_cast<L::Op>(op));
}

// ---- processes -----------------------------------------------------------------------------------------

bool final_state(L::ProcState s) noexcept {
    return s == L::ProcState::Exited || s == L::ProcState::Killed || s == L::ProcState::Vanished;
}

// The state a slot reports, checked against /proc: a process the table calls starting or running whose
// pid is gone, a zombie or another process has died without anyone recording it.
void settle_state(L::ProcessSlot& slot, L::ProcState state, ProcessInfo& p) {
    auto set_final = [&](L::ProcState s) {
        p.state = s == L::ProcState::Exited   ? ProcessState::Exited
                  : s == L::ProcState::Killed ? ProcessState::Killed
                                              : ProcessState::Vanished;
        if (s != L::ProcState::Vanished) p.exitcode = slot.exit_code.load(std::memory_order_relaxed);
    };
    if (final_state(state)) return set_final(state);
    p.state = state == L::ProcState::Running ? ProcessState::Running : ProcessState::Starting;
    if (p.pid <= 0) return; // still starting: no pid to check yet
    const auto st = detail::read_proc_stat(p.pid);
    if (detail::same_live_process(st, slot.start_ticks.load(std::memory_order_relaxed))) {
        p.cpu_seconds = static_cast<double>(st->utime + st->stime) / ticks_per_second();
        return;
    }
    // It may have ended properly while /proc was read: prefer the recorded ending.
    auto now = static_cast<L::ProcState>(slot.state.load(std::memory_order_acquire));
    set_final(final_state(now) ? now : L::ProcState::Vanished);
}

std::optional<Wait> read_wait(L::WaitRecord& r, const Clock& clock) {
    std::uint32_t thread = 0, op = 0, object = 0, target = 0, flags = 0;
    std::int64_t since = 0, deadline = 0;
    const bool ok = read_consistent(r.seq, [&] {
        thread = r.thread.load(std::memory_order_acquire);
        op = r.op.load(std::memory_order_acquire);
        object = r.object.load(std::memory_order_acquire);
        target = r.target.load(std::memory_order_acquire);
        flags = r.flags.load(std::memory_order_acquire);
        since = r.since_ns.load(std::memory_order_acquire);
        deadline = r.deadline_ns.load(std::memory_order_acquire);
    });
    // A wait never seen whole is left out rather than guessed: a wrong wait could fake a deadlock.
    if (!ok || thread == 0 || op == 0) return std::nullopt;
    Wait w;
    w.thread = thread;
    w.op = op_string(op);
    w.object = object;
    w.target = target;
    w.since = clock.at(since);
    if (deadline != 0) w.deadline = clock.at(deadline);
    w.main_thread = (flags & L::kWaitMainThread) != 0;
    w.internal = (flags & L::kWaitInternal) != 0;
    return w;
}

std::optional<ProcessInfo> read_process(L::ProcessSlot& slot, const Clock& clock) {
    for (int attempt = 0; attempt < kSlotAttempts; ++attempt) {
        const std::uint32_t serial = slot.serial.load(std::memory_order_acquire);
        if (serial == 0) return std::nullopt;
        ProcessInfo p;
        p.id = serial;
        const auto state = static_cast<L::ProcState>(slot.state.load(std::memory_order_acquire));
        p.pid = slot.pid.load(std::memory_order_relaxed);
        p.parent = slot.parent.load(std::memory_order_relaxed);
        const std::uint32_t flags = slot.flags.load(std::memory_order_relaxed);
        p.daemon = (flags & L::kProcDaemon) != 0;
        p.main = (flags & L::kProcMain) != 0;
        p.created = clock.at(slot.created_ns.load(std::memory_order_relaxed));
        if (auto ns = slot.started_ns.load(std::memory_order_relaxed)) p.started = clock.at(ns);
        if (auto ns = slot.ended_ns.load(std::memory_order_relaxed)) p.ended = clock.at(ns);
        if (!read_consistent(slot.meta_seq, [&] {
                p.name = read_chars(slot.name);
                p.start_method = read_chars(slot.method);
                p.target = read_chars(slot.target);
            })) {
            p.name = "process #" + std::to_string(serial);
            p.start_method.clear();
            p.target.clear();
        }
        for (L::WaitRecord& r : slot.waits)
            if (auto w = read_wait(r, clock)) p.waits.push_back(std::move(*w));
        Parked parked;
        std::uint32_t park_op = 0;
        const bool park_ok = read_consistent(slot.park_seq, [&] {
            park_op = slot.park_op.load(std::memory_order_acquire);
            parked.object = slot.park_object.load(std::memory_order_acquire);
            parked.thread = slot.park_thread.load(std::memory_order_acquire);
        });
        if (park_ok && park_op != 0) {
            parked.op = op_string(park_op);
            p.parked = std::move(parked);
        }
        if (slot.serial.load(std::memory_order_acquire) != serial) {
            backoff(attempt);
            continue;
        }
        settle_state(slot, state, p);
        if (!p.alive()) {
            // Records a killed process left behind: nothing of it waits any more.
            p.waits.clear();
            p.parked.reset();
        }
        return p;
    }
    return std::nullopt;
}

// ---- objects -------------------------------------------------------------------------------------------

double load_value(const unsigned char* p, char typecode) noexcept {
    auto as = [p]<class T>(T) {
        T v;
        std::memcpy(&v, p, sizeof v);
        return static_cast<double>(v);
    };
    switch (typecode) {
    case 'c':
    case 'B':
        return as(std::uint8_t{});
    case 'b':
        return as(std::int8_t{});
    case 'h':
        return as(std::int16_t{});
    case 'H':
        return as(std::uint16_t{});
    case 'i':
        return as(std::int32_t{});
    case 'u':
    case 'I':
        return as(std::uint32_t{});
    case 'l':
    case 'q':
        return as(std::int64_t{});
    case 'L':
    case 'Q':
        return as(std::uint64_t{});
    case 'f':
        return as(float{});
    case 'd':
        return as(double{});
    default:
        return 0;
    }
}

struct Field {
    char typecode;
    std::size_t offset;
};

// "x:d,y:i" -> fields at their natural C alignment; empty when malformed or larger than `itemsize`.
std::vector<Field> parse_layout(std::string_view layout, std::size_t itemsize) {
    std::vector<Field> fields;
    std::size_t offset = 0;
    while (!layout.empty()) {
        const std::size_t comma = layout.find(',');
        const std::string_view item = layout.substr(0, comma);
        layout = comma == std::string_view::npos ? std::string_view{} : layout.substr(comma + 1);
        const std::size_t colon = item.rfind(':');
        if (colon == std::string_view::npos || colon + 2 != item.size()) return {};
        const char tc = item.back();
        const std::size_t size = L::typecode_size(tc);
        if (size == 0) return {};
        offset = (offset + size - 1) / size * size;
        fields.push_back({tc, offset});
        offset += size;
    }
    if (offset > itemsize) return {};
    return fields;
}

class HeapView {
public:
    explicit HeapView(const Segment& segment)
        : segment_(segment)
        , begin_(segment.header().heap_offset)
        , end_(segment.header().total_size) {}
    const Segment& segment() const noexcept { return segment_; }
    // A block another process named by offset, if it lies inside the heap.
    const unsigned char* block(std::uint64_t offset, std::uint64_t bytes) const noexcept {
        if (offset < begin_ || offset > end_ || bytes > end_ - offset) return nullptr;
        return static_cast<const unsigned char*>(segment_.at(offset));
    }
    std::string c_string(std::uint64_t offset, std::size_t max) const {
        if (offset < begin_ || offset >= end_) return {};
        const auto* p = static_cast<const char*>(segment_.at(offset));
        return std::string(p,
                           strnlen(p, static_cast<std::size_t>(std::min<std::uint64_t>(max, end_ - offset))));
    }

private:
    const Segment& segment_;
    std::uint64_t begin_, end_;
};

void read_sem(L::SemState& s, L::ObjectKind kind, ObjectInfo& o) {
    const std::uint32_t word = s.word.load(std::memory_order_acquire);
    o.waiters = s.waiters.load(std::memory_order_relaxed);
    o.maxvalue = s.maxvalue.load(std::memory_order_relaxed);
    if (kind == L::ObjectKind::Lock || kind == L::ObjectKind::RLock) {
        if (word != 0) o.owner = word;
        o.owner_thread = s.owner_thread.load(std::memory_order_relaxed);
        o.depth =
            kind == L::ObjectKind::RLock ? s.count.load(std::memory_order_relaxed) : (word != 0 ? 1 : 0);
        o.value = word != 0 ? 0 : 1;
    } else {
        o.value = word;
    }
    if (auto from = s.recovered_from.load(std::memory_order_relaxed)) {
        o.recovered_from = from;
        o.recovered_from_pid = s.recovered_from_pid.load(std::memory_order_relaxed);
    }
    for (L::HolderEntry& h : s.holders) {
        const std::uint32_t process = h.process.load(std::memory_order_relaxed);
        if (process != 0) o.holders.push_back({process, h.units.load(std::memory_order_relaxed)});
    }
    o.holders_complete = s.holders_overflow.load(std::memory_order_relaxed) == 0;
}

void read_array(L::ArrayState& a, const HeapView& heap, const Clock& clock, ObjectInfo& o) {
    o.typecode = static_cast<char>(a.typecode.load(std::memory_order_relaxed));
    o.length = a.length.load(std::memory_order_relaxed);
    o.itemsize = a.itemsize.load(std::memory_order_relaxed);
    o.lock = a.lock_serial.load(std::memory_order_relaxed);
    std::vector<Field> fields;
    if (o.typecode == 'T') {
        o.fields = heap.c_string(a.layout_offset.load(std::memory_order_relaxed), 1024);
        fields = parse_layout(o.fields, o.itemsize);
    } else if (L::typecode_size(o.typecode) != 0 && L::typecode_size(o.typecode) <= o.itemsize) {
        fields.push_back({o.typecode, 0});
    }
    const std::uint64_t length =
        std::min<std::uint64_t>(o.length, fields.empty() ? 0 : kMaxArrayValues / fields.size());
    if (const unsigned char* data =
            heap.block(a.data_offset.load(std::memory_order_relaxed), length * o.itemsize)) {
        o.data.reserve(length * fields.size());
        for (std::uint64_t i = 0; i < length; ++i)
            for (const Field& f : fields)
                o.data.push_back(load_value(data + i * o.itemsize + f.offset, f.typecode));
    }
    // Oldest first: the ring's head counts writes, the last 8 are kept.
    const std::uint32_t head = a.writes_head.load(std::memory_order_relaxed);
    constexpr auto ring = static_cast<std::uint32_t>(std::extent_v<decltype(L::ArrayState::recent)>);
    for (std::uint32_t n = std::min(head, ring); n > 0; --n) {
        auto& w = a.recent[(head - n) % ring];
        const std::int64_t t = w.time_ns.load(std::memory_order_relaxed);
        if (t == 0) continue;
        o.recent_writes.push_back({w.index.load(std::memory_order_relaxed),
                                   w.process.load(std::memory_order_relaxed), clock.at(t)});
    }
}

const char* worker_state_name(std::uint32_t state) noexcept {
    switch (static_cast<L::PoolWorkerState>(state)) {
    case L::PoolWorkerState::Starting:
        return "starting";
    case L::PoolWorkerState::Idle:
        return "idle";
    case L::PoolWorkerState::Working:
        return "working";
    case L::PoolWorkerState::Exited:
        return "exited";
    case L::PoolWorkerState::Empty:
        break;
    }
    return "empty";
}

void read_pool(L::PoolState& p, const HeapView& heap, ObjectInfo& o) {
    static constexpr const char* states[] = {"RUN", "CLOSE", "TERMINATE"};
    const std::uint32_t state = p.state.load(std::memory_order_relaxed);
    o.pool_state = state < 3 ? states[state] : "unknown";
    o.pool_size = p.processes.load(std::memory_order_relaxed);
    o.maxtasksperchild = p.maxtasksperchild.load(std::memory_order_relaxed);
    const std::uint64_t put = p.put_pos.load(std::memory_order_acquire);
    const std::uint64_t taken = p.take_pos.load(std::memory_order_acquire);
    o.tasks_queued = p.tasks_backlog.load(std::memory_order_relaxed) + (put > taken ? put - taken : 0);
    o.tasks_completed = p.tasks_completed.load(std::memory_order_relaxed);
    o.tasks_lost = p.tasks_lost.load(std::memory_order_relaxed);
    o.results_outstanding = p.results_outstanding.load(std::memory_order_relaxed);
    o.workers_started = p.workers_started.load(std::memory_order_relaxed);
    o.workers_replaced = p.workers_replaced.load(std::memory_order_relaxed);
    const unsigned char* block =
        heap.block(p.workers_offset.load(std::memory_order_relaxed), sizeof(L::PoolWorkerSlot) * o.pool_size);
    if (!block) return;
    auto* slots = reinterpret_cast<L::PoolWorkerSlot*>(const_cast<unsigned char*>(block));
    const std::int64_t now = detail::monotonic_ns();
    for (std::uint32_t i = 0; i < o.pool_size; ++i) {
        L::PoolWorkerSlot& ws = slots[i];
        PoolWorkerInfo w;
        const std::uint32_t st = ws.state.load(std::memory_order_acquire);
        w.state = worker_state_name(st);
        w.process = ws.process.load(std::memory_order_relaxed);
        w.pid = ws.pid.load(std::memory_order_relaxed);
        w.generation = ws.generation.load(std::memory_order_relaxed);
        w.tasks_done = ws.tasks_done.load(std::memory_order_relaxed);
        if (w.generation > 1) w.last_exitcode = ws.exit_code.load(std::memory_order_relaxed);
        // The time in the current state counts as it goes.
        const std::int64_t since = ws.state_since_ns.load(std::memory_order_relaxed);
        const std::int64_t current = since != 0 && now > since ? now - since : 0;
        const auto seconds = [](std::int64_t ns) { return static_cast<double>(ns) / 1e9; };
        const std::int64_t launched = ws.launched_ns.load(std::memory_order_relaxed);
        const std::int64_t ready = ws.ready_ns.load(std::memory_order_relaxed);
        if (launched != 0) w.startup = seconds((ready != 0 ? ready : now) - launched);
        w.waiting = seconds(ws.waiting_ns.load(std::memory_order_relaxed) +
                            (st == static_cast<std::uint32_t>(L::PoolWorkerState::Idle) ? current : 0));
        w.working = seconds(ws.working_ns.load(std::memory_order_relaxed) +
                            (st == static_cast<std::uint32_t>(L::PoolWorkerState::Working) ? current : 0));
        if (st == static_cast<std::uint32_t>(L::PoolWorkerState::Working)) {
            std::uint64_t seq = 0;
            read_consistent(ws.task_seq, [&] {
                seq = ws.current_seq.load(std::memory_order_acquire);
                w.job = ws.current_job.load(std::memory_order_acquire);
                w.index = ws.current_index.load(std::memory_order_acquire);
                w.task = read_chars(ws.task);
            });
            if (seq == 0) w.task.clear();
        }
        o.workers.push_back(std::move(w));
    }
}

void read_state(L::ObjectSlot& slot, L::ObjectKind kind, const HeapView& heap, const Clock& clock,
                ObjectInfo& o) {
    auto& st = slot.state;
    switch (kind) {
    case L::ObjectKind::Lock:
    case L::ObjectKind::RLock:
    case L::ObjectKind::Semaphore:
    case L::ObjectKind::BoundedSemaphore:
        read_sem(st.sem, kind, o);
        break;
    case L::ObjectKind::Condition: {
        o.lock = st.cond.lock_serial.load(std::memory_order_relaxed);
        const std::uint32_t sleeping = st.cond.sleeping.value.load(std::memory_order_relaxed);
        const std::uint32_t woken = st.cond.woken.value.load(std::memory_order_relaxed);
        o.sleepers = sleeping > woken ? sleeping - woken : 0;
        break;
    }
    case L::ObjectKind::Event:
        o.flag = (st.event.generation.load(std::memory_order_relaxed) & 1) != 0;
        o.waiters = st.event.waiters.load(std::memory_order_relaxed);
        break;
    case L::ObjectKind::Barrier: {
        // Read without its mutex: an inspector must never take a lock the program needs.
        auto& b = st.barrier;
        o.parties = b.parties.load(std::memory_order_relaxed);
        const std::uint32_t count = b.count.load(std::memory_order_relaxed);
        const std::int32_t state = b.state.load(std::memory_order_relaxed);
        o.generation = b.generation.load(std::memory_order_relaxed);
        o.n_waiting = state == 0 ? count : 0;
        o.broken = state == -2;
        o.barrier_state = state == 0    ? "filling"
                          : state == 1  ? "draining"
                          : state == -1 ? "resetting"
                                        : "broken";
        break;
    }
    case L::ObjectKind::Value:
    case L::ObjectKind::Array:
        read_array(st.array, heap, clock, o);
        break;
    case L::ObjectKind::Queue:
    case L::ObjectKind::SimpleQueue:
    case L::ObjectKind::JoinableQueue: {
        auto& q = st.queue;
        o.capacity_bytes = q.capacity.load(std::memory_order_relaxed);
        const std::uint64_t read = q.read_pos.load(std::memory_order_acquire);
        const std::uint64_t written = q.write_pos.load(std::memory_order_acquire);
        o.used_bytes = written >= read ? written - read : 0;
        const std::uint64_t got = q.messages_read.load(std::memory_order_relaxed);
        const std::uint64_t put = q.messages_written.load(std::memory_order_relaxed);
        o.items = put > got ? static_cast<std::uint32_t>(put - got) : 0;
        o.maxsize = q.maxsize.load(std::memory_order_relaxed);
        o.unfinished = q.unfinished.load(std::memory_order_relaxed);
        // The free slots are the value of the queue's internal BoundedSemaphore row.
        const std::uint32_t sem_index = q.sem_index.load(std::memory_order_relaxed);
        const Segment& seg = heap.segment();
        if (sem_index != 0 && sem_index < seg.object_capacity()) {
            L::ObjectSlot& sem = seg.object_at(sem_index);
            if (sem.serial.load(std::memory_order_acquire) == q.sem_serial.load(std::memory_order_relaxed))
                o.free_slots = sem.state.sem.word.load(std::memory_order_relaxed);
        }
        for (auto& f : q.feeders) {
            const std::uint32_t process = f.process.load(std::memory_order_relaxed);
            if (process == 0) continue;
            o.feeders.push_back(QueueFeederInfo{process, f.items.load(std::memory_order_relaxed),
                                                f.bytes.load(std::memory_order_relaxed),
                                                f.flushing.load(std::memory_order_relaxed) != 0,
                                                f.cancelled.load(std::memory_order_relaxed) != 0});
        }
        o.feeders_complete = q.feeders_overflow.load(std::memory_order_relaxed) == 0;
    } break;
    case L::ObjectKind::Pool:
        read_pool(st.pool, heap, o);
        break;
    default:
        break;
    }
}

std::optional<ObjectInfo> read_object(L::ObjectSlot& slot, const HeapView& heap, const Clock& clock) {
    for (int attempt = 0; attempt < kSlotAttempts; ++attempt) {
        const std::uint32_t serial = slot.serial.load(std::memory_order_acquire);
        if (serial == 0 || serial == L::kSerialCreating) return std::nullopt;
        ObjectInfo o;
        o.id = serial;
        std::uint32_t kind = 0;
        if (!read_consistent(slot.meta_seq, [&] {
                kind = slot.kind.load(std::memory_order_acquire);
                o.name = read_chars(slot.name);
            }))
            return std::nullopt; // its kind is unknown: left out of this snapshot
        if (kind == 0 || kind >= static_cast<std::uint32_t>(L::ObjectKind::Count)) return std::nullopt;
        o.kind = L::kind_name(static_cast<L::ObjectKind>(kind));
        o.internal = (slot.flags.load(std::memory_order_relaxed) & L::kObjInternal) != 0;
        o.creator = slot.creator.load(std::memory_order_relaxed);
        o.created = clock.at(slot.created_ns.load(std::memory_order_relaxed));
        o.ops = slot.ops.load(std::memory_order_relaxed);
        for (L::U32& u : slot.users)
            if (auto user = u.load(std::memory_order_relaxed)) o.users.push_back(user);
        o.users_complete = slot.users_overflow.load(std::memory_order_relaxed) == 0;
        read_state(slot, static_cast<L::ObjectKind>(kind), heap, clock, o);
        if (slot.serial.load(std::memory_order_acquire) == serial) return o;
        backoff(attempt);
    }
    return std::nullopt;
}

// ---- sessions ------------------------------------------------------------------------------------------

// The creator before it registered itself (or a writer that never does): alive while its pid exists and
// started no later than the session (a reused pid started after it).
bool creator_alive(const L::Header& h) {
    const auto st = detail::read_proc_stat(h.creator_pid);
    if (!detail::same_live_process(st, 0)) return false;
    timespec boot{}, mono{};
    ::clock_gettime(CLOCK_BOOTTIME, &boot);
    ::clock_gettime(CLOCK_MONOTONIC, &mono);
    const double suspended = static_cast<double>(boot.tv_sec - mono.tv_sec) +
                             static_cast<double>(boot.tv_nsec - mono.tv_nsec) / 1e9;
    const double started = static_cast<double>(st->start_ticks) / ticks_per_second();
    return started <= static_cast<double>(h.created_monotonic_ns) / 1e9 + suspended + 1.0;
}

SessionInfo make_info(const Segment& segment, const std::vector<ProcessInfo>& processes) {
    const L::Header& h = segment.header();
    SessionInfo info;
    info.name = segment.name();
    info.creator_pid = h.creator_pid;
    info.created_unix_ns = h.created_realtime_ns;
    info.age = static_cast<double>(detail::monotonic_ns() - h.created_monotonic_ns) / 1e9;
    info.processes = static_cast<std::uint32_t>(processes.size());
    bool creator_registered = false;
    for (const ProcessInfo& p : processes) {
        if (p.alive()) ++info.live_processes;
        if (p.main) info.main_name = p.name;
        if (p.pid == h.creator_pid) creator_registered = true;
    }
    info.alive = h.ended.load(std::memory_order_acquire) == 0 &&
                 (info.live_processes > 0 || (!creator_registered && creator_alive(h)));
    return info;
}

std::vector<ProcessInfo> read_processes(const Segment& segment) {
    const Clock clock{segment.header().created_monotonic_ns};
    std::vector<ProcessInfo> out;
    for (std::uint32_t i = 0; i < segment.process_capacity(); ++i)
        if (auto p = read_process(segment.process_at(i), clock)) out.push_back(std::move(*p));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

std::vector<std::string> arena_names() {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec)) {
        std::string name = entry.path().filename().string();
        if (name.starts_with(kArenaPrefix)) names.push_back(std::move(name));
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Opens `name`, or nullptr when it is not a readable arena of this layout.
std::unique_ptr<Segment> try_open(const std::string& name) {
    try {
        return Segment::open(name);
    } catch (const std::exception&) {
        return nullptr;
    }
}

bool has_live_process(const Segment& segment, int pid) {
    for (const ProcessInfo& p : read_processes(segment))
        if (p.pid == pid && p.alive()) return true;
    return false;
}

} // namespace

// ---- Session -------------------------------------------------------------------------------------------

Session::Session(std::unique_ptr<Segment> segment, AttachOptions options)
    : segment_(std::move(segment)) {
    if (!segment_) throw ValueError("Session needs an open session arena");
    if (options.inspect) {
        segment_->header().readers.fetch_add(1, std::memory_order_acq_rel);
        inspecting_ = true;
    }
}

Session::~Session() {
    if (inspecting_ && segment_) segment_->header().readers.fetch_sub(1, std::memory_order_acq_rel);
}

Session::Session(Session&& other) noexcept
    : segment_(std::move(other.segment_))
    , inspecting_(std::exchange(other.inspecting_, false)) {}

Session& Session::operator=(Session&& other) noexcept {
    if (this != &other) {
        Session old(std::move(*this)); // detaches our current arena when it goes
        segment_ = std::move(other.segment_);
        inspecting_ = std::exchange(other.inspecting_, false);
    }
    return *this;
}

std::vector<SessionInfo> Session::list() {
    std::vector<SessionInfo> out;
    for (const std::string& name : arena_names())
        if (auto segment = try_open(name)) out.push_back(make_info(*segment, read_processes(*segment)));
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.created_unix_ns < b.created_unix_ns; });
    return out;
}

Session Session::attach(std::string_view name_or_pid, AttachOptions options) {
    std::string_view text = name_or_pid;
    if (text.starts_with("/dev/shm/")) text.remove_prefix(9);
    while (text.starts_with('/'))
        text.remove_prefix(1);
    if (text.empty()) throw ValueError("a session name or a pid is needed");
    const bool numeric = std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!numeric) return Session(Segment::open(std::string(text)), options);

    int pid = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
    if (ec != std::errc{} || end != text.data() + text.size() || pid <= 0)
        throw ValueError("'" + std::string(name_or_pid) + "' is not a valid pid");
    const std::vector<std::string> names = arena_names();
    for (const std::string& name : names)
        if (auto segment = try_open(name); segment && has_live_process(*segment, pid))
            return Session(std::move(segment), options);
    // A creator that has not registered itself yet.
    for (const std::string& name : names)
        if (auto segment = try_open(name); segment && segment->header().creator_pid == pid &&
                                           make_info(*segment, read_processes(*segment)).alive)
            return Session(std::move(segment), options);
    if (!detail::read_proc_stat(pid)) throw ValueError("no process has pid " + std::to_string(pid));
    throw ValueError("process " + std::to_string(pid) +
                     " is not part of any live mpscope session (it has no session arena in /dev/shm)");
}

const std::string& Session::name() const noexcept {
    return segment_->name();
}

SessionInfo Session::info() const {
    return make_info(*segment_, read_processes(*segment_));
}

bool Session::alive() const {
    return info().alive;
}

Snapshot Session::snapshot() const {
    const Segment& seg = *segment_;
    const L::Header& h = seg.header();
    const Clock clock{h.created_monotonic_ns};
    const HeapView heap(seg);
    Snapshot snap;
    snap.time = clock.at(detail::monotonic_ns());
    snap.event_head = h.event_head.load(std::memory_order_acquire);
    snap.step_mode = h.step_mode.load(std::memory_order_acquire) != 0;
    const auto level = h.readers.load(std::memory_order_relaxed) != 0
                           ? L::ObserveLevel::Full
                           : static_cast<L::ObserveLevel>(h.observe_level.load(std::memory_order_relaxed));
    snap.observe_level = level == L::ObserveLevel::Off     ? "off"
                         : level == L::ObserveLevel::Basic ? "basic"
                                                           : "full";
    snap.processes = read_processes(seg);
    for (std::uint32_t i = 0; i < seg.object_capacity(); ++i)
        if (auto o = read_object(seg.object_at(i), heap, clock)) snap.objects.push_back(std::move(*o));
    std::sort(snap.objects.begin(), snap.objects.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    snap.session = make_info(seg, snap.processes);
    return snap;
}

std::uint64_t Session::event_head() const noexcept {
    return segment_->header().event_head.load(std::memory_order_acquire);
}

Events Session::events_since(std::uint64_t seq, std::size_t max) const {
    const Segment& seg = *segment_;
    const L::Header& h = seg.header();
    const Clock clock{h.created_monotonic_ns};
    const std::uint64_t head = h.event_head.load(std::memory_order_acquire);
    const std::uint64_t capacity = h.event_capacity;
    Events out;
    seq = std::min(seq, head);
    if (head > capacity && seq < head - capacity) {
        out.dropped = head - capacity - seq;
        seq = head - capacity;
    }
    for (; seq < head && out.events.size() < max; ++seq) {
        L::EventRecord& r = seg.event_at(seq);
        const std::uint64_t complete = 2 * seq + 2;
        const std::uint64_t before = r.stamp.load(std::memory_order_acquire);
        Event e;
        e.seq = seq;
        // Acquire loads keep the second look at the stamp after them.
        const std::int64_t time_ns = r.time_ns.load(std::memory_order_acquire);
        e.process = r.process.load(std::memory_order_acquire);
        e.object = r.object.load(std::memory_order_acquire);
        const std::uint16_t op = r.op.load(std::memory_order_acquire);
        e.thread = r.thread.load(std::memory_order_acquire);
        e.arg = r.arg.load(std::memory_order_acquire);
        const std::uint64_t after = r.stamp.load(std::memory_order_relaxed);
        if (before == complete && after == complete) {
            e.time = clock.at(time_ns);
            e.op = op_string(op);
            out.events.push_back(std::move(e));
        } else if (std::max(before, after) > complete) {
            ++out.dropped; // a writer one lap ahead overwrote it while we looked
        } else {
            break; // still being written: read on from here later
        }
    }
    out.next = seq;
    return out;
}

void Session::set_step_mode(bool on) {
    L::Header& h = segment_->header();
    h.step_mode.store(on ? 1 : 0, std::memory_order_release);
    if (!on) {
        // Parked processes re-check step mode when woken; without the wake they would notice only at
        // their next poll.
        for (std::uint32_t i = 0; i < segment_->process_capacity(); ++i) {
            L::ProcessSlot& slot = segment_->process_at(i);
            if (slot.serial.load(std::memory_order_acquire) != 0 &&
                slot.park_op.load(std::memory_order_acquire) != 0)
                detail::futex_wake_all(slot.park_ticket);
        }
    }
    h.park_seq.fetch_add(1, std::memory_order_acq_rel);
    detail::futex_wake_all(h.park_seq);
}

bool Session::step_mode() const noexcept {
    return segment_->header().step_mode.load(std::memory_order_acquire) != 0;
}

void Session::release(ProcessId process) {
    L::ProcessSlot* found = nullptr;
    for (std::uint32_t i = 0; i < segment_->process_capacity() && !found && process != 0; ++i)
        if (segment_->process_at(i).serial.load(std::memory_order_acquire) == process)
            found = &segment_->process_at(i);
    if (!found)
        throw ValueError("session '" + segment_->name() + "' has no process with id " +
                         std::to_string(process));
    found->park_ticket.fetch_add(1, std::memory_order_acq_rel);
    detail::futex_wake_all(found->park_ticket);
    L::Header& h = segment_->header();
    h.park_seq.fetch_add(1, std::memory_order_acq_rel);
    detail::futex_wake_all(h.park_seq);
}

std::uint32_t Session::park_seq() const noexcept {
    return segment_->header().park_seq.load(std::memory_order_acquire);
}

bool Session::wait_for_change(std::uint32_t& seen_park_seq, double timeout) const {
    L::U32& word = segment_->header().park_seq;
    const auto deadline = detail::deadline_after(timeout);
    for (;;) {
        const std::uint32_t now = word.load(std::memory_order_acquire);
        if (now != seen_park_seq) {
            seen_park_seq = now;
            return true;
        }
        if (deadline && detail::monotonic_ns() >= *deadline) return false;
        detail::futex_wait(word, seen_park_seq, deadline);
    }
}

} // namespace mp::scope
