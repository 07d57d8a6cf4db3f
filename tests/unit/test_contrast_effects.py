"""The scalar effect sizes the service reports (moved from the servicer and session
into prefsight.contrast.effects): the textbook formulas, and 0 without spread."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from prefsight.contrast.effects import independent_d, paired_d, zscore


def test_paired_d_is_mean_over_sample_sd():
    delta = np.array([1.0, 2.0, 4.0, 7.0])
    assert paired_d(delta) == pytest.approx(delta.mean() / delta.std(ddof=1))


@pytest.mark.parametrize("delta", [np.array([]), np.array([3.0]), np.array([2.0, 2.0, 2.0])])
def test_paired_d_without_spread_is_zero(delta):
    assert paired_d(delta) == 0.0


def test_independent_d_uses_the_pooled_sd():
    pos, neg = np.array([3.0, 4.0, 5.0, 6.0]), np.array([1.0, 2.0, 2.5])
    pooled = np.sqrt((3 * pos.var(ddof=1) + 2 * neg.var(ddof=1)) / 5)
    assert independent_d(pos, neg) == pytest.approx((pos.mean() - neg.mean()) / pooled)
    assert independent_d(neg, pos) == pytest.approx(-independent_d(pos, neg))
    assert independent_d(np.ones(3), np.ones(2)) == 0.0


def test_zscore_matches_scipy_and_keeps_the_dtype():
    raw = np.array([0.5, -1.0, 2.0, 3.5], np.float32)
    z, mean, std = zscore(raw)
    np.testing.assert_allclose(z, scipy.stats.zscore(raw.astype(np.float64)), rtol=1e-6)
    assert (mean, std) == pytest.approx((raw.mean(), raw.std()))
    assert z.dtype == np.float32


def test_zscore_of_a_constant_is_zeros():
    z, mean, std = zscore(np.full(5, 2.0))
    assert std == 0.0 and mean == 2.0 and not z.any()
