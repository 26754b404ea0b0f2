// The three start methods (SPEC §1, §14) from the parent's side, the payload spawn and forkserver
// children receive, and the child side that rebuilds the Process from it.
#include "process_exec.hpp"
#include "process_internal.hpp"
#include "resource_tracker.hpp"
#include "scope_writer.hpp"

#include "mp/context.hpp"
#include "mp/errors.hpp"
#include "mp/pickle.hpp"
#include "mp/process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <map>
#include <sys/wait.h>
#include <unistd.h>

namespace mp::detail {

// ---- Popen -------------------------------------------------------------------------------------------

void Popen::set_returncode(int code) {
    if (returncode) return;
    returncode = code;
    scope::process_ended(scope_serial, code);
}

void Popen::send_signal(int sig) {
    if (returncode || poll()) return;
    if (::kill(pid, sig) != 0 && errno != ESRCH) throw_errno("kill");
}

std::optional<int> DirectChildPopen::poll() {
    if (returncode) return returncode;
    int status = 0;
    pid_t r;
    while ((r = ::waitpid(pid, &status, WNOHANG)) < 0 && errno == EINTR) {
    }
    if (r == pid) set_returncode(exitcode_from_status(status));
    return returncode;
}

void DirectChildPopen::wait_until_done() {
    // WNOWAIT leaves the zombie for poll(), which reaps it under the state lock.
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
}

std::optional<int> ForkServerPopen::poll() {
    if (returncode) return returncode;
    if (!wait_readable(sentinel.get(), 0.0)) return std::nullopt;
    // EOF instead of a status: the server died, so the status is unknowable (Python reports 255).
    auto status = read_signed(sentinel.get());
    set_returncode(status ? static_cast<int>(*status) : 255);
    return returncode;
}

void ForkServerPopen::wait_until_done() {
    wait_readable(sentinel.get(), std::nullopt);
}

// ---- handles in arguments ----------------------------------------------------------------------------

void collect_handle_fds(const Object& object, std::vector<int>& fds) {
    switch (object.kind()) {
    case ObjectKind::Handle:
        for (int fd : object.as_handle().fds)
            if (std::find(fds.begin(), fds.end(), fd) == fds.end()) fds.push_back(fd);
        break;
    case ObjectKind::List:
    case ObjectKind::Tuple:
        for (const auto& item : object.items())
            collect_handle_fds(item, fds);
        break;
    case ObjectKind::Dict:
        for (const auto& [k, v] : object.as_dict())
            collect_handle_fds(v, fds);
        break;
    default:
        break;
    }
}

namespace {

void rewrite_handle_fds(Object& object, const std::map<int, int>& fd_map) {
    switch (object.kind()) {
    case ObjectKind::Handle:
        for (int& fd : object.as_handle().fds)
            if (auto it = fd_map.find(fd); it != fd_map.end()) fd = it->second;
        break;
    case ObjectKind::List:
    case ObjectKind::Tuple:
        for (auto& item : object.items())
            rewrite_handle_fds(item, fd_map);
        break;
    case ObjectKind::Dict: {
        std::vector<Object> keys;
        for (const auto& [k, v] : object.as_dict())
            keys.push_back(k);
        for (const auto& k : keys)
            rewrite_handle_fds(*object.as_dict().find(k), fd_map);
        break;
    }
    default:
        break;
    }
}

std::string frame(const std::string& blob) {
    std::uint64_t size = blob.size();
    std::string out(reinterpret_cast<const char*>(&size), sizeof size);
    return out + blob;
}

bool read_frame(int fd, std::string& out) {
    std::uint64_t size = 0;
    if (read_exact(fd, reinterpret_cast<char*>(&size), sizeof size) != sizeof size) return false;
    out.resize(size);
    return read_exact(fd, out.data(), size) == size;
}

std::string current_directory() {
    std::vector<char> buf(4096);
    while (!::getcwd(buf.data(), buf.size())) {
        if (errno != ERANGE) throw_errno("getcwd");
        buf.resize(buf.size() * 2);
    }
    return buf.data();
}

Object identity_tuple(const std::vector<int>& identity) {
    std::vector<Object> items(identity.begin(), identity.end());
    return Object::tuple(std::move(items));
}

struct RebuildGuard {
    RebuildGuard() { set_rebuilding(true); }
    ~RebuildGuard() { set_rebuilding(false); }
    RebuildGuard(const RebuildGuard&) = delete;
    RebuildGuard& operator=(const RebuildGuard&) = delete;
};

const Object& field(const Dict& d, const char* key) {
    return d.at(Object(key));
}

void check_spawnable() {
    if (executable_is_self() && !freeze_support_called())
        throw RuntimeError(
            "the spawn and forkserver start methods re-execute this program, but main() did not "
            "call mp::freeze_support(argc, argv) first; add it as the first statement of main()");
}

std::vector<int> handle_fds_of(Process& process, const ProcessState& state, Object& subclass_state) {
    std::vector<int> fds;
    collect_handle_fds(state.args, fds);
    collect_handle_fds(state.kwargs, fds);
    subclass_state = process.get_state();
    check_handles(subclass_state, state.method.value_or(resolve_start_method()));
    collect_handle_fds(subclass_state, fds);
    return fds;
}

} // namespace

// ---- payload -----------------------------------------------------------------------------------------

std::string encode_child_payload(Process& process, ProcessState& state, const std::vector<int>& passed_fds,
                                 const Object& subclass_state) {
    const std::string cls = class_name_of(process);
    Object class_field;
    if (typeid(process) != typeid(Process)) {
        auto registered = process_class_name(typeid(process));
        if (!registered)
            throw PicklingError("Can't pickle <class '" + cls +
                                "'>: spawn and forkserver children rebuild "
                                "Process subclasses by name; register it with MP_PROCESS_CLASS(" +
                                cls + ")");
        class_field = *registered;
    }
    Object prep = Object::dict();
    Object proc = Object::dict();
    {
        std::lock_guard lock(state.mutex);
        Object target_field;
        if (state.target) {
            auto task = state.target.task_name();
            if (!task) {
                std::string what = state.target.description();
                std::string fix = what == "<lambda>" || what == "function" ? "f" : what;
                throw PicklingError("Can't pickle " + what +
                                    ": spawn and forkserver children find their target "
                                    "by name; register it with MP_TASK(" +
                                    fix + ")");
            }
            target_field = *task;
        }
        Dict& p = proc.as_dict();
        p.set("class", class_field);
        p.set("class_name", cls);
        p.set("target", target_field);
        p.set("args", state.args);
        p.set("kwargs", state.kwargs);
        p.set("name", state.name.value_or(cls));
        p.set("identity", identity_tuple(state.identity));
        p.set("daemon", state.daemon);
        p.set("authkey", Object::bytes(state.authkey));
        p.set("parent_pid", state.parent_pid ? Object(*state.parent_pid) : Object());
        p.set("parent_name", state.parent_name);
        p.set("start_method", state.method ? Object(*state.method) : Object());
        p.set("context_class", state.context_class);
        p.set("state", subclass_state);
        p.set("scope_session", state.scope_session);
        p.set("scope_serial", static_cast<std::int64_t>(state.scope_serial));
        std::vector<Object> fds(passed_fds.begin(), passed_fds.end());
        p.set("fds", Object::list(std::move(fds)));
    }
    Dict& d = prep.as_dict();
    d.set("authkey", Object::bytes(current_process().authkey()));
    d.set("start_method", resolve_start_method());
    d.set("dir", current_directory());
    std::string tempdir = inherited_temp_dir();
    d.set("tempdir", tempdir.empty() ? Object() : Object(tempdir));
    // The session's resource tracker: the child holds its pipe for its whole life (SPEC §14).
    const int tracker_fd = resource_tracker::fd();
    d.set("tracker_fd", tracker_fd >= 0 ? Object(tracker_fd) : Object());
    return frame(pickle::dumps(prep)) + frame(pickle::dumps(proc));
}

int run_child_from_pipe(int data_fd, const std::vector<int>& received_fds) {
    std::string prep_bytes, proc_bytes;
    try {
        if (!read_frame(data_fd, prep_bytes) || !read_frame(data_fd, proc_bytes)) {
            std::cerr << "child process: the parent closed the data pipe before sending the process"
                      << std::endl;
            return 1;
        }
    } catch (const std::exception& e) {
        std::cerr << "child process: reading the process from the parent failed: " << e.what() << std::endl;
        return 1;
    }
    std::unique_ptr<Process> process;
    try {
        Object prep = pickle::loads(prep_bytes);
        const Dict& pd = prep.as_dict();
        const std::string& dir = field(pd, "dir").as_str();
        if (::chdir(dir.c_str()) != 0) throw_errno("chdir " + dir);
        force_start_method(field(pd, "start_method").as_str());
        if (const Object& t = field(pd, "tempdir"); t.is_str()) adopt_temp_dir(t.as_str());
        current_process().set_authkey(field(pd, "authkey").as_bytes());
        // Spawn: the tracker's write end was kept open across exec under the parent's number.
        if (const Object& t = field(pd, "tracker_fd"); received_fds.empty() && t.is_int())
            if (int fd = static_cast<int>(t.as_int()); fd_is_open(fd)) resource_tracker::adopt(fd);

        Object proc = pickle::loads(proc_bytes);
        Dict& d = proc.as_dict();
        Object args = d.at(Object("args"));
        Object kwargs = d.at(Object("kwargs"));
        Object subclass_state = d.at(Object("state"));
        if (!received_fds.empty()) {
            // Forkserver: [alive_w, tracker_fd if any, *extra]; the extras arrive as new numbers, so
            // handles are rewritten.
            keep_forkserver_alive_fd(received_fds[0]);
            const auto& parent_fds = field(d, "fds").items();
            const std::size_t first_extra = received_fds.size() == parent_fds.size() + 2 ? 2 : 1;
            if (received_fds.size() != parent_fds.size() + first_extra)
                throw RuntimeError("forkserver child received " + std::to_string(received_fds.size() - 1) +
                                   " fds, expected " + std::to_string(parent_fds.size()));
            if (first_extra == 2) resource_tracker::adopt(received_fds[1]);
            std::map<int, int> fd_map;
            for (std::size_t i = 0; i < parent_fds.size(); ++i)
                fd_map[static_cast<int>(parent_fds[i].as_int())] = received_fds[i + first_extra];
            rewrite_handle_fds(args, fd_map);
            rewrite_handle_fds(kwargs, fd_map);
            rewrite_handle_fds(subclass_state, fd_map);
        }
        Target target;
        if (const Object& t = field(d, "target"); t.is_str()) {
            if (!find_task(t.as_str()))
                throw AttributeError("Can't get task '" + t.as_str() +
                                     "' in this program: register it with MP_TASK(" + t.as_str() + ")");
            target = Target::task(t.as_str());
        }
        {
            RebuildGuard rebuilding;
            if (const Object& c = field(d, "class"); c.is_str()) {
                process = make_registered_process(c.as_str());
                if (!process)
                    throw AttributeError("Can't get Process class '" + c.as_str() +
                                         "' in this program: register it with MP_PROCESS_CLASS(" +
                                         c.as_str() + ")");
            } else {
                process = std::make_unique<Process>();
            }
        }
        ProcessState& s = state_of(*process);
        s.kind = ProcessKind::Child;
        s.class_name = field(d, "class_name").as_str();
        s.name = field(d, "name").as_str();
        for (const auto& n : field(d, "identity").items())
            s.identity.push_back(static_cast<int>(n.as_int()));
        s.daemon = field(d, "daemon").as_bool();
        s.authkey = field(d, "authkey").as_bytes();
        if (const Object& pp = field(d, "parent_pid"); pp.is_int())
            s.parent_pid = static_cast<int>(pp.as_int());
        s.parent_name = field(d, "parent_name").as_str();
        if (const Object& m = field(d, "start_method"); m.is_str()) s.method = m.as_str();
        s.context_class = field(d, "context_class").as_str();
        s.scope_session = field(d, "scope_session").as_str();
        s.scope_serial = static_cast<std::uint32_t>(field(d, "scope_serial").as_int());
        s.target = std::move(target);
        s.args = std::move(args);
        s.kwargs = std::move(kwargs);
        process->set_state(subclass_state);
    } catch (...) {
        ExceptionValue ev = ExceptionValue::current();
        std::cerr << "Traceback (most recent call last):\n  preparing the child process\n"
                  << (ev.message.empty() ? ev.type : ev.type + ": " + ev.message) << std::endl;
        return 1;
    }
    // The data pipe stays open as the parent sentinel: EOF once the parent is gone.
    return bootstrap_child(*process, state_of(*process), data_fd);
}

// ---- launchers ---------------------------------------------------------------------------------------

std::unique_ptr<Popen> launch_fork(Process& process, ProcessState& state) {
    flush_std_streams();
    PipeEnds sentinel_pipe = make_pipe(); // child holds the write end until it ends
    PipeEnds parent_pipe = make_pipe();   // parent holds the write end: the child's parent sentinel
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) {
        ::close(sentinel_pipe.read.release());
        ::close(parent_pipe.write.release());
        (void)sentinel_pipe.write.release(); // kept open for the child's whole life
        int parent_sentinel = parent_pipe.read.release();
        discard_inherited_std_buffers();
        reset_after_fork_in_child(state);
        int code = bootstrap_child(process, state, parent_sentinel);
        ::_exit(code);
    }
    auto popen = std::make_unique<DirectChildPopen>();
    popen->method = "fork";
    popen->pid = pid;
    popen->sentinel = std::move(sentinel_pipe.read);
    popen->keep_alive = std::move(parent_pipe.write);
    return popen;
}

std::unique_ptr<Popen> launch_spawn(Process& process, ProcessState& state) {
    check_spawnable();
    Object subclass_state;
    std::vector<int> fds = handle_fds_of(process, state, subclass_state);
    std::string payload = encode_child_payload(process, state, fds, subclass_state);
    PipeEnds sentinel_pipe = make_pipe();
    PipeEnds data_pipe = make_pipe();
    std::vector<std::string> argv{executable_argv0(), "--multiprocessing-fork",
                                  "pipe_handle=" + std::to_string(data_pipe.read.get())};
    std::vector<int> keep{data_pipe.read.get(), sentinel_pipe.write.get()};
    keep.insert(keep.end(), fds.begin(), fds.end());
    if (int tracker_fd = resource_tracker::fd(); tracker_fd >= 0) keep.push_back(tracker_fd);
    flush_std_streams();
    pid_t pid = spawn_executable(argv, keep);
    data_pipe.read.reset();
    sentinel_pipe.write.reset();
    auto popen = std::make_unique<DirectChildPopen>();
    popen->method = "spawn";
    popen->pid = pid;
    popen->sentinel = std::move(sentinel_pipe.read);
    try {
        write_all(data_pipe.write.get(), payload);
    } catch (...) {
        // The child died before reading its payload: reap it rather than leave a zombie.
        data_pipe.write.reset();
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        throw;
    }
    popen->keep_alive = std::move(data_pipe.write);
    return popen;
}

std::unique_ptr<Popen> launch_forkserver(Process& process, ProcessState& state) {
    check_spawnable();
    Object subclass_state;
    std::vector<int> fds = handle_fds_of(process, state, subclass_state);
    std::string payload = encode_child_payload(process, state, fds, subclass_state);
    // SPEC §14 order: the tracker's fd comes before the handles' fds.
    if (int tracker_fd = resource_tracker::fd(); tracker_fd >= 0) fds.insert(fds.begin(), tracker_fd);
    flush_std_streams();
    ForkServerChannel channel = forkserver_connect(fds);
    auto popen = std::make_unique<ForkServerPopen>();
    popen->method = "forkserver";
    write_all(channel.data.get(), payload);
    auto pid = read_signed(channel.sentinel.get());
    if (!pid) throw EOFError("unexpected EOF: the forkserver did not report the child's pid");
    popen->pid = static_cast<pid_t>(*pid);
    popen->sentinel = std::move(channel.sentinel);
    popen->keep_alive = std::move(channel.data);
    return popen;
}

} // namespace mp::detail
