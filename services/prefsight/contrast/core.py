"""``contrast``: which concepts separate chosen from rejected responses.

Owns: assembling a ContrastResult from validated input — one pass of sums
(``moments``), the formulas (``stats``), bootstrap intervals for the top
concepts (``bootstrap``). Reading scores from the store and naming concepts
are the callers' jobs.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import numpy as np

from prefsight.contrast.bootstrap import bootstrap_ci, choose_bootstrapped
from prefsight.contrast.config import ContrastConfig
from prefsight.contrast.moments import Moments, group_moments
from prefsight.contrast.result import ContrastResult
from prefsight.contrast.stats import (
    Paired,
    bh_q,
    length_controlled,
    paired_stats,
    side_pooled_sd,
    sign_test,
    t_interval,
)
from prefsight.contrast.validate import PairScores, check_length_delta, check_scores, check_split

log = logging.getLogger(__name__)


def contrast(
    chosen: Any, rejected: Any, *, length_delta: Any = None, split: Any = None, config: ContrastConfig | None = None
) -> ContrastResult:
    """Per-concept statistics of delta = score(chosen) - score(rejected) over pairs.

    Every statistic is computed for every concept from one threaded pass of
    sums (250k pairs x 16k SAE latents at 1.5% density: about 2.2 s of CPU
    time, shared by the cores; see bench/contrast.py).

    ``std_effect`` (also under the older key ``predicted_shift``) is a
    standardised effect: delta over the pooled sd of the concept's scores. It is
    *not* a calibrated forecast: the motivation is that DPO on these pairs
    moves the concept's mean score on the policy to first order in proportion to delta. At the reference policy the
    DPO gradient raises the log-likelihood of each chosen response and lowers
    that of its rejected one by the same weight, so to first order the policy's
    expectation of any response feature moves in proportion to
    mean(feature(chosen) - feature(rejected)) = delta. To compare concepts of
    different kinds it is expressed in units of the concept's spread:
    ``shift_scale * delta / sd_pooled``, with sd_pooled = sqrt((var(chosen) +
    var(rejected)) / 2), each side's sample variance over pairs (0 where that sd
    is 0). ``shift_scale`` is one global constant (learning rate, beta, steps,
    how far the model generalises) that a harness calibrates against real DPO
    runs; until then (1.0) the number ranks and compares, it does not forecast.

    ``delta_length_controlled`` is the intercept of the per-concept OLS fit
    delta = a + b * length_delta: the delta expected for a pair whose chosen
    and rejected responses have equal length, so a concept that only tracks
    length gets ~0.

    Args:
        chosen: (n_pairs, n_concepts) float array, or scipy sparse (CSR best:
            other formats are converted) of chosen-side scores.
        rejected: the same for rejected responses; same shape and kind.
        length_delta: optional (n_pairs,) chosen minus rejected length in tokens.
        split: optional (n_pairs,) bool, True = half A; default a seeded random
            half (config.seed).
        config: ContrastConfig; default ContrastConfig().

    Returns:
        ContrastResult, arrays in concept order.

    Raises:
        InvalidArgument: mixed dense/sparse or mismatched shapes, NaN/inf, fewer
            than 4 pairs, a non-bool split or one with a half under 2 pairs,
            a bad length_delta.
    """
    config = config or ContrastConfig()
    scores = check_scores(chosen, rejected)
    n = scores.n_pairs
    half = check_split(split, n, config.seed)
    length = check_length_delta(length_delta, n)
    sums = group_moments(
        scores,
        (~half).astype(np.intp),
        2,
        length=length,
        with_sides=True,
        chunk_nnz=config.chunk_nnz,
        n_threads=config.n_threads,
    )
    result = _assemble(sums, n, length, config)
    return _with_bootstrap(result, scores, config)


def _assemble(sums: Moments, n: int, length: np.ndarray | None, config: ContrastConfig) -> ContrastResult:
    total = sums.total()
    whole = paired_stats(np.asarray(n), total.s1[0], total.s2[0])
    halves = paired_stats(sums.n[:, None], sums.s1, sums.s2)
    agree = replicates(whole.mean, halves.mean, halves.p, config.replication_alpha)
    ci_low, ci_high = t_interval(whole.mean, whole.sd, np.asarray(n), config.alpha)
    n_nonzero = total.n_pos[0] + total.n_neg[0]
    return ContrastResult(
        n_pairs=n,
        delta=whole.mean,
        d=whole.d,
        t=whole.t,
        p=whole.p,
        p_sign=sign_test(total.n_pos[0], total.n_neg[0]),
        q=bh_q(whole.p),
        ci_low=ci_low,
        ci_high=ci_high,
        ci_bootstrapped=np.zeros(whole.mean.size, dtype=bool),
        delta_a=halves.mean[0],
        delta_b=halves.mean[1],
        d_a=halves.d[0],
        d_b=halves.d[1],
        split_half=agree,
        delta_min=_signed_min(whole.mean, halves.mean, agree),
        d_min=_signed_min(whole.d, halves.d, agree),
        fire_rate=total.n_fire[0] / n,
        fire_rate_chosen=total.n_fire_chosen[0] / n,
        fire_rate_rejected=total.n_fire_rejected[0] / n,
        n_fire=total.n_fire[0],
        n_nonzero=n_nonzero,
        delta_length_controlled=None
        if length is None or total.s_len is None
        else length_controlled(n, total.s1[0], total.s_len, length),
        predicted_shift=_predicted_shift(whole, total, n, config.shift_scale),
        rank_by=config.rank_by,
        min_fire_pairs=config.min_fire_pairs,
    )


def replicates(whole: np.ndarray, halves_mean: np.ndarray, halves_p: np.ndarray, alpha: float) -> np.ndarray:
    """Split-half replication: each half alone shows the effect, in the whole's direction.

    True where both halves' means have the overall mean's (nonzero) sign *and* each
    half's two-sided paired-t p is below ``alpha`` — agreement on sign alone would
    pass half of all null concepts.
    """
    sign = np.sign(whole)
    same = (np.sign(halves_mean[0]) == sign) & (np.sign(halves_mean[1]) == sign) & (sign != 0)
    return same & (halves_p[0] < alpha) & (halves_p[1] < alpha)


def _signed_min(whole: np.ndarray, halves: np.ndarray, agree: np.ndarray) -> np.ndarray:
    """min(|half A|, |half B|) with the overall sign where the halves agree, else 0."""
    smaller = np.minimum(np.abs(halves[0]), np.abs(halves[1]))
    return np.where(agree, np.sign(whole) * smaller, 0.0)


def _predicted_shift(whole: Paired, total: Moments, n: int, scale: float) -> np.ndarray:
    assert total.side_sum is not None and total.side_sq is not None
    sd = side_pooled_sd(n, total.side_sum, total.side_sq, total.s1[0])
    shift = np.zeros_like(sd)
    np.divide(scale * whole.mean, sd, out=shift, where=sd > 0)
    return shift


def _with_bootstrap(result: ContrastResult, scores: PairScores, config: ContrastConfig) -> ContrastResult:
    """The result with bootstrap CIs for the concepts ``choose_bootstrapped`` picks."""
    columns = choose_bootstrapped(result.rank(), result.n_nonzero, config)
    if columns.size == 0:
        return result
    low, high = bootstrap_ci(scores, columns, config)
    ci_low, ci_high = result.ci_low.copy(), result.ci_high.copy()
    flags = result.ci_bootstrapped.copy()
    ci_low[columns], ci_high[columns], flags[columns] = low, high, True
    return replace(result, ci_low=ci_low, ci_high=ci_high, ci_bootstrapped=flags)
