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
from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

import prefsight
from prefsight.data.pairs import PreferencePair
from prefsight.data.readers import Dataset, iter_pairs, open_source
from prefsight.data.tokenize import EncodedPair
from prefsight.errors import FailedPrecondition
from prefsight.ingest.check import CheckedDataset, check_dataset, chunked, encode_for_ingest
from prefsight.ingest.forward import BatchResult
from prefsight.ingest.plan import IngestConfig, pending_pairs, plan_batches
from prefsight.ingest.ray_session import ensure_ray, make_workers
from prefsight.ingest.result import IngestProgress, IngestResult
from prefsight.models import DEFAULT_MODEL, default_layers, load_tokenizer, resolve_layers
from prefsight.store.tables import RunRecord, Store

log = logging.getLogger(__name__)


def _drop_written(result: BatchResult, done: dict[str, set[int]]) -> pa.Table:
    """Remove (pair, layer) rows an earlier, interrupted run already wrote."""
    table = result.activations
    if not done:
        return table
    keep = [
        layer not in done.get(pair_id, ())
        for pair_id, layer in zip(table.column("pair_id").to_pylist(), table.column("layer").to_pylist(), strict=True)
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
    tokenizer, model_id, n_layers = load_tokenizer(model)
    layers = resolve_layers(list(config.layers) or default_layers(n_layers), n_layers)
    checked = check_dataset(data, str(store_uri), tokenizer, config, fmt=fmt, skip_bad=skip_bad, limit=limit)

    store = Store(str(store_uri), create=True)
    store.drop_uncommitted()
    done = store.completed(model_id, layers)
    wanted = set(layers)
    n_todo = sum(1 for i in checked.kept if not wanted <= done.get(i, set()))
    started = datetime.now(timezone.utc).isoformat()
    run_id = uuid.uuid4().hex[:12]
    result = IngestResult(
        str(store_uri),
        model_id,
        layers,
        0,
        len(checked.kept),
        len(checked.kept) - n_todo,
        0,
        0.0,
        list(checked.skipped),
        run_id,
    )
    commit = _PairCommitter(store, checked, result)
    planner = _planchunked(data, tokenizer, checked, done, layers, config, commit, fmt=fmt)
    if n_todo:
        _forward_all(
            planner,
            n_todo,
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
    else:  # nothing to forward; the planner still writes rows of complete pairs
        deque(planner, maxlen=0)
    # One append per batch leaves many small files; merged, a full read is ~3x faster.
    # Also compacts a store an earlier (killed, or older) run left in pieces.
    if pieces := store.fragmented():
        if progress is not None:
            progress(IngestProgress("compact", result.pairs, n_todo, result.tokens, result.seconds))
        started_compact = time.perf_counter()
        store.compact(pieces)
        result.compact_seconds = time.perf_counter() - started_compact
        log.info("merged the files of %s in %.1f s", pieces, result.compact_seconds)
    store.add_run(
        RunRecord(
            run_id=run_id,
            kind="ingest",
            model=model_id,
            layers=layers,
            dataset=checked.source,
            fingerprint=checked.fingerprint,
            prefsight_version=prefsight.__version__,
            started=started,
            finished=datetime.now(timezone.utc).isoformat(),
            pairs=result.pairs,
            tokens=result.tokens,
            details=json.dumps(
                {"seconds": result.seconds, "skipped": len(result.skipped), "already_ingested": result.already_ingested}
            ),
        )
    )
    return result


class _PairCommitter:
    """Writes the rows of a batch's new pairs once their activations are stored.

    Holds the pairs of planned chunks that are not yet written, and counts them:
    ``result.peak_pairs_held`` is the most pairs the driver held at once.
    """

    def __init__(self, store: Store, checked: CheckedDataset, result: IngestResult) -> None:
        self.store, self.checked, self.result = store, checked, result
        self.new_pairs: dict[str, PreferencePair] = {}
        self.held = 0

    def hold(self, chunk: list[PreferencePair], todo: set[str]) -> None:
        """Take a planned chunk: its new pairs wait for their vectors, except pairs
        whose vectors are all stored already (none are, normally): written now."""
        fresh = [p for p in chunk if p.pair_id not in self.checked.stored]
        self._write([p for p in fresh if p.pair_id not in todo])
        self.new_pairs.update((p.pair_id, p) for p in fresh if p.pair_id in todo)
        self.held += len(todo)
        self.result.peak_pairs_held = max(self.result.peak_pairs_held, self.held)

    def __call__(self, activations: pa.Table, n_pairs: int) -> None:
        ids = pc.unique(activations.column("pair_id")).to_pylist()
        self._write([self.new_pairs.pop(i) for i in ids if i in self.new_pairs])
        self.held -= n_pairs

    def _write(self, pairs: list[PreferencePair]) -> None:
        self.store.commit_pairs(pairs, self.checked.name, self.checked.fingerprint)


def _planchunked(
    data: Any,
    tokenizer: Any,
    checked: CheckedDataset,
    done: dict[str, set[int]],
    layers: list[int],
    config: IngestConfig,
    commit: _PairCommitter,
    *,
    fmt: str,
) -> Iterator[list[EncodedPair]]:
    """Read the dataset again, a chunk at a time, and yield its batches lazily.

    Only pairs the validation pass kept are taken, each once; the next chunk is read
    only when the dispatcher has handed out every batch of the previous one.

    Raises:
        FailedPrecondition: the dataset changed since it was checked.
    """
    source = open_source(data)
    sink = Dataset(name=source.name, pairs=[], source=source.label)
    left = checked.kept  # emptied as pairs are taken

    def kept_pairs() -> Iterator[PreferencePair]:
        for pair in iter_pairs(source, sink, fmt=fmt, skip_bad=True, dedupe=False):
            content = left.pop(pair.pair_id, None)
            if content is None:
                continue
            if content != pair.content_hash():
                raise FailedPrecondition(f"{source.label}:{pair.source_line}: the dataset changed during the ingest")
            yield pair
            if not left:
                return

    for chunk in chunked(kept_pairs(), config.chunk_pairs):
        encoded = [encode_for_ingest(tokenizer, pair, config) for pair in chunk]
        todo = pending_pairs(encoded, done, layers)
        commit.hold(chunk, {p.pair_id for p in todo})
        del chunk, encoded
        yield from plan_batches(todo, token_budget=config.token_budget, max_batch_pairs=config.max_batch_pairs)
    if left:
        raise FailedPrecondition(
            f"{source.label}: {len(left)} checked pairs are missing on the second read "
            "(the dataset changed during the ingest)"
        )


def _forward_all(
    batches: Iterator[list[EncodedPair]],
    n_todo: int,
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
    actors, pids = make_workers(model, layers, workers=workers, device=device, dtype=dtype, task_retries=0)
    report = progress or (lambda _p: None)
    report(IngestProgress("ready", 0, n_todo, 0, 0.0, pids))
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
        commit(batch_result.activations, batch_result.pairs)
        result.pairs += batch_result.pairs
        result.tokens += batch_result.tokens
        result.seconds = time.perf_counter() - clock
        report(IngestProgress("batch", result.pairs, n_todo, result.tokens, result.seconds, pids))
    result.pairs_by_node = dict(dispatch.pairs_by_node)
    report(IngestProgress("done", result.pairs, n_todo, result.tokens, result.seconds, pids))
    log.info("ingested %d pairs, %d tokens in %.1f s", result.pairs, result.tokens, result.seconds)
