#pragma once
// Internal interfaces between the pieces of the process unit: the launchers of the three start methods,
// the child-side entry points, the forkserver, and per-process state that fork children must reset.
#include "process_fd.hpp"

#include "mp/object.hpp"
#include "mp/process.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <typeinfo>
#include <vector>

namespace mp::detail {

// A launched child, as seen by its parent (Python's Popen objects).
class Popen {
public:
    virtual ~Popen() = default;
    const char* method = "";
    pid_t pid = 0;
    std::uint32_t scope_serial = 0; // the child's row in the session's process table
    UniqueFd sentinel;              // readable once the child has ended
    UniqueFd keep_alive;            // write end whose EOF tells the child its parent is gone
    std::optional<int> returncode;

    // Non-blocking status check; sets returncode when the child has ended. Caller holds the state lock.
    virtual std::optional<int> poll() = 0;
    // Sets returncode once and tells the observation plane how the child ended.
    void set_returncode(int code);
    // Blocks until poll() can report the end of the child. Called without the state lock.
    virtual void wait_until_done() = 0;
    // SIGTERM / SIGKILL unless the child is known to have ended.
    void send_signal(int sig);
};

// A child of this process (fork and spawn): waitpid gives its status.
class DirectChildPopen : public Popen {
public:
    std::optional<int> poll() override;
    void wait_until_done() override;
};

// A child forked by the forkserver: the server writes its status to the sentinel pipe.
class ForkServerPopen : public Popen {
public:
    std::optional<int> poll() override;
    void wait_until_done() override;
};

enum class ProcessKind { Child, Main, Parent };

struct ProcessState {
    mutable std::mutex mutex;
    ProcessKind kind = ProcessKind::Child;
    std::vector<int> identity;
    std::optional<std::string> name; // explicit, or computed on first use from the class name
    std::string class_name;          // type(self).__name__, fixed on first use
    std::string context_class = "Process";
    std::optional<std::string> method; // set for processes of a concrete context
    bool daemon = false;
    std::string authkey;
    std::optional<int> parent_pid; // the process that created this object
    std::string parent_name;       // its name (a child's parent_process().name)
    Target target;
    Object args;
    Object kwargs;
    bool starting = false;
    bool closed = false;
    std::unique_ptr<Popen> popen;
    // Kind Parent: the parent's pid and the sentinel that turns readable when it is gone.
    std::optional<int> other_pid;
    UniqueFd parent_sentinel;
    // Observation plane: the session and this process's row in it (set by the parent before start).
    std::string scope_session;
    std::uint32_t scope_serial = 0;
};

// Spawn/forkserver payload: what the parent writes to the child's data pipe.
std::string encode_child_payload(Process& process, ProcessState& state, const std::vector<int>& passed_fds,
                                 const Object& subclass_state);
// Runs the registered handle checks (register_handle_check) over the Handles inside `object`.
void check_handles(const Object& object, std::string_view method);
// Every fd referenced by a Handle inside `object`, in first-seen order.
void collect_handle_fds(const Object& object, std::vector<int>& fds);

// Launchers, one per start method. They return the Popen for the started child.
std::unique_ptr<Popen> launch_fork(Process& process, ProcessState& state);
std::unique_ptr<Popen> launch_spawn(Process& process, ProcessState& state);
std::unique_ptr<Popen> launch_forkserver(Process& process, ProcessState& state);

// Runs a child from its data pipe (spawn role, forkserver children): reads the payload, rebuilds the
// Process, runs it, returns the exit status. received_fds: the forkserver's extra fds, in order.
int run_child_from_pipe(int data_fd, const std::vector<int>& received_fds);

// The child side of the common bootstrap (SPEC §2 order). Returns the exit status.
int bootstrap_child(Process& process, ProcessState& state, int parent_sentinel);

// Forkserver: server loop (never returns), client connection, and state that fork children drop.
struct ForkServerChannel {
    UniqueFd sentinel; // parent_r: pid, then exit status
    UniqueFd data;     // parent_w: payload for the child
};
ForkServerChannel forkserver_connect(const std::vector<int>& extra_fds);
[[noreturn]] void forkserver_main(int listener_fd, int alive_r);
void forkserver_reset_after_fork();
void keep_forkserver_alive_fd(int fd);

// The Python default start method machinery (context.cpp).
std::string resolve_start_method(); // get_start_method(), fixing the default
void force_start_method(const std::string& method);
void context_reset_after_fork();

// Exit sequence (SPEC §3) and its registration with atexit in the main process.
void exit_function();
void ensure_exit_handler();
// Makes libmpcore's lazily constructed singletons now, on this thread, before the first fork. A singleton
// first made on one thread while another forks leaves the child with glibc's atexit lock (taken to register
// the singleton's destructor) or the singleton's init guard held for ever: the child hangs at its own next
// static, as a Pool worker forked while the main thread raised its first WorkerLostError did.
void construct_singletons();
// Set on a thread whose mp::exit() throws SystemExit rather than ending the program: a child's bootstrap,
// and every mp::dummy thread (Python's sys.exit() in a thread ends only that thread).
extern thread_local bool in_bootstrap;

// Registry resets for fork children: another thread of the parent may have held their locks.
void tasks_reset_after_fork();
void util_reset_after_fork();
void exec_reset_after_fork();
void clear_finalizers_in_child();
void run_after_fork_hooks();
void touch_util_registries();
// Each constructs its file's lazily made singleton (see construct_singletons()).
void construct_barrier_actions();
void construct_local_queues();
void construct_struct_registry();
std::string inherited_temp_dir();
void adopt_temp_dir(std::string path);

// Registered Process subclasses.
std::optional<std::string> process_class_name(const std::type_info& type);
std::unique_ptr<Process> make_registered_process(const std::string& name); // nullptr if unknown

// The freeze_support() bookkeeping.
bool freeze_support_called();
bool started_as_child_without_role();

// Access to Process internals for the launchers and the child side.
ProcessState& state_of(Process& p);
std::string class_name_of(const Process& p);
void set_rebuilding(bool on);
void require_state(const std::shared_ptr<ProcessState>& state);
void reset_after_fork_in_child(ProcessState& state);
std::string unregistered_class_name(const std::type_info& type);
Object to_args_tuple(Object args);
Object to_kwargs_dict(Object kwargs);

// Python's repr of a str.
std::string py_repr(const std::string& text);

} // namespace mp::detail
