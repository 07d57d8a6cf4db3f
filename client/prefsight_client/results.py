"""Typed, frozen results of the client calls.

Plain dataclasses built from the protobuf responses (see ``_convert.py``);
arrays are NumPy. The steering vector type lives in ``vectors.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from prefsight_client._tables import Tabular, record_row


@dataclass(frozen=True)
class TableInfo(Tabular):
    """One table of a store and its row count."""

    name: str
    rows: int


@dataclass(frozen=True)
class ModelInfo(Tabular):
    """A model whose activations a store holds."""

    model_id: str
    d_model: int
    n_layers: int
    layers: tuple[int, ...]
    """Layers with cached activations."""
    poolings: tuple[str, ...]


@dataclass(frozen=True)
class RunInfo(Tabular):
    """One ingest run."""

    run_id: str
    model_id: str
    dataset: str
    layers: tuple[int, ...]
    poolings: tuple[str, ...]
    pairs: int
    tokens: int
    status: str
    """"running", "done", "cancelled" or "failed"."""
    started_at: str
    finished_at: str


@dataclass(frozen=True)
class StoreInfo:
    """What a store holds: tables, counts, models, layers and runs."""

    store: str
    uri: str
    tables: tuple[TableInfo, ...]
    pairs: int
    concepts: int
    models: tuple[ModelInfo, ...]
    runs: tuple[RunInfo, ...]
    is_ingested: bool
    server_version: str

    def table_rows(self) -> dict[str, int]:
        """Table name -> row count."""
        return {t.name: t.rows for t in self.tables}


@dataclass(frozen=True)
class IngestProgress:
    """One progress event of an ingest; the last has stage "done"."""

    run_id: str
    pairs_done: int
    pairs_total: int
    tokens: int
    seconds: float
    stage: str
    message: str
    pairs_skipped: int

    @property
    def is_done(self) -> bool:
        """Whether this is the final event."""
        return self.stage == "done"

    @property
    def fraction(self) -> float:
        """pairs_done / pairs_total, 0 while the total is unknown."""
        return self.pairs_done / self.pairs_total if self.pairs_total else 0.0


@dataclass(frozen=True)
class Concept(Tabular):
    """A concept in a store's dictionary."""

    id: str
    label: str
    kind: str
    """"contrast", "sae" or "named"."""
    layer: int
    description: str
    source: str
    model_id: str


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
    """Effect net of the overall chosen−rejected direction (the badge's basis)."""
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

    def _rows(self) -> list[dict[str, object]]:
        return [record_row(c) for c in self.concepts]


@dataclass(frozen=True)
class PairScore(Tabular):
    """One pair's score for a concept on each side."""

    pair_id: str
    chosen: float
    rejected: float
    delta: float


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

    def _rows(self) -> list[dict[str, object]]:
        return [
            {"pair_id": p, "chosen": float(c), "rejected": float(r), "delta": float(d)}
            for p, c, r, d in zip(self.pair_ids, self.chosen, self.rejected, self.delta, strict=True)
        ]


@dataclass(frozen=True)
class FeatureHit(Tabular):
    """A concept near a query, by cosine similarity."""

    concept: Concept
    score: float


@dataclass(frozen=True)
class ExampleHit(Tabular):
    """A pair side whose activation is near a query."""

    pair_id: str
    side: str
    score: float
    prompt: str
    response: str


@dataclass(frozen=True)
class DefinedConcept(Tabular):
    """A concept defined from example texts and how well they separate."""

    concept: Concept
    separation: float
    """Cohen's d between positive and negative texts' scores."""


@dataclass(frozen=True, eq=False)
class ShapingOffsets:
    """Per-pair shaped-DPO offsets, z-scored over the requested pairs."""

    pair_ids: tuple[str, ...]
    offsets: np.ndarray
    """(n_pairs,) z-scored: (raw - mean) / std."""
    raw: np.ndarray
    """(n_pairs,) sum over concepts of weight * (score(chosen) - score(rejected))."""
    mean: float
    std: float

    def as_dict(self) -> dict[str, float]:
        """pair_id -> z-scored offset."""
        return dict(zip(self.pair_ids, (float(x) for x in self.offsets), strict=True))

    def __len__(self) -> int:
        return len(self.pair_ids)


@dataclass(frozen=True)
class ConceptShift(Tabular):
    """How an intervention moves one concept's delta and d."""

    concept_id: str
    delta_before: float
    delta_after: float
    d_before: float
    d_after: float


@dataclass(frozen=True)
class FilterResult:
    """Summary of a filter (or of its dry run)."""

    n_pairs: int
    n_removed: int
    manifest_path: str
    output_path: str
    shifts: tuple[ConceptShift, ...]
    dry_run: bool


@dataclass(frozen=True)
class InoculateResult:
    """Summary of an inoculation (or of its dry run)."""

    n_pairs: int
    n_flagged: int
    manifest_path: str
    output_path: str
    shifts: tuple[ConceptShift, ...]
    dry_run: bool
