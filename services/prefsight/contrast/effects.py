"""Scalar effect sizes for one array at a time: Cohen's d (paired, independent), z-scores.

Owns the small formulas the service layer reports beside the vectorised contrast
(``prefsight.contrast.stats``): the separation of a newly defined concept, each
concept's d before and after an intervention, and shaped-DPO offsets z-scored over
the requested pairs. Degenerate inputs (no spread) give 0, never NaN or a warning.
"""

from __future__ import annotations

import numpy as np


def paired_d(delta: np.ndarray) -> float:
    """Cohen's d of paired differences, ``mean / sd`` (ddof=1); 0 when there is no spread."""
    sd = float(delta.std(ddof=1)) if delta.size > 1 else 0.0
    return float(delta.mean()) / sd if sd > 0 else 0.0


def independent_d(positive: np.ndarray, negative: np.ndarray) -> float:
    """Cohen's d of two independent groups (pooled sd); 0 when neither spreads."""
    n1, n2 = len(positive), len(negative)
    var = ((n1 - 1) * positive.var(ddof=1) + (n2 - 1) * negative.var(ddof=1)) / (n1 + n2 - 2)
    return float((positive.mean() - negative.mean()) / np.sqrt(var)) if var > 0 else 0.0


def zscore(raw: np.ndarray) -> tuple[np.ndarray, float, float]:
    """``((raw - mean) / std, mean, std)`` with the population std (ddof=0).

    Returns zeros for ``z`` when ``raw`` does not spread; ``z`` has ``raw``'s dtype.
    """
    mean, std = float(raw.mean()), float(raw.std())
    z = (raw - mean) / std if std > 0 else np.zeros_like(raw)
    return z, mean, std
