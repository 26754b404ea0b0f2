#pragma once
// A session arena filled by hand, field by field as libmpcore's writer fills it, for the reader, the
// analysis and mpscope-inspect to be tested on exactly known states. Needs core/src on the include path.
#include "arena.hpp"
#include "futex.hpp"
#include "proc_stat.hpp"
#include "scope_layout.hpp"

#include <atomic>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <unistd.h>

namespace test_support {

namespace L = mp::detail::scope;

// Start time of a live pid as the writer records it (field 22 of /proc/<pid>/stat).
inline std::uint64_t start_ticks_of(int pid) {
    auto st = mp::detail::read_proc_stat(pid);
    return st ? st->start_ticks : 0;
}

// The writer's seqlock: odd while the fields it guards change. The fields are stored with release, which
// orders them after the odd count (what the library's writer does with a release fence; ThreadSanitizer
// does not support fences).
class SeqWrite {
public:
    explicit SeqWrite(L::U32& seq)
        : seq_(seq) {
        seq_.fetch_add(1, std::memory_order_relaxed);
    }
    ~SeqWrite() { seq_.fetch_add(1, std::memory_order_release); }
    SeqWrite(const SeqWrite&) = delete;
    SeqWrite& operator=(const SeqWrite&) = delete;

private:
    L::U32& seq_;
};

// Stores text into a name field under a SeqWrite, byte by byte as atomics (readers load them the same way).
template <std::size_t N> void put_chars(char (&field)[N], std::string_view text) {
    for (std::size_t i = 0; i < N; ++i)
        std::atomic_ref<char>(field[i]).store(i < text.size() && i + 1 < N ? text[i] : '\0',
                                              std::memory_order_release);
}

class TestArena {
public:
    explicit TestArena(std::string_view tag = "t") {
        static int counter = 0;
        name_ =
            "mpscope-test-" + std::to_string(::getpid()) + "-" + std::string(tag) + std::to_string(++counter);
        ::shm_unlink(("/" + name_).c_str()); // a leftover of a crashed run with a recycled pid
        mp::detail::ArenaSizes sizes;
        sizes.processes = 16;
        sizes.objects = 32;
        sizes.events = 16;
        sizes.heap = 1 << 20;
        segment_ = mp::detail::Segment::create(name_, sizes);
    }
    ~TestArena() {
        segment_.reset();
        ::shm_unlink(("/" + name_).c_str());
    }
    TestArena(const TestArena&) = delete;
    TestArena& operator=(const TestArena&) = delete;

    const std::string& name() const noexcept { return name_; }
    mp::detail::Segment& segment() const noexcept { return *segment_; }
    L::Header& header() const noexcept { return segment_->header(); }
    std::int64_t ns_ago(double seconds) const {
        return mp::detail::monotonic_ns() - static_cast<std::int64_t>(seconds * 1e9);
    }

    // A process row (serial S lives in row S % capacity, as the writer places it).
    L::ProcessSlot& add_process(std::uint32_t serial, std::string_view name, int pid,
                                L::ProcState state = L::ProcState::Running, std::uint32_t flags = 0,
                                std::uint32_t parent = 0, std::string_view method = "",
                                std::string_view target = "") {
        L::ProcessSlot& slot = segment_->process_at(serial % segment_->process_capacity());
        slot.state.store(static_cast<std::uint32_t>(state));
        slot.pid.store(pid);
        slot.parent.store(parent);
        slot.flags.store(flags);
        slot.created_ns.store(ns_ago(5));
        slot.started_ns.store(ns_ago(4));
        slot.start_ticks.store(pid > 0 ? start_ticks_of(pid) : 0);
        {
            SeqWrite w(slot.meta_seq);
            put_chars(slot.name, name);
            put_chars(slot.method, method);
            put_chars(slot.target, target);
        }
        slot.serial.store(serial, std::memory_order_release);
        return slot;
    }
    L::ProcessSlot& process(std::uint32_t serial) const {
        return segment_->process_at(serial % segment_->process_capacity());
    }
    void ended(std::uint32_t serial, L::ProcState state, int exit_code) {
        L::ProcessSlot& slot = process(serial);
        slot.exit_code.store(exit_code);
        slot.ended_ns.store(ns_ago(1));
        slot.state.store(static_cast<std::uint32_t>(state), std::memory_order_release);
    }

    // Record `index` of process `serial`: thread `thread` blocked in `op` for `age` seconds.
    L::WaitRecord& wait(std::uint32_t serial, int index, L::Op op, std::uint32_t object, double age,
                        std::uint32_t thread = 1, std::uint32_t flags = L::kWaitMainThread,
                        std::uint32_t target = 0, std::int64_t deadline_ns = 0) {
        L::WaitRecord& r = process(serial).waits[index];
        r.thread.store(thread);
        SeqWrite w(r.seq);
        r.object.store(object, std::memory_order_release);
        r.target.store(target, std::memory_order_release);
        r.flags.store(flags, std::memory_order_release);
        r.since_ns.store(ns_ago(age), std::memory_order_release);
        r.deadline_ns.store(deadline_ns, std::memory_order_release);
        r.op.store(static_cast<std::uint32_t>(op), std::memory_order_release);
        return r;
    }

    // An object row at `index`, published (serial stored) last.
    template <class Init>
    L::ObjectSlot& add_object(std::uint32_t index, std::uint32_t serial, L::ObjectKind kind,
                              std::string_view name, std::initializer_list<std::uint32_t> users,
                              Init&& init) {
        L::ObjectSlot& slot = segment_->object_at(index);
        slot.creator.store(1);
        slot.created_ns.store(ns_ago(3));
        slot.ops.store(7);
        int i = 0;
        for (std::uint32_t u : users)
            slot.users[i++].store(u);
        {
            SeqWrite w(slot.meta_seq);
            slot.kind.store(static_cast<std::uint32_t>(kind), std::memory_order_release);
            put_chars(slot.name, name);
        }
        init(slot.state);
        slot.serial.store(serial, std::memory_order_release);
        return slot;
    }
    L::ObjectSlot& add_object(std::uint32_t index, std::uint32_t serial, L::ObjectKind kind,
                              std::string_view name, std::initializer_list<std::uint32_t> users = {}) {
        return add_object(index, serial, kind, name, users, [](L::ObjectSlot::State&) {});
    }
    // A Lock (or RLock) row held by `owner` (0: free).
    L::ObjectSlot& add_lock(std::uint32_t index, std::uint32_t serial, std::string_view name,
                            std::uint32_t owner, std::initializer_list<std::uint32_t> users = {}) {
        return add_object(index, serial, L::ObjectKind::Lock, name, users, [&](L::ObjectSlot::State& s) {
            s.sem.word.store(owner);
            s.sem.owner_thread.store(owner ? 1 : 0);
            s.sem.holders[0].process.store(owner);
            s.sem.holders[0].units.store(owner ? 1 : 0);
        });
    }

    // One event, written as the writer's record_for() does (release stores in place of its fence).
    void add_event(L::Op op, std::uint32_t process, std::uint32_t object, std::int32_t arg) {
        L::Header& h = header();
        std::uint64_t seq = h.event_head.fetch_add(1, std::memory_order_relaxed);
        L::EventRecord& r = segment_->event_at(seq);
        r.stamp.store(2 * seq + 1, std::memory_order_relaxed);
        r.time_ns.store(mp::detail::monotonic_ns(), std::memory_order_release);
        r.process.store(process, std::memory_order_release);
        r.object.store(object, std::memory_order_release);
        r.op.store(static_cast<std::uint16_t>(op), std::memory_order_release);
        r.thread.store(1, std::memory_order_release);
        r.arg.store(arg, std::memory_order_release);
        r.stamp.store(2 * seq + 2, std::memory_order_release);
    }

private:
    std::string name_;
    std::unique_ptr<mp::detail::Segment> segment_;
};

// Two live processes (both this test process's pid), each holding one lock and waiting for the other's
// for `age` seconds: a lock cycle.
inline void fill_lock_cycle(TestArena& a, double age = 3.0) {
    const int pid = static_cast<int>(::getpid());
    a.add_process(1, "MainProcess", pid, L::ProcState::Running, L::kProcMain);
    a.add_process(2, "Process-1", pid, L::ProcState::Running, 0, 1, "fork", "philosopher");
    a.add_lock(1, 10, "fork-0", 1, {1, 2});
    a.add_lock(2, 11, "fork-1", 2, {1, 2});
    a.wait(1, 0, L::Op::Acquire, 11, age);
    a.wait(2, 0, L::Op::Acquire, 10, age);
}

} // namespace test_support
