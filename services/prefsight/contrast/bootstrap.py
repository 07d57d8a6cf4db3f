"""Bootstrap confidence intervals of the mean delta, where they are needed.

Owns: choosing which concepts get a bootstrap CI and computing it. The
Student-t interval (``stats.t_interval``) covers the others.

Where a bootstrap is needed: the mean of k nonzero deltas (zeros add nothing
but weight) has skewness of order 1/sqrt(k), so for a concept firing on
thousands of pairs the percentile bootstrap interval and the t-interval agree,
while for one firing on a few dozen the t-interval is symmetric around a
skewed distribution. Bootstrapping every concept is also out of reach: it
costs n_bootstrap x (nonzero deltas) draws per concept, ~10^11 at 250k pairs
x 16k SAE latents, minutes rather than the ~2 s a contrast takes. So the
best-ranked ``bootstrap_top`` concepts with at most ``bootstrap_max_nonzero``
nonzero deltas (the ones a person reads, where it matters) are bootstrapped
while the total stays within ``bootstrap_budget`` draws; a concept that would
overrun the budget is skipped and the next one tried.

The resampling is the ordinary (multinomial) pair bootstrap, exact but done
over nonzero deltas only: of the n pairs drawn with replacement, the number
landing on the k pairs with delta != 0 is Binomial(n, k / n), and those draws
are uniform over the k values. The mean of a resample is their sum over n.
The interval is the (alpha/2, 1 - alpha/2) percentile interval of
n_bootstrap resampled means.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from prefsight.contrast.config import ContrastConfig
from prefsight.contrast.validate import PairScores

log = logging.getLogger(__name__)

_DRAWS_PER_BATCH = 1 << 18
"""Random indices drawn at once: small enough (3 MiB) to stay in cache and be
reused by the allocator rather than page-faulted in afresh."""


def choose_bootstrapped(order: np.ndarray, nonzero: np.ndarray, config: ContrastConfig) -> np.ndarray:
    """Concepts to bootstrap: best ranked first, few nonzero deltas, within budget.

    Args:
        order: concept indices, best first (``ContrastResult.rank``).
        nonzero: (n_concepts,) number of pairs with delta != 0 per concept.
        config: n_bootstrap, bootstrap_top, bootstrap_max_nonzero, bootstrap_budget.

    Returns:
        Sorted concept indices to bootstrap (possibly empty).
    """
    if config.n_bootstrap == 0:
        return np.zeros(0, dtype=np.int64)
    chosen: list[int] = []
    spent = 0
    for j in order[: config.bootstrap_top]:
        if nonzero[j] > config.bootstrap_max_nonzero:
            continue
        cost = config.n_bootstrap * max(int(nonzero[j]), 1)
        if spent + cost <= config.bootstrap_budget:
            chosen.append(int(j))
            spent += cost
    log.debug("bootstrapping %d concepts, %d draws", len(chosen), spent)
    return np.sort(np.asarray(chosen, dtype=np.int64))


def bootstrap_ci(scores: PairScores, columns: np.ndarray, config: ContrastConfig) -> tuple[np.ndarray, np.ndarray]:
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


def _nonzero_deltas(scores: PairScores, columns: np.ndarray, pool: ThreadPoolExecutor) -> list[np.ndarray]:
    """The nonzero deltas of each requested concept, as float64."""
    if scores.is_sparse:
        sides = pool.map(lambda x: x[:, columns], (scores.chosen, scores.rejected))
        c, r = sides
        delta = (c - r).tocsc()
        delta.eliminate_zeros()
        return [delta.data[delta.indptr[i] : delta.indptr[i + 1]].astype(np.float64) for i in range(columns.size)]
    block = scores.chosen[:, columns].astype(np.float64) - scores.rejected[:, columns]
    return [col[col != 0] for col in block.T]


def _resampled_means(values: np.ndarray, n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Means of n_boot multinomial resamples of n pairs whose nonzero deltas are ``values``."""
    k = values.size
    hits = rng.binomial(n, k / n, size=n_boot)
    sums = np.zeros(n_boot)
    per_batch = max(1, _DRAWS_PER_BATCH // k)
    buffer = np.empty(int(hits.max()) * min(per_batch, n_boot))
    for start in range(0, n_boot, per_batch):
        counts = hits[start : start + per_batch]
        draws = rng.integers(0, k, size=int(counts.sum()), dtype=np.int32)
        picks = values.take(draws, out=buffer[: draws.size])
        if picks.size == 0:
            continue
        # reduceat misreads empty segments, so sum the non-empty ones only
        nonempty = counts > 0
        starts = (np.cumsum(counts) - counts)[nonempty]
        sums[start : start + counts.size][nonempty] = np.add.reduceat(picks, starts)
    return sums / n
