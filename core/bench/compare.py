#!/usr/bin/env python3
"""Pairs C++ and CPython benchmark results by workload and prints a comparison table.

Each input file holds one JSON object per line: {"workload": str, "unit": "s/op" | "MiB/s", "value": number}.
The ratio is how many times faster C++ is: CPython/C++ for time per operation, C++/CPython for throughput.
"""
import argparse
import json
import sys

TIME_UNITS = {"s/op"}
THROUGHPUT_UNITS = {"MiB/s"}
# A figure of the C++ side alone (e.g. observation on/off), shown without a CPython counterpart.
RATIO_UNITS = {"ratio"}


def load(path):
    results = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
                workload, unit, value = record["workload"], record["unit"], float(record["value"])
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"{path}:{number}: not a benchmark line ({e}): {line!r}")
            if unit not in TIME_UNITS | THROUGHPUT_UNITS | RATIO_UNITS:
                sys.exit(f"{path}:{number}: unknown unit {unit!r}")
            results[workload] = (unit, value)
    return results


def speedup(unit, cpp, python):
    if unit in RATIO_UNITS or cpp is None or python is None or cpp == 0 or python == 0:
        return None
    return python / cpp if unit in TIME_UNITS else cpp / python


def human(unit, value):
    if value is None:
        return "-"
    if unit in RATIO_UNITS:
        return f"{value:.2f}x"
    if unit in TIME_UNITS:
        for scale, suffix in ((1e-9, "ns"), (1e-6, "µs"), (1e-3, "ms")):
            if value < scale * 1000:
                return f"{value / scale:.3g} {suffix}/op"
        return f"{value:.3g} s/op"
    return f"{value:.4g} {unit}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cpp", help="JSON lines from the C++ benchmarks")
    parser.add_argument("python", help="JSON lines from the CPython benchmarks")
    parser.add_argument("--json", help="write the paired results here")
    args = parser.parse_args()

    cpp, python = load(args.cpp), load(args.python)
    rows = []
    for workload in sorted(cpp.keys() | python.keys()):
        unit = (cpp.get(workload) or python.get(workload))[0]
        other = python.get(workload) or cpp.get(workload)
        if other[0] != unit:
            sys.exit(f"{workload}: C++ reports {unit}, CPython reports {other[0]}")
        cpp_value = cpp[workload][1] if workload in cpp else None
        python_value = python[workload][1] if workload in python else None
        rows.append({"workload": workload, "unit": unit, "cpp": cpp_value, "cpython": python_value,
                     "ratio": speedup(unit, cpp_value, python_value)})

    table = [("workload", "C++", "CPython", "ratio")]
    for r in rows:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        table.append((r["workload"], human(r["unit"], r["cpp"]), human(r["unit"], r["cpython"]), ratio))
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for n, row in enumerate(table):
        print("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
        if n == 0:
            print("  ".join("-" * w for w in widths))

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
