# The same child started under the default start method (--method) and then under each concrete context.
import argparse
import multiprocessing as mp


def show():
    print(mp.current_process().name, mp.get_start_method())


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='fork', choices=['fork', 'spawn', 'forkserver'])
    mp.set_start_method(parser.parse_args().method)
    p = mp.Process(target=show)
    p.start()
    p.join()
    for method in mp.get_all_start_methods():
        q = mp.get_context(method).Process(target=show)
        q.start()
        q.join()
