"""The effect net of the overall direction, named-concept validation and the overall/finding split."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.stats as st
from prefsight.audit.analysis import net_first
from prefsight.concepts.named import RELIABLE_AUROC, auroc, heldout_auroc
from prefsight.contrast.net import NetEffect, net_of_overall, overall_without
from prefsight.errors import InvalidArgument


def test_intercept_slope_and_p_match_an_ols_fit():
    rng = np.random.default_rng(0)
    overall = rng.normal(1.0, 1.0, 200)
    delta = np.stack([0.3 + 0.8 * overall + rng.normal(0, 0.5, 200), 2.0 * overall + rng.normal(0, 0.5, 200)], axis=1)
    net = net_of_overall(delta, np.zeros_like(delta), overall)
    for j in range(2):
        fit = st.linregress(overall, delta[:, j])
        assert net.slope[j] == pytest.approx(fit.slope)
        assert net.delta[j] == pytest.approx(fit.intercept)
        t = fit.intercept / fit.intercept_stderr
        assert net.p[j] == pytest.approx(2 * st.t.sf(abs(t), 198), rel=1e-6)
    assert net.q[0] < 1e-3 < net.q[1]  # the second only follows the overall direction


def test_a_concept_that_only_tracks_generic_chosenness_has_no_net_effect():
    """Raw Δ is large and significant; the net effect is not."""
    rng = np.random.default_rng(1)
    overall = rng.normal(1.0, 1.0, 300)  # chosen "better" along the overall direction
    tracks = 0.5 * overall + rng.normal(0, 0.3, 300)  # e.g. a refusal vector sharing that component
    own = (rng.random(300) < 0.4) * 1.0 + rng.normal(0, 0.3, 300)  # a trait present in 40% of chosen
    delta = np.stack([tracks, own], axis=1)
    net = net_of_overall(delta, np.zeros_like(delta), overall)
    assert st.ttest_1samp(tracks, 0).pvalue < 1e-20
    assert net.q[0] > 0.05 and abs(net.d[0]) < 0.15
    assert net.q[1] < 1e-10 and net.delta[1] == pytest.approx(0.4, abs=0.1)


def test_sparse_and_dense_scores_give_the_same_net_effect():
    rng = np.random.default_rng(2)
    chosen = rng.exponential(1, (80, 5)) * (rng.random((80, 5)) < 0.3)
    rejected = rng.exponential(1, (80, 5)) * (rng.random((80, 5)) < 0.3)
    overall = rng.normal(size=80)
    dense = net_of_overall(chosen, rejected, overall)
    sparse = net_of_overall(sp.csr_matrix(chosen), sp.csr_matrix(rejected), overall)
    np.testing.assert_allclose(dense.delta, sparse.delta)
    np.testing.assert_allclose(dense.p, sparse.p)


def test_a_constant_overall_direction_is_refused():
    with pytest.raises(InvalidArgument, match="constant"):
        net_of_overall(np.ones((5, 1)), np.zeros((5, 1)), np.ones(5))


def test_heldout_auroc_separates_a_real_direction_and_not_noise():
    rng = np.random.default_rng(3)
    direction = rng.normal(size=32)
    pos = rng.normal(size=(16, 32)) + 0.8 * direction / np.linalg.norm(direction) * 4
    neg = rng.normal(size=(16, 32))
    assert heldout_auroc(pos, neg) >= RELIABLE_AUROC
    noise = heldout_auroc(rng.normal(size=(16, 32)), rng.normal(size=(16, 32)))
    assert noise < RELIABLE_AUROC
    assert heldout_auroc(pos[:3], neg[:3]) is None  # too few to validate


def test_auroc_is_mann_whitney():
    a, b = np.array([3.0, 2.0, 2.0]), np.array([1.0, 2.0])
    u = st.mannwhitneyu(a, b).statistic
    assert auroc(a, b) == pytest.approx(u / 6)


def test_a_concept_present_in_every_pair_has_no_estimable_net_effect():
    rng = np.random.default_rng(3)
    n = 80
    delta = rng.normal(size=(n, 6)) + 1.0
    split = np.arange(n) % 2 == 0
    absent = np.zeros((n, 3), bool)
    absent[:, 1] = rng.random(n) < 0.5  # absent from about half the pairs
    absent[:12, 2] = True  # absent from 12 pairs: 6 per half, under the minimum
    regressors, estimable = overall_without(delta, absent, split, min_pairs=10)
    assert estimable.tolist() == [False, True, False]
    assert not regressors[:, ~estimable].any() and np.ptp(regressors[:, 1]) > 0


def test_the_front_tier_is_ordered_by_the_effect_beyond_generic_chosenness():
    # concept 0: a large raw effect with a small net one; concept 1: the reverse;
    # concept 2: generic (net not estimable); concept 3: no replication.
    result = SimpleNamespace(split_half=np.array([True, True, True, False]), delta=np.array([2.0, 0.5, 3.0, 1.0]))
    net = NetEffect(
        delta=np.array([0.2, 0.5, np.nan, 1.0]),
        d=np.array([0.3, 0.9, np.nan, 1.5]),
        slope=np.zeros(4),
        t=np.zeros(4),
        p=np.zeros(4),
        q=np.array([0.01, 0.01, np.nan, 0.01]),
        generic=np.array([False, False, True, False]),
    )
    concepts = [SimpleNamespace(provenance={}) for _ in range(4)]
    raw_order = np.array([2, 0, 3, 1])  # by raw effect
    assert net_first(raw_order, result, net, concepts, 0.05).tolist() == [1, 0, 2, 3]
