"""Typed, frozen results of the client calls.

Plain dataclasses built from the protobuf responses (see ``_convert.py``);
arrays are NumPy. The steering vector type lives in ``vectors.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, fields

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
    """"contrast", "sae", "named" or "text"."""
    layer: int
    description: str
    source: str
    model_id: str


_CONTRAST = {"group": "statistic", "from": "contrast"}
"""A statistic ``prefsight.contrast.ContrastResult`` computes per concept."""
_NET = {"group": "statistic", "from": "net"}
"""A statistic of the effect net of the overall direction (``prefsight.contrast.net``)."""
_OPTIONAL = {"group": "optional"}
"""Defined for some concepts only (None elsewhere; a proto3 ``optional`` on the wire)."""


@dataclass(frozen=True)
class ConceptRecord(Tabular):
    """Statistics of one concept's chosen-minus-rejected score difference.

    The one definition of a concept's record: the contrast's record keys
    (``prefsight.contrast.RECORD_KEYS``), the report's rows, the server's wire
    conversion and the proto ``ConceptStat`` (a unit test checks it field by
    field) all take their field lists from this class (``record_fields``).
    ``ConceptStat`` is the same class under its older name.
    """

    id: str
    label: str
    kind: str
    """"contrast", "sae", "named" or "text"."""
    layer: int
    """-1 for concepts without a layer (text checks)."""
    delta: float = field(metadata=_CONTRAST)
    """Mean of score(chosen) - score(rejected)."""
    d: float = field(metadata=_CONTRAST)
    """Cohen's d of the paired differences."""
    q: float = field(metadata=_CONTRAST)
    """Benjamini-Hochberg adjusted p."""
    p: float = field(metadata=_CONTRAST)
    ci_low: float = field(metadata=_CONTRAST)
    """95% confidence interval of delta."""
    ci_high: float = field(metadata=_CONTRAST)
    split_half: float = field(metadata=_CONTRAST)
    """1.0 when the effect replicates in each half of the pairs (same sign, p < 0.05)."""
    fire_rate: float = field(metadata=_CONTRAST)
    """Fraction of responses where the concept is active."""
    delta_min: float = field(metadata=_CONTRAST)
    """Smallest delta detectable at this number of pairs."""
    d_min: float = field(metadata=_CONTRAST)
    predicted_shift: float = field(metadata=_CONTRAST)
    """A standardised effect (Δ / pooled sd); the same as ``std_effect``. Not a DPO forecast."""
    n_pairs: int
    delta_net: float = field(default=math.nan, metadata=_NET)
    """Effect net of the overall chosen−rejected direction (the badge's basis)."""
    d_net: float = field(default=math.nan, metadata=_NET)
    q_net: float = field(default=math.nan, metadata=_NET)
    std_effect: float = field(default=math.nan, metadata=_CONTRAST)
    t: float = field(default=math.nan, metadata=_CONTRAST)
    """Paired t statistic."""
    reliable: bool | None = field(default=None, metadata=_OPTIONAL)
    """Named concepts: passes validation on its own held-out examples; None for other kinds."""
    heldout_auroc: float | None = field(default=None, metadata=_OPTIONAL)
    overall: bool = False
    """An overall chosen−rejected direction (in ``ContrastResult.overall``, never ranked)."""
    pair_accuracy: float | None = field(default=None, metadata=_OPTIONAL)
    """Overall directions: share of pairs whose cross-fitted delta is positive."""
    generic: bool | None = field(default=None, metadata=_OPTIONAL)
    """Present in nearly every pair: the net effect is not estimable (NaN) and the
    concept is never ranked as a finding; None when not measured."""


ConceptStat = ConceptRecord


def record_fields(group: str, source: str | None = None) -> tuple[str, ...]:
    """Names of ``ConceptRecord``'s fields in ``group``, in declaration order.

    Args:
        group: "statistic" (the numbers, NaN when undefined) or "optional" (None
            when undefined).
        source: with "statistic": only those computed by "contrast" or by "net".

    Example:
        >>> record_fields("optional")
        ('reliable', 'heldout_auroc', 'pair_accuracy', 'generic')
    """
    return tuple(
        f.name
        for f in fields(ConceptRecord)
        if f.metadata.get("group") == group and source in (None, f.metadata.get("from"))
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
