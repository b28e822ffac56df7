"""Sweeps (sim/experiments): designs, seeds and keys, specs, bad input, shipped experiments, figures.

Execution backends, SIGKILL + resume and failing runs are in test_experiments_exec.py.
"""

import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.errors import ConfigError
from sim.experiments import design, seeds
from sim.experiments.spec import load_spec, shipped_experiments

TINY = {"network.kind": "erdos_renyi", "network.n": 300, "network.mean_degree": 6, "run.steps": 15}


# -- designs ----------------------------------------------------------------------------


def test_ranges_include_their_stop_and_have_no_float_noise():
    assert design.parse_values("wom.q", "0:1:0.1") == [round(0.1 * i, 10) for i in range(11)]
    assert design.parse_values("network.n", "100:500:200") == [100, 300, 500]
    assert design.parse_values("wom.q", "0.5:0.1:-0.2") == [0.5, 0.3, 0.1]
    assert design.parse_values("wom.q", [0.2, 0.3]) == [0.2, 0.3]


@pytest.mark.parametrize("value, why", [("0.5:0.1:0.1", "empty"), ("0:1:0", "step 0"), ([], "empty"),
                                        ("0:1", None), ("a:b:c", None)])
def test_bad_ranges_name_the_key_and_the_value(value, why):
    with pytest.raises(ConfigError) as err:
        design.parse_values("wom.q", value)
    text = str(err.value)
    assert text.startswith("wom.q must be") and "\n" not in text
    assert why is None or why in text


def test_grid_crosses_and_zip_pairs():
    grid = design.make_points("grid", {"wom.q": [0.1, 0.2, 0.3], "network.n": "100:200:100"})
    assert len(grid) == 6 and grid[1] == {"wom.q": 0.1, "network.n": 200}
    assert design.make_points("zip", {"wom.q": [0.1, 0.2], "network.n": [100, 200]}) == [
        {"wom.q": 0.1, "network.n": 100}, {"wom.q": 0.2, "network.n": 200}]
    with pytest.raises(ConfigError, match="one length"):
        design.make_points("zip", {"wom.q": [0.1, 0.2], "network.n": [100]})


def test_latin_hypercube_hits_every_stratum_once_and_integers_stay_integers():
    pts = design.make_points("lhs", {"wom.q": [0.0, 1.0], "network.n": [100, 199]}, samples=50, seed=3)
    q = np.array([p["wom.q"] for p in pts])
    assert sorted(np.floor(q * 50).astype(int)) == list(range(50))  # one point per stratum
    n = [p["network.n"] for p in pts]
    assert all(isinstance(v, int) and 100 <= v <= 199 for v in n)
    assert sorted(np.floor((np.array(n) - 100) / 2).astype(int)) == list(range(50))
    assert pts == design.make_points("lhs", {"wom.q": [0.0, 1.0], "network.n": [100, 199]}, samples=50, seed=3)


def test_random_design_grows_without_moving_earlier_samples():
    vary = {"wom.q": [0.1, 0.9], "media.p": "0:0.1"}
    small = design.make_points("random", vary, samples=5, seed=11)
    big = design.make_points("random", vary, samples=12, seed=11)
    assert big[:5] == small
    assert all(0.1 <= p["wom.q"] <= 0.9 and 0 <= p["media.p"] <= 0.1 for p in big)


def test_sobol_design_has_saltelli_size():
    pytest.importorskip("SALib")
    pts = design.make_points("sobol", {"wom.q": [0.1, 0.9], "media.p": [0.0, 0.1]}, samples=16, seed=1)
    assert len(pts) == 16 * (2 + 2)
    with pytest.raises(ConfigError, match="power of 2"):
        design.make_points("sobol", {"wom.q": [0.1, 0.9]}, samples=10)


def test_points_are_validated_and_normalised_through_the_scenario_schema():
    base = sim.load("bass")
    assert design.resolve_points(base, [{"wom.q": 1, "network.n": 200.0}]) == [{"wom.q": 1.0, "network.n": 200}]
    with pytest.raises(ConfigError, match="did you mean wom.q"):
        design.resolve_points(base, [{"wom.qq": 0.5}])
    with pytest.raises(ConfigError, match=r"^media.p must be a number in \[0, 1\]; got 2"):
        design.resolve_points(base, [{"media.p": 2}])


# -- seeds and keys -------------------------------------------------------------------


def test_run_keys_are_golden_and_ignore_text_fields():
    scenario = sim.load("bass").to_dict()
    base = seeds.scenario_hash(scenario)
    key = seeds.run_key(base, {"wom.q": 0.5}, 0, 1, "common", "1.0")
    # A fixed value: it must not change across processes, platforms or Python versions.
    # sha256sum of {"x":[1,2.5,"a"],"y":null}
    assert seeds.content_hash({"x": [1, 2.5, "a"], "y": None}) == "f9820d920eea9dce"
    assert seeds.scenario_hash({**scenario, "description": "other", "title": "t", "seed": 99}) == base
    assert key != seeds.run_key(base, {"wom.q": 0.5}, 1, 1, "common", "1.0")
    assert key != seeds.run_key(base, {"wom.q": 0.5}, 0, 2, "common", "1.0")
    assert key != seeds.run_key(base, {"wom.q": 0.5}, 0, 1, "common", "1.1")


def test_seeds_derive_from_content_never_position():
    a = load_spec("bass", vary={"wom.q": [0.2, 0.4]}, replicates=2, overrides=TINY)
    b = load_spec("bass", vary={"wom.q": [0.1, 0.2, 0.3, 0.4]}, replicates=3, overrides=TINY)
    runs_a = {(r["point"]["wom.q"], r["replicate"]): r for r in a.iter_runs()}
    runs_b = {(r["point"]["wom.q"], r["replicate"]): r for r in b.iter_runs()}
    for k, run in runs_a.items():
        assert runs_b[k]["key"] == run["key"] and runs_b[k]["seed"] == run["seed"]
    # common random numbers: replicate r has one seed at every design point
    assert {r["seed"] for r in b.iter_runs() if r["replicate"] == 1} == {runs_b[(0.1, 1)]["seed"]}
    ind = load_spec("bass", vary={"wom.q": [0.1, 0.2]}, replicates=2, overrides=TINY, streams="independent")
    assert len({r["seed"] for r in ind.iter_runs()}) == 4
    assert all(isinstance(r["seed"], int) and r["spawn_key"].startswith("[") for r in ind.iter_runs())


# -- specs and bad input ------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["bass", "--vary", "wom.qq=0.1,0.2"], "bouche: error: wom.qq is not a parameter; did you mean wom.q?"),
    (["bass", "--vary", "wom.q=0.5:0.1:0.1"], "bouche: error: wom.q must be a list of values or a range"),
    (["bass", "--vary", "wom.q=0:1:0"], "(step 0)"),
    (["bass", "--vary", "wom.q=0.1,0.2", "--replicates", "0"],
     "bouche: error: replicates must be an integer >= 1; got 0"),
    (["bass", "--vary", "wom.q=0.1,0.2", "--scheduler", "tcp://127.0.0.1:1"],
     "bouche: error: --scheduler must be a reachable Dask scheduler; got 'tcp://127.0.0.1:1'"),
    (["bass"], "bouche: error: vary must name at least one parameter to vary; got none"),
    (["bass", "--vary", "seed=1,2"], "bouche: error: seed cannot be varied"),
    (["bass", "--vary", "wom.q=0.1,0.2", "--design", "lhs"], "design.samples must be an integer >= 1"),
    (["tipping_point", "--size", "huge"], "bouche: error: --size must be one of small; got 'huge'"),
])
def test_bad_sweeps_get_one_line_exit_2_and_write_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    code = main(["sweep", *args, "--out", str(out), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_bad_spec_files_get_one_line(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text('scenario = "bass"\nreplicate = 3\n[vary]\n"wom.q" = [0.1]\n')
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.strip() == ("bouche: error: replicate is not a sweep setting (" +
                                               ", ".join(__import__("sim.experiments.spec", fromlist=["TOP"]).TOP)
                                               + "); did you mean replicates?")
    spec.write_text('scenario = "bass"\n[design]\nkind = "grids"\n[vary]\n"wom.q" = [0.1]\n')
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o")]) == 2
    assert "design.kind must be one of grid, zip, random, lhs, sobol; got 'grids'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_spec_toml_and_python_dict_and_command_line_agree(tmp_path):
    spec = tmp_path / "q.toml"
    spec.write_text('scenario = "bass"\nreplicates = 2\nseed = 5\n[set]\n"network.n" = 300\n'
                    '[vary]\n"wom.q" = "0.2:0.4:0.2"\n')
    from_file = load_spec(spec)
    from_dict = load_spec({"name": "q", "scenario": "bass", "replicates": 2, "seed": 5,
                           "set": {"network": {"n": 300}}, "vary": {"wom.q": "0.2:0.4:0.2"}})
    from_args = load_spec("bass", vary={"wom.q": [0.2, 0.4]}, replicates=2, seed=5, overrides={"network.n": 300})
    keys = [r["key"] for r in from_file.iter_runs()]
    assert keys == [r["key"] for r in from_dict.iter_runs()] == [r["key"] for r in from_args.iter_runs()]
    assert len(keys) == 4


# -- shipped experiments, Python API, figures -----------------------------------------


def test_shipped_experiments_load_and_list(capsys):
    names = set(shipped_experiments())
    assert {"tipping_point", "cascade_window"} <= names
    for name in names:
        full, small = load_spec(name), load_spec(name, size="small")
        assert small.n_runs < full.n_runs
    assert main(["sweep", "--list"]) == 0
    assert "tipping_point" in capsys.readouterr().out


def test_tipping_point_small_shows_the_jump(tmp_path):
    res = sim.sweep("tipping_point", size="small", workers=1, out=tmp_path / "tp")
    s = res.summary.set_index("seeding.fraction")["final_fraction_mean"]
    # without seeds only the rare person with a threshold <= 0 adopts; below the critical mass it stalls
    assert s.loc[0.0] < 0.01 and s.loc[0.05] < 0.2 and s.loc[0.2] > 0.95
    names = sorted(p.name for p in (tmp_path / "tp").glob("*.png"))
    assert names == ["curves_by_seeding-fraction.png", "final_fraction_vs_seeding-fraction.png"]
    ts = res.timeseries
    assert set(ts["key"]) == set(res.runs["key"]) and ts.groupby("key")["step"].is_monotonic_increasing.all()


def test_cascade_window_small_cascades_inside_the_window_only(tmp_path):
    res = sim.sweep("cascade_window", size="small", workers=1, out=tmp_path / "cw")
    freq = res.summary.set_index(["network.mean_degree", "wom.threshold"])["global_cascade_mean"]
    # phi = 0.14: window (1.0006, 9.10); z = 3, 5, 7 inside, z = 1 at its edge. phi = 0.22: (1.11, 3.86).
    assert freq.loc[(5.0, 0.14)] == 1.0 and freq.loc[(7.0, 0.14)] == 1.0
    assert freq.loc[(5.0, 0.22)] == 0.0 and freq.loc[(7.0, 0.22)] == 0.0 and freq.loc[(9.0, 0.22)] == 0.0
    runs = res.runs
    assert ((runs["global_cascade"] == 1.0) == (runs["final_fraction"] >= 0.05)).all()
    assert len(list((tmp_path / "cw").glob("*.png"))) == 2


def test_broadcast_vs_seeding_small_seeding_the_best_connected_wins(tmp_path):
    res = sim.sweep("broadcast_vs_seeding", size="small", workers=1, out=tmp_path / "b")
    s = res.summary.set_index(["wom.q", "seeding.strategy"])["final_fraction_mean"]
    assert s.loc[(0.7, "top_degree")] > s.loc[(0.7, "none")]  # strong word of mouth: seeds beat broadcast
    assert set(res.runs["seeding.count"]) == {0, 9} and (res.runs["status"] == "ok").all()
    assert len(res.figures) == 2 and all(p.exists() for p in res.figures)


@pytest.mark.slow
def test_fragmentation_small_more_producers_split_attention(tmp_path):
    res = sim.sweep("fragmentation", size="small", workers=1, out=tmp_path / "f")
    s = res.summary.set_index(["attention.producers", "attention.k"])
    for k in (2, 10):
        assert s.loc[(0.5, k), "effective_channels_mean"] > s.loc[(0.05, k), "effective_channels_mean"]
        assert s.loc[(0.5, k), "top1_share_mean"] < s.loc[(0.05, k), "top1_share_mean"]
    assert len(res.figures) == 3


def test_python_sweep_without_out_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    res = sim.sweep("bass", vary={"wom.q": [0.2, 0.5]}, replicates=2, workers=1, overrides=TINY, timeseries=True,
                    every=5)
    assert isinstance(res.runs, pd.DataFrame) and len(res.runs) == 4 and res.out is None
    assert sorted(set(res.timeseries["step"])) == [0, 5, 10, 15]
    assert list(tmp_path.iterdir()) == []


def test_sobol_design_gives_indices_and_a_chart(tmp_path):
    pytest.importorskip("SALib")
    res = sim.sweep("bass", vary={"wom.q": [0.05, 0.8], "media.p": [0.01, 0.012]}, design="sobol", samples=16,
                    overrides={**TINY, "run.stop": "steps"}, workers=1, out=tmp_path / "s")
    assert len(res.runs) == 16 * 4
    table = res.sobol.set_index(["metric", "parameter"])
    # over these ranges imitation (q) drives the final share far more than media (p) does
    assert table.loc[("final_fraction", "wom.q"), "ST"] > table.loc[("final_fraction", "media.p"), "ST"]
    assert (tmp_path / "s" / "sobol.csv").exists() and (tmp_path / "s" / "sobol_final_fraction.png").exists()


def test_spec_json_records_the_resolved_sweep(tmp_path):
    sim.sweep("bass", vary={"wom.q": [0.3]}, replicates=2, overrides=TINY, workers=1, out=tmp_path / "j",
              plots=False)
    spec = json.loads((tmp_path / "j" / "spec.json").read_text())
    assert spec["points"] == [{"wom.q": 0.3}] and spec["replicates"] == 2 and spec["root_seed"] == 1969
    assert spec["scenario"]["network"]["n"] == 300 and spec["engine"] == sim.__version__
