# The seed's Lock example, with --method to choose the start method. One change: the children are joined
# before the main module ends. Without it, under spawn and forkserver the main process finishes, drops the
# Lock and unlinks its semaphore before the children have unpickled it, and they fail with
# FileNotFoundError (libmpcore keeps an object alive while a child may still attach to it).
# The children take the lock in whatever order the OS schedules them, so lines are compared sorted:
# mpscope-example: sort-output
import argparse
import multiprocessing as mp
from multiprocessing import Process, Lock


def f(l, i):
    l.acquire()
    try:
        print('hello world', i)
    finally:
        l.release()


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='fork', choices=['fork', 'spawn', 'forkserver'])
    mp.set_start_method(parser.parse_args().method)
    lock = Lock()

    children = [Process(target=f, args=(lock, num)) for num in range(10)]
    for p in children:
        p.start()
    for p in children:
        p.join()
