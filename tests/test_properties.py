"""Invariants of every run, checked with hypothesis over random scenarios."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import sim

scenarios = st.fixed_dictionaries({
    "network.kind": st.sampled_from(["erdos_renyi", "ring", "barabasi_albert", "complete"]),
    "network.n": st.integers(20, 300),
    "wom.rule": st.sampled_from(["bass", "threshold", "complex", "cascade", "none"]),
    "wom.q": st.floats(0, 1),
    "wom.threshold": st.floats(0, 1),
    "wom.threshold_sd": st.floats(0, 0.3),
    "wom.count": st.integers(0, 4),
    "wom.beta": st.floats(0, 1),
    "media.p": st.floats(0, 1),
    "media.reach": st.floats(0, 1),
    "seeding.strategy": st.sampled_from(["none", "random", "top_degree", "friend_of_random"]),
    "seeding.fraction": st.floats(0, 0.2),
    "run.steps": st.integers(1, 30),
    "run.dt": st.sampled_from([1.0, 0.5, 0.1]),
})


def fit(o: dict) -> dict:
    """The degree setting of the drawn kind (a setting the kind does not read is refused)."""
    o = dict(o)
    degree = {"erdos_renyi": ("network.mean_degree", min(6.0, o["network.n"] - 2.0)), "ring": ("network.k", 4),
              "barabasi_albert": ("network.m", 2)}
    if o["network.kind"] in degree:
        key, value = degree[o["network.kind"]]
        o[key] = value
    return o


@settings(max_examples=40, deadline=None)
@given(scenarios, st.integers(0, 2**31 - 1))
def test_invariants(overrides, seed):
    r = sim.run("bass", seed=seed, overrides=fit(overrides))
    ts = r.timeseries
    frac = ts["adopted_fraction"].to_numpy()
    assert ((0 <= frac) & (frac <= 1)).all()  # fractions in [0, 1]
    assert (np.diff(ts["adopters"]) >= 0).all()  # adopters never decrease
    channels = ts[["new_by_seed", "new_by_media", "new_by_wom"]].sum(axis=1)
    assert (channels == ts["new_adopters"]).all()  # channel counts sum to adopters
    assert sum(r.summary["adopters_by_channel"].values()) == r.summary["final_adopters"]
    if overrides["media.reach"] == 0 or overrides["media.p"] == 0:
        assert r.summary["adopters_by_channel"]["media"] == 0  # zero reach: no media adoptions
    again = sim.run("bass", seed=seed, overrides=fit(overrides)).timeseries
    assert ts.equals(again)  # same seed, same trajectory
