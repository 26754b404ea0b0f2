#pragma once
// Queue, JoinableQueue and SimpleQueue (SPEC §6) with Python's model kept whole: put() hands the item to
// this process's buffer and a feeder thread (started on the first put) writes it into a bounded channel
// between processes; a process that put items waits at exit until its feeder has written them, unless
// cancel_join_thread() was called. So the documented deadlock - joining a process before getting what it
// put - is real here too, and the inspector shows it. The channel is a byte ring in the session arena
// (64 KiB by default, like a Linux pipe; configurable).
//
// One deliberate difference: items are serialized in put(), in the caller's thread, so a value that
// cannot be serialized is an error the caller gets (Python's feeder thread only prints a traceback).
#include "mp/connection.hpp"
#include "mp/errors.hpp"
#include "mp/object.hpp"
#include "mp/synchronize.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

namespace mp {

class Context;

namespace detail {
struct LocalQueue;
}

struct QueueOptions {
    std::int64_t maxsize = 0;              // <= 0: unbounded (SEM_VALUE_MAX slots)
    std::size_t channel_bytes = 64 * 1024; // capacity of the channel between processes
};

class Queue : public SharedObject {
public:
    explicit Queue(std::int64_t maxsize = 0);
    explicit Queue(QueueOptions options);
    Queue(const Context& ctx, QueueOptions options);

    // Full when no slot frees up in time (block=false ignores timeout; negative means 0);
    // ValueError("Queue <repr> is closed") after close().
    void put(const Object& obj, bool block = true, std::optional<double> timeout = std::nullopt);
    template <detail::ConvertibleValue T>
    void put(const T& value, bool block = true, std::optional<double> timeout = std::nullopt) {
        put(to_object(value), block, timeout);
    }
    // Empty when nothing arrives in time.
    Object get(bool block = true, std::optional<double> timeout = std::nullopt);
    template <class T> T get_as(bool block = true, std::optional<double> timeout = std::nullopt) {
        return from_object<T>(get(block, timeout));
    }
    void put_nowait(const Object& obj) { put(obj, false); }
    Object get_nowait() { return get(false); }

    // Items put and not yet got, counting ones still in feeders (advisory).
    std::int64_t qsize() const;
    // Nothing to read in the channel now: may be true right after a put whose feeder has not written it yet.
    bool empty() const;
    bool full() const;

    // No more puts or gets from this process; the feeder writes what is buffered, then stops.
    void close();
    // Waits for the feeder after close(): AssertionError("Queue <repr> not closed") before.
    void join_thread();
    // This process will not wait for its feeder at exit: buffered items may be lost.
    void cancel_join_thread();

    // <multiprocessing.queues.Queue object at 0x...>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Queue& q) { return out << q.repr(); }

    Handle to_handle() const;
    static Queue from_handle(const Handle& handle);

protected:
    struct JoinableTag {};
    Queue(JoinableTag, const Context* ctx, QueueOptions options);
    explicit Queue(std::shared_ptr<detail::LocalQueue> local);
    detail::LocalQueue& local() const;

    std::shared_ptr<detail::LocalQueue> local_;
};

// A Queue that also counts unfinished tasks: every put() adds one, task_done() removes one, join() waits
// for none to be left.
class JoinableQueue : public Queue {
public:
    explicit JoinableQueue(std::int64_t maxsize = 0);
    explicit JoinableQueue(QueueOptions options);
    JoinableQueue(const Context& ctx, QueueOptions options);

    // ValueError('task_done() called too many times') when no task is unfinished.
    void task_done();
    // Returns at once when no task is unfinished, otherwise after the count next drops to zero.
    void join();

    std::string repr() const; // <multiprocessing.queues.JoinableQueue object at 0x...>
    friend std::ostream& operator<<(std::ostream& out, const JoinableQueue& q) { return out << q.repr(); }

    Handle to_handle() const;
    static JoinableQueue from_handle(const Handle& handle);

private:
    explicit JoinableQueue(std::shared_ptr<detail::LocalQueue> local)
        : Queue(std::move(local)) {}
};

// A locked channel: put() serializes and writes synchronously (blocking while the channel is full), no
// size limit, no feeder.
class SimpleQueue : public SharedObject {
public:
    SimpleQueue();
    explicit SimpleQueue(std::size_t channel_bytes);
    SimpleQueue(const Context& ctx, std::size_t channel_bytes = 64 * 1024);

    void put(const Object& obj);
    template <detail::ConvertibleValue T> void put(const T& value) { put(to_object(value)); }
    Object get();
    template <class T> T get_as() { return from_object<T>(get()); }
    bool empty() const;
    // Closes this process's ends: get, put and empty then raise OSError('handle is closed').
    void close();

    std::string repr() const; // <multiprocessing.queues.SimpleQueue object at 0x...>
    friend std::ostream& operator<<(std::ostream& out, const SimpleQueue& q) { return out << q.repr(); }

    Handle to_handle() const;
    static SimpleQueue from_handle(const Handle& handle);

private:
    explicit SimpleQueue(std::shared_ptr<detail::LocalQueue> local);
    std::shared_ptr<detail::LocalQueue> local_;
};

template <> struct Convert<Queue> {
    static Object to(const Queue& q) { return Object(q.to_handle()); }
    static Queue from(const Object& o) { return Queue::from_handle(o.as_handle()); }
};
template <> struct Convert<JoinableQueue> {
    static Object to(const JoinableQueue& q) { return Object(q.to_handle()); }
    static JoinableQueue from(const Object& o) { return JoinableQueue::from_handle(o.as_handle()); }
};
template <> struct Convert<SimpleQueue> {
    static Object to(const SimpleQueue& q) { return Object(q.to_handle()); }
    static SimpleQueue from(const Object& o) { return SimpleQueue::from_handle(o.as_handle()); }
};

} // namespace mp
