#pragma once
// Pieces the mp::dummy units share: timeouts as threading reads them, the queue.Queue algorithm (for
// dummy::Queue and for the internal queues of Listener and ThreadPool), the primitives' states, thread
// naming and the Python-style text of an exception a thread did not catch.
#include "mp/dummy.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace mp::dummy::detail {

using Clock = std::chrono::steady_clock;

// threading.TIMEOUT_MAX: longer timeouts are OverflowError in CPython.
inline constexpr double timeout_max = 9223372036.0;

// When a wait ends: nullopt = never. Timeouts beyond timeout_max are OverflowError('timestamp out of range
// for platform time_t'), as when CPython converts them; 0 or less means "do not wait".
std::optional<Clock::time_point> deadline_after(std::optional<double> timeout);

// Waits on `cv` until pred() or the deadline; returns pred().
template <class Pred>
bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                const std::optional<Clock::time_point>& deadline, Pred pred) {
    if (!deadline) {
        cv.wait(lock, pred);
        return true;
    }
    return cv.wait_until(lock, *deadline, pred);
}

// "0x7f12..." for reprs (Python's id()).
std::string address_of(const void* p);

// pthread_self() of the calling thread: threading.get_ident().
std::uint64_t current_ident() noexcept;

// The next "Thread-N" / "Dummy-N" number (one counter, as in threading).
std::int64_t next_thread_number() noexcept;
// "Thread-N (target)", as threading names a thread it was not given a name for.
std::string new_thread_name(std::string_view target_description);

// A generator handing out (moving out) the items one by one.
std::function<std::optional<Object>()> generator_over(std::shared_ptr<std::vector<Object>> items);

// Prints what threading's excepthook prints for an exception escaping a thread's target (call inside a
// catch block): "Exception in thread <name>:" and a traceback.
void print_thread_exception(const std::string& thread_name, const std::string& where);

// ---- queue.Queue ----------------------------------------------------------------------------------------

// queue.Queue's algorithm over any item type: a deque under one mutex with three conditions.
template <class T> class QueueCore {
public:
    explicit QueueCore(std::int64_t maxsize)
        : maxsize_(maxsize) {}

    void put(T item, bool block = true, std::optional<double> timeout = std::nullopt) {
        std::unique_lock lock(mutex_);
        if (maxsize_ > 0) {
            auto has_room = [&] { return static_cast<std::int64_t>(items_.size()) < maxsize_; };
            if (!block) {
                if (!has_room()) throw Full("");
            } else if (!timeout) {
                not_full_.wait(lock, has_room);
            } else if (*timeout < 0) {
                throw ValueError("'timeout' must be a non-negative number");
            } else if (!has_room() && !wait_until(not_full_, lock, deadline_after(timeout), has_room)) {
                throw Full("");
            }
        }
        items_.push_back(std::move(item));
        ++unfinished_;
        not_empty_.notify_one();
    }

    T get(bool block = true, std::optional<double> timeout = std::nullopt) {
        std::unique_lock lock(mutex_);
        auto has_item = [&] { return !items_.empty(); };
        if (!block) {
            if (!has_item()) throw Empty("");
        } else if (!timeout) {
            not_empty_.wait(lock, has_item);
        } else if (*timeout < 0) {
            throw ValueError("'timeout' must be a non-negative number");
        } else if (!has_item() && !wait_until(not_empty_, lock, deadline_after(timeout), has_item)) {
            throw Empty("");
        }
        T item = std::move(items_.front());
        items_.pop_front();
        not_full_.notify_one();
        return item;
    }

    // Whether an item is waiting, after waiting up to `deadline` for one (Connection.poll).
    bool wait_readable(const std::optional<Clock::time_point>& deadline) {
        std::unique_lock lock(mutex_);
        return wait_until(not_empty_, lock, deadline, [&] { return !items_.empty(); });
    }

    // Takes every waiting item (ThreadPool.terminate drains its task queue this way).
    std::deque<T> drain() {
        std::lock_guard lock(mutex_);
        std::deque<T> taken;
        taken.swap(items_);
        not_full_.notify_all();
        return taken;
    }

    void task_done() {
        std::lock_guard lock(mutex_);
        if (unfinished_ <= 0) throw ValueError("task_done() called too many times");
        if (--unfinished_ == 0) all_tasks_done_.notify_all();
    }

    void join() {
        std::unique_lock lock(mutex_);
        all_tasks_done_.wait(lock, [&] { return unfinished_ == 0; });
    }

    std::int64_t qsize() const {
        std::lock_guard lock(mutex_);
        return static_cast<std::int64_t>(items_.size());
    }
    std::int64_t maxsize() const noexcept { return maxsize_; }

private:
    const std::int64_t maxsize_;
    mutable std::mutex mutex_;
    std::condition_variable not_empty_;
    std::condition_variable not_full_;
    std::condition_variable all_tasks_done_;
    std::deque<T> items_;
    std::int64_t unfinished_ = 0;
};

struct QueueState : QueueCore<Object> {
    using QueueCore<Object>::QueueCore;
};

// ---- threads --------------------------------------------------------------------------------------------

struct ThreadState {
    std::string class_name = "DummyProcess"; // or "_MainThread", "_DummyThread", "Thread"
    bool child = true;                       // listed by its creator's active_children()
    Target target;
    Object args;
    Object kwargs;
    std::shared_ptr<ThreadState> parent; // the thread that made it: only it may start it

    mutable std::mutex mutex;
    std::condition_variable changed;
    std::string name;
    bool daemon = false;
    bool start_called = false;
    bool started = false;
    bool stopped = false;
    std::optional<std::uint64_t> ident;
    std::optional<int> native_id;
    std::vector<std::weak_ptr<ThreadState>> children; // started from this thread

    std::mutex join_mutex; // serialises reaping `thread`
    std::thread thread;

    ThreadState() = default;
    ThreadState(const ThreadState&) = delete;
    ThreadState& operator=(const ThreadState&) = delete;
    ~ThreadState();
};

struct ProcessAccess {
    static const std::shared_ptr<ThreadState>& state(const Process& p) { return p.state_; }
    static Process make(std::shared_ptr<ThreadState> state) { return Process(std::move(state)); }
};

} // namespace mp::dummy::detail
