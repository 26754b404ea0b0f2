"""CPython counterpart of core/bench/pool.cpp: the same workloads, one JSON object per line."""
import json
import multiprocessing
import time


def report(workload, unit, value):
    print(json.dumps({"workload": workload, "unit": unit, "value": value}), flush=True)


def square(x):
    return x * x


def main():
    with multiprocessing.get_context('fork').Pool(2) as pool:
        big = list(range(100_000))
        for _ in range(3):  # warm-up: workers and handlers reach their steady state
            pool.map(square, big)
        rounds = 10
        start = time.perf_counter()
        for _ in range(rounds):
            pool.map(square, big)
        report("pool.map 100000 items (default chunksize)", "s/op", (time.perf_counter() - start) / rounds)

        small = list(range(10_000))
        start = time.perf_counter()
        for _ in range(2):
            pool.map(square, small, chunksize=1)
        report("pool.map 10000 items (chunksize 1)", "s/op", (time.perf_counter() - start) / 2)

        trips = 2000
        for i in range(200):
            pool.apply_async(square, (i,)).get()
        start = time.perf_counter()
        for i in range(trips):
            pool.apply_async(square, (i,)).get()
        report("pool.apply_async().get() round trip", "s/op", (time.perf_counter() - start) / trips)

    for method, rounds in (("fork", 20), ("spawn", 5), ("forkserver", 20)):
        ctx = multiprocessing.get_context(method)
        with ctx.Pool(2) as pool:  # starts the forkserver, warms the page cache
            pool.apply(square, (1,))
        total = 0.0
        for _ in range(rounds):
            start = time.perf_counter()
            pool = ctx.Pool(2)
            pool.apply(square, (3,))
            total += time.perf_counter() - start
            pool.terminate()
            pool.join()
        report(f"pool create + first result ({method})", "s/op", total / rounds)


if __name__ == '__main__':
    main()
