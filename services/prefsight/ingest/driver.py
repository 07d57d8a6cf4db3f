"""The ingest driver: read, validate, plan, fan out to Ray workers, write.

Owns: the order of an ingest run. Everything is read, parsed, checked against
the ids already stored and tokenised before the store is touched, so a bad row
leaves the store as it was. Workers return Arrow tables; this process is the
single writer that appends them to LanceDB, removing rows a crashed earlier run
already wrote. Per batch it writes token samples, then activations, then the
new pairs' rows, which make them visible (see ``prefsight.store.tables``): a
run cancelled or killed at any point leaves only whole pairs visible, and a
rerun completes the rest.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

import prefsight
from prefsight.data.pairs import PreferencePair, RowError
from prefsight.data.readers import Dataset, SkippedRow, read_pairs
from prefsight.data.tokenize import EncodedPair, encode_pair
from prefsight.errors import BadRow, InvalidArgument
from prefsight.ingest.forward import BatchResult
from prefsight.ingest.plan import IngestConfig, pending_pairs, plan_batches
from prefsight.ingest.ray_session import ensure_ray, make_workers
from prefsight.models import (
    DEFAULT_MODEL,
    default_layers,
    load_tokenizer,
    resolve_layers,
)
from prefsight.store.tables import RunRecord, Store

log = logging.getLogger(__name__)


@dataclass
class IngestProgress:
    """Reported after each written batch (and once when workers are ready)."""

    stage: str  # "ready", "batch", "done"
    pairs_done: int
    pairs_total: int
    tokens: int
    seconds: float
    worker_pids: list[int] = field(default_factory=list)


@dataclass
class IngestResult:
    """What one run did; ``tokens`` counts real tokens forwarded (prompt once)."""

    store: str
    model: str
    layers: list[int]
    pairs: int
    pairs_in_dataset: int
    already_ingested: int
    tokens: int
    seconds: float
    skipped: list[SkippedRow]
    run_id: str
    pairs_by_node: dict[str, int] = field(default_factory=dict)
    """Pairs each Ray node forwarded (node id -> pairs)."""

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0

    @property
    def pairs_per_s(self) -> float:
        return self.pairs / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "model": self.model,
            "layers": self.layers,
            "pairs": self.pairs,
            "pairs_in_dataset": self.pairs_in_dataset,
            "already_ingested": self.already_ingested,
            "tokens": self.tokens,
            "seconds": round(self.seconds, 3),
            "tokens_per_s": round(self.tokens_per_s, 1),
            "pairs_per_s": round(self.pairs_per_s, 2),
            "skipped": [s.__dict__ for s in self.skipped],
            "run_id": self.run_id,
            "pairs_by_node": self.pairs_by_node,
        }


def encode_dataset(
    dataset: Dataset, tokenizer: Any, config: IngestConfig, *, skip_bad: bool
) -> list[EncodedPair]:
    """Tokenise every pair; a pair that cannot be tokenised is a bad row."""
    encoded = []
    for pair in dataset.pairs:
        try:
            encoded.append(
                encode_pair(
                    tokenizer, pair, max_length=config.max_length, truncation=config.truncation
                )
            )
        except RowError as exc:
            if not skip_bad:
                raise BadRow(dataset.source, pair.source_line, str(exc)) from None
            dataset.skipped.append(SkippedRow(dataset.source, pair.source_line, str(exc)))
    kept = {e.pair_id for e in encoded}
    dataset.pairs = [p for p in dataset.pairs if p.pair_id in kept]
    return encoded


def check_stored_ids(dataset: Dataset, store_uri: str, *, skip_bad: bool) -> set[str]:
    """Refuse pairs whose id is already stored with other content; return the stored ids.

    Raises:
        BadRow: the first such pair (file and line), unless ``skip_bad`` (then it
            is recorded in ``dataset.skipped`` and dropped).
    """
    if "://" not in store_uri and not Path(store_uri).is_dir():
        return set()  # no store yet; do not create one before every check has passed
    stored = Store(store_uri).stored_content({p.pair_id for p in dataset.pairs})
    kept = []
    for pair in dataset.pairs:
        if pair.pair_id in stored and stored[pair.pair_id] != pair.content_hash():
            problem = f"id {pair.pair_id!r} is already in the store with other content"
            if not skip_bad:
                raise BadRow(dataset.source, pair.source_line, problem)
            dataset.skipped.append(SkippedRow(dataset.source, pair.source_line, problem))
            continue
        kept.append(pair)
    dataset.pairs = kept
    return set(stored) & {p.pair_id for p in kept}


def _drop_written(result: BatchResult, done: dict[str, set[int]]) -> pa.Table:
    """Remove (pair, layer) rows an earlier, interrupted run already wrote."""
    table = result.activations
    if not done:
        return table
    keep = [
        layer not in done.get(pair_id, ())
        for pair_id, layer in zip(
            table.column("pair_id").to_pylist(), table.column("layer").to_pylist(), strict=True
        )
    ]
    return table.filter(pa.array(keep))


def _cap_samples(table: pa.Table, remaining: int) -> pa.Table:
    if table.num_rows <= remaining:
        return table
    return table.slice(0, max(0, remaining))


def ingest(
    data: str | Path | Any,
    store_uri: str | Path,
    *,
    model: str = DEFAULT_MODEL,
    config: IngestConfig = IngestConfig(),
    workers: int | None = None,
    address: str | None = None,
    device: str | None = None,
    dtype: str = "float32",
    limit: int | None = None,
    skip_bad: bool = False,
    fmt: str = "auto",
    progress: Callable[[IngestProgress], None] | None = None,
) -> IngestResult:
    """Forward every pair of a dataset and store its pooled activations.

    Args:
        data: dataset file or folder, ``owner/name[:split]`` in the local Hugging
            Face cache, or a ``datasets.Dataset`` (see ``prefsight.data.readers``).
        store_uri: store folder or ``s3://`` URI; created if missing.
        model: model spec (alias, folder, .gguf, cached hub id).
        config: layers, lengths, batching and token sampling.
        workers: number of ForwardWorker actors (default: one per GPU, else 1).
        address: a Ray cluster to join; default a local Ray.
        device: ``cpu`` or ``cuda`` (default: cuda when Ray sees GPUs).
        dtype: ``float32`` or ``bfloat16``.
        limit: only the first ``limit`` pairs of the dataset.
        skip_bad: skip bad rows (recorded in the result) instead of failing.
        fmt: row format, default auto-detected per row.
        progress: called after each batch is written.

    Returns:
        An ``IngestResult``; ``seconds`` excludes Ray start-up and model loading.

    Raises:
        BadRow: a malformed row, or an id stored with other content (file and
            line), before anything is written.
        InvalidArgument, NotFound: bad layers, model or options.
    """
    dataset = read_pairs(data, fmt=fmt, skip_bad=skip_bad, limit=limit)
    tokenizer, model_id, n_layers = load_tokenizer(model)
    layers = resolve_layers(list(config.layers) or default_layers(n_layers), n_layers)
    stored = check_stored_ids(dataset, str(store_uri), skip_bad=skip_bad)
    encoded = encode_dataset(dataset, tokenizer, config, skip_bad=skip_bad)
    if not encoded:
        raise InvalidArgument(f"{dataset.name}: every row was skipped as bad")

    store = Store(str(store_uri), create=True)
    store.drop_uncommitted()
    done = store.completed(model_id, layers)
    todo = pending_pairs(encoded, done, layers)
    started = datetime.now(timezone.utc).isoformat()
    run_id = uuid.uuid4().hex[:12]
    result = IngestResult(
        str(store_uri),
        model_id,
        layers,
        0,
        len(encoded),
        len(encoded) - len(todo),
        0,
        0.0,
        list(dataset.skipped),
        run_id,
    )
    commit = _PairCommitter(
        store, {p.pair_id: p for p in dataset.pairs if p.pair_id not in stored}, dataset
    )
    commit.complete_ones({p.pair_id for p in todo})
    if todo:
        _forward_all(
            todo,
            done,
            commit,
            store,
            model,
            layers,
            config,
            workers,
            address,
            device,
            dtype,
            result,
            progress,
        )
    store.add_run(
        RunRecord(
            run_id=run_id,
            kind="ingest",
            model=model_id,
            layers=layers,
            dataset=dataset.source,
            fingerprint=dataset.fingerprint,
            prefsight_version=prefsight.__version__,
            started=started,
            finished=datetime.now(timezone.utc).isoformat(),
            pairs=result.pairs,
            tokens=result.tokens,
            details=json.dumps(
                {
                    "seconds": result.seconds,
                    "skipped": len(result.skipped),
                    "already_ingested": result.already_ingested,
                }
            ),
        )
    )
    return result


class _PairCommitter:
    """Writes the rows of a batch's new pairs once their activations are stored."""

    def __init__(
        self, store: Store, new_pairs: dict[str, PreferencePair], dataset: Dataset
    ) -> None:
        self.store, self.new_pairs, self.dataset = store, new_pairs, dataset

    def complete_ones(self, todo: set[str]) -> None:
        """Rows for new pairs whose vectors are all stored already (none are, normally)."""
        self.store.commit_pairs(
            [self.new_pairs.pop(i) for i in list(self.new_pairs) if i not in todo],
            self.dataset.name,
            self.dataset.fingerprint,
        )

    def __call__(self, activations: pa.Table) -> None:
        ids = pc.unique(activations.column("pair_id")).to_pylist()
        pairs = [self.new_pairs.pop(i) for i in ids if i in self.new_pairs]
        self.store.commit_pairs(pairs, self.dataset.name, self.dataset.fingerprint)


def _forward_all(
    todo: list[EncodedPair],
    done: dict[str, set[int]],
    commit: _PairCommitter,
    store: Store,
    model: str,
    layers: list[int],
    config: IngestConfig,
    workers: int | None,
    address: str | None,
    device: str | None,
    dtype: str,
    result: IngestResult,
    progress: Callable[[IngestProgress], None] | None,
) -> None:
    from prefsight.ingest.dispatch import Dispatch

    ensure_ray(address)
    actors, pids = make_workers(
        model, layers, workers=workers, device=device, dtype=dtype, task_retries=0
    )
    batches = plan_batches(
        todo, token_budget=config.token_budget, max_batch_pairs=config.max_batch_pairs
    )
    report = progress or (lambda _p: None)
    report(IngestProgress("ready", 0, len(todo), 0, 0.0, pids))
    dispatch = Dispatch(actors)
    sample_left = config.max_sample_tokens
    clock = time.perf_counter()
    per_response = config.sample_per_response
    work = dispatch.run(batches, per_response)
    for batch_result in work:
        samples = _cap_samples(batch_result.token_samples, sample_left)
        # token samples, activations (marks pairs complete), pair rows (make them visible)
        if samples.num_rows:
            store.upsert_token_samples(samples)
            sample_left -= samples.num_rows
        store.append_activations(_drop_written(batch_result, done))
        commit(batch_result.activations)
        result.pairs += batch_result.pairs
        result.tokens += batch_result.tokens
        result.seconds = time.perf_counter() - clock
        report(
            IngestProgress("batch", result.pairs, len(todo), result.tokens, result.seconds, pids)
        )
    result.pairs_by_node = dict(dispatch.pairs_by_node)
    report(IngestProgress("done", result.pairs, len(todo), result.tokens, result.seconds, pids))
    log.info("ingested %d pairs, %d tokens in %.1f s", result.pairs, result.tokens, result.seconds)
