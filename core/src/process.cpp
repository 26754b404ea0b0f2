// Process objects (SPEC §2), the per-process globals behind current_process() / parent_process() /
// active_children(), the child bootstrap, the exit sequence (SPEC §3) and freeze_support().
#include "futex.hpp"
#include "process_exec.hpp"
#include "process_internal.hpp"
#include "scope_writer.hpp"

#include "mp/context.hpp"
#include "mp/process.hpp"
#include "mp/util.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <stdio_ext.h>
#include <sys/random.h>
#include <unistd.h>

namespace mp {

namespace detail {

thread_local bool in_bootstrap = false;

namespace {

struct ProcessGlobals {
    std::mutex mutex;
    int next_count = 1;                                  // Python's _process_counter
    std::unique_ptr<Process> main_process;               // MainProcess, made on first use
    Process* current = nullptr;                          // current_process()
    std::unique_ptr<Process> parent;                     // parent_process() in a child
    std::vector<std::shared_ptr<ProcessState>> children; // started and not yet reaped
    bool exiting = false;
    bool exit_handler_registered = false;
    bool freeze_support_called = false;
};

ProcessGlobals& globals() {
    static ProcessGlobals instance;
    return instance;
}

// Set while a spawn child rebuilds its Process: the constructor must not take a counter value.
thread_local bool rebuilding_process = false;

std::string random_authkey() {
    std::string key(32, '\0');
    std::size_t got = 0;
    while (got < key.size()) {
        ssize_t n = ::getrandom(key.data() + got, key.size() - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("getrandom");
        }
        got += static_cast<std::size_t>(n);
    }
    return key;
}

void remove_child(const std::shared_ptr<ProcessState>& state) {
    auto& g = globals();
    std::lock_guard lock(g.mutex);
    std::erase(g.children, state);
}

std::vector<std::shared_ptr<ProcessState>> children_snapshot() {
    auto& g = globals();
    std::lock_guard lock(g.mutex);
    return g.children;
}

// Python's _cleanup(): reaps children that have ended and forgets them.
void reap_children() {
    for (const auto& child : children_snapshot()) {
        bool ended;
        {
            std::lock_guard lock(child->mutex);
            ended = !child->popen || child->popen->poll().has_value();
        }
        if (ended) remove_child(child);
    }
}

std::string join_identity(const std::vector<int>& identity) {
    std::string out;
    for (std::size_t i = 0; i < identity.size(); ++i) {
        if (i) out += ':';
        out += std::to_string(identity[i]);
    }
    return out;
}

void replace_stdin_with_devnull() {
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd > 0) {
        ::dup2(fd, 0); // dup2 leaves fd 0 inheritable, like a normal stdin
        ::close(fd);
    } else if (fd == 0) {
        ::fcntl(0, F_SETFD, 0);
    }
    // Input the parent had buffered must not be read a second time by the child.
    __fpurge(stdin);
    std::clearerr(stdin);
    std::cin.clear();
}

void print_uncaught(const std::string& process_name, const std::string& where) {
    ExceptionValue ev = ExceptionValue::current();
    std::string text = "Process " + process_name + ":\nTraceback (most recent call last):\n";
    if (!ev.traceback.empty()) {
        text += ev.traceback;
        if (text.back() != '\n') text += '\n';
    } else {
        text += "  " + where + "\n";
    }
    text += ev.message.empty() ? ev.type : ev.type + ": " + ev.message;
    text += '\n';
    flush_std_streams();
    std::cerr << text << std::flush;
}

int exit_status_of(const SystemExit& e) {
    const auto& code = e.code();
    if (std::holds_alternative<std::monostate>(code)) return 0;
    if (const auto* n = std::get_if<std::int64_t>(&code))
        return static_cast<int>(static_cast<std::uint64_t>(*n) & 0xff);
    std::cerr << std::get<std::string>(code) << '\n' << std::flush;
    return 1;
}

// The status mp::exit(n) gives the main process, for the observation plane (0 for a plain return).
int main_exit_status = 0;

void exit_function_c() {
    exit_function();
    scope::exiting(main_exit_status);
}

// /proc/self/cmdline says we were started as a spawn child or as the forkserver.
bool cmdline_has_role_marker() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto first_end = cmdline.find('\0');
    if (first_end == std::string::npos) return false;
    std::string_view second(cmdline.c_str() + first_end + 1);
    return second == "--multiprocessing-fork" || second == "--multiprocessing-forkserver";
}

std::optional<int> parse_int_option(std::string_view arg, std::string_view key) {
    if (arg.size() <= key.size() + 1 || arg.substr(0, key.size()) != key || arg[key.size()] != '=')
        return std::nullopt;
    try {
        return std::stoi(std::string(arg.substr(key.size() + 1)));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

} // namespace

struct ProcessAccess {
    static ProcessState& state(Process& p) { return *p.state_; }
    static const std::shared_ptr<ProcessState>& shared_state(const Process& p) { return p.state_; }
    static Process alias(std::shared_ptr<ProcessState> s) {
        return Process(Process::FromState{}, std::move(s));
    }
    static std::unique_ptr<Process> make(std::shared_ptr<ProcessState> s) {
        return std::make_unique<Process>(alias(std::move(s)));
    }
    static std::string class_name(const Process& p) { return p.class_name(); }
};

ProcessState& state_of(Process& p) {
    return ProcessAccess::state(p);
}
std::string class_name_of(const Process& p) {
    return ProcessAccess::class_name(p);
}

void set_rebuilding(bool on) {
    rebuilding_process = on;
}

void require_state(const std::shared_ptr<ProcessState>& state) {
    if (!state) throw ValueError("this Process object was moved from");
}

bool freeze_support_called() {
    auto& g = globals();
    std::lock_guard lock(g.mutex);
    return g.freeze_support_called;
}

bool started_as_child_without_role() {
    static const bool marker = cmdline_has_role_marker();
    return marker && !freeze_support_called();
}

void ensure_exit_handler() {
    auto& g = globals();
    {
        std::lock_guard lock(g.mutex);
        if (g.exit_handler_registered) return;
        g.exit_handler_registered = true;
    }
    // Everything the handler uses is constructed first, so it is destroyed only after the handler ran.
    construct_singletons();
    std::atexit(exit_function_c);
}

void construct_singletons() {
    touch_util_registries();
    (void)current_process();
    (void)find_task("");
    (void)forkserver::server_pid();
    (void)get_start_method(true);
    (void)has_exception_type("");
    construct_barrier_actions();
    construct_local_queues();
    construct_struct_registry();
}

void exit_function() {
    auto& g = globals();
    {
        std::lock_guard lock(g.mutex);
        if (g.exiting) return;
        g.exiting = true;
    }
    util::run_finalizers(0);
    reap_children();
    for (const auto& child : children_snapshot()) {
        std::lock_guard lock(child->mutex);
        if (child->daemon && child->popen) child->popen->send_signal(SIGTERM);
    }
    reap_children();
    for (const auto& child : children_snapshot())
        ProcessAccess::alias(child).join();
    util::run_finalizers();
}

int bootstrap_child(Process& process, ProcessState& state, int parent_sentinel) {
    in_bootstrap = true;
    scope::adopt_identity(state.scope_session, state.scope_serial);
    int exitcode = 1;
    std::string name;
    try {
        if (state.method) force_start_method(*state.method);
        auto parent_state = std::make_shared<ProcessState>();
        parent_state->kind = ProcessKind::Parent;
        parent_state->name = state.parent_name;
        parent_state->class_name = "_ParentProcess";
        parent_state->other_pid = state.parent_pid;
        parent_state->parent_sentinel.reset(parent_sentinel);
        {
            auto& g = globals();
            std::lock_guard lock(g.mutex);
            g.next_count = 1;
            g.children.clear();
            g.current = &process;
            g.parent = ProcessAccess::make(std::move(parent_state));
            g.exiting = false;
        }
        replace_stdin_with_devnull();
        clear_finalizers_in_child();
        run_after_fork_hooks();
        name = process.name();
        try {
            process.run();
            exitcode = 0;
        } catch (...) {
            exit_function();
            throw;
        }
        exit_function();
    } catch (const SystemExit& e) {
        exitcode = exit_status_of(e);
    } catch (...) {
        exitcode = 1;
        std::string where = class_name_of(process) + ".run()";
        if (state.target) where += ", target " + state.target.description();
        print_uncaught(name.empty() ? process.name() : name, where);
    }
    in_bootstrap = false;
    flush_std_streams();
    scope::exiting(exitcode);
    return exitcode;
}

void reset_after_fork_in_child(ProcessState& state) {
    auto& g = globals();
    std::construct_at(&g.mutex);
    std::construct_at(&state.mutex);
    tasks_reset_after_fork();
    util_reset_after_fork();
    exec_reset_after_fork();
    context_reset_after_fork();
    forkserver_reset_after_fork();
    scope::reset_after_fork();
}

std::string py_repr(const std::string& text) {
    return Object(text).repr();
}

Object to_args_tuple(Object args) {
    switch (args.kind()) {
    case ObjectKind::Tuple:
        return args;
    case ObjectKind::List:
        return Object::tuple(std::move(args.items()));
    case ObjectKind::Set:
    case ObjectKind::FrozenSet: {
        std::vector<Object> items;
        for (const auto& item : args.as_set())
            items.push_back(item);
        return Object::tuple(std::move(items));
    }
    case ObjectKind::Dict: {
        std::vector<Object> keys;
        for (const auto& [k, v] : args.as_dict())
            keys.push_back(k);
        return Object::tuple(std::move(keys));
    }
    case ObjectKind::Bytes:
    case ObjectKind::ByteArray: {
        std::vector<Object> items;
        for (unsigned char c : args.as_bytes())
            items.emplace_back(static_cast<int>(c));
        return Object::tuple(std::move(items));
    }
    case ObjectKind::Str: {
        // tuple('abc') == ('a', 'b', 'c'): one item per UTF-8 encoded code point.
        std::vector<Object> items;
        const std::string& s = args.as_str();
        for (std::size_t i = 0; i < s.size();) {
            std::size_t len = 1;
            auto c = static_cast<unsigned char>(s[i]);
            if (c >= 0xf0)
                len = 4;
            else if (c >= 0xe0)
                len = 3;
            else if (c >= 0xc0)
                len = 2;
            items.emplace_back(s.substr(i, len));
            i += len;
        }
        return Object::tuple(std::move(items));
    }
    default:
        throw TypeError("'" + args.type_name() + "' object is not iterable");
    }
}

Object to_kwargs_dict(Object kwargs) {
    if (kwargs.is_dict()) return kwargs;
    throw TypeError("'" + kwargs.type_name() + "' object is not iterable");
}

} // namespace detail

using detail::globals;
using detail::ProcessKind;
using detail::ProcessState;

Process::Process()
    : Process(ProcessOptions{}) {}

Process::Process(Target target, Object args, Object kwargs, std::optional<std::string> name,
                 std::optional<bool> daemon)
    : Process(ProcessOptions{Object(), std::move(target), std::move(name), std::move(args), std::move(kwargs),
                             daemon}) {}

Process::Process(ProcessOptions options)
    : state_(std::make_shared<ProcessState>()) {
    if (!options.group.is_none()) throw AssertionError("group argument must be None for now");
    if (detail::rebuilding_process) return; // a spawn child fills the state from the payload
    Process& creator = current_process();
    int count;
    {
        auto& g = globals();
        std::lock_guard lock(g.mutex);
        count = g.next_count++;
    }
    std::string creator_name = creator.name();
    {
        std::lock_guard lock(creator.state_->mutex);
        state_->identity = creator.state_->identity;
        state_->daemon = creator.state_->daemon;
        state_->authkey = creator.state_->authkey;
    }
    state_->identity.push_back(count);
    state_->parent_pid = static_cast<int>(::getpid());
    state_->parent_name = std::move(creator_name);
    state_->target = std::move(options.target);
    state_->args = detail::to_args_tuple(std::move(options.args));
    state_->kwargs = detail::to_kwargs_dict(std::move(options.kwargs));
    if (options.name) state_->name = std::move(options.name);
    if (options.daemon) state_->daemon = *options.daemon;
}

Process::Process(const Context& context, ProcessOptions options)
    : Process(std::move(options)) {
    state_->method = context.start_method();
    state_->context_class = context.process_class_name();
}

Process::Process(FromState, std::shared_ptr<detail::ProcessState> state)
    : state_(std::move(state)) {}

Process::Process(Process&&) noexcept = default;
Process& Process::operator=(Process&&) noexcept = default;
Process::~Process() = default;

void Process::run() {
    detail::require_state(state_);
    Target target;
    Object args;
    Object kwargs;
    {
        std::lock_guard lock(state_->mutex);
        target = state_->target;
        args = state_->args;
        kwargs = state_->kwargs;
    }
    if (target) target(args, kwargs);
}

std::string Process::class_name() const {
    detail::require_state(state_);
    auto& s = *state_;
    {
        std::lock_guard lock(s.mutex);
        if (!s.class_name.empty()) return s.class_name;
    }
    std::string cls;
    if (typeid(*this) == typeid(Process)) {
        std::lock_guard lock(s.mutex);
        cls = s.kind == ProcessKind::Main     ? "_MainProcess"
              : s.kind == ProcessKind::Parent ? "_ParentProcess"
                                              : s.context_class;
    } else {
        cls = detail::process_class_name(typeid(*this))
                  .value_or(detail::unregistered_class_name(typeid(*this)));
    }
    std::lock_guard lock(s.mutex);
    if (s.class_name.empty()) s.class_name = cls;
    return s.class_name;
}

std::string Process::name() const {
    detail::require_state(state_);
    auto& s = *state_;
    {
        std::lock_guard lock(s.mutex);
        if (s.name) return *s.name;
    }
    std::string cls = class_name();
    std::lock_guard lock(s.mutex);
    if (!s.name) s.name = cls + "-" + detail::join_identity(s.identity);
    return *s.name;
}

void Process::set_name(const Object& name) {
    detail::require_state(state_);
    if (!name.is_str()) throw AssertionError("name must be a string");
    std::lock_guard lock(state_->mutex);
    state_->name = name.as_str();
}

bool Process::daemon() const {
    detail::require_state(state_);
    std::lock_guard lock(state_->mutex);
    return state_->daemon;
}

void Process::set_daemon(bool daemonic) {
    detail::require_state(state_);
    std::lock_guard lock(state_->mutex);
    if (state_->popen || state_->starting) throw AssertionError("process has already started");
    state_->daemon = daemonic;
}

std::string Process::authkey() const {
    detail::require_state(state_);
    std::lock_guard lock(state_->mutex);
    return state_->authkey;
}

void Process::set_authkey(std::string key) {
    detail::require_state(state_);
    std::lock_guard lock(state_->mutex);
    state_->authkey = std::move(key);
}

std::vector<int> Process::identity() const {
    detail::require_state(state_);
    std::lock_guard lock(state_->mutex);
    return state_->identity;
}

Object Process::get_state() const {
    return Object();
}
void Process::set_state(const Object&) {}

void Process::start() {
    detail::require_state(state_);
    auto& s = *state_;
    {
        std::lock_guard lock(s.mutex);
        if (s.closed) throw ValueError("process object is closed");
        if (s.popen || s.starting) throw AssertionError("cannot start a process twice");
        if (s.parent_pid != static_cast<int>(::getpid()))
            throw AssertionError("can only start a process object created by current process");
    }
    if (current_process().daemon())
        throw AssertionError("daemonic processes are not allowed to have children");
    if (detail::started_as_child_without_role())
        throw RuntimeError(
            "An attempt has been made to start a new process before the current process has finished its "
            "bootstrapping phase. This program was started as a spawn child or forkserver, but main() did "
            "not call mp::freeze_support(argc, argv) as its first statement.");
    detail::reap_children();
    // Fix the name while the dynamic type is known (children and repr need it).
    (void)name();
    std::string method = s.method ? *s.method : detail::resolve_start_method();
    {
        std::lock_guard lock(s.mutex);
        detail::check_handles(s.args, method);
        detail::check_handles(s.kwargs, method);
    }
    detail::ensure_exit_handler();
    const std::string child_name = name();
    const std::string run_by = class_name() + ".run()";
    {
        std::lock_guard lock(s.mutex);
        if (s.popen || s.starting) throw AssertionError("cannot start a process twice");
        s.starting = true;
        s.scope_serial = detail::scope::register_child(child_name, method,
                                                       s.target ? s.target.description() : run_by, s.daemon);
        if (auto* session = detail::scope::session()) s.scope_session = session->name();
    }
    std::unique_ptr<detail::Popen> popen;
    try {
        if (method == "fork")
            popen = detail::launch_fork(*this, s);
        else if (method == "spawn")
            popen = detail::launch_spawn(*this, s);
        else
            popen = detail::launch_forkserver(*this, s);
    } catch (...) {
        std::lock_guard lock(s.mutex);
        s.starting = false;
        detail::scope::child_launch_failed(s.scope_serial);
        throw;
    }
    popen->scope_serial = s.scope_serial;
    detail::scope::child_launched(s.scope_serial, static_cast<int>(popen->pid));
    {
        std::lock_guard lock(s.mutex);
        s.popen = std::move(popen);
        s.starting = false;
        // Python drops its references to the target and arguments once the child has them.
        s.target = Target();
        s.args = Object::tuple();
        s.kwargs = Object::dict();
    }
    auto& g = globals();
    std::lock_guard lock(g.mutex);
    g.children.push_back(state_);
}

void Process::join(std::optional<double> timeout) {
    detail::require_state(state_);
    auto& s = *state_;
    if (s.kind == ProcessKind::Parent) {
        {
            std::lock_guard lock(s.mutex);
            if (s.closed) throw ValueError("process object is closed");
        }
        detail::wait_readable(s.parent_sentinel.get(), timeout);
        return;
    }
    std::shared_ptr<detail::Popen> popen;
    {
        std::lock_guard lock(s.mutex);
        if (s.closed) throw ValueError("process object is closed");
        if (s.parent_pid != static_cast<int>(::getpid()))
            throw AssertionError("can only join a child process");
        if (!s.popen) throw AssertionError("can only join a started process");
        if (!s.popen->returncode) popen = std::shared_ptr<detail::Popen>(state_, s.popen.get());
    }
    if (popen) {
        detail::scope::WaitScope waiting(detail::scope::Op::Join, 0, popen->scope_serial,
                                         detail::deadline_after(timeout));
        // Like Python: a timeout waits on the sentinel, no timeout waits for the process itself.
        if (timeout && !detail::wait_readable(popen->sentinel.get(), timeout)) return;
        popen->wait_until_done();
        std::lock_guard lock(s.mutex);
        if (s.popen) s.popen->poll();
    }
    bool ended;
    {
        std::lock_guard lock(s.mutex);
        ended = s.popen && s.popen->returncode.has_value();
    }
    if (ended) detail::remove_child(state_);
}

bool Process::is_alive() const {
    detail::require_state(state_);
    auto& s = *state_;
    if (s.kind == ProcessKind::Parent) {
        {
            std::lock_guard lock(s.mutex);
            if (s.closed) throw ValueError("process object is closed");
        }
        return !detail::wait_readable(s.parent_sentinel.get(), 0.0);
    }
    {
        std::lock_guard lock(s.mutex);
        if (s.closed) throw ValueError("process object is closed");
    }
    if (current_process().state_ == state_) return true;
    {
        std::lock_guard lock(s.mutex);
        if (s.parent_pid != static_cast<int>(::getpid()))
            throw AssertionError("can only test a child process");
        if (!s.popen) return false;
        if (!s.popen->poll()) return true;
    }
    detail::remove_child(state_);
    return false;
}

std::optional<int> Process::exitcode() const {
    detail::require_state(state_);
    std::lock_guard lock(state_->mutex);
    if (state_->closed) throw ValueError("process object is closed");
    if (!state_->popen) return std::nullopt;
    return state_->popen->poll();
}

std::optional<int> Process::pid() const {
    detail::require_state(state_);
    {
        std::lock_guard lock(state_->mutex);
        if (state_->closed) throw ValueError("process object is closed");
        if (state_->kind == ProcessKind::Parent) return state_->other_pid;
    }
    if (current_process().state_ == state_) return static_cast<int>(::getpid());
    std::lock_guard lock(state_->mutex);
    if (!state_->popen) return std::nullopt;
    return static_cast<int>(state_->popen->pid);
}

int Process::sentinel() const {
    detail::require_state(state_);
    std::lock_guard lock(state_->mutex);
    if (state_->closed) throw ValueError("process object is closed");
    if (state_->kind == ProcessKind::Parent) return state_->parent_sentinel.get();
    if (!state_->popen) throw ValueError("process not started");
    return state_->popen->sentinel.get();
}

void Process::terminate() {
    detail::require_state(state_);
    std::lock_guard lock(state_->mutex);
    if (state_->closed) throw ValueError("process object is closed");
    if (!state_->popen) throw AttributeError("'NoneType' object has no attribute 'terminate'");
    state_->popen->send_signal(SIGTERM);
}

void Process::kill() {
    detail::require_state(state_);
    std::lock_guard lock(state_->mutex);
    if (state_->closed) throw ValueError("process object is closed");
    if (!state_->popen) throw AttributeError("'NoneType' object has no attribute 'kill'");
    state_->popen->send_signal(SIGKILL);
}

void Process::close() {
    detail::require_state(state_);
    auto& s = *state_;
    if (s.kind == ProcessKind::Main) return; // Python's _MainProcess.close() does nothing
    {
        std::lock_guard lock(s.mutex);
        if (s.popen) {
            if (!s.popen->poll())
                throw ValueError("Cannot close a process while it is still running. You should first call "
                                 "join() or terminate().");
            s.popen.reset(); // closes the sentinel and the child's parent-sentinel write end
        }
        s.closed = true;
    }
    detail::remove_child(state_);
}

std::string Process::repr() const {
    detail::require_state(state_);
    auto& s = *state_;
    const std::string cls = class_name();
    const std::string nm = name();
    const bool is_current = current_process().state_ == state_;
    std::lock_guard lock(s.mutex);
    std::string status;
    std::optional<int> code;
    if (is_current)
        status = "started";
    else if (s.closed)
        status = "closed";
    else if (s.parent_pid != static_cast<int>(::getpid()))
        status = "unknown";
    else if (!s.popen)
        status = "initial";
    else {
        code = s.popen->poll();
        status = code ? "stopped" : "started";
    }
    std::string out = "<" + cls + " name=" + detail::py_repr(nm);
    if (s.popen) out += " pid=" + std::to_string(s.popen->pid);
    out += " parent=" + (s.parent_pid ? std::to_string(*s.parent_pid) : std::string("None"));
    out += " " + status;
    if (code) out += " exitcode=" + detail::exitcode_to_name(*code);
    if (s.daemon) out += " daemon";
    return out + ">";
}

Process& current_process() {
    auto& g = globals();
    std::lock_guard lock(g.mutex);
    if (!g.current) {
        auto st = std::make_shared<ProcessState>();
        st->kind = ProcessKind::Main;
        st->name = "MainProcess";
        st->class_name = "_MainProcess";
        st->authkey = detail::random_authkey();
        g.main_process = detail::ProcessAccess::make(std::move(st));
        g.current = g.main_process.get();
    }
    return *g.current;
}

Process* parent_process() {
    auto& g = globals();
    std::lock_guard lock(g.mutex);
    return g.parent.get();
}

std::vector<Process> active_children() {
    detail::reap_children();
    std::vector<Process> out;
    for (auto& child : detail::children_snapshot())
        out.push_back(detail::ProcessAccess::alias(std::move(child)));
    return out;
}

int cpu_count() {
    long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) throw NotImplementedError("cannot determine number of cpus");
    return static_cast<int>(n);
}

namespace {

[[noreturn]] void exit_with(std::variant<std::monostate, std::int64_t, std::string> code) {
    if (detail::in_bootstrap) throw SystemExit(std::move(code));
    int status = detail::exit_status_of(SystemExit(std::move(code)));
    detail::flush_std_streams();
    bool in_child;
    {
        auto& g = globals();
        std::lock_guard lock(g.mutex);
        in_child = g.parent != nullptr;
    }
    if (in_child) {
        // Another thread of a child: finish the child the way its bootstrap would.
        detail::exit_function();
        detail::flush_std_streams();
        ::_exit(status);
    }
    detail::main_exit_status = status;
    std::exit(status);
}

} // namespace

void exit() {
    exit_with(std::monostate{});
}
void exit(std::int64_t code) {
    exit_with(code);
}
void exit(std::string_view message) {
    exit_with(std::string(message));
}

void freeze_support(int argc, char** argv) {
    {
        auto& g = globals();
        std::lock_guard lock(g.mutex);
        g.freeze_support_called = true;
    }
    if (argc > 0) detail::remember_argv0(argv[0]);
    if (argc < 2) return;
    std::string_view role(argv[1]);
    if (role == "--multiprocessing-fork") {
        std::optional<int> pipe_handle;
        for (int i = 2; i < argc; ++i)
            if (auto v = detail::parse_int_option(argv[i], "pipe_handle")) pipe_handle = v;
        if (!pipe_handle) {
            std::cerr << "spawn child: missing pipe_handle=<fd> argument" << std::endl;
            ::_exit(2);
        }
        if (!detail::fd_is_open(*pipe_handle)) {
            std::cerr << "spawn child: pipe_handle " << *pipe_handle << " is not an open descriptor"
                      << std::endl;
            ::_exit(2);
        }
        detail::set_cloexec(*pipe_handle, true); // grandchildren must not inherit it
        int code = detail::run_child_from_pipe(*pipe_handle, {});
        detail::flush_std_streams();
        ::_exit(code);
    }
    if (role == "--multiprocessing-forkserver") {
        std::optional<int> listener, alive;
        for (int i = 2; i < argc; ++i) {
            if (auto v = detail::parse_int_option(argv[i], "listener_fd")) listener = v;
            if (auto v = detail::parse_int_option(argv[i], "alive_r")) alive = v;
        }
        if (!listener || !alive) {
            std::cerr << "forkserver: missing listener_fd=<fd> or alive_r=<fd> argument" << std::endl;
            ::_exit(2);
        }
        detail::forkserver_main(*listener, *alive);
    }
}

} // namespace mp
