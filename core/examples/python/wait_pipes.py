# The seed's connection.wait() example, with --method to choose the start method. The children interleave
# nondeterministically, so the messages are collected and printed sorted at the end (the only change).
import argparse
import multiprocessing as mp
from multiprocessing import Process, Pipe, current_process
from multiprocessing.connection import wait


def foo(w):
    for i in range(10):
        w.send((i, current_process().name))
    w.close()


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='fork', choices=['fork', 'spawn', 'forkserver'])
    mp.set_start_method(parser.parse_args().method)
    readers = []
    messages = []

    for i in range(4):
        r, w = Pipe(duplex=False)
        readers.append(r)
        p = Process(target=foo, args=(w,))
        p.start()
        # We close the writable end of the pipe now to be sure that
        # p is the only process which owns a handle for it.  This
        # ensures that when p closes its handle for the writable end,
        # wait() will promptly report the readable end as being ready.
        w.close()

    while readers:
        for r in wait(readers):
            try:
                msg = r.recv()
            except EOFError:
                readers.remove(r)
            else:
                messages.append(msg)

    for msg in sorted(messages):
        print(msg)
