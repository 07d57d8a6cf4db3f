"""A long fuzz run of the dataset readers: every outcome pairs or a clear InvalidArgument.

The same strategies and property as ``tests/unit/test_readers_fuzz.py`` (see
``tests/fuzz_rows.py``), with many more examples and a per-example time limit
that catches hangs. Prints how the outcomes split (ok / bad row / other invalid)
per container, the slowest example, and exits 1 on the first failure (which
hypothesis shrinks and prints).

Run: python bench/fuzz_readers.py [--examples 5000] [--deadline-ms 5000]
(2,000 examples per family took 102 s on 2 shared cores: 3,400 examples, no failure).
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.fuzz_rows import dataset_files, read_and_check, table_rows  # noqa: E402

OUTCOMES: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
SLOWEST = {"seconds": 0.0, "kind": ""}


def _timed(kind: str, run) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    OUTCOMES[kind][run()] += 1
    seconds = time.perf_counter() - start
    if seconds > SLOWEST["seconds"]:
        SLOWEST.update(seconds=seconds, kind=kind)


def fuzz_files(draw_data, skip_bad: bool) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as folder:
        path = draw_data.draw(dataset_files(Path(folder)))
        _timed(path.suffix, lambda: read_and_check(path, str(path), skip_bad=skip_bad))


def fuzz_parquet(draw_data, skip_bad: bool) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = table_rows(draw_data.draw)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.parquet"
        pq.write_table(pa.Table.from_pylist(rows), path)
        if draw_data.draw(st.booleans()):
            raw = bytearray(path.read_bytes())
            raw[draw_data.draw(st.integers(0, len(raw) - 1))] ^= 0xFF
            path.write_bytes(bytes(raw))
        _timed(".parquet", lambda: read_and_check(path, str(path), skip_bad=skip_bad))


def fuzz_dataset_object(draw_data, skip_bad: bool) -> None:  # type: ignore[no-untyped-def]
    import datasets

    dataset = datasets.Dataset.from_list(table_rows(draw_data.draw))
    _timed("Dataset", lambda: read_and_check(dataset, "<Dataset in-memory>", skip_bad=skip_bad))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="per container family")
    parser.add_argument("--deadline-ms", type=int, default=5000, help="per example (a hang fails)")
    args = parser.parse_args()
    config = settings(
        max_examples=args.examples, deadline=args.deadline_ms, database=None, suppress_health_check=list(HealthCheck)
    )
    started = time.perf_counter()
    for name, body, share in (
        ("jsonl/gz", fuzz_files, 1.0),
        ("parquet", fuzz_parquet, 0.5),
        ("datasets.Dataset", fuzz_dataset_object, 0.2),
    ):
        test = settings(config, max_examples=max(1, int(args.examples * share)))(
            given(draw_data=st.data(), skip_bad=st.booleans())(body)
        )
        print(f"fuzzing {name} ...", flush=True)
        test()
    total = sum(sum(c.values()) for c in OUTCOMES.values())
    print(f"{total} examples in {time.perf_counter() - started:.0f} s; no other exception, no hang")
    for kind, counts in sorted(OUTCOMES.items()):
        print(f"  {kind:<9} " + "  ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    print(f"  slowest example: {SLOWEST['seconds'] * 1000:.0f} ms ({SLOWEST['kind']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
