"""Typed results of ``StoreSession`` queries: the very records the client returns.

Owns: turning an analysis record into the client's ``ConceptStat``. The record
types themselves (``ConceptStat``, ``ContrastResult``, ``PairScores``, each with
``to_pandas()`` and a Jupyter table) are ``prefsight_client.results``' — one
definition, so a notebook moves between a local store and a server without
renaming anything. (The server already depends on the light client package for
its tensor codec; the client never imports ``prefsight``.)
"""

from __future__ import annotations

import math
from typing import Any

from prefsight_client.results import ConceptRecord, ConceptStat, ContrastResult, PairScores, record_fields

NUMBERS = tuple(name for name in record_fields("statistic") if name != "split_half")
"""``ConceptRecord``'s statistics that are plain numbers (``split_half`` is a flag)."""


def _num(value: Any) -> float:
    return math.nan if value is None else float(value)


def concept_stat(record: dict[str, Any], n_pairs: int) -> ConceptStat:
    """One analysis record (``Analysis.records``) as a ``ConceptStat``; missing numbers are NaN."""
    layer = record.get("layer")
    values: dict[str, Any] = {k: _num(record.get(k)) for k in NUMBERS}
    values.update({k: record.get(k) for k in record_fields("optional")})
    return ConceptStat(
        id=str(record["id"]),
        label=str(record.get("label", "")),
        kind=str(record.get("kind", "")),
        layer=-1 if layer is None else int(layer),
        split_half=1.0 if record.get("split_half") else 0.0,
        n_pairs=int(n_pairs),
        overall=bool(record.get("overall", False)),
        **values,
    )


__all__ = ["ConceptRecord", "ConceptStat", "ContrastResult", "PairScores", "concept_stat"]
