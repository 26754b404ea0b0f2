#include "process_exec.hpp"

#include "process_fd.hpp"

#include "mp/errors.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mp::detail {

namespace {

struct ExecutableConfig {
    std::mutex mutex;
    std::string path = "/proc/self/exe";
    std::string argv0;
    bool is_self = true;
};

ExecutableConfig& executable_config() {
    static ExecutableConfig config;
    return config;
}

} // namespace

std::string executable_path() {
    auto& c = executable_config();
    std::lock_guard lock(c.mutex);
    return c.path;
}

std::string executable_argv0() {
    auto& c = executable_config();
    std::lock_guard lock(c.mutex);
    return c.argv0.empty() ? c.path : c.argv0;
}

bool executable_is_self() {
    auto& c = executable_config();
    std::lock_guard lock(c.mutex);
    return c.is_self;
}

void set_executable_path(std::string path) {
    auto& c = executable_config();
    std::lock_guard lock(c.mutex);
    c.is_self = path == "/proc/self/exe";
    c.argv0 = c.is_self ? c.argv0 : path;
    c.path = std::move(path);
}

void remember_argv0(const char* argv0) {
    if (!argv0) return;
    auto& c = executable_config();
    std::lock_guard lock(c.mutex);
    if (c.is_self) c.argv0 = argv0;
}

void exec_reset_after_fork() {
    std::construct_at(&executable_config().mutex);
}

pid_t spawn_executable(const std::vector<std::string>& argv, const std::vector<int>& keep_fds) {
    // Everything the child touches between vfork and exec is prepared here: it runs in this process's
    // memory, on this thread's stack, until it execs, so it makes system calls only.
    const std::string path = executable_path();
    std::vector<char*> c_argv;
    c_argv.reserve(argv.size() + 1);
    for (const auto& a : argv)
        c_argv.push_back(const_cast<char*>(a.c_str()));
    c_argv.push_back(nullptr);
    for (int fd : keep_fds)
        if (!fd_is_open(fd))
            throw SystemError(EBADF, "cannot pass fd " + std::to_string(fd) + " to the child");
    const long open_max = ::sysconf(_SC_OPEN_MAX);
    const int fd_limit = open_max > 0 && open_max < INT_MAX ? static_cast<int>(open_max) : 65536;

    // Reports a failed exec: the child writes errno here; EOF means exec succeeded (O_CLOEXEC).
    PipeEnds exec_error = make_pipe();
    const int error_fd = exec_error.write.get();

    // vfork rather than fork: nothing is copied and this thread sleeps only until the child has exec'd,
    // where fork copies the page tables and leaves every page of this process copy-on-write, both at a
    // cost that grows with its memory. No signal handler of this process may run in the child: signals
    // are blocked around the vfork, and the child puts handled ones back to the default before it
    // restores the mask for the new program.
    sigset_t all;
    sigset_t old;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, &old);
    const pid_t pid = ::vfork();
    if (pid == 0) {
        for (int sig = 1; sig < NSIG; ++sig) {
            struct sigaction action {};
            if (::sigaction(sig, nullptr, &action) != 0 || action.sa_handler == SIG_IGN ||
                action.sa_handler == SIG_DFL)
                continue;
            action.sa_handler = SIG_DFL;
            action.sa_flags = 0;
            ::sigaction(sig, &action, nullptr);
        }
        ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
        if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
            for (int fd = 3; fd < fd_limit; ++fd)
                ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        for (int fd : keep_fds)
            ::fcntl(fd, F_SETFD, 0);
        ::execv(path.c_str(), c_argv.data());
        int err = errno;
        ssize_t ignored = ::write(error_fd, &err, sizeof err);
        (void)ignored;
        ::_exit(127);
    }
    const int vfork_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0) throw_errno("vfork", vfork_errno);
    exec_error.write.reset();
    int child_errno = 0;
    std::size_t got =
        read_exact(exec_error.read.get(), reinterpret_cast<char*>(&child_errno), sizeof child_errno);
    if (got == sizeof child_errno) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        throw SystemError(child_errno, "cannot execute '" + path + "'");
    }
    return pid;
}

} // namespace mp::detail
