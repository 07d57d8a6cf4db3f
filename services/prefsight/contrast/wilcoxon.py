"""Wilcoxon signed-rank p for a chosen few concepts.

Owns: the rank-based check a person runs on the concepts a contrast ranked
high. It is not part of ``contrast`` because ranking every concept's deltas is
O(n log n) per concept on dense columns: 16k concepts x 250k pairs would take
minutes, while the top few take milliseconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import wilcoxon as scipy_wilcoxon

from prefsight.contrast.validate import check_finite, check_scores
from prefsight.errors import InvalidArgument


def wilcoxon(chosen: Any, rejected: Any, indices: Any) -> np.ndarray:
    """Two-sided Wilcoxon signed-rank p of delta for the concepts in ``indices``.

    Zero deltas are dropped (``zero_method="wilcox"``, the right choice for
    sparse scores where most pairs have delta 0); scipy picks the exact or
    normal-approximation method by size. A concept with no nonzero delta gets
    p = 1.

    Args:
        chosen: (n_pairs, n_concepts) dense array or scipy sparse matrix.
        rejected: the same shape and kind.
        indices: concept indices (e.g. ``result.rank()[:20]``).

    Returns:
        (len(indices),) float64 p-values, in the order of ``indices``.

    Raises:
        InvalidArgument: bad scores (as ``contrast``) or an index out of range.

    Example:
        >>> top = result.rank()[:20]
        >>> p_rank = wilcoxon(chosen, rejected, top)
    """
    scores = check_scores(chosen, rejected)
    check_finite(scores)
    idx = np.asarray(indices, dtype=np.int64).ravel()
    m = scores.n_concepts
    if idx.size and (idx.min() < 0 or idx.max() >= m):
        raise InvalidArgument(f"indices must be in 0..{m - 1}, got {idx.min()}..{idx.max()}")
    c, r = scores.chosen[:, idx], scores.rejected[:, idx]
    if scores.is_sparse:
        c, r = c.toarray(), r.toarray()
    delta = c.astype(np.float64) - r
    return np.array([_signed_rank_p(col) for col in delta.T])


def _signed_rank_p(delta: np.ndarray) -> float:
    nonzero = delta[delta != 0]
    if nonzero.size == 0:
        return 1.0
    return float(scipy_wilcoxon(nonzero, zero_method="wilcox").pvalue)
