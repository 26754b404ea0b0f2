# The seed's Pool usage example, with --method to choose the start method. The last get(timeout=1) raises
# multiprocessing.TimeoutError (the worker sleeps for 10 s); here it is caught and named, so that the
# program ends normally.
import argparse
import multiprocessing as mp
from multiprocessing import Pool
import time


def f(x):
    return x*x


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='fork', choices=['fork', 'spawn', 'forkserver'])
    mp.set_start_method(parser.parse_args().method)
    # start 4 worker processes
    with Pool(processes=4) as pool:
        # evaluate "f(10)" asynchronously in a single process
        result = pool.apply_async(f, (10,))

        # prints "100" unless your computer is *very* slow
        print(result.get(timeout=1))

        # prints "[0, 1, 4,..., 81]"
        print(pool.map(f, range(10)))

        it = pool.imap(f, range(10))
        # prints "0"
        print(next(it))

        # prints "1"
        print(next(it))

        # prints "4" unless your computer is *very* slow
        print(it.next(timeout=1))

        result = pool.apply_async(time.sleep, (10,))
        try:
            print(result.get(timeout=1))
        except mp.TimeoutError:
            print('TimeoutError')  # raises multiprocessing.TimeoutError
