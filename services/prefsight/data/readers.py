"""Read preference datasets from disk into ``PreferencePair`` lists.

Owns: file formats (JSONL, JSONL.gz, Parquet, a Hugging Face dataset saved with
``save_to_disk``), the all-or-nothing validation pass and ``--skip-bad``
bookkeeping, and the dataset fingerprint. Row formats live in ``pairs``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefsight.data.pairs import PreferencePair, RowError, parse_row
from prefsight.errors import BadRow, InvalidArgument, NotFound

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SkippedRow:
    """A row left out under ``skip_bad``, and why."""

    source: str
    line: int
    problem: str


@dataclass
class Dataset:
    """Pairs read from one source, in file order, with what was skipped."""

    name: str
    pairs: list[PreferencePair]
    source: str = ""
    skipped: list[SkippedRow] = field(default_factory=list)
    duplicates: int = 0

    @property
    def fingerprint(self) -> str:
        """A hash of every pair's id and content, in order."""
        digest = hashlib.sha256()
        for pair in self.pairs:
            digest.update(pair.pair_id.encode())
            digest.update(pair.content_hash().encode())
        return digest.hexdigest()[:16]


def _iter_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, RowError(f"malformed JSON: {exc.msg} at column {exc.colno}")


def _iter_arrow_rows(table: Any) -> Iterator[tuple[int, Any]]:
    yield from enumerate(table.to_pylist(), start=1)


def _iter_parquet(path: Path) -> Iterator[tuple[int, Any]]:
    import pyarrow.parquet as pq

    yield from _iter_arrow_rows(pq.read_table(path))


def _iter_hf_saved(path: Path) -> Iterator[tuple[int, Any]]:
    """A ``Dataset.save_to_disk`` folder: Arrow IPC stream shards + state.json."""
    import pyarrow as pa

    state = json.loads((path / "state.json").read_text())
    files = [path / f["filename"] for f in state.get("_data_files", [])]
    if not files:
        raise InvalidArgument(f"{path}: state.json lists no data files")
    offset = 0
    for file in files:
        with pa.memory_map(str(file)) as source:
            table = pa.ipc.open_stream(source).read_all()
        for number, row in _iter_arrow_rows(table):
            yield offset + number, row
        offset += table.num_rows


def iter_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield (1-based line or row number, decoded row or RowError) from a file or folder.

    Raises:
        NotFound: the path does not exist.
        InvalidArgument: the extension or folder layout is not a known format.
    """
    if not path.exists():
        raise NotFound(f"dataset {path} does not exist")
    if path.is_dir():
        if (path / "state.json").exists():
            return _iter_hf_saved(path)
        if (path / "dataset_dict.json").exists():
            raise InvalidArgument(
                f"{path} is a DatasetDict; point at one split folder inside it "
                f"({', '.join(sorted(p.name for p in path.iterdir() if p.is_dir()))})"
            )
        raise InvalidArgument(f"{path} is a folder but not a saved Hugging Face dataset")
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz", ".json.gz", ".ndjson")):
        return _iter_jsonl(path)
    if name.endswith(".parquet"):
        return _iter_parquet(path)
    raise InvalidArgument(
        f"{path}: unknown dataset file type; use .jsonl, .jsonl.gz, .parquet or a "
        "folder written by datasets.save_to_disk"
    )


def read_pairs(
    path: str | Path,
    *,
    fmt: str = "auto",
    skip_bad: bool = False,
    limit: int | None = None,
) -> Dataset:
    """Read and validate every row before anything is written.

    Args:
        path: the dataset file or folder.
        fmt: a row format from ``prefsight.data.pairs.FORMATS``.
        skip_bad: record bad rows in ``Dataset.skipped`` instead of failing.
        limit: keep only the first ``limit`` good pairs.

    Returns:
        The dataset; pairs repeated with identical content are kept once.

    Raises:
        BadRow: the first bad row (file and line) when ``skip_bad`` is off.
        InvalidArgument: an ``id`` reused for different content, or no pairs.
    """
    path = Path(path)
    dataset = Dataset(name=path.name, pairs=[], source=str(path))
    seen: dict[str, str] = {}
    for line, row in iter_rows(path):
        if limit is not None and len(dataset.pairs) >= limit:
            break
        try:
            if isinstance(row, RowError):
                raise row
            pair = parse_row(row, fmt, line)
        except RowError as exc:
            if not skip_bad:
                raise BadRow(str(path), line, str(exc)) from None
            dataset.skipped.append(SkippedRow(str(path), line, str(exc)))
            continue
        content = pair.content_hash()
        if pair.pair_id in seen:
            if seen[pair.pair_id] != content:
                problem = f"id {pair.pair_id!r} reused for different content"
                if not skip_bad:
                    raise BadRow(str(path), line, problem)
                dataset.skipped.append(SkippedRow(str(path), line, problem))
            else:
                dataset.duplicates += 1
            continue
        seen[pair.pair_id] = content
        dataset.pairs.append(pair)
    if not dataset.pairs:
        raise InvalidArgument(f"{path}: no usable preference pairs")
    return dataset
