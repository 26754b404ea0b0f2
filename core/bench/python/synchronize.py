"""CPython counterpart of core/bench/synchronize.cpp: the same workloads, one JSON object per line."""
import json
import multiprocessing
import time

UNCONTENDED_OPS = 2_000_000
CONTENDED_OPS = 200_000
VALUE_INCREMENTS = 1_000_000
PING_PONGS = 20_000
BARRIER_CYCLES = 20_000


def report(workload, unit, value):
    print(json.dumps({"workload": workload, "unit": unit, "value": value}), flush=True)


def hammer(lock, go, n):
    go.wait()
    for _ in range(n):
        lock.acquire()
        lock.release()


def pong(ping, pong_event, n):
    for _ in range(n):
        ping.wait()
        ping.clear()
        pong_event.set()


def cycle(barrier, n):
    for _ in range(n):
        barrier.wait()


def main():
    ctx = multiprocessing.get_context('fork')

    lock = ctx.Lock()
    for _ in range(10_000):  # warm-up
        lock.acquire()
        lock.release()
    start = time.perf_counter()
    for _ in range(UNCONTENDED_OPS):
        lock.acquire()
        lock.release()
    per_op = (time.perf_counter() - start) / UNCONTENDED_OPS
    # CPython has no observation plane: its one figure stands against each C++ variant.
    for variant in ("observation off", "observation on", "inspector attached"):
        report(f"lock.uncontended ({variant})", "s/op", per_op)

    lock, go = ctx.Lock(), ctx.Event()
    a = ctx.Process(target=hammer, args=(lock, go, CONTENDED_OPS))
    b = ctx.Process(target=hammer, args=(lock, go, CONTENDED_OPS))
    a.start()
    b.start()
    start = time.perf_counter()
    go.set()
    a.join()
    b.join()
    report("lock.contended_2_processes", "s/op", (time.perf_counter() - start) / (2 * CONTENDED_OPS))

    v = ctx.Value('i', 0)
    start = time.perf_counter()
    for _ in range(VALUE_INCREMENTS):
        with v.get_lock():
            v.value += 1
    elapsed = time.perf_counter() - start
    assert v.value == VALUE_INCREMENTS
    report("value.locked_increment", "s/op", elapsed / VALUE_INCREMENTS)

    ping, pong_event = ctx.Event(), ctx.Event()
    p = ctx.Process(target=pong, args=(ping, pong_event, PING_PONGS))
    p.start()
    start = time.perf_counter()
    for _ in range(PING_PONGS):
        ping.set()
        pong_event.wait()
        pong_event.clear()
    elapsed = time.perf_counter() - start
    p.join()
    report("event.ping_pong", "s/op", elapsed / PING_PONGS)

    barrier = ctx.Barrier(2)
    p = ctx.Process(target=cycle, args=(barrier, BARRIER_CYCLES))
    p.start()
    start = time.perf_counter()
    for _ in range(BARRIER_CYCLES):
        barrier.wait()
    elapsed = time.perf_counter() - start
    p.join()
    report("barrier.cycle_2_processes", "s/op", elapsed / BARRIER_CYCLES)


if __name__ == '__main__':
    main()
