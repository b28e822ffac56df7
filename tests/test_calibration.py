"""Calibrating the agent model to data by simulation (sim/calibration): recovery, the folder, the command."""

import json

import pytest

import sim
from sim import config
from sim.batch import run_replicates
from sim.calibration.search import Objective, parse_free
from sim.calibration.toml import scenario_toml
from sim.cli import main
from sim.compare import replicate_seeds

RING = {"network.kind": "ring", "network.n": 600, "network.k": 8}
FREE = ["media.p=0.005:0.1", "wom.q=0.1:0.8"]


def _data(ov, truth, seed, periods):
    ts = run_replicates("bass", [seed], overrides={**ov, **truth, "run.steps": periods, "run.stop": "steps"})[0][0]
    return ts["new_adopters"].to_numpy(float)[1:periods + 1]


def _write_csv(path, values):
    path.write_text("# drawn from the bass scenario\nweek,adopters\n"
                    + "".join(f"{i},{v:g}\n" for i, v in enumerate(values, 1)))
    return path


def test_candidates_share_their_seeds_so_the_loss_is_a_function():
    """Common random numbers: the same candidate twice gives the same loss, bit for bit, from fresh runs."""
    spec = config.load("bass", overrides=RING)
    data = _data(RING, {}, 5, 12)
    seeds = replicate_seeds(spec.seed, 3)
    free = [parse_free(f) for f in FREE]
    a, b = Objective(spec, free, data, seeds), Objective(spec, free, data, seeds)
    assert a([0.3, 0.5]) == b([0.3, 0.5]) and a([0.3, 0.5]) != a([0.3, 0.6])


def test_scale_is_the_least_squares_factor():
    spec = config.load("bass", overrides=RING)
    data = 3.0 * _data(RING, {}, 5, 12)  # three people in the data per simulated person
    obj = Objective(spec, [parse_free("wom.q=0.1:0.8")], data, [11])
    obj_true = Objective(spec, [parse_free("wom.q=0.1:0.8")], data / 3.0, [11])
    assert obj.scale_of(data / 3.0) == pytest.approx(3.0)
    assert obj([0.5]) == pytest.approx(9 * obj_true([0.5]))


@pytest.mark.slow
def test_recovers_known_parameters_on_a_small_ring():
    """Fast check: 600 people, 14 periods, 3 replicates, a 3 x 3 grid; media.p = 0.03, wom.q = 0.4
    recovered within the reported 95 % intervals (bootstrap of 8 data sets, t with 7 degrees of freedom); the
    calibrated scenario holds them."""
    truth = {"media.p": 0.03, "wom.q": 0.4}
    c = sim.calibrate(_data(RING, truth, 77, 14), "bass", FREE, replicates=3, overrides=RING, grid=3,
                      horizon=3, n_boot=8)
    for key, value in truth.items():
        e = c.estimates[key]
        assert e["low"] <= e["value"] <= e["high"] and e["se"] > 0
        assert e["low"] <= value <= e["high"], (key, e)
    assert c.scenario.get("wom.q") == c.estimates["wom.q"]["value"]
    assert c.runs.shape == (3, 17) and c.scale["value"] == pytest.approx(1.0, abs=0.1)


@pytest.mark.slow
def test_recovery_covers_the_truth_across_data_sets():
    """Erdős–Rényi, 2000 people, 20 periods, 8 replicates, bootstrap of 20: over 6 data sets drawn at
    media.p = 0.03, wom.q = 0.4, every estimate lies within 2.5 standard errors of the truth (a miss
    has probability about 1.2 % per estimate if the errors are right; 12 estimates)."""
    ov = {"network.kind": "erdos_renyi", "network.n": 2000, "network.mean_degree": 8, "network.seed": 3}
    truth = {"media.p": 0.03, "wom.q": 0.4}
    for seed in range(2000, 2006):
        c = sim.calibrate(_data(ov, truth, seed, 20), "bass", FREE, replicates=8, overrides=ov, horizon=0,
                          n_boot=20)
        for key, value in truth.items():
            e = c.estimates[key]
            assert abs(e["value"] - value) <= 2.5 * e["se"], (seed, key, e)


def test_scenario_toml_round_trips_every_shipped_scenario(tmp_path):
    for name in config.shipped_scenarios():
        spec = config.load(name)
        path = tmp_path / f"{name}.toml"
        path.write_text(scenario_toml(spec), encoding="utf-8")
        back = config.load(str(path))
        assert (back.values, back.media, back.description) == (spec.values, spec.media, spec.description)


def test_command_writes_the_folder(tmp_path, capsys):
    csv = _write_csv(tmp_path / "launch.csv", _data(RING, {"media.p": 0.03, "wom.q": 0.4}, 3, 10))
    out = tmp_path / "cal"
    args = ["calibrate", str(csv), "--scenario", "bass", "--free", "wom.q=0.1:0.8", "--replicates", "3",
            "--grid", "3", "--errors", "gauss-newton", "--horizon", "2", "--out", str(out)]
    for key, value in RING.items():
        args += ["--set", f"{key}={value}"]
    assert main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == [".bouche.json", "calibration.json", "calibration.png",
                                                     "fitted.csv", "scenario.toml"]
    rec = json.loads((out / "calibration.json").read_text())
    assert rec["data"]["time_unit"] == "week" and rec["free"] == ["wom.q"] and rec["errors"] == "gauss-newton"
    back = config.load(str(out / "scenario.toml"))
    assert back.get("wom.q") == pytest.approx(rec["estimates"]["wom.q"]["value"])
    assert back.get("run.time_unit") == "week" and back.get("run.steps") == 12
    assert "wom.q" in capsys.readouterr().out


@pytest.mark.parametrize("extra, words", [
    (["--free", "wom.q=0.8:0.1"], "--free must be KEY=LOW:HIGH"),
    (["--free", "wom.qq=0.1:0.8"], "did you mean wom.q"),
    (["--free", "media.p=0.1:2"], "is not a range the scenario accepts"),
    (["--free", "wom.rule=0:1"], "--free"),
    ([], "--free must name at least one parameter"),
    (["--free", "wom.q=0.1:0.8", "--free", "wom.q=0.2:0.3"], "each parameter once"),
    (["--free", "wom.q=0.1:0.8", "--replicates", "1"], "--replicates must be an integer >= 2"),
    (["--free", "wom.q=0.1:0.8", "--search", "anneal"], "--search must be one of"),
    (["--free", "wom.q=0.1:0.8", "--scale", "guess"], "--scale must be one of"),
    (["--free", "wom.q=0.1:0.8", "--errors", "vibes"], "--errors must be one of"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, extra, words):
    csv = _write_csv(tmp_path / "d.csv", [5, 9, 14, 20, 18])
    assert main(["calibrate", str(csv), "--scenario", "bass", "--out", str(tmp_path / "o"), *extra]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and not (tmp_path / "o").exists()


def test_refuses_a_folder_it_did_not_write(tmp_path, capsys):
    csv = _write_csv(tmp_path / "d.csv", [5, 9, 14, 20, 18])
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "thesis.tex").write_text("precious")
    assert main(["calibrate", str(csv), "--scenario", "bass", "--free", "wom.q=0.1:0.8",
                 "--out", str(tmp_path / "o")]) == 2
    assert "thesis.tex" in capsys.readouterr().err


def test_scale_from_the_bass_fit():
    """--scale bass: one simulated person stands for m / n people, m the Bass market of the data (interval)."""
    data = 5.0 * _data(RING, {"media.p": 0.03, "wom.q": 0.4}, 9, 16)
    c = sim.calibrate(data, "bass", ["wom.q=0.1:0.8"], replicates=2, overrides=RING, grid=3, horizon=0,
                      scale="bass", method="nelder-mead", errors="gauss-newton")
    m = sim.fit(data, horizon=0).estimates["interval"]["m"]
    assert c.scale["kind"] == "bass" and c.scale["value"] == pytest.approx(m / 600)
    assert c.scale["market"] == pytest.approx(m) and c.info["search"] == "nelder-mead"


def test_bootstrap_with_a_fixed_scale_and_the_wider_error():
    """With --scale bass the bootstrap has no scale column; each se is the wider of bootstrap and Gauss-Newton."""
    data = _data(RING, {"media.p": 0.03, "wom.q": 0.4}, 9, 16)
    c = sim.calibrate(data, "bass", ["wom.q=0.1:0.8"], replicates=2, overrides=RING, grid=3, horizon=0,
                      scale="bass", n_boot=3)
    e = c.estimates["wom.q"]
    assert e["se"] == max(e["se_bootstrap"], e["se_gauss_newton"]) and e["low"] < e["value"] < e["high"]
