// JoinableQueue (core/examples/python/joinable_queue.py): a daemonic worker marks each item done with
// task_done(); join() returns once every item put has been marked. The worker starts after the requests
// are sent, so the output order does not depend on scheduling. --method picks the start method.
#include "example_method.hpp"

#include <mp/process.hpp>
#include <mp/queues.hpp>

#include <iostream>

void worker(mp::JoinableQueue q) {
    for (;;) {
        mp::Object item = q.get();
        std::cout << "Working on " << item << std::endl;
        std::cout << "Finished " << item << std::endl;
        q.task_done();
    }
}
MP_TASK(worker);

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);

    mp::JoinableQueue q;

    // Send five task requests to the worker.
    for (int item = 0; item < 5; ++item)
        q.put(item);
    std::cout << "All task requests sent" << std::endl;

    // The worker never returns: as a daemon it is terminated when the main process exits.
    mp::Process p(worker, mp::args(q), mp::Object::dict(), std::nullopt, true);
    p.start();

    // Block until all tasks are done.
    q.join();
    std::cout << "All work completed" << std::endl;
}
