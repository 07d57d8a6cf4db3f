"""Wall time of the quick CLI queries, each in a fresh process, on an audited store.

Usage: python bench/cli_queries.py STORE [--repeat 3]

Prints, per command, the best and median wall seconds over the repeats (after one
warm-up run that also saves what the store does not hold yet) and the CPU seconds of
the best run. Point it at a copy of a store: the warm-up may write ``audit/saved/``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

QUERIES = (("--help",), ("info",), ("contrast", "--top", "20"), ("concepts", "list"), ("scores", "--concept", "FIRST"))


def run(args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "prefsight.cli", *args], check=True, capture_output=True, env=os.environ, timeout=900
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out = subprocess.run(
        [sys.executable, "-m", "prefsight.cli", "contrast", "--top", "1", "--json", "--store", args.store],
        check=True,
        capture_output=True,
        text=True,
    )
    first = json.loads(out.stdout)["concepts"][0]["id"]
    for query in QUERIES:
        argv = [first if a == "FIRST" else a for a in query]
        if query[0] != "--help":
            argv += ["--store", args.store]
        run(argv)  # warm-up: file cache, saved answers
        times = [run(argv) for _ in range(args.repeat)]
        walls = [w for w, _ in times]
        cpu = min(times)[1]
        print(
            f"prefsight {' '.join(query):<28} best {min(walls):.2f} s  median "
            f"{statistics.median(walls):.2f} s  cpu {cpu:.2f} s"
        )


if __name__ == "__main__":
    main()
