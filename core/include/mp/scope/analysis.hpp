#pragma once
// The wait-for graph of a snapshot and the deadlock diagnosis: one implementation for the GUI and
// mpscope-inspect. Pure functions of a Snapshot, so they are tested on hand-built snapshots.
#include "mp/scope/snapshot.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mp::scope {

// ---- diagnosis -----------------------------------------------------------------------------------------

enum class DiagnosisKind {
    LockCycle,       // processes each holding a lock the next one waits for (joins may close the cycle)
    DeadHolder,      // waits for a lock whose holder is gone
    JoinChain,       // joins a process that is stuck, possibly through further joins or lock waits
    LockChain,       // waits for a lock held by a stuck process (no join on the way)
    Unsatisfiable,   // a barrier/semaphore/condition/event/queue wait every possible releaser of which is
                     // blocked or gone
    JoinBeforeDrain, // Unsatisfiable on a queue: a joiner waits for a process that cannot finish before
                     // the joiner reads what it put
    QueueCycle,      // processes each blocked on a queue only the next one could serve (a full queue only
                     // the next one reads, an empty one only the next one puts on)
    Recovered,       // not a deadlock: a lock's holder died holding it and the lock was recovered
};
// "lock_cycle", "dead_holder", "join_chain", "lock_chain", "unsatisfiable", "join_before_drain",
// "queue_cycle", "recovered" (stable identifiers for JSON and translations).
const char* to_string(DiagnosisKind kind) noexcept;
// English title: "Lock cycle", "Lock held by a dead process" ...
const char* title(DiagnosisKind kind) noexcept;

struct ProcessRef {
    ProcessId id = 0;
    std::string name; // "process #<id>" when it is not in the snapshot
    int pid = 0;
    ProcessState state = ProcessState::Vanished;
    std::optional<int> exitcode;
};

struct ObjectRef {
    ObjectId id = 0;
    std::string kind; // ObjectInfo::kind
    std::string name;
};

enum class Relation {
    Holds,    // process holds object (units = units or recursion depth)
    WaitsFor, // process is blocked in `op` on object
    Joins,    // process joins target
};
const char* to_string(Relation relation) noexcept; // "holds", "waits_for", "joins"

struct Step {
    ProcessRef process;
    Relation relation = Relation::WaitsFor;
    std::string op;    // WaitsFor: Wait::op ("acquire", "wait", "barrier_wait", "get" ...)
    ObjectRef object;  // Holds, WaitsFor
    ProcessRef target; // Joins
    // Holds: units or recursion depth. A put or feeder_flush on a queue: the items this process's feeder
    // still holds for it, and their bytes not yet written to the channel.
    std::uint32_t units = 0;
    std::uint64_t bytes = 0;
};

struct Diagnosis {
    DiagnosisKind kind = DiagnosisKind::LockCycle;
    std::vector<ProcessId> processes; // stuck processes it explains, in the order of the steps
    std::vector<ObjectId> objects;    // objects involved
    // What each process holds, waits for or joins. LockCycle: each member's held lock then its wait,
    // from the member with the smallest id round the cycle. JoinChain/LockChain: the links in order, the
    // last step being the root process's own wait. Unsatisfiable/JoinBeforeDrain: the waiters' waits,
    // then the blocked processes that could otherwise release them, with their waits. QueueCycle: each
    // member's queue wait, from the member with the smallest id round the cycle.
    std::vector<Step> steps;
    // Processes that ended and so can no longer release anything: DeadHolder/Recovered: the holder that
    // died (absent when the holder is not known); Unsatisfiable: users or holders that ended.
    std::vector<ProcessRef> gone;
    // JoinChain/LockChain: index, in the same result, of the diagnosis the chain ends in.
    std::optional<std::size_t> cause;

    bool deadlock() const noexcept { return kind != DiagnosisKind::Recovered; }
    // One English sentence, e.g. "Process-1 holds fork-0 and waits for fork-1, held by Process-2, which
    // waits for fork-0, held by Process-1."
    std::string text() const;
};

// Deadlocked processes, named by pattern. Only untimed waits of a process's main thread that are at
// least `min_wait_age` seconds old count: timed waits end by themselves, and younger ones may be the
// ordinary hand-offs of a busy program. A blocked process is deadlocked when no live process outside
// the deadlocked set can release it (greatest fixed point). A queue wait can be released by the queue's
// other users: a get by those that could put, a put or a feeder's flush by those that could get, so
// others blocked the same way on the same queue do not count. Order: lock cycles, dead holders, queue
// cycles, unsatisfiable waits (by object), then chains.
std::vector<Diagnosis> find_deadlocks(const Snapshot& snapshot, double min_wait_age = 0.2);

// Kind Recovered, one per lock whose last holder died holding it (the next acquirer recovered it).
// Notes, not deadlocks.
std::vector<Diagnosis> find_recoveries(const Snapshot& snapshot);

// ---- wait-for graph ------------------------------------------------------------------------------------

struct GraphNode {
    enum class Kind { Process, Object } kind = Kind::Process;
    std::uint32_t id = 0; // ProcessId or ObjectId
    std::string label;    // process or object name
    std::string detail;   // "pid 1234, running" / "Lock"
    bool alive = true;    // processes: still starting or running
    bool deadlocked = false;
};

struct GraphEdge {
    enum class Kind {
        Waits,  // process -> object: a thread blocked in `op`
        HeldBy, // object -> process holding it (units: semaphore units or lock depth)
        Joins,  // process -> joined process
    } kind = Kind::Waits;
    std::size_t from = 0, to = 0; // node indices
    std::string op;
    std::uint32_t thread = 0;
    bool main_thread = false;
    bool timed = false;
    double age = 0; // Waits/Joins: seconds blocked
    std::uint32_t units = 0;
    bool deadlocked = false;
};

struct WaitGraph {
    // Every process; every object that is not internal or that an edge touches.
    std::vector<GraphNode> nodes;
    std::vector<GraphEdge> edges;

    std::optional<std::size_t> process_node(ProcessId id) const noexcept;
    std::optional<std::size_t> object_node(ObjectId id) const noexcept;
};

// The graph with the deadlocked nodes and edges of `diagnoses` marked.
WaitGraph build_wait_graph(const Snapshot& snapshot, const std::vector<Diagnosis>& diagnoses);
// The same with find_deadlocks(snapshot).
WaitGraph build_wait_graph(const Snapshot& snapshot);

} // namespace mp::scope
