// dummy::ThreadPool (SPEC §10, §12): CPython's Pool architecture with threads - worker threads taking tasks
// from an in-queue, a task handler thread feeding it from the task queue (so imap consumes its input
// lazily, there), and a result handler thread that hands results to their AsyncResult / IMapIterator and
// runs every callback, one at a time. Worker exceptions travel as they are (std::exception_ptr).
//
// CPython's fourth thread, the worker handler, replaces workers that ended and sends the task handler its
// stop sentinel once the pool is closed and no result is outstanding. Threads never need replacing, so
// here the sentinel is sent where the cache changes; the handler's thread number is still taken so that
// thread names follow Python's.
#include "dummy_internal.hpp"

#include "process_fd.hpp"

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>

namespace mp::dummy {

namespace detail {

struct Outcome {
    bool success = true;
    Object value;
    std::exception_ptr error;
};

template <class F> Outcome attempt(F&& f) {
    try {
        return Outcome{true, f(), nullptr};
    } catch (...) {
        return Outcome{false, Object(), std::current_exception()};
    }
}

struct Task {
    std::int64_t job = 0;
    std::int64_t index = 0;
    std::function<Outcome()> run;
};

// One submission as the task handler sees it: tasks produced lazily, and for imap the total to report
// once they are all out (Python's (taskseq, set_length)).
struct TaskSource {
    std::function<std::optional<Task>()> next;
    std::function<void(std::int64_t)> set_length;
};

struct Delivery {
    std::int64_t job = 0;
    std::int64_t index = 0;
    Outcome outcome;
};

namespace {

std::int64_t next_job() noexcept {
    static std::atomic<std::int64_t> counter{0};
    return counter.fetch_add(1, std::memory_order_relaxed);
}

using TaskFunction = std::shared_ptr<const Target>;

// Python's mapstar / starmapstar: one chunk of items through func, as a list. The items are used up.
Object run_chunk(const Target& func, std::vector<Object>& chunk, bool star) {
    std::vector<Object> results;
    results.reserve(chunk.size());
    // One argument tuple and one empty kwargs dict for the whole chunk: the calls only read them.
    const Object kwargs = Object::dict();
    Object args = Object::tuple(Object());
    for (Object& x : chunk) {
        if (star) {
            results.push_back(func(Object::tuple(Iterable(x).materialize()), kwargs));
        } else {
            args[0] = std::move(x);
            results.push_back(func(args, kwargs));
        }
    }
    return Object::list(std::move(results));
}

// Python's _guarded_task_generation: tasks (job, i, ...) for the items `items()` yields (made lazily, on
// the task handler thread); an exception from the input becomes a task at its position that raises it.
std::function<std::optional<Task>()>
guarded_tasks(std::int64_t job, std::function<Iterable::Generator()> items,
              std::function<std::function<Outcome()>(Object item)> make_task) {
    struct Progress {
        Iterable::Generator next;
        std::int64_t index = -1;
        bool done = false;
    };
    auto progress = std::make_shared<Progress>();
    return [=]() -> std::optional<Task> {
        if (progress->done) return std::nullopt;
        try {
            if (!progress->next) progress->next = items();
            auto item = progress->next();
            if (!item) {
                progress->done = true;
                return std::nullopt;
            }
            return Task{job, ++progress->index, make_task(std::move(*item))};
        } catch (...) {
            progress->done = true;
            return Task{job, progress->index + 1, [error = std::current_exception()] {
                            return Outcome{false, Object(), error};
                        }};
        }
    };
}

// Python's Pool._get_tasks: groups of up to `size` items, as list objects.
Iterable::Generator chunks_of(Iterable::Generator items, std::int64_t size) {
    return [items = std::move(items), size]() mutable -> std::optional<Object> {
        std::vector<Object> chunk;
        while (static_cast<std::int64_t>(chunk.size()) < size) {
            auto item = items();
            if (!item) break;
            chunk.push_back(std::move(*item));
        }
        if (chunk.empty()) return std::nullopt;
        return Object::list(std::move(chunk));
    };
}

// The same over items already in memory (map's materialized input): slices moved out whole.
Iterable::Generator chunks_of(std::shared_ptr<std::vector<Object>> items, std::int64_t size) {
    return [items = std::move(items), size, next = std::size_t{0}]() mutable -> std::optional<Object> {
        if (next == items->size()) return std::nullopt;
        const std::size_t end = std::min(items->size(), next + static_cast<std::size_t>(size));
        std::vector<Object> chunk(std::make_move_iterator(items->begin() + static_cast<std::ptrdiff_t>(next)),
                                  std::make_move_iterator(items->begin() + static_cast<std::ptrdiff_t>(end)));
        next = end;
        return Object::list(std::move(chunk));
    };
}

} // namespace

// ApplyResult and MapResult.
struct ResultState {
    ResultState(bool map, Callback cb, ErrorCallback ecb)
        : is_map(map)
        , job(next_job())
        , callback(std::move(cb))
        , error_callback(std::move(ecb)) {}

    const bool is_map;
    const std::int64_t job;
    const Callback callback;
    const ErrorCallback error_callback;

    std::mutex mutex;
    std::condition_variable changed;
    bool ready = false;
    bool success = true;
    Object value;
    std::exception_ptr error;
    // MapResult: results are filled in chunk by chunk.
    std::int64_t chunksize = 0;
    std::int64_t number_left = 0;
    std::vector<Object> values;

    void mark_ready() {
        {
            std::lock_guard lock(mutex);
            ready = true;
        }
        changed.notify_all();
    }

    // ApplyResult._set / MapResult._set, on the result handler thread. Callbacks run before ready() turns
    // true; one that throws leaves the result pending (and ends the result handler, as in CPython).
    // True once the result is complete.
    bool set(std::int64_t i, Outcome outcome) {
        if (!is_map) {
            {
                std::lock_guard lock(mutex);
                success = outcome.success;
                value = std::move(outcome.value);
                error = outcome.error;
            }
            if (callback && outcome.success) callback(value);
            if (error_callback && !outcome.success) error_callback(outcome.error);
            mark_ready();
            return true;
        }
        bool done = false;
        {
            std::lock_guard lock(mutex);
            done = --number_left == 0;
            if (outcome.success && success) {
                auto& chunk = outcome.value.items();
                for (std::size_t k = 0; k < chunk.size(); ++k)
                    values[static_cast<std::size_t>(i * chunksize) + k] = std::move(chunk[k]);
                if (done) value = Object::list(std::move(values));
            } else if (!outcome.success && success) {
                success = false; // only the first failure counts
                error = outcome.error;
            }
        }
        if (!done) return false;
        if (success && callback) callback(value);
        if (!success && error_callback) error_callback(error);
        mark_ready();
        return true;
    }

    bool wait(std::optional<double> timeout) {
        std::unique_lock lock(mutex);
        return wait_until(changed, lock, deadline_after(timeout), [&] { return ready; });
    }
};

// IMapIterator and IMapUnorderedIterator.
struct IMapState {
    IMapState(bool unordered_results, bool chunked_results)
        : unordered(unordered_results)
        , chunked(chunked_results)
        , job(next_job()) {}

    const bool unordered;
    const bool chunked;
    const std::int64_t job;

    std::mutex mutex;
    std::condition_variable changed;
    std::deque<Outcome> items;
    std::int64_t index = 0;
    std::optional<std::int64_t> length;
    std::map<std::int64_t, Outcome> unsorted;
    std::deque<Object> pending; // the rest of the chunk being handed out

    // True once every result has arrived.
    bool set(std::int64_t i, Outcome outcome) {
        std::lock_guard lock(mutex);
        if (unordered || index == i) {
            items.push_back(std::move(outcome));
            ++index;
            for (auto it = unsorted.find(index); !unordered && it != unsorted.end();
                 it = unsorted.find(index)) {
                items.push_back(std::move(it->second));
                unsorted.erase(it);
                ++index;
            }
            changed.notify_one();
        } else {
            unsorted.emplace(i, std::move(outcome));
        }
        return length && index == *length;
    }

    bool set_length(std::int64_t n) {
        std::lock_guard lock(mutex);
        length = n;
        if (index != n) return false;
        changed.notify_one();
        return true;
    }
};

struct PoolState {
    enum Phase : int { Run, Close, Terminate };
    using Entry = std::variant<std::shared_ptr<ResultState>, std::shared_ptr<IMapState>>;

    std::mutex mutex;
    Phase phase = Run;
    bool tasks_stopped = false; // the task handler's stop sentinel is queued
    bool terminated = false;
    std::map<std::int64_t, Entry> cache;

    std::atomic<int> task_handler_phase{Run};
    std::atomic<int> result_handler_phase{Run};
    QueueCore<std::optional<TaskSource>> taskqueue{0};
    QueueCore<std::optional<Task>> inqueue{0};
    QueueCore<std::optional<Delivery>> outqueue{0};

    std::vector<Process> workers;
    std::optional<Process> task_handler;
    std::optional<Process> result_handler;
    Target initializer;
    Object initargs;

    static AsyncResult result(std::shared_ptr<ResultState> state) { return AsyncResult(std::move(state)); }
    // get() for a result nobody else can see (map, starmap): the value is moved out, not copied.
    static Object take(const AsyncResult& result) {
        auto& state = *result.state_;
        state.wait(std::nullopt);
        std::lock_guard lock(state.mutex);
        if (!state.success) std::rethrow_exception(state.error);
        return std::move(state.value);
    }
    static IMapIterator iterator(std::shared_ptr<IMapState> state) { return IMapIterator(std::move(state)); }

    static const char* phase_name(Phase p) { return p == Run ? "RUN" : p == Close ? "CLOSE" : "TERMINATE"; }

    // The worker handler's part: once closed with nothing outstanding, or terminated, the task handler
    // is told to stop. Caller holds `mutex`.
    void maybe_stop_tasks() {
        if (tasks_stopped || phase == Run || (!cache.empty() && phase != Terminate)) return;
        tasks_stopped = true;
        taskqueue.put(std::nullopt);
    }

    void check_running() const {
        if (phase != Run) throw ValueError("Pool not running");
    }

    void submit(std::int64_t job, Entry entry, TaskSource source) {
        std::lock_guard lock(mutex);
        check_running();
        cache.emplace(job, std::move(entry));
        taskqueue.put(std::move(source));
    }

    void finished(std::int64_t job) {
        std::lock_guard lock(mutex);
        cache.erase(job);
        maybe_stop_tasks();
    }

    void worker_loop() {
        if (initializer) initializer(initargs, Object::dict());
        while (auto task = inqueue.get()) {
            Delivery delivery{task->job, task->index, task->run()};
            // Let go of the task (and any exception it holds) before its result leaves this thread, so
            // that the thread receiving the result is the last to hold it.
            task.reset();
            outqueue.put(std::move(delivery));
        }
    }

    void handle_tasks() {
        while (auto source = taskqueue.get()) {
            std::int64_t last = -1;
            bool stopped = false;
            while (auto task = source->next()) {
                if (task_handler_phase != Run) {
                    stopped = true;
                    break;
                }
                last = task->index;
                inqueue.put(std::move(*task));
            }
            if (stopped) break;
            if (source->set_length) source->set_length(last + 1);
        }
        outqueue.put(std::nullopt); // the result handler may finish once the cache is empty
        for (std::size_t i = 0; i < workers.size(); ++i)
            inqueue.put(std::nullopt);
    }

    void deliver(Delivery delivery) {
        std::optional<Entry> entry;
        {
            std::lock_guard lock(mutex);
            if (auto it = cache.find(delivery.job); it != cache.end()) entry = it->second;
        }
        if (!entry) return;
        const bool done =
            std::visit([&](auto& e) { return e->set(delivery.index, std::move(delivery.outcome)); }, *entry);
        if (done) finished(delivery.job);
    }

    bool cache_empty() {
        std::lock_guard lock(mutex);
        return cache.empty();
    }

    void handle_results() {
        for (;;) {
            auto delivery = outqueue.get();
            if (result_handler_phase != Run || !delivery) break;
            deliver(std::move(*delivery));
        }
        while (!cache_empty() && result_handler_phase != Terminate) {
            if (auto delivery = outqueue.get()) deliver(std::move(*delivery));
        }
    }
};

namespace {

// A handler thread: a threading.Thread (not a DummyProcess), daemonic, not a child of its creator.
Process start_handler(const std::shared_ptr<PoolState>& pool, const char* target, void (PoolState::*body)()) {
    Process thread(Target{[pool, body] { ((*pool).*body)(); }}, Object::tuple(), Object::dict(),
                   new_thread_name(target), true);
    auto& state = *ProcessAccess::state(thread);
    state.class_name = "Thread";
    state.child = false;
    thread.start();
    return thread;
}

void join_unless_current(const std::optional<Process>& thread) {
    if (thread && !(*thread == current_process())) thread->join();
}

} // namespace
} // namespace detail

// ---- ErrorCallback ----------------------------------------------------------------------------------------

void ErrorCallback::rethrow_mapped(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const Exception&) {
        throw;
    } catch (...) {
        ExceptionValue::current().raise();
    }
}

ExceptionValue ErrorCallback::as_value(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (...) {
        return ExceptionValue::current();
    }
}

// ---- AsyncResult ------------------------------------------------------------------------------------------

bool AsyncResult::ready() const {
    std::lock_guard lock(state_->mutex);
    return state_->ready;
}

bool AsyncResult::successful() const {
    std::lock_guard lock(state_->mutex);
    if (!state_->ready) throw ValueError(repr() + " not ready");
    return state_->success;
}

void AsyncResult::wait(std::optional<double> timeout) const {
    state_->wait(timeout);
}

Object AsyncResult::get(std::optional<double> timeout) const {
    if (!state_->wait(timeout)) throw TimeoutError("");
    std::lock_guard lock(state_->mutex);
    if (!state_->success) std::rethrow_exception(state_->error);
    return state_->value;
}

std::string AsyncResult::repr() const {
    return std::string("<multiprocessing.pool.") + (state_->is_map ? "MapResult" : "ApplyResult") +
           " object at " + detail::address_of(state_.get()) + ">";
}

// ---- IMapIterator -----------------------------------------------------------------------------------------

Object IMapIterator::next(std::optional<double> timeout) {
    auto& s = *state_;
    std::unique_lock lock(s.mutex);
    if (!s.pending.empty()) {
        Object item = std::move(s.pending.front());
        s.pending.pop_front();
        return item;
    }
    const auto at_end = [&] { return s.length && s.index == *s.length; };
    if (s.items.empty()) {
        if (at_end()) throw StopIteration("");
        detail::wait_until(s.changed, lock, detail::deadline_after(timeout),
                           [&] { return !s.items.empty() || at_end(); });
        if (s.items.empty()) {
            if (at_end()) throw StopIteration("");
            throw TimeoutError("");
        }
    }
    detail::Outcome outcome = std::move(s.items.front());
    s.items.pop_front();
    if (!outcome.success) std::rethrow_exception(outcome.error);
    if (!s.chunked) return std::move(outcome.value);
    auto& chunk = outcome.value.items();
    s.pending.assign(std::make_move_iterator(chunk.begin() + 1), std::make_move_iterator(chunk.end()));
    return std::move(chunk.front());
}

IMapIterator::iterator& IMapIterator::iterator::operator++() {
    try {
        current_ = owner_->next();
    } catch (const StopIteration&) {
        owner_ = nullptr;
    }
    return *this;
}

IMapIterator::iterator IMapIterator::begin() {
    iterator it(this);
    ++it;
    return it;
}

std::string IMapIterator::repr() const {
    return std::string("<multiprocessing.pool.") +
           (state_->unordered ? "IMapUnorderedIterator" : "IMapIterator") + " object at " +
           detail::address_of(state_.get()) + ">";
}

// ---- ThreadPool -------------------------------------------------------------------------------------------

ThreadPool::ThreadPool(std::optional<int> processes, Target initializer, Object initargs)
    : state_(std::make_shared<detail::PoolState>()) {
    if (!processes) {
        try {
            processes = cpu_count();
        } catch (const NotImplementedError&) {
            processes = 1;
        }
    }
    if (*processes < 1) throw ValueError("Number of processes must be at least 1");
    auto& pool = *state_;
    pool.initializer = std::move(initializer);
    pool.initargs = std::move(initargs);
    for (int i = 0; i < *processes; ++i) {
        Process worker(Target{[shared = state_] { shared->worker_loop(); }}, Object::tuple(), Object::dict(),
                       detail::new_thread_name("worker"), true);
        worker.start();
        pool.workers.push_back(std::move(worker));
    }
    detail::next_thread_number(); // CPython's worker handler thread (see the top of this file)
    pool.task_handler = detail::start_handler(state_, "_handle_tasks", &detail::PoolState::handle_tasks);
    pool.result_handler =
        detail::start_handler(state_, "_handle_results", &detail::PoolState::handle_results);
}

ThreadPool::ThreadPool(ThreadPool&& other) noexcept = default;

ThreadPool& ThreadPool::operator=(ThreadPool&& other) noexcept {
    if (this != &other) {
        ThreadPool old(std::move(*this));
        state_ = std::move(other.state_);
    }
    return *this;
}

ThreadPool::~ThreadPool() {
    if (!state_) return;
    try {
        terminate();
    } catch (const Exception& e) {
        mp::detail::flush_std_streams();
        std::cerr << "Exception ignored in: " << repr() << "\n"
                  << e.type_name() << ": " << e.what() << std::endl;
    }
    // Beyond CPython: wait for the tasks still running, so that they may use what the caller's scope holds.
    for (const Process& worker : state_->workers)
        if (!(worker == current_process())) worker.join();
}

Object ThreadPool::apply(Target func, Object args, Object kwds) {
    return apply_async(std::move(func), std::move(args), std::move(kwds)).get();
}

AsyncResult ThreadPool::apply_async(Target func, Object args, Object kwds, Callback callback,
                                    ErrorCallback error_callback) {
    auto result =
        std::make_shared<detail::ResultState>(false, std::move(callback), std::move(error_callback));
    auto call = [func = std::move(func), args = std::move(args), kwds = std::move(kwds)] {
        return detail::attempt([&] { return func(args, kwds); });
    };
    auto task = std::make_shared<std::optional<detail::Task>>(detail::Task{result->job, 0, std::move(call)});
    state_->submit(result->job, result, {[task]() { return std::exchange(*task, std::nullopt); }, {}});
    return detail::PoolState::result(std::move(result));
}

namespace {

MapResult map_async_impl(detail::PoolState& pool, Target func, const Iterable& iterable,
                         std::optional<std::int64_t> chunksize, Callback callback,
                         ErrorCallback error_callback, bool star) {
    {
        std::lock_guard lock(pool.mutex);
        pool.check_running();
    }
    auto items = std::make_shared<std::vector<Object>>(iterable.materialize());
    const auto length = static_cast<std::int64_t>(items->size());
    std::int64_t size = 0;
    if (chunksize) {
        size = *chunksize;
    } else {
        const auto quarter = static_cast<std::int64_t>(pool.workers.size()) * 4;
        size = length / quarter + (length % quarter ? 1 : 0);
    }
    if (length == 0) size = 0;

    auto result = std::make_shared<detail::ResultState>(true, std::move(callback), std::move(error_callback));
    result->chunksize = size;
    result->values.assign(items->size(), Object());
    if (size <= 0) {
        // Nothing to run (CPython: chunksize 0 gives [None] * len); no callback.
        result->value = Object::list(result->values);
        result->ready = true;
        return detail::PoolState::result(std::move(result));
    }
    result->number_left = length / size + (length % size ? 1 : 0);
    auto fn = std::make_shared<const Target>(std::move(func));
    auto chunks = [items, size] { return detail::chunks_of(items, size); };
    auto make_task = [fn, star](Object chunk) -> std::function<detail::Outcome()> {
        return [fn, star, chunk = std::move(chunk)]() mutable {
            return detail::attempt([&] { return detail::run_chunk(*fn, chunk.items(), star); });
        };
    };
    pool.submit(result->job, result, {detail::guarded_tasks(result->job, chunks, make_task), {}});
    return detail::PoolState::result(std::move(result));
}

IMapIterator imap_impl(const std::shared_ptr<detail::PoolState>& pool, Target func, const Iterable& iterable,
                       std::int64_t chunksize, bool unordered) {
    {
        std::lock_guard lock(pool->mutex);
        pool->check_running();
    }
    if (chunksize < 1) throw ValueError("Chunksize must be 1+, not " + std::to_string(chunksize));
    const bool chunked = chunksize != 1;
    auto state = std::make_shared<detail::IMapState>(unordered, chunked);
    auto fn = std::make_shared<const Target>(std::move(func));
    auto items = [iterable, chunksize, chunked] {
        return chunked ? detail::chunks_of(iterable.iterate(), chunksize) : iterable.iterate();
    };
    auto make_task = [fn, chunked](Object item) -> std::function<detail::Outcome()> {
        return [fn, chunked, item = std::move(item)]() mutable {
            return detail::attempt([&] {
                return chunked ? detail::run_chunk(*fn, item.items(), false)
                               : (*fn)(Object::tuple(std::move(item)), Object::dict());
            });
        };
    };
    std::weak_ptr<detail::PoolState> weak_pool = pool;
    auto set_length = [state, weak_pool](std::int64_t n) {
        if (state->set_length(n))
            if (auto p = weak_pool.lock()) p->finished(state->job);
    };
    pool->submit(state->job, state, {detail::guarded_tasks(state->job, items, make_task), set_length});
    return detail::PoolState::iterator(std::move(state));
}

} // namespace

Object ThreadPool::map(Target func, const Iterable& iterable, std::optional<std::int64_t> chunksize) {
    return detail::PoolState::take(map_async(std::move(func), iterable, chunksize));
}

MapResult ThreadPool::map_async(Target func, const Iterable& iterable, std::optional<std::int64_t> chunksize,
                                Callback callback, ErrorCallback error_callback) {
    return map_async_impl(*state_, std::move(func), iterable, chunksize, std::move(callback),
                          std::move(error_callback), false);
}

Object ThreadPool::starmap(Target func, const Iterable& iterable, std::optional<std::int64_t> chunksize) {
    return detail::PoolState::take(starmap_async(std::move(func), iterable, chunksize));
}

MapResult ThreadPool::starmap_async(Target func, const Iterable& iterable,
                                    std::optional<std::int64_t> chunksize, Callback callback,
                                    ErrorCallback error_callback) {
    return map_async_impl(*state_, std::move(func), iterable, chunksize, std::move(callback),
                          std::move(error_callback), true);
}

IMapIterator ThreadPool::imap(Target func, const Iterable& iterable, std::int64_t chunksize) {
    return imap_impl(state_, std::move(func), iterable, chunksize, false);
}

IMapIterator ThreadPool::imap_unordered(Target func, const Iterable& iterable, std::int64_t chunksize) {
    return imap_impl(state_, std::move(func), iterable, chunksize, true);
}

void ThreadPool::close() {
    std::lock_guard lock(state_->mutex);
    if (state_->phase != detail::PoolState::Run) return;
    state_->phase = detail::PoolState::Close;
    state_->maybe_stop_tasks();
}

// CPython's ThreadPool._terminate_pool.
void ThreadPool::terminate() {
    auto& pool = *state_;
    {
        std::lock_guard lock(pool.mutex);
        pool.phase = detail::PoolState::Terminate;
        if (pool.terminated) return;
        pool.terminated = true;
        pool.maybe_stop_tasks();
    }
    pool.task_handler_phase = detail::PoolState::Terminate;
    // Drop the queued tasks and put a stop sentinel in front of each worker.
    pool.inqueue.drain();
    for (std::size_t i = 0; i < pool.workers.size(); ++i)
        pool.inqueue.put(std::nullopt);
    if (!pool.result_handler->is_alive() && !pool.cache_empty())
        throw AssertionError("Cannot have cache with result_hander not alive");
    pool.result_handler_phase = detail::PoolState::Terminate;
    pool.outqueue.put(std::nullopt);
    detail::join_unless_current(pool.task_handler);
    detail::join_unless_current(pool.result_handler);
}

void ThreadPool::join() {
    auto& pool = *state_;
    {
        std::lock_guard lock(pool.mutex);
        if (pool.phase == detail::PoolState::Run) throw ValueError("Pool is still running");
    }
    pool.task_handler->join();
    pool.result_handler->join();
    for (const Process& worker : pool.workers)
        worker.join();
}

std::string ThreadPool::repr() const {
    std::lock_guard lock(state_->mutex);
    return std::string("<multiprocessing.pool.ThreadPool state=") +
           detail::PoolState::phase_name(state_->phase) +
           " pool_size=" + std::to_string(state_->workers.size()) + ">";
}

} // namespace mp::dummy
