"""Typed results of ``StoreSession`` queries, the same records the client returns.

Owns: ``ConceptStat`` (one concept's contrast statistics), ``ContrastResult``
(ranked findings plus the overall directions) and ``PairScores`` (one concept
per pair), with the field names and types of ``prefsight_client.results``, so a
notebook moves between a local store and a server without renaming anything
(a test keeps the two in step). Every record and result list has
``to_pandas()`` (pandas imported only then) and renders as a table in Jupyter.
The table helpers are a twin of ``prefsight_client._tables``: the client never
imports ``prefsight`` and this package does not import the client.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

import numpy as np

MAX_HTML_ROWS = 50


def record_row(record: Any) -> dict[str, Any]:
    """One record's fields as a flat dict."""
    row: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if is_dataclass(value):
            for g in fields(value):
                row.setdefault(g.name, getattr(value, g.name))
        else:
            row[f.name] = value
    return row


def html_table(rows: list[dict[str, Any]], title: str = "") -> str:
    """A plain HTML table of rows (the first MAX_HTML_ROWS), without pandas."""
    columns = list(rows[0]) if rows else []
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    fmt = lambda v: format(v, ".4g") if isinstance(v, float) else ("" if v is None else str(v))  # noqa: E731
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(fmt(r.get(c)))}</td>" for c in columns) + "</tr>"
        for r in rows[:MAX_HTML_ROWS]
    )
    more = f"<p>… {len(rows) - MAX_HTML_ROWS} more rows</p>" if len(rows) > MAX_HTML_ROWS else ""
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


class Tabular:
    """Mixin: ``_rows()`` -> ``to_pandas()`` and ``_repr_html_()``."""

    def _rows(self) -> list[dict[str, Any]]:
        return [record_row(self)]

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (one row per record)."""
        import pandas as pd

        return pd.DataFrame(self._rows())

    def _repr_html_(self) -> str:
        return html_table(self._rows(), type(self).__name__)


class RecordList(list, Tabular):  # type: ignore[type-arg]
    """A plain list of records that also makes a table."""

    def _rows(self) -> list[dict[str, Any]]:
        return [record_row(x) for x in self]


def _num(value: Any) -> float:
    return math.nan if value is None else float(value)


@dataclass(frozen=True)
class ConceptStat(Tabular):
    """Statistics of one concept's chosen-minus-rejected score difference."""

    id: str
    label: str
    kind: str
    layer: int
    delta: float
    d: float
    q: float
    p: float
    ci_low: float
    ci_high: float
    split_half: float
    """1.0 when the effect replicates in each half of the pairs (same sign, p < 0.05)."""
    fire_rate: float
    delta_min: float
    d_min: float
    predicted_shift: float
    """A standardised effect (Δ / pooled sd); the same as ``std_effect``. Not a DPO forecast."""
    n_pairs: int
    delta_net: float = math.nan
    """Effect net of the overall chosen−rejected direction."""
    d_net: float = math.nan
    q_net: float = math.nan
    std_effect: float = math.nan
    t: float = math.nan
    reliable: bool | None = None
    """Named concepts: passes validation on its own held-out examples; None for other kinds."""
    heldout_auroc: float | None = None
    overall: bool = False
    """An overall chosen−rejected direction (in ``ContrastResult.overall``, never ranked)."""
    pair_accuracy: float | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any], n_pairs: int) -> ConceptStat:
        """From one analysis record (``Analysis.records``); missing numbers become NaN."""
        numbers = ("delta", "d", "q", "p", "ci_low", "ci_high", "fire_rate", "delta_min", "d_min",
                   "predicted_shift", "delta_net", "d_net", "q_net", "std_effect", "t")
        return cls(
            id=str(record["id"]), label=str(record.get("label", "")), kind=str(record.get("kind", "")),
            layer=int(record.get("layer") if record.get("layer") is not None else -1),
            split_half=1.0 if record.get("split_half") else 0.0, n_pairs=int(n_pairs),
            reliable=record.get("reliable"), heldout_auroc=record.get("heldout_auroc"),
            overall=bool(record.get("overall", False)), pair_accuracy=record.get("pair_accuracy"),
            **{k: _num(record.get(k)) for k in numbers},
        )


@dataclass(frozen=True)
class ContrastResult(Tabular):
    """The concepts that separate chosen from rejected, strongest first.

    Iterates, indexes and measures over ``concepts``: ``result[0]`` is the top finding.
    """

    concepts: tuple[ConceptStat, ...]
    n_pairs: int
    layer: int
    pooling: str
    model_id: str
    overall: tuple[ConceptStat, ...] = ()
    """The overall chosen−rejected directions, with cross-fitted delta and d."""

    def __len__(self) -> int:
        return len(self.concepts)

    def __iter__(self) -> Iterator[ConceptStat]:
        return iter(self.concepts)

    def __getitem__(self, index: int) -> ConceptStat:
        return self.concepts[index]

    def _rows(self) -> list[dict[str, Any]]:
        return [record_row(c) for c in self.concepts]


@dataclass(frozen=True, eq=False)
class PairScores(Tabular):
    """Scores of one concept for many pairs, as aligned arrays."""

    pair_ids: tuple[str, ...]
    chosen: np.ndarray
    """(n_pairs,) float64"""
    rejected: np.ndarray
    delta: np.ndarray

    def __len__(self) -> int:
        return len(self.pair_ids)

    def _rows(self) -> list[dict[str, Any]]:
        return [
            {"pair_id": p, "chosen": float(c), "rejected": float(r), "delta": float(d)}
            for p, c, r, d in zip(self.pair_ids, self.chosen, self.rejected, self.delta, strict=True)
        ]
