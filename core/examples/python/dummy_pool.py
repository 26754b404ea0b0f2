# The seed's Pool examples with multiprocessing.dummy, where the pool's workers are threads of this
# process: the introduction's `with Pool(5) as p: print(p.map(f, [1, 2, 3]))`, then the "Using a pool of
# workers" example without its ten-second sleep. The workers report os.getpid(): with threads it is the
# main process's pid every time. Threads have no start method: --method is accepted and ignored. One
# change: imap_unordered's results are printed sorted, since their order varies from run to run.
import argparse
import os
from multiprocessing.dummy import Pool


def f(x):
    return x*x


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='fork', choices=['fork', 'spawn', 'forkserver'])
    parser.parse_args()

    with Pool(5) as p:
        print(p.map(f, [1, 2, 3]))

    # start 4 worker threads
    with Pool(processes=4) as pool:
        # print "[0, 1, 4,..., 81]"
        print(pool.map(f, range(10)))
        # print the same numbers (they arrive in arbitrary order)
        for i in sorted(pool.imap_unordered(f, range(10))):
            print(i)
        # evaluate "f(20)" asynchronously
        res = pool.apply_async(f, (20,))      # runs in *only* one thread
        print(res.get(timeout=1))             # prints "400"
        # evaluate "os.getpid()" asynchronously
        res = pool.apply_async(os.getpid, ()) # runs in *only* one thread
        print(res.get(timeout=1))             # prints the PID of this process
        # launching multiple evaluations asynchronously: every thread has the same pid
        multiple_results = [pool.apply_async(os.getpid, ()) for i in range(4)]
        print([res.get(timeout=1) for res in multiple_results])
        print("For the moment, the pool remains available for more work")
    # exiting the 'with'-block has stopped the pool
    print("Now the pool is closed and no longer available")
