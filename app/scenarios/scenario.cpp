// The scenario registry, Tempo, parameters and narration (scenario.hpp).
#include "scenario.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace scenario {

namespace {

std::vector<Scenario>& registry() {
    static std::vector<Scenario> scenarios;
    return scenarios;
}

enum class RunState { Running, Finishing, Stopping };
std::atomic<RunState> run_state{RunState::Running};
std::atomic<int> main_pid{0};

bool claim(RunState next) {
    RunState expected = RunState::Running;
    return run_state.compare_exchange_strong(expected, next);
}

} // namespace

void Tempo::pause(double seconds) const {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds / factor));
}

void Params::set(const std::string& name, double value) {
    auto it = std::find_if(values_.begin(), values_.end(), [&](const auto& v) { return v.first == name; });
    if (it == values_.end())
        values_.emplace_back(name, value);
    else
        it->second = value;
}

double Params::number(std::string_view name) const {
    for (const auto& [n, v] : values_)
        if (n == name) return v;
    throw std::out_of_range("scenario parameter '" + std::string(name) + "' is not declared");
}

Register::Register(Scenario scenario) {
    if (scenario.deadlocks) scenario.params.push_back({std::string(timeout_param), 0, 0, 3600, false});
    auto& all = registry();
    // Keep the catalogue sorted however the linker orders the static initialisers.
    all.insert(std::upper_bound(all.begin(), all.end(), scenario,
                                [](const Scenario& a, const Scenario& b) { return a.name < b.name; }),
               std::move(scenario));
}

const std::vector<Scenario>& catalogue() {
    return registry();
}

const Scenario* find(std::string_view name) {
    for (const Scenario& s : registry())
        if (s.name == name) return &s;
    return nullptr;
}

bool write_fully(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

void say_line(std::string_view line) {
    if (::getpid() == main_pid.load() && runtime::stopping()) runtime::park();
    // Nobody reading stdout any more is no reason for a scenario to fail: the result is ignored.
    write_fully(STDOUT_FILENO, std::string(line) + '\n');
}

void join_all(std::vector<mp::Process>& processes) {
    for (mp::Process& p : processes)
        p.join();
}

void put_hello(mp::Queue q, Tempo tempo) {
    tempo.pause(1);
    q.put("hello");
}
MP_TASK(put_hello);

void label_with_lock(mp::SharedCData& data, const std::string& name) {
    data.set_label(name);
    mp::AnyLock lock = data.get_lock(); // a copy refers to the same lock
    lock.set_label(name + "-lock");
}

namespace runtime {

void set_main_pid(int pid) {
    main_pid.store(pid);
}

bool finish() {
    return claim(RunState::Finishing);
}

bool stop() {
    return claim(RunState::Stopping);
}

bool stopping() {
    return run_state.load() == RunState::Stopping;
}

void park() {
    for (;;)
        ::pause();
}

} // namespace runtime

} // namespace scenario
