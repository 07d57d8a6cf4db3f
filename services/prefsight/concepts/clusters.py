"""Group SAE latents that fire together on the same responses.

Owns one job: from a (n_spans, d_sae) matrix of per-span firing (frequencies, max
activations or 0/1), give each latent a cluster id so that latents which co-fire across
spans end up together. Similarity is Jaccard on the firing sets (or cosine on the values);
grouping is agglomerative (SciPy's hierarchical clustering). Naming clusters, and turning
them into Concepts, is left to ``prefsight.concepts``.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform

from prefsight.errors import InvalidArgument, ResourceExhausted

log = logging.getLogger(__name__)

SIMILARITIES = ("jaccard", "cosine")
METHODS = ("average", "complete", "single")
MAX_DENSE_LATENTS = 20_000
"""Above this many firing latents, only ``method="single"`` (sparse) is allowed."""


def cluster_cofiring(
    firing: sp.spmatrix | np.ndarray,
    threshold: float = 0.3,
    min_cofire: int = 2,
    *,
    similarity: str = "jaccard",
    method: str = "average",
) -> np.ndarray:
    """Cluster latents by how often they fire on the same spans.

    Args:
        firing: (n_spans, d_sae) non-negative; an entry > 0 means the latent fired in
            that span (e.g. ``freq`` from ``span_stats``).
        threshold: the similarity, in (0, 1], that two groups must reach to merge
            (average similarity for ``method="average"``, the weakest pair for
            "complete", the strongest pair for "single").
        min_cofire: pairs that fire together in fewer spans than this count as
            dissimilar (0), so rare coincidences do not join clusters.
        similarity: "jaccard" (|A and B| / |A or B| of the firing span sets) or
            "cosine" (of the value columns).
        method: linkage: "average", "complete" or "single" (single linkage runs on a
            sparse graph and scales to any number of latents).

    Returns:
        (d_sae,) int64 cluster ids: -1 for latents that never fire, otherwise
        0..n_clusters-1, numbered in order of each cluster's lowest latent. A latent
        that co-fires with nothing is a cluster of its own.

    Raises:
        InvalidArgument: bad shape, negative or non-finite values, or bad parameters.
        ResourceExhausted: more than MAX_DENSE_LATENTS firing latents with a dense
            linkage method.
    """
    x = _check_firing(firing)
    _check_params(threshold, min_cofire, similarity, method)
    labels = np.full(x.shape[1], -1, dtype=np.int64)
    active = np.flatnonzero(x.getnnz(axis=0) > 0)
    if active.size == 0:
        return labels
    sim = _similarity(x[:, active], min_cofire, similarity)
    if method == "single":
        groups = _single_linkage(sim, threshold)
    else:
        groups = _dense_linkage(sim, threshold, method)
    labels[active] = _renumber(groups)
    log.debug("clustered %d firing latents into %d groups", active.size, labels.max() + 1)
    return labels


def _check_firing(firing: sp.spmatrix | np.ndarray) -> sp.csc_matrix:
    x = sp.csc_matrix(firing) if sp.issparse(firing) else None
    if x is None:
        arr = np.asarray(firing)
        if arr.ndim != 2:
            raise InvalidArgument(f"firing must be 2-D (n_spans, d_sae), got shape {arr.shape}")
        x = sp.csc_matrix(arr)
    x = x.astype(np.float64)
    if not np.isfinite(x.data).all() or (x.data < 0).any():
        raise InvalidArgument("firing must be finite and non-negative")
    x.eliminate_zeros()
    return x


def _check_params(threshold: float, min_cofire: int, similarity: str, method: str) -> None:
    if not 0.0 < threshold <= 1.0:
        raise InvalidArgument(f"threshold must be in (0, 1], got {threshold}")
    if min_cofire < 1:
        raise InvalidArgument(f"min_cofire must be >= 1, got {min_cofire}")
    if similarity not in SIMILARITIES:
        raise InvalidArgument(f"similarity {similarity!r} unknown; use one of {SIMILARITIES}")
    if method not in METHODS:
        raise InvalidArgument(f"method {method!r} unknown; use one of {METHODS}")


def _similarity(x: sp.csc_matrix, min_cofire: int, similarity: str) -> sp.csr_matrix:
    """Sparse (m, m) similarity of the m firing columns; zero below ``min_cofire``."""
    fired = x.copy()
    fired.data[:] = 1.0
    cofire = (fired.T @ fired).tocsr()  # (m, m) spans where both fire
    coo = cofire.tocoo()
    keep = (coo.data >= min_cofire) & (coo.row != coo.col)
    rows, cols, both = coo.row[keep], coo.col[keep], coo.data[keep]
    if similarity == "jaccard":
        counts = np.asarray(fired.sum(axis=0)).ravel()
        values = both / (counts[rows] + counts[cols] - both)
    else:
        gram = (x.T @ x).tocsr()
        norms = np.sqrt(gram.diagonal())
        values = np.asarray(gram[rows, cols]).ravel() / (norms[rows] * norms[cols])
    m = x.shape[1]
    return sp.csr_matrix((np.clip(values, 0.0, 1.0), (rows, cols)), shape=(m, m))


def _single_linkage(sim: sp.csr_matrix, threshold: float) -> np.ndarray:
    """Connected components of the graph of pairs at least ``threshold`` similar."""
    strong = sim.copy()
    strong.data[strong.data < threshold] = 0.0
    strong.eliminate_zeros()
    _, groups = connected_components(strong, directed=False)
    return groups


def _dense_linkage(sim: sp.csr_matrix, threshold: float, method: str) -> np.ndarray:
    m = sim.shape[0]
    if m > MAX_DENSE_LATENTS:
        raise ResourceExhausted(f"{m} firing latents is more than {MAX_DENSE_LATENTS} for "
                                f"method={method!r}; use method='single'")  # fmt: skip
    if m == 1:
        return np.zeros(1, dtype=np.int64)
    dist = 1.0 - sim.toarray()
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method=method)
    return fcluster(tree, t=1.0 - threshold + 1e-12, criterion="distance")


def _renumber(groups: np.ndarray) -> np.ndarray:
    """Relabel to 0..n-1 in order of first appearance."""
    _, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    rank = np.empty_like(first)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inverse].astype(np.int64)
