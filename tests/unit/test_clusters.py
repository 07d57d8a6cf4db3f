"""Co-firing clusters of SAE latents: planted groups, a SciPy reference, parameters."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from prefsight.concepts.clusters import cluster_cofiring
from prefsight.errors import InvalidArgument
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist

GROUPS = [[0, 1, 2, 3], [10, 11, 12], [20, 25, 30, 35, 39]]
NOISE = [5, 6, 7, 15, 16]
SILENT = [4, 8, 9, 13, 14]
D_SAE = 40


def planted(n_spans: int = 600, seed: int = 0) -> sp.csr_matrix:
    """Each span turns on some groups (members fire together, with 10% dropout) and
    each noise latent fires on its own with probability 0.2."""
    rng = np.random.default_rng(seed)
    freq = np.zeros((n_spans, D_SAE))
    for group in GROUPS:
        on = rng.random(n_spans) < 0.3
        for latent in group:
            fires = on & (rng.random(n_spans) > 0.1)
            freq[fires, latent] = rng.uniform(0.05, 1.0, fires.sum())
    for latent in NOISE:
        fires = rng.random(n_spans) < 0.2
        freq[fires, latent] = rng.uniform(0.05, 1.0, fires.sum())
    everyone_else = [j for j in range(D_SAE) if j not in sum(GROUPS, []) + NOISE + SILENT]
    for latent in everyone_else:
        fires = rng.random(n_spans) < 0.02
        freq[fires, latent] = 1.0
    return sp.csr_matrix(freq)


def partition(labels: np.ndarray) -> set[frozenset[int]]:
    return {frozenset(np.flatnonzero(labels == c).tolist()) for c in np.unique(labels[labels >= 0])}


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"similarity": "cosine"}, {"method": "single"}, {"method": "complete"}],
    ids=["jaccard-average", "cosine", "single", "complete"],
)
def test_planted_cofiring_groups_are_recovered(kwargs):
    labels = cluster_cofiring(planted(), threshold=0.5, **kwargs)
    assert labels.shape == (D_SAE,) and labels.dtype == np.int64
    groups = partition(labels)
    for group in GROUPS:
        assert frozenset(group) in groups
    for latent in NOISE:
        assert frozenset([latent]) in groups
    assert (labels[SILENT] == -1).all()
    assert (labels[labels >= 0] >= 0).all() and set(labels[labels >= 0]) == set(range(len(groups)))


def test_cluster_ids_follow_each_clusters_lowest_latent():
    labels = cluster_cofiring(planted(), threshold=0.5)
    firing = labels >= 0
    firsts = [np.flatnonzero(labels == c)[0] for c in range(labels.max() + 1)]
    assert firsts == sorted(firsts) and firing.sum() == D_SAE - len(SILENT)


@pytest.mark.parametrize("threshold", [0.25, 0.35])
def test_matches_scipy_average_linkage_on_dense_jaccard(threshold):
    rng = np.random.default_rng(5)
    topics = rng.random((120, 6)) < 0.3
    member = rng.integers(0, 6, 30)  # each latent follows one hidden topic, noisily
    binary = (topics[:, member] & (rng.random((120, 30)) < 0.7)) | (rng.random((120, 30)) < 0.1)
    labels = cluster_cofiring(sp.csr_matrix(binary.astype(float)), threshold, min_cofire=1)
    tree = linkage(pdist(binary.T, "jaccard"), "average")
    reference = fcluster(tree, t=1 - threshold, criterion="distance")
    assert partition(labels) == partition(reference)
    assert 5 <= len(partition(labels)) <= 12  # a real partition, not one blob or all singletons


def test_min_cofire_keeps_rare_coincidences_apart():
    firing = np.zeros((10, 3))
    firing[0, [0, 1]] = 1.0  # latents 0 and 1 only ever fire once, together
    firing[1:4, 2] = 1.0
    assert partition(cluster_cofiring(firing, threshold=0.5, min_cofire=2)) == {
        frozenset([0]), frozenset([1]), frozenset([2])
    }  # fmt: skip
    assert frozenset([0, 1]) in partition(cluster_cofiring(firing, threshold=0.5, min_cofire=1))


def test_nothing_firing_gives_all_minus_one_and_one_latent_its_own_cluster():
    assert (cluster_cofiring(sp.csr_matrix((5, 4))) == -1).all()
    one = np.zeros((5, 4))
    one[2, 3] = 0.5
    np.testing.assert_array_equal(cluster_cofiring(one), [-1, -1, -1, 0])


def test_bad_input_and_parameters_raise_invalid_argument():
    with pytest.raises(InvalidArgument, match="2-D"):
        cluster_cofiring(np.zeros(5))
    with pytest.raises(InvalidArgument, match="non-negative"):
        cluster_cofiring(-np.ones((2, 2)))
    with pytest.raises(InvalidArgument, match="threshold"):
        cluster_cofiring(np.ones((2, 2)), threshold=0)
    with pytest.raises(InvalidArgument, match="min_cofire"):
        cluster_cofiring(np.ones((2, 2)), min_cofire=0)
    with pytest.raises(InvalidArgument, match="similarity 'dot' unknown"):
        cluster_cofiring(np.ones((2, 2)), similarity="dot")
    with pytest.raises(InvalidArgument, match="method 'ward' unknown"):
        cluster_cofiring(np.ones((2, 2)), method="ward")
