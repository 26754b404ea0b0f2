// The seed's Queue example of worker processes (core/examples/python/queue_workers.py): four workers take
// (function, arguments) tasks from one queue until they meet the 'STOP' sentinel and put their results on
// another. C++ cannot send a function, so a task names a registered one. The results arrive in whatever
// order the workers finish, and which worker computes which task varies: the test compares the output
// sorted, with worker names masked. --method fork|spawn|forkserver picks the start method.
#include "calculate_tasks.hpp"
#include "example_method.hpp"

#include <mp/process.hpp>
#include <mp/queues.hpp>

#include <iostream>

// Function run by worker processes
void worker(mp::Queue input, mp::Queue output) {
    for (mp::Object task = input.get(); task != mp::Object("STOP"); task = input.get())
        output.put(calculate(task[0].as_str(), task[1]));
}
MP_TASK(worker);

void test() {
    constexpr int number_of_processes = 4;
    std::vector<mp::Object> tasks1, tasks2;
    for (int i = 0; i < 20; ++i)
        tasks1.push_back(mp::Object::tuple("mul", mp::Object::tuple(i, 7)));
    for (int i = 0; i < 10; ++i)
        tasks2.push_back(mp::Object::tuple("plus", mp::Object::tuple(i, 8)));

    // Create queues
    mp::Queue task_queue;
    mp::Queue done_queue;

    // Submit tasks
    for (const auto& task : tasks1)
        task_queue.put(task);

    // Start worker processes
    std::vector<mp::Process> workers;
    for (int i = 0; i < number_of_processes; ++i) {
        workers.emplace_back(worker, mp::args(task_queue, done_queue));
        workers.back().start();
    }

    // Get and print results
    std::cout << "Unordered results:" << std::endl;
    for (std::size_t i = 0; i < tasks1.size(); ++i)
        std::cout << "\t " << done_queue.get().str() << std::endl;

    // Add more tasks using `put()`
    for (const auto& task : tasks2)
        task_queue.put(task);

    // Get and print some more results
    for (std::size_t i = 0; i < tasks2.size(); ++i)
        std::cout << "\t " << done_queue.get().str() << std::endl;

    // Tell child processes to stop
    for (int i = 0; i < number_of_processes; ++i)
        task_queue.put("STOP");
}

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);
    test();
}
