"""Concentration and overlap measures (sim/attention/concentration.py): known values, invariants, statistics."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim.attention import concentration as c

shares = st.lists(st.floats(0.0, 1e6, allow_nan=False), min_size=1, max_size=60)


def test_known_values():
    views = [50, 30, 10, 10]
    assert c.top_share(views) == 0.5
    assert c.top_share(views, k=2) == 0.8
    assert c.hhi(views) == pytest.approx(0.25 + 0.09 + 0.01 + 0.01)
    assert c.effective_number(views) == pytest.approx(1 / 0.36)
    # Gini as the mean absolute difference over all ordered pairs / (2 mean)
    x = np.array(views, dtype=float)
    assert c.gini(views) == pytest.approx(np.abs(x[:, None] - x[None, :]).mean() / (2 * x.mean()))
    assert c.gini([0, 0, 0, 1]) == pytest.approx(0.75)  # one holds all: (n-1)/n


def test_equal_channels_and_empty_totals():
    assert c.effective_number(np.ones(25)) == pytest.approx(25)
    assert c.gini(np.full(7, 3.0)) == 0.0
    for f in (c.top_share, c.gini, c.hhi, c.effective_number):
        assert f(np.zeros(5)) == 0.0


@settings(max_examples=150, deadline=None)
@given(shares)
@example([349525.9504784938] * 5)  # equal values: rounding once gave a Gini of -2.7e-17
def test_invariants(values):
    x = np.array(values)
    if x.sum() == 0:
        return
    n = x.size
    h = c.hhi(x)
    assert 1 / n - 1e-12 <= h <= 1 + 1e-12
    assert 1 - 1e-9 <= c.effective_number(x) <= n + 1e-9
    assert 0 <= c.gini(x) <= (n - 1) / n + 1e-12
    tops = [c.top_share(x, k) for k in range(1, n + 1)]
    assert all(a <= b + 1e-12 for a, b in zip(tops, tops[1:])) and tops[-1] == pytest.approx(1.0)
    assert c.top_share(x) ** 2 <= h + 1e-12  # the largest share alone bounds HHI from below
    # scale-free: measures of shares do not depend on the unit
    assert c.gini(3 * x) == pytest.approx(c.gini(x)) and c.hhi(3 * x) == pytest.approx(h)


def test_bad_values_are_refused():
    with pytest.raises(ValueError):
        c.gini([1, -1])
    with pytest.raises(ValueError):
        c.hhi([1, np.nan])
    with pytest.raises(ValueError):
        c.duplication_matrix(np.ones(4, dtype=bool))


def test_duplication_exact_cases():
    n = 100
    a = np.zeros((n, 3), dtype=bool)
    a[:20, 0] = True   # P = 0.2
    a[:10, 1] = True   # inside channel 0's audience: P(both) = 0.1 = P(1)
    a[50:60, 2] = True  # disjoint from both
    d = c.duplication_matrix(a)
    assert d[0, 1] == pytest.approx(0.1 / (0.2 * 0.1))  # = 1 / P(0) = 5
    assert d[0, 2] == 0.0 and d[1, 2] == 0.0
    assert np.isnan(np.diag(d)).all() and np.allclose(d, d.T, equal_nan=True)
    empty = np.zeros((10, 2), dtype=bool)
    assert np.isnan(c.duplication_matrix(empty)).all()
    assert np.isnan(c.duplication_mean(c.duplication_matrix(empty)))


def test_independent_audiences_have_duplication_one():
    # 20 channels with independent audiences of 10-40 % of 20,000 people. For one pair the
    # ratio's standard error is about sqrt((1-p_i)(1-p_j) / (N p_i p_j)) <= 0.05; the mean of
    # 190 pairs is far tighter (correlated pairs included, sd < 0.01): tolerance 0.03.
    rng = np.random.default_rng(5)
    p = rng.uniform(0.1, 0.4, 20)
    a = rng.random((20000, 20)) < p
    d = c.duplication_matrix(a)
    assert c.duplication_mean(d) == pytest.approx(1.0, abs=0.03)
    assert np.nanmax(np.abs(d - 1)) < 5 * 0.05


def test_duplication_mean_selects_pairs():
    d = np.array([[np.nan, 4.0, 1.0], [4.0, np.nan, 0.25], [1.0, 0.25, np.nan]])
    same = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=bool)
    assert c.duplication_mean(d, same) == 4.0
    assert c.duplication_mean(d, ~same) == pytest.approx(0.625)


def test_ccdf():
    x, p = c.ccdf([3, 1, 1, 0, 2])
    assert x.tolist() == [1, 2, 3] and p.tolist() == [1.0, 0.5, 0.25]
    x, p = c.ccdf([0, 0])
    assert x.size == 0 and p.size == 0


def test_ccdf_slope_tells_heavy_from_thin_tails():
    rng = np.random.default_rng(11)
    pareto = (1 - rng.random(50000)) ** (-1 / 1.2)  # P(X >= x) = x^-1.2
    fit = c.ccdf_slope(pareto, lo=1.0, decades=2)
    # 50,000 draws: the fitted slope is within ~0.05 of -1.2 (checked over seeds)
    assert fit.slope == pytest.approx(-1.2, abs=0.08) and fit.r2 > 0.99
    assert fit.hi == 100.0 and fit.n_points > 100
    expo = rng.exponential(10, 50000)
    thin = c.ccdf_slope(expo, lo=np.percentile(expo, 25), decades=2)
    # an exponential does not span two decades above its lower quartile (max/Q1 ~ ln(n)/0.29 ~ 37),
    # and bends down on log-log axes: far from a straight line
    assert thin.hi < 100 * thin.lo
    assert thin.r2 < 0.9


def test_ccdf_slope_degenerate():
    assert np.isnan(c.ccdf_slope([0, 0, 0]).slope)
    assert c.ccdf_slope([5, 5, 5]).n_points == 1 and np.isnan(c.ccdf_slope([5, 5, 5]).slope)
