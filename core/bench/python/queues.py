"""CPython counterpart of core/bench/queues.cpp: the same workloads, one JSON object per line."""
import json
import multiprocessing
import sys
import time

ITEMS = 200_000
PRODUCERS = 4
ROUND_TRIPS = 20_000


def report(workload, unit, value):
    print(json.dumps({"workload": workload, "unit": unit, "value": value}), flush=True)


def produce(queue, go, first, n):
    go.wait()
    for i in range(first, first + n):
        queue.put(i)


def respond(requests, responses):
    for request in iter(requests.get, None):
        responses.put(request)


def per_item(ctx, queue, n, consume):
    go = ctx.Event()
    children = [ctx.Process(target=produce, args=(queue, go, i * (ITEMS // n), ITEMS // n)) for i in range(n)]
    for p in children:
        p.start()
    start = time.perf_counter()
    go.set()
    total = consume(ITEMS)
    elapsed = time.perf_counter() - start
    for p in children:
        p.join()
    if total != ITEMS * (ITEMS - 1) // 2:  # every item once
        sys.exit(1)
    return elapsed / ITEMS


def get_all(queue, n):
    return sum(queue.get() for _ in range(n))


def get_all_done(queue, n):
    total = 0
    for _ in range(n):
        total += queue.get()
        queue.task_done()
    queue.join()
    return total


def main():
    ctx = multiprocessing.get_context('fork')

    q = ctx.Queue()
    report("queue.throughput_1p_1c", "s/op", per_item(ctx, q, 1, lambda n: get_all(q, n)))
    q = ctx.SimpleQueue()
    report("simplequeue.throughput_1p_1c", "s/op", per_item(ctx, q, 1, lambda n: get_all(q, n)))
    q = ctx.JoinableQueue()
    report("joinablequeue.throughput_1p_1c", "s/op", per_item(ctx, q, 1, lambda n: get_all_done(q, n)))
    q = ctx.Queue()
    report("queue.throughput_4p_1c", "s/op", per_item(ctx, q, PRODUCERS, lambda n: get_all(q, n)))

    requests, responses = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=respond, args=(requests, responses))
    p.start()
    for i in range(1000):  # warm-up
        requests.put(i)
        responses.get()
    start = time.perf_counter()
    for i in range(ROUND_TRIPS):
        requests.put(i)
        if responses.get() != i:
            sys.exit(1)
    elapsed = time.perf_counter() - start
    requests.put(None)
    p.join()
    report("queue.round_trip", "s/op", elapsed / ROUND_TRIPS)


if __name__ == '__main__':
    main()
