# The seed's terminate session as a script, with --method to choose the start method.
import argparse
import multiprocessing
import signal
import time

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', default='fork', choices=['fork', 'spawn', 'forkserver'])
    multiprocessing.set_start_method(parser.parse_args().method)
    p = multiprocessing.Process(target=time.sleep, args=(1000,))
    print(p, p.is_alive())
    p.start()
    print(p, p.is_alive())
    p.terminate()
    time.sleep(0.1)
    print(p, p.is_alive())
    print(p.exitcode == -signal.SIGTERM)
