"""Scale features: event-driven steps, replicate batching, array backends, dtypes.

The event-driven engine (sim/model.py) must give exactly what the plain
synchronous sweep gives: every person re-evaluated every step, adopted-contact
counts recomputed from scratch, the same named random streams. The sweep is
written out here, independently of the engine, and both are compared person by
person (adoption step and channel) and step by step (the time series).
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy as sp
import scipy.sparse  # noqa: F401
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim import backend as backend_mod
from sim import coins, config, networks
from sim.backend import Backend, get_backend
from sim.batch import Replicates, batchable, run_replicates, shares_graph
from sim.rules import bass
from sim.rules.threshold import threshold_met, threshold_need
from sim.population import MEDIA, WOM
from sim.streams import Streams

# -- the synchronous sweep, written plainly -------------------------------------------


def triggered_decision(u, media_term, fired, dt):
    """Deterministic rules: word of mouth wins where the rule fired; media decide elsewhere."""
    if media_term is None or u is None:
        return np.zeros(len(fired), dtype=bool), fired
    return ~fired & (u < np.minimum(1.0, media_term * dt)), fired


def sweep_run(overrides: dict, seed: int, scenario="bass"):
    """Run the scenario by full synchronous sweeps; returns (adopted_at, channel, rows).

    The engine's model is only used for the set-up (graph, thresholds, seeds,
    media audiences); every step below recomputes everyone's state from scratch.
    """
    m = sim.DiffusionModel(scenario, seed=seed, overrides=overrides)
    spec, g, n = m.spec, m.graph, m.n
    streams = Streams(spec.seed)
    adopted, at, ch = m.state.adopted.copy(), m.state.adopted_at.copy(), m.state.channel.copy()
    rule, dt, q, beta = spec.get("wom.rule"), spec.get("run.dt"), spec.get("wom.q"), spec.get("wom.beta")
    degree = g.in_degree
    media = [(md, streams.get("media", md.name)) for md in m.media]
    u_rng = streams.get("wom")
    draw_u = rule == "bass" or bool(media)
    live = None
    if rule == "cascade":
        stream = streams.get("wom", "edges")
        if g.complete:
            edge_rng = stream
        else:
            mask = coins.live(coins.coin_key(stream), np.arange(len(g.out_indices)), beta)
            src = np.repeat(np.arange(n), g.out_degree)[mask]
            dst = g.out_indices[mask]
            live = sp.sparse.csr_array((np.ones(len(src)), (dst, src)), shape=(n, n))  # row v: live u -> v
    last_new = np.flatnonzero(at == 0)
    rows = []
    for t in range(1, spec.get("run.steps") + 1):
        counts = g.count_adopted(adopted)
        media_term, contacts = None, 0
        for md, rng in media:
            if md.is_on(t):
                media_term = np.zeros(n) if media_term is None else media_term
                contacts += md.contact(media_term, rng)
        u = u_rng.random(n) if draw_u else None
        if rule == "bass":
            hazard = np.zeros(n)
            np.divide(q * counts, degree, out=hazard, where=degree > 0)
            by_media, by_wom = bass.bass_decision(u, media_term, hazard, dt)
        else:
            if rule == "threshold":
                fired = threshold_met(counts, degree, m.thresholds)
            elif rule == "complex":
                fired = counts >= m.thresholds
            elif rule == "cascade" and g.complete:
                fired = edge_rng.random(n) < 1.0 - (1.0 - beta) ** len(last_new)
            elif rule == "cascade":
                x = np.zeros(n)
                x[last_new] = 1
                fired = live @ x > 0
            else:
                fired = np.zeros(n, dtype=bool)
            by_media, by_wom = triggered_decision(u, media_term, fired, dt)
        new_media = np.flatnonzero(by_media & ~adopted)
        new_wom = np.flatnonzero(by_wom & ~adopted)
        for idx, code in ((new_media, MEDIA), (new_wom, WOM)):
            adopted[idx], at[idx], ch[idx] = True, t, code
        last_new = np.concatenate((new_media, new_wom))
        rows.append((int(adopted.sum()), len(new_media), len(new_wom), contacts))
        if spec.get("run.stop") == "quiescent" and not _can_change(adopted, rule, q, g, media, t, len(last_new)):
            break
    return at, ch, rows


def _can_change(adopted, rule, q, g, media, t, n_new):
    if adopted.all():
        return False
    if any(md.may_act_after(t) and (md.audience is None or not adopted[md.audience].all()) for md, _ in media):
        return True
    if rule == "bass":
        return q > 0 and bool(((g.count_adopted(adopted) > 0) & ~adopted).any())
    return rule in ("threshold", "complex", "cascade") and n_new > 0


def assert_same_as_sweep(overrides, seed, device="cpu"):
    model = sim.DiffusionModel("bass", seed=seed, overrides=overrides, device=device)
    model.run()
    at, ch, rows = sweep_run(overrides, seed)
    np.testing.assert_array_equal(model.state.adopted_at, at)
    np.testing.assert_array_equal(model.state.channel, ch)
    ts = model.timeseries().iloc[1:]
    got = list(zip(ts["adopters"], ts["new_by_media"], ts["new_by_wom"], ts["media_contacts"]))
    assert got == rows
    return model


# -- event-driven == synchronous ---------------------------------------------------------

ER = {"network.kind": "erdos_renyi", "network.n": 1500, "network.mean_degree": 8}
BA = {"network.kind": "barabasi_albert", "network.n": 1500, "network.m": 4}
RING = {"network.kind": "ring", "network.n": 600, "network.k": 6}
WS = {"network.kind": "watts_strogatz", "network.n": 800, "network.k": 6, "network.rewire": 0.1}
SBM = {"network.kind": "stochastic_block", "network.sizes": [400, 300], "network.p_in": 0.03,
       "network.p_out": 0.002}
COMPLETE = {"network.kind": "complete", "network.n": 300}
QUIET = {"media": [], "seeding.strategy": "random", "seeding.fraction": 0.02, "run.steps": 300}
LATE_MEDIA = {"media": [{"name": "tv", "p": 0.02, "reach": 0.4, "start": 3, "stop": 6},
                        {"name": "web", "p": 0.05, "reach": 0.2, "start": 5, "target": "top_degree"}]}

CASES = {
    "threshold-er": {**ER, **QUIET, "wom.rule": "threshold", "wom.threshold": 0.18},
    "threshold-ba-sd": {**BA, **QUIET, "wom.rule": "threshold", "wom.threshold": 0.2, "wom.threshold_sd": 0.1},
    "threshold-ring-exact": {**RING, **QUIET, "wom.rule": "threshold", "wom.threshold": 1 / 3},
    "threshold-ws-uniform": {**WS, **QUIET, "wom.rule": "threshold", "wom.threshold_dist": "uniform",
                             "wom.threshold_high": 0.4},
    "threshold-zero": {**ER, **QUIET, "wom.rule": "threshold", "wom.threshold": 0.0, "seeding.fraction": 0.0},
    "threshold-complete": {**COMPLETE, **QUIET, "wom.rule": "threshold", "wom.threshold": 0.05,
                           "wom.threshold_sd": 0.05},
    "threshold-media": {**ER, **QUIET, **LATE_MEDIA, "wom.rule": "threshold", "wom.threshold": 0.3},
    "complex-ring": {**RING, **QUIET, "wom.rule": "complex", "wom.count": 2, "seeding.fraction": 0.05},
    "complex-instigators": {**ER, **QUIET, "wom.rule": "complex", "wom.count": [0] * 10 + [2] * 1490,
                            "seeding.fraction": 0.0},
    "complex-sbm-media": {**SBM, **QUIET, **LATE_MEDIA, "wom.rule": "complex", "wom.count": 3},
    "complex-complete": {**COMPLETE, **QUIET, "wom.rule": "complex", "wom.count": 5},
    "cascade-er": {**ER, **QUIET, "wom.rule": "cascade", "wom.beta": 0.2},
    "cascade-ba-certain": {**BA, **QUIET, "wom.rule": "cascade", "wom.beta": 1.0, "seeding.count": 1,
                           "seeding.fraction": None},
    "cascade-media": {**WS, **QUIET, **LATE_MEDIA, "wom.rule": "cascade", "wom.beta": 0.15},
    "cascade-complete": {**COMPLETE, **QUIET, "wom.rule": "cascade", "wom.beta": 0.002},
    "bass-er": {**ER, "wom.rule": "bass", "run.steps": 40},
    "bass-ba-dt": {**BA, "wom.rule": "bass", "run.dt": 0.5, "wom.q": 0.6, "media.reach": 0.3, "run.steps": 60},
    "bass-wom-only": {**RING, **QUIET, "wom.rule": "bass", "wom.q": 0.5},
    "bass-late-media": {**SBM, **LATE_MEDIA, "wom.rule": "bass", "run.steps": 30, "run.stop": "steps"},
    "bass-complete": {**COMPLETE, "wom.rule": "bass", "run.steps": 30},
    "none-media": {**ER, **LATE_MEDIA, "wom.rule": "none", "run.steps": 12},
}


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


# -- backends ---------------------------------------------------------------------------------

MATVEC = Backend("cpu", np, sp.sparse, matvec_from=0.0)  # pushes by mat-vec only
# the GPU's way, on NumPy, with the host's streams: dense pushes, mat-vec past 1/8 of the edges
GPU_LIKE = Backend("cpu", np, sp.sparse, pushes="dense", matvec_from=1 / 8)
DEVICE_STREAMS = backend_mod.emulated_gpu()


@pytest.mark.parametrize("name", ["threshold-ba-sd", "complex-sbm-media", "cascade-media", "bass-ba-dt",
                                  "threshold-complete", "cascade-complete"])
def test_matvec_and_gpu_pushes_give_the_same_numbers(name):
    assert_same_as_sweep(CASES[name], 4, device=MATVEC)
    assert_same_as_sweep(CASES[name], 4, device=GPU_LIKE)


def test_search_gather_is_repeat_gather():
    rng = np.random.default_rng(3)
    deg = rng.integers(0, 9, 500)
    indptr = np.concatenate(([0], np.cumsum(deg)))
    indices = rng.integers(0, 500, indptr[-1]).astype(np.int32)
    search = Backend("cpu", np, sp.sparse, pushes="dense")  # gathers by binary search
    for rows in (rng.choice(500, 300, replace=False), np.array([], dtype=np.int64), np.flatnonzero(deg == 0)[:3],
                 np.array([int(np.argmax(deg))])):
        np.testing.assert_array_equal(search.gather(indptr, indices, rows),
                                      networks.gather_rows(indptr, indices, rows))
        np.testing.assert_array_equal(search.positions(indptr, rows), get_backend("cpu").positions(indptr, rows))
    assert GPU_LIKE.gather(indptr, indices, np.arange(500)) is None  # every edge: auto multiplies instead


@pytest.mark.parametrize("name", ["threshold-er", "complex-ring", "cascade-er"])
def test_device_streams_change_nothing_without_per_step_draws(name):
    """Deterministic rules without media draw nothing per step: the GPU path gives identical numbers."""
    assert_same_as_sweep(CASES[name], 5, device=DEVICE_STREAMS)


def test_device_streams_give_statistically_the_same_bass_curve():
    ov = {"network.kind": "erdos_renyi", "network.n": 40_000, "network.mean_degree": 10, "run.steps": 25,
          "run.stop": "steps", "wom.rule": "bass"}
    cpu = sim.run("bass", seed=6, overrides=ov).timeseries["adopted_fraction"].to_numpy()
    dev = sim.DiffusionModel("bass", seed=6, overrides=ov, device=DEVICE_STREAMS).run().timeseries()
    dev = dev["adopted_fraction"].to_numpy()
    assert not np.array_equal(cpu, dev)  # other draws...
    # ...same law: the sd of a fraction of 40,000 people is at most 0.0025; the feedback of word of
    # mouth widens it a few times, so 0.02 is loose enough to be certain and tight enough to matter
    # (the curve spans 0.03 -> 0.99 over these steps).
    assert np.abs(cpu - dev).max() < 0.02


def test_gpu_without_cupy_is_one_line_error():
    if backend_mod.gpu_problem() is None:
        pytest.skip("a usable GPU is present here")
    with pytest.raises(sim.ConfigError, match=r"^device = gpu needs CuPy and a working NVIDIA GPU .*; here "):
        get_backend("gpu")
    with pytest.raises(sim.ConfigError, match="device = gpu needs CuPy"):
        sim.run("bass", seed=1, overrides={"network.n": 100}, device="gpu")
    with pytest.raises(sim.ConfigError, match=r"^device must be cpu or gpu; got 'tpu'$"):
        sim.DiffusionModel("bass", device="tpu")


@pytest.mark.slow
def test_cli_device_gpu_without_gpu_exits_2_and_writes_nothing(tmp_path):
    if backend_mod.gpu_problem() is None:
        pytest.skip("a usable GPU is present here")
    out = tmp_path / "run"
    p = subprocess.run([sys.executable, "-m", "sim", "run", "bass", "--device", "gpu", "--out", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and not out.exists() and not list(tmp_path.iterdir())
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bouche: error: --device = gpu needs CuPy")


@pytest.mark.slow
def test_cpu_path_does_not_import_cupy():
    code = ("import sys, sim; sim.run('bass', seed=1, overrides={'network.n': 300}); "
            "print('cupy' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.strip() == "False"


# -- replicate batching -------------------------------------------------------------------------


def assert_batch_is_one_by_one(scenario, seeds, overrides):
    batch = run_replicates(scenario, seeds, overrides=overrides)
    assert len(batch) == len(seeds)
    for seed, (ts, summary) in zip(seeds, batch):
        one = sim.run(scenario, seed=seed, overrides=overrides)
        assert ts.equals(one.timeseries) and summary == one.summary


@pytest.mark.parametrize("overrides", [
    {**RING, **QUIET, "wom.rule": "threshold", "wom.threshold": 0.3, "wom.threshold_sd": 0.1},
    {**RING, "wom.rule": "bass", "run.steps": 30},
    {**COMPLETE, **QUIET, "wom.rule": "cascade", "wom.beta": 0.01},
    {**ER, **LATE_MEDIA, "wom.rule": "complex", "wom.count": 2, "seeding.strategy": "random",
     "seeding.count": 40},
])
def test_replicates_batched_equal_one_by_one(overrides):
    assert_batch_is_one_by_one("bass", [3, 1, 4, 1, 5], overrides)


BLOCK_CASES = [name for name, ov in CASES.items() if ov["network.kind"] != "complete"]


def block_lengths(overrides: dict, seeds=(5, 6, 9, 2), device="cpu") -> set:
    """Run the replicates as one n x R block; assert each is its own run, person by person; the stop steps."""
    ov = {**overrides, "network.seed": 21}  # one graph for every replicate
    specs = [config.load("bass", overrides=ov, seed=s) for s in seeds]
    first = sim.DiffusionModel(specs[0], device=device)
    models = [first] + [sim.DiffusionModel(sp, graph=first.graph, device=device) for sp in specs[1:]]
    assert batchable(first)
    Replicates(models).run()
    lengths = set()
    for spec, m in zip(specs, models):
        alone = sim.DiffusionModel(spec, device=device).run()
        assert m.timeseries().equals(alone.timeseries())
        np.testing.assert_array_equal(m.state.adopted_at, alone.state.adopted_at)
        np.testing.assert_array_equal(m.state.channel, alone.state.channel)
        np.testing.assert_array_equal(m.counts, alone.counts)
        lengths.add(m.steps_run)
    return lengths


@pytest.mark.parametrize("name", BLOCK_CASES)
def test_one_block_of_replicates_is_each_run_alone(name):
    block_lengths(CASES[name])


@pytest.mark.parametrize("name", ["threshold-ba-sd", "cascade-media", "bass-ba-dt", "bass-late-media", "complex-ring"])
def test_a_block_on_the_gpu_ways_is_each_run_alone(name):
    """The block on the GPU's code path (binary-search gathers, scatter-adds, coded Bass, device streams)."""
    block_lengths(CASES[name], device=DEVICE_STREAMS)


def test_replicates_that_stop_at_different_steps():
    ov = {"network.kind": "ring", "network.n": 4000, "network.k": 10, "wom.rule": "threshold",
          "wom.threshold": 0.18, "wom.threshold_sd": 0.05, "seeding.fraction": 0.01, "media": [],
          "run.steps": 1000, "run.stop": "quiescent"}
    lengths = block_lengths(ov, seeds=range(1, 9))
    assert len(lengths) > 1 and max(lengths) > 100  # some cascades die at once, others run for hundreds of steps


def test_sweep_batches_replicates_with_the_numbers_of_single_runs():
    from sim.experiments.worker import flatten_metrics

    ov = {**RING, **QUIET, "wom.rule": "threshold", "wom.threshold": 0.3, "wom.threshold_sd": 0.1}
    res = sim.sweep("bass", vary={"wom.threshold": [0.25, 0.3]}, replicates=4, workers=1, overrides=ov)
    assert (res.runs["status"] == "ok").all() and len(res.runs) == 8
    for _, row in res.runs.iterrows():
        one = sim.run("bass", seed=int(row["seed"]), overrides={**ov, "wom.threshold": row["wom.threshold"]})
        for k, v in flatten_metrics(one.summary).items():
            assert row[k] == v or (v != v and row[k] != row[k]), k


@pytest.mark.slow
def test_sweep_on_gpu_without_one_is_one_line_exit_2(tmp_path):
    if backend_mod.gpu_problem() is None:
        pytest.skip("a usable GPU is present here")
    out = tmp_path / "sw"
    p = subprocess.run([sys.executable, "-m", "sim", "sweep", "bass", "--vary", "wom.q=0.2,0.3", "--set",
                        "network.n=200", "--device", "gpu", "--out", str(out)], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 2 and not out.exists()
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bouche: error: --device = gpu needs CuPy"), p.stderr


def test_file_graphs_are_shared_and_other_models_fall_back(tmp_path):
    path = tmp_path / "g.txt"
    rng = np.random.default_rng(2)
    path.write_text("".join(f"{u} {v}\n" for u, v in rng.integers(0, 300, (1200, 2))))
    ov = {"network.kind": "file", "network.path": str(path), **QUIET, "wom.rule": "threshold",
          "wom.threshold": 0.2}
    assert shares_graph(config.load("bass", overrides=ov))
    assert_batch_is_one_by_one("bass", [7, 8], ov)
    assert run_replicates("bass", [], overrides=ov) == []


def test_fixed_network_seed_shares_the_graph():
    ov = {**ER, **QUIET, "network.seed": 11, "wom.rule": "threshold", "wom.threshold": 0.2}
    assert shares_graph(config.load("bass", overrides=ov))
    a, b = (sim.DiffusionModel("bass", seed=s, overrides=ov) for s in (1, 2))
    assert np.array_equal(a.graph.in_indices, b.graph.in_indices)  # one graph whatever the run's seed...
    assert not np.array_equal(a.state.adopted, b.state.adopted)  # ...and other seeds, thresholds, draws
    free = sim.DiffusionModel("bass", seed=1, overrides={**ov, "network.seed": None})
    assert not np.array_equal(free.graph.in_indices, a.graph.in_indices)
    assert_batch_is_one_by_one("bass", [1, 2, 3], ov)


@pytest.mark.slow
def test_gpu_check_script_runs_on_the_emulated_gpu_and_refuses_without_one():
    """benchmarks/gpu_check.py, end to end on NumPy (its checks must pass; its timings mean nothing)."""
    run = [sys.executable, "-m", "benchmarks.gpu_check", "--n", "30000"]
    root = Path(__file__).resolve().parents[1]  # benchmarks/ is not installed: run from the checkout
    p = subprocess.run([*run, "--emulate"], capture_output=True, text=True, timeout=300, cwd=root)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "PASS: adoption step of every person identical: yes" in p.stdout
    assert "PASS: largest gap in adopted fraction" in p.stdout
    if backend_mod.gpu_problem() is not None:
        p = subprocess.run(run, capture_output=True, text=True, timeout=300, cwd=root)
        assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
