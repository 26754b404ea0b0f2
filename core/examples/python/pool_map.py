# The seed's first Pool example, with --method to choose the start method.
import argparse
import multiprocessing as mp
from multiprocessing import Pool


def f(x):
    return x*x


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='fork', choices=['fork', 'spawn', 'forkserver'])
    mp.set_start_method(parser.parse_args().method)
    with Pool(5) as p:
        print(p.map(f, [1, 2, 3]))
