"""Read preference datasets into ``PreferencePair`` lists.

Owns: file formats (JSONL, JSONL.gz, Parquet, a Hugging Face dataset saved with
``save_to_disk``), which source a dataset argument names (a file or folder, a
hub name in the local cache, a ``datasets.Dataset``), the all-or-nothing
validation pass and ``--skip-bad`` bookkeeping, and the dataset fingerprint.
Row formats live in ``pairs``, the Hugging Face specifics in ``hub``.

Every problem with the input is an ``InvalidArgument`` (``BadRow`` with
file:line for a row): invalid UTF-8 and malformed JSON are bad rows; a UTF-8
BOM at the start of a file is accepted; a corrupt or truncated ``.gz`` is
``Unreadable`` from the line it reached (``skip_bad`` keeps the rows before it).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefsight.data import hub
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


class Unreadable(BadRow):
    """The file cannot be read on from ``line`` (a corrupt or truncated .gz)."""


_BOM = b"\xef\xbb\xbf"
_GZIP_ERRORS = (OSError, EOFError, zlib.error)


def decode_line(raw: bytes, number: int) -> Any:
    """One JSONL line as a decoded value, or a ``RowError`` saying what is wrong."""
    if number == 1 and raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RowError(f"invalid UTF-8 at byte {exc.start + 1} of the line")
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return RowError(f"malformed JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return RowError("malformed JSON: nested too deeply")
    except ValueError as exc:  # e.g. an integer literal over Python's digit limit
        return RowError(f"malformed JSON: {exc}")


def _iter_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """Lines as bytes, so invalid UTF-8 is one bad line and a corrupt .gz a clear error."""
    is_gzip = path.name.lower().endswith(".gz")
    number = 0
    try:
        handle = gzip.open(path, "rb") if is_gzip else open(path, "rb")
    except OSError as exc:
        raise InvalidArgument(f"{path}: cannot open ({exc.strerror or exc})") from None
    with handle:
        lines = iter(handle)
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                return
            except _GZIP_ERRORS as exc:
                reason = str(exc) or type(exc).__name__
                raise Unreadable(str(path), number + 1, f"cannot read on after line {number} ({reason})") from None
            number += 1
            value = decode_line(raw, number)
            if value is not None:
                yield number, value


def _iter_arrow_rows(batches: Iterator[Any], source: str, offset: int = 0) -> Iterator[tuple[int, Any]]:
    """Rows of Arrow record batches; a batch that cannot be decoded (invalid UTF-8,
    a corrupt page) makes the rest ``Unreadable``."""
    import pyarrow as pa

    number = offset
    while True:
        try:
            batch = next(batches, None)
            if batch is None:
                return
            rows = batch.to_pylist()
        except (pa.ArrowException, OSError, ValueError) as exc:  # UnicodeDecodeError is one
            raise Unreadable(source, number + 1, f"cannot read on after row {number} ({exc})") from None
        for row in rows:
            number += 1
            yield number, row


def _iter_parquet(path: Path) -> Iterator[tuple[int, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InvalidArgument(f"{path}: not a readable Parquet file ({exc})") from None
    yield from _iter_arrow_rows(parquet.iter_batches(batch_size=1024), str(path))


def _iter_hf_saved(path: Path) -> Iterator[tuple[int, Any]]:
    """A ``Dataset.save_to_disk`` folder: Arrow IPC stream shards + state.json."""
    import pyarrow as pa

    try:
        state = json.loads((path / "state.json").read_text())
        files = [path / f["filename"] for f in state.get("_data_files", [])]
    except (ValueError, TypeError, KeyError, AttributeError, OSError) as exc:
        raise InvalidArgument(f"{path}/state.json: not a datasets state file ({exc})") from None
    if not files:
        raise InvalidArgument(f"{path}: state.json lists no data files")
    offset = 0
    for file in files:
        try:
            with pa.memory_map(str(file)) as source:
                table = pa.ipc.open_stream(source).read_all()
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise InvalidArgument(f"{file}: not a readable Arrow file ({exc})") from None
        yield from _iter_arrow_rows(iter(table.to_batches(max_chunksize=1024)), str(file), offset)
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


@dataclass(frozen=True)
class Source:
    """What a dataset argument names: a short name, a label for errors, and its rows."""

    name: str
    label: str
    rows: Iterator[tuple[int, Any]]


def open_source(data: str | Path | Any) -> Source:
    """Resolve a dataset argument: a file or folder, ``owner/name[:split]`` from the
    local Hugging Face cache (when no such path exists), or a ``datasets.Dataset``.

    Raises:
        NotFound: neither a path nor a cached hub dataset.
        InvalidArgument: an unknown file type, a DatasetDict, or an unknown split.
    """
    if hub.is_hf_dataset(data):
        label = hub.dataset_label(data)
        return Source(label, label, hub.iter_dataset_rows(data))
    if hub.is_hf_dataset_dict(data):
        names: Any = data
        splits = ", ".join(sorted(str(name) for name in names))
        raise InvalidArgument(f"a DatasetDict; pass one split of it ({splits})")
    if not isinstance(data, (str, Path)):
        raise InvalidArgument(f"dataset must be a path, a hub name or a datasets.Dataset, got {type(data).__name__}")
    path = Path(data)
    named = hub.parse_hub_name(str(data)) if not path.exists() else None
    if named is not None:
        loaded = hub.load_cached(*named)
        return Source(named[0], str(data), hub.iter_dataset_rows(loaded))
    return Source(path.name, str(path), iter_rows(path))


def read_pairs(
    path: str | Path | Any, *, fmt: str = "auto", skip_bad: bool = False, limit: int | None = None
) -> Dataset:
    """Read and validate every row before anything is written.

    Args:
        path: the dataset file or folder, a cached hub name or a ``datasets.Dataset``
            (see ``open_source``).
        fmt: a row format from ``prefsight.data.pairs.FORMATS``.
        skip_bad: record bad rows in ``Dataset.skipped`` instead of failing.
        limit: keep only the first ``limit`` good pairs.

    Returns:
        The dataset; pairs repeated with identical content are kept once.

    Raises:
        BadRow: the first bad row (file and line) when ``skip_bad`` is off.
        InvalidArgument: an ``id`` reused for different content, or no pairs.
    """
    source = open_source(path)
    dataset = Dataset(name=source.name, pairs=[], source=source.label)
    dataset.pairs.extend(iter_pairs(source, dataset, fmt=fmt, skip_bad=skip_bad, limit=limit))
    if not dataset.pairs:
        raise InvalidArgument(f"{source.label}: no usable preference pairs")
    return dataset


def iter_pairs(
    source: Source,
    sink: Dataset,
    *,
    fmt: str = "auto",
    skip_bad: bool = False,
    limit: int | None = None,
    dedupe: bool = True,
) -> Iterator[PreferencePair]:
    """Parse ``source``'s rows one at a time: the streaming form of ``read_pairs``.

    Yields each distinct pair once, in file order; bad rows and repeats are recorded
    in ``sink.skipped`` and ``sink.duplicates`` (``sink.pairs`` is left alone). Only
    an id -> (content hash, line) map grows with the dataset; ``dedupe=False`` keeps
    none (repeats are yielded again, ids reused for other content are not caught:
    for a second read of rows already checked).

    Raises:
        BadRow: the first bad row (file and line) when ``skip_bad`` is off.
    """
    seen: dict[str, tuple[str, int]] = {}
    yielded = 0
    try:
        for line, row in source.rows:
            if limit is not None and yielded >= limit:
                break
            pair = _add_row(sink, seen, line, row, fmt, skip_bad=skip_bad)
            if not dedupe:
                seen.clear()
            if pair is not None:
                yielded += 1
                yield pair
    except Unreadable as exc:
        if not skip_bad:
            raise
        sink.skipped.append(SkippedRow(exc.source, exc.line, exc.problem))


def _add_row(
    dataset: Dataset, seen: dict[str, tuple[str, int]], line: int, row: Any, fmt: str, *, skip_bad: bool
) -> PreferencePair | None:
    """Parse one new pair, or record (or raise) why the row is bad or a repeat."""
    try:
        if isinstance(row, RowError):
            raise row
        pair = parse_row(row, fmt, line)
        content = pair.content_hash()
        if pair.pair_id in seen and seen[pair.pair_id][0] != content:
            raise RowError(f"id {pair.pair_id!r} reused for different content (first at line {seen[pair.pair_id][1]})")
    except RowError as exc:
        if not skip_bad:
            raise BadRow(dataset.source, line, str(exc)) from None
        dataset.skipped.append(SkippedRow(dataset.source, line, str(exc)))
        return None
    if pair.pair_id in seen:
        dataset.duplicates += 1
        return None
    seen[pair.pair_id] = (content, line)
    return pair
