"""Reference values of REFERENCES.md for the analytic results in :mod:`sim.analytic`."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse, stats

from sim.analytic import (
    bass_cdf,
    bass_discrete,
    bass_pdf,
    bass_peak,
    er_mean_neighbour_degree,
    gleeson_cascade,
    granovetter_critical_sd,
    granovetter_equilibrium,
    granovetter_normal,
    mean_neighbour_degree,
    watts_cascade_condition,
    watts_window,
)

P, Q = 0.03, 0.38  # Sultan, Farley & Lehmann (1990) means


# --- Bass -------------------------------------------------------------------

def test_bass_peak_reference_values():
    t_star, F_star, f_star = bass_peak(P, Q)
    assert t_star == pytest.approx(6.1926, abs=5e-5)
    assert F_star == pytest.approx(0.460526, abs=5e-7)
    assert f_star == pytest.approx(0.110592, abs=5e-7)
    assert bass_cdf(t_star, P, Q) == pytest.approx(F_star, abs=1e-12)
    assert bass_pdf(t_star, P, Q) == pytest.approx(f_star, abs=1e-12)


@pytest.mark.parametrize("t, F", [(5, 0.3312), (10, 0.8128), (15, 0.9716)])
def test_bass_cdf_reference_values(t, F):
    assert bass_cdf(t, P, Q) == pytest.approx(F, abs=5e-5)


def test_bass_pdf_is_derivative_of_cdf():
    t = np.linspace(0.5, 30, 60)
    h = 1e-5
    numeric = (bass_cdf(t + h, P, Q) - bass_cdf(t - h, P, Q)) / (2 * h)
    np.testing.assert_allclose(bass_pdf(t, P, Q), numeric, rtol=1e-6, atol=1e-10)
    assert bass_pdf(-1.0, P, Q) == 0.0 and bass_cdf(-1.0, P, Q) == 0.0


def test_bass_peak_at_zero_when_imitation_weak():
    assert bass_peak(0.2, 0.1) == (0.0, 0.0, 0.2)
    t = np.linspace(0, 20, 50)
    assert np.all(np.diff(bass_pdf(t, 0.2, 0.1)) < 0)


def test_bass_discrete_gap_at_unit_steps():
    F = bass_discrete(P, Q, 7)
    assert F.shape == (8,) and F[0] == 0.0
    assert bass_cdf(7, P, Q) - F[7] == pytest.approx(0.071, abs=5e-4)


def test_bass_discrete_converges_linearly_in_dt():
    def max_err(dt):
        n = int(round(60 / dt))
        return np.abs(bass_discrete(P, Q, n, dt) - bass_cdf(np.arange(n + 1) * dt, P, Q)).max()

    assert max_err(0.1) == pytest.approx(0.007, abs=5e-4)
    assert max_err(0.05) / max_err(0.1) == pytest.approx(0.5, abs=0.02)


def test_bass_discrete_clips_adoption_probability():
    F = bass_discrete(0.5, 1.0, 3, dt=2.0)  # (p + qF) dt >= 1 from the first step
    np.testing.assert_array_equal(F, [0.0, 1.0, 1.0, 1.0])


def test_bass_rejects_bad_parameters():
    with pytest.raises(ValueError):
        bass_cdf(1.0, 0.0, 0.3)
    with pytest.raises(ValueError):
        bass_discrete(P, Q, 5, dt=0.0)


@settings(max_examples=60, deadline=None)
@given(p=st.floats(1e-4, 1.0), q=st.floats(0.0, 3.0),
       t=st.lists(st.floats(0.0, 500.0), min_size=2, max_size=30))
def test_bass_cdf_monotone_and_bounded(p, q, t):
    t = np.sort(np.array(t))
    F = bass_cdf(t, p, q)
    assert np.all((F >= 0.0) & (F <= 1.0))
    assert np.all(np.diff(F) >= -1e-15)


# --- Granovetter -------------------------------------------------------------

def test_granovetter_riot():
    x = np.arange(100)
    assert granovetter_equilibrium(x) == 100
    x[1] = 2
    assert granovetter_equilibrium(x) == 1
    assert granovetter_equilibrium([1, 2, 3]) == 0


def test_granovetter_normal_thresholds():
    assert granovetter_normal(25, 12.0) == pytest.approx(4.02, abs=5e-3)
    assert granovetter_normal(25, 12.3) == pytest.approx(100, abs=0.5)


def test_granovetter_critical_sd():
    sd_c = granovetter_critical_sd(25, 100)
    assert sd_c == pytest.approx(12.222, abs=0.002)
    assert granovetter_normal(25, sd_c - 0.01) < 25 < granovetter_normal(25, sd_c + 0.01)


# --- Watts -------------------------------------------------------------------

@pytest.mark.parametrize("phi, lo, hi", [(0.10, 1.000, 13.66), (0.14, 1.001, 9.10),
                                         (0.18, 1.021, 5.765), (0.22, 1.114, 3.863)])
def test_watts_window_reference(phi, lo, hi):
    z_lo, z_hi = watts_window(phi)
    assert z_lo == pytest.approx(lo, abs=0.005)
    assert z_hi == pytest.approx(hi, abs=0.005)
    assert z_lo > 1.0


@pytest.mark.parametrize("phi", [0.2501, 0.26, 0.3, 0.5, 0.9])
def test_watts_no_window_above_quarter(phi):
    assert watts_window(phi) is None


def test_watts_window_matches_condition():
    k = np.arange(80)
    for phi in (0.10, 0.18, 0.25):
        z_lo, z_hi = watts_window(phi)
        for z, inside in ((z_lo - 1e-3, False), (z_lo + 1e-3, True),
                          (0.5 * (z_lo + z_hi), True), (z_hi - 1e-3, True), (z_hi + 1e-3, False)):
            assert (watts_cascade_condition(stats.poisson.pmf(k, z), phi) > 0) is inside


def test_watts_condition_regular_graph():
    pk = np.zeros(6)
    pk[5] = 1.0  # 5-regular: vulnerable iff phi <= 1/5; condition 5*4 - 5 = 15
    assert watts_cascade_condition(pk, 0.2) == pytest.approx(15.0)
    assert watts_cascade_condition(pk, 0.21) == pytest.approx(-5.0)


# --- Gleeson & Cahalane --------------------------------------------------------

def test_gleeson_inside_and_outside_window():
    inside = gleeson_cascade(3.0, 0.18)
    assert inside["cascade_size"] > 0.9
    assert 0.5 < inside["trigger_probability"] < 1.0
    outside = gleeson_cascade(8.0, 0.18)
    assert outside["cascade_size"] < 1e-9 and outside["trigger_probability"] < 1e-9
    below = gleeson_cascade(0.9, 0.18)
    assert below["cascade_size"] < 1e-9 and below["trigger_probability"] < 1e-9


def test_gleeson_trigger_follows_window():
    z_lo, z_hi = watts_window(0.18)
    for z in np.linspace(z_lo + 0.01, z_hi - 0.01, 7):
        assert gleeson_cascade(z, 0.18)["trigger_probability"] > 0
    near_top = gleeson_cascade(z_hi - 0.01, 0.18)  # robust yet fragile
    assert near_top["trigger_probability"] < 0.05 and near_top["cascade_size"] > 0.99


def test_gleeson_finite_seed_outside_window():
    # Outside the window a larger seed still matters (Gleeson & Cahalane's point).
    small = gleeson_cascade(8.0, 0.18, seed_fraction=0.002)["cascade_size"]
    large = gleeson_cascade(8.0, 0.18, seed_fraction=0.01)["cascade_size"]
    assert 0.002 <= small < 0.01 and large > 0.99


def _er_graph(n, z, rng):
    m = rng.poisson(z * n / 2)
    i, j = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = i != j
    a = sparse.coo_matrix((np.ones(keep.sum()), (i[keep], j[keep])), shape=(n, n))
    return ((a + a.T) > 0).astype(float).tocsr()


def _watts_final_fraction(adj, deg, phi, seed):
    on = np.zeros(adj.shape[0], bool)
    on[seed] = True
    while True:
        new = on | ((deg > 0) & (adj @ on.astype(float) >= (phi - 1e-9) * deg))
        if new.sum() == on.sum():
            return on.mean()
        on = new


def test_gleeson_against_small_simulation():
    rng = np.random.default_rng(7)
    adj = _er_graph(4000, 3.0, rng)
    deg = np.asarray(adj.sum(axis=1)).ravel()
    sizes = np.array([_watts_final_fraction(adj, deg, 0.18, s) for s in rng.integers(0, 4000, 60)])
    glob = sizes >= 0.1
    theory = gleeson_cascade(3.0, 0.18)
    se = math.sqrt(theory["trigger_probability"] * (1 - theory["trigger_probability"]) / sizes.size)
    assert abs(glob.mean() - theory["trigger_probability"]) < 2.5 * se + 0.02
    assert sizes[glob].mean() == pytest.approx(theory["cascade_size"], abs=0.02)


# --- Friendship paradox --------------------------------------------------------

def test_friendship_paradox_poisson_sample():
    z = 4.0
    degrees = np.random.default_rng(11).poisson(z, 100_000)
    assert mean_neighbour_degree(degrees) == pytest.approx(er_mean_neighbour_degree(z), abs=0.04)
    assert er_mean_neighbour_degree(z) == 5.0
    np.testing.assert_allclose(er_mean_neighbour_degree([1.0, 2.5]), [2.0, 3.5])


def test_mean_neighbour_degree_regular_and_invalid():
    assert mean_neighbour_degree([3, 3, 3]) == 3.0
    with pytest.raises(ValueError):
        mean_neighbour_degree([0, 0])
