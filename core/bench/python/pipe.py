"""CPython counterpart of core/bench/pipe.cpp: the same workloads, one JSON object per line."""
import json
import multiprocessing
import time

ROUND_TRIPS = 20000
SMALL_OBJECT = [1, 'abc', None]
CHUNK = b'\x5a' * (1 << 20)
CHUNKS = 512


def echo(conn):
    while True:
        obj = conn.recv()
        if obj is None:
            break
        conn.send(obj)


def sink(conn):
    received = 0
    while True:
        data = conn.recv_bytes()
        if not data:
            break
        received += len(data)
    conn.send(received)


def report(workload, unit, value):
    print(json.dumps({"workload": workload, "unit": unit, "value": value}), flush=True)


def main():
    ctx = multiprocessing.get_context('fork')

    parent, child = ctx.Pipe()
    p = ctx.Process(target=echo, args=(child,))
    p.start()
    for _ in range(1000):  # warm-up
        parent.send(SMALL_OBJECT)
        parent.recv()
    start = time.perf_counter()
    for _ in range(ROUND_TRIPS):
        parent.send(SMALL_OBJECT)
        parent.recv()
    elapsed = time.perf_counter() - start
    parent.send(None)
    p.join()
    report("pipe.roundtrip_small_object", "s/op", elapsed / ROUND_TRIPS)

    parent, child = ctx.Pipe()
    p = ctx.Process(target=sink, args=(child,))
    p.start()
    parent.send_bytes(CHUNK)  # warm-up
    start = time.perf_counter()
    for _ in range(CHUNKS):
        parent.send_bytes(CHUNK)
    parent.send_bytes(b'')
    received = parent.recv()
    elapsed = time.perf_counter() - start
    p.join()
    assert received == (CHUNKS + 1) * len(CHUNK)
    report("pipe.send_bytes_1MiB", "MiB/s", CHUNKS * len(CHUNK) / (1 << 20) / elapsed)


if __name__ == '__main__':
    main()
