#pragma once
// The byte layout of a session arena: what libmpcore writes and the inspector reads. Everything here lives
// in POSIX shared memory mapped at different addresses in different processes, so it holds no pointers
// (offsets only), every field another process may read concurrently is a lock-free std::atomic, and
// every struct is standard-layout with a fixed size. Bump kLayoutVersion on any change.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <pthread.h>
#include <type_traits>

namespace mp::detail::scope {

inline constexpr std::uint32_t kMagic = 0x4353504d; // "MPSC"
inline constexpr std::uint32_t kLayoutVersion = 6;

using U32 = std::atomic<std::uint32_t>;
using I32 = std::atomic<std::int32_t>;
using U64 = std::atomic<std::uint64_t>;
using I64 = std::atomic<std::int64_t>;
static_assert(U32::is_always_lock_free && U64::is_always_lock_free && I64::is_always_lock_free);

// ---- processes -----------------------------------------------------------------------------------------

enum class ProcState : std::uint32_t {
    Free = 0,
    Starting, // slot taken by the parent, child not yet running its bootstrap
    Running,
    Exited,   // ended with an exit status (exit_code >= 0)
    Killed,   // ended by a signal (exit_code = -signal)
    Vanished, // died and nobody recorded how: its pid is gone or belongs to another process
};

// What a thread is blocked in, and what a parked process is about to do.
enum class Op : std::uint16_t {
    None = 0,
    // process lifecycle (object = 0, arg = pid / exit code)
    ProcessCreated,
    ProcessStarted,
    ProcessExited,
    Join, // target = the joined process
    // object lifecycle
    ObjectCreated,
    ObjectFreed,
    // Lock, RLock, Semaphore, BoundedSemaphore (arg: 1 acquired, 0 failed; release: new value)
    Acquire,
    Release,
    OwnerDied, // arg = pid of the dead holder; the acquirer recovered the lock
    // Condition
    CondWait,
    CondNotify, // arg = sleepers woken
    // Event
    EventSet,
    EventClear,
    EventWait,
    // Barrier
    BarrierWait, // arg = arrival index, or -1 when broken
    BarrierReset,
    BarrierAbort,
    // Value / Array (arg = element index)
    Read,
    Write,
    // Queues (issue-level detail lives in the object state)
    Put,
    Get,
    FeederFlush,
    TaskDone,
    QueueJoin,
    // Pool (object = the pool)
    PoolWait,       // a thread waits for a result of the pool
    TaskLost,       // a worker died holding a task (arg = its pid); the task's result is an error
    WorkerReplaced, // a worker that ended was replaced (arg = the new worker's pid)
    // step mode
    Park,
    Unpark,
    Count
};

// One thread's current wait. Guarded by a per-record sequence counter so a reader sees all fields of one
// wait or retries.
struct WaitRecord {
    U32 seq;         // odd while being written
    U32 thread;      // thread token in its process (1 = main thread); 0: record unused
    U32 op;          // Op, None when not waiting
    U32 object;      // object serial waited on (0 for joins)
    U32 target;      // process serial (joins), or kind-specific detail
    U32 flags;       // kWaitMainThread | kWaitInternal | kWaitTimed
    I64 since_ns;    // monotonic
    I64 deadline_ns; // monotonic, 0 when untimed
};
inline constexpr std::uint32_t kWaitMainThread = 1;
inline constexpr std::uint32_t kWaitInternal = 2; // a library thread (queue feeder, pool handler)
inline constexpr std::uint32_t kWaitTimed = 4;
inline constexpr int kWaitRecords = 8;

inline constexpr int kNameBytes = 64;

struct ProcessSlot {
    U32 serial; // unique in the session, never reused; 0: slot free
    U32 state;  // ProcState
    I32 pid;
    I32 exit_code;
    U32 parent; // serial of the parent process (0 for the main process)
    U32 flags;  // kProcDaemon | kProcInternal ...
    I64 created_ns;
    I64 started_ns;
    I64 ended_ns;
    U32 meta_seq;    // odd while name/method/target are being written
    U32 park_ticket; // step mode: bumped by the controller to let the parked thread go (futex word)
    char name[kNameBytes];
    char method[16];
    char target[kNameBytes];
    // Step mode: the operation this process is parked before (op None when not parked).
    U32 park_op;
    U32 park_object;
    U32 park_thread;
    U32 park_seq; // odd while the park fields are written
    // Liveness without trusting pids alone: a pid is this process only while /proc/<pid>/stat reports
    // this start time (clock ticks after boot) and a state other than zombie.
    U64 start_ticks;
    WaitRecord waits[kWaitRecords];
};
inline constexpr std::uint32_t kProcDaemon = 1;
inline constexpr std::uint32_t kProcMain = 2;

// ---- objects -------------------------------------------------------------------------------------------

enum class ObjectKind : std::uint32_t {
    None = 0,
    Lock,
    RLock,
    Semaphore,
    BoundedSemaphore,
    Condition,
    Event,
    Barrier,
    Value,
    Array,
    Queue,
    SimpleQueue,
    JoinableQueue,
    Pool,
    Manager,
    Count
};

// A counting semaphore on a futex word (the building block of Lock, Condition and friends).
struct FutexSem {
    U32 value;
    U32 waiters;
};

struct HolderEntry {
    U32 process; // serial; 0 unused
    U32 units;   // units (or recursion depth) held
};
inline constexpr int kHolderEntries = 8;

// Lock and RLock: word = owner process serial (0: free). Semaphore: word = value.
struct SemState {
    U32 word;
    U32 waiters;      // threads blocked in acquire
    U32 wake_pending; // Lock/RLock: a release woke a waiter that has not looked at the word yet
    U32 owner_thread; // Lock/RLock: the owner's thread token (for display)
    U32 owner_tid;    // Lock/RLock: the owner thread's kernel id. Unique among live threads of all processes,
                      // so a lock taken over from a dead holder is never mistaken for the taker's thread.
    U32 count;        // RLock: recursion depth
    U32 maxvalue;     // Semaphore: SEM_VALUE_MAX, BoundedSemaphore: the initial value
    U32 recovered_from; // serial of the last holder that died holding it (0: never)
    I32 recovered_from_pid;
    U32 holders_overflow; // more holders than entries
    HolderEntry holders[kHolderEntries];
};

struct ConditionState {
    U32 lock_index; // the Lock/RLock object it uses
    U32 lock_serial;
    FutexSem sleeping;
    FutexSem woken;
    FutexSem wait_sem;
};

struct EventState {
    U32 generation; // futex word: bit 0 the flag, the rest counts the set() calls that raised it
    U32 waiters;
};

struct BarrierState {
    pthread_mutex_t mutex; // robust; guards the fields below
    U32 seq;               // futex word: bumped on every state change waiters must see
    U32 parties;
    U32 count;               // arrivals in the filling phase, or leavers while draining
    I32 state;               // 0 filling, 1 draining, -1 resetting, -2 broken
    U32 generation;          // completed cycles
    I64 default_timeout_ns;  // -1: none
    char action[kNameBytes]; // registered task name of the action ("" none)
};

// Bytes per element of a Value/Array typecode (Python's ctypes sizes on LP64); 0 for an unknown code.
constexpr std::size_t typecode_size(char typecode) noexcept {
    switch (typecode) {
    case 'c':
    case 'b':
    case 'B':
        return 1;
    case 'h':
    case 'H':
        return 2;
    case 'u':
    case 'i':
    case 'I':
    case 'f':
        return 4;
    case 'l':
    case 'L':
    case 'q':
    case 'Q':
    case 'd':
        return 8;
    default:
        return 0;
    }
}

struct ArrayState {
    U64 data_offset;   // heap offset of the elements
    U64 layout_offset; // heap offset of the struct field description ("x:d,y:d"), 0 for scalars
    U32 length;        // elements (1 for a Value)
    U32 itemsize;
    U32 typecode;   // 'c', 'i', 'd' ..., or 'T' for a struct
    U32 lock_index; // the lock wrapping it (0: raw)
    U32 lock_serial;
    U32 writes_head; // recent writes ring head
    struct RecentWrite {
        U32 index;
        U32 process;
        I64 time_ns;
    } recent[8];
};

// One process's feeder of a queue: what it has put that is not yet in the channel.
struct QueueFeeder {
    U32 process;   // serial of a process that put into the queue; 0: entry unused
    U32 items;     // items buffered in that process, not yet written to the channel
    U64 bytes;     // their serialized size
    U32 flushing;  // 1 while its feeder thread waits for room in the channel
    U32 cancelled; // cancel_join_thread(): the process will not wait for its feeder at exit
};
inline constexpr int kQueueFeeders = 8;

// Queue, JoinableQueue, SimpleQueue. The channel is a byte ring in the heap carrying messages as an
// 8-byte length and the pickled item; a writer holds the writer lock for a whole message and a reader
// the reader lock, so a message larger than the ring streams through it, as through a pipe. The writer's
// and the reader's counters sit on cache lines of their own: each side writes only its own.
struct QueueState {
    U64 ring_offset; // the channel's bytes in the heap
    U64 capacity;    // its size in bytes
    U32 maxsize;     // Queue/JoinableQueue: the slots (SEM_VALUE_MAX when unbounded); SimpleQueue: 0
    U32 rlock_index, rlock_serial; // the reader lock (an internal Lock row)
    U32 wlock_index, wlock_serial; // the writer lock (an internal Lock row)
    U32 sem_index, sem_serial;     // free slots: an internal BoundedSemaphore(maxsize) row (0: SimpleQueue)
    U32 data_seq;                  // futex word: bumped after a write when readers sleep
    U32 space_seq;                 // futex word: bumped after a read when writers sleep
    U32 tasks_seq;                 // futex word: bumped when unfinished drops to zero (join() sleeps on it)
    alignas(64) U64 write_pos;     // bytes ever written (used = write_pos - read_pos)
    U64 messages_written;          // items in the channel = messages_written - messages_read
    U32 writers_waiting;
    U32 unfinished;           // JoinableQueue: tasks put and not yet task_done()
    alignas(64) U64 read_pos; // bytes ever read
    U64 messages_read;
    U32 readers_waiting;
    U32 joiners_waiting;
    alignas(64) U32 feeders_overflow;
    QueueFeeder feeders[kQueueFeeders];
};

// Pool: CPython's architecture (a task handler feeding one task channel all workers take from, a result
// handler reading what they send back, a worker handler replacing workers that end), with every worker's
// current task kept here, so that the pool fails exactly the task a dead worker held and the inspector
// shows who does what.

enum class PoolRunState : std::uint32_t { Run = 0, Close = 1, Terminate = 2 }; // Python's RUN/CLOSE/TERMINATE

enum class PoolWorkerState : std::uint32_t {
    Empty = 0, // no worker in this slot
    Starting,  // launched, not yet through its initializer
    Idle,      // waiting for a task
    Working,   // running a task
    Exited,    // ended: the pool collects what it left behind, then starts a replacement
};

enum class PoolTaskKind : std::uint32_t {
    Apply = 0, // func(*args, **kwds)
    Map,       // [func(x) for x in args] (Python's mapstar)
    Starmap,   // [func(*x) for x in args] (starmapstar)
    Stop,      // the worker exits (Python's None sentinel)
};

// One cell of a pool's task channel, a ring of cells the task handler fills in position order and workers
// take from. `word` is (ticket << 32) | owner: ticket == position (mod 2^32) means free for the task
// handler to fill position `position`; position + 1 means it holds that task; owner is the worker slot + 1
// that took it and is copying it out (0: nobody). A worker claims a cell with one compare-and-swap that
// names itself, so a worker that dies between taking a task and recording it can still be found.
inline constexpr int kPoolCellBytes = 256;
struct PoolCell {
    U64 word;
    U64 job;
    I64 index;
    U32 kind;  // PoolTaskKind
    U32 size;  // payload bytes (a pickled (func, args, kwds))
    U64 spill; // heap offset of the payload when it is larger than data (0: in data)
    unsigned char data[kPoolCellBytes - 40];
};
static_assert(sizeof(PoolCell) == kPoolCellBytes);

// One worker of a pool, and its result channel: a byte ring only this worker writes and only the pool's
// result handler reads, carrying [u64 size][u64 position + 1][u64 job][i64 index][u64 ok][pickle] messages.
struct PoolWorkerSlot {
    U32 state;   // PoolWorkerState
    U32 process; // process-table serial of the worker (0: none yet)
    I32 pid;
    I32 exit_code;   // of the last worker that ended in this slot
    U32 generation;  // workers started in this slot so far
    U32 task_seq;    // odd while task[] is being written
    U64 tasks_done;  // by the current worker
    U64 current_seq; // ring position + 1 of the task it holds, 0: none
    U64 current_job;
    I64 current_index;
    I64 launched_ns;       // the parent launched it
    I64 ready_ns;          // its initializer finished (start-up time = ready - launched)
    I64 state_since_ns;    // when it entered its current state
    I64 waiting_ns;        // time spent idle so far (the current spell not included)
    I64 working_ns;        // time spent running tasks so far (the current task not included)
    char task[kNameBytes]; // function of the current (or last) task
    U64 ring_offset;
    U64 ring_capacity;
    // The worker's counters and the result handler's at least a cache line apart, so that each side writes
    // a line of its own (the heap gives no 64-byte alignment, so padding does it).
    U64 write_pos; // bytes written (the worker's counter)
    U32 space_seq; // futex word: bumped after a read while the writer waits for room
    U32 writer_waiting;
    unsigned char pad_writer[48];
    U64 read_pos; // bytes read (the result handler's counter)
    unsigned char pad_reader[56];
};

struct PoolState {
    U32 state;               // PoolRunState
    U32 processes;           // worker slots
    U32 maxtasksperchild;    // 0: unlimited
    U32 cell_count;          // task ring cells, a power of two
    U64 workers_offset;      // heap: PoolWorkerSlot[processes]
    U64 cells_offset;        // heap: PoolCell[cell_count]
    U64 tasks_backlog;       // tasks accepted whose cells are not yet filled (Python's taskqueue)
    U64 tasks_completed;     // results received
    U64 tasks_lost;          // tasks whose worker died holding them
    U32 results_outstanding; // jobs whose result is not yet complete (Python's cache)
    U32 workers_started;
    U32 workers_replaced;
    alignas(64) U64 put_pos; // tasks the task handler has put into the ring
    U32 space_seq;           // futex word: bumped when a cell frees up while the task handler waits
    U32 putter_waiting;
    alignas(64) U64 take_pos;    // tasks taken by workers (every taker helps it along)
    U32 tasks_seq;               // futex word: bumped to wake a sleeping worker
    U32 sleepers;                // workers asleep on tasks_seq
    U32 spinning;                // workers spinning for a task: a put needs to wake nobody
    alignas(64) U32 results_seq; // futex word: bumped after a result (or a death) while the handler sleeps
    U32 results_sleeping;
    U32 helpers; // parent threads spinning for a result, which read what arrives: no need to wake the handler
};

inline constexpr int kStateBytes = 448;

inline constexpr std::uint32_t kSerialCreating = 0xffffffffu; // row claimed, object not yet published

struct ObjectSlot {
    U32 serial; // unique in the session, never reused; 0: slot free; kSerialCreating: skip it
    U32 kind;   // ObjectKind
    U32 meta_seq;
    U32 creator; // process serial
    U32 refs;    // live references (processes holding it, plus handles that left as messages)
    U32 flags;   // kObjForkContext | kObjInternal
    I64 created_ns;
    U64 ops; // operations so far (rates in the inspector)
    char name[48];
    U32 users_overflow;
    U32 users[16]; // serials of processes holding a reference
    union State {
        SemState sem;
        ConditionState cond;
        EventState event;
        BarrierState barrier;
        ArrayState array;
        QueueState queue;
        PoolState pool;
        unsigned char bytes[kStateBytes];
    } state;
};
inline constexpr std::uint32_t kObjForkContext = 1; // made in a fork context: not for spawn children
inline constexpr std::uint32_t kObjInternal = 2;    // part of another object; hidden from listings

// ---- events --------------------------------------------------------------------------------------------

// One event; `stamp` is 2*seq+1 while being written and 2*seq+2 once complete.
struct EventRecord {
    U64 stamp;
    I64 time_ns;
    U32 process; // serial
    U32 object;  // serial, 0 for process events
    std::atomic<std::uint16_t> op;
    std::atomic<std::uint16_t> thread;
    I32 arg;
};

// ---- the header ----------------------------------------------------------------------------------------

enum class ObserveLevel : std::uint32_t {
    Off = 0,   // primitives only: no events, holders or users
    Basic = 1, // state, holders, users; events for lifecycle, waits and state changes; not the fast paths
    Full = 2,  // an inspector is attached: every operation is an event
};

struct Header {
    std::uint32_t magic;
    std::uint32_t version;
    std::uint64_t total_size;
    char session[kNameBytes];
    std::int32_t creator_pid;
    std::uint32_t process_capacity;
    std::uint32_t object_capacity;
    std::uint32_t event_capacity; // power of two
    std::uint64_t processes_offset;
    std::uint64_t objects_offset;
    std::uint64_t events_offset;
    std::uint64_t heap_offset;
    std::uint64_t heap_size;
    std::int64_t created_realtime_ns;
    std::int64_t created_monotonic_ns;
    U32 observe_level; // ObserveLevel requested by the session (environment)
    U32 readers;       // attached inspectors: > 0 switches to ObserveLevel::Full
    U32 step_mode;     // 1: every gated operation parks until released
    U32 park_seq;      // futex word: bumped whenever a process parks or is released
    U32 next_process_serial;
    U32 next_object_serial;
    U32 process_cursor;
    U32 object_cursor;
    U32 kind_counters[static_cast<int>(ObjectKind::Count)];
    U64 event_head;             // next event sequence number
    U32 ended;                  // set by the resource tracker before it removes the segment
    pthread_mutex_t heap_mutex; // robust; guards the Boost allocator in the heap area
};

static_assert(std::is_standard_layout_v<Header> && std::is_standard_layout_v<ProcessSlot> &&
              std::is_standard_layout_v<ObjectSlot> && std::is_standard_layout_v<EventRecord>);
static_assert(sizeof(EventRecord) == 32);
static_assert(std::is_standard_layout_v<PoolCell> && std::is_standard_layout_v<PoolWorkerSlot>);
static_assert(offsetof(PoolWorkerSlot, read_pos) - offsetof(PoolWorkerSlot, write_pos) >= 64 &&
              sizeof(PoolWorkerSlot) - offsetof(PoolWorkerSlot, read_pos) >= 64);
static_assert(sizeof(ObjectSlot::State) == kStateBytes);

} // namespace mp::detail::scope
