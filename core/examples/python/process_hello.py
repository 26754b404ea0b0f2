# The seed's first Process example, with --method to choose the start method.
import argparse
import multiprocessing as mp
from multiprocessing import Process


def f(name):
    print('hello', name)


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='fork', choices=['fork', 'spawn', 'forkserver'])
    mp.set_start_method(parser.parse_args().method)
    p = Process(target=f, args=('bob',))
    p.start()
    p.join()
