#pragma once
// The scenario catalogue of mpscope-run: each app/scenarios/<name>.cpp registers one scenario (its
// parameters, the start methods it applies to and its run function) with a static scenario::Register.
// Its title and lesson, in English and Chinese, are resources/scenarios/<name>.json.
//
// A scenario is an ordinary libmpcore program: it runs in the main thread of mpscope-run's main process,
// creates every object and process through the Context it is given (the one of --method), labels its
// objects and names its processes for the inspector, narrates with say(), and makes every pause through
// Tempo::pause() so that --tempo can slow it down or speed it up.
#include <mp/context.hpp>
#include <mp/object.hpp>
#include <mp/process.hpp>
#include <mp/queues.hpp>
#include <mp/sharedctypes.hpp>

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scenario {

// Scales every pause of a scenario: factor 2 runs twice as fast, 0.25 four times slower. Passed to the
// scenario's processes as an argument.
struct Tempo {
    double factor = 1;
    // Sleeps `seconds` / factor.
    void pause(double seconds) const;
};
MP_OBJECT_FIELDS(Tempo, factor);

// A numeric parameter, given as --param name=value.
struct Param {
    std::string name;
    double default_value = 0;
    double min = 0;
    double max = 0;
    bool integer = true; // false: any number in [min, max]
};

// The values of a scenario's parameters, defaults filled in.
class Params {
public:
    void set(const std::string& name, double value);
    // The value of a declared parameter (std::out_of_range for an undeclared one: a scenario bug).
    double number(std::string_view name) const;
    int integer(std::string_view name) const { return static_cast<int>(number(name)); }

private:
    std::vector<std::pair<std::string, double>> values_;
};

using RunFunction = void (*)(const Params& params, mp::Context& ctx, const Tempo& tempo);

struct Scenario {
    std::string name = {};
    std::vector<Param> params = {};
    std::vector<std::string> methods = {"fork", "spawn", "forkserver"};
    // Deadlocks on purpose: the runner watches for the deadlock, narrates it, and adds the parameter
    // `timeout` (seconds, 0 = until stopped) after which it prints the diagnosis and ends the processes.
    bool deadlocks = false;
    RunFunction run = nullptr;
};

// The `timeout` parameter every deadlocking scenario gets.
inline constexpr std::string_view timeout_param = "timeout";

// Registers a scenario at static-initialisation time.
struct Register {
    explicit Register(Scenario scenario);
};

// Every registered scenario, sorted by name.
const std::vector<Scenario>& catalogue();
// The scenario called `name`, or nullptr.
const Scenario* find(std::string_view name);

// Writes all of `text` to `fd`, retrying after EINTR; false when the fd no longer takes any.
bool write_fully(int fd, std::string_view text);

// Narration: prints one line on stdout, written in one piece so lines of different processes do not mix.
// Once the runner is stopping the program, a narrating main process waits there for the end instead.
void say_line(std::string_view line);
template <class... Parts> void say(const Parts&... parts) {
    std::ostringstream out;
    (out << ... << parts);
    say_line(out.str());
}

// Starts `count` processes named "<prefix>-0" ... "<prefix>-<count-1>" running `target` with the arguments
// args_of(i) returns (an mp::Object tuple, e.g. from mp::args).
template <class ArgsOf>
std::vector<mp::Process> start_processes(mp::Context& ctx, int count, std::string_view prefix,
                                         const mp::Target& target, ArgsOf args_of) {
    std::vector<mp::Process> processes;
    for (int i = 0; i < count; ++i) {
        processes.push_back(ctx.Process(mp::ProcessOptions{
            .target = target,
            .name = std::string(prefix) + "-" + std::to_string(i),
            .args = args_of(i),
        }));
        processes.back().start();
    }
    return processes;
}

void join_all(std::vector<mp::Process>& processes);

// The seed's foo(q), the child of get_context and start_method_spawn: after a pause, puts 'hello' on q.
void put_hello(mp::Queue q, Tempo tempo);

// Labels a synchronized Value or Array `name` and its lock `name-lock`, so the inspector tells the locks
// apart.
void label_with_lock(mp::SharedCData& data, const std::string& name);

// The runner's side of say(): once stop() is called, the main process's next say() never returns (the
// runner ends the program); in other processes say() is unaffected. The run ends exactly one way: either
// the scenario finishes (finish()) or the runner stops it (stop()); each returns false when the other, or
// itself, came first.
namespace runtime {
void set_main_pid(int pid);
bool finish();
bool stop();
bool stopping();
// Blocks the calling thread until the program ends.
[[noreturn]] void park();
} // namespace runtime

} // namespace scenario
