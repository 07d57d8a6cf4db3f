"""Vectorised test statistics from sums of paired differences.

Owns: the formulas (mean, sd, Cohen's d, paired t and its p, sign test, BH q,
Student-t interval, Welch z, length regression, side-pooled sd), each over
whole arrays of concepts at once. Sums come from ``moments``; nothing here
touches scores. Degenerate cases return finite defaults without warnings:
a concept whose deltas are all 0 has d = t = 0 and p = 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.special as sc
from scipy.stats import false_discovery_control

_CANCEL = 1e-12
"""A sum of squares below this fraction of sum(delta**2) is rounding: variance 0."""


@dataclass(frozen=True)
class Paired:
    """Per-concept statistics of paired differences (same shape as the sums)."""

    mean: np.ndarray
    sd: np.ndarray
    """Sample sd (ddof=1) of delta."""
    d: np.ndarray
    """Cohen's d of paired differences: mean / sd (+-inf for a constant nonzero delta)."""
    t: np.ndarray
    """Paired t = d * sqrt(n)."""
    p: np.ndarray
    """Two-sided p of the paired t-test (n - 1 degrees of freedom)."""


def paired_stats(n: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> Paired:
    """Paired t-test statistics from n, sum(delta) and sum(delta**2).

    Args:
        n: pairs, broadcastable against s1 (at least 2 everywhere).
        s1: sum of delta per concept.
        s2: sum of delta squared per concept.

    Returns:
        Paired; equal to scipy.stats.ttest_rel up to rounding.
    """
    n = np.asarray(n, dtype=np.float64)
    mean = s1 / n
    ss = np.maximum(s2 - s1 * mean, 0.0)
    ss[ss <= _CANCEL * s2] = 0.0
    sd = np.sqrt(ss / (n - 1))
    has_sd = sd > 0
    d = np.where(mean == 0, 0.0, np.copysign(np.inf, mean))
    np.divide(mean, sd, out=d, where=has_sd)
    t = d * np.sqrt(n)
    p = np.where(mean == 0, 1.0, 0.0)
    np.multiply(2.0, sc.stdtr(n - 1, -np.abs(t)), out=p, where=has_sd)
    return Paired(mean=mean, sd=sd, d=d, t=t, p=np.minimum(p, 1.0))


def sign_test(n_pos: np.ndarray, n_neg: np.ndarray) -> np.ndarray:
    """Two-sided exact sign test p (zeros dropped), as scipy.stats.binomtest(k, n, 0.5).

    For p = 0.5 the binomial is symmetric, so the two-sided p is twice the
    smaller tail, capped at 1 (and 1 when no delta is nonzero).
    """
    trials = n_pos + n_neg
    low = np.minimum(n_pos, n_neg)
    return np.minimum(1.0, 2.0 * sc.bdtr(low, trials, 0.5))


def bh_q(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p over all entries (scipy's false_discovery_control)."""
    if p.size == 0:
        return p.copy()
    return false_discovery_control(p.ravel(), method="bh").reshape(p.shape)


def t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Student-t (1 - alpha) interval of the mean delta."""
    n = np.asarray(n, dtype=np.float64)
    half = sc.stdtrit(n - 1, 1 - alpha / 2) * sd / np.sqrt(n)
    return mean - half, mean + half


def welch_z(
    mean_in: np.ndarray,
    var_in: np.ndarray,
    n_in: np.ndarray,
    mean_out: np.ndarray,
    var_out: np.ndarray,
    n_out: np.ndarray,
) -> np.ndarray:
    """(mean_in - mean_out) / sqrt(var_in / n_in + var_out / n_out); 0 when both are 0."""
    diff = mean_in - mean_out
    se = np.sqrt(var_in / n_in + var_out / n_out)
    z = np.where(diff == 0, 0.0, np.copysign(np.inf, diff))
    np.divide(diff, se, out=z, where=se > 0)
    return z


def variance(n: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """Sample variance (ddof=1) from sums; 0 where n < 2."""
    n = np.asarray(n, dtype=np.float64)
    safe_n = np.maximum(n, 1.0)
    ss = np.maximum(s2 - s1 * (s1 / safe_n), 0.0)
    ss[ss <= _CANCEL * s2] = 0.0
    return np.divide(ss, n - 1, out=np.zeros_like(ss), where=n > 1)


def length_controlled(n: int, s1: np.ndarray, s_len: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Intercept of the OLS fit delta = a + b * length_delta, per concept.

    The intercept is the expected delta of a pair whose chosen and rejected
    responses have the same length: mean(delta) - b * mean(length_delta), with
    b = cov(length_delta, delta) / var(length_delta).
    """
    mean_len = float(length.mean())
    sxx = float(np.sum((length - mean_len) ** 2))
    sxy = s_len - mean_len * s1
    return s1 / n - (sxy / sxx) * mean_len


def side_pooled_sd(n: int, side_sum: np.ndarray, side_sq: np.ndarray, s1: np.ndarray) -> np.ndarray:
    """sqrt((var(chosen) + var(rejected)) / 2), each side's sample variance over pairs.

    Uses sum(chosen) = (side_sum + s1) / 2 and sum(rejected) = (side_sum - s1) / 2.
    """
    sum_c = (side_sum + s1) / 2
    sum_r = (side_sum - s1) / 2
    ss = side_sq - (sum_c * sum_c + sum_r * sum_r) / n
    ss = np.maximum(ss, 0.0)
    ss[ss <= _CANCEL * side_sq] = 0.0
    return np.sqrt(ss / (2 * (n - 1)))
