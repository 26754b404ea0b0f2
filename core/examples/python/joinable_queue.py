# JoinableQueue: the standard library's queue.Queue task_done()/join() example, with a daemonic worker
# process instead of a thread, and --method to choose the start method. The worker starts after the
# requests are sent, so that the output order does not depend on scheduling.
import argparse
import multiprocessing as mp


def worker(q):
    while True:
        item = q.get()
        print(f'Working on {item}', flush=True)
        print(f'Finished {item}', flush=True)
        q.task_done()


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='fork', choices=['fork', 'spawn', 'forkserver'])
    mp.set_start_method(parser.parse_args().method)
    q = mp.JoinableQueue()

    # Send five task requests to the worker.
    for item in range(5):
        q.put(item)
    print('All task requests sent', flush=True)

    mp.Process(target=worker, args=(q,), daemon=True).start()

    # Block until all tasks are done.
    q.join()
    print('All work completed')
