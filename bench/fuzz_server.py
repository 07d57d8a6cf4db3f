"""A long fuzz run of every Prefsight RPC on a live server: no INTERNAL, no hang, no crash.

Runs ``tests/integration/test_server_fuzz.py`` (requests generated from the
protobuf descriptors by hypothesis, sent to an in-process server over a copy of a
demo store audited with the tiny random llama) with many more examples per RPC
than the test suite, then prints how many answers each RPC got per status code.
The test suite runs 12 examples per RPC and pass (``RPC~`` rows: the pass that
mutates one or two fields of a request answered OK); the target is zero INTERNAL, UNKNOWN or
DEADLINE_EXCEEDED answers at any count.

Run: python bench/fuzz_server.py [--examples 500]
About 2 s per 10 examples per RPC on 2 shared cores, after a 1-2 min audit of the
demo store.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500, help="Examples per RPC.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "counts.json"
        env = {**os.environ, "PREFSIGHT_FUZZ_EXAMPLES": str(args.examples), "PREFSIGHT_FUZZ_REPORT": str(report)}
        test = REPO / "tests" / "integration" / "test_server_fuzz.py"
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)], env=env, cwd=REPO
        )
        counts = json.loads(report.read_text()) if report.exists() else {}
    by_method: dict[str, dict[str, int]] = defaultdict(dict)
    for key, n in counts.items():
        method, code = key.split(" ")
        by_method[method][code] = n
    bad = ("INTERNAL", "UNKNOWN", "DEADLINE_EXCEEDED")
    print(f"\n{'rpc':<16} {'answers':>8}  statuses")
    for method in sorted(by_method):
        codes = by_method[method]
        listed = ", ".join(f"{c} {n}" for c, n in sorted(codes.items(), key=lambda x: -x[1]))
        print(f"{method:<16} {sum(codes.values()):>8}  {listed}")
    worst = sum(n for codes in by_method.values() for c, n in codes.items() if c in bad)
    print(f"\n{sum(counts.values())} answers, {worst} INTERNAL/UNKNOWN/DEADLINE_EXCEEDED")
    return result.returncode or (1 if worst else 0)


if __name__ == "__main__":
    sys.exit(main())
