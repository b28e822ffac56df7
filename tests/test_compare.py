"""Paired twin runs (sim/compare.py): common random numbers, intervals, the `bouche compare` command."""

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.cli import main
from sim.compare import paired_difference, replicate_seeds, unpaired_difference
from sim.platform.model import PlatformModel

SMALL = {"network.kind": "erdos_renyi", "network.n": 800, "network.mean_degree": 6, "run.steps": 15}


def test_sim_compare_is_the_public_entry_point():
    c = sim.compare("bass", change={"wom.q": 0.1}, replicates=3, overrides=SMALL)
    assert isinstance(c, sim.Comparison)
    assert len(c.runs) == 6 and set(c.runs["arm"]) == {"base", "changed"}
    # both arms of a replicate share its seed; the seeds depend on the root seed only
    wide = c.runs.pivot(index="replicate", columns="arm", values="seed")
    assert (wide["base"] == wide["changed"]).all()
    assert wide["base"].tolist() == replicate_seeds(1969, 3)
    assert c.difference("final_adopters")["mean"] < 0


def test_a_change_that_touches_no_draw_gives_exactly_zero_difference():
    """Raising the price of a contact changes the cost and nothing else: every adoption is identical."""
    c = sim.compare("bass", change={"media.cost_per_contact": 5.0}, replicates=4, overrides=SMALL)
    d = c.difference("final_adopters")
    assert d["mean"] == 0 and d["sd"] == 0 and d["ci_low"] == d["ci_high"] == 0
    assert c.difference("total_cost")["ci_low"] > 0
    ts = c.timeseries
    a = ts[ts["arm"] == "base"]["adopters"].to_numpy()
    b = ts[ts["arm"] == "changed"]["adopters"].to_numpy()
    assert np.array_equal(a, b)


def test_the_twin_differs_only_by_the_changed_mechanism():
    """Campaign off: same network, same customers, same fans, same word-of-mouth draws; no impressions."""
    seed = replicate_seeds(2006, 1)[0]
    small = {"network.n": 3000, "measurement.impressions": 150, "run.steps": 12}
    on = PlatformModel("measurement", seed=seed, overrides=small)
    off = PlatformModel("measurement", seed=seed, overrides={**small, "measurement.impressions": 0})
    assert np.array_equal(on.graph.in_indices, off.graph.in_indices)
    assert np.array_equal(on.state.adopted, off.state.adopted)  # customers at step 0
    assert np.array_equal(on.fan, off.fan)
    on.run(), off.run()
    assert on.summary()["impressions"] > 0 and off.summary()["impressions"] == 0
    # nobody the campaign never reached adopts later with it than without it (same uniforms, more adopters)
    early = off.state.adopted_at >= 0
    assert (on.state.adopted_at[early] >= 0).all()


def test_same_seed_same_numbers_and_more_replicates_keep_the_old_ones():
    a = sim.compare("bass", change={"wom.q": 0.2}, replicates=2, overrides=SMALL)
    b = sim.compare("bass", change={"wom.q": 0.2}, replicates=3, overrides=SMALL)
    pd.testing.assert_frame_equal(a.runs, b.runs[b.runs["replicate"] < 2].reset_index(drop=True))
    c = sim.compare("bass", change={"wom.q": 0.2}, replicates=2, overrides=SMALL, seed=5)
    assert not a.runs["final_adopters"].equals(c.runs["final_adopters"])


def test_intervals_match_scipy():
    rng = np.random.default_rng(0)
    x = rng.normal(10, 2, 12)
    y = x + rng.normal(1, 0.5, 12)
    d = paired_difference(x, y)
    ci = stats.ttest_rel(y, x).confidence_interval(0.95)
    assert d["ci_low"] == pytest.approx(ci.low) and d["ci_high"] == pytest.approx(ci.high)
    u = unpaired_difference(x, y)
    ci = stats.ttest_ind(y, x, equal_var=False).confidence_interval(0.95)
    assert u["ci_low"] == pytest.approx(ci.low) and u["ci_high"] == pytest.approx(ci.high)
    # pairs with a missing value are dropped
    d = paired_difference([1.0, np.nan, 3.0, 4.0], [2.0, 5.0, np.nan, 6.0])
    assert d["n"] == 2 and d["mean"] == 1.5


def test_paired_interval_covers_the_true_difference():
    """Coverage of the 95 % t interval on normal pairs: 400 intervals, expected 380 hits, sd ~4.4;
    accept 365..395 (about 3.4 sd, so a correct interval fails this 1 time in ~1,500)."""
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(400):
        base = rng.normal(0, 3, 8)
        d = paired_difference(base, base + 0.7 + rng.normal(0, 1, 8))
        hits += d["ci_low"] <= 0.7 <= d["ci_high"]
    assert 365 <= hits <= 395


def test_bad_arguments_raise_one_line_errors():
    with pytest.raises(sim.ConfigError, match="replicates must be an integer >= 2"):
        sim.compare("bass", change={"wom.q": 0.1}, replicates=1)
    with pytest.raises(sim.ConfigError, match="change must set at least one parameter"):
        sim.compare("bass", change={})
    with pytest.raises(sim.ConfigError, match="seed cannot differ between twins"):
        sim.compare("bass", change={"seed": 3})
    with pytest.raises(sim.ConfigError, match="wom.qq is not a parameter; did you mean wom.q"):
        sim.compare("bass", change={"wom.qq": 0.1})


@pytest.mark.slow
def test_bouche_compare_writes_a_comparison_folder(tmp_path, capsys):
    out = tmp_path / "cmp"
    args = ["compare", "bass", "--set", "wom.q=0.1", "--base", "network.n=600", "--replicates", "3", "--out",
            str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "final_adopters" in printed and "paired 95 % CI" in printed
    assert sorted(p.name for p in out.iterdir()) == [".bouche.json", "comparison.json", "comparison.png",
                                                     "differences.csv",
                                                    "runs.csv", "timeseries.csv"]
    record = json.loads((out / "comparison.json").read_text())
    assert record["change"] == {"wom.q": 0.1} and record["replicates"] == 3
    assert record["scenario"]["network"]["n"] == 600
    diffs = pd.read_csv(out / "differences.csv").set_index("metric")
    runs = pd.read_csv(out / "runs.csv")
    fa = runs.pivot(index="replicate", columns="arm", values="final_adopters")
    assert diffs.loc["final_adopters", "difference"] == pytest.approx((fa["changed"] - fa["base"]).mean())
    assert (out / "comparison.png").stat().st_size > 10_000
    assert main(args) == 0  # an earlier comparison folder is replaced
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("args, message", [
    ([], "--set must give at least one change for the twin (key=value); got none"),
    (["--set", "wom.q=0.1", "--replicates", "1"], "--replicates must be an integer >= 2"),
    (["--set", "wom.qq=0.1"], "wom.qq is not a parameter; did you mean wom.q?"),
    (["--set", "wom.q=-1"], "wom.q must be a number >= 0; got -1"),
    (["--set", "seed=4"], "seed cannot differ between twins"),
    (["--set", "wom.q=0.1", "--seed", "-1"], "--seed must be an integer >= 0; got -1"),
    (["--set", "wom.q=0.1", "--base", "network.n=0"], "network.n must be an integer >= 1; got 0"),
])
def test_bouche_compare_bad_input_one_line_exit_2(tmp_path, capsys, args, message):
    out = tmp_path / "cmp"
    assert main(["compare", "bass", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists() and not list(tmp_path.iterdir())


def test_bouche_compare_refuses_a_foreign_folder(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    assert main(["compare", "bass", "--set", "wom.q=0.1", "--out", str(mine)]) == 2
    err = capsys.readouterr().err
    assert "--out must be a new folder, an empty one or an earlier comparison folder written by bouche" in err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


@pytest.mark.slow
def test_python_dash_m_compare(tmp_path):
    res = subprocess.run([sys.executable, "-m", "sim", "compare", "measurement", "--set", "measurement.impressions=0",
                          "--base", "network.n=2000", "--base", "measurement.impressions=100", "--replicates", "2",
                          "--no-plots", "--out", str(tmp_path / "c")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "likes" in res.stdout and "engagement_rate" in res.stdout
    diffs = pd.read_csv(tmp_path / "c" / "differences.csv").set_index("metric")
    assert diffs.loc["impressions", "changed_mean"] == 0 and diffs.loc["likes", "difference"] < 0
    assert math.isnan(diffs.loc["engagement_rate", "changed_mean"])


def test_compare_works_for_another_model_kind(tmp_path):
    """Twins of a scenario with its own model class (here the attention model, if shipped)."""
    if "fragmentation" not in sim.config.shipped_scenarios():
        pytest.skip("the fragmentation scenario is not shipped")
    c = sim.compare("fragmentation", change={"attention.k": 3}, replicates=2, overrides={"network.n": 1500})
    assert "step" in c.timeseries and len(c.differences) > 5
    assert c.write(tmp_path / "f").joinpath("comparison.png").exists()
    with pytest.raises(sim.ConfigError, match="--curve must be a time-series column"):
        c.figure(tmp_path / "x.png", column="nope")
