"""Sweeps on real executors: serial, a local process pool and a Dask LocalCluster give identical
tables; a sweep killed with SIGKILL resumes to the tables of an uninterrupted one; failing and
timed-out runs are stored and the sweep goes on; extending a sweep keeps its old runs."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.experiments.executors import open_executor

ROOT = Path(__file__).resolve().parent.parent

SPEC = """
name = "probe"
scenario = "bass"
seed = 7
replicates = 3
[set]
"network.kind" = "erdos_renyi"
"network.n" = {n}
"network.mean_degree" = 6
"run.steps" = 25
"run.stop" = "steps"
[vary]
"wom.q" = "0.1:0.5:0.1"
"media.p" = [0.01, 0.03]
[record]
timeseries = true
every = 2
"""


def _spec(tmp_path, n=400, name="probe.toml"):
    path = tmp_path / name
    path.write_text(SPEC.format(n=n))
    return path


def _tables(folder):
    """The stored tables, without the wall-clock column (the only thing allowed to differ)."""
    folder = Path(folder)
    runs = pd.read_parquet(folder / "runs.parquet").drop(columns="duration_s")
    csv = pd.read_csv(folder / "runs.csv").drop(columns="duration_s")
    summary = (folder / "summary.csv").read_text()
    ts = pd.read_parquet(folder / "timeseries.parquet").sort_values(["key", "step"], ignore_index=True)
    return runs, csv, summary, ts


def _assert_same(a, b):
    for x, y in zip(_tables(a), _tables(b)):
        if isinstance(x, str):
            assert x == y
        else:
            pd.testing.assert_frame_equal(x, y)


def _stored_batches(folder):
    """Runs files of completed batches (not their time series, not temporary files)."""
    parts = Path(folder) / "parts"
    return [p for p in parts.glob("[!.]*.parquet") if not p.name.endswith(".ts.parquet")] if parts.exists() else []


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


@pytest.mark.slow
def test_serial_processes_and_dask_give_identical_tables(tmp_path):
    pytest.importorskip("distributed")
    spec = _spec(tmp_path)
    assert main(["sweep", str(spec), "--workers", "1", "--out", str(tmp_path / "serial"), "--no-plots"]) == 0
    assert main(["sweep", str(spec), "--workers", "2", "--batch", "2", "--out", str(tmp_path / "pool"),
                 "--no-plots"]) == 0
    assert main(["sweep", str(spec), "--workers", "2", "--scheduler", "local", "--out", str(tmp_path / "dask"),
                 "--no-plots"]) == 0
    _assert_same(tmp_path / "serial", tmp_path / "pool")
    _assert_same(tmp_path / "serial", tmp_path / "dask")
    runs = pd.read_parquet(tmp_path / "serial" / "runs.parquet")
    assert len(runs) == 30 and (runs["status"] == "ok").all() and runs["key"].is_unique
    # the same seeds as sim.run gives, from the recorded provenance
    row = runs.iloc[7]
    one = sim.run("bass", seed=int(row["seed"]), overrides={
        "network.kind": "erdos_renyi", "network.n": 400, "network.mean_degree": 6, "run.steps": 25,
        "run.stop": "steps", "wom.q": row["wom.q"], "media.p": row["media.p"]})
    assert one.summary["final_adopters"] == row["final_adopters"]


@pytest.mark.slow
def test_workers_import_neither_the_command_line_nor_matplotlib():
    probe = "sorted(m for m in __import__('sys').modules if m.split('.')[0] in ('matplotlib', 'distributed') " \
            "or m in ('sim.cli', 'sim.experiments.command', 'sim.experiments.plots'))"
    with open_executor(workers=2) as (ex, _, _):
        assert ex.submit(eval, "__import__('sim.experiments.worker') and 0").result() == 0
        assert ex.submit(eval, probe).result() == []


@pytest.mark.slow
def test_sigkill_mid_sweep_then_resume_equals_an_uninterrupted_sweep(tmp_path, capsys):
    spec = _spec(tmp_path, n=20000)
    out = tmp_path / "killed"
    more = ["--replicates", "6", "--no-plots"]  # 60 runs of about 15 ms: time to kill it half-way
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(spec), "--workers", "2", "--batch", "1",
                             "--out", str(out), *more], cwd=tmp_path, env=_env(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if len(_stored_batches(out)) >= 6:
                break
            time.sleep(0.005)
        assert proc.poll() is None, f"the sweep ended before it could be killed: {proc.stderr.read()!r}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        try:  # the orphaned workers of the killed sweep
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    done = len(_stored_batches(out))  # batches of one run
    assert 6 <= done < 60 and not (out / "runs.parquet").exists()
    # what a kill during a write leaves: a truncated temporary file (named as our writer names them),
    # which must not count and is removed; a file of the same look that we did not write stays
    (out / "parts" / ".tmp-999-0123456789abcdef.parquet").write_bytes(b"PAR1 truncated")
    (out / "parts" / ".tmp-precious").write_text("not ours")
    code = main(["sweep", str(spec), "--workers", "1", "--out", str(out), "--resume", *more])
    assert code == 0
    assert f"({60 - done} run now, {done} already stored)" in capsys.readouterr().out
    assert [p.name for p in (out / "parts").glob(".tmp-*")] == [".tmp-precious"]
    stored_keys = pd.concat([pd.read_parquet(p, columns=["key"]) for p in _stored_batches(out)])["key"]
    assert len(stored_keys) == 60 and stored_keys.is_unique  # no run stored twice
    ref = tmp_path / "whole"
    assert main(["sweep", str(spec), "--workers", "1", "--out", str(ref), *more]) == 0
    _assert_same(out, ref)
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 60 and runs["key"].is_unique and (runs["status"] == "ok").all()


def test_failing_and_timed_out_runs_are_stored_and_the_rest_complete(tmp_path, capsys):
    good = tmp_path / "g.csv"
    good.write_text("0,1\n1,2\n2,3\n3,0\n0,2\n")
    spec = tmp_path / "f.toml"
    spec.write_text(f'scenario = "bass"\nreplicates = 2\n[set]\n"network.kind" = "file"\n"network.path" = "{good}"\n'
                    f'"run.steps" = 5\n[vary]\n"network.path" = ["{good}", "{tmp_path / "missing.csv"}"]\n')
    out = tmp_path / "f"
    assert main(["sweep", str(spec), "--workers", "2", "--out", str(out), "--no-plots"]) == 1
    err = capsys.readouterr().err
    assert "2 of 4 runs failed" in err and "missing.csv" in err and "ConfigError: network.path" in err
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["status"].tolist() == ["ok", "ok", "failed", "failed"]
    bad = runs[runs["status"] == "failed"]
    assert bad["error"].str.startswith("ConfigError: network.path must name an existing file").all()
    assert bad["traceback"].str.contains("Traceback").all() and bad["final_fraction"].isna().all()
    assert runs.loc[runs["status"] == "ok", "final_fraction"].notna().all()
    summary = pd.read_csv(out / "summary.csv")
    assert summary["failed"].tolist() == [0, 2]

    # a timeout stops a run that would take seconds, and records why
    slow = sim.sweep("bass", vary={"run.steps": [3, 400000]}, overrides={"network.n": 100, "run.stop": "steps"},
                     timeout=0.3, workers=1)
    assert slow.runs["status"].tolist() == ["ok", "failed"]
    assert slow.failures["error"].iloc[0] == "RunTimeout: run took longer than 0.3 s"
    assert slow.failures["duration_s"].iloc[0] < 3


def test_extending_a_sweep_keeps_old_runs_and_refuses_other_changes(tmp_path, capsys):
    out = tmp_path / "ext"
    common = ["sweep", "bass", "--set", "network.n=300", "--set", "run.steps=15", "--workers", "1", "--no-plots"]
    base = [*common, "--out", str(out)]
    assert main([*base, "--vary", "wom.q=0.2,0.4", "--replicates", "2"]) == 0
    old = pd.read_parquet(out / "runs.parquet").drop(columns="duration_s")
    assert main([*base, "--vary", "wom.q=0.2,0.4"]) == 2  # no --resume: a stored sweep is never overwritten
    assert "add --resume" in capsys.readouterr().err
    assert main([*base, "--vary", "wom.q=0.1,0.2,0.3,0.4", "--replicates", "3", "--resume"]) == 0
    assert "(8 run now, 4 already stored)" in capsys.readouterr().out
    new = pd.read_parquet(out / "runs.parquet").drop(columns="duration_s")
    assert len(new) == 12
    kept = new.set_index("key").loc[old["key"]].reset_index()
    pd.testing.assert_frame_equal(kept[old.columns], old)
    fresh = tmp_path / "fresh"
    assert main([*common, "--out", str(fresh), "--vary", "wom.q=0.1,0.2,0.3,0.4", "--replicates", "3"]) == 0
    pd.testing.assert_frame_equal(new, pd.read_parquet(fresh / "runs.parquet").drop(columns="duration_s"))
    # anything but more points or replicates is refused, in one line, and the stored sweep is untouched
    four = "wom.q=0.1,0.2,0.3,0.4"
    for change in (["--vary", "wom.q=0.1,0.2", "--replicates", "3"], ["--vary", four, "--seed", "3"],
                   ["--vary", four, "--replicates", "3", "--set", "run.dt=0.5"]):
        assert main([*base, *change, "--resume"]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("bouche: error: --resume refused: the sweep stored in") and "\n" not in err
    assert len(pd.read_parquet(out / "runs.parquet")) == 12


@pytest.mark.slow
def test_a_running_sweep_locks_its_folder_and_its_workers_do_not_keep_the_lock(tmp_path, capsys):
    spec = _spec(tmp_path, n=20000)
    out = tmp_path / "busy"
    more = ["--replicates", "6", "--no-plots"]
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(spec), "--workers", "2", "--batch", "1",
                             "--out", str(out), *more], cwd=tmp_path, env=_env(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not _stored_batches(out):
            time.sleep(0.005)
        assert proc.poll() is None, "the sweep ended before the second one could try its folder"
        assert main(["sweep", str(spec), "--workers", "1", "--out", str(out), "--resume", *more]) == 2
        assert "--out is in use by another running sweep" in capsys.readouterr().err
        os.kill(proc.pid, signal.SIGKILL)  # the sweep dies; its forked workers may linger a moment
        proc.wait()
        assert main(["sweep", str(spec), "--workers", "1", "--out", str(out), "--resume", *more]) == 0
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
