"""Scenario discovery on a stored sweep (sim/discovery): PRIM on a known box, the folder, the command."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.discovery import discover, find_box

# PRIM and the feature scores need EMA Workbench (the discover extra); reading a sweep and --where do not
ema = pytest.mark.skipif(__import__("importlib.util").util.find_spec("ema_workbench") is None,
                         reason="needs EMA Workbench: pip install 'bouche[discover]'")


@ema
@pytest.mark.slow
def test_prim_finds_a_known_box():
    """y = 1 exactly in a > 0.6 and b < 0.3 (12 % of 1500 uniform points); c is noise. The box chosen
    restricts a and b only, to within 0.05 of the true edges, with density 1 and coverage >= 0.5."""
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.uniform(size=(1500, 3)), columns=["a", "b", "c"])
    traj, i, limits, features = find_box(x, (x.a > 0.6) & (x.b < 0.3))
    lim = limits.set_index("parameter")
    assert lim["restricted"].tolist() == [True, True, False]
    assert abs(lim.loc["a", "low"] - 0.6) < 0.05 and abs(lim.loc["b", "high"] - 0.3) < 0.05
    assert traj.loc[i, "density"] == 1.0 and traj.loc[i, "coverage"] >= 0.5
    assert features["parameter"].tolist()[-1] == "c"  # the noise scores last


@ema
@pytest.mark.slow
def test_categorical_inputs():
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"s": rng.choice(["none", "random", "top_degree"], 900), "q": rng.uniform(size=900)})
    traj, i, limits, _ = find_box(x, (x.s == "top_degree") & (x.q > 0.5))
    lim = limits.set_index("parameter")
    assert lim.loc["s=top_degree", "low"] > 0 and lim.loc["q", "restricted"]  # only top_degree (the 0/1 column above 0)


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("sw") / "q"
    assert main(["sweep", "bass", "--design", "lhs", "--samples", "120", "--replicates", "1", "--vary",
                 "wom.q=0:0.8", "--vary", "media.p=0:0.03", "--set", "network.kind=ring", "--set", "network.n=200",
                 "--set", "network.k=6", "--set", "run.steps=10", "--set", "run.stop=steps", "--workers", "1",
                 "--out", str(out), "--no-plots"]) == 0
    return out


@ema
@pytest.mark.slow
def test_command_writes_the_folder(sweep_dir, tmp_path, capsys):
    out = tmp_path / "disc"
    assert main(["discover", str(sweep_dir), "--where", "final_fraction >= 0.5", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".bouche.json", "box.csv", "discover.json", "discover.png",
                                                     "features.csv", "trajectory.csv"]
    rec = json.loads((out / "discover.json").read_text())
    assert rec["inputs"] == ["wom.q", "media.p"] and 0 < rec["of_interest"] < rec["runs"] == 120
    assert {r["parameter"] for r in rec["box"]["restricted"]} and rec["box"]["density"] > rec["base_density"]
    assert "PRIM box" in capsys.readouterr().out
    again = discover(sweep_dir, "final_fraction >= 0.5")  # the same answer twice
    pd.testing.assert_frame_equal(again.limits, pd.read_csv(out / "box.csv"), check_dtype=False)
    pd.testing.assert_frame_equal(again.features, pd.read_csv(out / "features.csv"))


@pytest.mark.parametrize("where, words", [
    ("final_fraction >> 2", "--where must be a true/false expression"),
    ("final_fraction", "--where must be true or false for each run"),
    ("final_fraction > 2", "--where must hold for some runs and not others"),
    ("no_such_column > 1", "--where must be a true/false expression"),
])
def test_bad_where_is_one_line_and_exit_2(sweep_dir, tmp_path, capsys, where, words):
    assert main(["discover", str(sweep_dir), "--where", where, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and not (tmp_path / "o").exists()


def test_refuses_a_folder_that_is_no_sweep(tmp_path, capsys):
    assert main(["discover", str(tmp_path), "--where", "final_fraction > 0.5"]) == 2
    assert "SWEEP_DIR must be a folder stored by bouche sweep" in capsys.readouterr().err
