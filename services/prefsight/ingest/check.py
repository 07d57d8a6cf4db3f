"""The validation pass of an ingest run: read, parse, check and tokenise every pair first.

Owns checking a whole dataset against the store before anything is written, keeping
only ids and content hashes (never the pairs), so a bad row leaves the store as it
was. The run itself (planning, workers, writing) is ``prefsight.ingest.driver``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefsight.data.pairs import PreferencePair, RowError
from prefsight.data.readers import Dataset, SkippedRow, iter_pairs, open_source
from prefsight.data.tokenize import EncodedPair, encode_pair
from prefsight.errors import BadRow, InvalidArgument
from prefsight.ingest.plan import IngestConfig
from prefsight.store.tables import Store


@dataclass
class CheckedDataset:
    """What the validation pass keeps of a dataset: ids and hashes, never the pairs."""

    name: str
    source: str
    kept: dict[str, str]  # pair_id -> content hash of pairs to ingest, in file order
    stored: set[str]  # kept ids whose pairs row is already in the store
    skipped: list[SkippedRow]
    fingerprint: str


def chunked(pairs: Iterator[PreferencePair], size: int) -> Iterator[list[PreferencePair]]:
    """Lists of up to ``size`` consecutive pairs."""
    chunk: list[PreferencePair] = []
    for pair in pairs:
        chunk.append(pair)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def encode_for_ingest(tokenizer: Any, pair: PreferencePair, config: IngestConfig) -> EncodedPair:
    """Tokenise ``pair`` with the run's length and truncation settings."""
    return encode_pair(tokenizer, pair, max_length=config.max_length, truncation=config.truncation)


def check_dataset(
    data: Any, store_uri: str, tokenizer: Any, config: IngestConfig, *, fmt: str, skip_bad: bool, limit: int | None
) -> CheckedDataset:
    """Read, parse, check against the store and tokenise every pair, chunk by chunk,
    before anything is written; keep only ids and content hashes.

    Raises:
        BadRow: the first bad row, or an id stored with other content (file and
            line), unless ``skip_bad`` (then it is recorded and left out).
        InvalidArgument: no usable pairs.
    """
    source = open_source(data)
    sink = Dataset(name=source.name, pairs=[], source=source.label)
    has_store = "://" in store_uri or Path(store_uri).is_dir()
    reader = Store(store_uri) if has_store else None
    kept: dict[str, str] = {}
    stored: set[str] = set()
    digest = hashlib.sha256()
    parsed = 0
    pairs = iter_pairs(source, sink, fmt=fmt, skip_bad=skip_bad, limit=limit)
    for chunk in chunked(pairs, config.chunk_pairs):
        parsed += len(chunk)
        in_store = reader.stored_content({p.pair_id for p in chunk}) if reader else {}
        for pair in chunk:
            content = pair.content_hash()
            problem = None
            if pair.pair_id in in_store and in_store[pair.pair_id] != content:
                problem = f"id {pair.pair_id!r} is already in the store with other content"
            else:
                try:
                    encode_for_ingest(tokenizer, pair, config)
                except RowError as exc:
                    problem = str(exc)
            if problem is not None:
                if not skip_bad:
                    raise BadRow(sink.source, pair.source_line, problem) from None
                sink.skipped.append(SkippedRow(sink.source, pair.source_line, problem))
                continue
            kept[pair.pair_id] = content
            if pair.pair_id in in_store:
                stored.add(pair.pair_id)
            digest.update(pair.pair_id.encode())
            digest.update(content.encode())
    if not parsed:
        raise InvalidArgument(f"{source.label}: no usable preference pairs")
    if not kept:
        raise InvalidArgument(f"{source.name}: every row was skipped as bad")
    return CheckedDataset(source.name, source.label, kept, stored, sink.skipped, digest.hexdigest()[:16])
