"""The bouche command (sim/cli.py): outputs, listing, and one-line errors with exit status 2."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from sim.cli import main


def bouche(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_run_writes_a_complete_run_folder(tmp_path):
    out = tmp_path / "demo"
    code = main(["run", "bass", "--set", "network.n=2000", "--seed", "3", "--out", str(out)])
    assert code == 0
    assert {p.name for p in out.iterdir()} >= {"adoption.png", "config.json", "summary.json", "timeseries.csv"}
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["seed"] == 3 and cfg["scenario"]["network"]["n"] == 2000
    assert cfg["scenario"]["wom"]["threshold_sd"] == 0.0  # defaults are resolved too
    assert cfg["versions"]["mesa"] and cfg["randomness"]["root_seed"] == 3
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) >= {"final_fraction", "final_adopters", "adopters_by_channel", "time_to_10",
                            "time_to_50", "time_to_90", "peak_time", "peak_new_adopters", "total_cost",
                            "cost_per_adopter", "steps_run"}
    ts = pd.read_csv(out / "timeseries.csv")
    assert ts.columns[:10].tolist() == ["step", "time", "adopters", "adopted_fraction", "new_adopters",
                                        "new_by_seed", "new_by_media", "new_by_wom", "media_contacts", "cost"]
    assert ts["adopters"].iloc[-1] == summary["final_adopters"]


def test_command_line_and_python_give_the_same_numbers(tmp_path):
    import sim

    main(["run", "bass", "--set", "network.n=1500", "--set", "wom.q=0.5", "--seed", "8", "--out",
          str(tmp_path / "a"), "--no-plots"])
    ts = pd.read_csv(tmp_path / "a" / "timeseries.csv")
    r = sim.run("bass", seed=8, overrides={"network.n": 1500, "wom.q": 0.5})
    pd.testing.assert_frame_equal(ts, r.timeseries, check_dtype=False)


def test_rerun_replaces_an_earlier_run_folder_but_not_other_folders(tmp_path):
    out = tmp_path / "demo"
    assert main(["run", "bass", "--set", "network.n=300", "--out", str(out), "--no-plots"]) == 0
    assert main(["run", "bass", "--set", "network.n=400", "--out", str(out), "--no-plots"]) == 0
    assert json.loads((out / "config.json").read_text())["scenario"]["network"]["n"] == 400
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    assert main(["run", "bass", "--out", str(other)]) == 2
    assert (other / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo", "mine"]  # no temporary left behind


def test_scenarios_and_show(capsys):
    assert main(["scenarios"]) == 0
    listing = capsys.readouterr().out
    assert "bass" in listing and "bandwagon" in listing
    assert main(["show", "bass", "--set", "wom.q=0.5"]) == 0
    shown = capsys.readouterr().out
    assert "wom.q" in shown and "0.5 *" in shown and "allowed:" in shown and "media.p" in shown


@pytest.mark.slow
def test_python_dash_m_and_bad_input_exit_status(tmp_path):
    ok = bouche("run", "bass", "--set", "network.n=200", "--out", str(tmp_path / "ok"), "--no-plots")
    assert ok.returncode == 0, ok.stderr
    assert "people adopted" in ok.stdout


GRAPHS = {
    "empty.csv": "source,target\n",
    "garbage.graphml": "<graphml><not closed",
}


@pytest.mark.parametrize("args, message", [
    (["--set", "wom.qq=1"], "wom.qq is not a parameter; did you mean wom.q?"),
    (["--set", "network.n=abc"], "network.n must be an integer >= 1; got 'abc'"),
    (["--set", "media.p=1.5"], "media.p must be a number in [0, 1]; got 1.5"),
    (["--set", "network.n=0"], "network.n must be an integer >= 1; got 0"),
    (["--set", "network.kind=erdos_renyi", "--set", "network.n=50", "--set", "network.mean_degree=60"],
     "network.mean_degree must be a number in (0, n-1) = (0, 49); got 60"),
    (["--set", "network.kind=file", "--set", "network.path=/no/such/file.csv"], "network.path"),
    (["--set", "network.kind=file", "--set", "network.path=GRAPH:empty.csv"], "network.path"),
    (["--set", "network.kind=file", "--set", "network.path=GRAPH:garbage.graphml"], "network.path"),
    (["--set", "seeding.strategy=random", "--set", "seeding.count=20001"],
     "seeding.count must be <= the number of people (10000); got 20001"),
    (["--set", "media.cost_per_contact=-1"], "media.cost_per_contact must be a number >= 0; got -1"),
    (["--set", "nonsense"], "--set takes key=value"),
    (["--seed", "-4"], "--seed must be an integer >= 0; got -4"),
])
def test_bad_input_one_line_exit_2_and_no_output(tmp_path, capsys, args, message):
    for name, text in GRAPHS.items():
        (tmp_path / name).write_text(text)
    args = [a.replace("GRAPH:", str(tmp_path) + "/") for a in args]
    out = tmp_path / "out"
    code = main(["run", "bass", *args, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


@pytest.mark.slow
def test_unknown_scenario_exit_2_via_subprocess():
    res = bouche("run", "bandwaggon")
    assert res.returncode == 2
    line = res.stderr.strip()
    assert line.startswith("bouche: error: scenario must be a shipped scenario (")
    assert line.endswith("or a .toml file; got 'bandwaggon' (did you mean bandwagon?)") and "\n" not in line


# -- bouche --help is quick: nothing heavy is imported until a command needs it --------------------------------

HEAVY = ("numpy", "pandas", "scipy", "matplotlib", "mesa", "networkx", "pyarrow")


def _imported_by(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(m for m in sys.modules if '.' not in m)))"
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return set(res.stdout.split())


def test_help_imports_no_heavy_library():
    loaded = _imported_by("from sim.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert not _imported_by("import sim") & set(HEAVY)  # the package's names load on first use


def test_help_takes_under_a_third_of_a_second():
    import time

    times = []
    for _ in range(5):  # the quickest of five: the machine's other load is not ours to measure
        start = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "sim", "--help"], capture_output=True, text=True, timeout=60)
        times.append(time.perf_counter() - start)
        assert res.returncode == 0 and "COMMAND" in res.stdout
    print(f"\nbouche --help: {min(times):.3f} s (quickest of 5)")
    assert min(times) < 0.3


def test_each_command_still_has_its_own_arguments(capsys):
    for command, option in [("run", "--no-plots"), ("compare", "--replicates"), ("sweep", "--vary"),
                            ("validate", "--quick"), ("animate", "--fps"), ("viz", "--port")]:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert option in text and "--rules" in text, command


@pytest.mark.slow
def test_sim_compare_stays_the_function_after_its_module_loads():
    res = subprocess.run([sys.executable, "-c", "import sim, importlib\nimportlib.import_module('sim.compare')\n"
                          "print(callable(sim.compare), sim.compare.__name__, sim.run.__module__)"],
                         capture_output=True, text=True, timeout=60)
    assert res.stdout.split() == ["True", "compare", "sim.runs"], res.stderr


def test_scenarios_lists_whole_first_sentences(capsys, monkeypatch):
    from sim import config
    from sim.cli import first_sentence

    monkeypatch.setenv("COLUMNS", "80")
    assert main(["scenarios"]) == 0
    listing = capsys.readouterr().out
    for name in config.shipped_scenarios():
        sentence = first_sentence(config.load(name).description)
        assert sentence[-1] in ".?!" and len(sentence) > 20
        block = listing.split(name, 1)[1].split("\n")
        text = " ".join(line.strip() for line in block[:3])
        assert sentence in text, (name, sentence)
    assert all(len(line) <= 80 for line in listing.splitlines())
