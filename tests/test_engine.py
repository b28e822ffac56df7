"""The engine's event-driven steps give the synchronous sweep's numbers; rules as counts; coins; dtypes."""


import numpy as np
import pytest
import scipy.sparse  # noqa: F401
from hypothesis import given, settings
from hypothesis import strategies as st
from sweep_reference import (  # noqa: F401
    BA,
    CASES,
    COMPLETE,
    ER,
    LATE_MEDIA,
    QUIET,
    RING,
    SBM,
    WS,
    assert_same_as_sweep,
    sweep_run,
    triggered_decision,
)

import sim
from sim import coins
from sim.rules import bass
from sim.rules.threshold import threshold_met, threshold_need


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("name", list(CASES))
def test_event_driven_equals_synchronous_sweep(name, seed):
    model = assert_same_as_sweep(CASES[name], seed)
    if name not in ("none-media", "threshold-complete"):
        assert model.state.by_channel()["wom"] > 0  # the word-of-mouth path was exercised


def test_directed_graph_equals_sweep(tmp_path):
    rng = np.random.default_rng(5)
    src, dst = rng.integers(0, 400, 3000), rng.integers(0, 400, 3000)
    path = tmp_path / "g.csv"
    path.write_text("source,target\n" + "".join(f"{u},{v}\n" for u, v in zip(src, dst)))
    for rule in ("threshold", "cascade", "bass"):
        ov = {"network.kind": "file", "network.path": str(path), "network.directed": True, **QUIET,
              "wom.rule": rule, "wom.threshold": 0.15, "wom.beta": 0.3}
        assert_same_as_sweep(ov, 3)


scenarios = st.fixed_dictionaries({
    "network.kind": st.sampled_from(["erdos_renyi", "ring", "barabasi_albert", "complete", "watts_strogatz"]),
    "network.n": st.integers(20, 1000),
    "wom.rule": st.sampled_from(["bass", "threshold", "complex", "cascade", "none"]),
    "wom.q": st.floats(0, 1),
    "wom.threshold": st.floats(0, 1),
    "wom.threshold_sd": st.sampled_from([0.0, 0.1]),
    "wom.count": st.integers(0, 4),
    "wom.beta": st.floats(0, 1),
    "media.p": st.floats(0, 1),
    "media.reach": st.floats(0, 1),
    "media.start": st.integers(1, 4),
    "seeding.strategy": st.sampled_from(["none", "random", "top_degree"]),
    "seeding.fraction": st.floats(0, 0.2),
    "run.steps": st.integers(1, 40),
    "run.dt": st.sampled_from([1.0, 0.5]),
    "run.stop": st.sampled_from(["quiescent", "steps"]),
    "with_media": st.booleans(),
})


@settings(max_examples=150, deadline=None)
@given(scenarios, st.integers(0, 2**31 - 1))
def test_event_driven_equals_sweep_on_random_scenarios(o, seed):
    o = dict(o)
    if not o.pop("with_media"):
        o["media"] = []
    n = o["network.n"]
    shape = {"erdos_renyi": {"network.mean_degree": min(6.0, n - 2.0)}, "ring": {"network.k": 4},
             "watts_strogatz": {"network.k": 4}, "barabasi_albert": {"network.m": 2}}
    o.update(shape.get(o["network.kind"], {}))  # only the settings the kind reads (others are refused)
    assert_same_as_sweep(o, seed)


def test_same_seed_same_numbers_at_scale():
    ov = {"network.kind": "erdos_renyi", "network.n": 100_000, "network.mean_degree": 10, **QUIET,
          "wom.rule": "threshold", "wom.threshold": 0.12, "seeding.fraction": 0.002}
    a, b = sim.run("bass", seed=8, overrides=ov), sim.run("bass", seed=8, overrides=ov)
    assert a.timeseries.equals(b.timeseries)
    assert np.array_equal(a.model.state.adopted_at, b.model.state.adopted_at)
    # a global cascade: many steps, many events
    assert a.summary["final_fraction"] > 0.5 and a.summary["steps_run"] > 5


# -- the rule as a count, and the chunked cascade coins ---------------------------------------


def test_threshold_need_is_the_threshold_rule_exactly():
    rng = np.random.default_rng(0)
    degree = rng.integers(0, 60, 200_000)
    # thresholds that land exactly on a/k for many people, plus arbitrary ones
    phi = np.where(rng.random(degree.size) < 0.5, rng.integers(0, 7, degree.size) / np.maximum(degree, 1),
                   rng.random(degree.size))
    phi[:5] = [0.0, 1.0, 0.18, 1 / 3, 0.5]
    need = threshold_need(degree, phi)
    assert need.dtype == np.int32
    for counts in (rng.integers(0, 61, degree.size), np.minimum(need, degree), np.maximum(need - 1, 0)):
        counts = np.minimum(counts, degree).astype(np.int32)
        np.testing.assert_array_equal(counts >= need, threshold_met(counts, degree, phi))


def test_threshold_in_float32_would_change_results():
    """Why thresholds stay float64: in float32, 0.18 is above 9/50, so a person with 9 of 50 flips."""
    degree, counts = np.array([50]), np.array([9])
    assert threshold_met(counts, degree, np.array([0.18]))[0]
    assert not threshold_met(counts, degree, np.array([0.18], dtype=np.float32).astype(np.float64))[0]


def test_cascade_coins_do_not_depend_on_which_edges_are_asked():
    key = coins.coin_key(np.random.default_rng(4))
    whole = coins.uniforms(key, np.arange(1000))
    some = np.random.default_rng(5).permutation(1000)[:300]
    np.testing.assert_array_equal(coins.uniforms(key, some), whole[some])
    assert not np.array_equal(coins.uniforms(key + 1, np.arange(1000)), whole)


def test_bass_adopters_is_bass_decision():
    rng = np.random.default_rng(1)
    n = 50_000
    adopted = rng.random(n) < 0.3
    wom_term = np.where(rng.random(n) < 0.5, rng.random(n) * 2, 0.0)
    media_term = np.where(rng.random(n) < 0.5, rng.choice([0.02, 0.5, 1.5], n), 0.0)
    # the model's late-run form: passes over a list holding every non-adopter (and some adopters)
    among = np.flatnonzero(~adopted | (rng.random(n) < 0.2))
    for dt in (1.0, 0.5, 0.1):
        u = rng.random(n)
        for mt in (media_term, None, 0.3):  # per person, no medium on, one number for everyone
            by_media, by_wom = bass.bass_decision(u, None if mt is None else np.broadcast_to(mt, n), wom_term, dt)
            got_media, got_wom = bass.bass_adopters(u, mt, wom_term, dt, adopted)
            np.testing.assert_array_equal(got_media, np.flatnonzero(by_media & ~adopted))
            np.testing.assert_array_equal(got_wom, np.flatnonzero(by_wom & ~adopted))
            for got, want in zip(bass.bass_adopters(u, mt, wom_term, dt, adopted, among), (got_media, got_wom)):
                np.testing.assert_array_equal(got, want)
            code = bass.bass_codes(u, mt, wom_term, dt, adopted)  # the GPU's one-pass form
            np.testing.assert_array_equal(np.flatnonzero(code == bass.MEDIA_CODE), got_media)
            np.testing.assert_array_equal(np.flatnonzero(code == bass.WOM_CODE), got_wom)
        assert len(got_media) and len(got_wom)


def test_bass_hazard_of_adopters_is_nan_and_passes_nobody():
    """Adopters get a NaN hazard (u < NaN is false), so the decision needs no mask; others keep q a/k."""
    m = sim.DiffusionModel("bass", seed=2, overrides={**ER, "run.steps": 6, "seeding.fraction": 0.05})
    m.run()
    adopted = m.state.adopted
    term = m.engine.data["term"]
    assert np.isnan(term[adopted]).all() and not np.isnan(term[~adopted]).any()
    want = bass.bass_hazard(m.counts, m.degree, m.spec.get("wom.q"))[~adopted]
    np.testing.assert_allclose(term[~adopted], want, rtol=1e-15, atol=0)


# -- dtypes -----------------------------------------------------------------------------------


def test_state_uses_small_dtypes():
    m = sim.DiffusionModel("bass", seed=1, overrides={**ER, **QUIET, "wom.rule": "threshold"})
    assert m.state.adopted.dtype == np.bool_ and m.state.adopted_at.dtype == np.int32
    assert m.state.channel.dtype == np.int8 and m.counts.dtype == np.int32
    assert m.engine.data['need'].dtype == np.int32 and m.graph.in_indices.dtype == np.int32
