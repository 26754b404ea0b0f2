// The session resource tracker (SPEC §14; interface in resource_tracker.hpp).
//
// The tracker is started by fork, not exec: programs that only use the fork start method never call
// freeze_support(), so re-executing /proc/self/exe would run their main() again. It is forked twice, so
// that it is nobody's child in the session (no zombie, not in active_children(), untouched by the exit
// sequence), and calls setsid() so that a Ctrl-C or a SIGKILL of the program's process group misses it.
// As it runs after fork() of a possibly multithreaded process, its code uses system calls only: no
// malloc, no stdio, no locks.
#include "resource_tracker.hpp"

#include "process_fd.hpp"

#include "mp/errors.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <semaphore.h>
#include <string>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace mp::detail::resource_tracker {

namespace {

constexpr std::size_t max_message = 512; // PIPE_BUF >= 512, so such a write is atomic
constexpr std::string_view probe_message = "PROBE:0:noop\n";
constexpr int tracker_read_fd = 3; // where the tracker keeps the read end

// ---- the tracker process ----------------------------------------------------------------------------

enum class Rtype : unsigned char { Noop, Session, SharedMemory, Semaphore, File };

struct RtypeInfo {
    Rtype rtype;
    std::string_view name;
};

// Also the order of the cleanup at the end: the arena goes last.
constexpr RtypeInfo rtypes[] = {{Rtype::SharedMemory, "shared_memory"},
                                {Rtype::Semaphore, "semaphore"},
                                {Rtype::File, "file"},
                                {Rtype::Session, "session"},
                                {Rtype::Noop, "noop"}};

// One registered name. A line is at most 512 bytes, so a name is shorter than that.
struct Entry {
    char name[max_message - 1];
    Rtype rtype;
};

// A growable table in anonymous mappings: malloc is off limits in the tracker (see above).
class Table {
public:
    Table() = default;
    Table(const Table&) = delete;
    Table& operator=(const Table&) = delete;

    std::size_t size() const noexcept { return count_; }
    const Entry& operator[](std::size_t i) const noexcept { return data_[i]; }

    Entry* find(std::string_view name, Rtype rtype) noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if (data_[i].rtype == rtype && name == data_[i].name) return &data_[i];
        return nullptr;
    }
    bool add(std::string_view name, Rtype rtype) noexcept {
        if (find(name, rtype)) return true; // a set, as in Python
        if (count_ == capacity_ && !grow()) return false;
        Entry& e = data_[count_++];
        std::memcpy(e.name, name.data(), name.size());
        e.name[name.size()] = '\0';
        e.rtype = rtype;
        return true;
    }
    bool remove(std::string_view name, Rtype rtype) noexcept {
        Entry* e = find(name, rtype);
        if (!e) return false;
        // Registration order is kept: the cleanup at the end follows it.
        std::memmove(e, e + 1, static_cast<std::size_t>(data_ + count_ - (e + 1)) * sizeof(Entry));
        --count_;
        return true;
    }

private:
    bool grow() noexcept {
        std::size_t capacity = capacity_ ? capacity_ * 2 : 64;
        void* p = ::mmap(nullptr, capacity * sizeof(Entry), PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return false;
        auto* data = static_cast<Entry*>(p);
        if (data_) {
            std::memcpy(data, data_, count_ * sizeof(Entry));
            ::munmap(data_, capacity_ * sizeof(Entry));
        }
        data_ = data;
        capacity_ = capacity;
        return true;
    }

    Entry* data_ = nullptr;
    std::size_t count_ = 0;
    std::size_t capacity_ = 0;
};

// A message for stderr assembled on the stack and written with one write().
class Message {
public:
    Message& operator<<(std::string_view text) noexcept {
        std::size_t n = std::min(text.size(), sizeof buf_ - len_);
        if (n) std::memcpy(buf_ + len_, text.data(), n); // an empty view may have no data()
        len_ += n;
        return *this;
    }
    Message& operator<<(long long value) noexcept {
        char digits[24];
        std::size_t n = 0;
        unsigned long long v = value < 0 ? 0ULL - static_cast<unsigned long long>(value) : value;
        do {
            digits[sizeof digits - ++n] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v);
        if (value < 0) digits[sizeof digits - ++n] = '-';
        return *this << std::string_view(digits + sizeof digits - n, n);
    }
    void emit() noexcept {
        *this << "\n";
        std::size_t done = 0;
        while (done < len_) {
            ssize_t n = ::write(STDERR_FILENO, buf_ + done, len_ - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return; // nobody to tell
            done += static_cast<std::size_t>(n);
        }
    }

private:
    char buf_[1536];
    std::size_t len_ = 0;
};

const RtypeInfo* find_rtype(std::string_view name) noexcept {
    for (const auto& info : rtypes)
        if (info.name == name) return &info;
    return nullptr;
}

std::string_view errno_text(int err) noexcept {
    const char* text = ::strerrordesc_np(err); // no locale, no allocation
    return text ? text : "Unknown error";
}

// The tracker's state while it runs; exit status as in Python 3.13 (0 clean, 1 leaks, 2 cleanup errors,
// 3 bad message).
struct Tracker {
    Table table;
    int exit_code = 0;

    void bad_message(std::string_view type, std::string_view text, std::string_view detail = {}) noexcept {
        exit_code = 3;
        Message m;
        m << "resource_tracker: " << type << ": " << text << detail;
        m.emit();
    }

    void handle_line(std::string_view line) noexcept {
        // <cmd>:<name>:<rtype>, where the name may itself contain ':'.
        auto first = line.find(':');
        auto last = line.rfind(':');
        if (first == std::string_view::npos || first == last) {
            bad_message("ValueError", "malformed message: ", line);
            return;
        }
        std::string_view cmd = line.substr(0, first);
        std::string_view name = line.substr(first + 1, last - first - 1);
        std::string_view rtype_name = line.substr(last + 1);
        const RtypeInfo* rtype = find_rtype(rtype_name);
        if (!rtype) {
            exit_code = 3;
            Message m;
            m << "resource_tracker: ValueError: Cannot register " << name
              << " for automatic cleanup: unknown resource type " << rtype_name;
            m.emit();
            return;
        }
        if (cmd == "REGISTER") {
            if (rtype->rtype != Rtype::Noop && !table.add(name, rtype->rtype))
                bad_message("MemoryError", "cannot remember ", name);
        } else if (cmd == "UNREGISTER") {
            if (rtype->rtype != Rtype::Noop && !table.remove(name, rtype->rtype)) {
                exit_code = 3;
                Message m;
                m << "resource_tracker: KeyError: '" << name << "'";
                m.emit();
            }
        } else if (cmd != "PROBE") {
            exit_code = 3;
            Message m;
            m << "resource_tracker: RuntimeError: unrecognized command '" << cmd << "'";
            m.emit();
        }
    }

    // Reads lines until every holder of the write end is gone.
    void serve(int fd) noexcept {
        char buf[2 * max_message];
        std::size_t len = 0;
        bool overlong = false; // inside a line longer than max_message: skipped up to its '\n'
        for (;;) {
            ssize_t n = ::read(fd, buf + len, sizeof buf - len);
            if (n < 0) {
                if (errno == EINTR) continue;
                Message m;
                m << "resource_tracker: read: " << errno_text(errno);
                m.emit();
                return;
            }
            if (n == 0) break;
            len += static_cast<std::size_t>(n);
            std::size_t start = 0;
            while (const void* nl = std::memchr(buf + start, '\n', len - start)) {
                std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nl) - buf);
                if (overlong || end - start >= max_message)
                    bad_message("ValueError", "message longer than 512 bytes");
                else
                    handle_line(std::string_view(buf + start, end - start));
                overlong = false;
                start = end + 1;
            }
            std::memmove(buf, buf + start, len - start);
            len -= start;
            if (len >= max_message) { // no '\n' within 512 bytes
                overlong = true;
                len = 0;
            }
        }
        if (len || overlong) bad_message("ValueError", "incomplete message at EOF");
    }

    void cleanup() noexcept {
        for (const auto& info : rtypes) {
            if (info.rtype == Rtype::Noop) continue;
            long long leaked = 0;
            for (std::size_t i = 0; i < table.size(); ++i)
                leaked += table[i].rtype == info.rtype;
            if (!leaked) continue;
            // The arena is always left to the tracker: its removal is the normal end of a session.
            if (info.rtype != Rtype::Session) {
                exit_code = 1;
                Message m;
                m << "UserWarning: resource_tracker: There appear to be " << leaked << " leaked " << info.name
                  << " objects to clean up at shutdown";
                m.emit();
            }
            for (std::size_t i = 0; i < table.size(); ++i) {
                const Entry& e = table[i];
                if (e.rtype != info.rtype) continue;
                int r = e.rtype == Rtype::Semaphore ? ::sem_unlink(e.name)
                        : e.rtype == Rtype::File    ? ::unlink(e.name)
                                                    : ::shm_unlink(e.name);
                if (r == 0) continue;
                int err = errno;
                if (e.rtype == Rtype::Session && err == ENOENT) continue; // removed by its owner already
                exit_code = 2;
                Message m;
                m << "UserWarning: resource_tracker: '" << e.name << "': [Errno " << err << "] "
                  << errno_text(err);
                m.emit();
            }
        }
    }
};

[[noreturn]] void tracker_main(int read_fd, int fd_limit) noexcept {
    // SIGINT/SIGTERM are ignored (SPEC §14); SIGPIPE too, so a vanished stderr reader cannot stop the
    // cleanup. Handlers inherited from the program would run its code here: back to the defaults.
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    struct sigaction dfl = ignore;
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (sig == SIGINT || sig == SIGTERM || sig == SIGPIPE) {
            ::sigaction(sig, &ignore, nullptr);
            continue;
        }
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)
            ::sigaction(sig, &dfl, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::prctl(PR_SET_NAME, "mp-res-tracker");

    // Only the read end, stdin/stdout on /dev/null and stderr (for warnings) stay open: a tracker holding
    // another pipe or a Connection would keep its reader from ever seeing EOF.
    if (read_fd != tracker_read_fd) ::dup2(read_fd, tracker_read_fd);
    int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
        if (devnull != STDIN_FILENO) ::dup2(devnull, STDIN_FILENO);
        if (devnull != STDOUT_FILENO) ::dup2(devnull, STDOUT_FILENO);
    }
    if (::close_range(tracker_read_fd + 1, ~0U, 0) != 0) {
        for (int fd = tracker_read_fd + 1; fd < fd_limit; ++fd)
            ::close(fd);
    }

    Tracker tracker;
    tracker.serve(tracker_read_fd);
    tracker.cleanup();
    ::_exit(tracker.exit_code);
}

// The middle process of the double fork: leaves the session, forks the tracker, reports its pid.
[[noreturn]] void intermediate_main(int read_fd, int pid_w, int fd_limit) noexcept {
    ::setsid(); // the tracker, forked next, is in a new session without being its leader
    pid_t pid = ::fork();
    if (pid == 0) tracker_main(read_fd, fd_limit);
    std::int64_t report = pid > 0 ? pid : -errno;
    ssize_t ignored = ::write(pid_w, &report, sizeof report);
    (void)ignored;
    ::_exit(0);
}

// ---- the client side --------------------------------------------------------------------------------

// Holds an object that is never destroyed: the exit sequence runs from atexit and may unregister
// resources after other statics are gone.
template <class T> union NeverDestroyed {
    T value;
    NeverDestroyed()
        : value() {}
    ~NeverDestroyed() {}
};

struct Client {
    // Guards the fields below. Held across fork() by other threads (pthread_atfork) so that a child
    // copies a consistent state; never held while this code forks or writes.
    std::mutex mutex;
    // Serializes the operations (probe, write, relaunch) so that one dead tracker is replaced once.
    std::mutex op_mutex;
    int fd = -1;
    pid_t pid = 0;   // 0: not known here (adopted from a spawn or forkserver parent)
    pid_t owner = 0; // the process whose registrations `registered` lists
    std::vector<std::pair<std::string, std::string>> registered; // replayed to a relaunched tracker
};

Client& client() {
    static NeverDestroyed<Client> instance;
    static const int fork_guard =
        ::pthread_atfork([] { instance.value.mutex.lock(); }, [] { instance.value.mutex.unlock(); },
                         [] {
                             instance.value.mutex.unlock();
                             // It may have been held by a thread that does not exist in the child.
                             std::construct_at(&instance.value.op_mutex);
                         });
    (void)fork_guard;
    return instance.value;
}

// A fork child shares its parent's tracker but not the parent's registrations: a tracker the child
// relaunches serves the child's subtree only, and must not remove what the parent still uses.
void claim_locked(Client& c) {
    pid_t self = ::getpid();
    if (c.owner == self) return;
    c.registered.clear();
    c.owner = self;
}

UniqueFd above_stdio(UniqueFd fd) {
    if (fd.get() > STDERR_FILENO) return fd;
    int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    if (moved < 0) throw_errno("fcntl(F_DUPFD_CLOEXEC)");
    return UniqueFd(moved);
}

struct Launched {
    UniqueFd write;
    pid_t pid;
};

Launched launch() {
    PipeEnds pipe = make_pipe();
    // Descriptors 0-2 are replaced in the tracker; keep ours clear of them if the program closed any.
    UniqueFd read_end = above_stdio(std::move(pipe.read));
    UniqueFd write_end = above_stdio(std::move(pipe.write));
    PipeEnds pid_pipe = make_pipe();
    const long open_max = ::sysconf(_SC_OPEN_MAX);
    const int fd_limit = open_max > 0 && open_max < INT_MAX ? static_cast<int>(open_max) : 65536;

    // A Ctrl-C arriving before the tracker ignores it would kill it (SPEC: blocked while spawning).
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    ::pthread_sigmask(SIG_BLOCK, &block, &old);
    pid_t pid = ::fork();
    if (pid == 0) intermediate_main(read_end.get(), pid_pipe.write.get(), fd_limit);
    const int fork_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0) throw_errno("fork", fork_errno);
    read_end.reset();
    pid_pipe.write.reset();
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    auto report = read_signed(pid_pipe.read.get());
    if (!report) throw OSError("the resource tracker could not be started");
    if (*report < 0) throw_errno("fork", static_cast<int>(-*report));
    return {std::move(write_end), static_cast<pid_t>(*report)};
}

enum class Written { Ok, Dead, BadFd };

Written write_line(int fd, std::string_view line) {
    try {
        write_all(fd, line); // at most 512 bytes: a single, atomic write()
        return Written::Ok;
    } catch (const SystemError& e) {
        if (e.error_code() == EPIPE) return Written::Dead; // the tracker (our only reader) is gone
        if (e.error_code() == EBADF) return Written::BadFd;
        throw;
    }
}

// Starts a tracker in place of `c.fd` and sends it this process's registrations. Caller holds op_mutex.
void relaunch(Client& c, bool died, bool close_old) {
    if (died) {
        flush_std_streams();
        std::cerr << "UserWarning: resource_tracker: process died unexpectedly, relaunching.  Some resources "
                     "might leak."
                  << std::endl;
    }
    Launched tracker = launch();
    int fd;
    std::vector<std::pair<std::string, std::string>> registered;
    {
        std::lock_guard lock(c.mutex);
        if (close_old && c.fd >= 0) ::close(c.fd);
        c.fd = fd = tracker.write.release();
        c.pid = tracker.pid;
        claim_locked(c);
        registered = c.registered;
    }
    for (const auto& [name, rtype] : registered)
        if (write_line(fd, "REGISTER:" + name + ":" + rtype + "\n") != Written::Ok)
            throw OSError("the resource tracker ended right after it was started");
}

void check_field(std::string_view what, std::string_view text, bool allow_colon) {
    for (char ch : text)
        if (ch == '\n' || ch == '\0' || (!allow_colon && ch == ':'))
            throw ValueError("resource " + std::string(what) + " contains " +
                             (ch == '\n'  ? "a newline"
                              : ch == ':' ? "':'"
                                          : "a NUL character") +
                             ": " + std::string(text.substr(0, 64)));
}

void send(std::string_view cmd, std::string_view name, std::string_view rtype) {
    check_field("name", name, true);
    check_field("type", rtype, false);
    std::string line;
    line.reserve(cmd.size() + name.size() + rtype.size() + 3);
    line.append(cmd).append(":").append(name).append(":").append(rtype).append("\n");
    if (line.size() > max_message) throw ValueError("msg too long");

    const bool registering = cmd == "REGISTER";
    auto& c = client();
    std::lock_guard op(c.op_mutex);
    int fd;
    {
        std::lock_guard lock(c.mutex);
        claim_locked(c);
        auto it = std::find_if(c.registered.begin(), c.registered.end(),
                               [&](const auto& r) { return r.first == name && r.second == rtype; });
        if (registering && it == c.registered.end())
            c.registered.emplace_back(name, rtype);
        else if (!registering && it != c.registered.end())
            c.registered.erase(it);
        fd = c.fd;
    }
    if (fd < 0) {
        if (registering) relaunch(c, false, false); // the replay sends this registration
        return;                                     // no tracker knows the name: nothing to forget
    }
    Written written = write_line(fd, line);
    // A new tracker gets the registrations, which already include (or no longer include) this one.
    if (written != Written::Ok) relaunch(c, true, written == Written::Dead);
}

} // namespace

void ensure_running() {
    auto& c = client();
    std::lock_guard op(c.op_mutex);
    int fd;
    {
        std::lock_guard lock(c.mutex);
        claim_locked(c);
        fd = c.fd;
    }
    if (fd < 0) {
        relaunch(c, false, false);
        return;
    }
    Written written = write_line(fd, probe_message);
    if (written != Written::Ok) relaunch(c, true, written == Written::Dead);
}

int fd() {
    auto& c = client();
    std::lock_guard lock(c.mutex);
    return c.fd;
}

void register_resource(std::string_view name, std::string_view rtype) {
    send("REGISTER", name, rtype);
}

void unregister_resource(std::string_view name, std::string_view rtype) {
    send("UNREGISTER", name, rtype);
}

void adopt(int fd) {
    set_cloexec(fd, true); // unrelated programs this process executes must not hold the session open
    auto& c = client();
    std::lock_guard op(c.op_mutex);
    std::lock_guard lock(c.mutex);
    if (c.fd >= 0 && c.fd != fd) ::close(c.fd);
    c.fd = fd;
    c.pid = 0;
    c.owner = ::getpid();
    c.registered.clear();
}

std::optional<int> tracker_pid() {
    auto& c = client();
    std::lock_guard lock(c.mutex);
    if (c.pid > 0) return static_cast<int>(c.pid);
    return std::nullopt;
}

} // namespace mp::detail::resource_tracker
