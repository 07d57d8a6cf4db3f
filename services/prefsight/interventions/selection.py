"""Pick the pairs an intervention acts on, and what that would do to every concept.

Owns: turning a concept's per-pair delta into a selection (delta above a
threshold, or the top fraction of pairs in the direction of the concept's Δ),
and the dry-run arithmetic: each concept's Δ over all pairs and over the pairs
that would remain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from prefsight.audit.analysis import Analysis
from prefsight.contrast.effects import paired_d
from prefsight.errors import InvalidArgument, NotFound


@dataclass(frozen=True)
class Selection:
    """Which pairs a rule picks, and why."""

    pair_ids: list[str]
    concept_ids: list[str]
    rule: str
    delta: dict[str, float]  # pair_id -> combined delta of the selected pairs


def delta_column(analysis: Analysis, concept_id: str) -> np.ndarray:
    """Per-pair δ = score(chosen) − score(rejected) of one analysed concept."""
    ids = [c.id for c in analysis.scores.concepts]
    if concept_id not in ids:
        raise NotFound(f"concept {concept_id!r} not at layer {analysis.layer} (e.g. {', '.join(ids[:5])})")
    c, r = analysis.scores.column(concept_id)
    return c - r


def select_pairs(
    analysis: Analysis,
    concept_ids: list[str],
    *,
    threshold: float | None = None,
    top_fraction: float | None = None,
    top_n: int | None = None,
) -> Selection:
    """Pairs whose delta (summed over ``concept_ids``, signed by each Δ) is extreme.

    Exactly one of ``threshold`` (delta above it), ``top_fraction`` (the top
    ρ of pairs, 0 < ρ ≤ 1) or ``top_n`` (the top N pairs, N ≥ 1) must be given.

    Raises:
        InvalidArgument: both or neither rule, or ρ out of range.
        NotFound: an unknown concept.
    """
    if not concept_ids:
        raise InvalidArgument("no concept ids given")
    if sum(x is not None for x in (threshold, top_fraction, top_n)) != 1:
        raise InvalidArgument("give exactly one of threshold, top_fraction or top_n")
    combined = np.zeros(len(analysis.scores.pair_ids))
    for concept_id in concept_ids:
        delta = delta_column(analysis, concept_id)
        combined += delta * (1.0 if delta.mean() >= 0 else -1.0)
    if top_n is not None:
        if top_n < 1:
            raise InvalidArgument(f"top_n must be a count >= 1, got {top_n}")
        picked = np.argsort(-combined, kind="stable")[: int(top_n)]
        rule = f"top {int(top_n)} pairs by delta"
    elif top_fraction is not None:
        if not 0 < top_fraction <= 1:
            raise InvalidArgument(f"top_fraction must be in (0, 1], got {top_fraction}")
        n = int(round(top_fraction * len(combined)))
        picked = np.argsort(-combined, kind="stable")[:n]
        rule = f"top {top_fraction:.1%} of pairs by delta"
    else:
        assert threshold is not None
        picked = np.flatnonzero(combined > threshold)
        rule = f"delta > {threshold}"
    ids = [analysis.scores.pair_ids[i] for i in picked]
    return Selection(ids, list(concept_ids), rule, {p: float(combined[i]) for p, i in zip(ids, picked, strict=True)})


def delta_shift(analysis: Analysis, removed: list[str], top: int = 20) -> list[dict[str, Any]]:
    """Every concept's Δ before and after removing ``removed`` pairs (largest changes first)."""
    keep = np.ones(len(analysis.scores.pair_ids), dtype=bool)
    position = {p: i for i, p in enumerate(analysis.scores.pair_ids)}
    keep[[position[p] for p in removed]] = False
    if not keep.any():
        raise InvalidArgument("the selection removes every pair")
    delta = analysis.scores.chosen - analysis.scores.rejected
    before = np.asarray(delta.mean(0)).ravel()
    after = np.asarray((delta[keep] if sp.issparse(delta) else delta[keep]).mean(0)).ravel()
    order = np.argsort(-np.abs(after - before))[:top]
    concepts = analysis.scores.concepts
    return [
        {
            "id": concepts[i].id,
            "label": concepts[i].label,
            "kind": concepts[i].kind,
            "delta_before": float(before[i]),
            "delta_after": float(after[i]),
        }
        for i in order
    ]


def selected_rows(analysis: Analysis, selection: Selection) -> list[dict[str, Any]]:
    """The selected pairs, most extreme first: id, the combined δ the rule ranked by, and each
    concept's own δ (chosen − rejected) on the pair."""
    row = {p: i for i, p in enumerate(analysis.scores.pair_ids)}
    deltas = {c: delta_column(analysis, c) for c in selection.concept_ids}
    return [
        {"pair_id": p, "delta": float(selection.delta[p]), "deltas": {c: float(d[row[p]]) for c, d in deltas.items()}}
        for p in sorted(selection.pair_ids, key=lambda p: -selection.delta[p])
    ]


def shift_with_d(analysis: Analysis, shift: list[dict[str, Any]], removed: list[str]) -> list[dict[str, Any]]:
    """Add each concept's Cohen's d over all pairs and over the pairs that remain."""
    keep = ~np.isin(np.asarray(analysis.scores.pair_ids), removed)
    for record in shift:
        chosen, rejected = analysis.scores.column(record["id"])
        delta = np.asarray(chosen - rejected, np.float64)
        record.update(d_before=paired_d(delta), d_after=paired_d(delta[keep]))
    return shift
