// Queue, JoinableQueue, SimpleQueue (SPEC §6) over a byte ring in the session arena (QueueState).
#include "mp/queues.hpp"

#include "futex.hpp"
#include "process_internal.hpp"
#include "scope_writer.hpp"
#include "synchronize_internal.hpp"

#include "mp/context.hpp"
#include "mp/pickle.hpp"
#include "mp/util.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace mp {

namespace sc = detail::scope;

namespace detail {

namespace {

constexpr std::size_t kHeaderBytes = sizeof(std::uint64_t);
constexpr std::size_t kMinChannelBytes = 64;

// ---- the channel ---------------------------------------------------------------------------------------

// This process's view of a queue's byte ring. Writers hold the queue's writer lock for a whole message,
// readers its reader lock, so each side has a single active party at a time.
class Channel {
public:
    explicit Channel(sc::ObjectRef& queue)
        : serial_(queue.serial())
        , st_(queue.slot().state.queue)
        , ring_(static_cast<char*>(queue.segment().at(st_.ring_offset.load(std::memory_order_relaxed))))
        , capacity_(st_.capacity.load(std::memory_order_relaxed)) {}

    // Writes one message, waiting for room as often as needed. `feeder` (this process's feeder row, or
    // nullptr) shows it flushing while it waits, and its bytes drop as the payload goes in.
    void write_message(std::string_view payload, sc::QueueFeeder* feeder) {
        const std::uint64_t size = payload.size();
        write_bytes(reinterpret_cast<const char*>(&size), kHeaderBytes, feeder, false);
        write_bytes(payload.data(), payload.size(), feeder, true);
        st_.messages_written.store(st_.messages_written.load(std::memory_order_relaxed) + 1,
                                   std::memory_order_relaxed);
    }

    bool readable_now() const noexcept {
        return st_.write_pos.load(std::memory_order_acquire) != st_.read_pos.load(std::memory_order_relaxed);
    }

    // Python's poll(): waits until some byte can be read or the deadline passes.
    bool wait_readable(std::optional<std::int64_t> deadline) {
        if (spin_until([&] { return readable_now(); })) return true;
        sc::WaitScope waiting(sc::Op::Get, serial_, 0, deadline);
        for (;;) {
            if (readable_now()) return true;
            if (deadline && monotonic_ns() >= *deadline) return false;
            sleep_until_written(st_.write_pos.load(), deadline);
        }
    }

    // Reads one whole message, waiting for its bytes as they arrive.
    std::string read_message() {
        std::uint64_t size = 0;
        read_bytes(reinterpret_cast<char*>(&size), kHeaderBytes);
        std::string payload(size, '\0');
        read_bytes(payload.data(), size);
        st_.messages_read.store(st_.messages_read.load(std::memory_order_relaxed) + 1,
                                std::memory_order_relaxed);
        return payload;
    }

private:
    void write_bytes(const char* data, std::size_t n, sc::QueueFeeder* feeder, bool payload) {
        std::optional<sc::WaitScope> waiting;
        while (n > 0) {
            const std::uint64_t w = st_.write_pos.load(std::memory_order_relaxed);
            const std::uint64_t r = st_.read_pos.load(std::memory_order_acquire);
            const std::size_t room = capacity_ - static_cast<std::size_t>(w - r);
            if (room == 0 && spin_until([&] { return st_.read_pos.load(std::memory_order_acquire) != r; }))
                continue;
            if (room == 0) {
                if (!waiting) {
                    waiting.emplace(sc::Op::Put, serial_);
                    if (feeder) feeder->flushing.store(1, std::memory_order_relaxed);
                }
                // Announce the sleeper first, then re-check: a reader that moved on meanwhile either sees
                // the announcement and bumps the word, or its move is seen here (all sequentially
                // consistent).
                st_.writers_waiting.fetch_add(1);
                const std::uint32_t seq = st_.space_seq.load();
                if (st_.read_pos.load() == r) futex_wait(st_.space_seq, seq, std::nullopt);
                st_.writers_waiting.fetch_sub(1);
                continue;
            }
            const std::size_t k = std::min(n, room);
            copy_in(static_cast<std::size_t>(w % capacity_), data, k);
            st_.write_pos.store(w + k);
            if (st_.readers_waiting.load() != 0) {
                st_.data_seq.fetch_add(1);
                futex_wake_all(st_.data_seq);
            }
            if (feeder && payload) feeder->bytes.fetch_sub(k, std::memory_order_relaxed);
            data += k;
            n -= k;
        }
        if (feeder && waiting) feeder->flushing.store(0, std::memory_order_relaxed);
    }

    void read_bytes(char* out, std::size_t n) {
        std::optional<sc::WaitScope> waiting;
        while (n > 0) {
            const std::uint64_t r = st_.read_pos.load(std::memory_order_relaxed);
            const std::uint64_t w = st_.write_pos.load(std::memory_order_acquire);
            const std::size_t available = static_cast<std::size_t>(w - r);
            if (available == 0 &&
                spin_until([&] { return st_.write_pos.load(std::memory_order_acquire) != w; }))
                continue;
            if (available == 0) {
                if (!waiting) waiting.emplace(sc::Op::Get, serial_);
                sleep_until_written(w, std::nullopt);
                continue;
            }
            const std::size_t k = std::min(n, available);
            copy_out(static_cast<std::size_t>(r % capacity_), out, k);
            st_.read_pos.store(r + k);
            if (st_.writers_waiting.load() != 0) {
                st_.space_seq.fetch_add(1);
                futex_wake_all(st_.space_seq);
            }
            out += k;
            n -= k;
        }
    }

    // Sleeps while write_pos is still `seen` (see write_bytes for the handshake).
    void sleep_until_written(std::uint64_t seen, std::optional<std::int64_t> deadline) {
        st_.readers_waiting.fetch_add(1);
        const std::uint32_t seq = st_.data_seq.load();
        if (st_.write_pos.load() == seen) futex_wait(st_.data_seq, seq, deadline);
        st_.readers_waiting.fetch_sub(1);
    }

    void copy_in(std::size_t at, const char* data, std::size_t k) noexcept {
        const std::size_t first = std::min(k, capacity_ - at);
        std::memcpy(ring_ + at, data, first);
        std::memcpy(ring_, data + first, k - first);
    }
    void copy_out(std::size_t at, char* out, std::size_t k) const noexcept {
        const std::size_t first = std::min(k, capacity_ - at);
        std::memcpy(out, ring_ + at, first);
        std::memcpy(out + first, ring_, k - first);
    }

    std::uint32_t serial_;
    sc::QueueState& st_;
    char* ring_;
    std::size_t capacity_;
};

// Releases a lock row on scope exit.
struct LockRelease {
    sc::ObjectRef& lock;
    ~LockRelease() { sync::lock_release(lock); }
};

// ---- feeders -------------------------------------------------------------------------------------------

// What a process's feeder thread shares with the queue object that started it; outlives both, so the
// thread never touches freed memory however the queue object goes away.
struct FeederState {
    std::shared_ptr<sc::ObjectRef> queue;
    std::shared_ptr<sc::ObjectRef> wlock;
    sc::QueueFeeder* entry = nullptr; // this process's row in QueueState::feeders (nullptr: table full)
    std::mutex mutex;
    std::condition_variable wake; // new items or the sentinel
    std::condition_variable ended_cv;
    std::deque<std::string> buffer;
    std::atomic<std::size_t> pending{0}; // buffer.size(), readable without the mutex
    bool sentinel = false;
    bool sleeping = false;
    bool ended = false;
};

sc::QueueFeeder* claim_feeder_entry(sc::QueueState& st) noexcept {
    const std::uint32_t self = sc::self();
    for (auto& f : st.feeders)
        if (f.process.load(std::memory_order_relaxed) == self) return &f;
    for (auto& f : st.feeders) {
        std::uint32_t cur = f.process.load(std::memory_order_relaxed);
        if (cur != 0 && !sc::process_dead(cur)) continue;
        if (f.process.compare_exchange_strong(cur, self)) {
            f.items.store(0, std::memory_order_relaxed);
            f.bytes.store(0, std::memory_order_relaxed);
            f.flushing.store(0, std::memory_order_relaxed);
            f.cancelled.store(0, std::memory_order_relaxed);
            return &f;
        }
    }
    st.feeders_overflow.store(1, std::memory_order_relaxed);
    return nullptr;
}

void feed(std::shared_ptr<FeederState> f) {
    sc::mark_internal_thread();
    Channel channel(*f->queue);
    for (;;) {
        std::deque<std::string> batch;
        bool stop;
        spin_until([&] { return f->pending.load(std::memory_order_relaxed) != 0; });
        {
            std::unique_lock lock(f->mutex);
            f->sleeping = true;
            f->wake.wait(lock, [&] { return !f->buffer.empty() || f->sentinel; });
            f->sleeping = false;
            batch.swap(f->buffer);
            f->pending.store(0, std::memory_order_relaxed);
            stop = f->sentinel;
        }
        if (!batch.empty()) {
            // One writer-lock hold per batch: items of one producer stay in order either way.
            sync::lock_acquire(*f->wlock, true, std::nullopt);
            LockRelease release{*f->wlock};
            for (const std::string& item : batch) {
                channel.write_message(item, f->entry);
                if (f->entry) f->entry->items.fetch_sub(1, std::memory_order_relaxed);
            }
        }
        if (stop) break;
    }
    // Python's feeder closes both pipe ends of its process once it has written everything.
    std::lock_guard lock(f->mutex);
    f->ended = true;
    f->ended_cv.notify_all();
}

void send_sentinel(FeederState& f) {
    std::lock_guard lock(f.mutex);
    f.sentinel = true;
    f.wake.notify_one();
}

// Queue._finalize_join: the feeder has written everything (at exit, or from join_thread()).
void join_feeder(FeederState& f) {
    std::unique_lock lock(f.mutex);
    if (f.ended) return;
    sc::WaitScope waiting(sc::Op::FeederFlush, f.queue->serial());
    f.ended_cv.wait(lock, [&] { return f.ended; });
}

} // namespace

// ---- the per-process side of a queue -------------------------------------------------------------------

struct LocalQueue {
    sc::ObjectKind kind = sc::ObjectKind::Queue;
    std::shared_ptr<sc::ObjectRef> queue, rlock, wlock, sem;

    std::mutex mutex; // guards what follows
    std::shared_ptr<FeederState> feeder;
    bool closed = false;
    bool joincancelled = false;
    bool handles_closed = false; // SimpleQueue.close()
    std::optional<util::Finalize> jointhread;
    std::optional<util::Finalize> close_finalizer;

    ~LocalQueue() {
        // Python's _finalize_close runs when the queue object goes: the feeder finishes and stops.
        if (close_finalizer) (*close_finalizer)();
    }

    sc::QueueState& state() const { return queue->slot().state.queue; }

    bool ends_closed() {
        std::lock_guard lock(mutex);
        if (handles_closed) return true;
        if (!closed || !feeder) return false;
        std::lock_guard feeder_lock(feeder->mutex);
        return feeder->ended;
    }

    // Appends a serialized item to this process's buffer, starting the feeder on the first put.
    void enqueue(std::string payload) {
        std::lock_guard lock(mutex);
        if (!feeder) start_feeder();
        if (kind == sc::ObjectKind::JoinableQueue) state().unfinished.fetch_add(1);
        const std::size_t bytes = payload.size();
        std::lock_guard feeder_lock(feeder->mutex);
        if (feeder->entry) {
            feeder->entry->items.fetch_add(1, std::memory_order_relaxed);
            feeder->entry->bytes.fetch_add(bytes, std::memory_order_relaxed);
        }
        feeder->buffer.push_back(std::move(payload));
        feeder->pending.store(feeder->buffer.size(), std::memory_order_relaxed);
        if (feeder->sleeping) feeder->wake.notify_one();
    }

    void start_feeder() {
        auto f = std::make_shared<FeederState>();
        f->queue = queue;
        f->wlock = wlock;
        f->entry = claim_feeder_entry(state());
        if (f->entry && joincancelled) f->entry->cancelled.store(1, std::memory_order_relaxed);
        std::thread(feed, f).detach();
        feeder = f;
        if (!joincancelled) jointhread.emplace([f] { join_feeder(*f); }, -5);
        close_finalizer.emplace([f] { send_sentinel(*f); }, 10);
    }

    // A fork child starts with an empty buffer and no feeder (Python's Queue._after_fork).
    void reset_after_fork() {
        std::construct_at(&mutex);
        if (feeder)
            graveyard().push_back(std::move(feeder)); // its mutex may be held by a thread that is gone
        feeder.reset();
        closed = false;
        joincancelled = false;
        jointhread.reset();
        close_finalizer.reset();
    }

    // Parent-side feeder states a fork child must never touch nor destroy.
    static std::vector<std::shared_ptr<FeederState>>& graveyard() {
        static std::vector<std::shared_ptr<FeederState>> dead;
        return dead;
    }
};

namespace {

// Every LocalQueue of this process, for the after-fork reset.
struct LocalQueues {
    std::mutex mutex;
    std::vector<std::weak_ptr<LocalQueue>> all;
};
LocalQueues& local_queues() {
    static LocalQueues instance;
    return instance;
}

void reset_queues_after_fork() {
    auto& reg = local_queues();
    std::construct_at(&reg.mutex);
    for (auto& weak : reg.all)
        if (auto q = weak.lock()) q->reset_after_fork();
}

std::shared_ptr<LocalQueue> track(std::shared_ptr<LocalQueue> q) {
    static const bool hook = [] {
        util::register_after_fork(reset_queues_after_fork);
        return true;
    }();
    (void)hook;
    auto& reg = local_queues();
    std::lock_guard lock(reg.mutex);
    std::erase_if(reg.all, [](const std::weak_ptr<LocalQueue>& w) { return w.expired(); });
    reg.all.push_back(q);
    return q;
}

void finalize_queue_row(Segment& segment, sc::ObjectSlot& slot) noexcept {
    auto& st = slot.state.queue;
    segment.deallocate(st.ring_offset.load());
    for (std::uint32_t index : {st.rlock_index.load(), st.wlock_index.load(), st.sem_index.load()})
        if (index != 0) sc::drop_reference(segment, index);
}

const bool queue_hooks_registered = [] {
    for (auto kind : {sc::ObjectKind::Queue, sc::ObjectKind::JoinableQueue, sc::ObjectKind::SimpleQueue})
        sc::register_finalizer(kind, finalize_queue_row);
    for (const char* kind : {"Queue", "JoinableQueue", "SimpleQueue"})
        register_handle_check(kind, sync::check_fork_context);
    return true;
}();

std::shared_ptr<LocalQueue> make_queue(sc::ObjectKind kind, const Context* ctx, QueueOptions options) {
    if (options.channel_bytes < kMinChannelBytes)
        throw ValueError("channel_bytes must be at least " + std::to_string(kMinChannelBytes));
    // Python's BoundedSemaphore(maxsize) takes a C int.
    if (kind != sc::ObjectKind::SimpleQueue && options.maxsize > std::int64_t(sync::kSemValueMax))
        throw OverflowError("Python int too large to convert to C int");
    const std::uint32_t maxsize = kind == sc::ObjectKind::SimpleQueue ? 0
                                  : options.maxsize <= 0              ? sync::kSemValueMax
                                                         : static_cast<std::uint32_t>(options.maxsize);
    auto q = std::make_shared<LocalQueue>();
    q->kind = kind;
    q->rlock = sync::make_sem_object(sc::ObjectKind::Lock, ctx, 0, 1, sc::kObjInternal);
    q->wlock = sync::make_sem_object(sc::ObjectKind::Lock, ctx, 0, 1, sc::kObjInternal);
    if (kind != sc::ObjectKind::SimpleQueue)
        q->sem =
            sync::make_sem_object(sc::ObjectKind::BoundedSemaphore, ctx, maxsize, maxsize, sc::kObjInternal);
    Segment& segment = q->rlock->segment();
    const std::uint64_t ring =
        segment.allocate(options.channel_bytes, std::string("the channel of a ") + sc::kind_name(kind));
    try {
        q->queue = sc::create_object(kind, sync::context_flags(ctx), [&](sc::ObjectSlot& slot) {
            auto& st = slot.state.queue;
            st.ring_offset.store(ring, std::memory_order_relaxed);
            st.capacity.store(options.channel_bytes, std::memory_order_relaxed);
            st.maxsize.store(maxsize, std::memory_order_relaxed);
            st.rlock_index.store(q->rlock->index(), std::memory_order_relaxed);
            st.rlock_serial.store(q->rlock->serial(), std::memory_order_relaxed);
            st.wlock_index.store(q->wlock->index(), std::memory_order_relaxed);
            st.wlock_serial.store(q->wlock->serial(), std::memory_order_relaxed);
            if (q->sem) {
                st.sem_index.store(q->sem->index(), std::memory_order_relaxed);
                st.sem_serial.store(q->sem->serial(), std::memory_order_relaxed);
            }
            // The queue's row keeps its parts alive for as long as it exists.
            for (const auto& part : {q->rlock, q->wlock, q->sem})
                if (part) sc::add_reference(segment, part->index());
        });
    } catch (...) {
        segment.deallocate(ring);
        throw;
    }
    return track(std::move(q));
}

std::shared_ptr<LocalQueue> queue_from_handle(const Handle& handle, sc::ObjectKind kind,
                                              std::string_view label) {
    auto q = std::make_shared<LocalQueue>();
    q->kind = kind;
    q->queue = sc::object_from_handle(handle, kind, label);
    auto& st = q->state();
    q->rlock = sc::object_ref(st.rlock_index.load(), st.rlock_serial.load());
    q->wlock = sc::object_ref(st.wlock_index.load(), st.wlock_serial.load());
    if (kind != sc::ObjectKind::SimpleQueue)
        q->sem = sc::object_ref(st.sem_index.load(), st.sem_serial.load());
    if (!q->rlock || !q->wlock || (kind != sc::ObjectKind::SimpleQueue && !q->sem))
        throw ValueError(std::string("the ") + std::string(label) + "'s locks no longer exist");
    return track(std::move(q));
}

std::string queue_repr(const char* cls, const sc::ObjectRef& ref) {
    char address[32];
    std::snprintf(address, sizeof address, "%#llx",
                  static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(&ref.slot())));
    return std::string("<multiprocessing.queues.") + cls + " object at " + address + ">";
}

} // namespace
} // namespace detail

using detail::LocalQueue;

// ---- Queue ---------------------------------------------------------------------------------------------

Queue::Queue(std::int64_t maxsize)
    : Queue(QueueOptions{.maxsize = maxsize}) {}

Queue::Queue(QueueOptions options)
    : Queue(detail::make_queue(sc::ObjectKind::Queue, nullptr, options)) {}

Queue::Queue(const Context& ctx, QueueOptions options)
    : Queue(detail::make_queue(sc::ObjectKind::Queue, &ctx, options)) {}

Queue::Queue(JoinableTag, const Context* ctx, QueueOptions options)
    : Queue(detail::make_queue(sc::ObjectKind::JoinableQueue, ctx, options)) {}

Queue::Queue(std::shared_ptr<detail::LocalQueue> local)
    : SharedObject(local->queue)
    , local_(std::move(local)) {}

detail::LocalQueue& Queue::local() const {
    if (!local_) throw ValueError("this queue was moved from");
    return *local_;
}

void Queue::put(const Object& obj, bool block, std::optional<double> timeout) {
    LocalQueue& l = local();
    {
        std::lock_guard lock(l.mutex);
        if (l.closed) throw ValueError("Queue " + repr() + " is closed");
    }
    // Serialized here, so that a value that cannot be sent is the caller's error and takes no slot.
    std::string payload = pickle::dumps(obj);
    sc::CompositeScope op(sc::Op::Put, l.queue->serial());
    if (!detail::sync::sem_acquire(*l.sem, block, timeout)) throw Full("");
    l.enqueue(std::move(payload));
    l.queue->count_op();
    if (sc::full_events()) sc::record(sc::Op::Put, l.queue->serial(), 1);
}

Object Queue::get(bool block, std::optional<double> timeout) {
    LocalQueue& l = local();
    {
        std::lock_guard lock(l.mutex);
        if (l.closed) throw ValueError("Queue " + repr() + " is closed");
    }
    sc::CompositeScope op(sc::Op::Get, l.queue->serial());
    detail::Channel channel(*l.queue);
    std::string payload;
    if (block && !timeout) {
        detail::sync::lock_acquire(*l.rlock, true, std::nullopt);
        {
            detail::LockRelease release{*l.rlock};
            payload = channel.read_message();
        }
        detail::sync::sem_release(*l.sem);
    } else {
        const auto deadline = block ? detail::deadline_after(timeout) : std::nullopt;
        if (!detail::sync::lock_acquire(*l.rlock, block, timeout)) throw Empty("");
        detail::LockRelease release{*l.rlock};
        if (block ? !channel.wait_readable(deadline) : !channel.readable_now()) throw Empty("");
        payload = channel.read_message();
        detail::sync::sem_release(*l.sem);
    }
    l.queue->count_op();
    if (sc::full_events()) sc::record(sc::Op::Get, l.queue->serial(), 1);
    // Deserialized after the reader lock is released, as Python does.
    return pickle::loads(payload);
}

std::int64_t Queue::qsize() const {
    LocalQueue& l = local();
    return static_cast<std::int64_t>(l.state().maxsize.load()) - l.sem->slot().state.sem.word.load();
}

bool Queue::empty() const {
    LocalQueue& l = local();
    if (l.ends_closed()) throw OSError("handle is closed");
    return !detail::Channel(*l.queue).readable_now();
}

bool Queue::full() const {
    return local().sem->slot().state.sem.word.load() == 0;
}

void Queue::close() {
    LocalQueue& l = local();
    std::optional<util::Finalize> close;
    {
        std::lock_guard lock(l.mutex);
        l.closed = true;
        close.swap(l.close_finalizer);
    }
    if (close) (*close)();
}

void Queue::join_thread() {
    LocalQueue& l = local();
    std::optional<util::Finalize> join;
    {
        std::lock_guard lock(l.mutex);
        if (!l.closed) throw AssertionError("Queue " + repr() + " not closed");
        join = l.jointhread;
    }
    if (join) (*join)();
}

void Queue::cancel_join_thread() {
    LocalQueue& l = local();
    std::lock_guard lock(l.mutex);
    l.joincancelled = true;
    if (l.jointhread) l.jointhread->cancel();
    if (l.feeder && l.feeder->entry) l.feeder->entry->cancelled.store(1, std::memory_order_relaxed);
}

std::string Queue::repr() const {
    return detail::queue_repr(local().kind == sc::ObjectKind::JoinableQueue ? "JoinableQueue" : "Queue",
                              *local().queue);
}

Handle Queue::to_handle() const {
    return make_handle(local().kind == sc::ObjectKind::JoinableQueue ? "JoinableQueue" : "Queue");
}

Queue Queue::from_handle(const Handle& handle) {
    if (handle.kind == "JoinableQueue")
        return Queue(detail::queue_from_handle(handle, sc::ObjectKind::JoinableQueue, "JoinableQueue"));
    return Queue(detail::queue_from_handle(handle, sc::ObjectKind::Queue, "Queue"));
}

// ---- JoinableQueue -------------------------------------------------------------------------------------

JoinableQueue::JoinableQueue(std::int64_t maxsize)
    : Queue(JoinableTag{}, nullptr, QueueOptions{.maxsize = maxsize}) {}

JoinableQueue::JoinableQueue(QueueOptions options)
    : Queue(JoinableTag{}, nullptr, options) {}

JoinableQueue::JoinableQueue(const Context& ctx, QueueOptions options)
    : Queue(JoinableTag{}, &ctx, options) {}

void JoinableQueue::task_done() {
    LocalQueue& l = local();
    sc::gate(sc::Op::TaskDone, l.queue->serial());
    auto& st = l.state();
    std::uint32_t n = st.unfinished.load();
    do {
        if (n == 0) throw ValueError("task_done() called too many times");
    } while (!st.unfinished.compare_exchange_weak(n, n - 1));
    if (n == 1) {
        st.tasks_seq.fetch_add(1);
        if (st.joiners_waiting.load() != 0) detail::futex_wake_all(st.tasks_seq);
    }
    l.queue->count_op();
    if (sc::observing()) sc::record(sc::Op::TaskDone, l.queue->serial(), static_cast<std::int32_t>(n - 1));
}

void JoinableQueue::join() {
    LocalQueue& l = local();
    sc::gate(sc::Op::QueueJoin, l.queue->serial());
    auto& st = l.state();
    const std::uint32_t seq = st.tasks_seq.load();
    if (st.unfinished.load() == 0) return;
    // Python waits for one notification: the next time the count reaches zero.
    sc::WaitScope waiting(sc::Op::QueueJoin, l.queue->serial());
    st.joiners_waiting.fetch_add(1);
    while (st.tasks_seq.load() == seq)
        detail::futex_wait(st.tasks_seq, seq, std::nullopt);
    st.joiners_waiting.fetch_sub(1);
}

std::string JoinableQueue::repr() const {
    return Queue::repr();
}

Handle JoinableQueue::to_handle() const {
    return make_handle("JoinableQueue");
}

JoinableQueue JoinableQueue::from_handle(const Handle& handle) {
    return JoinableQueue(detail::queue_from_handle(handle, sc::ObjectKind::JoinableQueue, "JoinableQueue"));
}

// ---- SimpleQueue ---------------------------------------------------------------------------------------

SimpleQueue::SimpleQueue()
    : SimpleQueue(detail::make_queue(sc::ObjectKind::SimpleQueue, nullptr, QueueOptions{})) {}

SimpleQueue::SimpleQueue(std::size_t channel_bytes)
    : SimpleQueue(detail::make_queue(sc::ObjectKind::SimpleQueue, nullptr,
                                     QueueOptions{.maxsize = 0, .channel_bytes = channel_bytes})) {}

SimpleQueue::SimpleQueue(const Context& ctx, std::size_t channel_bytes)
    : SimpleQueue(detail::make_queue(sc::ObjectKind::SimpleQueue, &ctx,
                                     QueueOptions{.maxsize = 0, .channel_bytes = channel_bytes})) {}

SimpleQueue::SimpleQueue(std::shared_ptr<detail::LocalQueue> local)
    : SharedObject(local->queue)
    , local_(std::move(local)) {}

void SimpleQueue::put(const Object& obj) {
    if (!local_) throw ValueError("this queue was moved from");
    LocalQueue& l = *local_;
    std::string payload = pickle::dumps(obj); // before taking the lock, as Python does
    if (l.ends_closed()) throw OSError("handle is closed");
    sc::CompositeScope op(sc::Op::Put, l.queue->serial());
    detail::sync::lock_acquire(*l.wlock, true, std::nullopt);
    detail::LockRelease release{*l.wlock};
    detail::Channel(*l.queue).write_message(payload, nullptr);
    l.queue->count_op();
    if (sc::full_events()) sc::record(sc::Op::Put, l.queue->serial(), 1);
}

Object SimpleQueue::get() {
    if (!local_) throw ValueError("this queue was moved from");
    LocalQueue& l = *local_;
    if (l.ends_closed()) throw OSError("handle is closed");
    std::string payload;
    {
        sc::CompositeScope op(sc::Op::Get, l.queue->serial());
        detail::sync::lock_acquire(*l.rlock, true, std::nullopt);
        detail::LockRelease release{*l.rlock};
        payload = detail::Channel(*l.queue).read_message();
        l.queue->count_op();
        if (sc::full_events()) sc::record(sc::Op::Get, l.queue->serial(), 1);
    }
    return pickle::loads(payload);
}

bool SimpleQueue::empty() const {
    if (!local_) throw ValueError("this queue was moved from");
    if (local_->ends_closed()) throw OSError("handle is closed");
    return !detail::Channel(*local_->queue).readable_now();
}

void SimpleQueue::close() {
    if (!local_) throw ValueError("this queue was moved from");
    std::lock_guard lock(local_->mutex);
    local_->handles_closed = true;
}

std::string SimpleQueue::repr() const {
    if (!local_) throw ValueError("this queue was moved from");
    return detail::queue_repr("SimpleQueue", *local_->queue);
}

Handle SimpleQueue::to_handle() const {
    return make_handle("SimpleQueue");
}

SimpleQueue SimpleQueue::from_handle(const Handle& handle) {
    return SimpleQueue(detail::queue_from_handle(handle, sc::ObjectKind::SimpleQueue, "SimpleQueue"));
}

// ---- context members -----------------------------------------------------------------------------------

Queue Context::Queue(std::int64_t maxsize) const {
    return mp::Queue(*this, QueueOptions{.maxsize = maxsize});
}
JoinableQueue Context::JoinableQueue(std::int64_t maxsize) const {
    return mp::JoinableQueue(*this, QueueOptions{.maxsize = maxsize});
}
SimpleQueue Context::SimpleQueue() const {
    return mp::SimpleQueue(*this);
}

} // namespace mp
