#pragma once
// Pool, AsyncResult and IMapIterator (SPEC §10): Python's multiprocessing.pool.Pool with its architecture -
// daemonic worker processes running a loop, and in the parent a task handler thread that feeds their
// task channel, a result handler thread that receives results and runs callbacks, and a worker handler
// thread that replaces workers that end. Functions are registered tasks (MP_TASK), so every start method
// works; arguments and results are mp::Objects (typed values convert through mp::to_object /
// mp::from_object).
//
// Beyond CPython, a pool never hangs:
// - A worker that dies while it holds a task (SIGKILL, _exit, a crash) fails exactly that task at once
//   with mp::WorkerLostError naming the worker, its pid and how it ended; the other tasks complete and the
//   worker is replaced (CPython waits for that result for ever, python/cpython#96062).
// - A callback that throws does not stop the result handler: the error is logged to stderr and becomes
//   that result's error (get() throws it).
// - Ctrl-C (SIGINT) while get(), wait(), next() or map() waits throws mp::KeyboardInterrupt within 0.1 s,
//   after terminating the pool (no worker is left behind). Workers ignore SIGINT, so a Ctrl-C in a
//   terminal reaches only the parent, which stops them.
// - terminate() fails the results still pending (RuntimeError) rather than leaving them pending for ever.
//
// The pool is observable: its row in the session shows every worker (pid, state, tasks done, current
// task, start-up / waiting / working time), the tasks queued and the results outstanding; lost tasks and
// replaced workers are events.
#include "mp/connection.hpp"
#include "mp/errors.hpp"
#include "mp/object.hpp"
#include "mp/process.hpp"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>

namespace mp {

class Context;

namespace detail {
struct PoolCore;
class ResultState;
class IMapState;
} // namespace detail

// callback(result): runs on the pool's result handler thread when a result is ready, before ready()
// turns true. map_async's callback receives the whole list.
using ResultCallback = std::function<void(const Object& result)>;
// error_callback(exception): the exception the task raised (type name, message, remote traceback).
using ErrorCallback = std::function<void(const ExceptionValue& error)>;
// A lazily produced input for imap / imap_unordered: each call returns the next item, nullopt at the
// end. It runs on the task handler thread as tasks are fed; an exception it throws is raised by the
// iterator at the position where it occurred.
using Generator = std::function<std::optional<Object>()>;

// The result of apply_async, map_async and starmap_async (Python's ApplyResult / MapResult).
class AsyncResult {
public:
    // The value, or the task's exception re-thrown with its type (a type this process does not know
    // arrives as mp::RemoteError with the type name, message and remote traceback). TimeoutError when it
    // is not ready within `timeout` (negative: do not wait).
    Object get(std::optional<double> timeout = std::nullopt) const;
    template <class T> T get_as(std::optional<double> timeout = std::nullopt) const {
        return from_object<T>(get(timeout));
    }
    void wait(std::optional<double> timeout = std::nullopt) const;
    bool ready() const;
    // ValueError('<repr> not ready') while not ready.
    bool successful() const;

    // <multiprocessing.pool.ApplyResult object at 0x...> (MapResult for map_async)
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const AsyncResult& r) { return out << r.repr(); }

private:
    friend struct detail::PoolCore;
    explicit AsyncResult(std::shared_ptr<detail::ResultState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::ResultState> state_;
};
using ApplyResult = AsyncResult;
using MapResult = AsyncResult;

// The iterator imap and imap_unordered return (also for a chunksize above 1: it hands out single items).
class IMapIterator {
public:
    // The next result in input order (imap) or completion order (imap_unordered). A failed task's
    // exception is re-thrown at its position (with chunks: at the first item of the chunk) and iteration
    // may continue after it. StopIteration after the last; TimeoutError when nothing arrives within
    // `timeout` (negative: do not wait).
    Object next(std::optional<double> timeout = std::nullopt);
    template <class T> T next_as(std::optional<double> timeout = std::nullopt) {
        return from_object<T>(next(timeout));
    }

    // Range-for support: `for (const mp::Object& x : pool.imap(f, items))`. Advancing calls next(), so a
    // failed task's exception leaves the loop.
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Object;
        using difference_type = std::ptrdiff_t;
        using pointer = const Object*;
        using reference = const Object&;
        iterator() = default;
        const Object& operator*() const { return current_; }
        const Object* operator->() const { return &current_; }
        iterator& operator++();
        void operator++(int) { ++*this; }
        bool operator==(const iterator& other) const noexcept { return owner_ == other.owner_; }

    private:
        friend class IMapIterator;
        explicit iterator(IMapIterator* owner)
            : owner_(owner) {}
        IMapIterator* owner_ = nullptr; // nullptr: the end
        Object current_;
    };
    iterator begin();
    iterator end() { return iterator(); }

    // <multiprocessing.pool.IMapIterator object at 0x...> (IMapUnorderedIterator for imap_unordered)
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const IMapIterator& it) { return out << it.repr(); }

private:
    friend struct detail::PoolCore;
    explicit IMapIterator(std::shared_ptr<detail::IMapState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::IMapState> state_;
};

// The keyword form: mp::Pool pool({.processes = 4, .initializer = init, .maxtasksperchild = 10}).
struct PoolOptions {
    std::optional<int> processes = std::nullopt; // default: cpu_count()
    Target initializer = {};                     // runs as initializer(*initargs) first in each worker
    Object initargs = Object::tuple();
    std::optional<std::int64_t> maxtasksperchild = std::nullopt; // tasks (chunks) before a worker is replaced
    const Context* context = nullptr;                            // default: the default context
};

namespace detail {
template <class T>
concept PoolInput = ConvertibleValue<std::remove_cvref_t<T>> &&
    !std::is_convertible_v<const std::remove_cvref_t<T>&, Generator>;
} // namespace detail

// A pool of worker processes. Only the process that created it may use it. Not copyable; moving keeps
// the same pool. Destroying a pool terminates it, as leaving Python's `with Pool() as p:` block does.
class Pool {
public:
    explicit Pool(std::optional<int> processes = std::nullopt, Target initializer = {},
                  Object initargs = Object::tuple(),
                  std::optional<std::int64_t> maxtasksperchild = std::nullopt,
                  const Context* context = nullptr);
    explicit Pool(PoolOptions options);
    Pool(Pool&&) noexcept;
    Pool& operator=(Pool&&) noexcept; // terminates the pool it replaces
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    ~Pool();

    // func(*args, **kwds) in one worker; waits for the result. None for args or kwds (an Object `{}`)
    // means none.
    Object apply(const Target& func, Object args = Object::tuple(), Object kwds = Object::dict());
    AsyncResult apply_async(const Target& func, Object args = Object::tuple(), Object kwds = Object::dict(),
                            ResultCallback callback = {}, ErrorCallback error_callback = {});

    // [func(x) for x in iterable], in chunks of `chunksize` items (default: ceil(len / (4 * workers)));
    // results in input order. An iterable is a list, tuple, set, dict (its keys), str or bytes Object, or
    // anything mp::to_object makes one of (std::vector<int> ...).
    Object map(const Target& func, const Object& iterable,
               std::optional<std::int64_t> chunksize = std::nullopt);
    AsyncResult map_async(const Target& func, const Object& iterable,
                          std::optional<std::int64_t> chunksize = std::nullopt, ResultCallback callback = {},
                          ErrorCallback error_callback = {});
    // Like map, with each item unpacked as the arguments: [func(*x) for x in iterable].
    Object starmap(const Target& func, const Object& iterable,
                   std::optional<std::int64_t> chunksize = std::nullopt);
    AsyncResult starmap_async(const Target& func, const Object& iterable,
                              std::optional<std::int64_t> chunksize = std::nullopt,
                              ResultCallback callback = {}, ErrorCallback error_callback = {});

    // Lazy map: results as they come, in input order. ValueError('Chunksize must be 1+, not 0').
    IMapIterator imap(const Target& func, const Object& iterable, std::int64_t chunksize = 1);
    IMapIterator imap(const Target& func, Generator items, std::int64_t chunksize = 1);
    // Lazy map in completion order.
    IMapIterator imap_unordered(const Target& func, const Object& iterable, std::int64_t chunksize = 1);
    IMapIterator imap_unordered(const Target& func, Generator items, std::int64_t chunksize = 1);

    template <detail::PoolInput C>
    Object map(const Target& func, const C& items, std::optional<std::int64_t> chunksize = std::nullopt) {
        return map(func, to_object(items), chunksize);
    }
    template <detail::PoolInput C>
    AsyncResult map_async(const Target& func, const C& items,
                          std::optional<std::int64_t> chunksize = std::nullopt, ResultCallback callback = {},
                          ErrorCallback error_callback = {}) {
        return map_async(func, to_object(items), chunksize, std::move(callback), std::move(error_callback));
    }
    template <detail::PoolInput C>
    Object starmap(const Target& func, const C& items, std::optional<std::int64_t> chunksize = std::nullopt) {
        return starmap(func, to_object(items), chunksize);
    }
    template <detail::PoolInput C>
    IMapIterator imap(const Target& func, const C& items, std::int64_t chunksize = 1) {
        return imap(func, to_object(items), chunksize);
    }
    template <detail::PoolInput C>
    IMapIterator imap_unordered(const Target& func, const C& items, std::int64_t chunksize = 1) {
        return imap_unordered(func, to_object(items), chunksize);
    }

    // No new work: the workers exit once the tasks already submitted are done.
    void close();
    // Stops now: workers are terminated (SIGTERM) and joined, pending results fail. Idempotent.
    void terminate();
    // Waits for the workers and the handler threads after close() or terminate(); ValueError('Pool is
    // still running') before.
    void join();

    // <multiprocessing.pool.Pool state=RUN pool_size=4>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Pool& p) { return out << p.repr(); }
    // The pool's id in its session (mp::scope::ObjectId).
    std::uint32_t scope_id() const;

private:
    detail::PoolCore& core() const;
    std::shared_ptr<detail::PoolCore> core_;
};

} // namespace mp
