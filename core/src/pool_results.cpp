// The jobs of a pool's result cache and the user-facing AsyncResult and IMapIterator (pool_internal.hpp).
#include "interrupt.hpp"
#include "pool_internal.hpp"
#include "scope_writer.hpp"

#include "mp/pool.hpp"

#include <cstdio>
#include <iostream>

namespace mp::detail {

namespace pool {

[[noreturn]] void Outcome::raise() const {
    if (thrown) std::rethrow_exception(thrown);
    error.raise();
}

void Job::wait_for(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                   const std::function<bool()>& ready, std::optional<std::int64_t> deadline_ns) {
    if (ready()) return;
    thread_local AdaptiveSpin spin;
    const std::int64_t since = monotonic_ns();
    // Spinning and helping: on a busy pool the result is usually microseconds away.
    if (!deadline_ns || *deadline_ns > since) {
        lock.unlock();
        if (hooks_.helping) hooks_.helping(true);
        const bool done = spin.spin([&] {
            if (hooks_.help) hooks_.help();
            std::lock_guard relock(*lock.mutex());
            return ready();
        });
        if (hooks_.helping) hooks_.helping(false);
        lock.lock();
        if (done || ready()) {
            spin.waited(monotonic_ns() - since);
            return;
        }
    }
    InterruptScope interrupts;
    scope::WaitScope waiting(scope::Op::PoolWait, hooks_.serial, 0, deadline_ns);
    while (!ready()) {
        if (InterruptScope::take()) {
            lock.unlock();
            if (hooks_.interrupt) hooks_.interrupt();
            throw KeyboardInterrupt();
        }
        const std::int64_t now = monotonic_ns();
        if (deadline_ns && now >= *deadline_ns) return;
        std::int64_t until = now + kInterruptSliceNs;
        if (deadline_ns) until = std::min(until, *deadline_ns);
        cv.wait_for(lock, std::chrono::nanoseconds(until - now));
    }
    spin.waited(monotonic_ns() - since);
}

} // namespace pool

namespace {

std::string object_repr(const char* cls, const void* address) {
    char text[96];
    std::snprintf(text, sizeof text, "<multiprocessing.pool.%s object at %p>", cls, address);
    return text;
}

} // namespace

// ---- ApplyResult / MapResult ---------------------------------------------------------------------------

ResultState::ResultState(std::uint64_t id, pool::PoolHooks hooks, Kind kind, std::int64_t chunksize,
                         std::int64_t length, ResultCallback callback, ErrorCallback error_callback)
    : Job(id, std::move(hooks))
    , kind_(kind)
    , chunksize_(chunksize)
    , callback_(std::move(callback))
    , error_callback_(std::move(error_callback)) {
    if (kind_ != Kind::Map) return;
    if (chunksize_ <= 0) {
        // Python's quirk kept: no task at all, the result is [None] * length at once, no callback.
        value_ = Object::list(std::vector<Object>(static_cast<std::size_t>(length)));
        ready_.store(true, std::memory_order_release);
        return;
    }
    items_.resize(static_cast<std::size_t>(length));
    number_left_ = length / chunksize_ + (length % chunksize_ != 0 ? 1 : 0);
}

void ResultState::run_callback(const std::function<void()>& call) {
    try {
        call();
    } catch (...) {
        // CPython's result handler dies here and the pool hangs; this result reports it instead.
        pool::Outcome failed = pool::Outcome::failure(ExceptionValue::current());
        failed.thrown = std::current_exception();
        std::cerr << "Exception in the callback of " << repr() << ": " << failed.error.type
                  << (failed.error.message.empty() ? "" : ": " + failed.error.message) << std::endl;
        success_ = false;
        error_ = std::move(failed);
    }
}

bool ResultState::set(std::int64_t index, pool::Outcome outcome) {
    if (ready()) return true;
    if (kind_ == Kind::Apply) {
        success_ = outcome.ok;
        if (outcome.ok) {
            value_ = std::move(outcome.value);
            if (callback_) run_callback([this] { callback_(value_); });
        } else {
            error_ = std::move(outcome);
            if (error_callback_) run_callback([this] { error_callback_(error_.error); });
        }
        finish();
        return true;
    }
    --number_left_;
    if (outcome.ok && success_) {
        if (!outcome.placed) {
            auto& chunk = outcome.value.items();
            const auto first = static_cast<std::size_t>(index * chunksize_);
            for (std::size_t k = 0; k < chunk.size() && first + k < items_.size(); ++k)
                items_[first + k] = std::move(chunk[k]);
        }
        if (number_left_ > 0) return false;
        value_ = Object::list(std::move(items_));
        if (callback_) run_callback([this] { callback_(value_); });
    } else {
        if (!outcome.ok && success_) {
            // Only the first failure to arrive is kept, as in Python.
            success_ = false;
            error_ = std::move(outcome);
            items_.clear();
        }
        if (number_left_ > 0) return false;
        // Python calls error_callback once, after every chunk has finished.
        if (error_callback_ && !error_.thrown) run_callback([this] { error_callback_(error_.error); });
    }
    finish();
    return true;
}

std::span<Object> ResultState::slots(std::int64_t index) {
    if (kind_ != Kind::Map || ready() || !success_ || index < 0) return {};
    const auto first = static_cast<std::size_t>(index * chunksize_);
    if (first >= items_.size()) return {};
    return std::span<Object>(items_).subspan(
        first, std::min(static_cast<std::size_t>(chunksize_), items_.size() - first));
}

void ResultState::abandon(const ExceptionValue& why) {
    if (ready()) return;
    success_ = false;
    error_ = pool::Outcome::failure(why);
    finish();
}

void ResultState::finish() {
    {
        std::lock_guard lock(mutex_);
        ready_.store(true, std::memory_order_release);
    }
    cv_.notify_all();
}

void ResultState::wait(std::optional<double> timeout) {
    if (ready()) return;
    std::unique_lock lock(mutex_);
    wait_for(
        lock, cv_, [this] { return ready(); }, deadline_after(timeout));
}

Object ResultState::get(std::optional<double> timeout) {
    wait(timeout);
    if (!ready()) throw TimeoutError("");
    if (success_) return value_;
    error_.raise();
}

Object ResultState::take() {
    wait(std::nullopt);
    if (success_) return std::move(value_);
    error_.raise();
}

bool ResultState::successful() const {
    if (!ready()) throw ValueError(repr() + " not ready");
    return success_;
}

std::string ResultState::repr() const {
    return object_repr(kind_ == Kind::Apply ? "ApplyResult" : "MapResult", this);
}

// ---- IMapIterator --------------------------------------------------------------------------------------

IMapState::IMapState(std::uint64_t id, pool::PoolHooks hooks, bool unordered, bool chunked)
    : Job(id, std::move(hooks))
    , unordered_(unordered)
    , chunked_(chunked) {}

bool IMapState::set(std::int64_t index, pool::Outcome outcome) {
    std::lock_guard lock(mutex_);
    if (unordered_ || index == index_) {
        items_.push_back(std::move(outcome));
        ++index_;
        for (auto it = unsorted_.find(index_); !unordered_ && it != unsorted_.end();
             it = unsorted_.find(index_)) {
            items_.push_back(std::move(it->second));
            unsorted_.erase(it);
            ++index_;
        }
        cv_.notify_all();
    } else {
        unsorted_.emplace(index, std::move(outcome));
    }
    return length_ && index_ == *length_;
}

bool IMapState::set_length(std::int64_t length) {
    std::lock_guard lock(mutex_);
    length_ = length;
    if (index_ != length) return false;
    cv_.notify_all();
    return true;
}

void IMapState::abandon(const ExceptionValue& why) {
    std::lock_guard lock(mutex_);
    if (length_ && index_ == *length_) return;
    abandoned_ = why;
    cv_.notify_all();
}

Object IMapState::next(std::optional<double> timeout) {
    std::unique_lock lock(mutex_);
    if (!chunk_.empty()) {
        Object item = std::move(chunk_.front());
        chunk_.pop_front();
        return item;
    }
    auto have = [this] {
        return !items_.empty() || (length_ && index_ == *length_) || abandoned_.has_value();
    };
    wait_for(lock, cv_, have, deadline_after(timeout));
    if (items_.empty()) {
        if (length_ && index_ == *length_) throw StopIteration("");
        if (abandoned_) abandoned_->raise();
        throw TimeoutError("");
    }
    pool::Outcome outcome = std::move(items_.front());
    items_.pop_front();
    if (!outcome.ok) {
        lock.unlock();
        outcome.raise();
    }
    if (!chunked_) return std::move(outcome.value);
    auto& values = outcome.value.items();
    for (std::size_t k = 1; k < values.size(); ++k)
        chunk_.push_back(std::move(values[k]));
    return values.empty() ? Object() : std::move(values.front());
}

std::string IMapState::repr() const {
    return object_repr(unordered_ ? "IMapUnorderedIterator" : "IMapIterator", this);
}

} // namespace mp::detail

namespace mp {

Object AsyncResult::get(std::optional<double> timeout) const {
    return state_->get(timeout);
}
void AsyncResult::wait(std::optional<double> timeout) const {
    state_->wait(timeout);
}
bool AsyncResult::ready() const {
    return state_->ready();
}
bool AsyncResult::successful() const {
    return state_->successful();
}
std::string AsyncResult::repr() const {
    return state_->repr();
}

Object IMapIterator::next(std::optional<double> timeout) {
    return state_->next(timeout);
}

IMapIterator::iterator IMapIterator::begin() {
    iterator it(this);
    return ++it;
}

IMapIterator::iterator& IMapIterator::iterator::operator++() {
    try {
        current_ = owner_->next();
    } catch (const StopIteration&) {
        owner_ = nullptr;
        current_ = Object();
    }
    return *this;
}

std::string IMapIterator::repr() const {
    return state_->repr();
}

} // namespace mp
