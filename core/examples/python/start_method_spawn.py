# The seed's set_start_method example; --method replaces its fixed 'spawn' (the default). It then shows
# the seed's note: a second set_start_method() raises RuntimeError.
import argparse
import multiprocessing as mp


def foo(q):
    q.put('hello')


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='spawn', choices=['fork', 'spawn', 'forkserver'])
    method = parser.parse_args().method
    mp.set_start_method(method)
    q = mp.Queue()
    p = mp.Process(target=foo, args=(q,))
    p.start()
    print(q.get())
    p.join()
    try:
        mp.set_start_method(method)
    except RuntimeError as e:
        print('RuntimeError:', e)
