#pragma once
// multiprocessing.dummy (SPEC §12): the multiprocessing API over threads of this process. A Process is a
// thread, the primitives follow threading's rules (which differ from multiprocessing's: RuntimeError on a
// bad release, timeout=-1 means for ever, ...), Queue is queue.Queue, Pipe is a pair of in-memory queues,
// Manager() hands out plain holders and Pool is a ThreadPool. Nothing here touches the session arena:
// these objects live in this process's memory only.
//
// Objects are references: copies of a Lock, Queue, List ... refer to the same thing, like Python names.
// They convert to mp::Object (to_object / from_object), so they can be Process arguments and queue items;
// such a value only means something in this process (and in fork children, which get a copy), and a spawn
// or forkserver child refuses it at start() with Python's TypeError ("cannot pickle '_thread.lock'
// object"). An object converted once stays alive until the program ends.
//
// Deliberate differences from CPython, all for C++'s sake:
// - dummy::Process has no pid, sentinel, terminate(), kill() or close(): their absence is a compile-time
//   error rather than Python's AttributeError. It runs its target; there is no run() to override (a
//   lambda target carries what a subclass would hold). Its constructor takes daemon like Thread's.
//   mp::exit() in a dummy thread ends that thread only, as sys.exit() does. When main() returns, the
//   program waits for the non-daemon threads (threading's shutdown); daemon threads die with it.
// - Lock/RLock accept nullopt as well as -1 for "wait for ever" (Python only -1), so code written for
//   mp::Lock compiles unchanged.
// - Connection::recv_bytes() returns std::string, so an item that is not bytes is TypeError there (Python
//   returns whatever object was sent); poll(nullopt) waits for ever (Python: TypeError).
// - ThreadPool's destructor terminates the pool and then waits for the tasks already running, so callables
//   may capture locals by reference (a task that never returns makes the destructor wait for ever).
//   imap with chunksize > 1 returns the same IMapIterator (Python: a generator), so next(timeout) works
//   there too and iteration continues after a failed chunk.
// - Values are mp::Objects, copied on put/send (Python passes references to mutable objects).
// The ThreadPool API is mp::Pool's (mp/pool.hpp) without maxtasksperchild and context.
#include "mp/connection.hpp"
#include "mp/errors.hpp"
#include "mp/object.hpp"
#include "mp/process.hpp"
#include "mp/synchronize.hpp"

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace mp::dummy {

namespace detail {
struct ThreadState;
struct ProcessAccess;
struct LockState;
struct RLockState;
struct SemaphoreState;
struct ConditionState;
struct EventState;
struct BarrierState;
struct QueueState;
struct BacklogState;
struct ListState;
struct DictState;
struct NamespaceState;
struct ValueState;
struct ArrayState;
struct PoolState;
struct ResultState;
struct IMapState;

// Handles for dummy objects: the object is kept alive for the rest of the program and found again by
// from_handle() in this process (or in a fork child, which has a copy of it). `python_type` names what
// CPython would fail to pickle ("_thread.lock") or, for plain holders, the Python type ("list").
Handle pin(std::string_view kind, std::shared_ptr<void> state, std::string_view python_type = "_thread.lock");
std::shared_ptr<void> unpin(const Handle& handle, std::string_view kind);
template <class State> std::shared_ptr<State> unpin_as(const Handle& handle, std::string_view kind) {
    return std::static_pointer_cast<State>(unpin(handle, kind));
}
} // namespace detail

namespace connection {
class Connection;
}

// ---- Processes are threads ----------------------------------------------------------------------------

// A thread behind Process's API (Python's DummyProcess, a threading.Thread). Named like Python's threads:
// "Thread-N (target)" with one counter for the whole program. Copies refer to the same thread.
class Process {
public:
    Process();
    explicit Process(Target target, Object args = Object::tuple(), Object kwargs = Object::dict(),
                     std::optional<std::string> name = std::nullopt,
                     std::optional<bool> daemon = std::nullopt);
    // The keyword form: dummy::Process p({.target = f, .args = mp::args(1)}). group must be None.
    explicit Process(ProcessOptions options);

    // Starts the thread and waits until it runs. RuntimeError('threads can only be started once'); only
    // the thread that made it may start it (RuntimeError "Parent is ... but current_process is ...").
    void start();
    // Calls target(*args, **kwargs) in the calling thread, as Thread.run() does.
    void run() const;
    // nullopt waits for ever, negative means 0. RuntimeError('cannot join thread before it is started'),
    // RuntimeError('cannot join current thread').
    void join(std::optional<double> timeout = std::nullopt) const;
    bool is_alive() const;
    // 0 once a started thread has finished (whatever its target did), otherwise nullopt.
    std::optional<int> exitcode() const;
    // threading.get_ident() of the thread once started (pthread_self), and its kernel thread id.
    std::optional<std::uint64_t> ident() const;
    std::optional<int> native_id() const;

    std::string name() const;
    void set_name(std::string name);
    bool daemon() const;
    // RuntimeError('cannot set daemon status of active thread') once started.
    void set_daemon(bool daemonic);

    // <DummyProcess(Thread-1, initial)>, <DummyProcess(Thread-1, started daemon 1402...)>,
    // <_MainThread(MainThread, started 1402...)>, <_DummyThread(Dummy-2, started daemon 1402...)>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Process& p) { return out << p.repr(); }
    bool operator==(const Process& other) const noexcept { return state_ == other.state_; }

private:
    friend struct detail::ProcessAccess;
    explicit Process(std::shared_ptr<detail::ThreadState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::ThreadState> state_;
};

// The calling thread: MainThread, a dummy::Process, or "Dummy-N" for a thread started some other way.
Process& current_process();
// The started children of the calling thread that are still alive.
std::vector<Process> active_children();
// Nothing to do for threads.
inline void freeze_support() noexcept {}
inline void freeze_support(int, char**) noexcept {}

// ---- Synchronization (threading's) --------------------------------------------------------------------

// threading.Lock: no owner, any thread may release it. timeout: -1 or nullopt waits for ever, other
// negatives are ValueError('timeout value must be positive'); a timeout with block=false is ValueError
// ("can't specify a timeout for a non-blocking call").
class Lock {
public:
    Lock();
    bool acquire(bool block = true, std::optional<double> timeout = std::nullopt);
    // RuntimeError('release unlocked lock').
    void release();
    bool locked() const;

    void lock() { acquire(); }
    bool try_lock() { return acquire(false); }
    void unlock() { release(); }

    // <unlocked _thread.lock object at 0x...>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Lock& l) { return out << l.repr(); }
    bool operator==(const Lock& other) const noexcept { return state_ == other.state_; }

    Handle to_handle() const;
    static Lock from_handle(const Handle& handle);

private:
    friend struct detail::ConditionState;
    explicit Lock(std::shared_ptr<detail::LockState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::LockState> state_;
};

// threading.RLock: owned by one thread, which may re-acquire it. Timeouts as Lock.
class RLock {
public:
    RLock();
    bool acquire(bool block = true, std::optional<double> timeout = std::nullopt);
    // RuntimeError('cannot release un-acquired lock') unless the caller owns it.
    void release();

    void lock() { acquire(); }
    bool try_lock() { return acquire(false); }
    void unlock() { release(); }

    // <unlocked _thread.RLock object owner=0 count=0 at 0x...>, <locked ... owner=<ident> count=2 ...>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const RLock& l) { return out << l.repr(); }
    bool operator==(const RLock& other) const noexcept { return state_ == other.state_; }

    Handle to_handle() const;
    static RLock from_handle(const Handle& handle);

private:
    friend struct detail::ConditionState;
    explicit RLock(std::shared_ptr<detail::RLockState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::RLockState> state_;
};

// threading.Semaphore. ValueError('semaphore initial value must be >= 0'). acquire: nullopt waits for ever,
// a negative timeout means 0; a timeout with block=false is ValueError("can't specify timeout for
// non-blocking acquire").
class Semaphore {
public:
    explicit Semaphore(std::int64_t value = 1);
    bool acquire(bool block = true, std::optional<double> timeout = std::nullopt);
    // Adds n (ValueError('n must be one or more') for n < 1) and wakes up to n waiters.
    void release(std::int64_t n = 1);

    void lock() { acquire(); }
    bool try_lock() { return acquire(false); }
    void unlock() { release(); }

    // <threading.Semaphore at 0x...: value=1>, <threading.BoundedSemaphore at 0x...: value=1/2>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Semaphore& s) { return out << s.repr(); }
    bool operator==(const Semaphore& other) const noexcept { return state_ == other.state_; }

    Handle to_handle() const;
    static Semaphore from_handle(const Handle& handle);

protected:
    struct Bounded {};
    Semaphore(Bounded, std::int64_t value);
    explicit Semaphore(std::shared_ptr<detail::SemaphoreState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::SemaphoreState> state_;
};

// A Semaphore whose value may not pass its initial value: ValueError('Semaphore released too many times').
class BoundedSemaphore : public Semaphore {
public:
    explicit BoundedSemaphore(std::int64_t value = 1);

    Handle to_handle() const;
    static BoundedSemaphore from_handle(const Handle& handle);

private:
    explicit BoundedSemaphore(std::shared_ptr<detail::SemaphoreState> state)
        : Semaphore(std::move(state)) {}
};

// threading.Condition over a Lock or an RLock (default: a new RLock). Waiters are woken first come, first
// served; notify() does not wait for them. A timeout of 0 or less polls.
class Condition {
public:
    using LockType = std::variant<Lock, RLock>;
    Condition();
    explicit Condition(Lock lock);
    explicit Condition(RLock lock);

    bool acquire(bool block = true, std::optional<double> timeout = std::nullopt);
    void release();
    void lock() { acquire(); }
    bool try_lock() { return acquire(false); }
    void unlock() { release(); }

    // Releases the lock (every recursion level), waits for notify() or the timeout, re-acquires it. True
    // when notified. RuntimeError('cannot wait on un-acquired lock') unless the caller holds the lock.
    bool wait(std::optional<double> timeout = std::nullopt);
    // Waits until pred() is truthy or the timeout passes; returns pred()'s last result.
    template <class Pred> auto wait_for(Pred pred, std::optional<double> timeout = std::nullopt);
    // Wakes up to n waiters. RuntimeError('cannot notify on un-acquired lock').
    void notify(std::int64_t n = 1);
    void notify_all();

    LockType get_lock() const;

    // <Condition(<unlocked _thread.RLock object owner=0 count=0 at 0x...>, 0)>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Condition& c) { return out << c.repr(); }
    bool operator==(const Condition& other) const noexcept { return state_ == other.state_; }

    Handle to_handle() const;
    static Condition from_handle(const Handle& handle);

private:
    explicit Condition(std::shared_ptr<detail::ConditionState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::ConditionState> state_;
};

// threading.Event. wait() returns the flag; a timeout of 0 or less polls.
class Event {
public:
    Event();
    bool is_set() const;
    void set();
    void clear();
    bool wait(std::optional<double> timeout = std::nullopt);

    // <threading.Event at 0x...: unset>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Event& e) { return out << e.repr(); }
    bool operator==(const Event& other) const noexcept { return state_ == other.state_; }

    Handle to_handle() const;
    static Event from_handle(const Handle& handle);

private:
    explicit Event(std::shared_ptr<detail::EventState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::EventState> state_;
};

// threading.Barrier: `parties` threads meet, the last one runs `action` (under the barrier's lock) and
// all go on. A timeout (nullopt: the barrier's own) breaks the barrier; broken, it raises
// BrokenBarrierError until reset().
class Barrier {
public:
    explicit Barrier(std::int64_t parties, Target action = {}, std::optional<double> timeout = std::nullopt);
    // The arrival index 0 .. parties-1.
    std::int64_t wait(std::optional<double> timeout = std::nullopt);
    void reset();
    void abort();
    std::int64_t parties() const;
    std::int64_t n_waiting() const;
    bool broken() const;

    // <threading.Barrier at 0x...: waiters=0/3>, <threading.Barrier at 0x...: broken>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Barrier& b) { return out << b.repr(); }
    bool operator==(const Barrier& other) const noexcept { return state_ == other.state_; }

    Handle to_handle() const;
    static Barrier from_handle(const Handle& handle);

private:
    explicit Barrier(std::shared_ptr<detail::BarrierState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::BarrierState> state_;
};

template <class Pred> auto Condition::wait_for(Pred pred, std::optional<double> timeout) {
    return mp::detail::condition_wait_for(*this, pred, timeout, [] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    });
}

// ---- Queues ---------------------------------------------------------------------------------------------

// queue.Queue (also JoinableQueue): in-memory, every put() counts an unfinished task. put: block=false
// ignores timeout; with maxsize > 0 a negative timeout is ValueError("'timeout' must be a non-negative
// number"); Full when no slot frees up in time. get: the same rule, Empty.
class Queue {
public:
    explicit Queue(std::int64_t maxsize = 0);

    void put(const Object& item, bool block = true, std::optional<double> timeout = std::nullopt);
    template <mp::detail::ConvertibleValue T>
    void put(const T& value, bool block = true, std::optional<double> timeout = std::nullopt) {
        put(to_object(value), block, timeout);
    }
    Object get(bool block = true, std::optional<double> timeout = std::nullopt);
    template <class T> T get_as(bool block = true, std::optional<double> timeout = std::nullopt) {
        return from_object<T>(get(block, timeout));
    }
    void put_nowait(const Object& item) { put(item, false); }
    Object get_nowait() { return get(false); }

    // ValueError('task_done() called too many times') when no task is unfinished.
    void task_done();
    // Waits until every item put has been marked done.
    void join();

    std::int64_t qsize() const;
    bool empty() const;
    bool full() const; // 0 < maxsize <= qsize()
    std::int64_t maxsize() const;

    // <queue.Queue object at 0x...>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Queue& q) { return out << q.repr(); }
    bool operator==(const Queue& other) const noexcept { return state_ == other.state_; }

    Handle to_handle() const;
    static Queue from_handle(const Handle& handle);

private:
    friend class connection::Connection;
    explicit Queue(std::shared_ptr<detail::QueueState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::QueueState> state_;
};

// multiprocessing.dummy.JoinableQueue is queue.Queue itself.
using JoinableQueue = Queue;

// ---- Connections: in-memory queues (multiprocessing.dummy.connection) ----------------------------------

namespace connection {

class Address;
class Listener;

// One end of a dummy Pipe: objects go into the peer's inbox as they are (send and send_bytes alike).
class Connection {
public:
    void send(const Object& object) const;
    template <mp::detail::ConvertibleValue T> void send(const T& value) const { send(to_object(value)); }
    // Blocks until an item arrives.
    Object recv() const;

    // Puts the bytes as a bytes object.
    void send_bytes(std::string_view buffer) const;
    template <mp::detail::ByteViewableBuffer Range> void send_bytes(const Range& buffer) const {
        const auto bytes = std::as_bytes(std::span(std::ranges::data(buffer), std::ranges::size(buffer)));
        send_bytes(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }
    // The next item, which must be bytes or bytearray (TypeError otherwise).
    std::string recv_bytes() const;

    // True when an item is waiting; waits up to `timeout` (nullopt: for ever; 0 or less: not at all).
    bool poll(std::optional<double> timeout = 0.0) const;
    // Does nothing, as in Python.
    void close() const noexcept {}

    bool operator==(const Connection& other) const noexcept { return in_ == other.in_ && out_ == other.out_; }

    Handle to_handle() const;
    static Connection from_handle(const Handle& handle);

private:
    friend std::pair<Connection, Connection> Pipe(bool duplex);
    friend class Listener;
    friend Connection Client(const Address& address);
    Connection(Queue in, Queue out)
        : in_(std::move(in))
        , out_(std::move(out)) {}
    Queue in_;
    Queue out_;
};

// (conn1, conn2): each end reads what the other sends. duplex is ignored, as in Python (both ends can
// send and receive).
std::pair<Connection, Connection> Pipe(bool duplex = true);

// A Listener's address: its backlog queue (Python's listener.address is a queue.Queue). Default: None.
class Address {
public:
    Address() = default;
    explicit operator bool() const noexcept { return static_cast<bool>(backlog_); }
    // <queue.Queue object at 0x...>, or None.
    std::string repr() const;
    bool operator==(const Address& other) const noexcept { return backlog_ == other.backlog_; }

    Handle to_handle() const;
    static Address from_handle(const Handle& handle);

private:
    friend class Listener;
    friend Connection Client(const Address& address);
    explicit Address(std::shared_ptr<detail::BacklogState> backlog)
        : backlog_(std::move(backlog)) {}
    std::shared_ptr<detail::BacklogState> backlog_;
};

// Clients queue up in a backlog of `backlog` places (0 or less: unlimited); address and family are
// ignored, as in Python.
class Listener {
public:
    explicit Listener(const Object& address = None, const Object& family = None, std::int64_t backlog = 1);
    // The next Client's connection; waits for one. After close(), AttributeError as in Python
    // ("'NoneType' object has no attribute 'get'").
    Connection accept();
    void close();
    // None after close().
    Address address() const { return address_; }

private:
    Address address_;
};

// Connects to a Listener (waits while its backlog is full). None: AttributeError("'NoneType' object has
// no attribute 'put'").
Connection Client(const Address& address);

// multiprocessing.dummy.connection.families: [None].
inline const std::vector<Object> families{Object()};

} // namespace connection

// multiprocessing.dummy exports Pipe from its connection module.
using connection::Connection;
using connection::Pipe;

// ---- Manager(): plain holders ---------------------------------------------------------------------------

// A list shared by reference between threads (Python's plain list; every operation is atomic, as under
// the GIL). Negative indices count from the end.
class List {
public:
    List();
    // list(iterable)
    explicit List(const Object& iterable);

    void append(Object item);
    void extend(const Object& iterable);
    void insert(std::int64_t index, Object item);
    // IndexError('pop from empty list'), IndexError('pop index out of range').
    Object pop(std::int64_t index = -1);
    // ValueError('list.remove(x): x not in list').
    void remove(const Object& item);
    // ValueError("<repr> is not in list").
    std::int64_t index(const Object& item) const;
    std::int64_t count(const Object& item) const;
    bool contains(const Object& item) const;
    // l[i]: IndexError('list index out of range'); l[i] = x and del l[i]: IndexError('list assignment
    // index out of range').
    Object item(std::int64_t index) const;
    void set_item(std::int64_t index, Object item);
    void del_item(std::int64_t index);
    std::size_t size() const;
    friend std::size_t len(const List& l) { return l.size(); }
    void clear();
    void reverse();
    // A snapshot as a list object (Python's l[:]).
    Object copy() const;
    template <class T> std::vector<T> values() const { return from_object<std::vector<T>>(copy()); }

    std::string repr() const; // [1, 2]
    friend std::ostream& operator<<(std::ostream& out, const List& l) { return out << l.repr(); }
    bool operator==(const List& other) const noexcept { return state_ == other.state_; }

    Handle to_handle() const;
    static List from_handle(const Handle& handle);

private:
    explicit List(std::shared_ptr<detail::ListState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::ListState> state_;
};

// A dict shared by reference between threads (Python's plain dict), insertion ordered.
class Dict {
public:
    Dict();
    // dict(mapping), or dict of (key, value) pairs.
    explicit Dict(const Object& init);

    // d[key]: KeyError(repr(key)) when absent.
    Object item(const Object& key) const;
    void set_item(Object key, Object value);
    // del d[key]: KeyError.
    void del_item(const Object& key);
    Object get(const Object& key, Object default_value = None) const;
    // d.pop(key): KeyError; d.pop(key, default).
    Object pop(const Object& key);
    Object pop(const Object& key, Object default_value);
    Object setdefault(const Object& key, Object default_value = None);
    void update(const Object& mapping);
    bool contains(const Object& key) const;
    Object keys() const; // lists
    Object values() const;
    Object items() const; // list of (key, value) tuples
    std::size_t size() const;
    friend std::size_t len(const Dict& d) { return d.size(); }
    void clear();
    // A snapshot as a dict object.
    Object copy() const;

    std::string repr() const; // {'a': 1}
    friend std::ostream& operator<<(std::ostream& out, const Dict& d) { return out << d.repr(); }
    bool operator==(const Dict& other) const noexcept { return state_ == other.state_; }

    Handle to_handle() const;
    static Dict from_handle(const Handle& handle);

private:
    explicit Dict(std::shared_ptr<detail::DictState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::DictState> state_;
};

// Manager().Namespace(**kwds): attributes by name.
class Namespace {
public:
    Namespace();
    // Namespace(a=1, b=2) as a dict of str keys.
    explicit Namespace(const Object& attributes);

    // AttributeError("'Namespace' object has no attribute 'x'").
    Object get(std::string_view name) const;
    void set(std::string_view name, Object value);
    void del(std::string_view name);
    bool has(std::string_view name) const;

    // Namespace(a=1, b='x'): sorted, names starting with '_' left out.
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Namespace& n) { return out << n.repr(); }
    bool operator==(const Namespace& other) const noexcept { return state_ == other.state_; }

    Handle to_handle() const;
    static Namespace from_handle(const Handle& handle);

private:
    explicit Namespace(std::shared_ptr<detail::NamespaceState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::NamespaceState> state_;
};

// A typecode as Python spells it: 'i' or "i" (dummy.Value does not check it; dummy.Array does).
struct TypeCode {
    std::string code;
    TypeCode(char c)
        : code(1, c) {}
    TypeCode(const char* c)
        : code(c) {}
    TypeCode(std::string c)
        : code(std::move(c)) {}
    TypeCode(std::string_view c)
        : code(c) {}
};

// dummy.Value(typecode, value): a holder with .value and no lock (get_lock() does not exist, as in
// Python). Each read and write is atomic; `v.set_value(v.value() + 1)` from many threads loses updates,
// which is the lesson Python's version teaches too.
class Value {
public:
    Value(TypeCode typecode, Object value);
    Object value() const;
    void set_value(Object value);
    template <class T> T get() const { return from_object<T>(value()); }
    template <class T> void set(const T& value) { set_value(to_object(value)); }
    const std::string& typecode() const;

    std::string repr() const; // <Value('i', 3)>
    friend std::ostream& operator<<(std::ostream& out, const Value& v) { return out << v.repr(); }
    bool operator==(const Value& other) const noexcept { return state_ == other.state_; }

    Handle to_handle() const;
    static Value from_handle(const Handle& handle);

private:
    explicit Value(std::shared_ptr<detail::ValueState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::ValueState> state_;
};

// dummy.Array(typecode, sequence): an array.array shared by reference. Typecodes b B u h H i I l L q Q f d
// (else ValueError('bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)')); items are checked
// and converted as array.array does ('f' rounds to float32, OverflowError for out-of-range ints ...).
// An int is not a sequence here: TypeError("'int' object is not iterable").
class Array {
public:
    Array(TypeCode typecode, const Object& sequence);
    Array(TypeCode typecode, std::initializer_list<Object> items);
    template <mp::detail::ConvertibleValue R>
    Array(TypeCode typecode, const R& sequence)
        : Array(std::move(typecode), to_object(sequence)) {}

    std::size_t size() const;
    friend std::size_t len(const Array& a) { return a.size(); }
    // a[i]: IndexError('array index out of range'); a[i] = x: IndexError('array assignment index out of
    // range').
    Object item(std::int64_t index) const;
    void set_item(std::int64_t index, const Object& value);
    template <class T> T get(std::int64_t index) const { return from_object<T>(item(index)); }
    template <class T> void set(std::int64_t index, const T& value) { set_item(index, to_object(value)); }
    Object tolist() const;
    template <class T> std::vector<T> values() const { return from_object<std::vector<T>>(tolist()); }
    const std::string& typecode() const;

    std::string repr() const; // array('i', [1, 2, 3]), array('u', 'ab'), array('d')
    friend std::ostream& operator<<(std::ostream& out, const Array& a) { return out << a.repr(); }
    bool operator==(const Array& other) const noexcept { return state_ == other.state_; }

    Handle to_handle() const;
    static Array from_handle(const Handle& handle);

private:
    explicit Array(std::shared_ptr<detail::ArrayState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::ArrayState> state_;
};

// ---- Pool = ThreadPool ----------------------------------------------------------------------------------

// What map and imap iterate: an iterable Object (list, tuple, set, dict keys, str characters, bytes as
// ints), a typed container, or a generator that returns nullopt at the end (consumed lazily by imap; an
// exception it throws is raised at its position).
class Iterable {
public:
    using Generator = std::function<std::optional<Object>()>;
    Iterable(Object iterable);
    Iterable(std::initializer_list<Object> items);
    template <mp::detail::ConvertibleValue T>
    Iterable(const T& values)
        : Iterable(to_object(values)) {}
    Iterable(Generator next);
    template <class G>
    requires(!std::is_convertible_v<const G&, Object> && !std::is_same_v<std::remove_cvref_t<G>, Generator> &&
             std::is_invocable_r_v<std::optional<Object>, G&>) Iterable(G next)
        : Iterable(Generator(std::move(next))) {}

    // A fresh generator over the items. TypeError("'int' object is not iterable").
    Generator iterate() const;
    // Every item now (Python's list(iterable)).
    std::vector<Object> materialize() const;

private:
    std::optional<Object> object_;
    std::shared_ptr<Generator> generator_;
};

namespace detail {
// The parameter list of a callback: a lambda (one operator()) or a function pointer.
template <class F> struct ParameterList { static constexpr bool known = false; };
template <class F>
requires mp::detail::HasUniqueCallOperator<F>
struct ParameterList<F> {
    static constexpr bool known = true;
    using Args = typename mp::detail::CallableTraits<decltype(&F::operator())>::Args;
};
template <class R, class... A> struct ParameterList<R (*)(A...)> {
    static constexpr bool known = true;
    using Args = std::tuple<A...>;
};
template <class F> constexpr bool has_single_parameter() {
    if constexpr (ParameterList<F>::known)
        return std::tuple_size_v<typename ParameterList<F>::Args> == 1;
    else
        return false;
}
template <class F>
using single_parameter_t = std::remove_cvref_t<std::tuple_element_t<0, typename ParameterList<F>::Args>>;
} // namespace detail

// callback(result): any callable taking const mp::Object&, or one typed parameter converted with
// from_object (e.g. [](std::vector<int> squares) {...}). Runs in the pool's result thread.
class Callback {
public:
    Callback() = default;
    Callback(std::nullptr_t) {}
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, Callback> && std::is_invocable_v<F&, const Object&>)
        Callback(F f)
        : fn_(std::move(f)) {}
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, Callback> && !std::is_invocable_v<F&, const Object&> &&
             detail::has_single_parameter<F>()) Callback(F f)
        : fn_([f = std::move(f)](const Object& value) mutable {
            f(from_object<detail::single_parameter_t<F>>(value));
        }) {}
    explicit operator bool() const noexcept { return static_cast<bool>(fn_); }
    void operator()(const Object& value) const { fn_(value); }

private:
    std::function<void(const Object&)> fn_;
};

// error_callback(exception): a callable taking std::exception_ptr (the worker's own exception: thread pools
// do not wrap it), const mp::ExceptionValue& (as mp::Pool's callbacks do), or const E& for an exception
// type E (called when the exception is an E; mp::Exception catches them all, since other exceptions are
// mapped to their Python type first).
class ErrorCallback {
public:
    ErrorCallback() = default;
    ErrorCallback(std::nullptr_t) {}
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, ErrorCallback> &&
             std::is_invocable_v<F&, std::exception_ptr>) ErrorCallback(F f)
        : fn_(std::move(f)) {}
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, ErrorCallback> &&
             !std::is_invocable_v<F&, std::exception_ptr> && std::is_invocable_v<F&, const ExceptionValue&>)
        ErrorCallback(F f)
        : fn_([f = std::move(f)](std::exception_ptr error) mutable { f(as_value(error)); }) {}
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, ErrorCallback> &&
             !std::is_invocable_v<F&, std::exception_ptr> &&
             !std::is_invocable_v<F&, const ExceptionValue&> && detail::has_single_parameter<F>())
        ErrorCallback(F f)
        : fn_([f = std::move(f)](std::exception_ptr error) mutable {
            using E = detail::single_parameter_t<F>;
            try {
                rethrow_mapped(error);
            } catch (const E& e) {
                f(e);
            } catch (...) {
            }
        }) {}
    explicit operator bool() const noexcept { return static_cast<bool>(fn_); }
    void operator()(std::exception_ptr error) const { fn_(std::move(error)); }

private:
    // Rethrows `error`; an exception that is not an mp::Exception comes out as the mp type of its Python
    // name (std::out_of_range -> IndexError ...).
    [[noreturn]] static void rethrow_mapped(std::exception_ptr error);
    static ExceptionValue as_value(std::exception_ptr error);
    std::function<void(std::exception_ptr)> fn_;
};

// multiprocessing.pool.ApplyResult (AsyncResult): the future of one apply_async.
class AsyncResult {
public:
    bool ready() const;
    // ValueError("<repr> not ready") until ready.
    bool successful() const;
    // nullopt waits for ever; negative means 0.
    void wait(std::optional<double> timeout = std::nullopt) const;
    // The value, or the task's own exception rethrown; mp::TimeoutError when not ready in time.
    Object get(std::optional<double> timeout = std::nullopt) const;
    template <class T> T get_as(std::optional<double> timeout = std::nullopt) const {
        return from_object<T>(get(timeout));
    }

    // <multiprocessing.pool.ApplyResult object at 0x...> (MapResult for map_async)
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const AsyncResult& r) { return out << r.repr(); }

protected:
    friend struct detail::PoolState;
    explicit AsyncResult(std::shared_ptr<detail::ResultState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::ResultState> state_;
};
using ApplyResult = AsyncResult;

// multiprocessing.pool.MapResult: the future of map_async / starmap_async; get() returns the list.
using MapResult = AsyncResult;

// The results of imap (in input order) or imap_unordered (in completion order).
class IMapIterator {
public:
    // The next result. A failed task's exception is rethrown at its position (with chunks: at the first
    // item of the chunk) and iteration may go on after it. StopIteration after the last; mp::TimeoutError
    // when nothing arrives in time (nullopt: wait for ever; negative: do not wait).
    Object next(std::optional<double> timeout = std::nullopt);
    template <class T> T next_as(std::optional<double> timeout = std::nullopt) {
        return from_object<T>(next(timeout));
    }

    // for (const mp::Object& x : pool.imap(f, items)): advancing calls next(), so a failed task's
    // exception leaves the loop.
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

    // <multiprocessing.pool.IMapIterator object at 0x...> (IMapUnorderedIterator)
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const IMapIterator& it) { return out << it.repr(); }

private:
    friend struct detail::PoolState;
    explicit IMapIterator(std::shared_ptr<detail::IMapState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::IMapState> state_;
};

// multiprocessing.pool.ThreadPool: `processes` worker threads (nullopt: cpu_count(); less than 1:
// ValueError('Number of processes must be at least 1')), each running initializer(*initargs) first. Tasks
// may be any callable (lambdas included); results and callbacks are handled by one result thread, in
// arrival order. After close() or terminate() every submission is ValueError('Pool not running').
// Destroying the pool terminates it, like leaving Python's `with ThreadPool() as pool:` block.
class ThreadPool {
public:
    explicit ThreadPool(std::optional<int> processes = std::nullopt, Target initializer = {},
                        Object initargs = Object::tuple());
    ThreadPool(ThreadPool&& other) noexcept;
    ThreadPool& operator=(ThreadPool&& other) noexcept;
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;
    ~ThreadPool();

    // func(*args, **kwds) in a worker; its exception is rethrown here.
    Object apply(Target func, Object args = Object::tuple(), Object kwds = Object::dict());
    AsyncResult apply_async(Target func, Object args = Object::tuple(), Object kwds = Object::dict(),
                            Callback callback = {}, ErrorCallback error_callback = {});

    // [func(x) for x in iterable] as a list, in input order, sent in chunks (nullopt: about a quarter of
    // len / processes). chunksize 0 or less yields [None] * len without running anything (Python's quirk).
    Object map(Target func, const Iterable& iterable, std::optional<std::int64_t> chunksize = std::nullopt);
    MapResult map_async(Target func, const Iterable& iterable,
                        std::optional<std::int64_t> chunksize = std::nullopt, Callback callback = {},
                        ErrorCallback error_callback = {});
    // Each item is unpacked as the arguments: func(*item).
    Object starmap(Target func, const Iterable& iterable,
                   std::optional<std::int64_t> chunksize = std::nullopt);
    MapResult starmap_async(Target func, const Iterable& iterable,
                            std::optional<std::int64_t> chunksize = std::nullopt, Callback callback = {},
                            ErrorCallback error_callback = {});
    // Lazy: the iterable is consumed by the pool's task thread. ValueError('Chunksize must be 1+, not 0').
    IMapIterator imap(Target func, const Iterable& iterable, std::int64_t chunksize = 1);
    IMapIterator imap_unordered(Target func, const Iterable& iterable, std::int64_t chunksize = 1);

    // No more tasks; the workers leave once everything submitted is done.
    void close();
    // Stops now: queued tasks are dropped and their results never complete. Does not wait for tasks that
    // are running. AssertionError('Cannot have cache with result_hander not alive') when a callback killed
    // the result thread while results were outstanding.
    void terminate();
    // Waits for the pool's threads after close() or terminate(); ValueError('Pool is still running').
    void join();

    // <multiprocessing.pool.ThreadPool state=RUN pool_size=4>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const ThreadPool& p) { return out << p.repr(); }

private:
    std::shared_ptr<detail::PoolState> state_;
};

// multiprocessing.dummy.Pool(processes, initializer, initargs).
using Pool = ThreadPool;

// ---- Manager() ------------------------------------------------------------------------------------------

// dummy.Manager(): Python returns the dummy module itself, so the "shared" objects are the plain ones.
// start() and shutdown() do nothing.
class Manager {
public:
    void start() const noexcept {}
    void shutdown() const noexcept {}

    dummy::List list(const Object& iterable = Object::list()) const { return dummy::List(iterable); }
    dummy::Dict dict(const Object& init = Object::dict()) const { return dummy::Dict(init); }
    dummy::Namespace Namespace(const Object& attributes = Object::dict()) const {
        return dummy::Namespace(attributes);
    }
    dummy::Value Value(TypeCode typecode, Object value) const {
        return dummy::Value(std::move(typecode), std::move(value));
    }
    dummy::Array Array(TypeCode typecode, const Object& sequence) const {
        return dummy::Array(std::move(typecode), sequence);
    }
    dummy::Lock Lock() const { return {}; }
    dummy::RLock RLock() const { return {}; }
    dummy::Semaphore Semaphore(std::int64_t value = 1) const { return dummy::Semaphore(value); }
    dummy::BoundedSemaphore BoundedSemaphore(std::int64_t value = 1) const {
        return dummy::BoundedSemaphore(value);
    }
    dummy::Condition Condition() const { return {}; }
    dummy::Condition Condition(dummy::Lock lock) const { return dummy::Condition(std::move(lock)); }
    dummy::Condition Condition(dummy::RLock lock) const { return dummy::Condition(std::move(lock)); }
    dummy::Event Event() const { return {}; }
    dummy::Barrier Barrier(std::int64_t parties, Target action = {},
                           std::optional<double> timeout = std::nullopt) const {
        return dummy::Barrier(parties, std::move(action), timeout);
    }
    dummy::Queue Queue(std::int64_t maxsize = 0) const { return dummy::Queue(maxsize); }
    dummy::JoinableQueue JoinableQueue(std::int64_t maxsize = 0) const { return dummy::Queue(maxsize); }
    dummy::Pool Pool(std::optional<int> processes = std::nullopt, Target initializer = {},
                     Object initargs = Object::tuple()) const {
        return dummy::Pool(processes, std::move(initializer), std::move(initargs));
    }
};

} // namespace mp::dummy

namespace mp {

// Dummy objects as Process arguments and queue items (references that stay in this process).
#define MP_DETAIL_DUMMY_CONVERT(Type)                                                                        \
    template <> struct Convert<dummy::Type> {                                                                \
        static Object to(const dummy::Type& value) { return Object(value.to_handle()); }                     \
        static dummy::Type from(const Object& object) {                                                      \
            return dummy::Type::from_handle(object.as_handle());                                             \
        }                                                                                                    \
    };
MP_DETAIL_DUMMY_CONVERT(Lock)
MP_DETAIL_DUMMY_CONVERT(RLock)
MP_DETAIL_DUMMY_CONVERT(Semaphore)
MP_DETAIL_DUMMY_CONVERT(BoundedSemaphore)
MP_DETAIL_DUMMY_CONVERT(Condition)
MP_DETAIL_DUMMY_CONVERT(Event)
MP_DETAIL_DUMMY_CONVERT(Barrier)
MP_DETAIL_DUMMY_CONVERT(Queue)
MP_DETAIL_DUMMY_CONVERT(connection::Connection)
MP_DETAIL_DUMMY_CONVERT(connection::Address)
MP_DETAIL_DUMMY_CONVERT(List)
MP_DETAIL_DUMMY_CONVERT(Dict)
MP_DETAIL_DUMMY_CONVERT(Namespace)
MP_DETAIL_DUMMY_CONVERT(Value)
MP_DETAIL_DUMMY_CONVERT(Array)
#undef MP_DETAIL_DUMMY_CONVERT

} // namespace mp
