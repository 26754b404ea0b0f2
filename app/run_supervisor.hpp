#pragma once
// mpscope-run's supervisor: a thread beside the scenario (which runs in the main thread, so that the
// main process's waits are main-thread waits the diagnosis counts). It turns SIGTERM and SIGINT into a
// clean stop that ends every process of the session, narrates a deadlock as soon as the analysis finds
// one, ends a deadlocking scenario at its timeout with the diagnosis, and with --watch redraws a text
// dashboard of the session (the report of mp/scope/report.hpp plus the latest narration).
#include "scenarios/scenario.hpp"

#include <mp/scope/session.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace run {

constexpr int kOk = 0;
constexpr int kFailed = 1;

struct Options {
    const scenario::Scenario* scenario = nullptr;
    std::string title; // English title, for the dashboard
    std::string method;
    double tempo = 1;
    bool watch = false;
    double interval = 0.5; // seconds between dashboards
    double timeout = 0;    // deadlocking scenarios: seconds until the runner ends them; 0 = never
};

class Supervisor {
public:
    // Attaches to the program's own session, installs the SIGTERM/SIGINT handling and, with watch,
    // captures stdout (this process's and its children's) for the dashboard.
    explicit Supervisor(Options options);
    ~Supervisor();
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;

    void start();
    // Called when the scenario returned (failed: it threw): ends the processes a failed scenario left
    // behind, prints the last dashboard and stops the thread. If the supervisor is already stopping the
    // program, parks the caller until it has.
    void finish(bool failed);

private:
    using Clock = std::chrono::steady_clock;

    void loop();
    void watch_for_deadlock();
    void stop_at_timeout();
    // Claims the end of the run, ends every process of the session and exits the program with `status`;
    // returns only when the scenario has already finished.
    void stop(const std::string& why, int status);
    void end_processes();
    // Reports the first error of a look at the session on stderr.
    void complain(const std::exception& e);

    // A line of the runner's own narration: in the dashboard's output with watch, else on stdout.
    void note(const std::string& line);
    void read_output(); // what the capture pipe holds now
    void print_dashboard(const std::string& footer = {});

    Options options_;
    mp::scope::Session session_;
    Clock::time_point started_ = Clock::now();
    std::thread thread_;
    bool announced_ = false;
    bool complained_ = false;

    int wake_r_ = -1;        // the signal handler's and finish()'s self-pipe
    int capture_r_ = -1;     // watch: the read end of what was stdout
    int terminal_fd_ = -1;   // watch: the real stdout
    bool terminal_ = false;  // it is a terminal: redraw in place
    bool first_draw_ = true; // nothing printed yet
    std::string partial_;    // output after its last newline
    std::vector<std::string> lines_;
    std::size_t shown_ = 0; // lines_ already on the last dashboard (not a terminal: only new ones are shown)
};

} // namespace run
