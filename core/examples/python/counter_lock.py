# The docs' note on Value: `counter.value += 1` is not atomic; `with counter.get_lock():` makes it so.
# Four processes add 20000 each, first without, then with the lock. How many updates are lost without the
# lock varies from run to run, so that figure is masked when compared:
# mpscope-example: mask in 4 processes: .*
import argparse
import multiprocessing as mp
from multiprocessing import Process, Value

INCREMENTS = 20000
PROCESSES = 4


def unsafe_add(counter, n):
    for _ in range(n):
        counter.value += 1


def safe_add(counter, n):
    for _ in range(n):
        with counter.get_lock():
            counter.value += 1


def run(task):
    counter = Value('i', 0)
    children = [Process(target=task, args=(counter, INCREMENTS)) for _ in range(PROCESSES)]
    for p in children:
        p.start()
    for p in children:
        p.join()
    return counter.value


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='fork', choices=['fork', 'spawn', 'forkserver'])
    mp.set_start_method(parser.parse_args().method)
    expected = PROCESSES * INCREMENTS
    unsafe = run(unsafe_add)
    print(f'counter.value += 1 in {PROCESSES} processes: {unsafe} of {expected} (lost {expected - unsafe})')
    print('never more than expected:', unsafe <= expected)
    print(f'with counter.get_lock(): {run(safe_add)} of {expected}')
