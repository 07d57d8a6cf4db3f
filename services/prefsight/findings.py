"""Saved answers beside a store, so queries read instead of recomputing.

Owns: the small files under ``<store>/audit/saved/`` that the quick queries
(``prefsight info``, ``contrast``, ``concepts list``, ``scores``) read — the
store summary, the concept catalog, the ranked findings of a layer and its
per-pair score matrices — each keyed by the versions of the LanceDB tables it
was computed from. A later ingest or concept change bumps a version, the saved
answer no longer matches and the caller recomputes (and saves again).

Light on purpose: importing this module pulls in the standard library only
(numpy when scores are read). A local store's table versions are read from each table's ``_versions``
folder without opening LanceDB (importing it costs seconds); a remote store's
are asked of LanceDB. Writes are best effort: a read-only store still answers,
only slower.
"""

from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path
from typing import Any

from prefsight.npz import open_npz
from prefsight.store import objects

log = logging.getLogger(__name__)

SAVED_DIR = ("audit", "saved")
ALL_TABLES = ("pairs", "activations", "token_samples", "concepts", "feature_stats", "runs")
ANALYSIS_TABLES = ("activations", "concepts", "feature_stats")
"""The tables an analysis reads (the same ones ``StoreSession`` watches)."""
CATALOG_TABLES = ("concepts",)
_V2_BASE = 2**64 - 1
"""Lance's V2 manifest naming stores version v as file ``2**64 - 1 - v``."""


def table_versions(uri: str, names: tuple[str, ...]) -> dict[str, int]:
    """Current version of each table (-1 when it does not exist)."""
    if objects.is_remote(uri):
        from prefsight.store.tables import Store

        store = Store(uri)
        return {n: int(store.table(n).version) if store.has(n) else -1 for n in names}
    return {n: _local_version(Path(uri, f"{n}.lance", "_versions")) for n in names}


def _local_version(folder: Path) -> int:
    try:
        names = [e.name for e in os.scandir(folder) if e.name.endswith(".manifest")]
    except FileNotFoundError:
        return -1
    numbers = [int(n.split(".")[0]) for n in names if n.split(".")[0].isdigit()]
    if not numbers:
        return -1
    return max(_V2_BASE - x if x > 2**63 else x for x in numbers)


def _path(uri: str, name: str) -> str:
    return objects.join(str(uri), *SAVED_DIR, name)


def is_store(uri: str) -> bool:
    """Whether a local store folder exists (remote stores: assumed, LanceDB will say)."""
    return objects.is_remote(uri) or Path(uri).is_dir()


def read_json(uri: str, name: str, tables: tuple[str, ...]) -> Any | None:
    """The value saved under ``name`` if the tables are still at the versions it was saved at."""
    if not is_store(uri):
        return None
    try:
        saved = json.loads(objects.read_bytes(_path(uri, f"{name}.json")))
    except (FileNotFoundError, ValueError, OSError):
        return None
    if saved.get("versions") != table_versions(uri, tables):
        return None
    return saved.get("value")


def write_json(
    uri: str, name: str, value: Any, tables: tuple[str, ...], versions: dict[str, int] | None = None
) -> None:
    """Save ``value`` under ``name`` with the tables' versions (best effort)."""
    try:
        versions = versions if versions is not None else table_versions(uri, tables)
        data = json.dumps({"versions": versions, "value": value}, default=str).encode()
        objects.write_bytes(_path(uri, f"{name}.json"), data)
    except OSError as exc:  # a read-only store still answers
        log.info("could not save %s in %s: %s", name, uri, exc)


def findings_name(layer: int, rank_by: str, kinds: tuple[str, ...]) -> str:
    return f"findings-L{int(layer)}-{rank_by}-{'+'.join(sorted(kinds)) or 'all'}"


def scores_name(layer: int) -> str:
    return f"scores-L{int(layer)}.npz"


def default_layer(uri: str) -> tuple[str, int] | None:
    """The (model, layer) a query without ``--layer`` analyses, if saved and current."""
    value = read_json(uri, "default-layer", ANALYSIS_TABLES)
    return None if value is None else (str(value["model"]), int(value["layer"]))


def read_findings(
    uri: str, layer: int | None, rank_by: str = "dmin", kinds: tuple[str, ...] = ()
) -> dict[str, Any] | None:
    """Saved ``{"model", "layer", "n_pairs", "records", "overall"}`` of a layer, if current."""
    if layer is None:
        resolved = default_layer(uri)
        if resolved is None:
            return None
        layer = resolved[1]
    return read_json(uri, findings_name(layer, rank_by, kinds), ANALYSIS_TABLES)


def write_findings(
    uri: str,
    analysis: Any,
    rank_by: str,
    kinds: tuple[str, ...] = (),
    *,
    default: bool = False,
    versions: dict[str, int] | None = None,
) -> None:
    """Save an analysis's ranked records and overall directions (and, with ``default``,
    record its layer as the one queries without ``--layer`` read)."""
    value = {
        "model": analysis.model,
        "layer": int(analysis.layer),
        "n_pairs": len(analysis.scores.pair_ids),
        "records": analysis.records(),
        "overall": analysis.overall_records(),
    }
    versions = versions if versions is not None else table_versions(uri, ANALYSIS_TABLES)
    write_json(uri, findings_name(analysis.layer, rank_by, kinds), value, ANALYSIS_TABLES, versions)
    if default:
        write_json(
            uri, "default-layer", {"model": analysis.model, "layer": int(analysis.layer)}, ANALYSIS_TABLES, versions
        )


def write_scores(uri: str, scores: Any, layer: int, versions: dict[str, int] | None = None) -> None:
    """Save a layer's (n_pairs, n_concepts) chosen and rejected scores, column-compressed
    so one concept's column is a slice."""
    import numpy as np
    import scipy.sparse as sp

    arrays: dict[str, Any] = {
        "pair_ids": np.array(scores.pair_ids, dtype=str),
        "concept_ids": np.array([c.id for c in scores.concepts], dtype=str),
    }
    for side, matrix in (("chosen", scores.chosen), ("rejected", scores.rejected)):
        csc = sp.csc_matrix(matrix, dtype=np.float32)
        arrays.update(
            {
                f"{side}_data": csc.data,
                f"{side}_indices": csc.indices.astype(np.int32),
                f"{side}_indptr": csc.indptr.astype(np.int64),
            }
        )
    versions = versions if versions is not None else table_versions(uri, ANALYSIS_TABLES)
    arrays["versions"] = np.array(json.dumps(versions, sort_keys=True))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    try:
        objects.write_bytes(_path(uri, scores_name(layer)), buffer.getvalue())
    except OSError as exc:
        log.info("could not save scores in %s: %s", uri, exc)


def read_scores(uri: str, layer: int, concept_id: str) -> dict[str, Any] | None:
    """``{"pair_ids", "chosen", "rejected"}`` of one concept from the saved scores, if current.

    Returns None when nothing current is saved or the concept is not among the saved ones.
    """
    import numpy as np

    if not is_store(uri):
        return None
    try:
        raw = objects.read_bytes(_path(uri, scores_name(layer)))
    except (FileNotFoundError, OSError):
        return None
    current = dict(sorted(table_versions(uri, ANALYSIS_TABLES).items()))
    with open_npz(raw) as npz:  # only the arrays this concept needs
        if json.loads(str(npz["versions"])) != current:
            return None
        ids = npz["concept_ids"].tolist()
        if concept_id not in ids:
            return None
        j = ids.index(concept_id)
        pair_ids = npz["pair_ids"].tolist()
        columns = {}
        for side in ("chosen", "rejected"):
            start, stop = npz[f"{side}_indptr"][j : j + 2]
            column = np.zeros(len(pair_ids), np.float64)
            column[npz[f"{side}_indices"][start:stop]] = npz[f"{side}_data"][start:stop]
            columns[side] = column
    return {"pair_ids": pair_ids, **columns}


def read_catalog(uri: str) -> list[dict[str, Any]] | None:
    """Saved ``[{"id", "kind", "layer", "label", "description"}]`` of every concept, if current."""
    return read_json(uri, "catalog", CATALOG_TABLES)


def write_catalog(uri: str, rows: list[dict[str, Any]]) -> None:
    write_json(uri, "catalog", rows, CATALOG_TABLES)
