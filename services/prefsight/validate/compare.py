"""Compare predicted with measured concept shifts: R², Spearman ρ, bootstrap CIs, shift_scale.

Owns: the agreement statistics over the concepts with enough support (R² as the
squared Pearson correlation, and the calibrated R² of ``shift_scale · predicted``
against measured, 1 − SS_res/SS_tot), their percentile bootstrap CIs over
concepts, the least-squares ``shift_scale`` through the origin (the constant the
contrast's ``predicted_shift`` multiplies) and bootstrap CIs of a mean over units
(prompts, pairs). The scatter plot is drawn by ``report.validation``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

MIN_SUPPORT = 20
"""A concept enters the comparison when it is active in at least this many training
responses and at least this many generated responses."""


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if x.size < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def _r2(x: np.ndarray, y: np.ndarray) -> float:
    return _pearson(x, y) ** 2


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(stats.spearmanr(x, y).statistic)


def shift_scale(predicted: np.ndarray, measured: np.ndarray) -> float:
    """Least-squares slope through the origin: argmin_s Σ (measured − s·predicted)²."""
    denom = float(np.dot(predicted, predicted))
    return float(np.dot(predicted, measured) / denom) if denom > 0 else float("nan")


def _calibrated_r2(x: np.ndarray, y: np.ndarray) -> float:
    scale = shift_scale(x, y)
    total = float(np.sum((y - y.mean()) ** 2))
    if not math.isfinite(scale) or total == 0:
        return float("nan")
    return float(1.0 - np.sum((y - scale * x) ** 2) / total)


def _ci(values: list[float], alpha: float = 0.05) -> list[float | None]:
    finite = [v for v in values if math.isfinite(v)]
    if len(finite) < 10:
        return [None, None]
    return [float(np.quantile(finite, alpha / 2)), float(np.quantile(finite, 1 - alpha / 2))]


def agreement(predicted: np.ndarray, measured: np.ndarray, *, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """R², Spearman ρ, calibrated R² and ``shift_scale`` with 95% bootstrap CIs over concepts.

    Args:
        predicted: (n,) predicted shifts of the supported concepts.
        measured: (n,) measured shifts, same order.

    Returns:
        ``r2``, ``r2_ci``, ``spearman``, ``spearman_ci``, ``r2_calibrated``,
        ``r2_calibrated_ci``, ``shift_scale``, ``shift_scale_ci``, ``n_concepts``
        (NaN statistics are None: fewer than 3 concepts or a constant side).
    """
    x = np.asarray(predicted, np.float64)
    y = np.asarray(measured, np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"predicted {x.shape} and measured {y.shape} must be equal-length vectors")
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    rng = np.random.default_rng(seed)
    boots: dict[str, list[float]] = {"r2": [], "spearman": [], "r2_calibrated": [], "shift_scale": []}
    if x.size >= 3:
        for _ in range(n_boot):
            i = rng.integers(0, x.size, x.size)
            boots["r2"].append(_r2(x[i], y[i]))
            boots["spearman"].append(_spearman(x[i], y[i]))
            boots["r2_calibrated"].append(_calibrated_r2(x[i], y[i]))
            boots["shift_scale"].append(shift_scale(x[i], y[i]))
    point = {
        "r2": _r2(x, y),
        "spearman": _spearman(x, y),
        "r2_calibrated": _calibrated_r2(x, y),
        "shift_scale": shift_scale(x, y) if x.size else float("nan"),
    }
    out: dict[str, Any] = {"n_concepts": int(x.size)}
    for key, value in point.items():
        out[key] = value if math.isfinite(value) else None
        out[f"{key}_ci"] = _ci(boots[key])
    return out


def split_half_reliability(
    before: np.ndarray,
    after: np.ndarray,
    before_prompt: np.ndarray,
    after_prompt: np.ndarray,
    sd: np.ndarray,
    *,
    n_splits: int = 50,
    seed: int = 0,
) -> dict[str, Any]:
    """How reproducible the measured shifts are, which bounds the R² any predictor can reach.

    The held-out prompts are split at random into two halves; each half gives every
    concept a measured shift (mean after − mean before over that half's completions,
    over ``sd``), and the halves' shifts are correlated over the concepts. Averaged
    over ``n_splits`` splits, r is stepped up to the full set by Spearman–Brown,
    reliability = 2r / (1 + r). A perfect predictor's R² against measured shifts with
    this much noise is the reliability (classical test theory), so ``r2_ceiling`` =
    max(reliability, 0).

    Args:
        before, after: (n_generations, n_concepts) scores of the compared concepts.
        before_prompt, after_prompt: each generation's prompt index (the same prompts).
        sd: (n_concepts,) the training responses' pooled sd (the shifts' unit).
    """
    prompts = np.union1d(np.unique(before_prompt), np.unique(after_prompt))
    if prompts.size < 4 or before.shape[1] < 3:
        return {"split_half_r": None, "reliability": None, "r2_ceiling": None, "n_splits": 0}
    rng = np.random.default_rng(seed)

    def shift(half: np.ndarray) -> np.ndarray:
        a = after[np.isin(after_prompt, half)].mean(0)
        b = before[np.isin(before_prompt, half)].mean(0)
        return (a - b) / sd

    rs = []
    for _ in range(n_splits):
        order = rng.permutation(prompts)
        first, second = order[: prompts.size // 2], order[prompts.size // 2 :]
        r = _pearson(shift(first), shift(second))
        if math.isfinite(r):
            rs.append(r)
    if not rs:
        return {"split_half_r": None, "reliability": None, "r2_ceiling": None, "n_splits": 0}
    r = float(np.mean(rs))
    reliability = 2 * r / (1 + r) if r > -1 else float("nan")
    return {"split_half_r": r, "reliability": reliability, "r2_ceiling": max(reliability, 0.0), "n_splits": len(rs)}


def mean_ci(values: Sequence[float] | np.ndarray, *, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Mean of per-unit values with its 95% percentile bootstrap CI over units."""
    v = np.asarray(values, np.float64)
    if v.size == 0:
        return {"mean": None, "ci": [None, None], "n": 0}
    rng = np.random.default_rng(seed)
    means = [float(v[rng.integers(0, v.size, v.size)].mean()) for _ in range(n_boot)]
    return {"mean": float(v.mean()), "ci": _ci(means), "n": int(v.size)}


def diff_ci(
    after: Sequence[float] | np.ndarray, before: Sequence[float] | np.ndarray, *, n_boot: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Mean of ``after − before`` over paired units (prompts) with its bootstrap CI."""
    a, b = np.asarray(after, np.float64), np.asarray(before, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired units differ: {a.shape} after, {b.shape} before")
    return mean_ci(a - b, n_boot=n_boot, seed=seed)


__all__ = ["MIN_SUPPORT", "agreement", "diff_ci", "mean_ci", "shift_scale", "split_half_reliability"]
