#pragma once
// Plain data read from a session arena: what the inspector (GUI, mpscope-inspect, mpscope-run --watch)
// shows. Built by mp::scope::Session::snapshot(); no references into shared memory survive in it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mp::scope {

using ProcessId = std::uint32_t; // serial of a process in its session (never reused); 0: none
using ObjectId = std::uint32_t;  // serial of an object in its session (never reused); 0: none

enum class ProcessState {
    Starting, // created by its parent, not yet running its target
    Running,
    Exited,   // ended with an exit status (exitcode >= 0)
    Killed,   // ended by a signal (exitcode = -signal)
    Vanished, // died without anybody recording how (its pid is gone)
};
const char* to_string(ProcessState state) noexcept;

// One blocked thread of a process.
struct Wait {
    std::uint32_t thread = 0; // thread token in its process; 1 = main thread
    std::string op;           // "acquire", "wait", "join", "get", "put", "barrier_wait", "feeder_flush" ...
    ObjectId object = 0;      // what it waits on (0 for a join)
    ProcessId target = 0;     // the joined process for "join"
    double since = 0;         // seconds since the session started
    std::optional<double> deadline; // seconds since the session started; nullopt: waits for ever
    bool main_thread = false;
    bool internal = false; // a library thread (queue feeder, pool handler), not user code
};

// A process parked in step mode, before the operation it is about to do.
struct Parked {
    std::string op;
    ObjectId object = 0;
    std::uint32_t thread = 0;
};

struct ProcessInfo {
    ProcessId id = 0;
    int pid = 0;
    ProcessId parent = 0;
    std::string name;         // Process-1, MainProcess ...
    std::string start_method; // fork, spawn, forkserver; "" for the main process
    std::string target;       // task name or description
    ProcessState state = ProcessState::Starting;
    std::optional<int> exitcode;
    bool daemon = false;
    bool main = false; // the session's main process
    double created = 0, started = 0;
    std::optional<double> ended;
    std::vector<Wait> waits; // blocked threads
    std::optional<Parked> parked;
    double cpu_seconds = 0; // from /proc; 0 once the process is gone

    bool alive() const noexcept { return state == ProcessState::Starting || state == ProcessState::Running; }
    // The main thread's wait, if it is blocked.
    const Wait* main_wait() const noexcept;
};

struct Holder {
    ProcessId process = 0;
    std::uint32_t units = 0; // semaphore units, or RLock recursion depth
};

struct RecentWrite {
    std::uint32_t index = 0;
    ProcessId process = 0;
    double time = 0;
};

// A process's feeder thread of a queue: items put there and not yet written to the channel.
struct QueueFeederInfo {
    ProcessId process = 0;
    std::uint32_t items = 0;
    std::uint64_t bytes = 0;
    bool flushing = false;  // blocked, waiting for room in the channel
    bool cancelled = false; // cancel_join_thread(): the process won't wait for it at exit
};

// One worker of a pool (a slot of its worker table; a replacement takes its predecessor's slot).
struct PoolWorkerInfo {
    ProcessId process = 0; // its process row (0 while it starts)
    int pid = 0;
    std::string state;            // "empty", "starting", "idle", "working", "exited"
    std::uint32_t generation = 0; // workers started in this slot so far (2 and more: replacements)
    std::uint64_t tasks_done = 0;
    std::string task;      // function of the task it is running ("" when idle)
    std::uint64_t job = 0; // that task's job (one apply, map or imap call) and index in it (a chunk)
    std::int64_t index = 0;
    double startup = 0; // seconds from its launch until its initializer had run (so far, while starting)
    double waiting = 0; // seconds spent idle
    double working = 0; // seconds spent running tasks
    std::optional<int> last_exitcode; // how the worker this slot had before ended
};

struct ObjectInfo {
    ObjectId id = 0;
    std::string kind; // "Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "Event", "Barrier",
                      // "Value", "Array", "Queue", "SimpleQueue", "JoinableQueue", "Pool", "Manager"
    std::string name; // Lock-3, or the user's label
    bool internal = false; // part of another object (a queue's lock ...): hidden from listings
    ProcessId creator = 0;
    double created = 0;
    std::uint64_t ops = 0;
    std::vector<ProcessId> users; // processes holding a reference (may be incomplete: see users_complete)
    bool users_complete = true;

    // Lock, RLock, Semaphore, BoundedSemaphore
    std::optional<ProcessId> owner; // Lock/RLock holder
    std::uint32_t owner_thread = 0;
    std::uint32_t depth = 0; // RLock recursion
    std::int64_t value = 0;  // Semaphore value; Lock/RLock: 1 free, 0 held
    std::int64_t maxvalue = 0;
    std::vector<Holder> holders; // who holds units (semaphores) or the lock
    bool holders_complete = true;
    std::uint32_t waiters = 0;
    std::optional<ProcessId> recovered_from; // last holder that died holding it
    int recovered_from_pid = 0;

    // Condition
    ObjectId lock = 0; // its lock (also Value/Array's lock)
    std::uint32_t sleepers = 0;

    // Event
    bool flag = false;

    // Barrier
    std::uint32_t parties = 0;
    std::uint32_t n_waiting = 0;
    bool broken = false;
    std::uint32_t generation = 0;
    std::string barrier_state; // "filling", "draining", "resetting", "broken"

    // Value, Array
    char typecode = 0; // 'i', 'd' ..., 'T' for a struct
    std::uint32_t length = 0;
    std::uint32_t itemsize = 0;
    std::string fields;       // struct layout "x:d,y:d", empty for scalars
    std::vector<double> data; // element values (struct arrays: fields flattened)
    std::vector<RecentWrite> recent_writes;

    // Queues
    std::uint64_t capacity_bytes = 0;
    std::uint64_t used_bytes = 0;
    std::uint32_t items = 0;
    std::uint32_t maxsize = 0;
    std::uint32_t free_slots = 0;
    std::uint32_t unfinished = 0;
    std::vector<QueueFeederInfo> feeders; // per process: what its feeder thread still has to write
    bool feeders_complete = true;

    // Pool
    std::string pool_state; // "RUN", "CLOSE", "TERMINATE"
    std::uint32_t pool_size = 0;
    std::uint32_t maxtasksperchild = 0; // 0: unlimited
    std::uint64_t tasks_queued = 0;     // submitted, not yet taken by a worker
    std::uint64_t tasks_completed = 0;
    std::uint64_t tasks_lost = 0;          // their worker died holding them
    std::uint32_t results_outstanding = 0; // jobs not yet complete
    std::uint32_t workers_started = 0;
    std::uint32_t workers_replaced = 0;
    std::vector<PoolWorkerInfo> workers;
};

struct Event {
    std::uint64_t seq = 0;
    double time = 0; // seconds since the session started
    ProcessId process = 0;
    ObjectId object = 0;
    std::string op;
    std::int32_t arg = 0;
    std::uint32_t thread = 0;
};

struct Events {
    std::vector<Event> events;
    std::uint64_t next = 0;    // pass back to read on
    std::uint64_t dropped = 0; // events overwritten before they were read (a counted gap)
};

struct SessionInfo {
    std::string name; // mpscope-<pid>-<random>
    int creator_pid = 0;
    double age = 0; // seconds
    std::int64_t created_unix_ns = 0;
    bool alive = false; // some process of it is still running
    std::string main_name;
    std::uint32_t processes = 0;      // registered so far
    std::uint32_t live_processes = 0; // of those, still starting or running
};

struct Snapshot {
    SessionInfo session;
    double time = 0; // seconds since the session started, when taken
    std::vector<ProcessInfo> processes;
    std::vector<ObjectInfo> objects;
    std::uint64_t event_head = 0;
    bool step_mode = false;
    std::string observe_level; // "off", "basic", "full"

    const ProcessInfo* process(ProcessId id) const noexcept;
    const ObjectInfo* object(ObjectId id) const noexcept;
};

} // namespace mp::scope
