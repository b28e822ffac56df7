"""Country scale: the compiled build and push give the NumPy code's numbers, and .bgraph files round-trip safely.

Every comparison here is exact (bit for bit): the compiled kernels
(:mod:`sim.compiled`) are a faster way to the same arrays, not an
approximation. The compiled paths are taken at every size here
(``compiled.FROM = 0``); the NumPy way is forced by setting
``compiled.AVAILABLE`` to False for one call.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim import compiled
from sim.errors import ConfigError
from sim.networks import edges_sha256, erdos_renyi, from_edges, store

needs_numba = pytest.mark.skipif(not compiled.AVAILABLE, reason="needs Numba (the fast extra)")


@pytest.fixture(autouse=True)
def _compiled_at_every_size(monkeypatch):
    monkeypatch.setattr(compiled, "FROM", 0)


def _numpy_way(monkeypatch, fn, *args, **kwargs):
    monkeypatch.setattr(compiled, "AVAILABLE", False)
    try:
        return fn(*args, **kwargs)
    finally:
        monkeypatch.setattr(compiled, "AVAILABLE", True)


@pytest.fixture(params=["draws kept", "draws drawn again"])
def second_pass(request, monkeypatch):
    """The compiled builds' second pass replays the kept draws, or (short of memory) draws them again."""
    from sim.networks import generators, memory

    monkeypatch.setattr(generators, "_CHUNK", 997)  # many chunks, the last one cut
    if request.param == "draws drawn again":
        monkeypatch.setattr(memory, "available_bytes", lambda: 0)
    return request.param


@needs_numba
@pytest.mark.parametrize("n, k", [(2, 1), (3, 2), (50, 49), (200, 0.5), (1000, 10), (30_000, 10), (5000, 120),
                                  (300_000, 3e-5)])  # the last: gaps past 2^32, which cannot be kept
def test_counted_erdos_renyi_is_the_sorted_build(monkeypatch, second_pass, n, k):
    a = erdos_renyi(n, k, np.random.default_rng(n))
    b = _numpy_way(monkeypatch, erdos_renyi, n, k, np.random.default_rng(n))
    assert a.in_indptr.tolist() == b.in_indptr.tolist()
    assert np.array_equal(a.in_indices, b.in_indices)
    assert a.in_indptr.dtype == np.int32 and a.in_indices.dtype == np.int32  # 32-bit row pointers where they fit


@needs_numba
def test_counted_erdos_renyi_leaves_the_generator_where_one_pass_does(monkeypatch, second_pass):
    r1, r2 = np.random.default_rng(7), np.random.default_rng(7)
    erdos_renyi(5000, 8, r1)
    _numpy_way(monkeypatch, erdos_renyi, 5000, 8, r2)
    assert r1.random() == r2.random()


CASES = {
    "threshold": {"wom.rule": "threshold", "wom.threshold": 0.1, "media": [], "seeding.strategy": "random",
                  "seeding.fraction": 0.01, "run.stop": "quiescent", "run.steps": 200},
    "threshold spread, media": {"wom.rule": "threshold", "wom.threshold": 0.2, "wom.threshold_sd": 0.1,
                                "seeding.strategy": "random", "seeding.fraction": 0.005, "run.steps": 40},
    "complex": {"wom.rule": "complex", "wom.count": 2, "media": [], "seeding.strategy": "random",
                "seeding.fraction": 0.02, "run.stop": "quiescent", "run.steps": 200},
    "bass": {"wom.rule": "bass", "wom.q": 0.4, "run.steps": 40},
    "bass, partial reach": {"wom.rule": "bass", "wom.q": 0.5, "run.steps": 30,
                            "media": [{"name": "ad", "p": 0.02, "reach": 0.3}]},
    "cascade": {"wom.rule": "cascade", "wom.beta": 0.2, "media": [], "seeding.strategy": "random",
                "seeding.fraction": 0.01, "run.stop": "quiescent", "run.steps": 200},
    "forgetting": {"wom.rule": "forgetting", "run.steps": 40},
}
NETS = {
    "er": {"network.kind": "erdos_renyi", "network.n": 4000, "network.mean_degree": 8},
    "ba": {"network.kind": "barabasi_albert", "network.n": 4000, "network.m": 3},
}


@needs_numba
@pytest.mark.parametrize("net", sorted(NETS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_compiled_steps_give_the_numpy_steps_numbers(monkeypatch, case, net):
    ov = {**NETS[net], **CASES[case]}
    a = sim.run("bass", seed=3, overrides=ov)
    b = _numpy_way(monkeypatch, sim.run, "bass", seed=3, overrides=ov)
    assert a.timeseries.equals(b.timeseries)
    assert np.array_equal(a.model.state.adopted_at, b.model.state.adopted_at)
    assert np.array_equal(a.model.counts, b.model.counts)  # brought up to date if they lagged


@needs_numba
def test_replicate_blocks_and_directed_graphs_too(monkeypatch, tmp_path):
    from sim.batch import run_replicates

    for rule in ("threshold", "bass, partial reach"):
        ov = {**NETS["er"], "network.seed": 9, **CASES[rule]}  # one graph: the replicates run as one block
        a = run_replicates("bass", seeds=[1, 2, 3], overrides=ov)
        b = _numpy_way(monkeypatch, run_replicates, "bass", seeds=[1, 2, 3], overrides=ov)
        for (ta, sa), (tb, sb) in zip(a, b):
            assert ta.equals(tb) and sa == sb
    rng = np.random.default_rng(4)
    src, dst = rng.integers(0, 3000, 30_000), rng.integers(0, 3000, 30_000)
    g = from_edges(3000, src, dst, directed=True)
    for rule in ("threshold", "bass"):
        ov = CASES[rule]
        x = sim.run("bass", seed=5, overrides=ov, graph=g)
        y = _numpy_way(monkeypatch, sim.run, "bass", seed=5, overrides=ov, graph=g)
        assert x.timeseries.equals(y.timeseries)
        assert np.array_equal(x.model.counts, y.model.counts)


@needs_numba
def test_pull_recounts_what_pushes_count():
    g = erdos_renyi(3000, 12, np.random.default_rng(2))
    adopted = np.random.default_rng(3).random(3000) < 0.3
    counts = np.zeros(3000, np.int32)
    compiled.pull(g.in_indptr, g.in_indices, 3000, adopted, counts)
    assert np.array_equal(counts, g.count_adopted(adopted))


@needs_numba
def test_pull_of_the_non_adopters_leaves_the_adopters_counts_alone():
    g = erdos_renyi(3000, 12, np.random.default_rng(2))
    adopted = np.random.default_rng(3).random(3000) < 0.6
    counts = np.full(3000, -7, np.int32)
    compiled.pull(g.in_indptr, g.in_indices, 3000, adopted, counts, left_only=True)
    assert np.array_equal(counts[~adopted], g.count_adopted(adopted)[~adopted])
    assert (counts[adopted] == -7).all()


@needs_numba
@pytest.mark.parametrize("rule", ["threshold", "bass"])
def test_lagging_adopter_counts_are_exact_when_read(monkeypatch, rule):
    """Rules that read only non-adopters' counts let the adopters' lag (one pull of the non-adopters' rows);
    the model's counts, and each Person's, are brought up to date when read, and the NumPy way agrees."""
    ov = {**NETS["er"], **CASES[rule], "seeding.strategy": "random", "seeding.fraction": 0.4}
    m = sim.DiffusionModel("bass", seed=3, overrides=ov)
    lagged = m.engine._lagging  # the seeds' push was a recount of the non-adopters alone
    m.run()
    assert lagged and m.engine._lagging  # still: nobody has read them since
    want = m.graph.count_adopted(m.state.adopted)
    assert not np.array_equal(m.engine.counts, want)  # the adopters' lag
    person = next(p for p in m.people if p.adopted)
    assert person.adopted_contacts == want[person.index]  # a Person reads the model's counts: up to date
    assert not m.engine._lagging and np.array_equal(m.counts, want)
    b = _numpy_way(monkeypatch, sim.DiffusionModel, "bass", seed=3, overrides=ov).run()
    assert np.array_equal(m.state.adopted_at, b.state.adopted_at) and np.array_equal(m.counts, b.counts)


@needs_numba
def test_counts_never_lag_for_rules_that_read_adopters_or_for_replicate_blocks():
    from sim.engine import Engine
    from sim.rules.threshold import Threshold

    class Reader(Threshold):  # a plug-in that reads adopters' counts says so
        name = "threshold"
        adopter_counts = True

    ov = {**NETS["er"], "network.seed": 4, **CASES["threshold"], "seeding.fraction": 0.4}
    m = sim.DiffusionModel("bass", seed=1, overrides=ov)
    m.rule = Reader(m.rule.values)
    assert Engine.single(m, m.rule, m.engine.be, {"need": m.engine.data["need"], "pending": None})._left_edges is None
    models = [sim.DiffusionModel("bass", seed=s, overrides=ov) for s in (1, 2)]
    assert all(x.engine._lagging for x in models)
    block = Engine.join([x.engine for x in models])  # joined with every count up to date
    for r, x in enumerate(models):
        assert np.array_equal(block.counts[r * x.n:(r + 1) * x.n], x.graph.count_adopted(x.state.adopted))
    assert block._left_edges is None


@needs_numba
def test_counts_are_brought_up_to_date_before_the_state_moves():
    """The seeds' push runs on the host and may let adopters' counts lag; a move to another backend (the GPU's
    way, here on the CPU) first brings them up to date, and the run gives the host's numbers."""
    import scipy as sp

    from sim.backend import Backend

    ov = {**NETS["er"], **CASES["threshold"], "seeding.fraction": 0.4}
    dense = sim.DiffusionModel("bass", seed=2, overrides=ov, device=Backend("cpu", np, sp.sparse, pushes="dense"))
    assert not dense.engine._lagging
    assert np.array_equal(dense.engine.counts, dense.graph.count_adopted(dense.state.adopted))
    host = sim.DiffusionModel("bass", seed=2, overrides=ov)
    assert host.engine._lagging
    dense.run(), host.run()
    assert np.array_equal(dense.state.adopted_at, host.state.adopted_at) and np.array_equal(dense.counts, host.counts)


@needs_numba
def test_lean_bass_keeps_no_state_per_person():
    m = sim.DiffusionModel("bass", seed=1, overrides={**NETS["er"], **CASES["bass"]})
    assert m.rule.lean and m.rule.push_watch == ("count",) and "term" not in m.engine.data
    m.run()
    assert set(m.engine.data) <= {"per_k", "among"}


# -- .bgraph files ----------------------------------------------------------------------------------------------

def _bouche(*args, cwd):
    """``bouche ARGS`` in this process (the command line's own entry point): exit status and output."""
    import contextlib
    import io

    from sim.cli import main

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(list(args))
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(args, rc, out.getvalue(), err.getvalue())


@pytest.mark.slow
def test_the_graph_command_runs_as_a_program(tmp_path):
    p = subprocess.run([sys.executable, "-m", "sim", "graph", "build", "--set", "network.kind=ring", "--set",
                        "network.n=100", "--out", "r.bgraph"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0 and "100 people, 500 edges" in p.stdout, p.stderr
    p = subprocess.run([sys.executable, "-m", "sim", "graph", "verify", "missing.bgraph"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr


def test_a_stored_graph_runs_as_the_built_one(tmp_path):
    out = tmp_path / "g.bgraph"
    p = _bouche("graph", "build", "--set", "network.kind=erdos_renyi", "--set", "network.n=5000", "--set",
                "network.mean_degree=8", "--seed", "11", "--out", str(out), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    ov = {**CASES["threshold"], "network.kind": "erdos_renyi", "network.n": 5000, "network.mean_degree": 8}
    built = sim.run("bass", seed=11, overrides=ov)
    stored = sim.run("bass", seed=11, overrides={**CASES["threshold"], "network.kind": "file",
                                                 "network.path": str(out)})
    assert stored.timeseries.equals(built.timeseries)
    assert stored.config["graph"]["sha256"] == built.config["graph"]["sha256"] == edges_sha256(built.model.graph)
    assert stored.config["graph"]["file"] == str(out)
    assert isinstance(stored.model.graph.in_indices, np.memmap)  # mapped, not read
    assert stored.model.graph.in_indptr.dtype == np.int32  # 32-bit row pointers where they fit
    info = _bouche("graph", "info", str(out), cwd=tmp_path)
    assert info.returncode == 0 and "5,000 people" in info.stdout and built.config["graph"]["sha256"] in info.stdout
    check = _bouche("graph", "verify", str(out), cwd=tmp_path)
    assert check.returncode == 0 and "intact" in check.stdout


def test_directed_graphs_with_labels_and_segments_round_trip(tmp_path):
    g = from_edges(5, [0, 1, 3, 4], [1, 2, 2, 0], directed=True, segments=[0, 0, 1, 1, 1],
                   labels=np.array(["a", "b", "c", "d", "e"], dtype=object), segment_names=["x", "y"])
    store.save(g, tmp_path / "d.bgraph")
    h = store.open_graph(tmp_path / "d.bgraph")
    assert h.directed and h.labels.tolist() == ["a", "b", "c", "d", "e"] and h.segment_names == ["x", "y"]
    assert h.segments.tolist() == [0, 0, 1, 1, 1]
    assert h.in_neighbours(2).tolist() == [1, 3] and h.out_neighbours(4).tolist() == [0]
    assert edges_sha256(h) == edges_sha256(g)


def test_building_never_replaces_a_file(tmp_path):
    precious = tmp_path / "precious.bgraph"
    precious.write_bytes(b"my thesis")
    p = _bouche("graph", "build", "--set", "network.kind=ring", "--set", "network.n=100", "--out", str(precious),
                cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "never replaces" in p.stderr
    assert precious.read_bytes() == b"my thesis"
    assert sorted(os.listdir(tmp_path)) == ["precious.bgraph"]  # nothing half-written beside it
    with pytest.raises(ConfigError, match="never replaces"):
        store.save(erdos_renyi(10, 2, np.random.default_rng(1)), precious)


@pytest.mark.parametrize("args, says", [
    (["build", "--set", "network.n=100", "--out", "x.bgraph"], "network.kind"),  # bass: complete, no arrays
    (["build", "--set", "wom.q=0.5", "--set", "network.kind=ring", "--out", "x.bgraph"], "not a network parameter"),
    (["build", "--set", "network.kind=ring"], "--out"),
    (["build", "--set", "network.kind=erdos_renyi", "--set", "network.n=-5", "--out", "x.bgraph"], "network.n"),
    (["info"], "needs a .bgraph file"),
    (["info", "missing.bgraph"], "cannot read"),
])
def test_bad_graph_commands_get_one_line(tmp_path, args, says):
    p = _bouche("graph", *args, cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and says in p.stderr, p.stderr
    assert "Traceback" not in p.stderr and not (tmp_path / "x.bgraph").exists()


def _stored(tmp_path) -> Path:
    path = tmp_path / "g.bgraph"
    store.save(erdos_renyi(2000, 6, np.random.default_rng(1)), path)
    return path


@pytest.mark.parametrize("damage, says", [
    (lambda b: b[:len(b) // 2], "cut short"),
    (lambda b: b"not a graph" + b[11:], "not a Bouche graph file"),
    (lambda b: b[:24] + b"{" * 40 + b[64:], "not JSON"),
    pytest.param(lambda b: b[:-400] + bytes(400), "damaged",  # the last indices zeroed: only the hash can tell
                 marks=pytest.mark.slow),
])
def test_damaged_files_are_refused_in_one_line(tmp_path, damage, says):
    path = _stored(tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    p = _bouche("graph", "verify", str(path), cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and says in p.stderr, p.stderr
    r = _bouche("run", "bass", "--set", "network.kind=file", "--set", f"network.path={path}", "--out",
                str(tmp_path / "run"), cwd=tmp_path)
    if "hash" not in says and says != "damaged":  # structural damage stops the run too
        assert r.returncode == 2 and "Traceback" not in r.stderr


def test_a_stored_graph_is_read_only_in_memory(tmp_path):
    g = store.open_graph(_stored(tmp_path))
    with pytest.raises(ValueError):
        g.in_indices[0] = 5  # shared by every process that maps the file: nobody may write to it


# -- the community family ---------------------------------------------------------------------------------------

def test_communities_have_heavy_tails_and_mostly_inner_links():
    from sim.networks import communities

    g = communities(200_000, 20, 10, 0.2, np.random.default_rng(1))
    deg = g.in_degree
    assert 9.3 < deg.mean() <= 10  # repeated links between hubs merged: a little under 10
    assert deg.max() > 30 * deg.mean()  # hubs: the k-th person of a community has weight 1/sqrt(k + 1)
    # the tail: P(degree >= d) falls about as d^-2 (exponent 3) between 30 and 300
    tail = [(deg >= d).mean() for d in (30, 300)]
    assert 40 < tail[0] / tail[1] < 250
    rows = np.repeat(np.arange(g.n), deg)
    inside = (g.segments[rows] == g.segments[g.in_indices]).mean()
    assert abs(inside - 0.8) < 0.01  # mixing = 0.2 of links leave the community
    assert np.array_equal(g.segments, np.repeat(np.arange(20), 10_000))  # blocks of consecutive ids
    assert (np.diff(g.in_indices.astype(np.int64)) > 0)[np.diff(rows) == 0].all()  # rows sorted, no repeats
    assert not (g.in_indices == rows).any()  # no self-loops


@needs_numba
@pytest.mark.parametrize("n, count, mixing", [(10, 1, 0.5), (1000, 3, 0.2), (30_000, 7, 0.0), (20_000, 40, 1.0)])
def test_compiled_communities_are_the_numpy_ones(monkeypatch, second_pass, n, count, mixing):
    from sim.networks import communities

    ra, rb = np.random.default_rng(n), np.random.default_rng(n)
    a = communities(n, count, 10, mixing, ra)
    b = _numpy_way(monkeypatch, communities, n, count, 10, mixing, rb)
    assert np.array_equal(a.in_indptr, b.in_indptr) and np.array_equal(a.in_indices, b.in_indices)
    assert np.array_equal(a.segments, b.segments)
    assert ra.random() == rb.random()  # and the generator is left where one pass leaves it


def test_a_community_scenario_runs_and_bad_settings_get_one_line(tmp_path):
    r = sim.run("bass", seed=2, overrides={"network.kind": "communities", "network.n": 20_000,
                                            "network.communities": 10, **CASES["threshold"]})
    assert r.summary["final_fraction"] > 0.9 and r.model.graph.segment_names[0] == "0"
    for sets, says in ((["network.communities=20000"], "network.communities"),
                       (["network.mixing=1.5"], "network.mixing"),
                       (["network.n=3000000000"], "network.n")):
        p = _bouche("run", "bass", "--set", "network.kind=communities", *[a for s in sets for a in ("--set", s)],
                    "--out", str(tmp_path / "x"), cwd=tmp_path)
        assert p.returncode == 2 and p.stderr.count("\n") == 1 and says in p.stderr, p.stderr
    assert not (tmp_path / "x").exists()


def test_a_graph_larger_than_the_machine_is_refused_before_building(tmp_path):
    p = _bouche("graph", "build", "--set", "network.kind=erdos_renyi", "--set", "network.n=2000000000",
                "--set", "network.mean_degree=50", "--out", str(tmp_path / "big.bgraph"), cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "memory" in p.stderr, p.stderr
    assert os.listdir(tmp_path) == []


# -- draws skipped exactly ---------------------------------------------------------------------------------------

@needs_numba
@pytest.mark.parametrize("n, share", [(1, 1.0), (10, 0.0), (1000, 0.5), (100_003, 0.01), (5000, 1.0)])
def test_draws_at_are_the_draws_of_everyone_at_those_places(n, share):
    at = np.flatnonzero(np.random.default_rng(n).random(n) < share)
    a, b = np.random.default_rng(11), np.random.default_rng(11)
    u = compiled.draws_at(a, at, n)
    assert np.array_equal(u, b.random(n)[at])  # bit for bit
    assert a.bit_generator.state == b.bit_generator.state  # and the generator where drawing everyone leaves it
    c, d = np.random.Generator(np.random.Philox(3)), np.random.Generator(np.random.Philox(3))  # no skipping
    assert np.array_equal(compiled.draws_at(c, at, n), d.random(n)[at]) and c.random() == d.random()


@needs_numba
def test_a_steps_lazy_draws_are_drawn_once():
    from sim.engine import LazyDraws

    class Eng:  # what LazyDraws reads of an engine
        n = 50

        def __init__(self):
            self.models = [type("M", (), {"wom_rng": np.random.default_rng(2)})()]

        def uniforms(self, draws):
            return draws[0](self.n)

    lazy = LazyDraws(Eng())
    u = lazy.at(np.array([3, 9]))
    with pytest.raises(RuntimeError, match="drawn once"):
        lazy.everyone()
    assert np.array_equal(u, np.random.default_rng(2).random(50)[[3, 9]])
    eng = Eng()
    lazy = LazyDraws(eng)
    assert np.asarray(lazy)[7] == lazy[7] == np.random.default_rng(2).random(50)[7]  # as an array: everyone's
    eng2 = Eng()
    LazyDraws(eng2).settle()  # nothing asked: the generator still moves past everyone's draws
    ref = np.random.default_rng(2)
    ref.random(50)
    assert eng2.models[0].wom_rng.random() == ref.random()


# -- draws made in the pass ------------------------------------------------------------------------------------------

@needs_numba
@pytest.mark.parametrize("n", [1, 7, 4000, 100_003])
def test_bass_draws_made_in_the_pass_are_numpys(n):
    rng = np.random.default_rng(n)
    counts, degree = rng.integers(0, 4, n).astype(np.int32), rng.integers(0, 9, n).astype(np.int32)
    per_k = 0.4 / np.maximum(np.arange(9), 1)
    adopted = rng.random(n) < 0.3
    for media in (None, 0.05):
        a, b = np.random.default_rng(11), np.random.default_rng(11)
        drawn = compiled.bass_decide(a, media, None, 0.5, adopted, hazard=(counts, degree, per_k, n))
        given = compiled.bass_decide(b.random(n), media, None, 0.5, adopted, hazard=(counts, degree, per_k, n))
        assert all(np.array_equal(x, y) for x, y in zip(drawn, given))  # the same adopters, by channel
        assert a.bit_generator.state == b.bit_generator.state  # the generator left where rng.random(n) leaves it
    assert len(drawn[0]) + len(drawn[1]) > 0 or n < 10
    with pytest.raises(ValueError, match="everyone"):
        compiled.bass_decide(a, 0.1, None, 1.0, adopted, np.arange(n), hazard=(counts, degree, per_k, n))


@needs_numba
def test_lazy_draws_hand_over_the_stream_once_and_only_pcg64():
    from sim.engine import LazyDraws

    eng = type("E", (), {"n": 5, "models": [type("M", (), {"wom_rng": np.random.default_rng(2)})()]})()
    lazy = LazyDraws(eng)
    assert lazy.stream() is eng.models[0].wom_rng
    with pytest.raises(RuntimeError, match="drawn once"):
        lazy.everyone()
    eng.models[0].wom_rng = np.random.Generator(np.random.Philox(1))
    assert LazyDraws(eng).stream() is None  # no skipping or drawing in the pass: everyone() as before
