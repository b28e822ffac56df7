"""Splitting a budget between media and seeding (sim/optimize): known optima, determinism, the folder, the command."""

import json

import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.optimize.plans import splits

RING = {"network.kind": "ring", "network.n": 300, "network.k": 6}


def test_splits_cover_the_simplex():
    got = list(splits(3, 2))
    assert len(got) == 6 and all(sum(s) == pytest.approx(1) for s in got) and (0.5, 0.0, 0.5) in got


def test_finds_the_dominant_medium():
    """Seeds cost 1000 and the budget is 40: no share buys a seed. The medium costs 3 a step (300 contacts at
    0.01), so 75 % or more of the budget keeps it on for the whole horizon of 10 steps: that is the optimum."""
    ov = {**RING, "media.cost_per_contact": 0.01, "media.p": 0.05, "wom.q": 0.2, "seeding.cost_per_seed": 1000.0}
    o = sim.optimize("bass", budget=40, horizon=10, replicates=4, grid=4, levels=2, overrides=ov)
    best = o.best
    assert best["steps_advertising"] == 10 and best["seeds"] == 0
    assert o.info["cost_per_step"]["advertising"] == pytest.approx(3.0)
    fewer = o.plans[o.plans["steps_advertising"] < 10]
    assert (fewer["mean"] < best["mean"]).all() and not fewer["like_best"].any()


def test_finds_that_seeding_wins_when_the_medium_is_dear():
    """A weak medium at 1 a contact (300 a step) against seeds at 1 each with strong word of mouth: a budget of
    300 buys one step of the medium or 300 seeds (everyone), so seeding everything wins."""
    ov = {**RING, "media.cost_per_contact": 1.0, "media.p": 0.01, "wom.q": 0.5, "seeding.cost_per_seed": 1.0}
    o = sim.optimize("bass", budget=300, horizon=6, replicates=3, grid=2, levels=1, overrides=ov,
                     strategies=["random"])
    assert o.best["share_seeding"] == 1.0 and o.best["mean"] == 300


def test_same_seed_same_answer_and_cost_per_adopter():
    ov = {**RING, "media.cost_per_contact": 0.05, "seeding.cost_per_seed": 5.0}
    kw = dict(budget=60, horizon=8, replicates=3, grid=2, levels=1, overrides=ov, objective="cost_per_adopter")
    a, b = sim.optimize("bass", **kw), sim.optimize("bass", **kw)
    pd.testing.assert_frame_equal(a.plans, b.plans)
    assert a.plans["mean"].is_monotonic_increasing  # minimised: the best first


def test_the_answer_does_not_change_with_the_worker_count():
    ov = {**RING, "media.cost_per_contact": 0.05, "seeding.cost_per_seed": 5.0}
    kw = dict(budget=60, horizon=8, replicates=3, grid=2, levels=2, overrides=ov)
    one, two = sim.optimize("bass", workers=1, **kw), sim.optimize("bass", workers=2, **kw)
    pd.testing.assert_frame_equal(one.plans, two.plans)
    pd.testing.assert_frame_equal(one.response, two.response)
    pd.testing.assert_frame_equal(one.runs, two.runs)
    assert two.info["workers"] == 2 and one.info["runs"] == two.info["runs"]


def test_command_writes_the_folder(tmp_path, capsys):
    out = tmp_path / "opt"
    args = ["optimize", "--scenario", "bass", "--budget", "60", "--horizon", "8", "--replicates", "3", "--grid",
            "2", "--levels", "2", "--out", str(out), "--set", "seeding.cost_per_seed=5"]
    for key, value in RING.items():
        args += ["--set", f"{key}={value}"]
    assert main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == [".bouche.json", "optimize.json", "optimize.png", "plans.csv",
                                                     "response.csv"]
    rec = json.loads((out / "optimize.json").read_text())
    plans = pd.read_csv(out / "plans.csv")
    assert rec["best"]["plan"] == plans["plan"].iloc[0] and rec["budget"] == 60 and len(plans) == 7
    assert "not distinguishable" in capsys.readouterr().out


@pytest.mark.parametrize("extra, words", [
    (["--budget", "0"], "--budget must be a number > 0"),
    (["--budget", "10", "--objective", "likes"], "--objective must be one of"),
    (["--budget", "10", "--horizon", "0"], "--horizon must be an integer >= 1"),
    (["--budget", "10", "--replicates", "1"], "--replicates must be an integer >= 2"),
    (["--budget", "10", "--workers", "0"], "--workers must be an integer >= 1"),
    (["--budget", "10", "--strategy", "greedy"], "--strategy must be one of"),
    (["--budget", "10", "--set", "media=[]"], "needs a medium or priced seeding"),
    (["--budget", "10", "--set", "wom.qq=1"], "did you mean wom.q"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, extra, words):
    assert main(["optimize", "--scenario", "bass", "--out", str(tmp_path / "o"), *extra]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and not (tmp_path / "o").exists()


def test_free_media_are_no_channel_and_stay_on():
    """organic-reach: four free organic media and a paid one; only the paid medium and priced seeds are channels,
    and every plan keeps the organic media on air (its adopters include what they bring)."""
    ov = {"media.paid.reach": 0.16, "seeding.cost_per_seed": 1.0, "network.n": 2000}
    o = sim.optimize("organic-reach", budget=20, horizon=6, replicates=2, grid=1, levels=1, overrides=ov,
                     strategies=["random"])
    assert o.info["channels"] == ["paid", "seeding"] and o.info["cost_per_step"]["organic_1"] == 0.0
    assert (o.response.loc[o.response["channel"] == "nothing", "mean"] > 0).all()  # organic reach works for free
