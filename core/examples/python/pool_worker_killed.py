# A worker killed in the middle of map(), with --method to choose the start method. CPython's map() would
# wait for ever for the killed worker's task (python/cpython#96062), so this original waits with a timeout
# and finds the dead worker itself, printing what libmpcore's map() raises on its own (WorkerLostError).
# Worker names vary with scheduling:
# mpscope-example: mask [A-Za-z]*PoolWorker-[0-9]+
import argparse
import multiprocessing as mp
import os
import signal


def square_or_die(x):
    if x == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return x * x


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='fork', choices=['fork', 'spawn', 'forkserver'])
    mp.set_start_method(parser.parse_args().method)
    items = list(range(8))
    with mp.Pool(2) as pool:
        workers = list(pool._pool)
        print('map over 8 items; item 3 kills its worker')
        try:
            print(pool.map_async(square_or_die, items, 1).get(timeout=2))
        except mp.TimeoutError:
            dead = [w for w in workers if w.exitcode is not None][0]
            print('WorkerLostError: Worker %s (pid %d) died while running this task: it was killed by signal %d (%s)'
                  % (dead.name, dead.pid, -dead.exitcode, signal.Signals(-dead.exitcode).name))
        items[3] = 0  # nobody dies this time
        print('the pool survives:', pool.map(square_or_die, items, 1))
        print(pool)
