// mpscope-run's supervisor thread (run_supervisor.hpp).
#include "run_supervisor.hpp"

#include <mp/errors.hpp>
#include <mp/scope/analysis.hpp>
#include <mp/scope/observe.hpp>
#include <mp/scope/report.hpp>
#include <mp/util.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <unistd.h>

namespace run {

namespace {

constexpr auto deadlock_check_interval = std::chrono::milliseconds(250);
constexpr std::size_t terminal_output_lines = 15;

int wake_w = -1;      // written by the signal handler (the signal number) and by finish() (0)
pid_t runner_pid = 0; // the handler only acts in the runner itself

extern "C" void on_stop_signal(int sig) {
    if (::getpid() != runner_pid) {
        // A fork child between fork() and the after-fork hook: behave as if it had no handler.
        ::signal(sig, SIG_DFL);
        ::raise(sig);
        return;
    }
    const int saved = errno;
    const char c = static_cast<char>(sig);
    [[maybe_unused]] const ssize_t n = ::write(wake_w, &c, 1);
    errno = saved;
}

void install_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    ::sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);
    // Children are ordinary processes: terminate() must end them, Ctrl-C interrupts them.
    mp::util::register_after_fork([] {
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGINT, SIG_DFL);
    });
}

std::string signal_name(int sig) {
    switch (sig) {
    case SIGTERM:
        return "SIGTERM";
    case SIGINT:
        return "SIGINT";
    default:
        return "signal " + std::to_string(sig);
    }
}

// "3", "0.5": seconds and tempo factors as the user wrote them.
std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

int pipe_or_throw(int fds[2], int flags) {
    if (::pipe2(fds, flags) != 0) throw mp::OSError("pipe2 failed");
    return fds[0];
}

} // namespace

Supervisor::Supervisor(Options options)
    : options_(std::move(options))
    , session_(mp::scope::Session::attach(mp::scope::current_session())) {
    int wake[2];
    wake_r_ = pipe_or_throw(wake, O_CLOEXEC | O_NONBLOCK);
    wake_w = wake[1];
    runner_pid = ::getpid();
    scenario::runtime::set_main_pid(runner_pid);
    install_signal_handlers();

    if (options_.watch) {
        // Everything written to stdout from now on - by this process and by the children, which inherit
        // fd 1 - goes to the dashboard's output section.
        int capture[2];
        capture_r_ = pipe_or_throw(capture, O_CLOEXEC);
        ::fcntl(capture_r_, F_SETFL, O_NONBLOCK);
        terminal_fd_ = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
        terminal_ = ::isatty(terminal_fd_) == 1;
        ::dup2(capture[1], STDOUT_FILENO);
        ::close(capture[1]);
    }
}

Supervisor::~Supervisor() {
    if (thread_.joinable()) {
        scenario::write_fully(wake_w, std::string_view("\0", 1));
        thread_.join();
    }
    if (capture_r_ >= 0) ::close(capture_r_);
    if (terminal_fd_ >= 0) ::close(terminal_fd_);
}

void Supervisor::start() {
    thread_ = std::thread([this] { loop(); });
}

void Supervisor::finish(bool failed) {
    if (!scenario::runtime::finish()) scenario::runtime::park(); // the supervisor ends the program
    scenario::write_fully(wake_w, std::string_view("\0", 1));
    thread_.join();
    if (failed) end_processes();
    if (options_.watch) {
        read_output();
        print_dashboard(failed ? "The scenario failed." : "The scenario has ended.");
        ::dup2(terminal_fd_, STDOUT_FILENO);
    }
}

void Supervisor::loop() {
    const bool deadlocks = options_.scenario->deadlocks;
    bool timeout_pending = options_.timeout > 0;
    const auto deadline = started_ + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(options_.timeout));
    const auto interval =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.interval));
    auto next_check = started_;
    auto next_draw = started_;
    for (;;) {
        auto until = Clock::now() + std::chrono::hours(1);
        if (deadlocks && !announced_) until = std::min(until, next_check);
        if (timeout_pending) until = std::min(until, deadline);
        if (options_.watch) until = std::min(until, next_draw);
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
        pollfd fds[2] = {{wake_r_, POLLIN, 0}, {capture_r_, POLLIN, 0}};
        ::poll(fds, capture_r_ >= 0 ? 2 : 1, static_cast<int>(std::max<std::int64_t>(0, wait.count())));

        try {
            if (capture_r_ >= 0 && fds[1].revents != 0) read_output();
            bool finished = false;
            for (char c; ::read(wake_r_, &c, 1) == 1;) {
                if (c == 0)
                    finished = true;
                else
                    stop("stopped by " + signal_name(c) + ": ending the processes", kOk);
            }
            if (finished) return;

            const auto now = Clock::now();
            if (deadlocks && !announced_ && now >= next_check) {
                next_check = now + deadlock_check_interval;
                watch_for_deadlock();
            }
            if (timeout_pending && now >= deadline) {
                timeout_pending = false;
                stop_at_timeout();
            }
            if (options_.watch && now >= next_draw) {
                next_draw = now + interval;
                print_dashboard();
            }
        } catch (const std::exception& e) {
            // A failed look at the session must not end the supervisor: it still has to stop the run.
            complain(e);
        }
    }
}

void Supervisor::complain(const std::exception& e) {
    if (complained_) return;
    complained_ = true;
    scenario::write_fully(STDERR_FILENO, std::string("mpscope-run: ") + e.what() + "\n");
}

void Supervisor::watch_for_deadlock() {
    const std::vector<mp::scope::Diagnosis> found = mp::scope::find_deadlocks(session_.snapshot());
    if (found.empty()) return;
    announced_ = true;
    for (const auto& d : found)
        note("deadlock: " + std::string(mp::scope::title(d.kind)) + ": " + d.text());
    note(options_.timeout > 0
             ? "(it stays deadlocked: the run ends at its timeout of " + number(options_.timeout) + " s)"
             : "(it stays deadlocked until stopped: Ctrl-C, or --param timeout=S)");
}

void Supervisor::stop_at_timeout() {
    const std::vector<mp::scope::Diagnosis> found = mp::scope::find_deadlocks(session_.snapshot());
    const std::string head = "timeout after " + number(options_.timeout) + " s: ";
    if (found.empty()) {
        note(head + "no deadlock found");
    } else {
        note(head + "the diagnosis");
        for (const auto& d : found)
            note("deadlock: " + std::string(mp::scope::title(d.kind)) + ": " + d.text());
    }
    stop("ending the processes", found.empty() ? kFailed : kOk);
}

void Supervisor::stop(const std::string& why, int status) {
    if (!scenario::runtime::stop()) return; // the scenario finished first
    try {
        note(why);
        end_processes();
        if (options_.watch) {
            read_output();
            print_dashboard("Stopped.");
        }
    } catch (const std::exception& e) {
        complain(e);
        status = kFailed;
    }
    ::_exit(status);
}

void Supervisor::end_processes() {
    // Every live process of the session but this one: children, their children, forkserver children.
    // The snapshot checks each against /proc, so one that ended counts as gone even while nobody has
    // reaped it (the main thread may be joining it).
    const int self = ::getpid();
    auto live = [&] {
        std::vector<int> pids;
        for (const auto& p : session_.snapshot().processes)
            if (p.alive() && p.pid > 0 && p.pid != self) pids.push_back(p.pid);
        return pids;
    };
    for (int round = 0; round < 8; ++round) {
        const std::vector<int> pids = live();
        if (pids.empty()) return;
        // As terminate() does first; a process still there after a second is killed.
        for (int pid : pids)
            ::kill(pid, round == 0 ? SIGTERM : SIGKILL);
        const auto until = Clock::now() + std::chrono::seconds(1);
        while (Clock::now() < until && !live().empty())
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void Supervisor::note(const std::string& line) {
    if (options_.watch)
        lines_.push_back(line);
    else
        scenario::write_fully(STDOUT_FILENO, line + '\n');
}

void Supervisor::read_output() {
    char buf[16384];
    for (;;) {
        const ssize_t n = ::read(capture_r_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        partial_.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t start = 0;
    for (std::size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1)
        lines_.push_back(partial_.substr(start, nl - start));
    partial_.erase(0, start);
}

void Supervisor::print_dashboard(const std::string& footer) {
    const mp::scope::Snapshot snap = session_.snapshot();
    std::vector<mp::scope::Diagnosis> diagnoses = mp::scope::find_deadlocks(snap);
    for (auto& note : mp::scope::find_recoveries(snap))
        diagnoses.push_back(std::move(note));

    std::string out = terminal_ ? "\033[H\033[2J" : first_draw_ ? "" : "\n";
    first_draw_ = false;
    const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f s", elapsed);
    out += "mpscope-run " + options_.scenario->name + ": " + options_.title + " (" + options_.method +
           ", tempo " + number(options_.tempo) + ", " + seconds + ")\n\n";
    out += mp::scope::format_report(snap, diagnoses);
    // A terminal shows the latest lines; a log gets every line once, in the first dashboard after it.
    if (terminal_ && lines_.size() > terminal_output_lines)
        lines_.erase(lines_.begin(), lines_.end() - terminal_output_lines);
    if (!lines_.empty()) {
        out += "\nOutput:\n";
        for (const std::string& line : lines_)
            out += "  " + line + "\n";
    }
    if (!terminal_) lines_.clear();
    if (!footer.empty()) out += "\n" + footer + "\n";
    scenario::write_fully(terminal_fd_, out);
}

} // namespace run
