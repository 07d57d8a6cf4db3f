"""Check and normalise what callers hand to the contrast functions.

Owns: every InvalidArgument the contrast package raises for bad input (shape,
NaN/inf, too few pairs, a split that is not boolean). All checks run before any
statistic is computed. The statistics themselves are in ``moments`` and
``stats``.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from prefsight.errors import InvalidArgument

log = logging.getLogger(__name__)

MIN_PAIRS = 4
"""Fewest pairs a contrast accepts: two per split half, so each half has a variance."""


@dataclass(frozen=True)
class PairScores:
    """Validated scores: both dense float arrays or both canonical CSR matrices."""

    chosen: Any
    """(n_pairs, n_concepts) np.ndarray (float32/64) or scipy CSR with sorted indices."""
    rejected: Any
    is_sparse: bool

    @property
    def n_pairs(self) -> int:
        return int(self.chosen.shape[0])

    @property
    def n_concepts(self) -> int:
        return int(self.chosen.shape[1])


def check_scores(chosen: Any, rejected: Any) -> PairScores:
    """Validate a chosen/rejected score pair and bring it to a form the kernels read.

    Args:
        chosen: (n_pairs, n_concepts) array or scipy sparse matrix of chosen scores.
        rejected: the same for the rejected responses.

    Returns:
        PairScores; sparse input becomes canonical CSR (copied only when it was
        another format or had unsorted/duplicate indices), dense input float32/64.

    Raises:
        InvalidArgument: mixed dense/sparse, shape mismatch, not 2-D, fewer than
            MIN_PAIRS pairs, no concepts, non-numeric values, or (dense only:
            sparse values are checked by ``check_finite`` from the sums) NaN/inf.
    """
    if sp.issparse(chosen) != sp.issparse(rejected):
        raise InvalidArgument(
            "chosen and rejected must both be dense arrays or both scipy sparse matrices, "
            f"got {type(chosen).__name__} and {type(rejected).__name__}"
        )
    is_sparse = sp.issparse(chosen)
    prepare = _sparse_side if is_sparse else _dense_side
    with ThreadPoolExecutor(max_workers=2) as pool:  # the checks release the GIL
        c, r = pool.map(prepare, (chosen, rejected), ("chosen", "rejected"))
    if c.shape != r.shape:
        raise InvalidArgument(
            f"chosen has shape {c.shape} but rejected has shape {r.shape}; both must be (n_pairs, n_concepts)"
        )
    if c.shape[0] < MIN_PAIRS:
        raise InvalidArgument(f"need at least {MIN_PAIRS} pairs, got {c.shape[0]}")
    if c.shape[1] < 1:
        raise InvalidArgument("scores have no concepts (0 columns)")
    return PairScores(chosen=c, rejected=r, is_sparse=is_sparse)


def _dense_side(x: Any, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim != 2:
        raise InvalidArgument(f"{name} must be 2-D (n_pairs, n_concepts), got shape {arr.shape}")
    arr = _real_dtype(arr, name)
    if not np.isfinite(arr).all():
        row, col = np.argwhere(~np.isfinite(arr))[0]
        raise InvalidArgument(f"{name} has a non-finite value ({arr[row, col]}) at pair {row}, concept {col}")
    return arr


def _sparse_side(x: Any, name: str) -> sp.csr_matrix:
    if x.ndim != 2:
        raise InvalidArgument(f"{name} must be 2-D (n_pairs, n_concepts), got shape {x.shape}")
    m = x if x.format == "csr" else x.tocsr()
    if m.format != x.format:
        log.debug("%s: converted %s to CSR", name, x.format)
    m = sp.csr_matrix(m, copy=False)
    data = _real_dtype(m.data, name)
    if data is not m.data:
        m = sp.csr_matrix((data, m.indices, m.indptr), shape=m.shape)
    if not m.has_canonical_format:
        log.debug("%s: sorting indices and summing duplicates (a copy)", name)
        m = m.copy()
        m.sum_duplicates()
    return m


def _real_dtype(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.dtype in (np.float32, np.float64):
        return arr
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64)
    raise InvalidArgument(f"{name} must hold real numbers, got dtype {arr.dtype}")


def check_finite(scores: PairScores) -> None:
    """Raise InvalidArgument naming the first NaN/inf score, if there is one.

    Sparse scores are not scanned by ``check_scores``: a NaN or inf makes the
    column sums non-finite, so ``moments`` calls this only then.
    """
    for x, name in ((scores.chosen, "chosen"), (scores.rejected, "rejected")):
        if scores.is_sparse:
            _check_finite_sparse(x, name)
        else:
            _dense_side(x, name)


def _check_finite_sparse(m: sp.csr_matrix, name: str) -> None:
    bad = np.flatnonzero(~np.isfinite(m.data))
    if bad.size == 0:
        return
    row = int(np.searchsorted(m.indptr, bad[0], side="right") - 1)
    col = int(m.indices[bad[0]])
    raise InvalidArgument(f"{name} has a non-finite value ({m.data[bad[0]]}) at pair {row}, concept {col}")


def check_split(split: Any, n_pairs: int, seed: int) -> np.ndarray:
    """The split-half assignment: True for half A, False for half B.

    Args:
        split: (n_pairs,) bool array, or None for a seeded random half of the pairs.
        n_pairs: number of pairs.
        seed: seeds the default permutation.

    Returns:
        (n_pairs,) bool array with at least two pairs in each half.

    Raises:
        InvalidArgument: not bool, wrong length, or a half with fewer than two pairs.
    """
    if split is None:
        half = np.zeros(n_pairs, dtype=bool)
        half[np.random.default_rng(seed).permutation(n_pairs)[: n_pairs // 2]] = True
        return half
    arr = np.asarray(split)
    if arr.dtype != np.bool_:
        raise InvalidArgument(f"split must be a bool array (True = half A), got dtype {arr.dtype}")
    if arr.shape != (n_pairs,):
        raise InvalidArgument(f"split must have shape ({n_pairs},), got {arr.shape}")
    n_a = int(arr.sum())
    if min(n_a, n_pairs - n_a) < 2:
        raise InvalidArgument(f"each split half needs at least 2 pairs, got {n_a} in A and {n_pairs - n_a} in B")
    return arr


def check_length_delta(length_delta: Any, n_pairs: int) -> np.ndarray | None:
    """Validate the per-pair length difference (chosen minus rejected tokens).

    Returns:
        (n_pairs,) float64 array, or None when not given.

    Raises:
        InvalidArgument: wrong shape, non-finite, or constant (the length-controlled
            delta is then not identified).
    """
    if length_delta is None:
        return None
    arr = np.asarray(length_delta)
    if arr.dtype.kind not in "biuf":
        raise InvalidArgument(f"length_delta must be numeric, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if arr.shape != (n_pairs,):
        raise InvalidArgument(f"length_delta must have shape ({n_pairs},), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise InvalidArgument(f"length_delta has a non-finite value at pair {int(np.argmin(np.isfinite(arr)))}")
    if np.ptp(arr) == 0:
        raise InvalidArgument(f"length_delta is constant ({arr[0]}); a length control needs varying lengths")
    return arr
