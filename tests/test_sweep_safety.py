"""A sweep never touches what is not its own, never leaves workers behind, and never gives up on a stored sweep.

Each test here failed before its fix: the sweep store opened and cleaned any
folder holding ``parts/``; a sweep name could be a path; worker processes
outlived a killed sweep, and SIGTERM left them running; a worker killed under
a run stopped the sweep for good; one damaged part made a sweep impossible to
resume; an indicator naming no metric was found after every run; validating
a large design took minutes; the local Dask cluster served on port 8787.
"""

from __future__ import annotations

import json
import math
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim import outputs
from sim.cli import main
from sim.config import check_name
from sim.errors import ConfigError
from sim.experiments import design, store
from sim.experiments.draws import uniform_rows
from sim.experiments.executors import SerialExecutor
from sim.experiments.spec import load_spec, shipped_experiments
from sim.streams import stream_key

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--set", "network.n=200", "--set", "run.steps=5", "--no-plots"]
LINUX = sys.platform.startswith("linux")


def bouche(argv, capsys):
    """Run the command in this process: (exit status, stdout, stderr)."""
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def snapshot(root: Path) -> dict:
    """Every entry under ``root`` -> its bytes (folders: None)."""
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _tables(folder):
    """The stored tables, without the wall-clock column (the only thing allowed to differ)."""
    folder = Path(folder)
    runs = pd.read_parquet(folder / "runs.parquet").drop(columns="duration_s")
    summary = (folder / "summary.csv").read_text()
    ts = folder / "timeseries.parquet"
    series = pd.read_parquet(ts).sort_values(["key", "step"], ignore_index=True) if ts.exists() else None
    return runs, summary, series


def _assert_same(a, b):
    (runs_a, sum_a, ts_a), (runs_b, sum_b, ts_b) = _tables(a), _tables(b)
    pd.testing.assert_frame_equal(runs_a, runs_b)
    assert sum_a == sum_b
    if ts_a is not None or ts_b is not None:
        pd.testing.assert_frame_equal(ts_a, ts_b)


def _parts(folder):
    parts = Path(folder) / "parts"
    return [p for p in parts.glob("[!.]*.parquet") if not p.name.endswith(".ts.parquet")] if parts.exists() else []


# -- processes (Linux /proc) ----------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid``."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                out.append(int(entry))
    return out


def _workers(pid: int) -> list[int]:
    """The children of ``pid`` that are pool workers: not multiprocessing's resource tracker, which whatever
    first makes a semaphore starts (the pool's queues, or the progress bar's lock)."""
    def tracker(child):
        try:
            return b"resource_tracker" in Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            return False

    return [child for child in _children(pid) if not tracker(child)]


def _alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped, is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _survivors(pids, seconds: float = 5.0) -> list[int]:
    """The processes of ``pids`` still alive after waiting up to ``seconds`` for them to end."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.02)
    return [p for p in pids if _alive(p)]


def _cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start(args, cwd):
    return subprocess.Popen([sys.executable, "-m", "sim", "sweep", *args], cwd=cwd, env=_env(),
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, proc, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None and not condition():
        time.sleep(0.01)
    assert proc.poll() is None, f"the sweep ended too early: {proc.stderr.read()!r}"


def _cleanup(proc, pids=()):
    """Kill what a test started, by process id (never by name)."""
    for pid in [proc.pid, *pids]:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    proc.wait()


LONG = """
name = "long"
scenario = "bass"
seed = 11
replicates = {reps}
[set]
"network.kind" = "erdos_renyi"
"network.n" = {n}
"network.mean_degree" = 6
"run.steps" = {steps}
"run.stop" = "steps"
[vary]
"wom.q" = [0.1, 0.3, 0.5, 0.7]
[record]
timeseries = true
every = 5
"""


def _long_spec(tmp_path, reps=15, n=20000, steps=25):
    path = tmp_path / "long.toml"
    path.write_text(LONG.format(reps=reps, n=n, steps=steps))
    return path


# -- 1. the store opens and cleans only its own folder --------------------------------------------


@pytest.mark.parametrize("planted", [
    ["parts/.tmp-precious", "parts/x.ts.parquet", "parts/notes.txt"],
    ["parts/.tmp-precious", "parts/x.ts.parquet", "parts/x.parquet", "parts/notes.txt"],
    ["thesis.tex"],
    ["parts/0123456789abcdef.parquet", "notes.txt"],
])
def test_a_folder_we_did_not_write_is_refused_untouched(tmp_path, capsys, planted):
    out = tmp_path / "out"
    for name in planted:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text("precious")
    before = snapshot(out)
    status, _, err = bouche(["sweep", "bass", "--vary", "wom.q=0.1,0.2", *TINY, "--workers", "1", "--out",
                             str(out)], capsys)
    assert status == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith("bouche: error: --out must be a new folder, an empty one or a stored sweep written by "
                          "bouche; got") and "no valid .bouche.json marker" in err
    assert snapshot(out) == before  # nothing deleted, nothing written (no .lock, no spec.json, no marker)
    with pytest.raises(ConfigError, match="^--out must be a new folder"):  # the Python API holds the same rule
        sim.sweep("bass", vary={"wom.q": [0.1]}, overrides={"network.n": 200, "run.steps": 5}, workers=1, out=out)
    assert snapshot(out) == before


def test_other_kinds_files_and_the_current_folder_are_refused(tmp_path, capsys, monkeypatch):
    run_folder = tmp_path / "run"
    run_folder.mkdir()
    (run_folder / "summary.json").write_text("{}")
    outputs.write_marker(run_folder, "run folder")
    a_file = tmp_path / "a.txt"
    a_file.write_text("precious")
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    cases = {str(run_folder): "which holds a run folder, not a stored sweep",
             str(a_file): "which is a file",
             ".": "not the current folder or a parent",
             "..": "not the current folder or a parent",
             str(tmp_path): "must not be the current folder or one of its parents",
             str(a_file / "sub"): "could not be written: Not a directory"}
    before = snapshot(tmp_path)
    for out, why in cases.items():
        status, _, err = bouche(["sweep", "bass", "--vary", "wom.q=0.1", *TINY, "--workers", "1", "--out", out],
                                capsys)
        assert status == 2 and why in err and len(err.strip().splitlines()) == 1, (out, err)
    assert snapshot(tmp_path) == before


def test_new_and_empty_folders_become_marked_sweeps_and_resume(tmp_path, capsys):
    for out in (tmp_path / "new" / "deeper", tmp_path / "empty"):
        (tmp_path / "empty").mkdir(exist_ok=True)
        argv = ["sweep", "bass", "--vary", "wom.q=0.1,0.2", *TINY, "--workers", "1", "--out", str(out)]
        assert bouche(argv, capsys)[0] == 0
        marker = outputs.read_marker(out)
        assert marker["bouche"] == store.KIND and marker["files"] is None
        status, stdout, _ = bouche([*argv, "--resume"], capsys)
        assert status == 0 and "(0 run now, 2 already stored)" in stdout


def test_a_sweep_stored_by_an_earlier_version_is_adopted_only_if_all_ours(tmp_path, capsys):
    out = tmp_path / "old"
    argv = ["sweep", "bass", "--vary", "wom.q=0.1,0.2", "--set", "network.n=200", "--set", "run.steps=5",
            "--workers", "1", "--out", str(out)]
    assert bouche(argv, capsys)[0] == 0
    for name in (outputs.MARKER, ".figures.json"):  # what an earlier version left: no marker
        (out / name).unlink()
    (out / "parts" / ".tmp-77-0123456789abcdef.parquet").write_bytes(b"PAR1")  # killed mid-write
    (out / "notes.txt").write_text("mine")
    before = snapshot(out)
    status, _, err = bouche([*argv, "--resume"], capsys)
    assert status == 2 and "files bouche did not write (notes.txt)" in err
    assert snapshot(out) == before
    (out / "notes.txt").unlink()
    status, stdout, _ = bouche([*argv, "--resume"], capsys)
    assert status == 0 and "(0 run now, 2 already stored)" in stdout
    assert outputs.read_marker(out)["bouche"] == store.KIND
    assert not (out / "parts" / ".tmp-77-0123456789abcdef.parquet").exists()


def test_inside_our_sweep_only_our_exact_names_are_cleaned_or_read(tmp_path, capsys):
    out = tmp_path / "s"
    argv = ["sweep", "bass", "--vary", "wom.q=0.1,0.2", *TINY, "--workers", "1", "--out", str(out)]
    assert bouche(argv, capsys)[0] == 0
    parts = out / "parts"
    theirs = {".tmp-precious": "a", ".tmp-1-notours.parquet": "b", "notes.txt": "c", "x.ts.parquet": "d",
              "x.parquet": "not parquet at all", "0123456789ABCDEF.parquet": "upper case: not our name"}
    for name, text in theirs.items():
        (parts / name).write_text(text)
    (parts / ".tmp-12-0123456789abcdef.ts.parquet").write_bytes(b"half")  # ours: a writer killed mid-write
    (parts / "fedcba9876543210.ts.parquet").write_bytes(b"PAR1")  # ours: time series whose batch never completed
    (out / ".tmp-12-runs.parquet").write_bytes(b"half")
    status, stdout, err = bouche([*argv, "--resume"], capsys)
    assert status == 0 and "(0 run now, 2 already stored)" in stdout and err == ""
    assert {n: (parts / n).read_text() for n in theirs} == theirs
    assert not (parts / ".tmp-12-0123456789abcdef.ts.parquet").exists()
    assert not (parts / "fedcba9876543210.ts.parquet").exists() and not (out / ".tmp-12-runs.parquet").exists()


def test_only_the_figures_we_drew_are_removed(tmp_path, capsys):
    out = tmp_path / "f"
    common = ["sweep", "bass", "--set", "network.n=200", "--set", "run.steps=5", "--workers", "1", "--out", str(out)]
    assert bouche([*common, "--vary", "wom.q=0.1,0.2"], capsys)[0] == 0
    ours = sorted(p.name for p in out.glob("*.png"))
    assert ours and json.loads((out / ".figures.json").read_text()) == ours
    (out / "holiday.png").write_bytes(b"precious")
    assert bouche([*common, "--vary", "wom.q=0.1,0.2,0.3", "--resume", "--no-plots"], capsys)[0] == 0
    assert sorted(p.name for p in out.glob("*.png")) == ["holiday.png"]


# -- 2. sweep names are identifiers -------------------------------------------------------------


@pytest.mark.parametrize("name", ["../x", "/abs", ".hidden", "a/b", "a\\b", "a..b", "x" * 101, "a b", "..", "~"])
def test_names_that_are_not_identifiers_are_refused(tmp_path, capsys, name):
    spec = tmp_path / "n.toml"
    spec.write_text(f'name = {json.dumps(name)}\nscenario = "bass"\n[vary]\n"wom.q" = [0.1]\n')
    status, _, err = bouche(["sweep", str(spec), "--dry-run"], capsys)
    assert status == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith("bouche: error: name must be an identifier"), err
    with pytest.raises(ConfigError, match="^name must be an identifier"):
        load_spec({"name": name, "scenario": "bass", "vary": {"wom.q": [0.1]}})
    assert not (tmp_path / "runs").exists() and not (ROOT / "runs" / "sweeps" / name).exists()


def test_good_names_and_names_made_from_file_names(tmp_path):
    for name in ("tipping_point", "a-b.c_2", "x" * 100, "Übersicht"):
        assert check_name(name) == name
    for name, path in shipped_experiments().items():
        assert load_spec(path).name == name
    odd = tmp_path / ".my sweep.toml"
    odd.write_text('scenario = "bass"\n[vary]\n"wom.q" = [0.1]\n')
    assert load_spec(odd).name == "my_sweep"
    assert load_spec("bass", vary={"wom.q": [0.1]}).name == "bass"


# -- 3. workers die with their parent; SIGTERM stops a sweep as Ctrl-C does -----------------------------


@pytest.mark.skipif(not LINUX, reason="reads /proc")
@pytest.mark.slow
def test_workers_die_with_a_parent_killed_by_sigkill(tmp_path):
    out = tmp_path / "k"
    proc = _start([str(_long_spec(tmp_path)), "--workers", "2", "--batch", "1", "--no-plots", "--out", str(out)],
                  tmp_path)
    workers = []
    try:
        _wait_for(lambda: len(_parts(out)) >= 2, proc)
        workers = _children(proc.pid)
        assert len(workers) >= 2 and all(_alive(p) for p in workers)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _survivors(workers) == []  # before the fix: both workers ran on, orphaned
    finally:
        _cleanup(proc, workers)


FORKSERVER = """
import sys, threading, time
import sim
if __name__ == "__main__":
    threading.Thread(target=time.sleep, args=(600,), daemon=True).start()  # two threads: no fork, a fork server
    sim.sweep("bass", vary={"wom.q": [0.1, 0.2, 0.3, 0.4]}, replicates=50, workers=2, batch=1, progress=False,
              overrides={"network.n": 200, "run.steps": 20000, "run.stop": "steps"}, out=sys.argv[1], plots=False)
"""


def _descendants(pid: int) -> list[int]:
    out = []
    for child in _children(pid):
        out += [child, *_descendants(child)]
    return out


@pytest.mark.skipif(not LINUX, reason="reads /proc")
@pytest.mark.slow
def test_workers_of_a_fork_server_die_with_a_parent_killed_by_sigkill(tmp_path):
    """A fork server's workers hold its keep-alive pipe, so the server outlived the sweep, and they with it."""
    script = tmp_path / "sweep_script.py"
    script.write_text(FORKSERVER)
    out = tmp_path / "fs"
    proc = subprocess.Popen([sys.executable, str(script), str(out)], cwd=tmp_path, env=_env(), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    family = []
    try:
        _wait_for(lambda: len(_parts(out)) >= 2, proc)
        family = _descendants(proc.pid)  # the fork server, its workers, the resource tracker
        assert len(family) >= 3
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _survivors(family) == []
    finally:
        _cleanup(proc, family)


@pytest.mark.skipif(not LINUX, reason="reads /proc")
@pytest.mark.parametrize("signum, status, words", [(signal.SIGTERM, 143, "stopped by SIGTERM"),
                                                   (signal.SIGINT, 130, "interrupted")])
@pytest.mark.slow
def test_sigterm_stops_like_ctrl_c_and_the_sweep_resumes_to_the_same_tables(tmp_path, capsys, signum, status,
                                                                           words):
    spec = _long_spec(tmp_path)
    out = tmp_path / "t"
    more = ["--no-plots", "--batch", "1"]
    proc = _start([str(spec), "--workers", "2", "--out", str(out), *more], tmp_path)
    workers = []
    try:
        _wait_for(lambda: len(_parts(out)) >= 3, proc)
        workers = _children(proc.pid)
        os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == status, err
        assert err.strip() == f"bouche: sweep {words}; the runs done so far are stored in {out}/: continue with " \
                              f"--resume"
        assert _survivors(workers) == []
    finally:
        _cleanup(proc, workers)
    done = len(_parts(out))
    assert 3 <= done < 60 and not (out / "runs.parquet").exists()
    code, stdout, _ = bouche(["sweep", str(spec), "--workers", "1", "--out", str(out), "--resume", *more], capsys)
    assert code == 0 and f"({60 - done} run now, {done} already stored)" in stdout
    ref = tmp_path / "whole"
    assert bouche(["sweep", str(spec), "--workers", "1", "--out", str(ref), *more], capsys)[0] == 0
    _assert_same(out, ref)


def test_sigterm_handler_is_installed_only_around_the_sweep():
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    seen = []

    class Probe(SerialExecutor):
        def submit(self, fn, /, *args, **kwargs):
            seen.append({s: signal.getsignal(s) for s in before})
            return super().submit(fn, *args, **kwargs)

    sim.sweep("bass", vary={"wom.q": [0.1]}, overrides={"network.n": 200, "run.steps": 3}, executor=Probe(),
              workers=1)
    assert seen and all(seen[0][s] not in (before[s], signal.SIG_DFL) for s in before)
    assert {s: signal.getsignal(s) for s in before} == before


def test_signals_wait_for_the_dispatch_loop_while_a_pool_runs():
    from sim.experiments.runner import SweepTerminated, _Stop

    before = signal.getsignal(signal.SIGTERM)
    try:
        stop = _Stop()
        with pytest.raises(KeyboardInterrupt):
            with stop.deferring():
                stop.handler(signal.SIGINT, None)  # noted: whatever the main thread does goes on
                noted = stop.signum
            raise AssertionError("not reached: leaving raises what was noted")
        assert noted == signal.SIGINT
        stop = _Stop()
        with stop.deferring():
            stop.handler(signal.SIGTERM, None)
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN  # once: the clean stop is under way
            with pytest.raises(SweepTerminated):
                stop.check()  # the loop's next look
            with pytest.raises(KeyboardInterrupt):
                stop.handler(signal.SIGINT, None)  # a second signal does not wait
            stop.signum = None
        with pytest.raises(SweepTerminated):
            _Stop().handler(signal.SIGTERM, None)  # not deferring (this process runs the runs): at once
    finally:
        signal.signal(signal.SIGTERM, before)


@pytest.mark.skipif(not LINUX, reason="sends itself a signal")
def test_sigterm_inside_a_pools_submit_stops_the_sweep_cleanly(tmp_path):
    from sim.experiments.executors import LocalPool
    from sim.experiments.runner import SweepTerminated

    returned = []

    class Pool(LocalPool):  # SIGTERM arrives while the pool is busy with its own bookkeeping
        def submit(self, fn, /, *args, **kwargs):
            if not returned:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)  # the handler runs here, in the middle of submit
            future = super().submit(fn, *args, **kwargs)
            returned.append(True)
            return future

    pool = Pool(2)
    before = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SweepTerminated):
            sim.sweep("bass", vary={"wom.q": [0.1, 0.2]}, replicates=3, executor=pool, workers=2,
                      overrides={"network.n": 300, "run.steps": 5}, out=tmp_path / "s", plots=False)
    finally:
        pool.stop()
        pool.shutdown(wait=True, cancel_futures=True)
    assert returned  # submit was not cut short: the stop came at the loop's next look
    assert signal.getsignal(signal.SIGTERM) == before
    res = sim.sweep("bass", vary={"wom.q": [0.1, 0.2]}, replicates=3, workers=1, resume=True,
                    overrides={"network.n": 300, "run.steps": 5}, out=tmp_path / "s", plots=False)
    assert len(res.runs) == 6 and (res.runs["status"] == "ok").all()


# -- 4. a run that kills its worker is a failed run, not the end of the sweep -------------------------------------


@pytest.mark.skipif(not LINUX, reason="reads /proc")
@pytest.mark.slow
def test_a_worker_killed_mid_batch_is_replaced_and_the_tables_are_those_of_a_clean_sweep(tmp_path, capsys):
    spec = _long_spec(tmp_path, reps=5, n=200, steps=12000)  # 20 runs of about 50 ms
    out = tmp_path / "w"
    more = ["--no-plots", "--batch", "2"]
    proc = _start([str(spec), "--workers", "2", "--out", str(out), *more], tmp_path)
    victims = []
    try:
        _wait_for(lambda: len(_parts(out)) >= 2, proc)
        victims = _workers(proc.pid)[:1]
        os.kill(victims[0], signal.SIGKILL)  # as the out-of-memory killer would
        _, err = proc.communicate(timeout=120)
    finally:
        _cleanup(proc, victims)
    assert proc.returncode == 0, err  # before the fix: 1, "BrokenProcessPool", and again after --resume
    assert err.startswith("bouche: a worker process died (signal 9 SIGKILL, as the out-of-memory killer sends; "
                          "peak memory "), err
    ref = tmp_path / "whole"
    assert bouche(["sweep", str(spec), "--workers", "1", "--out", str(ref), *more], capsys)[0] == 0
    _assert_same(out, ref)


@pytest.mark.slow
@pytest.mark.skipif(not LINUX or not hasattr(resource, "prlimit"), reason="needs prlimit and /proc")
def test_a_run_that_kills_its_worker_every_time_is_stored_as_failed_and_the_rest_complete(tmp_path, capsys):
    """The kernel kills a worker that exceeds its CPU-time limit (SIGXCPU), as a batch system's limit or the
    out-of-memory killer would: each worker of the sweep gets a limit of one more CPU second, and one run
    needs far more."""
    out = tmp_path / "x"
    args = ["bass", "--design", "zip", "--vary", "run.steps=[20,20,20,3000000,20,20]",
            "--vary", "wom.q=[0.1,0.2,0.3,0.4,0.5,0.6]", "--set", "network.n=200", "--set", "run.stop=steps",
            "--workers", "2", "--batch", "3", "--no-plots", "--out", str(out)]
    proc = _start(args, tmp_path)
    limited, stop = set(), threading.Event()

    def limit_workers():  # the test's own watcher: every worker the sweep starts gets the limit
        while not stop.is_set():
            for pid in _children(proc.pid):
                if pid not in limited:
                    try:
                        soft = math.ceil(_cpu_seconds(pid)) + 1
                        resource.prlimit(pid, resource.RLIMIT_CORE, (0, 0))
                        resource.prlimit(pid, resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))
                        limited.add(pid)
                    except (OSError, ValueError):
                        pass
            time.sleep(0.005)

    watcher = threading.Thread(target=limit_workers, daemon=True)
    watcher.start()
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        stop.set()
        watcher.join()
        _cleanup(proc, limited)
    assert proc.returncode == 1, err
    assert "bouche: a worker process died (signal 24 SIGXCPU" in err and "1 of 6 runs failed" in err
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["status"].tolist() == ["ok", "ok", "ok", "failed", "ok", "ok"]
    error = runs.loc[3, "error"]
    assert re.fullmatch(r"WorkerDied: worker died \(signal 24 SIGXCPU; peak memory [\d,]+ MiB or more\)", error), \
        error
    # resuming skips it (stored as failed) and ends at once
    status, stdout, _ = bouche(["sweep", *args[:-2], "--workers", "1", "--out", str(out), "--resume"], capsys)
    assert status == 1 and "(0 run now, 6 already stored)" in stdout


# -- 5. a damaged part is set aside and rerun ------------------------------------------------------------------


def test_damaged_parts_are_set_aside_and_their_runs_run_again(tmp_path, capsys):
    spec = _long_spec(tmp_path, reps=1, n=200, steps=10)
    out, ref = tmp_path / "d", tmp_path / "ref"
    more = ["--no-plots", "--batch", "1", "--workers", "1"]
    assert bouche(["sweep", str(spec), "--out", str(ref), *more], capsys)[0] == 0
    assert bouche(["sweep", str(spec), "--out", str(out), *more], capsys)[0] == 0
    parts = sorted(_parts(out))
    runs_part, ts_owner = parts[0], parts[1]
    ts_part = ts_owner.with_name(ts_owner.name.replace(".parquet", ".ts.parquet"))
    runs_part.write_bytes(runs_part.read_bytes()[:40])  # truncated, as by a power cut before the fix
    ts_part.write_bytes(ts_part.read_bytes()[:-30])
    kept = {p.name: p.read_bytes() for p in (runs_part, ts_part)}
    before = snapshot(out)
    status, stdout, err = bouche(["sweep", str(spec), "--out", str(out), "--dry-run", *more], capsys)
    assert status == 0 and "holds 2 of them (--resume runs the other 2)" in stdout
    assert len(err.strip().splitlines()) == 2 and err.count("is damaged (") == 2
    assert runs_part.name in err and ts_part.name in err
    assert snapshot(out) == before  # a dry run moves nothing
    status, stdout, err = bouche(["sweep", str(spec), "--out", str(out), "--resume", *more], capsys)
    assert status == 0 and "(2 run now, 2 already stored)" in stdout, err
    lines = err.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("bouche: set aside the damaged part ") for line in lines)
    damaged = out / "parts" / "damaged"
    assert {p.name for p in damaged.iterdir()} == {runs_part.name, ts_part.name, ts_owner.name,
                                                   runs_part.name.replace(".parquet", ".ts.parquet")}
    assert all((damaged / name).read_bytes() == data for name, data in kept.items())  # never deleted
    _assert_same(out, ref)


def test_every_part_is_flushed_to_disk_before_and_after_its_rename(tmp_path, monkeypatch):
    synced = []
    real = os.fsync

    def fsync(fd):
        path = os.readlink(f"/proc/self/fd/{fd}") if LINUX else str(fd)
        synced.append((path, sorted(os.listdir(path)) if os.path.isdir(path) else None))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    out = tmp_path / "sync"
    sim.sweep("bass", vary={"wom.q": [0.1, 0.2]}, overrides={"network.n": 200, "run.steps": 3}, workers=1,
              batch=1, out=out, plots=False)
    if not LINUX:
        assert len(synced) >= 8
        return
    names = [Path(p).name for p, _ in synced]
    part_tmp = [i for i, n in enumerate(names) if re.fullmatch(r"\.tmp-\d+-[0-9a-f]{16}\.parquet", n)]
    assert len(part_tmp) == 2  # each part is written under a temporary name and flushed...
    for i in part_tmp:  # ...then renamed, and then its folder is flushed, holding the part
        final = names[i].split("-", 2)[2]
        assert any(Path(p) == out / "parts" and final in listing for p, listing in synced[i + 1:])
    assert any(n.endswith("-spec.json") for n in names) and any(Path(p) == out for p, _ in synced)


# -- 6. an indicator naming no metric is refused before any run -------------------------------------------------


def test_an_indicator_naming_no_metric_is_refused_before_any_run(tmp_path, capsys):
    spec = tmp_path / "i.toml"
    spec.write_text('scenario = "bass"\n[set]\n"network.n" = 200\n[vary]\n"wom.q" = [0.1, 0.2]\n'
                    '[indicators]\nhit = "final_fractio >= 0.5"\n')
    out = tmp_path / "o"
    for extra in (["--dry-run"], ["--workers", "1"]):
        status, _, err = bouche(["sweep", str(spec), "--out", str(out), *extra], capsys)
        assert status == 2 and err.strip() == ("bouche: error: indicators.hit must compare a metric of the runs "
                                               "(adoption model); got 'final_fractio'; did you mean final_fraction?")
        assert not out.exists()  # before the fix: every run ran, then the sweep failed
    with pytest.raises(ConfigError, match="must not reuse the name of a metric"):
        load_spec({"scenario": "bass", "vary": {"wom.q": [0.1]}, "indicators": {"final_fraction": "peak_time > 1"}})
    ok = load_spec({"scenario": "fragmentation", "vary": {"attention.k": [2]}, "indicators": {"big": "gini > 0.5"}})
    assert ok.indicators == {"big": "gini > 0.5"}


# -- 7. large designs validate in seconds ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_hundred_thousand_point_design_resolves_in_seconds():
    t0 = time.perf_counter()
    spec = load_spec("bass", vary={"wom.q": [0.1, 0.9], "media.p": [0.0, 0.1], "network.n": [100, 5000]},
                     design="random", samples=100_000)
    took = time.perf_counter() - t0
    assert spec.n_runs == 100_000 and took < 15, took  # before: about 45 s (0.4 ms a point)
    first = spec.points[0]
    assert isinstance(first["network.n"], int) and isinstance(first["wom.q"], float)


def test_vectorised_random_draws_equal_numpy_per_sample_streams():
    rng = np.random.default_rng(5)
    for seed in (0, 1969, 2**32 + 3, int(rng.integers(2**62))):
        key = stream_key("design", "random")
        idx = np.array([0, 1, 2, 3, 999, 65535, 2**31 + 1, 2**32 - 1])
        slow = np.array([np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key + (int(i),))))
                         .random(3) for i in idx])
        assert (uniform_rows(seed, key, idx, 3) == slow).all()
    pts = design.make_points("random", {"wom.q": [0.1, 0.9], "network.n": [10, 20]}, samples=50, seed=3)
    slow_pts = [{"wom.q": design._tidy(0.1 + u[0] * 0.8, 10), "network.n": min(10 + int(np.floor(u[1] * 11)), 20)}
                for u in (design._design_rng(3, "random", i).random(2) for i in range(50))]
    assert pts == slow_pts


@pytest.mark.slow
def test_resolving_by_value_equals_resolving_each_point_and_finds_bad_values(monkeypatch):
    monkeypatch.setattr(design, "EXACT_POINTS", 100)  # larger designs are resolved by value
    # a kind that reads mean_degree
    base = sim.load("bass", overrides={"network.n": 300, "network.kind": "erdos_renyi"})
    n = 2 * design.MANY_VALUES + 100
    pts = design.make_points("lhs", {"wom.q": [0.0, 1.0], "network.mean_degree": [2, 6]}, samples=n, seed=2)
    grid = design.make_points("grid", {"network.n": list(range(300, 300 + n // 2)), "seeding.strategy, seeding.count":
                                       [["random", 1], ["top_degree", 2]]})
    for points in (pts, [{**p, "network.n": float(p["network.n"])} for p in grid]):
        exact = [{k: design.point_value(base.replace(p), k) for k in p} for p in points]
        fast = design.resolve_points(base, points)
        assert fast == exact and [type(v) for v in fast[7].values()] == [type(v) for v in exact[7].values()]
    bad = [dict(p) for p in pts]
    bad[n // 2]["wom.q"] = -0.5
    with pytest.raises(ConfigError, match=r"^wom.q must be a number >= 0; got -0.5$"):
        design.resolve_points(base, bad)
    half = [{"network.n": 300 + i, "wom.q": 0.5} for i in range(n)]
    half[n // 3]["network.n"] = 900.5
    with pytest.raises(ConfigError, match="^network.n must be an integer >= 1; got 900.5$"):
        design.resolve_points(base, half)


# -- 8. the local Dask cluster opens no dashboard ----------------------------------------------------------------


@pytest.mark.slow
def test_the_local_dask_cluster_serves_nothing_on_port_8787():
    pytest.importorskip("distributed")
    psutil = pytest.importorskip("psutil")
    from sim.experiments.executors import open_executor

    with open_executor(workers=1, scheduler="local") as (ex, _, _):
        assert ex.submit(pow, 2, 5).result() == 32
        me = psutil.Process()
        ports = set()
        for proc in [me, *me.children(recursive=True)]:
            conns = proc.net_connections(kind="tcp") if hasattr(proc, "net_connections") else proc.connections("tcp")
            ports |= {c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN}
    assert ports and 8787 not in ports  # before the fix: the scheduler listened on 8787
