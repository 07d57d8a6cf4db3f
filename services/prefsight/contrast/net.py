"""Each concept's effect net of the overall chosen−rejected direction.

Owns: the per-concept OLS fit ``delta = a + b * overall`` over pairs, where
``overall`` is each pair's cross-fitted score difference on the overall
direction (difference of means, fitted on the other half). The intercept ``a``
is the δ expected for a pair whose chosen and rejected responses do not differ
along the overall direction: a concept whose δ only tracks generic "chosen-ness"
(chosen responses being better in general) gets ~0, one that differs on its own
keeps its δ. The same construction as the length-controlled δ, with a t-test on
the intercept and Benjamini–Hochberg q over concepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.special as sc

from prefsight.contrast.stats import bh_q
from prefsight.errors import InvalidArgument


@dataclass(frozen=True)
class NetEffect:
    """Per-concept arrays (n_concepts,) of the fit ``delta = a + b * overall``."""

    delta: np.ndarray
    """The intercept a: δ at zero overall difference (the concept's units)."""
    d: np.ndarray
    """a / residual sd: a scale-free net effect, comparable to Cohen's d."""
    slope: np.ndarray
    """b: how much of δ follows the overall direction."""
    t: np.ndarray
    p: np.ndarray
    """Two-sided p of the intercept's t-test (n - 2 degrees of freedom)."""
    q: np.ndarray
    """Benjamini–Hochberg adjusted ``p`` over the concepts given."""


def net_of_overall(chosen: Any, rejected: Any, overall: np.ndarray) -> NetEffect:
    """Fit ``delta_j = a_j + b_j * overall`` for every concept column j.

    Args:
        chosen: (n_pairs, n_concepts) dense or scipy sparse scores of chosen responses.
        rejected: the same for rejected.
        overall: (n_pairs,) per-pair cross-fitted δ on the overall direction.

    Raises:
        InvalidArgument: shapes disagree, fewer than 4 pairs, or ``overall`` is constant
            or not finite.
    """
    x = np.asarray(overall, np.float64).ravel()
    n = x.shape[0]
    if chosen.shape != rejected.shape or chosen.shape[0] != n:
        raise InvalidArgument(f"scores {chosen.shape}/{rejected.shape} and overall ({n},) disagree")
    if n < 4 or not np.isfinite(x).all():
        raise InvalidArgument("the overall direction needs at least 4 pairs of finite scores")
    xc = x - x.mean()
    sxx = float(xc @ xc)
    if sxx <= 0:
        raise InvalidArgument("the overall direction is constant over pairs")
    delta = (chosen - rejected) if sp.issparse(chosen) else np.asarray(chosen, np.float64) - rejected
    s1 = np.asarray(delta.sum(axis=0), np.float64).ravel()
    s2 = np.asarray((delta.multiply(delta) if sp.issparse(delta) else delta**2).sum(axis=0),
                    np.float64).ravel()
    sxy = np.asarray(delta.T @ xc, np.float64).ravel()
    mean = s1 / n
    slope = sxy / sxx
    intercept = mean - slope * x.mean()
    ss_res = np.maximum(s2 - n * mean**2 - slope**2 * sxx, 0.0)
    sd_res = np.sqrt(ss_res / (n - 2))
    se = sd_res * np.sqrt(1.0 / n + x.mean() ** 2 / sxx)
    t = np.zeros_like(intercept)
    np.divide(intercept, se, out=t, where=se > 0)
    d = np.zeros_like(intercept)
    np.divide(intercept, sd_res, out=d, where=sd_res > 0)
    p = np.where(se > 0, 2.0 * sc.stdtr(n - 2, -np.abs(t)), np.where(intercept == 0, 1.0, 0.0))
    return NetEffect(delta=intercept, d=d, slope=slope, t=t, p=np.minimum(p, 1.0), q=bh_q(p))
