// The seed's Queue example of worker processes (core/examples/queue_workers.cpp): workers take
// (function, arguments) tasks from one queue until they meet the 'STOP' sentinel and put their results on
// another. C++ cannot send a function, so a task names a registered one. Results arrive in whatever order
// the workers finish.
#include "scenario.hpp"

#include <mp/queues.hpp>

#include <random>
#include <string>
#include <vector>

namespace {

using scenario::say;

// The tempo of the worker process, for the random pauses of the tasks.
scenario::Tempo worker_tempo;

void random_pause() {
    thread_local std::mt19937 random(std::random_device{}());
    std::uniform_real_distribution<double> half_second(0.0, 0.5);
    worker_tempo.pause(half_second(random));
}

// Functions referenced by tasks
std::int64_t mul(std::int64_t a, std::int64_t b) {
    random_pause();
    return a * b;
}
MP_TASK(mul);

std::int64_t plus(std::int64_t a, std::int64_t b) {
    random_pause();
    return a + b;
}
MP_TASK(plus);

// Function used to calculate result
std::string calculate(const std::string& func, const mp::Object& args) {
    mp::Object result = (*mp::find_task(func))(args, mp::Object::dict());
    return mp::current_process().name() + " says that " + func + args.repr() + " = " + result.str();
}

// Function run by worker processes
void worker(mp::Queue input, mp::Queue output, scenario::Tempo tempo) {
    worker_tempo = tempo;
    for (mp::Object task = input.get(); task != mp::Object("STOP"); task = input.get())
        output.put(calculate(task[0].as_str(), task[1]));
}
MP_TASK(worker);

void run(const scenario::Params& params, mp::Context& ctx, const scenario::Tempo& tempo) {
    const int number_of_processes = params.integer("workers");
    std::vector<mp::Object> tasks1, tasks2;
    for (int i = 0; i < 20; ++i)
        tasks1.push_back(mp::Object::tuple("mul", mp::Object::tuple(i, 7)));
    for (int i = 0; i < 10; ++i)
        tasks2.push_back(mp::Object::tuple("plus", mp::Object::tuple(i, 8)));

    // Create queues
    mp::Queue task_queue = ctx.Queue();
    task_queue.set_label("task_queue");
    mp::Queue done_queue = ctx.Queue();
    done_queue.set_label("done_queue");

    // Submit tasks
    for (const auto& task : tasks1)
        task_queue.put(task);

    // Start worker processes
    std::vector<mp::Process> workers;
    for (int i = 0; i < number_of_processes; ++i) {
        workers.push_back(ctx.Process(worker, mp::args(task_queue, done_queue, tempo)));
        workers.back().start();
    }

    // Get and print results
    say("Unordered results:");
    for (std::size_t i = 0; i < tasks1.size(); ++i)
        say("\t ", done_queue.get().str());

    // Add more tasks using `put()`
    for (const auto& task : tasks2)
        task_queue.put(task);

    // Get and print some more results
    for (std::size_t i = 0; i < tasks2.size(); ++i)
        say("\t ", done_queue.get().str());

    // Tell child processes to stop
    for (int i = 0; i < number_of_processes; ++i)
        task_queue.put("STOP");
    scenario::join_all(workers);
}

const scenario::Register registered({
    .name = "queue_workers",
    .params = {{"workers", 4, 1, 16}},
    .run = run,
});

} // namespace
