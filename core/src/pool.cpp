// Pool (SPEC §10), the parent side: the pool's row in the session arena, its worker processes and the three
// handler threads of CPython's design - the worker handler (reaps workers that ended and starts their
// replacements), the task handler (feeds submitted tasks into the task channel) and the result handler
// (reads the workers' result channels, settles jobs and runs callbacks; it also collects what a dead worker
// left behind and fails the task it held).
#include "interrupt.hpp"
#include "pickle_internal.hpp"
#include "pool_internal.hpp"
#include "process_internal.hpp"
#include "scope_writer.hpp"

#include "mp/context.hpp"
#include "mp/pickle.hpp"
#include "mp/pool.hpp"
#include "mp/util.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <iostream>
#include <malloc.h>
#include <poll.h>
#include <span>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>

namespace mp {

namespace sc = detail::scope;

namespace detail {

namespace {

constexpr std::uint32_t kCells = 512; // task channel cells (a power of two)
constexpr std::uint64_t kResultRingBytes =
    256 << 10;                // each worker's result channel (sparse: pages cost once used)
constexpr int kRetryMs = 100; // a worker that failed to start is retried this often

// The pool whose result handler runs on this thread (its callbacks must not try to do its work).
thread_local const PoolCore* handling_results = nullptr;

// Python's job_counter: ids shared by every pool of the process.
std::atomic<std::uint64_t> job_counter{0};

constexpr std::uint32_t as_u32(sc::PoolRunState s) noexcept {
    return static_cast<std::uint32_t>(s);
}

void finalize_pool_row(Segment& segment, sc::ObjectSlot& row) noexcept {
    auto& st = row.state.pool;
    const std::uint64_t workers = st.workers_offset.load(std::memory_order_relaxed);
    const std::uint64_t cells = st.cells_offset.load(std::memory_order_relaxed);
    if (workers != 0 && cells != 0) {
        const pool::View v = pool::View::of(segment, row);
        pool::free_cell_spills(v);
        for (std::uint32_t i = 0; i < st.processes.load(std::memory_order_relaxed); ++i)
            if (const std::uint64_t ring = v.workers[i].ring_offset.load(std::memory_order_relaxed))
                segment.deallocate(ring);
    }
    if (workers != 0) segment.deallocate(workers);
    if (cells != 0) segment.deallocate(cells);
}

const bool pool_finalizer_registered = [] {
    sc::register_finalizer(sc::ObjectKind::Pool, finalize_pool_row);
    return true;
}();

std::string task_name_of(const Target& func) {
    if (!func) throw TypeError("'NoneType' object is not callable");
    if (auto name = func.task_name()) return *name;
    const std::string what = func.description();
    const std::string fix = what == "<lambda>" || what == "function" ? "f" : what;
    throw PicklingError("Can't pickle " + what +
                        ": pool workers find their function by name; register it with MP_TASK(" + fix + ")");
}

// "killed by signal 9 (SIGKILL)" / "exited with code 3"
std::string how_it_ended(int exitcode) {
    if (exitcode >= 0) return "exited with code " + std::to_string(exitcode);
    std::string name = exitcode_to_name(exitcode);
    if (name.starts_with("-")) name.erase(0, 1);
    return "was killed by signal " + std::to_string(-exitcode) +
           (name.starts_with("SIG") ? " (" + name + ")" : "");
}

} // namespace

// One unit of work for the task handler: a task, or an exception the input raised at that position.
struct TaskItem {
    std::uint64_t job = 0;
    std::int64_t index = 0;
    sc::PoolTaskKind kind = sc::PoolTaskKind::Apply;
    std::string func;
    Object args;
    // A map chunk: the argument tuple is this part of the input, which outlives the put (args is unused).
    std::optional<std::span<const Object>> slice;
    Object kwds;
    std::optional<ExceptionValue> error;
};

// The input of a map job as the task handler reads it. map() lends its caller's list rather than copying
// it; a task's error is only reported once every chunk is done, but Ctrl-C can end map() while chunks are
// still to be put, so map() calls keep() on its way out and the handler carries on with a copy of its own.
// The handler reads the list only while it holds the mutex.
struct MapInput {
    std::mutex mutex;
    const std::vector<Object>* items = &owned;
    std::vector<Object> owned;
    bool exhausted = false; // the last chunk has been pickled

    void keep() {
        std::lock_guard lock(mutex);
        if (exhausted || items == &owned) return;
        owned = *items;
        items = &owned;
    }
};

// What apply_async, map_async and imap hand the task handler (Python's taskqueue entries): tasks made one
// at a time, so a lazy input is consumed as the workers get to it.
struct TaskBatch {
    std::function<bool(TaskItem&)> next; // false at the end
    std::function<void(std::int64_t)> set_length;
    std::uint64_t counted = 0;         // tasks it added to the pool's backlog count (known in advance)
    std::mutex* input_mutex = nullptr; // a MapInput's: held while next() makes a task and it is pickled
    bool sentinel = false; // no more batches: the handler sends the workers their Stop tasks and ends
};

namespace {

// Tasks of `size` items (one item per task, as its only argument, when size is 1) from `pull`, which
// returns nullopt at the end. An exception from the input becomes a failed task at its position; the
// items of the chunk it interrupted are dropped, as in Python.
std::function<bool(TaskItem&)> chunked_tasks(std::function<std::optional<Object>()> pull, std::int64_t size,
                                             std::uint64_t job, std::string func) {
    return [pull = std::move(pull), size, job, func = std::move(func), index = std::int64_t{0},
            done = false](TaskItem& out) mutable {
        if (done) return false;
        std::vector<Object> chunk;
        out.job = job;
        out.index = index;
        out.func = func;
        out.slice.reset();
        out.kwds = Object::dict();
        out.error.reset();
        try {
            while (static_cast<std::int64_t>(chunk.size()) < size) {
                std::optional<Object> item = pull();
                if (!item) {
                    done = true;
                    break;
                }
                chunk.push_back(std::move(*item));
            }
        } catch (...) {
            done = true;
            out.error = ExceptionValue::current();
            ++index;
            return true;
        }
        if (chunk.empty()) return false;
        ++index;
        out.kind = size == 1 ? sc::PoolTaskKind::Apply : sc::PoolTaskKind::Map;
        out.args = size == 1 ? Object::tuple(std::move(chunk.front())) : Object::tuple(std::move(chunk));
        return true;
    };
}

std::function<std::optional<Object>()> pull_from(const Object& iterable) {
    auto items = std::make_shared<const std::vector<Object>>(to_args_tuple(iterable).items());
    return [items, at = std::size_t{0}]() mutable -> std::optional<Object> {
        if (at >= items->size()) return std::nullopt;
        return (*items)[at++];
    };
}

} // namespace

struct PoolCore : std::enable_shared_from_this<PoolCore> {
    explicit PoolCore(PoolOptions options);
    ~PoolCore();
    PoolCore(const PoolCore&) = delete;
    PoolCore& operator=(const PoolCore&) = delete;

    void start(); // the workers, then the handler threads

    // ---- API
    void check_running();
    std::uint64_t next_job() { return job_counter.fetch_add(1, std::memory_order_relaxed); }
    void add_job(std::shared_ptr<pool::Job> job);
    void submit(TaskBatch batch);
    pool::PoolHooks hooks();
    AsyncResult apply_async(const Target& func, Object args, Object kwds, ResultCallback callback,
                            ErrorCallback error_callback);
    AsyncResult map_async(const Target& func, const Object& iterable, std::optional<std::int64_t> chunksize,
                          ResultCallback callback, ErrorCallback error_callback, sc::PoolTaskKind kind,
                          const std::shared_ptr<MapInput>& lent = {});
    // get() of a result nobody else holds (apply, map, starmap): the value is moved out, not copied.
    static Object take(AsyncResult&& result) { return result.state_->take(); }
    IMapIterator imap(const Target& func, std::function<std::optional<Object>()> pull, std::int64_t chunksize,
                      bool unordered);
    void close();
    void terminate();
    void join();
    std::string repr();
    static void join_thread(std::thread& t);

    // ---- threads
    void handle_workers();
    void handle_tasks();
    void handle_results();

    // worker handler
    bool wants_workers_locked() const {
        return state == sc::PoolRunState::Run || (!cache.empty() && state != sc::PoolRunState::Terminate);
    }
    Process launch_worker(std::uint32_t slot);
    bool maintain_pool();
    void wait_for_updates(bool retry_soon);
    void wake_worker_handler() noexcept;

    // task handler
    bool terminating() {
        std::lock_guard lock(mutex);
        return state == sc::PoolRunState::Terminate;
    }
    bool put(const TaskItem& item, std::unique_lock<std::mutex>& input_hold);
    bool put_directly(const TaskItem& item);
    void post(std::uint64_t job, std::int64_t index, pool::Outcome outcome);

    // result handler
    struct Reader {
        std::string buffer;
        std::size_t offset = 0;
        std::uint64_t last_seq = 0; // position + 1 of the last result its current worker sent
    };
    void notify_result_handler() noexcept;
    bool drain(bool handler);
    void dispatch(Reader& reader, bool handler);
    void deliver(std::uint64_t job, std::int64_t index, pool::Outcome outcome, bool handler = true);
    bool place(std::uint64_t job, std::int64_t index, std::string_view payload);
    void complete_job(std::uint64_t job);
    struct Death {
        std::uint32_t slot = 0;
        int pid = 0;
        std::string name;
        int exitcode = 0;
    };
    void collect(const Death& death);
    void sleep_for_results();
    bool help_results();
    void helping(bool start);

    // ---- configuration
    const Context* ctx = nullptr;
    std::string method;
    int processes = 0;
    Target initializer;
    Object initargs;
    std::optional<std::int64_t> maxtasks;

    // ---- the arena row (this process owns its one reference: see scope::disown)
    std::shared_ptr<sc::ObjectRef> row;
    pool::View view;
    std::uint32_t serial = 0;

    // ---- state shared by the threads
    std::mutex mutex; // guards what follows
    sc::PoolRunState state = sc::PoolRunState::Run;
    std::map<std::uint64_t, std::shared_ptr<pool::Job>> cache;
    std::deque<TaskBatch> taskqueue;
    std::condition_variable taskqueue_cv;
    struct Posted {
        std::uint64_t job;
        std::int64_t index;
        pool::Outcome outcome;
    };
    std::deque<Posted> posted; // outcomes made in this process, for the result handler to deliver
    std::deque<Death> deaths;  // workers that ended, for the result handler to collect
    bool task_handler_done = false;
    bool feeding = false; // the task handler is putting the tasks of a batch
    enum class Phase { Empty, Running, Collecting };
    struct WorkerEntry {
        std::optional<Process> process;
        Phase phase = Phase::Empty;
    };
    std::vector<WorkerEntry> workers;

    std::atomic<bool> notice{false}; // posted/deaths/state changed: the result handler must look
    // Reading the result channels and settling jobs: the result handler's work, which a thread waiting
    // for a result may also do while the handler is not at it (one hop less on the way to the waiter).
    std::mutex deliver_mutex;
    std::vector<Reader> readers; // per worker slot, guarded by deliver_mutex
    pool::AdaptiveSpin spin;     // the result handler's
    std::mutex put_mutex;        // one putter at a time
    UniqueFd wake_fd;            // eventfd waking the worker handler
    std::thread worker_handler, task_handler, result_handler;
    std::mutex threads_mutex; // joining them (join() and terminate() may race)
    std::mutex terminate_mutex;
    bool terminated = false;
    std::optional<util::Finalize> exit_finalizer;
};

// ---- construction --------------------------------------------------------------------------------------

PoolCore::PoolCore(PoolOptions options)
    : initializer(std::move(options.initializer))
    , initargs(to_args_tuple(std::move(options.initargs)))
    , maxtasks(options.maxtasksperchild) {
    processes = options.processes ? *options.processes : std::max(1, cpu_count());
    if (processes < 1) throw ValueError("Number of processes must be at least 1");
    if (maxtasks && *maxtasks <= 0) throw ValueError("maxtasksperchild must be a positive int or None");
    ctx = options.context ? options.context : &get_context();
    method = ctx->start_method();
    if (initializer && !initializer.task_name() && method != "fork") {
        const std::string what = initializer.description();
        throw PicklingError("Can't pickle the initializer " + what +
                            ": spawn and forkserver pool workers find it by name; register it with MP_TASK(" +
                            (what == "<lambda>" || what == "function" ? std::string("f") : what) + ")");
    }

    Segment& segment = sc::ensure_session();
    const auto n = static_cast<std::uint32_t>(processes);
    // Heap blocks first; the row's finalizer frees them with the row.
    std::vector<std::uint64_t> blocks;
    try {
        const std::uint64_t cells = segment.allocate(sizeof(sc::PoolCell) * kCells, "a pool's task channel");
        blocks.push_back(cells);
        const std::uint64_t slots = segment.allocate(sizeof(sc::PoolWorkerSlot) * n, "a pool's worker table");
        blocks.push_back(slots);
        std::memset(segment.at(slots), 0, sizeof(sc::PoolWorkerSlot) * n);
        auto* cell = static_cast<sc::PoolCell*>(segment.at(cells));
        for (std::uint32_t i = 0; i < kCells; ++i) {
            std::memset(static_cast<void*>(&cell[i]), 0, sizeof(sc::PoolCell));
            cell[i].word.store(static_cast<std::uint64_t>(i) << 32, std::memory_order_relaxed);
        }
        auto* ws = static_cast<sc::PoolWorkerSlot*>(segment.at(slots));
        for (std::uint32_t i = 0; i < n; ++i) {
            const std::uint64_t ring = segment.allocate(kResultRingBytes, "a pool worker's result channel");
            ws[i].ring_offset.store(ring, std::memory_order_relaxed);
            ws[i].ring_capacity.store(kResultRingBytes, std::memory_order_relaxed);
        }
        row = sc::create_object(sc::ObjectKind::Pool, 0, [&](sc::ObjectSlot& slot) {
            auto& st = slot.state.pool;
            st.state.store(as_u32(sc::PoolRunState::Run), std::memory_order_relaxed);
            st.processes.store(n, std::memory_order_relaxed);
            st.maxtasksperchild.store(
                maxtasks ? static_cast<std::uint32_t>(std::min<std::int64_t>(*maxtasks, UINT32_MAX)) : 0,
                std::memory_order_relaxed);
            st.cell_count.store(kCells, std::memory_order_relaxed);
            st.workers_offset.store(slots, std::memory_order_relaxed);
            st.cells_offset.store(cells, std::memory_order_relaxed);
        });
    } catch (...) {
        if (blocks.size() == 2) {
            auto* ws = static_cast<sc::PoolWorkerSlot*>(segment.at(blocks[1]));
            for (std::uint32_t i = 0; i < n; ++i)
                if (const std::uint64_t ring = ws[i].ring_offset.load()) segment.deallocate(ring);
        }
        for (std::uint64_t b : blocks)
            segment.deallocate(b);
        throw;
    }
    sc::disown(*row);
    view = pool::View::of(segment, row->slot());
    serial = row->serial();
    workers.resize(n);
    readers.resize(n);
}

PoolCore::~PoolCore() {
    if (row) sc::drop_reference(row->segment(), row->index());
}

void PoolCore::start() {
    int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) throw_errno("eventfd");
    wake_fd.reset(fd);
    // fork copies the page table entry of every page this process holds, free heap memory malloc keeps
    // for reuse included, and afterwards each one this process writes first faults for its copy: handing
    // the free memory back first makes the workers' forks cheaper (a third, after a map of 100,000 items).
    if (method == "fork") ::malloc_trim(0);
    try {
        for (std::uint32_t i = 0; i < workers.size(); ++i) {
            workers[i].process.emplace(launch_worker(i));
            workers[i].phase = Phase::Running;
        }
    } catch (...) {
        // Python: the workers started so far are terminated and joined before the error propagates.
        for (auto& w : workers)
            if (w.process && !w.process->exitcode()) w.process->terminate();
        for (auto& w : workers)
            if (w.process) w.process->join();
        throw;
    }
    std::weak_ptr<PoolCore> weak = weak_from_this();
    exit_finalizer.emplace(
        [weak] {
            if (auto core = weak.lock()) core->terminate();
        },
        15);
    worker_handler = std::thread([this] { handle_workers(); });
    task_handler = std::thread([this] { handle_tasks(); });
    result_handler = std::thread([this] { handle_results(); });
}

Process PoolCore::launch_worker(std::uint32_t slot) {
    pool::WorkerConfig config;
    config.row_index = row->index();
    config.row_serial = serial;
    config.slot = slot;
    config.maxtasks = maxtasks;
    config.initargs = initargs;
    ProcessOptions o;
    o.daemon = true;
    if (initializer && !initializer.task_name()) {
        // Only under fork (checked at construction): the child has this very callable in its memory.
        o.target = Target([config, init = initializer] { pool::run_worker(config, init); });
    } else {
        o.target = Target::task(pool::kWorkerTask);
        o.args = config.to_args(initializer ? initializer.task_name() : std::nullopt);
    }
    Process p = ctx->Process(std::move(o));
    std::string name = p.name();
    if (auto at = name.find("Process"); at != std::string::npos) name.replace(at, 7, "PoolWorker");
    p.set_name(Object(name));

    sc::PoolWorkerSlot& ws = view.workers[slot];
    const bool replacement = ws.generation.load(std::memory_order_relaxed) != 0;
    const std::int64_t now = monotonic_ns();
    ws.generation.fetch_add(1, std::memory_order_relaxed);
    ws.process.store(0, std::memory_order_relaxed);
    ws.pid.store(0, std::memory_order_relaxed);
    ws.tasks_done.store(0, std::memory_order_relaxed);
    ws.current_seq.store(0, std::memory_order_relaxed);
    ws.write_pos.store(0, std::memory_order_relaxed);
    ws.read_pos.store(0, std::memory_order_relaxed);
    ws.launched_ns.store(now, std::memory_order_relaxed);
    ws.ready_ns.store(0, std::memory_order_relaxed);
    ws.waiting_ns.store(0, std::memory_order_relaxed);
    ws.working_ns.store(0, std::memory_order_relaxed);
    ws.state_since_ns.store(now, std::memory_order_relaxed);
    ws.state.store(static_cast<std::uint32_t>(sc::PoolWorkerState::Starting), std::memory_order_release);
    p.start();
    const int pid = p.pid().value_or(0);
    ws.pid.store(pid, std::memory_order_relaxed);
    ws.process.store(state_of(p).scope_serial, std::memory_order_relaxed);
    view.st->workers_started.fetch_add(1, std::memory_order_relaxed);
    if (replacement) {
        view.st->workers_replaced.fetch_add(1, std::memory_order_relaxed);
        sc::record(sc::Op::WorkerReplaced, serial, pid);
    }
    return p;
}

// ---- submitting ----------------------------------------------------------------------------------------

void PoolCore::check_running() {
    std::lock_guard lock(mutex);
    if (state != sc::PoolRunState::Run) throw ValueError("Pool not running");
}

void PoolCore::add_job(std::shared_ptr<pool::Job> job) {
    std::lock_guard lock(mutex);
    const std::uint64_t id = job->id();
    cache.emplace(id, std::move(job));
    view.st->results_outstanding.store(static_cast<std::uint32_t>(cache.size()), std::memory_order_relaxed);
}

void PoolCore::submit(TaskBatch batch) {
    view.st->tasks_backlog.fetch_add(batch.counted, std::memory_order_relaxed);
    {
        std::lock_guard lock(mutex);
        taskqueue.push_back(std::move(batch));
    }
    taskqueue_cv.notify_one();
}

pool::PoolHooks PoolCore::hooks() {
    std::weak_ptr<PoolCore> weak = weak_from_this();
    return {serial,
            [weak] {
                if (auto core = weak.lock()) core->terminate();
            },
            [weak] {
                auto core = weak.lock();
                return core && core->help_results();
            },
            [weak](bool start) {
                if (auto core = weak.lock()) core->helping(start);
            }};
}

// While a thread spins and helps, workers need not wake the result handler: what they send, it reads.
// When it stops, it looks once more, since a result may have come after its last look and before its
// withdrawal - then nobody woke the handler for it (all sequentially consistent).
void PoolCore::helping(bool start) {
    if (start) {
        view.st->helpers.fetch_add(1);
        return;
    }
    view.st->helpers.fetch_sub(1);
    if (pool::results_waiting(view) && !help_results()) notify_result_handler();
}

AsyncResult PoolCore::apply_async(const Target& func, Object args, Object kwds, ResultCallback callback,
                                  ErrorCallback error_callback) {
    check_running();
    TaskItem item;
    item.func = task_name_of(func);
    // None (what `{}` makes of an Object) stands for no arguments.
    item.args = args.is_none() ? Object::tuple() : to_args_tuple(std::move(args));
    item.kwds = kwds.is_none() ? Object::dict() : to_kwargs_dict(std::move(kwds));
    item.job = next_job();
    auto job = std::make_shared<ResultState>(item.job, hooks(), ResultState::Kind::Apply, 0, 0,
                                             std::move(callback), std::move(error_callback));
    add_job(job);
    if (put_directly(item)) return AsyncResult(std::move(job));
    submit(TaskBatch{[item = std::move(item), done = false](TaskItem& out) mutable {
                         if (done) return false;
                         out = std::move(item);
                         done = true;
                         return true;
                     },
                     {},
                     1});
    return AsyncResult(std::move(job));
}

AsyncResult PoolCore::map_async(const Target& func, const Object& iterable,
                                std::optional<std::int64_t> chunksize, ResultCallback callback,
                                ErrorCallback error_callback, sc::PoolTaskKind kind,
                                const std::shared_ptr<MapInput>& lent) {
    check_running();
    const std::string name = task_name_of(func);
    std::shared_ptr<MapInput> input = lent;
    if (!input || !(iterable.is_list() || iterable.is_tuple())) {
        input = std::make_shared<MapInput>();
        if (iterable.is_list() || iterable.is_tuple())
            input->owned = iterable.items(); // map_async() may return at once: a copy
        else
            input->owned = std::move(to_args_tuple(iterable).items());
    } else {
        input->items = &iterable.items();
    }
    const auto n = static_cast<std::int64_t>(input->items->size());
    std::int64_t size = chunksize.value_or(0);
    if (!chunksize) {
        // Python: ceil(len / (4 * workers)).
        const std::int64_t per = static_cast<std::int64_t>(processes) * 4;
        size = n / per + (n % per != 0 ? 1 : 0);
    }
    if (n == 0) size = 0;
    const std::uint64_t id = next_job();
    auto job = std::make_shared<ResultState>(id, hooks(), ResultState::Kind::Map, size, n,
                                             std::move(callback), std::move(error_callback));
    if (job->ready()) return AsyncResult(std::move(job)); // empty input or chunksize <= 0: no task at all
    add_job(job);
    submit(TaskBatch{[input, size, n, id, name, kind, at = std::int64_t{0}](TaskItem& out) mutable {
                         if (at >= n) return false;
                         const std::int64_t end = std::min(n, at + size);
                         input->exhausted = end == n;
                         out.job = id;
                         out.index = at / size;
                         out.kind = kind;
                         out.func = name;
                         out.args = Object();
                         out.slice =
                             std::span<const Object>(*input->items)
                                 .subspan(static_cast<std::size_t>(at), static_cast<std::size_t>(end - at));
                         out.kwds = Object::dict();
                         out.error.reset();
                         at = end;
                         return true;
                     },
                     {},
                     static_cast<std::uint64_t>((n + size - 1) / size),
                     &input->mutex});
    return AsyncResult(std::move(job));
}

IMapIterator PoolCore::imap(const Target& func, std::function<std::optional<Object>()> pull,
                            std::int64_t chunksize, bool unordered) {
    check_running();
    if (chunksize < 1) throw ValueError("Chunksize must be 1+, not " + std::to_string(chunksize));
    const std::uint64_t id = next_job();
    auto job = std::make_shared<IMapState>(id, hooks(), unordered, chunksize > 1);
    TaskBatch batch;
    batch.next = chunked_tasks(std::move(pull), chunksize, id, task_name_of(func));
    batch.set_length = [weak = weak_from_this(), job, id](std::int64_t length) {
        if (job->set_length(length))
            if (auto core = weak.lock()) core->complete_job(id);
    };
    add_job(job);
    submit(std::move(batch));
    return IMapIterator(std::move(job));
}

// ---- lifecycle -----------------------------------------------------------------------------------------

// A handler thread may end the pool itself (a callback that waits on a result and is interrupted).
void PoolCore::join_thread(std::thread& t) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
}

void PoolCore::close() {
    {
        std::lock_guard lock(mutex);
        if (state != sc::PoolRunState::Run) return;
        state = sc::PoolRunState::Close;
        view.st->state.store(as_u32(state), std::memory_order_relaxed);
    }
    wake_worker_handler();
}

void PoolCore::terminate() {
    {
        std::lock_guard lock(terminate_mutex);
        if (terminated) return;
        terminated = true;
    }
    {
        std::lock_guard lock(mutex);
        state = sc::PoolRunState::Terminate;
        view.st->state.store(as_u32(state));
    }
    if (exit_finalizer) exit_finalizer->cancel();
    taskqueue_cv.notify_all();
    notify_result_handler();
    wake_worker_handler();
    view.st->space_seq.fetch_add(1); // a task handler waiting for room looks at the state
    futex_wake_all(view.st->space_seq);
    std::lock_guard threads(threads_mutex);
    // The worker handler first, so that no worker is started behind our back.
    join_thread(worker_handler);
    {
        std::lock_guard lock(mutex);
        for (auto& w : workers)
            if (w.process && w.phase == Phase::Running && !w.process->exitcode()) w.process->terminate();
    }
    join_thread(task_handler);
    join_thread(result_handler);
    for (auto& w : workers) {
        if (!w.process || w.process->exitcode()) continue;
        // A worker that blocks SIGTERM must not hang us.
        w.process->join(2.0);
        if (!w.process->exitcode()) w.process->kill();
        w.process->join();
    }
    view.st->tasks_backlog.store(0, std::memory_order_relaxed);
    // Beyond CPython, whose pending results never complete: they fail.
    std::map<std::uint64_t, std::shared_ptr<pool::Job>> left;
    {
        std::lock_guard lock(mutex);
        left.swap(cache);
        view.st->results_outstanding.store(0, std::memory_order_relaxed);
    }
    const ExceptionValue why{"RuntimeError", "the pool was terminated before this result was ready", ""};
    // A thread helping the result handler may be settling one of them right now (unless this is the
    // result handler itself, in a callback: then it holds the lock).
    std::unique_lock deliver_lock(deliver_mutex, std::defer_lock);
    if (handling_results != this) deliver_lock.lock();
    for (auto& [id, job] : left)
        job->abandon(why);
}

void PoolCore::join() {
    {
        std::lock_guard lock(mutex);
        if (state == sc::PoolRunState::Run) throw ValueError("Pool is still running");
    }
    std::lock_guard threads(threads_mutex);
    for (std::thread* t : {&worker_handler, &task_handler, &result_handler})
        join_thread(*t);
    for (auto& w : workers)
        if (w.process) w.process->join();
}

std::string PoolCore::repr() {
    static constexpr const char* names[] = {"RUN", "CLOSE", "TERMINATE"};
    std::lock_guard lock(mutex);
    return std::string("<multiprocessing.pool.Pool state=") + names[static_cast<int>(state)] +
           " pool_size=" + std::to_string(processes) + ">";
}

// ---- the worker handler --------------------------------------------------------------------------------

void PoolCore::wake_worker_handler() noexcept {
    if (!wake_fd) return;
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd.get(), &one, sizeof one);
}

// Reaps workers that ended (handing them to the result handler) and starts workers in free slots. True
// when a start failed and should be retried soon.
bool PoolCore::maintain_pool() {
    std::vector<std::uint32_t> to_start;
    bool ended = false;
    {
        std::lock_guard lock(mutex);
        for (std::uint32_t i = 0; i < workers.size(); ++i) {
            WorkerEntry& w = workers[i];
            if (w.phase == Phase::Running) {
                const std::optional<int> code = w.process->exitcode();
                if (!code) continue;
                w.process->join();
                Death d{i, w.process->pid().value_or(0), w.process->name(), *code};
                sc::PoolWorkerSlot& ws = view.workers[i];
                ws.exit_code.store(*code, std::memory_order_relaxed);
                ws.state.store(static_cast<std::uint32_t>(sc::PoolWorkerState::Exited),
                               std::memory_order_release);
                deaths.push_back(std::move(d));
                w.phase = Phase::Collecting;
                ended = true;
            } else if (w.phase == Phase::Empty && wants_workers_locked()) {
                to_start.push_back(i);
            }
        }
    }
    if (ended) notify_result_handler();
    bool failed = false;
    for (std::uint32_t i : to_start) {
        try {
            Process p = launch_worker(i);
            std::lock_guard lock(mutex);
            workers[i].process.emplace(std::move(p));
            workers[i].phase = Phase::Running;
        } catch (const std::exception& e) {
            std::cerr << "Pool: starting a worker failed: " << e.what() << std::endl;
            failed = true;
        }
    }
    return failed;
}

void PoolCore::wait_for_updates(bool retry_soon) {
    std::vector<pollfd> fds{{wake_fd.get(), POLLIN, 0}};
    {
        std::lock_guard lock(mutex);
        for (auto& w : workers)
            if (w.phase == Phase::Running) fds.push_back({w.process->sentinel(), POLLIN, 0});
    }
    int n;
    do {
        n = ::poll(fds.data(), fds.size(), retry_soon ? kRetryMs : -1);
    } while (n < 0 && errno == EINTR);
    std::uint64_t count;
    while (::read(wake_fd.get(), &count, sizeof count) > 0) {
    }
}

void PoolCore::handle_workers() {
    sc::mark_internal_thread();
    block_sigint_in_this_thread();
    for (;;) {
        {
            // Python: workers are maintained while the pool runs, or while results are outstanding
            // unless it was terminated.
            std::lock_guard lock(mutex);
            if (!wants_workers_locked()) break;
        }
        wait_for_updates(maintain_pool());
    }
    {
        std::lock_guard lock(mutex);
        taskqueue.push_back(TaskBatch{{}, {}, 0, nullptr, true});
    }
    taskqueue_cv.notify_all();
}

// ---- the task handler ----------------------------------------------------------------------------------

void PoolCore::post(std::uint64_t job, std::int64_t index, pool::Outcome outcome) {
    {
        std::lock_guard lock(mutex);
        posted.push_back({job, index, std::move(outcome)});
    }
    notify_result_handler();
}

namespace {

// The pickled (func, args, kwds) of a task, written without copying the arguments into a tuple first.
std::string encode_task(const TaskItem& item) {
    if (item.slice) return pickle::internal::dumps_call(item.func, *item.slice, item.kwds);
    if (item.args.is_tuple()) return pickle::internal::dumps_call(item.func, item.args.items(), item.kwds);
    return pickle::dumps(Object::tuple(item.func, item.args, item.kwds));
}

} // namespace

bool PoolCore::put(const TaskItem& item, std::unique_lock<std::mutex>& input_hold) {
    std::string payload;
    try {
        payload = encode_task(item);
    } catch (...) {
        if (input_hold.owns_lock()) input_hold.unlock();
        // Python: an argument that cannot be sent fails its job, and nothing hangs.
        post(item.job, item.index, pool::Outcome::failure(ExceptionValue::current()));
        return true;
    }
    if (input_hold.owns_lock()) input_hold.unlock(); // the channel may be full: nobody waits on us meanwhile
    std::lock_guard lock(put_mutex);
    return pool::put_task(view, {item.job, item.index, item.kind}, payload,
                          [this] { return !terminating(); });
}

// apply_async's shortcut: with nothing queued before it and room in the channel, the caller puts the task
// itself and spares the task handler's wake-up. Order is kept: the task handler puts nothing while this
// holds put_mutex, and a batch it is feeding or has queued goes first.
bool PoolCore::put_directly(const TaskItem& item) {
    std::unique_lock put_lock(put_mutex, std::try_to_lock);
    if (!put_lock) return false;
    {
        std::lock_guard lock(mutex);
        if (feeding || !taskqueue.empty()) return false;
    }
    if (!pool::can_put(view)) return false;
    std::string payload;
    try {
        payload = encode_task(item);
    } catch (...) {
        return false; // the task handler reports it
    }
    return pool::put_task(view, {item.job, item.index, item.kind}, payload, [] { return false; });
}

void PoolCore::handle_tasks() {
    sc::mark_internal_thread();
    block_sigint_in_this_thread();
    for (;;) {
        TaskBatch batch;
        {
            std::unique_lock lock(mutex);
            taskqueue_cv.wait(lock,
                              [this] { return !taskqueue.empty() || state == sc::PoolRunState::Terminate; });
            if (taskqueue.empty()) break; // terminated
            batch = std::move(taskqueue.front());
            taskqueue.pop_front();
            feeding = !batch.sentinel;
        }
        if (batch.sentinel) break;
        std::int64_t last = -1;
        bool stopped = false;
        TaskItem item;
        std::unique_lock<std::mutex> input_hold;
        auto next = [&] {
            if (batch.input_mutex) input_hold = std::unique_lock(*batch.input_mutex);
            const bool more = batch.next(item);
            if (!more && input_hold.owns_lock()) input_hold.unlock();
            return more;
        };
        while (!(stopped = terminating()) && next()) {
            last = item.index;
            if (batch.counted > 0) {
                --batch.counted;
                view.st->tasks_backlog.fetch_sub(1, std::memory_order_relaxed);
            }
            if (item.error) {
                if (input_hold.owns_lock()) input_hold.unlock();
                post(item.job, item.index, pool::Outcome::failure(std::move(*item.error)));
                continue;
            }
            if (!put(item, input_hold)) {
                stopped = true;
                break;
            }
        }
        if (!stopped && batch.set_length) batch.set_length(last + 1);
        std::lock_guard lock(mutex);
        feeding = false;
    }
    {
        std::lock_guard lock(mutex);
        task_handler_done = true;
    }
    notify_result_handler();
    // Python's None per worker: each worker still running exits when it takes one.
    auto live = [this] {
        std::lock_guard lock(mutex);
        if (state == sc::PoolRunState::Terminate) return false;
        return std::any_of(workers.begin(), workers.end(),
                           [](const WorkerEntry& w) { return w.phase == Phase::Running; });
    };
    std::lock_guard lock(put_mutex);
    for (std::size_t i = 0; i < workers.size(); ++i)
        if (!pool::put_task(view, {0, 0, sc::PoolTaskKind::Stop}, {}, live)) break;
}

// ---- the result handler --------------------------------------------------------------------------------

void PoolCore::notify_result_handler() noexcept {
    notice.store(true);
    if (view.st->results_sleeping.load() != 0) {
        view.st->results_seq.fetch_add(1);
        futex_wake_all(view.st->results_seq);
    }
}

void PoolCore::complete_job(std::uint64_t job) {
    bool finishing;
    {
        std::lock_guard lock(mutex);
        cache.erase(job);
        finishing = cache.empty() && state != sc::PoolRunState::Run;
        view.st->results_outstanding.store(static_cast<std::uint32_t>(cache.size()),
                                           std::memory_order_relaxed);
    }
    // Python's _PoolCache notifies the worker handler when it empties: a closed pool may now finish. A
    // running pool keeps its workers whatever the cache holds, so nobody is woken for nothing.
    if (finishing) {
        wake_worker_handler();
        notify_result_handler();
    }
}

// Called with deliver_mutex held. Callbacks run on the result handler only: a helping thread hands the
// outcomes of jobs that have them over.
void PoolCore::deliver(std::uint64_t job, std::int64_t index, pool::Outcome outcome, bool handler) {
    std::shared_ptr<pool::Job> j;
    {
        std::lock_guard lock(mutex);
        auto it = cache.find(job);
        if (it == cache.end()) return;
        j = it->second;
        if (!handler && j->has_callbacks()) {
            posted.push_back({job, index, std::move(outcome)});
            j.reset();
        }
    }
    if (!j) {
        notify_result_handler();
        return;
    }
    if (j->set(index, std::move(outcome))) complete_job(job);
}

// A map chunk's results go straight into the slots of the job's list, when they are plain scalars (the
// values of a numeric map). Called with deliver_mutex held, like the job's set().
bool PoolCore::place(std::uint64_t job, std::int64_t index, std::string_view payload) {
    std::shared_ptr<pool::Job> j;
    {
        std::lock_guard lock(mutex);
        auto it = cache.find(job);
        if (it == cache.end()) return false;
        j = it->second;
    }
    const std::span<Object> slots = j->slots(index);
    return !slots.empty() && pickle::internal::loads_list_into(payload, slots);
}

// Reads what every worker's channel holds and settles it. Called with deliver_mutex held.
bool PoolCore::drain(bool handler) {
    bool progress = false;
    for (std::uint32_t i = 0; i < readers.size(); ++i)
        if (pool::read_results(view, i, readers[i].buffer) != 0) {
            dispatch(readers[i], handler);
            progress = true;
        }
    return progress;
}

bool PoolCore::help_results() {
    if (handling_results == this) return false; // a callback waiting for another result
    std::unique_lock lock(deliver_mutex, std::try_to_lock);
    if (!lock || !pool::results_waiting(view)) return false;
    {
        std::lock_guard state_lock(mutex);
        if (state == sc::PoolRunState::Terminate) return false;
    }
    return drain(false);
}

void PoolCore::dispatch(Reader& reader, bool handler) {
    while (auto m = pool::next_result(reader.buffer, reader.offset)) {
        reader.last_seq = m->header.seq;
        view.st->tasks_completed.fetch_add(1, std::memory_order_relaxed);
        pool::Outcome o;
        if (m->header.ok && place(m->header.job, m->header.index, m->payload)) {
            o.placed = true;
            deliver(m->header.job, m->header.index, std::move(o), handler);
            continue;
        }
        try {
            Object value = pickle::loads(m->payload);
            if (m->header.ok) {
                o.value = std::move(value);
            } else {
                const auto& e = value.items();
                o = pool::Outcome::failure({e.at(0).as_str(), e.at(1).as_str(), e.at(2).as_str()});
            }
        } catch (...) {
            o = pool::Outcome::failure(ExceptionValue::current());
        }
        deliver(m->header.job, m->header.index, std::move(o), handler);
    }
    if (reader.offset == reader.buffer.size()) {
        reader.buffer.clear();
        reader.offset = 0;
    } else if (reader.offset > kResultRingBytes) {
        reader.buffer.erase(0, reader.offset);
        reader.offset = 0;
    }
}

// Called on the result handler with deliver_mutex held.
void PoolCore::collect(const Death& death) {
    Reader& reader = readers[death.slot];
    // What it sent completely counts; a message it was cut off in the middle of does not.
    pool::read_results(view, death.slot, reader.buffer);
    dispatch(reader, true);
    sc::PoolWorkerSlot& ws = view.workers[death.slot];
    std::vector<pool::HeldTask> lost;
    const std::uint64_t current = ws.current_seq.load();
    if (current != 0 && current != reader.last_seq)
        lost.push_back({current, ws.current_job.load(), ws.current_index.load()});
    for (const pool::HeldTask& held : pool::reclaim_cells(view, death.slot))
        if (held.seq != static_cast<std::uint32_t>(current)) lost.push_back(held);
    const std::string message = "Worker " + death.name + " (pid " + std::to_string(death.pid) +
                                ") died while running this task: it " + how_it_ended(death.exitcode);
    for (const pool::HeldTask& held : lost) {
        view.st->tasks_lost.fetch_add(1, std::memory_order_relaxed);
        sc::record(sc::Op::TaskLost, serial, death.pid);
        deliver(held.job, held.index, pool::Outcome::failure({"WorkerLostError", message, ""}));
    }
    reader = Reader{};
    ws.current_seq.store(0);
    ws.write_pos.store(0);
    ws.read_pos.store(0);
    {
        std::lock_guard lock(mutex);
        workers[death.slot].phase = Phase::Empty;
    }
    wake_worker_handler();
}

void PoolCore::sleep_for_results() {
    auto work = [this] { return notice.load() || pool::results_waiting(view); };
    const std::int64_t since = monotonic_ns();
    // A thread helping reads what arrives: spinning too would only take the CPU it needs.
    if (view.st->helpers.load() != 0 || !spin.spin(work)) {
        sc::PoolState& st = *view.st;
        st.results_sleeping.store(1);
        const std::uint32_t seq = st.results_seq.load();
        if (!work()) futex_wait(st.results_seq, seq, monotonic_ns() + 1'000'000'000);
        st.results_sleeping.store(0);
    }
    spin.waited(monotonic_ns() - since);
}

void PoolCore::handle_results() {
    handling_results = this;
    sc::mark_internal_thread();
    block_sigint_in_this_thread();
    for (;;) {
        bool progress;
        bool stop;
        {
            std::lock_guard deliver_lock(deliver_mutex);
            progress = drain(true);
            std::deque<Posted> outcomes;
            std::deque<Death> died;
            notice.store(false);
            {
                std::lock_guard lock(mutex);
                outcomes.swap(posted);
                died.swap(deaths);
                stop = state == sc::PoolRunState::Terminate || (task_handler_done && cache.empty());
            }
            progress = progress || !outcomes.empty() || !died.empty();
            for (Posted& p : outcomes)
                deliver(p.job, p.index, std::move(p.outcome));
            for (const Death& d : died)
                collect(d);
        }
        if (stop) break;
        if (!progress) sleep_for_results();
    }
}

} // namespace detail

// ---- Pool ----------------------------------------------------------------------------------------------

Pool::Pool(std::optional<int> processes, Target initializer, Object initargs,
           std::optional<std::int64_t> maxtasksperchild, const Context* context)
    : Pool(PoolOptions{processes, std::move(initializer), std::move(initargs), maxtasksperchild, context}) {}

Pool::Pool(PoolOptions options)
    : core_(std::make_shared<detail::PoolCore>(std::move(options))) {
    core_->start();
}

Pool::Pool(Pool&&) noexcept = default;

Pool& Pool::operator=(Pool&& other) noexcept {
    if (this != &other) {
        if (core_) core_->terminate();
        core_ = std::move(other.core_);
    }
    return *this;
}

Pool::~Pool() {
    if (core_) core_->terminate();
}

detail::PoolCore& Pool::core() const {
    if (!core_) throw ValueError("this Pool was moved from");
    return *core_;
}

Object Pool::apply(const Target& func, Object args, Object kwds) {
    return detail::PoolCore::take(apply_async(func, std::move(args), std::move(kwds)));
}

AsyncResult Pool::apply_async(const Target& func, Object args, Object kwds, ResultCallback callback,
                              ErrorCallback error_callback) {
    return core().apply_async(func, std::move(args), std::move(kwds), std::move(callback),
                              std::move(error_callback));
}

namespace {

// map() and starmap(): the caller's list is lent to the task handler for as long as the call lasts.
Object map_blocking(detail::PoolCore& core, const Target& func, const Object& iterable,
                    std::optional<std::int64_t> chunksize, sc::PoolTaskKind kind) {
    auto input = std::make_shared<detail::MapInput>();
    struct KeepOnExit {
        detail::MapInput& input;
        ~KeepOnExit() { input.keep(); }
    } keep_on_exit{*input};
    return detail::PoolCore::take(core.map_async(func, iterable, chunksize, {}, {}, kind, input));
}

} // namespace

Object Pool::map(const Target& func, const Object& iterable, std::optional<std::int64_t> chunksize) {
    return map_blocking(core(), func, iterable, chunksize, sc::PoolTaskKind::Map);
}

AsyncResult Pool::map_async(const Target& func, const Object& iterable, std::optional<std::int64_t> chunksize,
                            ResultCallback callback, ErrorCallback error_callback) {
    return core().map_async(func, iterable, chunksize, std::move(callback), std::move(error_callback),
                            sc::PoolTaskKind::Map);
}

Object Pool::starmap(const Target& func, const Object& iterable, std::optional<std::int64_t> chunksize) {
    return map_blocking(core(), func, iterable, chunksize, sc::PoolTaskKind::Starmap);
}

AsyncResult Pool::starmap_async(const Target& func, const Object& iterable,
                                std::optional<std::int64_t> chunksize, ResultCallback callback,
                                ErrorCallback error_callback) {
    return core().map_async(func, iterable, chunksize, std::move(callback), std::move(error_callback),
                            sc::PoolTaskKind::Starmap);
}

IMapIterator Pool::imap(const Target& func, const Object& iterable, std::int64_t chunksize) {
    return imap(func, detail::pull_from(iterable), chunksize);
}

IMapIterator Pool::imap(const Target& func, Generator items, std::int64_t chunksize) {
    return core().imap(func, std::move(items), chunksize, false);
}

IMapIterator Pool::imap_unordered(const Target& func, const Object& iterable, std::int64_t chunksize) {
    return imap_unordered(func, detail::pull_from(iterable), chunksize);
}

IMapIterator Pool::imap_unordered(const Target& func, Generator items, std::int64_t chunksize) {
    return core().imap(func, std::move(items), chunksize, true);
}

void Pool::close() {
    core().close();
}

void Pool::terminate() {
    core().terminate();
}

void Pool::join() {
    core().join();
}

std::string Pool::repr() const {
    return core().repr();
}

std::uint32_t Pool::scope_id() const {
    return core().serial;
}

// ---- Context -------------------------------------------------------------------------------------------

mp::Pool Context::Pool(std::optional<int> processes, Target initializer, Object initargs,
                       std::optional<std::int64_t> maxtasksperchild) const {
    return mp::Pool(processes, std::move(initializer), std::move(initargs), maxtasksperchild, this);
}

} // namespace mp
