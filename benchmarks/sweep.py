"""Sweep benchmarks: what the experiment runner costs beyond the model's own time.

Two sweeps of 500 runs of 10,000-person scenarios, 25 design points × 20
replicates:

a. ``bandwagon`` (shipped: Erdős–Rényi, mean degree 10, normal thresholds),
   ``seeding.fraction`` = 0.02, 0.03, ..., 0.26;
b. ``bass`` on an Erdős–Rényi graph (mean degree 10) instead of the complete
   graph, ``wom.q`` = 0.1, 0.12, ..., 0.58.

For each, measured in fresh processes: *model time*, the same 500 runs (same
seeds and parameters) as a plain loop of ``sim.run``, what running them by
hand costs; the sweep serially (``workers=1``) and on 2 local worker
processes: opening the executor, dispatch, Parquet parts and the tables,
i.e. ``sim.sweep`` without figures (not the interpreter start and
``import sim``, the same for all). For (a), the parent's peak RSS after the
runs (dispatch) and after the tables are assembled, for 100, 500 and 2,000
runs, and the speed-up of the 2,000-run sweep (the worker processes' start-up,
about a second spent importing the engine, weighs less in a longer sweep).

Figures (issue targets in brackets): overhead per run beyond the model's own
time, serial ``(T1 - T_model) / runs`` and on W workers ``(W·T_W - T_model) /
runs`` (worker-seconds per run, pool start-up included) [≤ 10 ms]; speed-up
``T1 / T_2`` [≥ 1.7×]; parent peak RSS during dispatch flat in the number of
runs [growth from 100 to 2,000 runs ≤ 10 %].

``--quick``: n = 2,000 and 100 runs (50 / 100 / 200 for memory); targets are
then not judged.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._proc import run_json, write_results

__all__ = ["TARGETS", "main", "measure", "sweep_spec"]

TARGETS = {"overhead_ms": 10.0, "speedup": 1.7, "memory_growth": 0.10}
POINTS = 25  # seeding.fraction = 0.02, 0.03, ..., 0.26


CASES = {
    "a": ("bandwagon, seeding.fraction", {"scenario": "bandwagon", "vary": {"seeding.fraction": "0.02:0.26:0.01"}}),
    "b": ("bass on Erdős–Rényi, wom.q", {"scenario": "bass", "set": {"network.kind": "erdos_renyi"},
                                        "vary": {"wom.q": "0.1:0.58:0.02"}}),
}


def sweep_spec(case: str, runs: int, n: int, seed: int) -> dict:
    """The benchmark sweep of ``case`` as a spec dict: 25 design points × runs/25 replicates, ``n`` people."""
    spec = CASES[case][1]
    return {"name": f"bench-{case}", "seed": seed, "replicates": max(1, runs // POINTS), **spec,
            "set": {**spec.get("set", {}), "network.n": n}}


def measure(kind: str, case: str, runs: int, n: int, seed: int, workers: int = 1) -> dict:
    """One measurement, meant to run alone in a fresh process (see :func:`_spawn`)."""
    import sim
    from benchmarks.core import _peak_mb
    from sim.experiments import executors, runner
    from sim.experiments.spec import load_spec
    from sim.experiments.store import Store

    spec = load_spec(sweep_spec(case, runs, n, seed))
    if kind == "loop":
        todo = list(spec.iter_runs())
        t0 = time.perf_counter()
        for run in todo:
            sim.run(spec.scenario, seed=run["seed"], overrides=run["point"], adoptions=False)
        return {"wall_s": time.perf_counter() - t0, "runs": len(todo)}
    with tempfile.TemporaryDirectory() as tmp:  # sim.sweep's steps, with the peak memory between them
        t0 = time.perf_counter()
        with executors.open_executor(workers=workers) as (ex, label, width), Store(Path(tmp) / "s") as store:
            store.open(spec, resume=False)
            runner.execute(spec, store, ex, width, progress=False)
            dispatch_mb = _peak_mb()
            table, _ = store.assemble(spec)
        wall = time.perf_counter() - t0
        ok = bool((table["status"] == "ok").all()) and len(table) == spec.n_runs
        return {"wall_s": wall, "runs": len(table), "ok": ok, "run_time_s": float(table["duration_s"].sum()),
                "dispatch_mb": dispatch_mb, "peak_mb": _peak_mb(), "workers": workers, "executor": label,
                "final_fraction_sum": float(table["final_fraction"].sum())}


def _spawn(timeout: float = 900, **spec) -> dict:
    code = ("import json, sys; from benchmarks.sweep import measure; "
            "print(json.dumps(measure(**json.loads(sys.argv[1]))))")
    return run_json(code, spec, timeout)


def free_cores_ratio() -> float:
    """Wall time of two concurrent copies of a fixed pure-Python loop over that of one copy
    (each in its own interpreter): about 1 when two cores are free, about 2 when other jobs
    leave this benchmark one core."""
    code = "s = 0\nfor i in range(4_000_000): s += i * i"

    def wall(copies: int) -> float:
        t0 = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(copies)]
        for p in procs:
            p.wait()
        return time.perf_counter() - t0

    return wall(2) / wall(1)


def _speed(case: str, runs: int, n: int, seed: int, repeats: int) -> dict:
    def best(**spec):
        got = [_spawn(case=case, runs=runs, n=n, seed=seed, **spec) for _ in range(repeats)]
        bad = [g for g in got if "error" in g]
        return bad[0] if bad else min(got, key=lambda g: g["wall_s"])

    print(f"({case}) {CASES[case][0]}: model time, serial sweep, 2-worker sweep ...", flush=True)
    return {"loop": best(kind="loop"), "serial": best(kind="sweep", workers=1), "parallel": best(kind="sweep",
                                                                                                    workers=2)}


def _speed_rows(tab, case: str, r: dict, runs: int, judged: bool) -> tuple[dict, bool]:
    from benchmarks.core import _status

    loop, serial, par = r["loop"], r["serial"], r["parallel"]
    same = serial["ok"] and par["ok"] and serial["final_fraction_sum"] == par["final_fraction_sum"]
    t_model, t1, t2 = loop["wall_s"], serial["wall_s"], par["wall_s"]
    over1, over2, speedup = (t1 - t_model) / runs * 1e3, (2 * t2 - t_model) / runs * 1e3, t1 / t2
    tab.add(case, f"{CASES[case][0]}: {runs} runs as a plain loop of sim.run", f"{t_model:.2f} s")
    tab.add("", "  model time per run", f"{t_model / runs * 1e3:.1f} ms")
    tab.add("", "serial sweep (workers = 1)", f"{t1:.2f} s")
    tab.add("", "  overhead per run beyond the model", f"{over1:.2f} ms", f"<= {TARGETS['overhead_ms']:g} ms",
            _status(over1 <= TARGETS["overhead_ms"], judged))
    tab.add("", f"sweep on {par['executor']}", f"{t2:.2f} s")
    tab.add("", "  overhead per run (worker-seconds, start-up incl.)", f"{over2:.2f} ms",
            f"<= {TARGETS['overhead_ms']:g} ms", _status(over2 <= TARGETS["overhead_ms"], judged))
    tab.add("", "  speed-up over serial", f"{speedup:.2f}x", f">= {TARGETS['speedup']:g}x",
            _status(speedup >= TARGETS["speedup"], judged))
    tab.add("", "  model time inside the workers / in the loop", f"{par['run_time_s'] / t_model:.2f}x",
            "~1 on idle cores")
    tab.add("", "  serial and 2-worker tables agree", "yes" if same else "NO")
    tab.add()
    return {"overhead_serial_ms": over1, "overhead_2w_ms": over2, "speedup": speedup}, same


def main(quick: bool = False, repeats: int | None = None, seed: int = 42, write_json: bool = True) -> int:
    """Measure, print the table; returns 1 if a measurement failed or the sweeps disagree."""
    from benchmarks.core import _machine, _status, _Table

    n, runs, mem_runs = (2_000, 100, (50, 100, 200)) if quick else (10_000, 500, (100, 500, 2_000))
    repeats = repeats or 1
    judged = not quick
    machine = _machine()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    free = free_cores_ratio()
    print(f"Bouche sweep benchmarks{' (--quick: targets not judged)' if quick else ''}")
    print(f"machine: {machine['cpu']}, {machine['cores']} cores; Python {machine['python']}, mesa {machine['mesa']}")
    print(f"load average {load:.1f}; two CPU-bound processes take {free:.2f}x the time of one (about 1 when two "
          f"cores are free: other jobs skew the speed-ups, rerun on a quiet machine)")
    print(f"n = {n:,}, {runs} runs ({POINTS} design points x {runs // POINTS} replicates), seed {seed}; "
          f"each measurement in a fresh process, best of {repeats}\n", flush=True)

    report = {"machine": machine, "load_start": load, "free_cores_ratio_start": free, "quick": quick, "seed": seed,
              "n": n, "runs": runs,
              "targets": TARGETS, "time": datetime.now(UTC).isoformat(timespec="seconds")}
    speed = {case: _speed(case, runs, n, seed, repeats) for case in CASES}
    memory = {}
    for k in mem_runs:
        print(f"(a) parent peak memory, {k:,} runs on 2 workers ...", flush=True)
        memory[k] = speed["a"]["parallel"] if k == runs else _spawn(kind="sweep", case="a", runs=k, n=n, seed=seed,
                                                                   workers=2)
    big = mem_runs[-1]
    print(f"(a) serial sweep of {big:,} runs (speed-up of a longer sweep) ...", flush=True)
    long_serial = _spawn(kind="sweep", case="a", runs=big, n=n, seed=seed, workers=1)
    report["free_cores_ratio_end"] = free_end = free_cores_ratio()
    print(f"two CPU-bound processes now take {free_end:.2f}x the time of one", flush=True)
    report.update(speed=speed, memory={str(k): v for k, v in memory.items()}, long_serial=long_serial,
                  load_end=os.getloadavg()[0] if hasattr(os, "getloadavg") else None)
    measured = [m for r in speed.values() for m in r.values()] + list(memory.values()) + [long_serial]
    errors = [m["error"] for m in measured if "error" in m]
    tab = _Table()
    failed = bool(errors)
    if errors:
        tab.add("", "a measurement failed", "ERROR", "", errors[0])
    else:
        for case, r in speed.items():
            report[case], same = _speed_rows(tab, case, r, runs, judged)
            failed |= not same
        long_speedup = long_serial["wall_s"] / memory[big]["wall_s"]
        report["long_speedup"] = long_speedup
        tab.add("a", f"{big:,} runs: serial / 2 workers", f"{long_serial['wall_s']:.2f} / "
                f"{memory[big]['wall_s']:.2f} s")
        tab.add("", "  speed-up of the longer sweep", f"{long_speedup:.2f}x", "(reported)")
        tab.add()
        lo, hi = memory[mem_runs[0]]["dispatch_mb"], memory[mem_runs[-1]]["dispatch_mb"]
        growth = (hi - lo) / lo
        report["memory_growth"] = growth
        for k in mem_runs:
            m = memory[k]
            tab.add("a" if k == mem_runs[0] else "", f"parent peak RSS, {k:,} runs: dispatch / with the tables",
                    f"{m['dispatch_mb']:.0f} / {m['peak_mb']:.0f} MB")
        tab.add("", f"  dispatch growth from {mem_runs[0]} to {mem_runs[-1]:,} runs", f"{100 * growth:+.1f} %",
                f"<= {100 * TARGETS['memory_growth']:g} %", _status(growth <= TARGETS["memory_growth"], judged))
    print()
    tab.print()
    if write_json:
        write_results("sweep", report, quick)
    return 1 if failed else 0
