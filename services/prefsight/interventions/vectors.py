"""Steering vectors, concept scores for a batch, and per-pair shaping offsets.

Owns: what training jobs fetch while they train. Steering vectors are unit
concept directions scaled by the observed chosen−rejected gap along them (so
α = 1 moves a response by the dataset's typical difference). Scores of a batch
are the concept kinds' (``prefsight.concepts.kinds``). Shaping offsets are the per-pair concept
score differences on the frozen model, combined with weights and z-scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from prefsight.audit.analysis import Analysis
from prefsight.concepts import kinds
from prefsight.concepts.types import Concept
from prefsight.contrast.effects import zscore
from prefsight.errors import InvalidArgument


@dataclass(frozen=True)
class SteeringVector:
    vector: np.ndarray  # (d_model,)
    model_id: str
    layer: int
    concept_id: str
    recipe: str
    d_model: int
    n_layers: int


def steering_vector(store: Any, concept: Concept, analysis: Analysis, n_layers: int) -> SteeringVector:
    """The concept's steering direction (its kind's) scaled by the mean chosen−rejected gap along it.

    Raises:
        InvalidArgument: the concept's kind has no residual-stream direction (text checks).
    """
    direction = kinds.kind_of(concept).steering_vector(concept)
    if direction is None or concept.layer is None:
        raise InvalidArgument(f"concept {concept.id!r} ({concept.kind}) has no direction to steer with")
    pair_ids = analysis.scores.pair_ids
    c = kinds.from_store(store, analysis.model, concept.layer, "chosen", pair_ids).mean()
    r = kinds.from_store(store, analysis.model, concept.layer, "rejected", pair_ids).mean()
    direction = direction / max(float(np.linalg.norm(direction)), 1e-8)
    gap = float(np.mean((c - r) @ direction))
    scale = abs(gap) if gap != 0 else 1.0
    return SteeringVector(
        (direction * scale).astype(np.float32),
        analysis.model,
        concept.layer,
        concept.id,
        f"{concept.provenance.get('recipe', concept.kind)}; scaled by |mean chosen-rejected gap| = {scale:.4g}",
        int(direction.shape[0]),
        n_layers,
    )


def shaping_offsets(
    analysis: Analysis, concept_ids: list[str], weights: list[float] | None = None
) -> tuple[list[str], np.ndarray, np.ndarray, float, float]:
    """(pair ids, z-scored offsets, raw offsets, mean, std) of Σ w·δ over concepts."""
    if not concept_ids:
        raise InvalidArgument("no concept ids given")
    weights = weights or [1.0] * len(concept_ids)
    if len(weights) != len(concept_ids):
        raise InvalidArgument(f"{len(weights)} weights for {len(concept_ids)} concepts")
    from prefsight.interventions.selection import delta_column

    raw = sum(w * delta_column(analysis, c) for c, w in zip(concept_ids, weights, strict=True))
    raw = np.asarray(raw, np.float64)
    z, mean, std = zscore(raw)
    return analysis.scores.pair_ids, z.astype(np.float32), raw.astype(np.float32), mean, std
