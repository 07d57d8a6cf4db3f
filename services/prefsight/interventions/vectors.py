"""Steering vectors, concept scores for a batch, and per-pair shaping offsets.

Owns: what training jobs fetch while they train. Steering vectors are unit
concept directions scaled by the observed chosen−rejected gap along them (so
α = 1 moves a response by the dataset's typical difference). Scores of a batch
come from the caller's activations (the trainer's own hidden states, pooled)
or from texts run through the model. Shaping offsets are the per-pair concept
score differences on the frozen model, combined with weights and z-scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from prefsight.audit.analysis import Analysis
from prefsight.concepts.types import Concept
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


def steering_vector(
    store: Any, concept: Concept, analysis: Analysis, n_layers: int
) -> SteeringVector:
    """The concept's direction scaled by the mean chosen−rejected gap along it."""
    from prefsight.audit.scoring import _pooled

    if concept.vector is None or concept.layer is None:
        raise InvalidArgument(f"concept {concept.id!r} ({concept.kind}) has no direction to steer with")
    pair_ids = analysis.scores.pair_ids
    c = _pooled(store, analysis.model, concept.layer, "chosen", pair_ids)
    r = _pooled(store, analysis.model, concept.layer, "rejected", pair_ids)
    direction = concept.vector / max(float(np.linalg.norm(concept.vector)), 1e-8)
    gap = float(np.mean((c - r) @ direction))
    scale = abs(gap) if gap != 0 else 1.0
    return SteeringVector(
        (direction * scale).astype(np.float32), analysis.model, concept.layer, concept.id,
        f"{concept.provenance.get('recipe', concept.kind)}; scaled by |mean chosen-rejected gap| = {scale:.4g}",
        int(direction.shape[0]), n_layers,
    )


def check_activations(activations: np.ndarray, d_model: int) -> np.ndarray:
    x = np.asarray(activations, dtype=np.float32)
    if x.ndim != 2 or x.shape[0] == 0:
        raise InvalidArgument(f"activations must be (batch, {d_model}) with batch >= 1, got {x.shape}")
    if x.shape[1] != d_model:
        raise InvalidArgument(f"activations have width {x.shape[1]}, the store's model has d_model {d_model}")
    if not np.isfinite(x).all():
        raise InvalidArgument("activations contain NaN or inf")
    return x


def score_activations(concepts: list[Concept], activations: np.ndarray, sae: Any = None) -> np.ndarray:
    """(batch, n_concepts) scores of pooled activations the caller already has."""
    out = np.zeros((activations.shape[0], len(concepts)), np.float32)
    dense = None
    for j, concept in enumerate(concepts):
        if concept.kind == "text":
            raise InvalidArgument(f"concept {concept.id!r} is a text check: send texts, not activations")
        if concept.kind == "sae" and sae is not None:
            if dense is None:
                with torch.no_grad():
                    dense = sae.encode_dense(torch.from_numpy(activations)).numpy()
            members = concept.provenance.get("members") or [int(concept.provenance["latent"])]
            out[:, j] = dense[:, members].sum(1)
        else:
            out[:, j] = activations @ concept.vector
    return out


def shaping_offsets(
    analysis: Analysis, concept_ids: list[str], weights: list[float] | None = None
) -> tuple[list[str], np.ndarray, np.ndarray, float, float]:
    """(pair ids, z-scored offsets, raw offsets, mean, std) of Σ w·δ over concepts."""
    if not concept_ids:
        raise InvalidArgument("no concept ids given")
    weights = weights or [1.0] * len(concept_ids)
    if len(weights) != len(concept_ids):
        raise InvalidArgument(f"{len(weights)} weights for {len(concept_ids)} concepts")
    from prefsight.interventions.selection import _column

    raw = sum(w * _column(analysis, c) for c, w in zip(concept_ids, weights, strict=True))
    raw = np.asarray(raw, np.float64)
    mean, std = float(raw.mean()), float(raw.std())
    z = (raw - mean) / std if std > 0 else np.zeros_like(raw)
    return analysis.scores.pair_ids, z.astype(np.float32), raw.astype(np.float32), mean, std
