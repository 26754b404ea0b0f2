// dummy::Process (SPEC §12): threading.Thread behind Process's API. Each thread owns a reference to its
// state while it runs, so a Process handle may go away first, as a Python Thread object may. The program
// waits for non-daemon threads when main() returns (threading._shutdown), daemon threads are left to die
// with the process.
#include "dummy_internal.hpp"
#include "process_internal.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <pthread.h>
#include <sys/syscall.h>
#include <system_error>
#include <unistd.h>

namespace mp::dummy {

namespace detail {

std::optional<Clock::time_point> deadline_after(std::optional<double> timeout) {
    if (!timeout) return std::nullopt;
    const double seconds = *timeout;
    if (seconds > timeout_max) throw OverflowError("timestamp out of range for platform time_t");
    const auto now = Clock::now();
    if (!(seconds > 0)) return now; // 0, negative and NaN: do not wait
    // Beyond ~31 years the clock arithmetic could overflow; such a wait is a wait for ever.
    if (seconds > 1e9) return std::nullopt;
    return now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

std::string address_of(const void* p) {
    char text[32];
    std::snprintf(text, sizeof text, "%#lx", static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(p)));
    return text;
}

std::uint64_t current_ident() noexcept {
    return static_cast<std::uint64_t>(::pthread_self());
}

std::int64_t next_thread_number() noexcept {
    static std::atomic<std::int64_t> counter{0};
    return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

std::string new_thread_name(std::string_view target_description) {
    std::string name = "Thread-" + std::to_string(next_thread_number());
    if (!target_description.empty()) name += " (" + std::string(target_description) + ")";
    return name;
}

void print_thread_exception(const std::string& thread_name, const std::string& where) {
    const ExceptionValue ev = ExceptionValue::current();
    std::string text = "Exception in thread " + thread_name + ":\nTraceback (most recent call last):\n";
    text += ev.traceback.empty() ? "  " + where + "\n" : ev.traceback;
    if (text.back() != '\n') text += '\n';
    text += ev.message.empty() ? ev.type : ev.type + ": " + ev.message;
    text += '\n';
    mp::detail::flush_std_streams();
    std::cerr << text << std::flush;
}

ThreadState::~ThreadState() {
    // The last reference goes either in the thread itself (its thread-local current_process()), which
    // then cannot join itself, or elsewhere after the thread has let go of everything.
    if (!thread.joinable()) return;
    if (thread.get_id() == std::this_thread::get_id())
        thread.detach();
    else
        thread.join();
}

namespace {

int current_native_id() noexcept {
    return static_cast<int>(::syscall(SYS_gettid));
}

// The calling thread's Process, set by the bootstrap of dummy threads and made up on first use for
// others (MainThread, or "Dummy-N" for a thread started some other way).
thread_local std::optional<Process> current;

std::shared_ptr<ThreadState> adopt_calling_thread() {
    auto state = std::make_shared<ThreadState>();
    if (current_native_id() == ::getpid()) {
        state->class_name = "_MainThread";
        state->name = "MainThread";
    } else {
        state->class_name = "_DummyThread";
        state->name = "Dummy-" + std::to_string(next_thread_number());
        state->daemon = true;
    }
    state->start_called = state->started = true;
    state->ident = current_ident();
    state->native_id = current_native_id();
    return state;
}

const std::shared_ptr<ThreadState>& current_state() {
    return ProcessAccess::state(current_process());
}

// Non-daemon threads still running: main() returning waits for them, as Python's interpreter does.
struct Running {
    std::mutex mutex;
    std::vector<std::shared_ptr<ThreadState>> threads;
    bool exit_hook_installed = false;
};
Running& running() {
    static auto* r = new Running; // never destroyed: threads may end during static destruction
    return *r;
}

void remove_running(const ThreadState* state) {
    std::lock_guard lock(running().mutex);
    std::erase_if(running().threads, [&](const auto& t) { return t.get() == state; });
}

void join_non_daemon_threads() {
    for (;;) {
        std::shared_ptr<ThreadState> next;
        {
            // Not the thread that is exiting (std::exit called in a dummy thread): it would wait for itself.
            std::lock_guard lock(running().mutex);
            const auto& threads = running().threads;
            auto it = std::find_if(threads.begin(), threads.end(), [](const auto& t) {
                std::lock_guard thread_lock(t->mutex);
                return !t->ident || *t->ident != current_ident();
            });
            if (it == threads.end()) return;
            next = *it;
        }
        {
            std::unique_lock lock(next->mutex);
            next->changed.wait(lock, [&] { return next->stopped; });
        }
        remove_running(next.get());
    }
}

void add_running(const std::shared_ptr<ThreadState>& state) {
    std::lock_guard lock(running().mutex);
    running().threads.push_back(state);
    if (!running().exit_hook_installed) {
        running().exit_hook_installed = true;
        std::atexit(join_non_daemon_threads);
    }
}

void bootstrap(std::shared_ptr<ThreadState> state) {
    mp::detail::in_bootstrap = true; // mp::exit() here ends this thread only
    current.emplace(ProcessAccess::make(state));
    {
        std::lock_guard lock(state->mutex);
        state->ident = current_ident();
        state->native_id = current_native_id();
        state->started = true;
    }
    state->changed.notify_all();
    try {
        state->target(state->args, state->kwargs);
    } catch (const SystemExit&) {
        // threading ignores SystemExit in a thread: the thread just ends.
    } catch (...) {
        std::string where = state->class_name + ".run()";
        if (state->target) where += ", target " + state->target.description();
        print_thread_exception(current_process().name(), where);
    }
    // Thread.run() drops its target and arguments, which may refer back to the thread (a pool's threads).
    state->target = Target();
    state->args = state->kwargs = Object();
    bool daemon = false;
    {
        std::lock_guard lock(state->mutex);
        state->stopped = true;
        daemon = state->daemon;
    }
    state->changed.notify_all();
    if (!daemon) remove_running(state.get());
}

} // namespace
} // namespace detail

using detail::ThreadState;

Process::Process()
    : Process(ProcessOptions{}) {}

Process::Process(Target target, Object args, Object kwargs, std::optional<std::string> name,
                 std::optional<bool> daemon)
    : Process(ProcessOptions{.target = std::move(target),
                             .name = std::move(name),
                             .args = std::move(args),
                             .kwargs = std::move(kwargs),
                             .daemon = daemon}) {}

Process::Process(ProcessOptions options)
    : state_(std::make_shared<ThreadState>()) {
    if (!options.group.is_none()) throw AssertionError("group argument must be None for now");
    const auto& parent = detail::current_state();
    auto& s = *state_;
    s.name = options.name ? std::move(*options.name)
                          : detail::new_thread_name(options.target ? options.target.description() : "");
    s.target = std::move(options.target);
    s.args = std::move(options.args);
    s.kwargs = options.kwargs.is_none() ? Object::dict() : std::move(options.kwargs);
    if (options.daemon) {
        s.daemon = *options.daemon;
    } else {
        std::lock_guard lock(parent->mutex);
        s.daemon = parent->daemon;
    }
    s.parent = parent;
}

void Process::start() {
    auto& s = *state_;
    const auto& me = detail::current_state();
    if (s.parent != me)
        throw RuntimeError("Parent is " + detail::ProcessAccess::make(s.parent).repr() +
                           " but current_process is " + current_process().repr());
    bool daemon = false;
    {
        std::lock_guard lock(s.mutex);
        if (s.start_called) throw RuntimeError("threads can only be started once");
        s.start_called = true;
        daemon = s.daemon;
    }
    if (s.child) {
        std::lock_guard lock(me->mutex);
        std::erase_if(me->children, [](const auto& child) { return child.expired(); });
        me->children.push_back(state_);
    }
    if (!daemon) detail::add_running(state_);
    try {
        std::lock_guard lock(s.join_mutex);
        s.thread = std::thread(detail::bootstrap, state_);
    } catch (const std::system_error&) {
        if (!daemon) detail::remove_running(&s);
        throw RuntimeError("can't start new thread");
    }
    std::unique_lock lock(s.mutex);
    s.changed.wait(lock, [&] { return s.started; });
}

void Process::run() const {
    state_->target(state_->args, state_->kwargs);
}

void Process::join(std::optional<double> timeout) const {
    auto& s = *state_;
    {
        std::lock_guard lock(s.mutex);
        if (!s.started) throw RuntimeError("cannot join thread before it is started");
    }
    if (state_ == detail::current_state()) throw RuntimeError("cannot join current thread");
    const auto deadline = detail::deadline_after(timeout ? std::optional(std::max(*timeout, 0.0)) : timeout);
    std::unique_lock lock(s.mutex);
    if (!detail::wait_until(s.changed, lock, deadline, [&] { return s.stopped; })) return;
    lock.unlock();
    // Reap the OS thread now that it has finished its work (it only has its own clean-up left).
    std::lock_guard reap(s.join_mutex);
    if (s.thread.joinable()) s.thread.join();
}

bool Process::is_alive() const {
    std::lock_guard lock(state_->mutex);
    return state_->started && !state_->stopped;
}

std::optional<int> Process::exitcode() const {
    std::lock_guard lock(state_->mutex);
    if (state_->start_called && !(state_->started && !state_->stopped)) return 0;
    return std::nullopt;
}

std::optional<std::uint64_t> Process::ident() const {
    std::lock_guard lock(state_->mutex);
    return state_->ident;
}

std::optional<int> Process::native_id() const {
    std::lock_guard lock(state_->mutex);
    return state_->native_id;
}

std::string Process::name() const {
    std::lock_guard lock(state_->mutex);
    return state_->name;
}

void Process::set_name(std::string name) {
    std::lock_guard lock(state_->mutex);
    state_->name = std::move(name);
}

bool Process::daemon() const {
    std::lock_guard lock(state_->mutex);
    return state_->daemon;
}

void Process::set_daemon(bool daemonic) {
    std::lock_guard lock(state_->mutex);
    if (state_->started || state_->start_called)
        throw RuntimeError("cannot set daemon status of active thread");
    state_->daemon = daemonic;
}

std::string Process::repr() const {
    std::lock_guard lock(state_->mutex);
    const auto& s = *state_;
    // Appends rather than operator+ chains, which GCC 12 -O3 misreads as overlapping copies (-Wrestrict).
    std::string text = "<";
    text.append(s.class_name).append("(").append(s.name).append(", ");
    text.append(s.stopped ? "stopped" : s.started ? "started" : "initial");
    if (s.daemon) text.append(" daemon");
    if (s.ident) text.append(" ").append(std::to_string(*s.ident));
    return text.append(")>");
}

Process& current_process() {
    if (!detail::current)
        detail::current.emplace(detail::ProcessAccess::make(detail::adopt_calling_thread()));
    return *detail::current;
}

std::vector<Process> active_children() {
    const auto& me = detail::current_state();
    std::vector<std::shared_ptr<ThreadState>> children;
    {
        std::lock_guard lock(me->mutex);
        std::erase_if(me->children, [](const auto& child) { return child.expired(); });
        for (const auto& child : me->children)
            if (auto c = child.lock()) children.push_back(std::move(c));
    }
    std::vector<Process> alive;
    for (auto& child : children) {
        Process p = detail::ProcessAccess::make(std::move(child));
        if (p.is_alive()) alive.push_back(std::move(p));
    }
    return alive;
}

} // namespace mp::dummy
