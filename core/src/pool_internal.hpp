#pragma once
// The pieces of the Pool unit: the arena view both sides use, the task channel (a ring of PoolCells the
// parent fills and workers take from) and the per-worker result channels (pool_channel.cpp), the jobs of
// the parent's result cache (pool_results.cpp), and the worker's loop (pool_worker.cpp).
#include "arena.hpp"
#include "futex.hpp"
#include "scope_layout.hpp"

#include "mp/object.hpp"
#include "mp/pool.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sched.h>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mp::detail::pool {

namespace L = scope;

// ---- the arena view ------------------------------------------------------------------------------------

struct View {
    Segment* segment = nullptr;
    L::PoolState* st = nullptr;
    L::PoolCell* cells = nullptr;
    L::PoolWorkerSlot* workers = nullptr;
    std::uint32_t cell_mask = 0;

    static View of(Segment& segment, L::ObjectSlot& row) noexcept;
    L::PoolCell& cell(std::uint64_t position) const noexcept { return cells[position & cell_mask]; }
};

// Owner value of a cell taken by worker slot `slot`.
constexpr std::uint32_t owner_of(std::uint32_t slot) noexcept {
    return slot + 1;
}

// A side waiting for room in a channel spins this long before it sleeps: the other side of a busy pool
// answers within microseconds, and a sleep and wake-up costs more than that. (Waits for work adapt: see
// AdaptiveSpin.)
inline constexpr std::int64_t kSpinNs = 30'000;
// Spinning longer than this, a waiter yields now and then.
inline constexpr std::int64_t kYieldAfterNs = 20'000;

// Spins until pred() holds or the budget is spent. Past the first kYieldAfterNs it yields the CPU now and
// then: the awaited side, preempted on a busy machine, may need this very core.
template <class Pred> bool spin_until(Pred pred, std::int64_t budget_ns = kSpinNs) noexcept {
    if (pred()) return true;
    const std::int64_t start = monotonic_ns();
    for (int round = 1;; ++round) {
        for (int i = 0; i < 64; ++i) {
            if (pred()) return true;
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
        const std::int64_t spent = monotonic_ns() - start;
        if (spent >= budget_ns) return pred();
        if (spent >= kYieldAfterNs && round % 8 == 0) ::sched_yield();
    }
}

// A waiting side's spin budget, adapting to how long its waits take: after a wait the budget covers
// half as long again as that wait if that is under kMaxSpinNs - so a busy pool passes tasks and results
// without sleeps and wake-ups, whose latency on a loaded machine is what made the wait long - and halves
// (down to kMinSpinNs) after a longer wait, so an idle pool soon costs no CPU.
class AdaptiveSpin {
public:
    static constexpr std::int64_t kMinSpinNs = 10'000;
    static constexpr std::int64_t kMaxSpinNs = 400'000;
    template <class Pred> bool spin(Pred pred) noexcept {
        return spin_until(pred, budget_.load(std::memory_order_relaxed));
    }
    // The whole wait, spinning and sleeping, took `ns`.
    void waited(std::int64_t ns) noexcept {
        const std::int64_t budget = budget_.load(std::memory_order_relaxed);
        budget_.store(ns <= kMaxSpinNs ? std::min(std::max(budget, ns + ns / 2), kMaxSpinNs)
                                       : std::max(budget / 2, kMinSpinNs),
                      std::memory_order_relaxed);
    }

private:
    std::atomic<std::int64_t> budget_{kMinSpinNs};
};

// ---- the task channel ----------------------------------------------------------------------------------

// Decides whether a wait goes on; called between short sleeps.
using KeepWaiting = std::function<bool()>;

struct TaskHeader {
    std::uint64_t job = 0;
    std::int64_t index = 0;
    L::PoolTaskKind kind = L::PoolTaskKind::Apply;
};

// Parent side (one putter at a time): fills the cell of the next position, waiting while the ring is
// full. False when keep_waiting() said stop first.
bool put_task(const View& v, const TaskHeader& header, std::string_view payload,
              const KeepWaiting& keep_waiting);
// Whether put_task would not wait now.
bool can_put(const View& v) noexcept;

struct TakenTask {
    std::uint64_t seq = 0; // ring position + 1
    TaskHeader header;
    std::string payload;
};

// Worker side: takes the next task (recording it as the slot's current task before the cell is
// released), waiting while there is none. nullopt when keep_waiting() said stop first.
std::optional<TakenTask> take_task(const View& v, std::uint32_t slot, const KeepWaiting& keep_waiting);

// A task a dead worker held.
struct HeldTask {
    std::uint64_t seq = 0; // low 32 bits of the ring position + 1 (cells only know those)
    std::uint64_t job = 0;
    std::int64_t index = 0;
};
// Parent side, after the worker of `slot` died: frees the cells it had claimed but not released and
// returns their tasks.
std::vector<HeldTask> reclaim_cells(const View& v, std::uint32_t slot);
// Frees the spilled payloads still in cells (the row is going away).
void free_cell_spills(const View& v) noexcept;

// ---- the result channels -------------------------------------------------------------------------------

struct ResultHeader {
    std::uint64_t seq = 0;
    std::uint64_t job = 0;
    std::int64_t index = 0;
    bool ok = true;
};
inline constexpr std::size_t kResultHeaderBytes = 5 * sizeof(std::uint64_t);

// Worker side: writes one result message into the slot's ring, waiting for room as often as needed.
// False when keep_waiting() said stop first.
bool write_result(const View& v, std::uint32_t slot, const ResultHeader& header, std::string_view payload,
                  const KeepWaiting& keep_waiting);

// Parent side: appends whatever the slot's ring holds to `buffer`; the number of bytes taken.
std::size_t read_results(const View& v, std::uint32_t slot, std::string& buffer);
// Splits complete messages off the front of buffer[*offset...]; nullopt when the next one is incomplete.
struct ResultMessage {
    ResultHeader header;
    std::string_view payload;
};
std::optional<ResultMessage> next_result(const std::string& buffer, std::size_t& offset);
// Whether any byte waits in some worker's ring.
bool results_waiting(const View& v) noexcept;

// Futex hand-shakes. Bumps the word and wakes when the other side announced it sleeps.
void wake_result_handler(const View& v) noexcept;

// ---- the worker ----------------------------------------------------------------------------------------

inline constexpr const char* kWorkerTask = "multiprocessing.pool.worker";

struct WorkerConfig {
    std::uint32_t row_index = 0; // the pool's object row
    std::uint32_t row_serial = 0;
    std::uint32_t slot = 0;
    std::optional<std::int64_t> maxtasks;
    Object initargs = Object::tuple();

    // The worker task's argument tuple, with the initializer's task name (None: none).
    Object to_args(const std::optional<std::string>& initializer) const;
};

// The body of a worker process (Python's pool.worker()). The unit that defines it also registers the
// worker task, kWorkerTask, for spawn and forkserver children.
void run_worker(const WorkerConfig& config, const Target& initializer);

// ---- jobs ----------------------------------------------------------------------------------------------

// What one task produced: a value, or an exception (from the task, or raised in this process).
struct Outcome {
    bool ok = true;
    bool placed = false; // the values are in the job's slots already (see Job::slots), not in `value`
    Object value;
    ExceptionValue error;
    std::exception_ptr thrown; // set instead of `error` for an exception raised here (a callback's)

    static Outcome failure(ExceptionValue error) {
        Outcome o;
        o.ok = false;
        o.error = std::move(error);
        return o;
    }
    [[noreturn]] void raise() const;
};

// What a thread waiting for a job may ask of its pool.
struct PoolHooks {
    std::uint32_t serial = 0;        // the pool's row: the inspector shows the wait on it
    std::function<void()> interrupt; // Ctrl-C arrived: terminate the pool
    std::function<bool()> help;      // do the result handler's work once if it is not at it; true on progress
    std::function<void(bool)> helping; // true: this thread starts spinning and helping; false: it stops
};

// One entry of the pool's cache (Python's ApplyResult / MapResult / IMapIterator). set() is called by one
// thread at a time - the result handler, or a waiting thread helping it - and returns true when the job is
// complete and leaves the cache.
class Job {
public:
    Job(std::uint64_t id, PoolHooks hooks)
        : id_(id)
        , hooks_(std::move(hooks)) {}
    virtual ~Job() = default;
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;

    std::uint64_t id() const noexcept { return id_; }
    // Whether set() runs user callbacks (then only the result handler calls it).
    virtual bool has_callbacks() const noexcept { return false; }
    virtual bool set(std::int64_t index, Outcome outcome) = 0;
    // Where the values of task `index` go, for a caller to fill before set() with a placed outcome; empty
    // when they cannot be placed so. Called like set().
    virtual std::span<Object> slots(std::int64_t) { return {}; }
    // imap: how many tasks the input made (known once it is exhausted).
    virtual bool set_length(std::int64_t) { return false; }
    // The pool stops before the job completes: it completes with `why`, without callbacks.
    virtual void abandon(const ExceptionValue& why) = 0;

protected:
    // Waits until `ready()` (evaluated with `lock` held) or `deadline_ns` (nullopt: for ever): first
    // spinning and helping the result handler, then asleep on `cv` in slices that look for Ctrl-C (which
    // terminates the pool and throws KeyboardInterrupt). Shown as a PoolWait on the pool.
    void wait_for(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  const std::function<bool()>& ready, std::optional<std::int64_t> deadline_ns);

private:
    std::uint64_t id_;
    PoolHooks hooks_;
};

} // namespace mp::detail::pool

namespace mp::detail {

// ApplyResult and MapResult.
class ResultState : public pool::Job {
public:
    enum class Kind { Apply, Map };
    // Map: `length` items in tasks of `chunksize` (<= 0: ready at once with [None] * length).
    ResultState(std::uint64_t id, pool::PoolHooks hooks, Kind kind, std::int64_t chunksize,
                std::int64_t length, ResultCallback callback, ErrorCallback error_callback);

    bool has_callbacks() const noexcept override { return callback_ || error_callback_; }
    bool set(std::int64_t index, pool::Outcome outcome) override;
    std::span<Object> slots(std::int64_t index) override;
    void abandon(const ExceptionValue& why) override;

    bool ready() const noexcept { return ready_.load(std::memory_order_acquire); }
    void wait(std::optional<double> timeout);
    Object get(std::optional<double> timeout);
    // get() for the only holder: moves the value out.
    Object take();
    bool successful() const;
    std::string repr() const;

private:
    void finish(); // marks it ready and wakes the waiters
    void run_callback(const std::function<void()>& call);

    Kind kind_;
    std::int64_t chunksize_;
    std::int64_t number_left_ = 0;
    ResultCallback callback_;
    ErrorCallback error_callback_;

    std::mutex mutex_;
    std::condition_variable cv_;
    std::atomic<bool> ready_{false};
    bool success_ = true;
    Object value_;
    std::vector<Object> items_; // Map: the values as chunks arrive
    pool::Outcome error_;
};

// IMapIterator and IMapUnorderedIterator.
class IMapState : public pool::Job {
public:
    IMapState(std::uint64_t id, pool::PoolHooks hooks, bool unordered, bool chunked);

    bool set(std::int64_t index, pool::Outcome outcome) override;
    bool set_length(std::int64_t length) override;
    void abandon(const ExceptionValue& why) override;

    Object next(std::optional<double> timeout);
    std::string repr() const;

private:
    bool unordered_;
    bool chunked_; // outcomes are lists of items (chunksize > 1)

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<pool::Outcome> items_;
    std::map<std::int64_t, pool::Outcome> unsorted_;
    std::int64_t index_ = 0;
    std::optional<std::int64_t> length_;
    std::optional<ExceptionValue> abandoned_;
    std::deque<Object> chunk_; // the rest of the chunk being handed out
};

} // namespace mp::detail
