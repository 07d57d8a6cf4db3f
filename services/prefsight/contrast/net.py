"""Each concept's effect net of the overall chosen−rejected direction.

Owns: the per-concept OLS fit ``delta = a + b * overall`` over pairs, where
``overall`` is each pair's cross-fitted score difference on an overall
direction (difference of means, fitted on the other half). The intercept ``a``
is the δ expected for a pair whose chosen and rejected responses do not differ
along the overall direction: a concept whose δ only tracks generic "chosen-ness"
(chosen responses being better in general) gets ~0, one that differs on its own
keeps its δ. The same construction as the length-controlled δ, with a t-test on
the intercept and Benjamini–Hochberg q over concepts.

The overall direction each concept is measured against is fitted on the pairs
where *that concept is absent* from both responses (``overall_without``): fitted
on all pairs, it would contain the concept itself wherever the concept is a
large part of what separates chosen from rejected, and the fit would explain
the concept away by itself. A concept absent from too few pairs of a half (present
in nearly every response, like a length count) has no such fit: its net effect is
not estimable (NaN), and it cannot lean beyond generic chosen-ness in a ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.special as sc

from prefsight.contrast.stats import bh_q
from prefsight.errors import InvalidArgument

MIN_ABSENT_PAIRS = 10
"""Concept-free pairs each half needs before an overall direction is fitted on them."""


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
    generic: np.ndarray | None = None
    """(n_concepts,) bool: present in nearly every pair, so the net effect is not
    estimable (NaN) — the data cannot tell the concept from generic chosen-ness."""


def net_of_overall(chosen: Any, rejected: Any, overall: np.ndarray) -> NetEffect:
    """Fit ``delta_j = a_j + b_j * x_j`` for every concept column j.

    Args:
        chosen: (n_pairs, n_concepts) dense or scipy sparse scores of chosen responses.
        rejected: the same for rejected.
        overall: (n_pairs,) per-pair cross-fitted δ on the overall direction, shared by
            every concept, or (n_pairs, n_concepts), one regressor per concept.

    Raises:
        InvalidArgument: shapes disagree, fewer than 4 pairs, or a regressor is constant
            or not finite.
    """
    x = np.asarray(overall, np.float64)
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    n = x.shape[0]
    if chosen.shape != rejected.shape or chosen.shape[0] != n or x.shape[1] not in (1, chosen.shape[1]):
        raise InvalidArgument(f"scores {chosen.shape}/{rejected.shape} and overall {x.shape} disagree")
    if n < 4 or not np.isfinite(x).all():
        raise InvalidArgument("the overall direction needs at least 4 pairs of finite scores")
    mean_x = x.mean(0)
    xc = x - mean_x
    sxx = (xc * xc).sum(0)
    if (sxx <= 0).any():
        raise InvalidArgument("the overall direction is constant over pairs")
    delta = (chosen - rejected) if sp.issparse(chosen) else np.asarray(chosen, np.float64) - rejected
    s1 = np.asarray(delta.sum(axis=0), np.float64).ravel()
    s2 = np.asarray((delta.multiply(delta) if sp.issparse(delta) else delta**2).sum(axis=0), np.float64).ravel()
    if x.shape[1] == 1:
        sxy = np.asarray(delta.T @ xc[:, 0], np.float64).ravel()
    else:
        product = delta.multiply(xc) if sp.issparse(delta) else delta * xc
        sxy = np.asarray(product.sum(axis=0), np.float64).ravel()
    mean = s1 / n
    slope = sxy / sxx
    intercept = mean - slope * mean_x
    ss_res = np.maximum(s2 - n * mean**2 - slope**2 * sxx, 0.0)
    sd_res = np.sqrt(ss_res / (n - 2))
    se = sd_res * np.sqrt(1.0 / n + mean_x**2 / sxx)
    t = np.zeros_like(intercept)
    np.divide(intercept, se, out=t, where=se > 0)
    d = np.zeros_like(intercept)
    np.divide(intercept, sd_res, out=d, where=sd_res > 0)
    p = np.where(se > 0, 2.0 * sc.stdtr(n - 2, -np.abs(t)), np.where(intercept == 0, 1.0, 0.0))
    return NetEffect(delta=intercept, d=d, slope=slope, t=t, p=np.minimum(p, 1.0), q=bh_q(p))


def overall_without(
    delta: np.ndarray, absent: np.ndarray, split: np.ndarray, *, min_pairs: int = MIN_ABSENT_PAIRS
) -> tuple[np.ndarray, np.ndarray]:
    """Per concept, each pair's cross-fitted δ on the overall direction fitted where it is absent.

    For half A the direction is the mean δ over the half-B pairs in which the
    concept is absent from both responses (and vice versa), as a unit vector. A
    concept absent from fewer than ``min_pairs`` pairs of either half has no
    concept-free pairs to fit the direction on: it is present in (nearly) every
    pair, so the data cannot tell it apart from generic chosen-ness, and it is
    reported as not estimable rather than measured against a direction that
    contains it.

    Args:
        delta: (n_pairs, d_model) chosen − rejected pooled activations.
        absent: (n_pairs, n_concepts) bool, the concept absent from both responses.
        split: (n_pairs,) bool halves.

    Returns:
        ((n_pairs, n_concepts) float64 regressors for ``net_of_overall``, zero in the
        columns that are not estimable; (n_concepts,) bool, estimable).
    """
    d = np.asarray(delta, np.float64)
    a = np.asarray(absent, np.float64)
    out = np.zeros(a.shape, np.float64)
    estimable = (a[split].sum(0) >= min_pairs) & (a[~split].sum(0) >= min_pairs)
    for half, other in ((split, ~split), (~split, split)):
        counts = np.maximum(a[other].sum(0), 1.0)  # (k,)
        directions = (a[other].T @ d[other]) / counts[:, None]  # (k, d)
        norms = np.linalg.norm(directions, axis=1, keepdims=True)
        directions = np.divide(directions, norms, out=np.zeros_like(directions), where=norms > 0)
        out[half] = d[half] @ directions.T
    out[:, ~estimable] = 0.0
    return out, estimable
