"""Topics: does a concept separate chosen from rejected only in some prompts?

Owns: clustering pairs into topics (spherical k-means, by faiss) and the
per-topic contrast (in-topic delta against out-of-topic delta). The overall
contrast is ``core.contrast``; activations come from the store via the caller.

Cluster on the symmetric activity (the chosen and rejected vectors pooled,
``symmetric_activity``), never on delta. Topics built from delta would be
chosen because their deltas differ, and testing deltas inside them would
find what the clustering put there (double dipping). The pooled activity is
unchanged when chosen and rejected are swapped, so under the null (random
labels) the topic of a pair is independent of the sign of its delta, and the
per-topic tests keep their error rates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from typing import Any

import faiss
import numpy as np
import scipy.special as sc

from prefsight.contrast.config import ContrastConfig
from prefsight.contrast.moments import Moments, group_moments
from prefsight.contrast.stats import bh_q, paired_stats, variance, welch_z
from prefsight.contrast.validate import check_scores, check_split
from prefsight.errors import InvalidArgument

log = logging.getLogger(__name__)


def symmetric_activity(chosen_act: np.ndarray, rejected_act: np.ndarray) -> np.ndarray:
    """(chosen + rejected) / 2 pooled activations, the input ``cluster_topics`` wants.

    Raises:
        InvalidArgument: the two arrays differ in shape.
    """
    c, r = np.asarray(chosen_act), np.asarray(rejected_act)
    if c.shape != r.shape:
        raise InvalidArgument(f"chosen activity {c.shape} and rejected {r.shape} differ in shape")
    return ((c.astype(np.float32) + r.astype(np.float32)) / 2).astype(np.float32)


def cluster_topics(activity: Any, k: int, seed: int = 0, *, n_iter: int = 25) -> np.ndarray:
    """Topic of each pair by spherical k-means (cosine) on its symmetric activity.

    Args:
        activity: (n_pairs, d) pooled activity per pair (``symmetric_activity``);
            rows are L2-normalised here.
        k: number of topics, 1..n_pairs.
        seed: faiss k-means seed.
        n_iter: k-means iterations.

    Returns:
        (n_pairs,) int64 topic ids in 0..k-1.

    Raises:
        InvalidArgument: not 2-D, non-finite, or k out of range.
    """
    x = np.asarray(activity)
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
        raise InvalidArgument(f"activity must be (n_pairs, d), got shape {x.shape}")
    if not np.isfinite(x).all():
        raise InvalidArgument("activity has NaN or inf values")
    if not 1 <= k <= x.shape[0]:
        raise InvalidArgument(f"k must be in 1..{x.shape[0]} (the number of pairs), got {k}")
    x = np.ascontiguousarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
    kmeans = faiss.Kmeans(
        x.shape[1],
        k,
        niter=n_iter,
        seed=seed,
        spherical=True,
        verbose=False,
        min_points_per_centroid=1,
        max_points_per_centroid=1 << 16,
    )
    kmeans.train(x)
    _, labels = kmeans.index.search(x, 1)
    return labels.ravel().astype(np.int64)


@dataclass(frozen=True, eq=False)
class TopicContrastResult:
    """Per topic x concept statistics; matrices are (n_topics, n_concepts).

    Only topics with at least ``min_topic_pairs`` pairs inside and outside are
    rows; the others are listed in ``skipped`` with the reason.
    """

    topics: np.ndarray
    """(n_topics,) labels of the reported topics."""
    sizes: np.ndarray
    """(n_topics,) pairs in each reported topic."""
    skipped: dict[Any, str]
    """Topic label -> why it is not reported (too few pairs in or out)."""
    n_pairs: int
    delta_in: np.ndarray
    """Mean delta over the topic's pairs."""
    delta_out: np.ndarray
    """Mean delta over all other pairs (skipped topics included)."""
    delta_diff: np.ndarray
    """delta_in - delta_out."""
    delta_diff_a: np.ndarray
    delta_diff_b: np.ndarray
    d: np.ndarray
    """Cohen's d of delta within the topic."""
    z: np.ndarray
    """Welch z of in-topic against out-of-topic deltas."""
    p: np.ndarray
    """Two-sided normal p of z."""
    q: np.ndarray
    """Benjamini-Hochberg over all reported topic x concept cells."""
    split_half: np.ndarray
    """bool: delta_diff has the same sign, nonzero, in both split halves."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    def rank(self, topic: Any) -> np.ndarray:
        """Concept indices for one topic: split-half passes first, then by |z|.

        Raises:
            InvalidArgument: the topic is not reported (unknown or skipped).
        """
        hits = np.flatnonzero(self.topics == topic)
        if hits.size == 0:
            reason = self.skipped.get(topic, "unknown topic")
            raise InvalidArgument(f"topic {topic!r} not reported ({reason}); reported: {self.topics.tolist()}")
        i = int(hits[0])
        return np.lexsort((-np.abs(self.z[i]), ~self.split_half[i])).astype(np.int64)


def topic_contrast(
    chosen: Any,
    rejected: Any,
    topics: Any,
    *,
    split: Any = None,
    min_topic_pairs: int = 20,
    config: ContrastConfig | None = None,
) -> TopicContrastResult:
    """How each concept's delta inside each topic differs from outside it.

    Args:
        chosen: (n_pairs, n_concepts) dense array or scipy sparse matrix.
        rejected: the same shape and kind.
        topics: (n_pairs,) int or str topic label per pair (e.g. ``cluster_topics``).
        split: optional (n_pairs,) bool halves; default seeded (config.seed).
        min_topic_pairs: a topic is reported when it has at least this many
            pairs and so do the pairs outside it (at least 2).
        config: ContrastConfig (seed, chunking, threads).

    Returns:
        TopicContrastResult.

    Raises:
        InvalidArgument: bad scores or split (as ``contrast``), labels of the
            wrong shape or type, min_topic_pairs < 2.
    """
    config = config or ContrastConfig()
    scores = check_scores(chosen, rejected)
    n = scores.n_pairs
    half = check_split(split, n, config.seed)
    labels, codes = _topic_codes(topics, n)
    if min_topic_pairs < 2:
        raise InvalidArgument(f"min_topic_pairs must be at least 2, got {min_topic_pairs}")
    cells = group_moments(
        scores,
        codes * 2 + (~half).astype(np.intp),
        2 * labels.size,
        chunk_nnz=config.chunk_nnz,
        n_threads=config.n_threads,
    )
    sizes = cells.n[0::2] + cells.n[1::2]
    keep = (sizes >= min_topic_pairs) & (n - sizes >= min_topic_pairs)
    skipped = {
        _scalar(labels[i]): f"{sizes[i]} pairs in topic, {n - sizes[i]} outside; need {min_topic_pairs} each"
        for i in np.flatnonzero(~keep)
    }
    if skipped:
        log.info("topic contrast: skipped %d of %d topics", len(skipped), labels.size)
    return _topic_result(cells, labels, sizes, keep, skipped, n)


def _topic_codes(topics: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(topics)
    if arr.shape != (n,):
        raise InvalidArgument(f"topics must have shape ({n},), got {arr.shape}")
    if arr.dtype.kind == "O" and all(isinstance(t, str) for t in arr):
        arr = arr.astype(str)
    if arr.dtype.kind not in "iuU":
        raise InvalidArgument(f"topics must be int or str labels, got dtype {arr.dtype}")
    labels, codes = np.unique(arr, return_inverse=True)
    return labels, codes.astype(np.intp)


def _scalar(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def _topic_result(
    cells: Moments, labels: np.ndarray, sizes: np.ndarray, keep: np.ndarray, skipped: dict[Any, str], n: int
) -> TopicContrastResult:
    inside = _in_out(cells, [0, 1])
    halves = [_in_out(cells, [h]) for h in (0, 1)]
    n_in, s1_in, s2_in = (a[keep] for a in inside[0])
    n_out, s1_out, s2_out = (a[keep] for a in inside[1])
    mean_out = s1_out / n_out
    z = welch_z(s1_in / n_in, variance(n_in, s1_in, s2_in), n_in, mean_out, variance(n_out, s1_out, s2_out), n_out)
    p = 2 * sc.ndtr(-np.abs(z))
    diff_a, ok_a = _diff(halves[0], keep)
    diff_b, ok_b = _diff(halves[1], keep)
    return TopicContrastResult(
        topics=labels[keep],
        sizes=sizes[keep],
        skipped=skipped,
        n_pairs=n,
        delta_in=s1_in / n_in,
        delta_out=mean_out,
        delta_diff=s1_in / n_in - mean_out,
        delta_diff_a=diff_a,
        delta_diff_b=diff_b,
        d=paired_stats(n_in, s1_in, s2_in).d,
        z=z,
        p=p,
        q=bh_q(p),
        split_half=ok_a & ok_b & (np.sign(diff_a) == np.sign(diff_b)) & (diff_a != 0),
    )


_Sums = tuple[np.ndarray, np.ndarray, np.ndarray]


def _in_out(cells: Moments, halves: list[int]) -> tuple[_Sums, _Sums]:
    """(n, s1, s2) per topic inside and outside, over the given split halves.

    Cell 2 * topic + h holds the topic's pairs in half h (0 = A, 1 = B).
    """
    n_topics = cells.n.size // 2
    n_in = cells.n.reshape(n_topics, 2)[:, halves].sum(1)[:, None].astype(np.float64)
    s1_in = cells.s1.reshape(n_topics, 2, -1)[:, halves].sum(1)
    s2_in = cells.s2.reshape(n_topics, 2, -1)[:, halves].sum(1)
    inside = (n_in, s1_in, s2_in)
    outside = (n_in.sum(0) - n_in, s1_in.sum(0) - s1_in, s2_in.sum(0) - s2_in)
    return inside, outside


def _diff(sums: tuple[_Sums, _Sums], keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """In minus out mean delta within one half, and where both sides have pairs."""
    (n_in, s1_in, _), (n_out, s1_out, _) = sums
    n_in, s1_in, n_out, s1_out = n_in[keep], s1_in[keep], n_out[keep], s1_out[keep]
    ok = (n_in > 0) & (n_out > 0)
    mean_in = np.divide(s1_in, n_in, out=np.zeros_like(s1_in), where=n_in > 0)
    mean_out = np.divide(s1_out, n_out, out=np.zeros_like(s1_out), where=n_out > 0)
    return np.where(ok, mean_in - mean_out, 0.0), np.broadcast_to(ok, s1_in.shape).copy()
