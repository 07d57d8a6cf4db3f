"""Bootstrap confidence intervals of the mean delta, where they are worth it.

Owns: choosing which concepts get a bootstrap CI and computing it. The
Student-t interval (``stats.t_interval``) covers the others.

Why not every concept: a bootstrap costs about n_bootstrap x (nonzero deltas)
random draws per concept; at 250k pairs x 16k SAE latents with 1000 resamples
that is ~10^11 draws, minutes rather than the 2 s a contrast may take. With
n_pairs in the thousands the mean of delta is close to normal and the
bootstrap percentile interval converges to the t-interval; it differs where a
concept fires on few pairs or is heavy-tailed. So the best-ranked
``bootstrap_top`` concepts (the ones a person reads) are bootstrapped while the
total cost stays within ``bootstrap_budget`` draws; a concept that would
overrun the budget is skipped and the next one tried.

The resampling is the ordinary (multinomial) pair bootstrap, done exactly but
only over nonzero deltas: of the n pairs drawn with replacement, the number
landing on the k pairs with delta != 0 is Binomial(n, k / n), and those draws
are uniform over the k values; zeros add nothing to the sum. The mean of a
resample is that sum over n. The interval is the (alpha/2, 1 - alpha/2)
percentile interval of n_bootstrap resampled means.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from prefsight.contrast.config import ContrastConfig
from prefsight.contrast.validate import PairScores

log = logging.getLogger(__name__)

_DRAWS_PER_BATCH = 1 << 22
"""Random indices held at once (32 MiB), whatever the concept's size."""


def choose_bootstrapped(order: np.ndarray, nonzero: np.ndarray, config: ContrastConfig) -> np.ndarray:
    """Concepts to bootstrap: best ranked first, within top and budget.

    Args:
        order: concept indices, best first (``ContrastResult.rank``).
        nonzero: (n_concepts,) number of pairs with delta != 0 per concept.
        config: n_bootstrap, bootstrap_top, bootstrap_budget.

    Returns:
        Sorted concept indices to bootstrap (possibly empty).
    """
    if config.n_bootstrap == 0:
        return np.zeros(0, dtype=np.int64)
    chosen: list[int] = []
    spent = 0
    for j in order[: config.bootstrap_top]:
        cost = config.n_bootstrap * max(int(nonzero[j]), 1)
        if spent + cost <= config.bootstrap_budget:
            chosen.append(int(j))
            spent += cost
    log.debug("bootstrapping %d concepts, %d draws", len(chosen), spent)
    return np.sort(np.asarray(chosen, dtype=np.int64))


def bootstrap_ci(
    scores: PairScores, columns: np.ndarray, config: ContrastConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap (1 - alpha) interval of mean delta for some concepts.

    Args:
        scores: validated scores.
        columns: concept indices to bootstrap.
        config: n_bootstrap, alpha, seed (concept j uses the stream (seed, j), so
            its interval does not depend on which others are bootstrapped),
            n_threads.

    Returns:
        (low, high), each (len(columns),).
    """
    n = scores.n_pairs
    quantiles = [config.alpha / 2, 1 - config.alpha / 2]

    def interval(task: tuple[int, np.ndarray]) -> np.ndarray:
        j, values = task
        if values.size == 0:
            return np.zeros(2)
        rng = np.random.default_rng([config.seed, j])
        return np.quantile(_resampled_means(values, n, config.n_bootstrap, rng), quantiles)

    workers = config.n_threads or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        values = _nonzero_deltas(scores, columns, pool)
        bounds = list(pool.map(interval, zip(columns.tolist(), values)))
    out = np.array(bounds).reshape(-1, 2)
    return out[:, 0], out[:, 1]


def _nonzero_deltas(
    scores: PairScores, columns: np.ndarray, pool: ThreadPoolExecutor
) -> list[np.ndarray]:
    """The nonzero deltas of each requested concept, as float64."""
    if scores.is_sparse:
        sides = pool.map(lambda x: x[:, columns], (scores.chosen, scores.rejected))
        c, r = sides
        delta = (c - r).tocsc()
        delta.eliminate_zeros()
        return [
            delta.data[delta.indptr[i] : delta.indptr[i + 1]].astype(np.float64)
            for i in range(columns.size)
        ]
    block = scores.chosen[:, columns].astype(np.float64) - scores.rejected[:, columns]
    return [col[col != 0] for col in block.T]


def _resampled_means(
    values: np.ndarray, n: int, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Means of n_boot multinomial resamples of n pairs whose nonzero deltas are ``values``."""
    k = values.size
    hits = rng.binomial(n, k / n, size=n_boot)
    sums = np.zeros(n_boot)
    per_batch = max(1, _DRAWS_PER_BATCH // k)
    for start in range(0, n_boot, per_batch):
        counts = hits[start : start + per_batch]
        picks = values.take(rng.integers(0, k, size=int(counts.sum()), dtype=np.int32))
        if picks.size == 0:
            continue
        # reduceat misreads empty segments, so sum the non-empty ones only
        nonempty = counts > 0
        starts = (np.cumsum(counts) - counts)[nonempty]
        sums[start : start + counts.size][nonempty] = np.add.reduceat(picks, starts)
    return sums / n
