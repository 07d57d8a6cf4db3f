"""prefsight.contrast topics: spherical k-means and the per-topic contrast."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.stats as st
from prefsight.contrast import ContrastConfig, cluster_topics, symmetric_activity, topic_contrast
from prefsight.errors import InvalidArgument


def clustered_activity(n_per: int, k: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points around k orthogonal directions, with random norms (cosine clusters)."""
    rng = np.random.default_rng(seed)
    centres = np.linalg.qr(rng.normal(size=(d, k)))[0].T  # (k, d) orthonormal
    truth = np.repeat(np.arange(k), n_per)
    points = centres[truth] + 0.15 * rng.normal(size=(truth.size, d))
    points *= rng.uniform(0.2, 20.0, (truth.size, 1))  # norms carry no topic
    return points.astype(np.float32), truth


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """True when a and b group the items identically (up to renaming)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_spherical_kmeans_recovers_separated_clusters_by_direction() -> None:
    activity, truth = clustered_activity(60, 4, 16, seed=0)
    labels = cluster_topics(activity, 4, seed=0)
    assert labels.shape == (240,) and labels.dtype == np.int64
    assert same_partition(labels, truth)


def test_symmetric_activity_does_not_depend_on_which_side_is_chosen() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(30, 8)), rng.normal(size=(30, 8))
    np.testing.assert_array_equal(symmetric_activity(a, b), symmetric_activity(b, a))
    np.testing.assert_allclose(symmetric_activity(a, b), (a + b) / 2, rtol=1e-5)
    with pytest.raises(InvalidArgument, match="differ in shape"):
        symmetric_activity(a, b[:, :4])


@pytest.mark.parametrize(
    "activity,k,match",
    [
        (np.ones(10), 2, "must be \\(n_pairs, d\\)"),
        (np.full((10, 3), np.nan), 2, "NaN or inf"),
        (np.ones((10, 3)), 11, "k must be in 1..10"),
        (np.ones((10, 3)), 0, "k must be in 1..10"),
    ],
)
def test_cluster_topics_rejects_bad_input(activity: np.ndarray, k: int, match: str) -> None:
    with pytest.raises(InvalidArgument, match=match):
        cluster_topics(activity, k)


def topic_pairs(
    sizes: tuple[int, ...], m: int, seed: int, shift_topic: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Null pairs in topics; concept 0 is higher on chosen only in ``shift_topic``."""
    rng = np.random.default_rng(seed)
    topics = np.repeat(np.arange(len(sizes)), sizes)
    rng.shuffle(topics)
    n = topics.size
    chosen, rejected = rng.normal(size=(n, m)), rng.normal(size=(n, m))
    chosen[topics == shift_topic, 0] += 1.0
    return chosen, rejected, topics


def test_topic_contrast_finds_a_concept_that_shifts_in_one_topic_only() -> None:
    chosen, rejected, topics = topic_pairs((150, 150, 150), 30, seed=2)
    res = topic_contrast(chosen, rejected, topics, config=ContrastConfig(n_bootstrap=0))
    np.testing.assert_array_equal(res.topics, [0, 1, 2])
    assert res.delta_diff[1, 0] > 0.8 and res.z[1, 0] > 6
    assert res.split_half[1, 0] and res.q[1, 0] < 1e-6
    assert res.delta_diff[0, 0] < 0 and res.delta_diff[2, 0] < 0  # the others lack it
    assert res.rank(1)[0] == 0
    found = (res.q < 0.05) & res.split_half
    found[:, 0] = False
    assert found.sum() <= 1  # 89 null cells: about 0.05 expected


def test_topic_contrast_matches_a_numpy_reference_and_sparse_equals_dense() -> None:
    chosen, rejected, topics = topic_pairs((40, 60, 50), 6, seed=3)
    chosen[np.abs(chosen) < 0.8] = 0.0  # sparse-ish, with exact zeros
    split = np.random.default_rng(4).random(150) < 0.5
    config = ContrastConfig(chunk_nnz=1024)
    res = topic_contrast(chosen, rejected, topics, split=split, min_topic_pairs=20, config=config)
    delta = chosen - rejected
    for i, t in enumerate(res.topics):
        inside, outside = delta[topics == t], delta[topics != t]
        np.testing.assert_allclose(res.delta_in[i], inside.mean(0))
        np.testing.assert_allclose(res.delta_out[i], outside.mean(0))
        welch = (inside.mean(0) - outside.mean(0)) / np.sqrt(
            inside.var(0, ddof=1) / len(inside) + outside.var(0, ddof=1) / len(outside)
        )
        np.testing.assert_allclose(res.z[i], welch, rtol=1e-10)
        np.testing.assert_allclose(res.d[i], inside.mean(0) / inside.std(0, ddof=1), rtol=1e-10)
        for half, got in ((split, res.delta_diff_a[i]), (~split, res.delta_diff_b[i])):
            ref = delta[half & (topics == t)].mean(0) - delta[half & (topics != t)].mean(0)
            np.testing.assert_allclose(got, ref, atol=1e-12)
    np.testing.assert_allclose(res.p, 2 * st.norm.sf(np.abs(res.z)))
    sparse = topic_contrast(sp.csr_matrix(chosen), sp.csr_matrix(rejected), topics, split=split, config=config)
    np.testing.assert_allclose(sparse.z, res.z, rtol=1e-10)
    np.testing.assert_array_equal(sparse.split_half, res.split_half)


def test_small_topics_are_reported_as_skipped_not_dropped() -> None:
    chosen, rejected, topics = topic_pairs((100, 100, 8), 4, seed=5)
    labels = np.array(["code", "math", "poetry"])[topics]
    res = topic_contrast(chosen, rejected, labels, min_topic_pairs=20)
    assert res.topics.tolist() == ["code", "math"]
    assert res.sizes.tolist() == [100, 100]
    assert list(res.skipped) == ["poetry"] and "8 pairs in topic" in res.skipped["poetry"]
    assert res.delta_diff.shape == (2, 4)
    # the skipped topic's pairs still count as "outside" for the others
    delta = chosen - rejected
    np.testing.assert_allclose(res.delta_out[0], delta[labels != "code"].mean(0))
    with pytest.raises(InvalidArgument, match="poetry"):
        res.rank("poetry")


def test_topic_contrast_rejects_bad_labels() -> None:
    chosen, rejected, topics = topic_pairs((30, 30), 3, seed=6)
    with pytest.raises(InvalidArgument, match="int or str labels"):
        topic_contrast(chosen, rejected, topics.astype(float))
    with pytest.raises(InvalidArgument, match="topics must have shape"):
        topic_contrast(chosen, rejected, topics[:-1])
    with pytest.raises(InvalidArgument, match="min_topic_pairs must be at least 2"):
        topic_contrast(chosen, rejected, topics, min_topic_pairs=1)
    with pytest.raises(InvalidArgument, match="split must be a bool array"):
        topic_contrast(chosen, rejected, topics, split=np.zeros(60, dtype=int))


def test_topics_from_symmetric_activity_keep_the_null_honest() -> None:
    # Topics clustered on chosen + rejected activity do not see which side is
    # which, so under random labels no topic shows a spurious delta difference.
    rng = np.random.default_rng(7)
    activity, truth = clustered_activity(80, 3, 12, seed=8)
    scale = 0.1 * np.linalg.norm(activity, axis=1, keepdims=True)
    side_a = activity + scale * rng.normal(size=activity.shape).astype(np.float32)
    side_b = activity + scale * rng.normal(size=activity.shape).astype(np.float32)
    flip = rng.random(len(truth)) < 0.5
    chosen_act = np.where(flip[:, None], side_b, side_a)
    rejected_act = np.where(flip[:, None], side_a, side_b)
    topics = cluster_topics(symmetric_activity(chosen_act, rejected_act), 3, seed=0)
    assert same_partition(topics, truth)
    scores_c, scores_r = chosen_act[:, :6], rejected_act[:, :6]  # concepts = raw dims
    res = topic_contrast(scores_c, scores_r, topics, config=ContrastConfig(n_bootstrap=0))
    assert not ((res.q < 0.05) & res.split_half).any()
