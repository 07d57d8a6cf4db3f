"""Per-group sums of paired differences, the one pass over the scores.

Owns: turning (chosen, rejected) scores into per-group, per-concept sums —
counts, sum of delta, sum of delta squared, sign counts, fire counts, per-side
sums — from which ``stats`` derives every statistic. Groups are split halves
(``contrast``) or topic x half cells (``topic_contrast``); since sums add,
totals are the sum over groups.

How it stays fast on sparse scores (SAE latents: ~1-2% nonzero): rows are
ordered by group and cut into chunks of about ``chunk_nnz`` stored entries,
processed by a thread pool (scipy and numpy release the GIL). Per chunk:

- the union of the two sparsity patterns comes from one scipy sparse add of
  int8 flags (1 = chosen stored, 2 = rejected stored, 3 = both; never 0, so no
  entry is dropped — an exact tie chosen == rejected stays, unlike in
  ``chosen - rejected``, which drops it and would undercount fire rates);
- both sides' values are placed on that pattern, so delta = chosen - rejected
  is exact and complete;
- column sums are sparse matrix-vector products (ones @ X), about 1 ns per
  stored entry, far faster than ``np.bincount`` over int32 indices;
- the four counts (delta > 0, delta < 0, fire, fire per side) are packed as
  integers in base 2**17 into two float64 columns, so each pair of counts costs
  one product; float64 sums of integers below 2**53 are exact.

Memory: the inputs plus about 40 bytes per stored entry of one chunk per thread.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields

import numpy as np
import scipy.sparse as sp

from prefsight.contrast.validate import PairScores

log = logging.getLogger(__name__)

_BITS = 10
_BASE = 1 << _BITS
"""Radix of the packed counts (five digits, 50 bits); a chunk has fewer rows.
Small chunks also keep each chunk's arrays in the L2 cache."""
_MAX_CHUNK_ROWS = _BASE - 1


@dataclass
class Moments:
    """Sums over the pairs of each group; arrays are (n_groups, n_concepts).

    ``side_sum``/``side_sq`` (sum of chosen + rejected scores and of their
    squares) and ``s_len`` (sum of length_delta x delta) are None when not asked for.
    """

    n: np.ndarray
    """(n_groups,) pairs per group."""
    s1: np.ndarray
    s2: np.ndarray
    n_pos: np.ndarray
    n_neg: np.ndarray
    n_fire: np.ndarray
    n_fire_chosen: np.ndarray
    n_fire_rejected: np.ndarray
    side_sum: np.ndarray | None = None
    side_sq: np.ndarray | None = None
    s_len: np.ndarray | None = None

    def total(self) -> Moments:
        """The same sums over all pairs (one group)."""
        summed = {
            f.name: None if getattr(self, f.name) is None else getattr(self, f.name).sum(0)[None]
            for f in fields(self)
        }
        return Moments(**summed)

    def select(self, groups: np.ndarray) -> Moments:
        """Sums over the union of ``groups`` (one group)."""
        summed = {
            f.name: None
            if getattr(self, f.name) is None
            else getattr(self, f.name)[groups].sum(0)[None]
            for f in fields(self)
        }
        return Moments(**summed)


@dataclass
class _Chunk:
    """Column sums of one chunk of rows, all in one group."""

    s1: np.ndarray
    s2: np.ndarray
    counts: np.ndarray
    """(5, n_concepts) int64: n_pos, n_neg, n_fire_chosen, n_fire_rejected, n_fire."""
    side_sum: np.ndarray | None
    side_sq: np.ndarray | None
    s_len: np.ndarray | None


def _count_table() -> np.ndarray:
    """Packed counts of one union entry, indexed by its key.

    key = flags (1 chosen stored, 2 rejected stored, 3 both) + 4 * (delta > 0)
    + 8 * (delta < 0); the value holds, in base _BASE digits, n_pos, n_neg,
    fire_chosen, fire_rejected and fire (always 1 for a union entry).
    """
    table = np.zeros(16)
    for key in range(16):
        flags, pos, neg = key & 3, (key >> 2) & 1, (key >> 3) & 1
        digits = (pos, neg, flags & 1, flags >> 1, 1)
        table[key] = sum(float(v) * float(_BASE) ** i for i, v in enumerate(digits))
    return table


_COUNT_TABLE = _count_table()


def _decode_counts(packed: np.ndarray) -> np.ndarray:
    """(5, n_concepts) int64 digits of packed column sums (exact: all below 2**53)."""
    whole = np.rint(packed).astype(np.int64)
    return np.stack([(whole >> (_BITS * i)) & (_BASE - 1) for i in range(5)])


def group_moments(
    scores: PairScores,
    groups: np.ndarray,
    n_groups: int,
    *,
    length: np.ndarray | None = None,
    with_sides: bool = False,
    chunk_nnz: int = 1 << 21,
    n_threads: int = 0,
) -> Moments:
    """Per-group sums over the pairs, in one threaded pass over the scores.

    Args:
        scores: validated scores (see ``validate.check_scores``).
        groups: (n_pairs,) int group of each pair, in 0..n_groups-1.
        n_groups: number of groups (a group may be empty).
        length: optional (n_pairs,) float64 length_delta; adds ``s_len``.
        with_sides: also sum chosen + rejected scores and their squares.
        chunk_nnz: stored entries (sparse) or cells (dense) per side per chunk.
        n_threads: worker threads; 0 means one per CPU.

    Returns:
        Moments with (n_groups, n_concepts) arrays.
    """
    m = scores.n_concepts
    tasks = list(_plan_chunks(scores, groups, n_groups, chunk_nnz))
    out = _empty_moments(np.bincount(groups, minlength=n_groups), m, length, with_sides)
    kernel = _sparse_chunk if scores.is_sparse else _dense_chunk

    def run(task: tuple[int, np.ndarray | slice]) -> tuple[int, _Chunk]:
        group, rows = task
        ell = None if length is None else length[rows]
        c, r = _rows(scores.chosen, rows), _rows(scores.rejected, rows)
        return group, kernel(c, r, ell, with_sides)

    workers = n_threads or os.cpu_count() or 1
    log.debug("contrast moments: %d chunks, %d groups, %d threads", len(tasks), n_groups, workers)
    if workers == 1 or len(tasks) == 1:
        results: Iterator[tuple[int, _Chunk]] = map(run, tasks)
        _accumulate(out, results)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            _accumulate(out, pool.map(run, tasks))
    return out


def _plan_chunks(
    scores: PairScores, groups: np.ndarray, n_groups: int, chunk_nnz: int
) -> Iterator[tuple[int, np.ndarray | slice]]:
    """(group, rows) tasks; rows is a slice when the group's rows are contiguous."""
    n, m = scores.n_pairs, scores.n_concepts
    if scores.is_sparse:
        per_row = max(1.0, max(scores.chosen.nnz, scores.rejected.nnz) / n)
    else:
        per_row = float(m)
    rows_per_chunk = int(min(_MAX_CHUNK_ROWS, max(1, chunk_nnz // per_row)))
    order = np.argsort(groups, kind="stable")
    bounds = np.searchsorted(groups[order], np.arange(n_groups + 1))
    for g in range(n_groups):
        members = order[bounds[g] : bounds[g + 1]]
        for start in range(0, members.size, rows_per_chunk):
            rows = members[start : start + rows_per_chunk]
            if rows[-1] - rows[0] + 1 == rows.size:
                yield g, slice(int(rows[0]), int(rows[-1]) + 1)
            else:
                yield g, rows


def _rows(x: np.ndarray | sp.csr_matrix, rows: np.ndarray | slice) -> np.ndarray | sp.csr_matrix:
    """Rows of x; a contiguous block of a CSR matrix is a view, not a copy."""
    if not (sp.issparse(x) and isinstance(rows, slice)):
        return x[rows]
    start, stop = x.indptr[rows.start], x.indptr[rows.stop]
    indptr = x.indptr[rows.start : rows.stop + 1] - start
    shape = (rows.stop - rows.start, x.shape[1])
    return sp.csr_matrix(
        (x.data[start:stop], x.indices[start:stop], indptr), shape=shape, copy=False
    )


def _empty_moments(
    sizes: np.ndarray, m: int, length: np.ndarray | None, with_sides: bool
) -> Moments:
    g = sizes.size

    def zeros(dtype: type = np.float64) -> np.ndarray:
        return np.zeros((g, m), dtype=dtype)

    return Moments(
        n=sizes.astype(np.int64),
        s1=zeros(),
        s2=zeros(),
        n_pos=zeros(np.int64),
        n_neg=zeros(np.int64),
        n_fire=zeros(np.int64),
        n_fire_chosen=zeros(np.int64),
        n_fire_rejected=zeros(np.int64),
        side_sum=zeros() if with_sides else None,
        side_sq=zeros() if with_sides else None,
        s_len=None if length is None else zeros(),
    )


def _accumulate(out: Moments, results: Iterator[tuple[int, _Chunk]]) -> None:
    counts = (out.n_pos, out.n_neg, out.n_fire_chosen, out.n_fire_rejected, out.n_fire)
    for g, chunk in results:
        out.s1[g] += chunk.s1
        out.s2[g] += chunk.s2
        for total, part in zip(counts, chunk.counts):
            total[g] += part
        for name in ("side_sum", "side_sq", "s_len"):
            total, part = getattr(out, name), getattr(chunk, name)
            if total is not None:
                total[g] += part


class _ColumnSums:
    """Column sums of arrays laid out on one CSR pattern, without rebuilding matrices.

    Holds the pattern's transpose as a CSC matrix (the same arrays, no copy)
    and swaps in each data array; ``csc @ vector`` is scipy's matvec loop.
    Sums accumulate in the data's dtype within the chunk (float32 input:
    float32 over at most _MAX_CHUNK_ROWS rows) and are returned as float64.
    """

    def __init__(self, pattern: sp.csr_matrix) -> None:
        rows, cols = pattern.shape
        self._t = sp.csc_matrix(
            (pattern.data, pattern.indices, pattern.indptr), shape=(cols, rows), copy=False
        )
        self._rows = rows

    def __call__(self, data: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        self._t.data = data
        if weights is None:
            vector = np.ones(self._rows, dtype=data.dtype)
        else:
            vector = weights.astype(data.dtype, copy=False)
        return np.asarray(self._t @ vector, dtype=np.float64)


def _union(c: sp.csr_matrix, r: sp.csr_matrix) -> sp.csr_matrix:
    """Union pattern with int8 flags 1 (chosen), 2 (rejected), 3 (both); none dropped."""
    flag_c = sp.csr_matrix((np.ones(c.nnz, np.int8), c.indices, c.indptr), shape=c.shape)
    flag_r = sp.csr_matrix((np.full(r.nnz, 2, np.int8), r.indices, r.indptr), shape=r.shape)
    return flag_c + flag_r


class _Workspace:
    """Per-thread scratch arrays, reused across chunks.

    Fresh multi-megabyte arrays per chunk cost page faults (glibc hands large
    freed blocks back to the OS), which measured as slow as the arithmetic;
    reusing buffers removes them.
    """

    def __init__(self) -> None:
        self._arrays: dict[tuple[str, np.dtype], np.ndarray] = {}

    def get(self, name: str, size: int, dtype: type | np.dtype) -> np.ndarray:
        """A (size,) view of the named buffer, grown when too small; contents undefined."""
        key = (name, np.dtype(dtype))
        arr = self._arrays.get(key)
        if arr is None or arr.size < size:
            arr = np.empty(max(size, int(1.25 * (0 if arr is None else arr.size))), key[1])
            self._arrays[key] = arr
        return arr[:size]

    def iota(self, size: int) -> np.ndarray:
        """0..size-1 as intp."""
        arr = self._arrays.get(("iota", np.dtype(np.intp)))
        if arr is None or arr.size < size:
            arr = np.arange(max(size, 1 << 16), dtype=np.intp)
            self._arrays[("iota", np.dtype(np.intp))] = arr
        return arr[:size]


_local = threading.local()


def _workspace() -> _Workspace:
    ws = getattr(_local, "workspace", None)
    if ws is None:
        ws = _local.workspace = _Workspace()
    return ws


def _spread(ws: _Workspace, present: np.ndarray, values: np.ndarray, out: np.ndarray) -> None:
    """out = values at the True positions of ``present`` (in order), 0 elsewhere."""
    out.fill(0)
    out[np.flatnonzero(present)] = values


def _sparse_chunk(
    c: sp.csr_matrix, r: sp.csr_matrix, ell: np.ndarray | None, with_sides: bool
) -> _Chunk:
    """Sums over one chunk of CSR rows (canonical, no stored zeros: see validate)."""
    ws = _workspace()
    union = _union(c, r)
    flags, nnz = union.data, union.nnz
    dtype = np.result_type(c.dtype, r.dtype)
    delta, other = ws.get("delta", nnz, dtype), ws.get("other", nnz, dtype)
    bits = ws.get("bits", nnz, np.int8)
    _spread(ws, np.bitwise_and(flags, 1, out=bits).view(np.bool_), c.data, delta)
    _spread(ws, np.right_shift(flags, 1, out=bits).view(np.bool_), r.data, other)
    np.subtract(delta, other, out=delta)
    colsum = _ColumnSums(union)
    s1 = colsum(delta)
    s_len = None if ell is None else colsum(delta, ell)
    counts = _decode_counts(colsum(_count_codes(ws, flags, delta)))
    s2 = colsum(np.multiply(delta, delta, out=other))
    side_sum = side_sq = None
    if with_sides:
        colsum_c, colsum_r = _ColumnSums(c), _ColumnSums(r)
        side_sum = 2 * colsum_c(c.data) - s1
        sq_c = np.multiply(c.data, c.data, out=ws.get("sq_c", c.nnz, c.dtype))
        sq_r = np.multiply(r.data, r.data, out=ws.get("sq_r", r.nnz, r.dtype))
        side_sq = colsum_c(sq_c) + colsum_r(sq_r)
    return _Chunk(s1=s1, s2=s2, counts=counts, side_sum=side_sum, side_sq=side_sq, s_len=s_len)


def _count_codes(ws: _Workspace, flags: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Packed counts (see _COUNT_TABLE) of each union entry."""
    nnz = flags.size
    key = ws.get("key", nnz, np.int8)
    bit = ws.get("bit", nnz, np.int8)
    np.greater(delta, 0, out=bit.view(np.bool_))
    np.left_shift(bit, 2, out=key)
    np.less(delta, 0, out=bit.view(np.bool_))
    np.left_shift(bit, 3, out=bit)
    np.bitwise_or(key, bit, out=key)
    np.bitwise_or(key, flags, out=key)
    index = ws.get("key_intp", nnz, np.intp)
    np.copyto(index, key)
    return np.take(_COUNT_TABLE, index, out=ws.get("codes", nnz, np.float64))


def _dense_chunk(
    c: np.ndarray, r: np.ndarray, ell: np.ndarray | None, with_sides: bool
) -> _Chunk:
    """Sums over one chunk of dense rows, in float64."""
    c64 = c.astype(np.float64, copy=False)
    r64 = r.astype(np.float64, copy=False)
    delta = c64 - r64
    fire_c, fire_r = c != 0, r != 0
    counts = [delta > 0, delta < 0, fire_c, fire_r, fire_c | fire_r]
    return _Chunk(
        s1=delta.sum(0),
        s2=np.einsum("ij,ij->j", delta, delta),
        counts=np.stack([x.sum(0) for x in counts]).astype(np.int64),
        side_sum=c64.sum(0) + r64.sum(0) if with_sides else None,
        side_sq=np.einsum("ij,ij->j", c64, c64) + np.einsum("ij,ij->j", r64, r64)
        if with_sides
        else None,
        s_len=None if ell is None else ell @ delta,
    )
