#!/usr/bin/env python3
"""Pairs C++ and CPython benchmark results by workload and prints a comparison table.

Each input file holds one JSON object per line: {"workload": str, "unit": "s/op" | "MiB/s", "value": number}.
The files come in pairs, C++ then CPython, one pair per round. The ratio is how many times faster C++ is:
CPython/C++ for time per operation, C++/CPython for throughput. With several rounds the table shows the
median of each side and of the per-round ratios (each ratio pairs the two sides of one round), and the
range of those ratios.
"""
import argparse
import json
import statistics
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


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", metavar="CPP CPYTHON",
                        help="JSON lines of the C++ benchmarks, then of the CPython ones; one pair per round")
    parser.add_argument("--json", help="write the paired results here")
    args = parser.parse_args()
    if len(args.files) % 2:
        parser.error("the files come in pairs (C++, CPython), one pair per round")

    rounds = [(load(args.files[i]), load(args.files[i + 1])) for i in range(0, len(args.files), 2)]
    workloads = sorted(set().union(*(cpp.keys() | python.keys() for cpp, python in rounds)))
    rows = []
    for workload in workloads:
        units = {side[workload][0] for pair in rounds for side in pair if workload in side}
        if len(units) > 1:
            sys.exit(f"{workload}: reported in different units: {', '.join(sorted(units))}")
        unit = units.pop()
        cpp_values = [cpp[workload][1] if workload in cpp else None for cpp, _ in rounds]
        python_values = [python[workload][1] if workload in python else None for _, python in rounds]
        ratios = [speedup(unit, c, p) for c, p in zip(cpp_values, python_values)]
        known = [r for r in ratios if r is not None]
        rows.append({"workload": workload, "unit": unit, "cpp": median(cpp_values),
                     "cpython": median(python_values), "ratio": median(ratios),
                     "ratio_min": min(known) if known else None, "ratio_max": max(known) if known else None,
                     "rounds": [{"cpp": c, "cpython": p, "ratio": r}
                                for c, p, r in zip(cpp_values, python_values, ratios)]})

    several = len(rounds) > 1
    table = [("workload", "C++", "CPython", "ratio") + (("range",) if several else ())]
    for r in rows:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        row = (r["workload"], human(r["unit"], r["cpp"]), human(r["unit"], r["cpython"]), ratio)
        if several:
            row += ("-" if r["ratio_min"] is None else f"{r['ratio_min']:.2f}-{r['ratio_max']:.2f}x",)
        table.append(row)
    columns = len(table[0])
    widths = [max(len(row[i]) for row in table) for i in range(columns)]
    if several:
        print(f"median of {len(rounds)} rounds; range: the lowest and highest ratio of a round")
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
