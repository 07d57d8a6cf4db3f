"""Persist concepts and SAE feature statistics in the store.

Owns: the ``concepts`` table (one row per concept, upserted by id), the
``feature_stats`` table (sparse per-span SAE statistics), where SAE folders
live (beside a local store, or mirrored from an object-store one), and
lookups with errors that list what exists.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from prefsight.concepts.types import Concept
from prefsight.errors import FailedPrecondition, NotFound
from prefsight.store import objects
from prefsight.store import schema as S
from prefsight.store.tables import Store, sql_in


def concepts_schema(d_model: int) -> pa.Schema:
    return pa.schema(
        [
            ("id", pa.string()),
            ("kind", pa.string()),
            ("layer", pa.int32()),  # -1: none (text checks)
            ("label", pa.string()),
            ("description", pa.string()),
            ("provenance", pa.string()),
            ("vector", S.vector_type(d_model)),
        ]
    )


FEATURE_STATS_SCHEMA = pa.schema(
    [
        ("pair_id", pa.string()),
        ("side", pa.string()),
        ("layer", pa.int32()),
        ("latents", pa.list_(pa.int32())),
        ("max_act", pa.list_(pa.float32())),
        ("freq", pa.list_(pa.float32())),
    ]
)


def save_concepts(store: Store, concepts: list[Concept], d_model: int) -> None:
    """Upsert concepts by id (a renamed or refitted concept replaces the old row)."""
    if not concepts:
        return
    zeros = np.zeros(d_model, np.float32)
    vectors = np.stack([c.vector.astype(np.float32) if c.vector is not None else zeros for c in concepts])
    schema = concepts_schema(d_model)
    data = pa.Table.from_arrays(
        [
            pa.array([c.id for c in concepts]),
            pa.array([c.kind for c in concepts]),
            pa.array([-1 if c.layer is None else c.layer for c in concepts], pa.int32()),
            pa.array([c.label for c in concepts]),
            pa.array([c.description for c in concepts]),
            pa.array([c.provenance_json() for c in concepts]),
            pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), d_model),
        ],
        schema=schema,
    )
    table = store.table_for_write(S.CONCEPTS, schema)
    table.merge_insert("id").when_matched_update_all().when_not_matched_insert_all().execute(data)


def delete_concepts(store: Store, *, kind: str, layer: int) -> None:
    """Drop the concepts of one kind and layer (before a retrained SAE replaces them)."""
    if store.has(S.CONCEPTS):
        store.table(S.CONCEPTS).delete(f"kind = '{kind}' AND layer = {int(layer)}")


def _table_to_concepts(rows: pa.Table) -> list[Concept]:
    """Concepts from a scanned table, read column by column.

    The vectors come out as one (n, d) array in a single copy (each concept's vector
    is a row of it) instead of one Python list per row, so 65k concepts load in well
    under a second rather than ~10 s.
    """
    n = rows.num_rows
    if n == 0:
        return []
    column = rows.column("vector").combine_chunks()
    d = column.type.list_size
    values = column.flatten().to_numpy(zero_copy_only=False)
    if len(values) != n * d:  # a null vector somewhere: fall back to row by row
        vectors = [np.asarray(v if v is not None else np.zeros(d), np.float32)
                   for v in column.to_pylist()]  # fmt: skip
    else:
        vectors = list(np.ascontiguousarray(values, np.float32).reshape(n, d))
    ids, kinds, labels, descriptions, provenance = (
        rows.column(name).to_pylist() for name in ("id", "kind", "label", "description", "provenance")
    )
    layers = rows.column("layer").to_numpy(zero_copy_only=False)
    return [
        Concept(
            id=ids[i],
            kind=kinds[i],
            layer=None if layers[i] < 0 else int(layers[i]),
            label=labels[i],
            description=descriptions[i],
            vector=None if kinds[i] == "text" else vectors[i],
            provenance=json.loads(provenance[i]),
        )
        for i in range(n)
    ]


def load_concepts(
    store: Store, *, kind: str | None = None, layer: int | None = None, ids: list[str] | None = None
) -> list[Concept]:
    """Concepts in the store, optionally filtered; empty list when none were made."""
    if not store.has(S.CONCEPTS):
        return []
    clauses = []
    if kind:
        clauses.append(f"kind = '{kind}'")
    if layer is not None:
        clauses.append(f"(layer = {int(layer)} OR layer = -1)")
    if ids:
        clauses.append(sql_in("id", ids))
    rows = store.scan(S.CONCEPTS, concepts_schema(1).names, " AND ".join(clauses) or None)
    return _table_to_concepts(rows)


def get_concept(store: Store, concept_id: str) -> Concept:
    """One concept by id.

    Raises:
        FailedPrecondition: the store has no concepts yet.
        NotFound: unknown id; the message lists a few that exist.
    """
    if not store.has(S.CONCEPTS):
        raise FailedPrecondition(f"store {store.uri} has no concepts yet (run `prefsight audit` or `concepts define`)")
    found = load_concepts(store, ids=[concept_id])
    if not found:
        some = [c.id for c in load_concepts(store)][:8]
        raise NotFound(f"concept {concept_id!r} not in store {store.uri} (e.g. {', '.join(some)})")
    return found[0]


def sae_folder(store: Store, layer: int) -> Path:
    """The local folder of the SAE of a layer (SAELens folder format).

    A local store keeps it at ``<store>/saes/L<layer>``. An object-store store keeps
    it at ``<uri>/saes/L<layer>/``; this returns a local mirror of that folder, brought
    up to date now (absent when the store has no SAE of the layer). After writing
    into the folder, call :func:`publish_sae` to upload it.
    """
    if not objects.is_remote(store.uri):
        return Path(store.uri) / "saes" / f"L{layer}"
    local = objects.mirror_root(store.uri) / "saes" / f"L{layer}"
    objects.pull_folder(objects.join(store.uri, "saes", f"L{layer}"), local)
    return local


def publish_sae(store: Store, layer: int) -> None:
    """Upload the SAE folder of a layer to an object-store store (no-op for a local one)."""
    if objects.is_remote(store.uri):
        local = objects.mirror_root(store.uri) / "saes" / f"L{layer}"
        objects.push_folder(local, objects.join(store.uri, "saes", f"L{layer}"))


def save_feature_stats(
    store: Store, layer: int, keys: list[tuple[str, str]], max_act: sp.csr_matrix, freq: sp.csr_matrix
) -> None:
    """Write sparse per-span SAE statistics, replacing earlier ones of the layer."""
    max_act, freq = max_act.tocsr(), freq.tocsr()
    latents, maxes, freqs = [], [], []
    for row in range(max_act.shape[0]):
        a, b = max_act.indptr[row], max_act.indptr[row + 1]
        latents.append(max_act.indices[a:b].astype(np.int32))
        maxes.append(max_act.data[a:b].astype(np.float32))
        freqs.append(np.asarray(freq[row, max_act.indices[a:b]].toarray()).ravel().astype(np.float32))
    data = pa.Table.from_arrays(
        [
            pa.array([k[0] for k in keys]),
            pa.array([k[1] for k in keys]),
            pa.array([layer] * len(keys), pa.int32()),
            pa.array(latents, pa.list_(pa.int32())),
            pa.array(maxes, pa.list_(pa.float32())),
            pa.array(freqs, pa.list_(pa.float32())),
        ],
        schema=FEATURE_STATS_SCHEMA,
    )
    table = store.table_for_write(S.FEATURE_STATS, FEATURE_STATS_SCHEMA)
    table.delete(f"layer = {int(layer)}")
    table.add(data)


def load_feature_stats(
    store: Store, layer: int, pair_ids: list[str], side: str, n_latents: int, stat: str = "max_act"
) -> sp.csr_matrix:
    """(n_pairs, n_latents) sparse matrix of one side, rows in ``pair_ids`` order."""
    if not store.has(S.FEATURE_STATS):
        raise FailedPrecondition(f"store {store.uri} has no SAE feature statistics yet")
    rows = store.scan(
        S.FEATURE_STATS, ["pair_id", "latents", stat], f"layer = {int(layer)} AND side = '{side}'"
    ).to_pylist()
    by_id = {r["pair_id"]: r for r in rows}
    indptr, indices, data = [0], [], []
    for pair_id in pair_ids:
        row = by_id.get(pair_id)
        if row is None:
            raise FailedPrecondition(f"pair {pair_id!r} has no SAE statistics at layer {layer}")
        indices.extend(row["latents"])
        data.extend(row[stat])
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.asarray(data, np.float32), np.asarray(indices, np.int32), np.asarray(indptr)),
        shape=(len(pair_ids), n_latents),
    )
