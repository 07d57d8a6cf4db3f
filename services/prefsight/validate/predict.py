"""Predict each concept's shift under DPO before training, from the training pairs alone.

Owns: the predictors and the support counts. Both predictors are the first-order
DPO update under a log-linear model of the policy over standardised concept
scores, log π(y) = log π_ref(y) + Σ_c θ_c z_c(y), z_c = s_c / sd_c:

- at the start of DPO π = π_ref, σ(0) = ½, so one gradient step on the DPO loss
  moves θ_c by η·(β/2)·Σ_i (z_c(y_w,i) − z_c(y_l,i)) = η·(β n / 2)·Δ_c / sd_c;
- the policy's mean of z then moves by Cov(z)·δθ.

``diagonal`` keeps Cov(z) = I: the predicted shift of the concept's mean, in
units of its pooled sd, is proportional to Δ_c / sd_c — the contrast's
``predicted_shift`` with ``shift_scale`` = η·β·n/2 times the model's unknown
gain, which ``compare.shift_scale`` calibrates. ``full`` uses the correlation of
the concepts over the training responses (what the model sees), so a concept
moves with the concepts it co-occurs with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from prefsight.audit.scoring import PairScores


def dense(matrix: Any) -> np.ndarray:
    return np.asarray(matrix.todense() if sp.issparse(matrix) else matrix, np.float64)


@dataclass(frozen=True)
class Prediction:
    """Per-concept predictions (all arrays in ``concept_ids`` order)."""

    concept_ids: list[str]
    delta: np.ndarray
    """Mean chosen − rejected score over the training pairs (raw units)."""
    sd: np.ndarray
    """Pooled sd sqrt((var(chosen) + var(rejected)) / 2) over the training pairs."""
    diagonal: np.ndarray
    """Δ / sd: the first-order DPO shift with no cross-concept coupling."""
    full: np.ndarray
    """Corr(z)·(Δ / sd): the first-order shift with the concepts' correlation."""
    support: np.ndarray
    """Training responses (chosen and rejected) where the concept's score is non-zero."""
    n_pairs: int


def predict(scores: PairScores) -> Prediction:
    """Both predictors from the training pairs' chosen and rejected scores."""
    chosen, rejected = dense(scores.chosen), dense(scores.rejected)
    n = chosen.shape[0]
    delta = (chosen - rejected).mean(0)
    var = (chosen.var(0, ddof=1) + rejected.var(0, ddof=1)) / 2 if n > 1 else np.zeros_like(delta)
    sd = np.sqrt(var)
    safe = np.where(sd > 0, sd, 1.0)
    diagonal = np.where(sd > 0, delta / safe, 0.0)
    both = np.vstack([chosen, rejected])
    z = (both - both.mean(0)) / np.where(both.std(0, ddof=1) > 0, both.std(0, ddof=1), 1.0)
    full = z.T @ (z @ diagonal) / max(both.shape[0] - 1, 1)
    support = (chosen != 0).sum(0) + (rejected != 0).sum(0)
    return Prediction([c.id for c in scores.concepts], delta, sd, diagonal, full, support.astype(np.int64), n)


__all__ = ["Prediction", "dense", "predict"]
