// mp::scope::Session on a real session arena filled by hand the way libmpcore's writer fills it:
// snapshots (including seqlocks caught mid-write and pids that died unrecorded), the event ring with its
// counted gaps, finding sessions by name and pid, inspector registration and step-mode release.
#include "mp_test_main.hpp"
#include "scope_test_support.hpp"

#include <mp/errors.hpp>
#include <mp/scope/session.hpp>

#include "expect_error.hpp"

#include <QScopeGuard>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace mp::scope;
using test_support::TestArena;
using test_support::L::ObjectKind;
using test_support::L::Op;
using test_support::L::ProcState;
namespace L = test_support::L;

namespace {

const ProcessInfo& process_of(const Snapshot& s, ProcessId id) {
    const ProcessInfo* p = s.process(id);
    if (!p) qFatal("no process %u in the snapshot", id);
    return *p;
}

const ObjectInfo& object_of(const Snapshot& s, ObjectId id) {
    const ObjectInfo* o = s.object(id);
    if (!o) qFatal("no object %u in the snapshot", id);
    return *o;
}

// A child that is already gone and reaped: its pid names nobody (until reused, which takes long).
int reaped_pid() {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return static_cast<int>(pid);
}

double elapsed_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// What the writer's park() does: publish the parked op, wait for a ticket or step mode off, clear it.
void park_like_the_writer(TestArena& a, std::uint32_t serial, Op op, std::uint32_t object) {
    L::ProcessSlot& slot = a.process(serial);
    L::Header& h = a.header();
    const std::uint32_t ticket = slot.park_ticket.load(std::memory_order_acquire);
    {
        test_support::SeqWrite w(slot.park_seq);
        slot.park_object.store(object, std::memory_order_release);
        slot.park_thread.store(1, std::memory_order_release);
        slot.park_op.store(static_cast<std::uint32_t>(op), std::memory_order_release);
    }
    h.park_seq.fetch_add(1, std::memory_order_release);
    mp::detail::futex_wake_all(h.park_seq);
    while (h.step_mode.load(std::memory_order_acquire) != 0 &&
           slot.park_ticket.load(std::memory_order_acquire) == ticket)
        mp::detail::futex_wait(slot.park_ticket, ticket, mp::detail::monotonic_ns() + 100'000'000);
    {
        test_support::SeqWrite w(slot.park_seq);
        slot.park_op.store(0, std::memory_order_release);
    }
    h.park_seq.fetch_add(1, std::memory_order_release);
    mp::detail::futex_wake_all(h.park_seq);
}

} // namespace

class TestScopeReader : public QObject {
    Q_OBJECT
private slots:
    void processesWaitsAndParking() {
        TestArena a;
        const int pid = static_cast<int>(::getpid());
        a.add_process(1, "MainProcess", pid, ProcState::Running, L::kProcMain);
        a.add_process(2, "Process-1", pid, ProcState::Running, L::kProcDaemon, 1, "spawn", "worker");
        a.add_process(3, "Process-2", 0, ProcState::Starting, 0, 1, "fork");
        a.add_process(4, "Process-3", pid, ProcState::Running, 0, 1, "forkserver");
        a.ended(4, ProcState::Exited, 3);
        a.add_process(5, "Process-4", pid, ProcState::Running, 0, 1, "fork");
        a.ended(5, ProcState::Killed, -9);
        a.wait(2, 0, Op::Acquire, 10, 1.5);
        a.wait(2, 1, Op::Put, 12, 0.5, 2, L::kWaitInternal, 0, a.ns_ago(-2.0));
        a.wait(1, 3, Op::Join, 0, 2.0, 1, L::kWaitMainThread, 2);
        a.wait(5, 0, Op::Acquire, 10, 3.0); // left behind by the kill
        L::WaitRecord& done = a.wait(1, 4, Op::Get, 12, 1.0);
        done.op.store(0); // a finished wait keeps its thread but has no op
        a.process(1).park_op.store(static_cast<std::uint32_t>(Op::Acquire));
        a.process(1).park_object.store(10);
        a.process(1).park_thread.store(1);

        // Enough CPU time for /proc to count a few clock ticks.
        const auto t0 = std::chrono::steady_clock::now();
        for (volatile double x = 0; elapsed_since(t0) < 0.05;)
            x = x + 1;
        Session session = Session::attach(a.name());
        QCOMPARE(session.name(), a.name());
        const Snapshot s = session.snapshot();
        QCOMPARE(s.processes.size(), size_t(5));
        QVERIFY(s.time > 0 && s.time < 60);

        const ProcessInfo& main = process_of(s, 1);
        QCOMPARE(main.name, std::string("MainProcess"));
        QCOMPARE(main.pid, pid);
        QVERIFY(main.main && !main.daemon);
        QCOMPARE(main.state, ProcessState::Running);
        QVERIFY(main.cpu_seconds > 0);
        QCOMPARE(main.waits.size(), size_t(1));
        QCOMPARE(main.waits[0].op, std::string("join"));
        QCOMPARE(main.waits[0].target, ProcessId(2));
        QVERIFY(main.parked.has_value());
        QCOMPARE(main.parked->op, std::string("acquire"));
        QCOMPARE(main.parked->object, ObjectId(10));

        const ProcessInfo& child = process_of(s, 2);
        QCOMPARE(child.start_method, std::string("spawn"));
        QCOMPARE(child.target, std::string("worker"));
        QCOMPARE(child.parent, ProcessId(1));
        QVERIFY(child.daemon && !child.main);
        QCOMPARE(child.waits.size(), size_t(2));
        QCOMPARE(child.main_wait(), &child.waits[0]);
        QCOMPARE(child.waits[0].op, std::string("acquire"));
        QCOMPARE(child.waits[0].object, ObjectId(10));
        QVERIFY(!child.waits[0].deadline);
        QVERIFY(std::abs(s.time - child.waits[0].since - 1.5) < 0.5);
        QVERIFY(child.created < child.started);
        QCOMPARE(child.waits[1].op, std::string("put"));
        QCOMPARE(child.waits[1].thread, 2u);
        QVERIFY(child.waits[1].internal && !child.waits[1].main_thread);
        QVERIFY(child.waits[1].deadline && std::abs(*child.waits[1].deadline - s.time - 2.0) < 0.5);
        QVERIFY(!child.parked);

        QCOMPARE(process_of(s, 3).state, ProcessState::Starting); // no pid yet: nothing to check
        QCOMPARE(process_of(s, 4).state, ProcessState::Exited);
        QCOMPARE(process_of(s, 4).exitcode, std::optional<int>(3));
        QVERIFY(process_of(s, 4).ended.has_value());
        QCOMPARE(process_of(s, 5).state, ProcessState::Killed);
        QCOMPARE(process_of(s, 5).exitcode, std::optional<int>(-9));
        QCOMPARE(process_of(s, 5).cpu_seconds, 0.0);
        QVERIFY(process_of(s, 5).waits.empty());

        QCOMPARE(s.session.name, a.name());
        QCOMPARE(s.session.creator_pid, pid);
        QCOMPARE(s.session.main_name, std::string("MainProcess"));
        QCOMPARE(s.session.processes, 5u);
        QCOMPARE(s.session.live_processes, 3u);
        QVERIFY(s.session.alive);
        QCOMPARE(s.observe_level, std::string("basic"));
        QVERIFY(!s.step_mode);
    }

    void objectStates() {
        TestArena a;
        a.add_process(1, "MainProcess", static_cast<int>(::getpid()), ProcState::Running, L::kProcMain);
        a.add_lock(1, 10, "Lock-1", 2, {1, 2});
        a.add_object(2, 11, ObjectKind::Lock, "Lock-2", {1}, [](auto& s) {
            s.sem.recovered_from.store(4);
            s.sem.recovered_from_pid.store(4321);
            s.sem.waiters.store(2);
        });
        a.add_object(3, 12, ObjectKind::RLock, "RLock-1", {}, [](auto& s) {
            s.sem.word.store(1);
            s.sem.owner_thread.store(3);
            s.sem.count.store(3);
        });
        a.add_object(4, 13, ObjectKind::BoundedSemaphore, "sem", {1, 2}, [](auto& s) {
            s.sem.word.store(1);
            s.sem.maxvalue.store(3);
            s.sem.holders[0].process.store(2);
            s.sem.holders[0].units.store(2);
            s.sem.holders_overflow.store(1);
        });
        a.add_object(5, 14, ObjectKind::Condition, "Condition-1", {}, [](auto& s) {
            s.cond.lock_serial.store(12);
            s.cond.sleeping.value.store(5);
            s.cond.woken.value.store(3);
        });
        a.add_object(6, 15, ObjectKind::Event, "Event-1", {}, [](auto& s) {
            s.event.generation.store(7); // set (bit 0), raised three times
            s.event.waiters.store(2);
        });
        a.add_object(7, 16, ObjectKind::Barrier, "Barrier-1", {}, [](auto& s) {
            s.barrier.parties.store(3);
            s.barrier.count.store(2);
            s.barrier.generation.store(7);
        });
        const std::uint64_t value_data = a.segment().allocate(sizeof(std::int32_t), "test");
        const std::int32_t answer = -42;
        std::memcpy(a.segment().at(value_data), &answer, sizeof answer);
        a.add_object(8, 17, ObjectKind::Value, "Value-1", {}, [&](auto& s) {
            s.array.data_offset.store(value_data);
            s.array.length.store(1);
            s.array.itemsize.store(4);
            s.array.typecode.store('i');
            s.array.lock_serial.store(12);
        });
        const double doubles[3] = {0.5, 1.5, 2.5};
        const std::uint64_t array_data = a.segment().allocate(sizeof doubles, "test");
        std::memcpy(a.segment().at(array_data), doubles, sizeof doubles);
        a.add_object(9, 18, ObjectKind::Array, "Array-1", {}, [&](auto& s) {
            s.array.data_offset.store(array_data);
            s.array.length.store(3);
            s.array.itemsize.store(8);
            s.array.typecode.store('d');
            for (std::uint32_t i = 0; i < 10; ++i) {
                auto& w = s.array.recent[i % 8];
                w.index.store(i % 3);
                w.process.store(1);
                w.time_ns.store(a.ns_ago(1.0 - 0.01 * i));
            }
            s.array.writes_head.store(10);
        });
        // struct { double x; int y; } — padded to 16 bytes, as ctypes lays it out.
        unsigned char points[32] = {};
        const double xs[2] = {1.25, -3.0};
        const std::int32_t ys[2] = {7, 9};
        for (int i = 0; i < 2; ++i) {
            std::memcpy(points + 16 * i, &xs[i], 8);
            std::memcpy(points + 16 * i + 8, &ys[i], 4);
        }
        const std::uint64_t struct_data = a.segment().allocate(sizeof points, "test");
        std::memcpy(a.segment().at(struct_data), points, sizeof points);
        const std::uint64_t layout = a.segment().allocate(16, "test");
        std::strcpy(static_cast<char*>(a.segment().at(layout)), "x:d,y:i");
        a.add_object(10, 19, ObjectKind::Array, "Array-2", {}, [&](auto& s) {
            s.array.data_offset.store(struct_data);
            s.array.layout_offset.store(layout);
            s.array.length.store(2);
            s.array.itemsize.store(16);
            s.array.typecode.store('T');
        });
        a.add_object(11, 20, ObjectKind::Pool, "Pool-1");
        L::ObjectSlot& internal = a.add_object(12, 21, ObjectKind::Lock, "Lock-3");
        internal.flags.store(L::kObjInternal);
        // Rows being created or freed are not objects yet / any more.
        a.add_object(13, 22, ObjectKind::Lock, "Lock-4").serial.store(L::kSerialCreating);
        a.add_object(14, 23, ObjectKind::Lock, "Lock-5").kind.store(0);
        L::ObjectSlot& bad = a.add_object(15, 24, ObjectKind::Array, "Array-3", {}, [](auto& s) {
            s.array.data_offset.store(1); // inside the header, not the heap
            s.array.length.store(2);
            s.array.itemsize.store(8);
            s.array.typecode.store('d');
        });
        bad.users_overflow.store(1);

        const Snapshot s = Session::attach(a.name()).snapshot();
        QCOMPARE(s.objects.size(), size_t(13));

        const ObjectInfo& lock = object_of(s, 10);
        QCOMPARE(lock.kind, std::string("Lock"));
        QCOMPARE(lock.name, std::string("Lock-1"));
        QCOMPARE(lock.owner, std::optional<ProcessId>(2));
        QCOMPARE(lock.owner_thread, 1u);
        QCOMPARE(lock.depth, 1u);
        QCOMPARE(lock.value, std::int64_t(0));
        QCOMPARE(lock.users, (std::vector<ProcessId>{1, 2}));
        QVERIFY(lock.users_complete);
        QCOMPARE(lock.holders.size(), size_t(1));
        QCOMPARE(lock.creator, ProcessId(1));
        QCOMPARE(lock.ops, std::uint64_t(7));

        const ObjectInfo& recovered = object_of(s, 11);
        QVERIFY(!recovered.owner);
        QCOMPARE(recovered.value, std::int64_t(1));
        QCOMPARE(recovered.recovered_from, std::optional<ProcessId>(4));
        QCOMPARE(recovered.recovered_from_pid, 4321);
        QCOMPARE(recovered.waiters, 2u);

        const ObjectInfo& rlock = object_of(s, 12);
        QCOMPARE(rlock.owner_thread, 3u);
        QCOMPARE(rlock.depth, 3u);

        const ObjectInfo& sem = object_of(s, 13);
        QCOMPARE(sem.value, std::int64_t(1));
        QCOMPARE(sem.maxvalue, std::int64_t(3));
        QCOMPARE(sem.holders.size(), size_t(1));
        QCOMPARE(sem.holders[0].process, ProcessId(2));
        QCOMPARE(sem.holders[0].units, 2u);
        QVERIFY(!sem.holders_complete);

        QCOMPARE(object_of(s, 14).lock, ObjectId(12));
        QCOMPARE(object_of(s, 14).sleepers, 2u);
        QVERIFY(object_of(s, 15).flag);
        QCOMPARE(object_of(s, 15).waiters, 2u);

        const ObjectInfo& barrier = object_of(s, 16);
        QCOMPARE(barrier.parties, 3u);
        QCOMPARE(barrier.n_waiting, 2u);
        QCOMPARE(barrier.generation, 7u);
        QCOMPARE(barrier.barrier_state, std::string("filling"));
        QVERIFY(!barrier.broken);

        const ObjectInfo& value = object_of(s, 17);
        QCOMPARE(value.typecode, 'i');
        QCOMPARE(value.data, std::vector<double>{-42});
        QCOMPARE(value.lock, ObjectId(12));

        const ObjectInfo& array = object_of(s, 18);
        QCOMPARE(array.data, (std::vector<double>{0.5, 1.5, 2.5}));
        QCOMPARE(array.recent_writes.size(), size_t(8));
        QCOMPARE(array.recent_writes.front().index, 2u); // write #2 is the oldest kept
        QCOMPARE(array.recent_writes.back().index, 0u);  // write #9
        QVERIFY(array.recent_writes.front().time < array.recent_writes.back().time);

        const ObjectInfo& points_info = object_of(s, 19);
        QCOMPARE(points_info.typecode, 'T');
        QCOMPARE(points_info.fields, std::string("x:d,y:i"));
        QCOMPARE(points_info.data, (std::vector<double>{1.25, 7, -3.0, 9}));

        QCOMPARE(object_of(s, 20).kind, std::string("Pool"));

        QVERIFY(object_of(s, 21).internal);
        QVERIFY(!object_of(s, 20).internal);
        QVERIFY(!s.object(22));
        QVERIFY(!s.object(23));
        QVERIFY(object_of(s, 24).data.empty()); // an offset outside the heap is not followed
        QVERIFY(!object_of(s, 24).users_complete);
    }

    void deadPidsAreVanished() {
        TestArena a;
        const int pid = static_cast<int>(::getpid());
        a.add_process(1, "MainProcess", pid, ProcState::Running, L::kProcMain);
        a.add_process(2, "Process-1", reaped_pid(), ProcState::Running);
        // A pid that now belongs to a process started at another time.
        a.add_process(3, "Process-2", pid, ProcState::Running)
            .start_ticks.store(test_support::start_ticks_of(pid) + 1);
        // A zombie: dead, not yet reaped by its parent.
        pid_t zombie = ::fork();
        if (zombie == 0) ::_exit(0);
        for (int i = 0; i < 500; ++i) {
            auto st = mp::detail::read_proc_stat(zombie);
            if (st && st->state == 'Z') break;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        a.add_process(4, "Process-3", static_cast<int>(zombie), ProcState::Starting);

        const Snapshot s = Session::attach(a.name()).snapshot();
        ::waitpid(zombie, nullptr, 0);
        QCOMPARE(process_of(s, 1).state, ProcessState::Running);
        for (ProcessId id : {2u, 3u, 4u}) {
            QCOMPARE(process_of(s, id).state, ProcessState::Vanished);
            QVERIFY(!process_of(s, id).exitcode);
            QVERIFY(!process_of(s, id).alive());
        }
        QCOMPARE(s.session.live_processes, 1u);
        // The reader only reports it; the row itself is the writer's to change.
        QCOMPARE(a.process(2).state.load(), static_cast<std::uint32_t>(ProcState::Running));
    }

    void tornSeqlocksAreRetried() {
        TestArena a;
        const int pid = static_cast<int>(::getpid());
        L::ProcessSlot& slot = a.add_process(1, "MainProcess", pid, ProcState::Running, L::kProcMain);
        Session session = Session::attach(a.name());

        // A wait record caught mid-write is left out, never guessed at; once written it shows.
        L::WaitRecord& r = a.wait(1, 0, Op::Acquire, 10, 1.0);
        r.seq.fetch_add(1);
        QVERIFY(session.snapshot().processes[0].waits.empty());
        r.seq.fetch_add(1);
        QCOMPARE(session.snapshot().processes[0].waits.size(), size_t(1));
        // Names are never shown half-written: while the writer stays inside its write (it died there)
        // the process goes by its serial.
        slot.meta_seq.fetch_add(1);
        QCOMPARE(session.snapshot().processes[0].name, std::string("process #1"));
        slot.meta_seq.fetch_add(1);
        QCOMPARE(session.snapshot().processes[0].name, std::string("MainProcess"));

        // A slow writer rewriting the name and the wait all the time, back to front and pausing half-way so
        // that a reader not checking its seqlock would see a mix: every snapshot sees one whole version.
        std::atomic<bool> stop{false};
        std::atomic<std::uint32_t> rounds{0};
        auto pause = [] {
            for (int i = 0; i < 200; ++i)
                std::atomic_signal_fence(std::memory_order_seq_cst); // kept: the compiler may not drop it
        };
        std::thread writer([&] {
            for (std::uint32_t n = 0; !stop.load(std::memory_order_relaxed); n = ++rounds) {
                {
                    test_support::SeqWrite w(slot.meta_seq);
                    for (int i = 62; i >= 0; --i) {
                        std::atomic_ref<char>(slot.name[i])
                            .store(n % 2 ? 'A' : 'B', std::memory_order_release);
                        if (i == 31) pause();
                    }
                }
                test_support::SeqWrite w(r.seq);
                r.target.store(n % 2 ? 10 : 11, std::memory_order_release);
                pause();
                r.object.store(n % 2 ? 10 : 11, std::memory_order_release);
                r.op.store(static_cast<std::uint32_t>(n % 2 ? Op::Acquire : Op::EventWait),
                           std::memory_order_release);
            }
        });
        const auto finish = qScopeGuard([&] {
            stop = true;
            writer.join();
        });
        while (rounds.load() < 2)
            std::this_thread::yield();
        int whole = 0, whole_names = 0;
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < 5000 && elapsed_since(t0) < 2.0; ++i) {
            const Snapshot s = session.snapshot();
            const ProcessInfo& p = s.processes.at(0);
            // By its serial when every bounded retry met the writer inside its write.
            QVERIFY2(p.name == std::string(63, 'A') || p.name == std::string(63, 'B') ||
                         p.name == "process #1",
                     p.name.c_str());
            whole_names += p.name != "process #1";
            for (const Wait& w : p.waits) {
                QCOMPARE(w.object, w.target);
                QCOMPARE(w.op, std::string(w.object == 10 ? "acquire" : "event_wait"));
                ++whole;
            }
        }
        QVERIFY(whole > 0);
        QVERIFY(whole_names > 0);
    }

    void eventsSinceCountsOverwrittenEvents() {
        TestArena a;
        Session session = Session::attach(a.name());
        QCOMPARE(session.events_since(0).events.size(), size_t(0));
        for (int i = 0; i < 40; ++i)
            a.add_event(Op::Acquire, 1, static_cast<std::uint32_t>(100 + i), i);
        QCOMPARE(session.event_head(), std::uint64_t(40));

        // Capacity 16: events 0..23 were overwritten before anyone read them.
        Events e = session.events_since(0);
        QCOMPARE(e.dropped, std::uint64_t(24));
        QCOMPARE(e.next, std::uint64_t(40));
        QCOMPARE(e.events.size(), size_t(16));
        for (std::size_t i = 0; i < e.events.size(); ++i) {
            const Event& ev = e.events[i];
            QCOMPARE(ev.seq, std::uint64_t(24 + i));
            QCOMPARE(ev.arg, std::int32_t(24 + i));
            QCOMPARE(ev.object, ObjectId(124 + i));
            QCOMPARE(ev.process, ProcessId(1));
            QCOMPARE(ev.op, std::string("acquire"));
            QCOMPARE(ev.thread, 1u);
            QVERIFY(ev.time >= 0 && ev.time < 60);
        }

        e = session.events_since(30, 4);
        QCOMPARE(e.events.size(), size_t(4));
        QCOMPARE(e.events.front().seq, std::uint64_t(30));
        QCOMPARE(e.next, std::uint64_t(34));
        QCOMPARE(e.dropped, std::uint64_t(0));

        // An event still being written stops the read there, to be read on later.
        L::EventRecord& r36 = a.segment().event_at(36);
        r36.stamp.store(2 * 36 + 1);
        e = session.events_since(30);
        QCOMPARE(e.events.size(), size_t(6));
        QCOMPARE(e.next, std::uint64_t(36));
        r36.stamp.store(2 * 36 + 2);
        // One overwritten by a writer a lap ahead while it was read counts as dropped.
        a.segment().event_at(38).stamp.store(2 * (38 + 16) + 1);
        e = session.events_since(36);
        QCOMPARE(e.dropped, std::uint64_t(1));
        QCOMPARE(e.events.size(), size_t(3));
        QCOMPARE(e.events[2].seq, std::uint64_t(39));
        QCOMPARE(e.next, std::uint64_t(40));

        e = session.events_since(40);
        QVERIFY(e.events.empty());
        QCOMPARE(e.next, std::uint64_t(40));
        QCOMPARE(session.events_since(1000).next, std::uint64_t(40));
    }

    void listAndAttach() {
        TestArena a;
        const int pid = static_cast<int>(::getpid());
        a.add_process(1, "MainProcess", pid, ProcState::Running, L::kProcMain);
        a.add_process(2, "Process-1", reaped_pid(), ProcState::Running);
        // A file with the prefix that is no arena is skipped, not an error.
        const std::string junk = "mpscope-test-" + std::to_string(pid) + "-junk";
        int fd = ::shm_open(("/" + junk).c_str(), O_RDWR | O_CREAT, 0600);
        QVERIFY(fd >= 0);
        QCOMPARE(::write(fd, "not an arena", 12), ssize_t(12));
        ::close(fd);
        const auto infos = Session::list();
        ::shm_unlink(("/" + junk).c_str());
        const SessionInfo* mine = nullptr;
        for (const SessionInfo& i : infos) {
            QVERIFY(i.name != junk);
            if (i.name == a.name()) mine = &i;
        }
        QVERIFY(mine);
        QVERIFY(mine->alive);
        QCOMPARE(mine->creator_pid, pid);
        QCOMPARE(mine->main_name, std::string("MainProcess"));
        QCOMPARE(mine->processes, 2u);
        QCOMPARE(mine->live_processes, 1u);
        QVERIFY(mine->age >= 0 && mine->age < 60);
        QVERIFY(mine->created_unix_ns > 0);

        QCOMPARE(Session::attach("/dev/shm/" + a.name()).name(), a.name());
        QCOMPARE(Session::attach(std::to_string(pid)).name(), a.name());
        QVERIFY(Session::attach(a.name()).alive());

        const int gone = reaped_pid();
        QVERIFY(test_support::throws_with<mp::ValueError>([&] { Session::attach(std::to_string(gone)); },
                                                          "no process has pid " + std::to_string(gone)));
        // A live process outside every session (the one that the dead Process-1 row names is gone).
        pid_t outsider = ::fork();
        if (outsider == 0) {
            ::pause();
            ::_exit(0);
        }
        const bool outsider_rejected = test_support::throws_with<mp::ValueError>(
            [&] { Session::attach(std::to_string(outsider)); },
            "process " + std::to_string(outsider) +
                " is not part of any live mpscope session (it has no session arena in /dev/shm)");
        ::kill(outsider, SIGKILL);
        ::waitpid(outsider, nullptr, 0);
        QVERIFY(outsider_rejected);
        QVERIFY(test_support::throws_with<mp::ValueError>([] { Session::attach(""); },
                                                          "a session name or a pid is needed"));
        QVERIFY(test_support::throws_with<mp::ValueError>([] { Session::attach("99999999999"); },
                                                          "'99999999999' is not a valid pid"));
        QVERIFY(test_support::throws_with<mp::OSError>(
            [] { Session::attach("mpscope-no-such-session"); },
            "cannot attach to session 'mpscope-no-such-session': No such file or directory"));

        // Ended by its tracker: listed as such.
        a.header().ended.store(1);
        for (const SessionInfo& i : Session::list())
            if (i.name == a.name()) QVERIFY(!i.alive);
    }

    void inspectorRegistration() {
        TestArena a;
        {
            Session plain = Session::attach(a.name());
            QVERIFY(!plain.inspecting());
            QCOMPARE(a.header().readers.load(), 0u);
            Session inspector = Session::attach(a.name(), {.inspect = true});
            QVERIFY(inspector.inspecting());
            QCOMPARE(a.header().readers.load(), 1u);
            QCOMPARE(inspector.snapshot().observe_level, std::string("full"));
            Session moved(std::move(inspector));
            QCOMPARE(a.header().readers.load(), 1u);
            plain = std::move(moved); // the plain session goes, the registration moves on
            QVERIFY(plain.inspecting());
            QCOMPARE(a.header().readers.load(), 1u);
        }
        QCOMPARE(a.header().readers.load(), 0u);
    }

    void stepModeParkAndRelease() {
        TestArena a;
        const int pid = static_cast<int>(::getpid());
        a.add_process(1, "MainProcess", pid, ProcState::Running, L::kProcMain);
        Session session = Session::attach(a.name());
        std::uint32_t seen = session.park_seq();

        session.set_step_mode(true);
        QVERIFY(session.step_mode());
        QCOMPARE(a.header().step_mode.load(), 1u);
        QVERIFY(session.wait_for_change(seen, 1.0)); // the controller's own change shows too
        auto t0 = std::chrono::steady_clock::now();
        QVERIFY(!session.wait_for_change(seen, 0.05));
        QVERIFY(elapsed_since(t0) >= 0.04);

        std::atomic<bool> released{false};
        std::thread process([&] {
            park_like_the_writer(a, 1, Op::Acquire, 10);
            released = true;
        });
        QVERIFY(session.wait_for_change(seen, 5.0));
        Snapshot s = session.snapshot();
        QVERIFY(s.step_mode);
        QVERIFY(s.processes[0].parked.has_value());
        QCOMPARE(s.processes[0].parked->op, std::string("acquire"));
        QCOMPARE(s.processes[0].parked->object, ObjectId(10));
        QVERIFY(!released);

        t0 = std::chrono::steady_clock::now();
        session.release(1);
        process.join();
        QVERIFY(released);
        QVERIFY(elapsed_since(t0) < 0.09); // woken, not found by the writer's 100 ms poll
        QVERIFY(session.wait_for_change(seen, 1.0));
        QVERIFY(!session.snapshot().processes[0].parked);

        QVERIFY(test_support::throws_with<mp::ValueError>(
            [&] { session.release(99); }, "session '" + a.name() + "' has no process with id 99"));

        // Turning step mode off lets every parked process go.
        released = false;
        std::thread again([&] {
            park_like_the_writer(a, 1, Op::Put, 12);
            released = true;
        });
        while (!session.snapshot().processes[0].parked)
            QVERIFY(session.wait_for_change(seen, 5.0));
        t0 = std::chrono::steady_clock::now();
        session.set_step_mode(false);
        again.join();
        QVERIFY(released);
        QVERIFY(elapsed_since(t0) < 0.09);
        QCOMPARE(a.header().step_mode.load(), 0u);
    }
};

MP_QTEST_MAIN(TestScopeReader)
#include "tst_scope_reader.moc"
