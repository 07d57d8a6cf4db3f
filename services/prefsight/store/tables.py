"""LanceDB reads and idempotent appends for the activation store.

Owns: opening a store (local folder or ``s3://`` URI), creating tables on first
write, the idempotency rules, and typed reads that return numpy arrays. Column
names and schemas come from ``schema``; nothing here knows about models.

Idempotency: one ingest batch is one LanceDB append to ``activations`` (a single
atomic commit), holding every row of each (pair, layer) it covers; a (pair,
layer) is complete exactly when its rows are present, so a rerun after a crash
computes only what is missing. Token samples are upserted on their full key,
written before the activations.

Visibility: a pair's row in ``pairs`` is its commit marker. It is written after
the pair's first activations, so a pair counted in ``pairs`` always has them;
reads of pooled vectors skip activations of pairs with no row (an ingest killed
between the two writes, or one still writing), and ``drop_uncommitted`` removes
them before the next ingest recomputes those pairs. A store whose vectors were
written without any ``pairs`` table (benchmarks) is read as is.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from prefsight.data.pairs import PreferencePair
from prefsight.errors import FailedPrecondition, InvalidArgument, NotFound
from prefsight.store import schema as S

log = logging.getLogger(__name__)

_TOKEN_KEY = ["pair_id", "side", "layer", "model", "position"]

CACHE_BYTES: int = int(os.environ.get("PREFSIGHT_LANCE_CACHE_MB", "64")) << 20
"""Bound of each of LanceDB's two caches (table metadata, indexes) in this process,
shared by every ``Store`` (``$PREFSIGHT_LANCE_CACHE_MB``, default 64). LanceDB's
default session keeps the manifest of every table version it has seen, up to
GiBs: an ingest commits twice per batch, so its driver grew ~1 GB between 20k and
200k pairs (``bench/scale.py``) until the caches were bounded."""

_session_lock = threading.Lock()
_session: Any = None


def lance_session() -> Any:
    """The process's ``lancedb.Session``, with caches bounded by ``CACHE_BYTES``."""
    global _session
    with _session_lock:
        if _session is None:
            import lancedb

            _session = lancedb.Session(index_cache_size_bytes=CACHE_BYTES, metadata_cache_size_bytes=CACHE_BYTES)
        return _session


@dataclass(frozen=True)
class RunRecord:
    """One row of the run manifest."""

    run_id: str
    kind: str
    model: str
    layers: list[int]
    dataset: str
    fingerprint: str
    prefsight_version: str
    started: str
    finished: str
    pairs: int
    tokens: int
    details: str = "{}"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_in(column: str, values: list[str] | list[int]) -> str:
    """A SQL ``IN`` filter for LanceDB ``where`` clauses, values quoted."""
    items = ", ".join(_quote(v) if isinstance(v, str) else str(int(v)) for v in values)
    return f"{column} IN ({items})"


def _pairs_table(pairs: list[PreferencePair], dataset: str, fingerprint: str) -> pa.Table:
    return pa.table(
        {
            "pair_id": [p.pair_id for p in pairs],
            "prompt": [json.dumps(p.prompt, ensure_ascii=False) for p in pairs],
            "chosen": [p.chosen for p in pairs],
            "rejected": [p.rejected for p in pairs],
            "metadata": [json.dumps(p.metadata, ensure_ascii=False, default=str) for p in pairs],
            "dataset": [dataset] * len(pairs),
            "fingerprint": [fingerprint] * len(pairs),
            "source_line": [p.source_line for p in pairs],
        },
        schema=S.PAIRS_SCHEMA,
    )


class Store:
    """An activation store: a LanceDB database at a folder or object-store URI."""

    def __init__(self, uri: str, *, create: bool = False) -> None:
        import lancedb

        self.uri = str(uri)
        is_remote = "://" in self.uri
        if not is_remote and not create and not os.path.isdir(self.uri):
            raise NotFound(f"store {self.uri} does not exist (run `prefsight ingest` first)")
        # Always see the latest committed version: readers stay correct while an
        # ingest appends (each append is one atomic commit).
        self.db = lancedb.connect(self.uri, read_consistency_interval=timedelta(0), session=lance_session())
        self._tables: dict[str, Any] = {}

    # -- tables -------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self._tables or name in self.db.list_tables().tables

    def table(self, name: str) -> Any:
        """Open an existing table.

        Raises:
            FailedPrecondition: the table has not been written yet.
        """
        if name not in self._tables:
            if not self.has(name):
                raise FailedPrecondition(f"store {self.uri} has no {name!r} table yet (run `prefsight ingest`)")
            self._tables[name] = self.db.open_table(name)
        return self._tables[name]

    def table_for_write(self, name: str, schema: pa.Schema) -> Any:
        if name in self._tables or self.has(name):
            table = self.table(name)
            existing = table.schema.field("vector").type if "vector" in schema.names else None
            if existing is not None and existing != schema.field("vector").type:
                raise InvalidArgument(
                    f"store {self.uri} holds vectors of width {existing.list_size}; "
                    f"this model has {schema.field('vector').type.list_size} (use another store)"
                )
            return table
        table = self.db.create_table(name, schema=schema, exist_ok=True)
        self._tables[name] = table
        return table

    def d_model(self) -> int:
        return int(self.table(S.ACTIVATIONS).schema.field("vector").type.list_size)

    # -- writes -------------------------------------------------------------

    def upsert_pairs(self, pairs: list[PreferencePair], dataset: str, fingerprint: str) -> None:
        """Insert pairs that are not in the store yet (by ``pair_id``)."""
        if pairs:
            table = self.table_for_write(S.PAIRS, S.PAIRS_SCHEMA)
            data = _pairs_table(pairs, dataset, fingerprint)
            table.merge_insert("pair_id").when_not_matched_insert_all().execute(data)

    def commit_pairs(self, pairs: list[PreferencePair], dataset: str, fingerprint: str) -> None:
        """Append rows of pairs known to be absent, in one commit: this makes them visible.

        The ingest driver calls it after the pairs' activations are written.
        """
        if pairs:
            table = self.table_for_write(S.PAIRS, S.PAIRS_SCHEMA)
            table.add(_pairs_table(pairs, dataset, fingerprint))

    def stored_content(self, pair_ids: set[str]) -> dict[str, str]:
        """``pair_id -> content hash`` (``PreferencePair.content_hash``) of the stored
        pairs among ``pair_ids``."""
        if not pair_ids or not self.has(S.PAIRS):
            return {}
        rows = self.scan(S.PAIRS, ["pair_id"])
        wanted = pa.array(sorted(pair_ids), pa.string())
        ids = rows.filter(pc.is_in(rows.column("pair_id"), value_set=wanted))
        ids = ids.column("pair_id").to_pylist()
        found: dict[str, str] = {}
        for start in range(0, len(ids), 1000):
            where = sql_in("pair_id", ids[start : start + 1000])
            stored = self.scan(S.PAIRS, ["pair_id", "prompt", "chosen", "rejected"], where)
            for row in stored.to_pylist():
                pair = PreferencePair(row["pair_id"], json.loads(row["prompt"]), row["chosen"], row["rejected"])
                found[pair.pair_id] = pair.content_hash()
        return found

    def drop_uncommitted(self) -> list[str]:
        """Delete activations and token samples of pairs with no row in ``pairs``.

        An ingest killed between writing a batch's vectors and its pairs leaves
        such rows; the next ingest recomputes those pairs. Only the store's single
        writer calls this, before it writes. It creates an empty ``pairs`` table
        when there is none, so that every vector written later has its marker table
        (pooled reads of a store without one are not filtered).

        Returns:
            The pair ids whose rows were removed.
        """
        if not self.has(S.PAIRS):
            if self.has(S.ACTIVATIONS):  # vectors written with no pairs at all (benchmarks)
                return []
            self.table_for_write(S.PAIRS, S.PAIRS_SCHEMA)
        committed = self.scan(S.PAIRS, ["pair_id"]).column("pair_id")
        orphans: set[str] = set()
        for name, where in ((S.ACTIVATIONS, "side = 'chosen' AND pooling = 'mean'"), (S.TOKEN_SAMPLES, None)):
            if self.has(name):
                ids = pc.unique(self.scan(name, ["pair_id"], where).column("pair_id"))
                stray = ids.filter(pc.invert(pc.is_in(ids, value_set=committed)))
                orphans.update(stray.to_pylist())
        ordered = sorted(orphans)
        for name in (S.ACTIVATIONS, S.TOKEN_SAMPLES):
            for start in range(0, len(ordered), 1000) if self.has(name) else ():
                self.table(name).delete(sql_in("pair_id", ordered[start : start + 1000]))
        if ordered:
            log.info("removed rows of %d uncommitted pairs from %s", len(ordered), self.uri)
        return ordered

    def append_activations(self, batch: pa.Table) -> None:
        """Append pooled rows; the caller has removed rows already present."""
        if batch.num_rows:
            d_model = batch.schema.field("vector").type.list_size
            self.table_for_write(S.ACTIVATIONS, S.activations_schema(d_model)).add(batch)

    def upsert_token_samples(self, batch: pa.Table) -> None:
        if batch.num_rows:
            d_model = batch.schema.field("vector").type.list_size
            table = self.table_for_write(S.TOKEN_SAMPLES, S.token_samples_schema(d_model))
            table.merge_insert(_TOKEN_KEY).when_not_matched_insert_all().execute(batch)

    def add_run(self, record: RunRecord) -> None:
        row = asdict(record)
        data = pa.Table.from_pylist([row], schema=S.RUNS_SCHEMA)
        self.table_for_write(S.RUNS, S.RUNS_SCHEMA).add(data)

    def compact(self, pieces: dict[str, int] | None = None) -> dict[str, int]:
        """Merge the small files that per-batch appends leave into large ones.

        An ingest appends once per batch, so a 200k-pair store was ~1,900 small files and
        every full read paid for each (a 60k store's side: 1.63 s to read, 0.46 s once
        merged). A new table version with the same rows; readers of older versions keep
        working: LanceDB's prune (part of ``optimize``) removes only files of versions
        older than 7 days. A table with no small files is left as it is.

        Args:
            pieces: what ``fragmented`` returned, when the caller already asked.

        Returns:
            ``{table: files before}`` for each table that was compacted.
        """
        pieces = self.fragmented() if pieces is None else pieces
        for name in pieces:
            self.table(name).optimize()
        return pieces

    def fragmented(self) -> dict[str, int]:
        """``{table: files}`` of the tables ``compact`` would merge (more than one small file)."""
        pieces = {}
        for name in (S.ACTIVATIONS, S.PAIRS, S.TOKEN_SAMPLES):
            if self.has(name):
                files = self.table(name).stats()["fragment_stats"]
                if files["num_small_fragments"] > 1:
                    pieces[name] = int(files["num_fragments"])
        return pieces

    # -- reads --------------------------------------------------------------

    def scan(self, name: str, columns: list[str], where: str | None = None) -> pa.Table:
        query = self.table(name).search().select(columns).limit(None)
        if where:
            query = query.where(where)
        return query.to_arrow()

    def completed(self, model: str, layers: list[int]) -> dict[str, set[int]]:
        """Map pair_id -> layers already complete for ``model``."""
        if not self.has(S.ACTIVATIONS):
            return {}
        where = f"model = {_quote(model)} AND side = 'chosen' AND pooling = 'mean' AND " + sql_in("layer", layers)
        rows = self.scan(S.ACTIVATIONS, ["pair_id", "layer"], where)
        done: dict[str, set[int]] = {}
        for pair_id, layer in zip(rows.column("pair_id").to_pylist(), rows.column("layer").to_pylist(), strict=True):
            done.setdefault(pair_id, set()).add(layer)
        return done

    def pair_ids(self) -> list[str]:
        return self.scan(S.PAIRS, ["pair_id"]).column("pair_id").to_pylist()

    def read_pairs(self, pair_ids: list[str] | None = None) -> list[dict[str, Any]]:
        """Pairs as dicts (prompt and metadata decoded), in store order."""
        where = sql_in("pair_id", pair_ids) if pair_ids else None
        rows = self.scan(S.PAIRS, S.PAIRS_SCHEMA.names, where).to_pylist()
        for row in rows:
            row["prompt"] = json.loads(row["prompt"])
            row["metadata"] = json.loads(row["metadata"])
        if pair_ids is not None:
            found = {r["pair_id"] for r in rows}
            missing = [p for p in pair_ids if p not in found]
            if missing:
                raise NotFound(f"pair {missing[0]!r} not in store {self.uri}")
        return rows

    def models(self) -> list[str]:
        if not self.has(S.ACTIVATIONS):
            return []
        col = self.scan(S.ACTIVATIONS, ["model"]).column("model")
        return sorted(pc.unique(col).to_pylist())

    def layers(self, model: str) -> list[int]:
        if not self.has(S.ACTIVATIONS):
            return []
        rows = self.scan(S.ACTIVATIONS, ["layer"], f"model = {_quote(model)}")
        return sorted(pc.unique(rows.column("layer")).to_pylist())

    def read_pooled(
        self, *, model: str, layer: int, side: str, pooling: str, pair_ids: list[str] | None = None
    ) -> tuple[list[str], np.ndarray]:
        """Pooled vectors of one (layer, side, pooling), sorted by pair_id.

        Returns:
            (pair ids, float32 array of shape (n_pairs, d_model)).

        Raises:
            NotFound: unknown model or layer, naming those stored.
        """
        rows = self._pooled_rows(["pair_id", "vector"], model, layer, side, pooling, pair_ids)
        ids = rows.column("pair_id").to_pylist()
        vectors = rows.column("vector").combine_chunks()
        d = vectors.type.list_size
        array = vectors.flatten().to_numpy(zero_copy_only=False).reshape(len(ids), d)
        return ids, array.astype(np.float32, copy=False)

    def pooled_pair_ids(self, *, model: str, layer: int, side: str, pooling: str) -> list[str]:
        """The pair ids ``read_pooled`` would return, sorted, without reading the vectors."""
        return self._pooled_rows(["pair_id"], model, layer, side, pooling, None).column("pair_id").to_pylist()

    def _pooled_rows(
        self, columns: list[str], model: str, layer: int, side: str, pooling: str, pair_ids: list[str] | None
    ) -> pa.Table:
        where = (
            f"model = {_quote(model)} AND layer = {int(layer)} AND side = {_quote(side)} "
            f"AND pooling = {_quote(pooling)}"
        )
        if pair_ids is not None:
            where += " AND " + sql_in("pair_id", pair_ids)
        # The model and layer are checked only when nothing is found (each check is two scans),
        # so that an unknown one is named with those stored.
        if not self.has(S.ACTIVATIONS):
            self._check_model_layer(model, layer)
        rows = self.scan(S.ACTIVATIONS, columns, where)
        if not rows.num_rows:
            self._check_model_layer(model, layer)
        return self._committed(rows, pair_ids).sort_by("pair_id")

    def _committed(self, rows: pa.Table, pair_ids: list[str] | None) -> pa.Table:
        """``rows`` of pairs that have a row in ``pairs`` (all, when there is no such table)."""
        if not self.has(S.PAIRS) or not rows.num_rows:
            return rows
        where = sql_in("pair_id", pair_ids) if pair_ids else None
        committed = self.scan(S.PAIRS, ["pair_id"], where).column("pair_id")
        return rows.filter(pc.is_in(rows.column("pair_id"), value_set=committed))

    def read_token_samples(self, *, model: str, layer: int, limit: int | None = None) -> tuple[pa.Table, np.ndarray]:
        """Stored per-token activations of one layer: (metadata table, (n, d_model))."""
        self._check_model_layer(model, layer)
        where = f"model = {_quote(model)} AND layer = {int(layer)}"
        rows = self.scan(S.TOKEN_SAMPLES, ["pair_id", "side", "position", "token_id", "vector"], where)
        if limit is not None:
            rows = rows.slice(0, limit)
        vectors = rows.column("vector").combine_chunks()
        array = vectors.flatten().to_numpy(zero_copy_only=False).reshape(rows.num_rows, -1)
        return rows.drop(["vector"]), array.astype(np.float32, copy=False)

    def runs(self) -> list[dict[str, Any]]:
        if not self.has(S.RUNS):
            return []
        return self.table(S.RUNS).to_arrow().to_pylist()

    def _check_model_layer(self, model: str, layer: int) -> None:
        models = self.models()
        if model not in models:
            raise NotFound(f"model {model!r} not in store {self.uri} (models: {models})")
        layers = self.layers(model)
        if layer not in layers:
            raise InvalidArgument(f"layer {layer} not in store {self.uri} for {model} (layers: {layers})")

    def count(self, name: str, where: str | None = None) -> int:
        if not self.has(name):
            return 0
        return int(self.table(name).count_rows(where))
