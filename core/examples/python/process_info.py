# The seed's info() example (its typos fixed: print, os.getppid), with --method to choose the start method.
import argparse
import multiprocessing as mp
import os
from multiprocessing import Process


def info(title):
    print(title)
    print('module name:', __name__)
    print('parent process:', os.getppid())
    print('process id:', os.getpid())


def f(name):
    info('function f')
    print('hello', name)


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='fork', choices=['fork', 'spawn', 'forkserver'])
    mp.set_start_method(parser.parse_args().method)
    info('main line')
    p = Process(target=f, args=('bob',))
    p.start()
    p.join()
