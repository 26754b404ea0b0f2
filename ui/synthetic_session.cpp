#include "synthetic_session.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace mpui {

using mp::scope::ObjectInfo;
using mp::scope::ProcessInfo;
using mp::scope::ProcessState;

namespace {
constexpr std::array<const char*, 12> kKinds{
    "Lock",    "Lock",  "RLock", "Semaphore", "BoundedSemaphore", "Condition", "Event",
    "Barrier", "Value", "Array", "Queue",     "JoinableQueue"};
} // namespace

SyntheticSession::SyntheticSession(int processes, int objects, std::uint32_t seed)
    : rng_(seed) {
    snap_.session.name = "mpscope-synthetic-" + std::to_string(processes) + "x" + std::to_string(objects);
    snap_.session.alive = true;
    snap_.session.main_name = "MainProcess";
    snap_.observe_level = "full";
    for (int i = 0; i < processes; ++i) {
        // A tree: most children of the main process, every eighth a grandchild.
        const mp::scope::ProcessId parent =
            i == 0 ? 0 : (i % 8 == 0 && i > 8 ? static_cast<std::uint32_t>(i - 6) : 1);
        snap_.processes.push_back(makeProcess(parent));
    }
    for (int i = 0; i < objects; ++i)
        snap_.objects.push_back(makeObject());
}

ProcessInfo SyntheticSession::makeProcess(mp::scope::ProcessId parent) {
    ProcessInfo p;
    p.id = nextProcess_++;
    p.pid = pid_++;
    p.parent = parent;
    p.main = parent == 0;
    p.name = p.main ? "MainProcess" : "Process-" + std::to_string(p.id - 1);
    p.start_method = p.main ? "" : "fork";
    p.target = p.main ? "" : "worker";
    p.state = ProcessState::Running;
    p.created = p.started = snap_.time;
    return p;
}

ObjectInfo SyntheticSession::makeObject() {
    ObjectInfo o;
    o.id = nextObject_++;
    o.kind = kKinds[static_cast<std::size_t>(o.id) % kKinds.size()];
    o.name = o.kind + "-" + std::to_string(o.id);
    o.creator = 1;
    o.created = snap_.time;
    if (o.kind == "BoundedSemaphore" || o.kind == "Semaphore") o.maxvalue = o.value = 4;
    if (o.kind == "Barrier") o.parties = 4;
    if (o.kind == "Value" || o.kind == "Array") {
        o.typecode = o.kind == "Value" ? 'd' : 'i';
        o.length = o.kind == "Value" ? 1 : 64;
        o.itemsize = o.kind == "Value" ? 8 : 4;
        o.data.assign(o.length, 0);
    }
    if (o.kind == "Queue" || o.kind == "JoinableQueue") {
        o.capacity_bytes = 65536;
        o.maxsize = o.id % 2 ? 32 : 0;
    }
    return o;
}

mp::scope::ProcessId SyntheticSession::anyLiveProcess() {
    for (int tries = 0; tries < 8; ++tries) {
        const ProcessInfo& p =
            snap_.processes[static_cast<std::size_t>(below(static_cast<int>(snap_.processes.size())))];
        if (p.alive()) return p.id;
    }
    return 1;
}

void SyntheticSession::mutate(ObjectInfo& o) {
    o.ops += 1 + static_cast<std::uint64_t>(below(20));
    const std::string& k = o.kind;
    if (k == "Lock" || k == "RLock") {
        if (o.owner) {
            o.owner.reset();
            o.value = 1;
            o.holders.clear();
        } else {
            o.owner = anyLiveProcess();
            o.owner_thread = 1;
            o.value = 0;
            o.depth = k == "RLock" ? 1 + static_cast<std::uint32_t>(below(3)) : 0;
            o.holders = {{*o.owner, o.depth ? o.depth : 1}};
        }
    } else if (k == "Semaphore" || k == "BoundedSemaphore") {
        o.value = std::clamp<std::int64_t>(o.value + (below(2) ? 1 : -1), 0, o.maxvalue);
        o.waiters = o.value == 0 ? static_cast<std::uint32_t>(below(3)) : 0;
    } else if (k == "Condition") {
        o.sleepers = static_cast<std::uint32_t>(below(4));
    } else if (k == "Event") {
        o.flag = !o.flag;
    } else if (k == "Barrier") {
        o.n_waiting = (o.n_waiting + 1) % o.parties;
        if (o.n_waiting == 0) ++o.generation;
        o.barrier_state = "filling";
    } else if (k == "Value" || k == "Array") {
        for (int w = 0; w < 3; ++w) {
            const auto index = static_cast<std::uint32_t>(below(static_cast<int>(o.length)));
            o.data[index] += below(200) - 100;
            o.recent_writes.push_back({index, anyLiveProcess(), snap_.time});
        }
        if (o.recent_writes.size() > 8)
            o.recent_writes.erase(o.recent_writes.begin(), o.recent_writes.end() - 8);
    } else if (k == "Queue" || k == "JoinableQueue") {
        const int limit = o.maxsize ? static_cast<int>(o.maxsize) : 400;
        o.items = static_cast<std::uint32_t>(std::clamp(static_cast<int>(o.items) + below(7) - 3, 0, limit));
        o.used_bytes = o.items * 96ull;
        o.free_slots = o.maxsize ? o.maxsize - o.items : 0;
        if (k == "JoinableQueue") o.unfinished = o.items;
        o.feeders.clear();
        if (below(4) == 0)
            o.feeders.push_back({anyLiveProcess(), static_cast<std::uint32_t>(below(5)), 480, false, false});
    }
}

void SyntheticSession::step(double dt, int events) {
    snap_.time += dt;
    snap_.session.age = snap_.time;
    for (ObjectInfo& o : snap_.objects)
        if (below(2) == 0) mutate(o);
    std::vector<mp::scope::ObjectId> lockish;
    for (const ObjectInfo& o : snap_.objects)
        if (o.kind == "Lock" || o.kind == "Semaphore") lockish.push_back(o.id);
    for (ProcessInfo& p : snap_.processes) {
        if (!p.alive()) continue;
        p.cpu_seconds += dt * (below(100) / 100.0);
        // Waits start now and last a few refreshes, some long enough to count as settled.
        if (!p.waits.empty() && below(10) == 0) {
            p.waits.clear();
        } else if (p.waits.empty() && !lockish.empty() && below(4) == 0) {
            mp::scope::Wait w;
            w.thread = 1;
            w.main_thread = true;
            w.op = "acquire";
            w.object = lockish[static_cast<std::size_t>(below(static_cast<int>(lockish.size())))];
            w.since = snap_.time;
            p.waits.push_back(w);
        }
    }
    if (churn_ && below(4) == 0) {
        // One child ends, another starts; one object is freed, another made.
        for (ProcessInfo& p : snap_.processes)
            if (!p.main && p.alive() && below(8) == 0) {
                p.state = below(2) ? ProcessState::Exited : ProcessState::Killed;
                p.exitcode = p.state == ProcessState::Exited ? 0 : -15;
                p.ended = snap_.time;
                p.waits.clear();
                break;
            }
        snap_.processes.push_back(makeProcess(anyLiveProcess()));
        if (snap_.processes.size() > 200) {
            auto gone = std::find_if(snap_.processes.begin(), snap_.processes.end(),
                                     [](const ProcessInfo& p) { return !p.alive(); });
            if (gone != snap_.processes.end()) {
                for (ProcessInfo& child : snap_.processes)
                    if (child.parent == gone->id) child.parent = 1;
                snap_.processes.erase(gone);
            }
        }
        if (!snap_.objects.empty())
            snap_.objects.erase(snap_.objects.begin() + below(static_cast<int>(snap_.objects.size())));
        snap_.objects.push_back(makeObject());
    }
    static constexpr std::array<const char*, 6> ops{"acquire", "release", "put", "get", "write", "set"};
    for (int i = 0; i < events; ++i) {
        mp::scope::Event e;
        e.seq = seq_++;
        e.time = snap_.time - dt + dt * i / std::max(events, 1);
        e.process = anyLiveProcess();
        e.object =
            snap_.objects.empty()
                ? 0
                : snap_.objects[static_cast<std::size_t>(below(static_cast<int>(snap_.objects.size())))].id;
        e.op = ops[static_cast<std::size_t>(below(static_cast<int>(ops.size())))];
        e.thread = 1;
        events_.push_back(std::move(e));
    }
    snap_.event_head = seq_;
    std::uint32_t live = 0;
    for (const ProcessInfo& p : snap_.processes)
        live += p.alive() ? 1 : 0;
    snap_.session.processes = static_cast<std::uint32_t>(snap_.processes.size());
    snap_.session.live_processes = live;
}

std::vector<mp::scope::Event> SyntheticSession::takeEvents() {
    return std::exchange(events_, {});
}

} // namespace mpui
