# The seed's get_context example; --method picks the context's start method (default: spawn). It then
# prints get_start_method(allow_none=True) to show the default was left unset.
import argparse
import multiprocessing as mp


def foo(q):
    q.put('hello')


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='spawn', choices=['fork', 'spawn', 'forkserver'])
    ctx = mp.get_context(parser.parse_args().method)
    q = ctx.Queue()
    p = ctx.Process(target=foo, args=(q,))
    p.start()
    print(q.get())
    p.join()
    print(mp.get_start_method(allow_none=True))
