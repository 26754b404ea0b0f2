"""CPython counterpart of core/bench/dummy.cpp: the same workloads, one JSON object per line."""
import json
import threading
import time
from multiprocessing import dummy

UNCONTENDED_OPS = 2_000_000
CONTENDED_OPS = 200_000  # per thread, 4 threads
QUEUE_ITEMS = 200_000
PING_PONGS = 20_000
MAP_ITEMS = 100_000
ASYNC_TASKS = 20_000
IMAP_ITEMS = 20_000


def report(workload, unit, value):
    print(json.dumps({"workload": workload, "unit": unit, "value": value}), flush=True)


def square(x):
    return x * x


def main():
    lock = dummy.Lock()
    start = time.perf_counter()
    for _ in range(UNCONTENDED_OPS):
        lock.acquire()
        lock.release()
    report("dummy.lock.uncontended", "s/op", (time.perf_counter() - start) / UNCONTENDED_OPS)

    lock = dummy.Lock()
    go = dummy.Event()

    def hammer():
        go.wait()
        for _ in range(CONTENDED_OPS):
            lock.acquire()
            lock.release()

    threads = [dummy.Process(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    go.set()
    for t in threads:
        t.join()
    report("dummy.lock.contended (4 threads)", "s/op", (time.perf_counter() - start) / (4 * CONTENDED_OPS))

    q = dummy.Queue()
    start = time.perf_counter()
    for i in range(QUEUE_ITEMS):
        q.put(i)
    for _ in range(QUEUE_ITEMS):
        q.get()
    report("dummy.queue.put_then_get", "s/op", (time.perf_counter() - start) / QUEUE_ITEMS)

    q = dummy.Queue(1000)
    start = time.perf_counter()

    def produce():
        for i in range(QUEUE_ITEMS):
            q.put(i)

    producer = dummy.Process(target=produce)
    producer.start()
    for _ in range(QUEUE_ITEMS):
        q.get()
    producer.join()
    report("dummy.queue.producer_consumer", "s/op", (time.perf_counter() - start) / QUEUE_ITEMS)

    a, b = dummy.Pipe()

    def echo():
        for _ in range(PING_PONGS):
            b.send(b.recv())

    echoer = dummy.Process(target=echo)
    echoer.start()
    start = time.perf_counter()
    for i in range(PING_PONGS):
        a.send(i)
        a.recv()
    echoer.join()
    report("dummy.pipe.ping_pong", "s/op", (time.perf_counter() - start) / PING_PONGS)

    with dummy.Pool(4) as pool:
        pool.map(square, [1, 2, 3])  # warm-up
        start = time.perf_counter()
        pool.map(square, range(MAP_ITEMS))
        report("dummy.pool.map (4 threads)", "s/op", (time.perf_counter() - start) / MAP_ITEMS)

        start = time.perf_counter()
        results = [pool.apply_async(square, (i,)) for i in range(ASYNC_TASKS)]
        for r in results:
            r.get()
        report("dummy.pool.apply_async (4 threads)", "s/op", (time.perf_counter() - start) / ASYNC_TASKS)

        start = time.perf_counter()
        for _ in pool.imap(square, range(IMAP_ITEMS)):
            pass
        report("dummy.pool.imap (4 threads)", "s/op", (time.perf_counter() - start) / IMAP_ITEMS)


if __name__ == '__main__':
    main()
