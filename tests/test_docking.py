"""Docking against published results (REFERENCES.md): Bass 1969 and Granovetter 1978.

Tolerances: the mean of R runs of N people has a standard error of about
sd/sqrt(R); each check below allows about 2.5 standard errors (measured spreads
are given beside each test).
"""

import numpy as np
import pytest

import sim
from sim import analytic

P, Q = 0.03, 0.38


def bass_curves(n, dt, steps, runs):
    curves = []
    for seed in range(runs):
        r = sim.run("bass", seed=seed, overrides={"network.n": n, "run.dt": dt, "run.steps": steps,
                                                    "run.stop": "steps"})
        curves.append(r.timeseries["adopted_fraction"].to_numpy())
    return np.array(curves)


def test_complete_graph_bass_follows_the_discrete_recursion():
    """p = 0.03, q = 0.38, n = 10,000, dt = 1, 20 runs: mean curve within 0.005 of the recursion at every step.

    The sd of one run's F is at most ~0.006 here (N = 10,000), so the sd of the
    mean of 20 runs is ~0.0014 and 0.005 is about 3.5 standard errors.
    """
    curves = bass_curves(10_000, 1.0, 30, 20)
    expected = analytic.bass_discrete(P, Q, 30)
    assert np.abs(curves.mean(axis=0) - expected).max() < 0.005
    # ...and it is the discrete recursion, not the closed form, that it follows at dt = 1
    closed = analytic.bass_cdf(np.arange(31.0), P, Q)
    assert np.abs(curves.mean(axis=0) - closed).max() > 0.05


@pytest.mark.slow
def test_small_steps_follow_the_closed_form():
    """dt = 0.05 on t in [0, 30]: mean of 20 runs within 0.01 of F(t) (discretisation ≈ 0.0035, noise ≈ 0.0015)."""
    curves = bass_curves(10_000, 0.05, 600, 20)
    t = np.arange(601) * 0.05
    assert np.abs(curves.mean(axis=0) - analytic.bass_cdf(t, P, Q)).max() < 0.01


def granovetter(thresholds, seed=0):
    n = len(thresholds)
    return sim.run("bass", seed=seed, overrides={
        "network.kind": "complete", "network.n": n, "wom.rule": "complex", "wom.count": thresholds,
        "media": [], "run.steps": 1000}).summary["final_adopters"]


def test_granovetter_riot_exactly():
    riot = list(range(100))
    assert granovetter(riot) == 100
    riot[1] = 2
    assert granovetter(riot) == 1


@pytest.mark.parametrize("sd", [5.0, 12.0, 12.3, 20.0])
def test_granovetter_simulation_equals_its_own_equilibrium(sd):
    """Per-person count thresholds on a complete graph stop at the smallest fixed point, exactly."""
    rng = np.random.default_rng(int(sd * 10))
    x = np.maximum(np.round(rng.normal(25, sd, 100)), 0).astype(int).tolist()
    assert granovetter(x) == analytic.granovetter_equilibrium(np.array(x))
