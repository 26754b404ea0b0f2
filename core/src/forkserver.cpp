// The forkserver start method (SPEC §14): a single-threaded server exec'd lazily from this program,
// forking children on request. A client connects over an AF_UNIX socket (mode 0600, in a private temp
// dir) and sends, in one sendmsg with a 1-byte payload len(fds) % 256, the fds [child_r, child_w,
// alive_w, *extra]. The server forks; it writes the child's pid and later its exit status (negative for
// signals) to child_w as 8-byte native-endian integers. It exits when alive_r reaches EOF, i.e. when
// every process holding alive_w (the client and the children) is gone.
#include "process_exec.hpp"
#include "process_internal.hpp"

#include "mp/errors.hpp"
#include "mp/util.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <poll.h>
#include <random>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mp::detail {

namespace {

constexpr std::size_t max_fds_to_send = 256;

struct ForkServerClient {
    std::mutex mutex;
    pid_t server_pid = 0;
    pid_t owner = 0; // the process that started the server (fork children must not use it)
    std::string address;
    UniqueFd alive_w;
};

ForkServerClient& client() {
    static ForkServerClient instance;
    return instance;
}

// Held by a forkserver child for its lifetime so the server outlives it and can report its status.
UniqueFd& inherited_alive_fd() {
    static UniqueFd fd;
    return fd;
}

std::string random_suffix() {
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
    std::array<unsigned char, 8> raw{};
    if (::getrandom(raw.data(), raw.size(), 0) != static_cast<ssize_t>(raw.size())) throw_errno("getrandom");
    std::string out;
    for (unsigned char c : raw)
        out.push_back(alphabet[c % (sizeof alphabet - 1)]);
    return out;
}

sockaddr_un unix_address(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) throw OSError("AF_UNIX path too long: " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return addr;
}

void stop_server_locked(ForkServerClient& c) {
    c.alive_w.reset();
    if (!c.address.empty()) ::unlink(c.address.c_str());
    c.address.clear();
    c.server_pid = 0;
    c.owner = 0;
}

void ensure_running_locked(ForkServerClient& c) {
    if (c.server_pid > 0 && c.owner == ::getpid()) {
        int status = 0;
        pid_t r;
        while ((r = ::waitpid(c.server_pid, &status, WNOHANG)) < 0 && errno == EINTR) {
        }
        if (r == 0) return; // still running
        // Dead (reaped now) or not ours any more: start a new one transparently.
        stop_server_locked(c);
    }
    if (c.owner != ::getpid()) {
        // An inherited copy from our parent (fork): its server is not ours to use.
        c.alive_w.reset();
        c.address.clear();
        c.server_pid = 0;
    }
    if (executable_is_self() && !freeze_support_called())
        throw RuntimeError("the forkserver start method re-executes this program, but main() did not call "
                           "mp::freeze_support(argc, argv) first; add it as the first statement of main()");

    std::string address = util::get_temp_dir() + "/listener-" + random_suffix();
    UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!listener) throw_errno("socket");
    sockaddr_un addr = unix_address(address);
    if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw_errno("bind " + address);
    if (::chmod(address.c_str(), 0600) != 0) throw_errno("chmod " + address);
    if (::listen(listener.get(), SOMAXCONN) != 0) throw_errno("listen");
    PipeEnds alive = make_pipe();

    std::vector<std::string> argv{executable_argv0(), "--multiprocessing-forkserver",
                                  "listener_fd=" + std::to_string(listener.get()),
                                  "alive_r=" + std::to_string(alive.read.get())};
    flush_std_streams();
    pid_t pid = spawn_executable(argv, {listener.get(), alive.read.get()});
    c.server_pid = pid;
    c.owner = ::getpid();
    c.address = std::move(address);
    c.alive_w = std::move(alive.write);
}

void send_fds(int sock, const std::vector<int>& fds) {
    char payload = static_cast<char>(fds.size() % 256);
    iovec iov{&payload, 1};
    std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());
    while (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
        if (errno != EINTR) throw_errno("sendmsg to the forkserver");
    }
}

// One request: the fds sent with SCM_RIGHTS. Empty on a malformed request (reported on stderr).
std::vector<int> receive_fds(int sock) {
    char payload = 0;
    iovec iov{&payload, 1};
    std::vector<char> control(CMSG_SPACE(sizeof(int) * (max_fds_to_send + 1)));
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    ssize_t n;
    while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
    }
    std::vector<int> fds;
    if (n < 0) {
        std::cerr << "forkserver: recvmsg: " << std::strerror(errno) << std::endl;
        return fds;
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        std::size_t old = fds.size();
        fds.resize(old + count);
        std::memcpy(fds.data() + old, CMSG_DATA(c), count * sizeof(int));
    }
    std::string problem;
    if (n == 0 && fds.empty())
        problem = "client closed the connection without a request";
    else if (msg.msg_flags & MSG_CTRUNC)
        problem = "too many fds (more than " + std::to_string(max_fds_to_send) + ")";
    else if (fds.size() > max_fds_to_send)
        problem = "too many fds (" + std::to_string(fds.size()) + ")";
    else if (static_cast<unsigned char>(payload) != fds.size() % 256)
        problem = "len is " + std::to_string(fds.size()) + " but the message says " +
                  std::to_string(static_cast<unsigned char>(payload));
    else if (fds.size() < 3)
        problem = "a request needs at least child_r, child_w and the alive fd";
    if (!problem.empty()) {
        std::cerr << "forkserver: bad request: " << problem << std::endl;
        for (int fd : fds)
            ::close(fd);
        fds.clear();
    }
    return fds;
}

} // namespace

ForkServerChannel forkserver_connect(const std::vector<int>& extra_fds) {
    if (extra_fds.size() + 3 > max_fds_to_send)
        throw ValueError("too many file descriptors to pass to a forkserver child (" +
                         std::to_string(extra_fds.size() + 3) + " > " + std::to_string(max_fds_to_send) +
                         ")");
    auto& c = client();
    std::lock_guard lock(c.mutex);
    for (int attempt = 0;; ++attempt) {
        ensure_running_locked(c);
        UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!sock) throw_errno("socket");
        sockaddr_un addr = unix_address(c.address);
        if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            int err = errno;
            // The server died since the liveness check: start a new one once.
            if (attempt == 0 && (err == ECONNREFUSED || err == ENOENT)) {
                ::kill(c.server_pid, SIGKILL);
                while (::waitpid(c.server_pid, nullptr, 0) < 0 && errno == EINTR) {
                }
                stop_server_locked(c);
                continue;
            }
            throw_errno("connect to the forkserver", err);
        }
        PipeEnds status_pipe = make_pipe(); // server -> parent: pid, exit status
        PipeEnds data_pipe = make_pipe(); // parent -> child: payload; its EOF is the child's parent sentinel
        std::vector<int> fds{data_pipe.read.get(), status_pipe.write.get(), c.alive_w.get()};
        fds.insert(fds.end(), extra_fds.begin(), extra_fds.end());
        send_fds(sock.get(), fds);
        return {std::move(status_pipe.read), std::move(data_pipe.write)};
    }
}

void keep_forkserver_alive_fd(int fd) {
    inherited_alive_fd().reset(fd);
}

void forkserver_reset_after_fork() {
    auto& c = client();
    std::construct_at(&c.mutex);
    // Our copy of the parent's alive fd: the parent's server is not ours, so do not hold it up.
    c.alive_w.reset();
    c.address.clear();
    c.server_pid = 0;
    c.owner = 0;
}

[[noreturn]] void forkserver_main(int listener_fd, int alive_r) {
    // Ctrl-C in a terminal reaches the whole process group; the server must outlive it like Python's.
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, nullptr);
    int sigfd = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0) {
        std::cerr << "forkserver: signalfd: " << std::strerror(errno) << std::endl;
        ::_exit(1);
    }
    set_cloexec(listener_fd, true);
    set_cloexec(alive_r, true);
    // The server reads nothing from stdin; children get /dev/null from their bootstrap anyway.
    int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) {
        ::dup2(devnull, 0);
        ::close(devnull);
    }

    std::map<pid_t, int> status_fd_of; // child pid -> child_w
    for (;;) {
        std::array<pollfd, 3> polls{pollfd{listener_fd, POLLIN, 0}, pollfd{alive_r, POLLIN, 0},
                                    pollfd{sigfd, POLLIN, 0}};
        if (::poll(polls.data(), polls.size(), -1) < 0) {
            if (errno == EINTR) continue;
            std::cerr << "forkserver: poll: " << std::strerror(errno) << std::endl;
            ::_exit(1);
        }
        if (polls[1].revents) {
            // Every holder of alive_w is gone: nobody can ask for children or wait for statuses.
            flush_std_streams();
            ::_exit(0);
        }
        if (polls[2].revents) {
            signalfd_siginfo info;
            while (::read(sigfd, &info, sizeof info) > 0) {
            }
            for (;;) {
                int status = 0;
                pid_t pid = ::waitpid(-1, &status, WNOHANG);
                if (pid <= 0) break;
                auto it = status_fd_of.find(pid);
                if (it == status_fd_of.end()) {
                    std::cerr << "forkserver: unknown child " << pid << " ended" << std::endl;
                    continue;
                }
                try {
                    write_signed(it->second, exitcode_from_status(status));
                } catch (const OSError&) {
                    // The client went away; nobody is waiting for this status.
                }
                ::close(it->second);
                status_fd_of.erase(it);
            }
        }
        if (polls[0].revents) {
            int conn = ::accept4(listener_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn < 0) {
                if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN)
                    std::cerr << "forkserver: accept: " << std::strerror(errno) << std::endl;
                continue;
            }
            std::vector<int> fds = receive_fds(conn);
            ::close(conn);
            if (fds.empty()) continue;
            const int child_r = fds[0];
            const int child_w = fds[1];
            std::vector<int> rest(fds.begin() + 2, fds.end());
            pid_t pid = ::fork();
            if (pid < 0) {
                std::cerr << "forkserver: fork: " << std::strerror(errno) << std::endl;
                for (int fd : fds)
                    ::close(fd);
                continue;
            }
            if (pid == 0) {
                // The child is an ordinary process again: default signals, none of the server's fds.
                std::signal(SIGINT, SIG_DFL);
                std::signal(SIGPIPE, SIG_DFL);
                std::signal(SIGCHLD, SIG_DFL);
                sigprocmask(SIG_UNBLOCK, &chld, nullptr);
                ::close(listener_fd);
                ::close(alive_r);
                ::close(sigfd);
                ::close(child_w);
                for (const auto& [other, fd] : status_fd_of)
                    ::close(fd);
                ::_exit(run_child_from_pipe(child_r, rest));
            }
            try {
                write_signed(child_w, pid);
            } catch (const OSError&) {
                // The client vanished; the child will find EOF on its data pipe.
            }
            status_fd_of[pid] = child_w;
            ::close(child_r);
            for (int fd : rest)
                ::close(fd);
        }
    }
}

} // namespace mp::detail

namespace mp::forkserver {

void ensure_running() {
    auto& c = detail::client();
    std::lock_guard lock(c.mutex);
    detail::ensure_running_locked(c);
}

std::optional<int> server_pid() {
    auto& c = detail::client();
    std::lock_guard lock(c.mutex);
    if (c.server_pid > 0 && c.owner == ::getpid()) return c.server_pid;
    return std::nullopt;
}

} // namespace mp::forkserver
