# CPython counterpart of core/bench/process.cpp: Process start+join per start method.
import json
import multiprocessing as mp
import time


def nothing():
    pass


def seconds_per_start_join(context, rounds):
    warm = context.Process(target=nothing)  # starts the forkserver, warms caches
    warm.start()
    warm.join()
    begin = time.perf_counter()
    for _ in range(rounds):
        p = context.Process(target=nothing)
        p.start()
        p.join()
        if p.exitcode != 0:
            raise RuntimeError('benchmark child failed')
    return (time.perf_counter() - begin) / rounds


if __name__ == '__main__':
    for method, rounds in (('fork', 200), ('spawn', 50), ('forkserver', 200)):
        value = seconds_per_start_join(mp.get_context(method), rounds)
        print(json.dumps({'workload': 'process start+join (%s)' % method, 'unit': 's/op', 'value': value}), flush=True)
