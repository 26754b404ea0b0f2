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
#include <mutex>
#include <optional>
#include <sched.h>
#include <string>
#include <thread>
#include <vector>

namespace mp {

namespace sc = detail::scope;

namespace detail {

namespace {

constexpr std::size_t kHeaderBytes = sizeof(std::uint64_t);
constexpr std::size_t kMinChannelBytes = 64;
// Polls before a waiter sleeps: the other side of a busy queue usually answers within microseconds.
constexpr int kPollRounds = 256;

// Polls pred() up to `rounds` times, giving the CPU away now and then: a futex sleep and wake-up costs
// more than the usual wait, and on a machine with fewer cores than busy threads a pure spin would keep
// off the CPU the very thread it waits for.
template <class Pred> bool poll_until(Pred pred, int rounds = kPollRounds) noexcept {
    for (int i = 0; i < rounds; ++i) {
        if (pred()) return true;
        if (i % 4 == 3)
            ::sched_yield();
        else
            cpu_relax();
    }
    return pred();
}

// Appends one message as the channel carries it: an 8-byte length, then the pickled item.
void append_message(std::string& out, std::string_view payload) {
    const std::uint64_t size = payload.size();
    out.append(reinterpret_cast<const char*>(&size), kHeaderBytes);
    out.append(payload);
}

// ---- the channel ---------------------------------------------------------------------------------------

// This process's view of a queue's byte ring.
class Ring {
public:
    explicit Ring(const sc::ObjectRef& queue) noexcept
        : serial_(queue.serial())
        , st_(queue.slot().state.queue)
        , ring_(static_cast<char*>(queue.segment().at(st_.ring_offset.load(std::memory_order_relaxed))))
        , capacity_(st_.capacity.load(std::memory_order_relaxed)) {}

    // Whether a reader would find a byte now.
    bool readable_now() const noexcept {
        return st_.write_pos.load(std::memory_order_acquire) != st_.read_pos.load(std::memory_order_relaxed);
    }

protected:
    void copy_in(std::uint64_t pos, const char* data, std::size_t k) noexcept {
        const std::size_t at = static_cast<std::size_t>(pos % capacity_);
        const std::size_t first = std::min(k, capacity_ - at);
        std::memcpy(ring_ + at, data, first);
        std::memcpy(ring_, data + first, k - first);
    }
    void copy_out(std::uint64_t pos, char* out, std::size_t k) const noexcept {
        const std::size_t at = static_cast<std::size_t>(pos % capacity_);
        const std::size_t first = std::min(k, capacity_ - at);
        std::memcpy(out, ring_ + at, first);
        std::memcpy(out + first, ring_, k - first);
    }

    std::uint32_t serial_;
    sc::QueueState& st_;
    char* ring_;
    std::size_t capacity_;
};

// The writing end, used under the queue's writer lock, so one writer at a time. It remembers the last
// read position it saw: a lower bound of the real one, reloaded (a cache line the reader owns) only when
// the ring looks full.
class RingWriter : public Ring {
public:
    using Ring::Ring;

    // Writes `data` - whole messages, the length of each first - waiting for room as often as needed.
    // `feeder` (this process's feeder row, or nullptr) shows the wait and counts down as messages become
    // readable. Readers see each part as soon as it is in.
    void write(std::string_view data, sc::QueueFeeder* feeder) {
        std::uint64_t w = st_.write_pos.load(std::memory_order_relaxed);
        std::size_t done = 0;
        std::size_t complete_upto = 0; // end of the last whole message written
        std::optional<sc::WaitScope> waiting;
        while (done < data.size()) {
            std::size_t room = room_at(w);
            if (room == 0) {
                wait_for_room(w, waiting, feeder);
                continue;
            }
            const std::size_t k = std::min(room, data.size() - done);
            copy_in(w, data.data() + done, k);
            done += k;
            w += k;
            std::uint64_t complete = 0;
            for (std::uint64_t size = 0; complete_upto + kHeaderBytes <= done; ++complete) {
                std::memcpy(&size, data.data() + complete_upto, kHeaderBytes);
                if (complete_upto + kHeaderBytes + size > done) break;
                complete_upto += kHeaderBytes + size;
            }
            if (complete)
                st_.messages_written.store(st_.messages_written.load(std::memory_order_relaxed) + complete,
                                           std::memory_order_relaxed);
            publish(w);
            if (feeder) {
                feeder->bytes.fetch_sub(k, std::memory_order_relaxed);
                if (complete)
                    feeder->items.fetch_sub(static_cast<std::uint32_t>(complete), std::memory_order_relaxed);
            }
        }
        if (waiting && feeder) feeder->flushing.store(0, std::memory_order_relaxed);
    }

private:
    std::size_t room_at(std::uint64_t w) noexcept {
        if (w - read_seen_ >= capacity_) read_seen_ = st_.read_pos.load(std::memory_order_acquire);
        return capacity_ - static_cast<std::size_t>(w - read_seen_);
    }

    // Sequentially consistent with the reader's announcement (see wait_for_room).
    void publish(std::uint64_t w) noexcept {
        st_.write_pos.store(w);
        if (st_.readers_waiting.load() != 0) {
            st_.data_seq.fetch_add(1);
            futex_wake_all(st_.data_seq);
        }
    }

    void wait_for_room(std::uint64_t w, std::optional<sc::WaitScope>& waiting, sc::QueueFeeder* feeder) {
        if (poll_until([&] { return room_at(w) > 0; })) return;
        if (!waiting) {
            waiting.emplace(sc::Op::Put, serial_);
            if (feeder) feeder->flushing.store(1, std::memory_order_relaxed);
        }
        // Announce the sleeper first, then re-check: a reader that moved on meanwhile either sees the
        // announcement and bumps the word, or its move is seen here (all sequentially consistent).
        st_.writers_waiting.fetch_add(1);
        const std::uint32_t seq = st_.space_seq.load();
        if (st_.read_pos.load() + capacity_ == w) futex_wait(st_.space_seq, seq, std::nullopt);
        st_.writers_waiting.fetch_sub(1);
    }

    std::uint64_t read_seen_ = 0;
};

// The reading end, used under the queue's reader lock. It remembers the last write position it saw,
// reloaded only when the bytes it knows of run out.
class RingReader : public Ring {
public:
    using Ring::Ring;

    // Python's poll(): waits until some byte can be read or the deadline passes.
    bool wait_readable(std::optional<std::int64_t> deadline) {
        const std::uint64_t r = st_.read_pos.load(std::memory_order_relaxed);
        if (poll_until([&] { return available(r) > 0; })) return true;
        sc::WaitScope waiting(sc::Op::Get, serial_, 0, deadline);
        for (;;) {
            if (available(r) > 0) return true;
            if (deadline && monotonic_ns() >= *deadline) return false;
            sleep_until_written(r, deadline);
        }
    }

    // Reads one whole message, waiting for its bytes as they arrive.
    std::string read_message() {
        std::uint64_t r = st_.read_pos.load(std::memory_order_relaxed);
        std::uint64_t size = 0;
        read_exact(r, reinterpret_cast<char*>(&size), kHeaderBytes);
        std::string payload(size, '\0');
        read_exact(r, payload.data(), size);
        st_.messages_read.store(st_.messages_read.load(std::memory_order_relaxed) + 1,
                                std::memory_order_relaxed);
        publish(r);
        return payload;
    }

private:
    // Bytes known to be readable at `r`. Another process's reader may have moved past what this one saw.
    std::size_t available(std::uint64_t r) noexcept {
        if (write_seen_ <= r) write_seen_ = st_.write_pos.load(std::memory_order_acquire);
        return write_seen_ > r ? static_cast<std::size_t>(write_seen_ - r) : 0;
    }

    void read_exact(std::uint64_t& r, char* out, std::size_t n) {
        std::optional<sc::WaitScope> waiting;
        while (n > 0) {
            std::size_t k = available(r);
            if (k == 0) {
                publish(r); // what was read so far makes room for the writer to go on
                if (poll_until([&] { return available(r) > 0; })) continue;
                if (!waiting) waiting.emplace(sc::Op::Get, serial_);
                sleep_until_written(r, std::nullopt);
                continue;
            }
            k = std::min(k, n);
            copy_out(r, out, k);
            r += k;
            out += k;
            n -= k;
        }
    }

    void publish(std::uint64_t r) noexcept {
        if (st_.read_pos.load(std::memory_order_relaxed) == r) return;
        st_.read_pos.store(r);
        if (st_.writers_waiting.load() != 0) {
            st_.space_seq.fetch_add(1);
            futex_wake_all(st_.space_seq);
        }
    }

    // Sleeps while write_pos is still `r` (see RingWriter::wait_for_room for the handshake).
    void sleep_until_written(std::uint64_t r, std::optional<std::int64_t> deadline) {
        st_.readers_waiting.fetch_add(1);
        const std::uint32_t seq = st_.data_seq.load();
        if (st_.write_pos.load() == r) futex_wait(st_.data_seq, seq, deadline);
        st_.readers_waiting.fetch_sub(1);
    }

    std::uint64_t write_seen_ = 0;
};

// Releases a lock row on scope exit.
struct LockRelease {
    sc::ObjectRef& lock;
    ~LockRelease() { sync::lock_release(lock); }
};

// A slot of the queue's BoundedSemaphore(maxsize): taken by put, given back by get. The inspector reads
// the free slots from its word; who holds them is not tracked (a getter gives back what a putter took).
bool take_slot(sc::ObjectRef& sem, bool block, std::optional<double> timeout) {
    if (sync::sem_try(sem.slot().state.sem)) return true;
    return sync::sem_acquire(sem, block, timeout);
}

void give_slot(sc::ObjectRef& sem) {
    sc::SemState& st = sem.slot().state.sem;
    const std::uint32_t max = st.maxvalue.load(std::memory_order_relaxed);
    std::uint32_t v = st.word.load(std::memory_order_relaxed);
    do {
        if (v >= max) throw ValueError("semaphore or lock released too many times");
    } while (!st.word.compare_exchange_weak(v, v + 1, std::memory_order_release, std::memory_order_relaxed));
    if (st.waiters.load() != 0) futex_wake(st.word, 1);
}

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
    std::string buffer;               // the items put, as the channel carries them
    std::uint64_t buffered = 0;       // how many
    std::atomic<bool> pending{false}; // buffered != 0, readable without the mutex
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

// A batch of this size or more gives its memory back once written: one huge item must not pin it.
constexpr std::size_t kKeptBatchBytes = std::size_t(1) << 20;

void feed(std::shared_ptr<FeederState> f) {
    sc::mark_internal_thread();
    RingWriter writer(*f->queue);
    std::string batch;
    for (;;) {
        std::uint64_t items = 0;
        bool stop = false;
        poll_until([&] { return f->pending.load(std::memory_order_relaxed); });
        {
            std::unique_lock lock(f->mutex);
            f->sleeping = true;
            f->wake.wait(lock, [&] { return f->buffered != 0 || f->sentinel; });
            f->sleeping = false;
            batch.clear();
            batch.swap(f->buffer); // the emptied batch's memory serves the next items
            items = std::exchange(f->buffered, 0);
            f->pending.store(false, std::memory_order_relaxed);
            stop = f->sentinel;
        }
        if (items != 0) {
            // One writer-lock hold per batch: items of one producer stay in order either way.
            sync::lock_acquire(*f->wlock, true, std::nullopt);
            LockRelease release{*f->wlock};
            writer.write(batch, f->entry);
            sc::U64& ops = f->queue->slot().ops;
            ops.store(ops.load(std::memory_order_relaxed) + items, std::memory_order_relaxed);
        }
        if (batch.capacity() >= kKeptBatchBytes) std::string().swap(batch);
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
    // This process's ends of the channel: the reader used under the reader lock, the writer (SimpleQueue's
    // synchronous puts) under the writer lock.
    std::optional<RingReader> reader;
    std::optional<RingWriter> writer;
    std::atomic<bool> closed{false};            // checked by put and get without the mutex
    std::atomic<FeederState*> running{nullptr}; // the feeder, once started

    std::mutex mutex; // guards what follows
    std::shared_ptr<FeederState> feeder;
    bool joincancelled = false;
    std::atomic<bool> handles_closed{false}; // SimpleQueue.close()
    std::optional<util::Finalize> jointhread;
    std::optional<util::Finalize> close_finalizer;

    ~LocalQueue() {
        // Python's _finalize_close runs when the queue object goes: the feeder finishes and stops.
        if (close_finalizer) (*close_finalizer)();
    }

    void open_ends() {
        reader.emplace(*queue);
        writer.emplace(*queue);
    }

    sc::QueueState& state() const { return queue->slot().state.queue; }

    bool ends_closed() {
        if (handles_closed.load(std::memory_order_relaxed)) return true;
        if (!closed.load(std::memory_order_relaxed)) return false;
        std::lock_guard lock(mutex);
        if (!feeder) return false;
        std::lock_guard feeder_lock(feeder->mutex);
        return feeder->ended;
    }

    // Appends a serialized item to this process's buffer, starting the feeder on the first put.
    void enqueue(std::string_view payload) {
        FeederState* f = running.load(std::memory_order_acquire);
        if (!f) {
            std::lock_guard lock(mutex);
            if (!feeder) start_feeder();
            f = feeder.get();
        }
        if (kind == sc::ObjectKind::JoinableQueue) state().unfinished.fetch_add(1);
        if (f->entry) {
            f->entry->items.fetch_add(1, std::memory_order_relaxed);
            f->entry->bytes.fetch_add(kHeaderBytes + payload.size(), std::memory_order_relaxed);
        }
        bool sleeping;
        {
            std::lock_guard feeder_lock(f->mutex);
            append_message(f->buffer, payload);
            ++f->buffered;
            f->pending.store(true, std::memory_order_relaxed);
            sleeping = f->sleeping;
        }
        if (sleeping) f->wake.notify_one();
    }

    void start_feeder() {
        auto f = std::make_shared<FeederState>();
        f->queue = queue;
        f->wlock = wlock;
        f->entry = claim_feeder_entry(state());
        if (f->entry && joincancelled) f->entry->cancelled.store(1, std::memory_order_relaxed);
        std::thread(feed, f).detach();
        feeder = f;
        running.store(f.get(), std::memory_order_release);
        if (!joincancelled) jointhread.emplace([f] { join_feeder(*f); }, -5);
        close_finalizer.emplace([f] { send_sentinel(*f); }, 10);
    }

    // A fork child starts with an empty buffer and no feeder (Python's Queue._after_fork).
    void reset_after_fork() {
        std::construct_at(&mutex);
        if (feeder)
            graveyard().push_back(std::move(feeder)); // its mutex may be held by a thread that is gone
        feeder.reset();
        running.store(nullptr, std::memory_order_relaxed);
        closed.store(false, std::memory_order_relaxed);
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

} // namespace

void construct_local_queues() {
    (void)local_queues();
}

namespace {

void reset_queues_after_fork() {
    auto& reg = local_queues();
    std::construct_at(&reg.mutex);
    for (auto& weak : reg.all)
        if (auto q = weak.lock()) q->reset_after_fork();
}

// Opens this process's ends of the channel and registers `q` for the after-fork reset.
std::shared_ptr<LocalQueue> track(std::shared_ptr<LocalQueue> q) {
    q->open_ends();
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
    if (l.closed.load(std::memory_order_relaxed)) throw ValueError("Queue " + repr() + " is closed");
    // Serialized here, so that a value that cannot be sent is the caller's error and takes no slot.
    const std::string payload = pickle::dumps(obj);
    sc::CompositeScope op(sc::Op::Put, l.queue->serial());
    if (!detail::take_slot(*l.sem, block, timeout)) throw Full("");
    l.enqueue(payload); // the feeder counts the operation when it writes the item
    if (sc::full_events()) sc::record(sc::Op::Put, l.queue->serial(), 1);
}

Object Queue::get(bool block, std::optional<double> timeout) {
    LocalQueue& l = local();
    if (l.closed.load(std::memory_order_relaxed)) throw ValueError("Queue " + repr() + " is closed");
    sc::CompositeScope op(sc::Op::Get, l.queue->serial());
    std::string payload;
    if (block && !timeout) {
        detail::sync::lock_acquire(*l.rlock, true, std::nullopt);
        {
            detail::LockRelease release{*l.rlock};
            payload = l.reader->read_message();
        }
        detail::give_slot(*l.sem);
    } else {
        const auto deadline = block ? detail::deadline_after(timeout) : std::nullopt;
        if (!detail::sync::lock_acquire(*l.rlock, block, timeout)) throw Empty("");
        detail::LockRelease release{*l.rlock};
        if (block ? !l.reader->wait_readable(deadline) : !l.reader->readable_now()) throw Empty("");
        payload = l.reader->read_message();
        detail::give_slot(*l.sem);
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
    return !l.reader->readable_now();
}

bool Queue::full() const {
    return local().sem->slot().state.sem.word.load() == 0;
}

void Queue::close() {
    LocalQueue& l = local();
    std::optional<util::Finalize> close;
    {
        std::lock_guard lock(l.mutex);
        l.closed.store(true, std::memory_order_relaxed);
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
    // An event for each one only with an inspector attached; the count reaching zero always.
    if (n == 1 ? sc::observing() : sc::full_events())
        sc::record(sc::Op::TaskDone, l.queue->serial(), static_cast<std::int32_t>(n - 1));
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
    // Serialized before taking the lock, as Python does, into this thread's reused message buffer.
    thread_local std::string message;
    message.clear();
    detail::append_message(message, pickle::dumps(obj));
    if (l.ends_closed()) throw OSError("handle is closed");
    sc::CompositeScope op(sc::Op::Put, l.queue->serial());
    detail::sync::lock_acquire(*l.wlock, true, std::nullopt);
    detail::LockRelease release{*l.wlock};
    l.writer->write(message, nullptr);
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
        payload = l.reader->read_message();
        l.queue->count_op();
        if (sc::full_events()) sc::record(sc::Op::Get, l.queue->serial(), 1);
    }
    return pickle::loads(payload);
}

bool SimpleQueue::empty() const {
    if (!local_) throw ValueError("this queue was moved from");
    if (local_->ends_closed()) throw OSError("handle is closed");
    return !local_->reader->readable_now();
}

void SimpleQueue::close() {
    if (!local_) throw ValueError("this queue was moved from");
    local_->handles_closed.store(true, std::memory_order_relaxed);
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
