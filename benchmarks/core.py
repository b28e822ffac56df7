"""Core benchmarks: the engine at a million people, and against plain Mesa.

Cases (issue targets in brackets):

a. Threshold rule on an Erdős–Rényi graph, n = 1,000,000, mean degree 10,
   φ = 0.18, 1 % random seeds, to quiescence: total wall time including the
   graph build [≤ 3 s] and peak RSS [≤ 1.5 GB]; model construction (and the
   graph build inside it) against the dynamics; and the floor of a synchronous
   rule, one ``scipy.sparse`` CSR mat-vec per step times the steps run.
b. Bass rule (q = 0.38, one medium p = 0.03 with reach 1) on the same graph,
   50 steps [≤ 4 s, total including the graph build].
c. The engine against the plain-Mesa reference (:mod:`sim.validation.reference`) on the
   threshold model of (a) at n = 10,000: both timed with and without model
   construction, final states required identical [engine ≥ 100× faster].

Cases (a) and (b) run each repeat in a fresh subprocess, so the peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is that case's own; the
medians of the repeats are reported. Case (c) runs in one fresh subprocess
(Mesa 3.3.1 never frees models): each side gets one discarded warm-up run,
then repeats (the engine's take milliseconds, so it gets more) and medians.

``--quick`` shrinks the sizes to n = 10^5 and 2,000 for a smoke run; the
targets are then not judged.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._proc import matvec_s, run_json, timed_engine_run, write_results

__all__ = ["TARGETS", "main", "measure_engine", "measure_docking", "engine_overrides"]


TARGETS = {
    "threshold_total_s": 3.0,
    "threshold_peak_mb": 1500.0,  # 1.5 GB, decimal megabytes
    "bass_total_s": 4.0,
    "docking_ratio": 100.0,
}

MEAN_DEGREE = 10
THRESHOLD = 0.18
SEED_FRACTION = 0.01


def engine_overrides(rule: str, n: int) -> dict:
    """Scenario overrides (on the shipped ``bass`` scenario) of a benchmark case.

    Parameters
    ----------
    rule : {"threshold", "bass"}
        Case (a)/(c) or case (b).
    n : int
        Number of people.
    """
    net = {"network.kind": "erdos_renyi", "network.n": n, "network.mean_degree": MEAN_DEGREE}
    if rule == "threshold":
        return {**net, "wom.rule": "threshold", "wom.threshold": THRESHOLD, "seeding.strategy": "random",
                "seeding.fraction": SEED_FRACTION, "run.steps": 1000, "run.stop": "quiescent", "media": []}
    if rule == "bass":  # the shipped scenario's medium: p = 0.03, reach 1
        return {**net, "wom.rule": "bass", "wom.q": 0.38, "run.steps": 50, "run.stop": "steps",
                "media": [{"name": "advertising", "p": 0.03, "reach": 1.0}]}
    raise ValueError(f"rule must be 'threshold' or 'bass'; got {rule!r}")


def _peak_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB, macOS bytes)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def measure_engine(rule: str, n: int, seed: int) -> dict:
    """Build and run one engine model; meant to run alone in a fresh process.

    Returns
    -------
    dict
        Wall times (construction, graph build inside it, dynamics, total), steps,
        adopters, peak RSS (before the floor is measured), and the mat-vec floor.
    """
    import sim.model  # noqa: F401  (the engine's imports, which sim loads on first use: in the baseline)

    base_mb = _peak_mb()
    model, construct_s, graph_s, dynamics_s = timed_engine_run(engine_overrides(rule, n), seed)
    peak_mb = _peak_mb()

    steps = int(model.steps_run)
    floor_s = matvec_s(model.graph, repeats=7)
    return {
        "rule": rule, "n": n, "seed": seed, "n_edges": int(model.graph.n_edges),
        "construct_s": construct_s, "graph_s": graph_s, "dynamics_s": dynamics_s,
        "total_s": construct_s + dynamics_s, "steps": steps, "adopters": int(model.state.adopted.sum()),
        "peak_mb": peak_mb, "import_mb": base_mb, "graph_mb": model.graph.memory_bytes / 1e6,
        "matvec_s": floor_s, "floor_s": floor_s * steps,
    }


def measure_docking(n: int, seed: int, repeats: int, ref_repeats: int) -> dict:
    """Time the engine and the plain-Mesa reference on the same threshold model.

    The reference gets the engine's graph (as networkx), thresholds and seeds;
    converting the graph is timed apart and charged to neither side.
    """
    import numpy as np

    import sim
    from sim.validation.reference import ThresholdReference

    overrides = engine_overrides("threshold", n)
    eng_build, eng_run = [], []
    for i in range(repeats + 1):  # the first (cold) run is a discarded warm-up
        t0 = time.perf_counter()
        model = sim.DiffusionModel("bass", seed=seed, overrides=overrides)
        t1 = time.perf_counter()
        model.run()
        t2 = time.perf_counter()
        if i:
            eng_build.append(t1 - t0)
            eng_run.append(t2 - t1)
    t = time.perf_counter()
    G = model.graph.to_networkx()
    to_nx_s = time.perf_counter() - t
    seeds = np.flatnonzero(model.state.adopted_at == 0)

    ref_build, ref_run = [], []
    for i in range(ref_repeats + 1):  # likewise
        t0 = time.perf_counter()
        ref = ThresholdReference(G, model.thresholds, seeds, rng=seed)
        t1 = time.perf_counter()
        ref.run(max_steps=overrides["run.steps"])
        t2 = time.perf_counter()
        if i:
            ref_build.append(t1 - t0)
            ref_run.append(t2 - t1)
    identical = bool(np.array_equal(ref.adopted, model.state.adopted)
                     and np.array_equal(ref.adopted_at, model.state.adopted_at))
    med = statistics.median
    return {
        "n": n, "seed": seed, "steps": int(model.steps_run), "adopters": int(model.state.adopted.sum()),
        "identical": identical, "to_networkx_s": to_nx_s,
        "engine_construct_s": med(eng_build), "engine_run_s": med(eng_run),
        "engine_total_s": med([a + b for a, b in zip(eng_build, eng_run)]),
        "ref_construct_s": med(ref_build), "ref_run_s": med(ref_run),
        "ref_total_s": med([a + b for a, b in zip(ref_build, ref_run)]),
        "repeats": repeats, "ref_repeats": ref_repeats,
    }


def _child(spec: dict) -> None:
    """Entry point of a measuring subprocess: print one JSON line."""
    kind = spec.pop("kind")
    out = measure_engine(**spec) if kind == "engine" else measure_docking(**spec)
    print(json.dumps(out))


def _spawn(kind: str, timeout: float = 900, **spec) -> dict:
    """Run one measurement in a fresh interpreter; returns its result or ``{"error": ...}``."""
    code = "import json, sys; from benchmarks.core import _child; _child(json.loads(sys.argv[1]))"
    return run_json(code, {"kind": kind, **spec}, timeout)


# -- report ---------------------------------------------------------------------


def _machine() -> dict:
    from importlib import metadata

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform()}
    for dist in ("numpy", "scipy", "mesa", "networkx"):
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            info[dist] = None
    return info


def _median_of(runs: list[dict]) -> dict:
    """Per-key median of numeric fields over repeats (peak memory: the largest)."""
    out = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, float):
            vals = [r[key] for r in runs]
            out[key] = max(vals) if key.endswith("_mb") else statistics.median(vals)
    out["total_s_range"] = (min(r["total_s"] for r in runs), max(r["total_s"] for r in runs))
    return out


class _Table:
    def __init__(self):
        self.rows = []

    def add(self, case="", metric="", value="", target="", status=""):
        self.rows.append((case, metric, value, target, status))

    def print(self):
        head = ("case", "metric", "value", "target", "")
        widths = [max(len(str(r[i])) for r in [head, *self.rows]) for i in range(5)]
        fmt = "  ".join(f"{{:<{w}}}" if i < 2 else f"{{:>{w}}}" if i == 2 else f"{{:<{w}}}"
                        for i, w in enumerate(widths))
        print(fmt.format(*head).rstrip())
        print("  ".join("-" * w for w in widths))
        for r in self.rows:
            print(fmt.format(*map(str, r)).rstrip())


def _status(ok: bool, judged: bool) -> str:
    return ("PASS" if ok else "MISS") if judged else "(quick)"


def _engine_rows(tab: _Table, r: dict, total_target: float, judged: bool, peak: bool) -> None:
    lo, hi = r["total_s_range"]
    tab.add("", "total wall time (construction + dynamics)", f"{r['total_s']:.3f} s",
            f"<= {total_target:g} s", _status(r["total_s"] <= total_target, judged))
    tab.add("", "  spread over repeats", f"{lo:.3f}-{hi:.3f} s")
    tab.add("", "  model construction", f"{r['construct_s']:.3f} s")
    if r.get("graph_s") is not None:
        tab.add("", "    of which graph build", f"{r['graph_s']:.3f} s")
    tab.add("", f"  dynamics ({r['steps']} steps)", f"{r['dynamics_s']:.3f} s")
    tab.add("", "  node-updates per second", f"{r['n'] * r['steps'] / r['dynamics_s'] / 1e6:.1f} M")
    tab.add("", f"floor: {r['steps']} CSR mat-vecs ({r['matvec_s'] * 1e3:.2f} ms each)",
            f"{r['floor_s']:.3f} s")
    tab.add("", "ratio dynamics / floor", f"{r['dynamics_s'] / r['floor_s']:.2f}x")
    if peak:
        tab.add("", "peak RSS (own fresh process)", f"{r['peak_mb']:,.0f} MB",
                f"<= {TARGETS['threshold_peak_mb']:,.0f} MB",
                _status(r["peak_mb"] <= TARGETS["threshold_peak_mb"], judged))
    else:
        tab.add("", "peak RSS (own fresh process)", f"{r['peak_mb']:,.0f} MB")
    tab.add("", "  of which after imports", f"{r['import_mb']:,.0f} MB")
    tab.add("", "  graph arrays", f"{r['graph_mb']:,.0f} MB")
    tab.add("", "adopters at the end", f"{r['adopters']:,} of {r['n']:,}")


def main(quick: bool = False, repeats: int | None = None, seed: int = 42, write_json: bool = True) -> int:
    """Run cases (a), (b), (c), print the table; returns 1 if a run failed or states differ."""
    n_big, n_dock = (100_000, 2_000) if quick else (1_000_000, 10_000)
    repeats = repeats or 3
    judged = not quick
    machine = _machine()
    print(f"Bouche core benchmarks{' (--quick: targets not judged)' if quick else ''}")
    print(f"machine: {machine['cpu']}, {machine['cores']} cores; Python {machine['python']}, "
          f"numpy {machine['numpy']}, scipy {machine['scipy']}, mesa {machine['mesa']}")
    print(f"ER graphs, mean degree {MEAN_DEGREE}, seed {seed}; medians of {repeats} repeats, "
          f"each (a)/(b) repeat in a fresh process\n", flush=True)

    failed = False
    report = {"machine": machine, "quick": quick, "repeats": repeats, "seed": seed, "targets": TARGETS,
              "time": datetime.now(UTC).isoformat(timespec="seconds")}
    tab = _Table()

    for case, rule, target in (("a", "threshold", TARGETS["threshold_total_s"]),
                               ("b", "bass", TARGETS["bass_total_s"])):
        title = (f"threshold phi={THRESHOLD}, {SEED_FRACTION:.0%} seeds, n={n_big:,}" if rule == "threshold"
                 else f"Bass q=0.38 + medium p=0.03, 50 steps, n={n_big:,}")
        print(f"({case}) {title} ...", flush=True)
        runs = [_spawn("engine", rule=rule, n=n_big, seed=seed) for _ in range(repeats)]
        errors = [r["error"] for r in runs if "error" in r]
        if errors:
            failed = True
            tab.add(case, title, "ERROR", "", errors[0])
            report[rule] = {"error": errors[0]}
            continue
        r = _median_of(runs)
        report[rule] = {"median": r, "repeats": runs}
        tab.add(case, title)
        _engine_rows(tab, r, target, judged, peak=rule == "threshold")
        tab.add()

    title = f"engine vs plain-Mesa reference, threshold, n={n_dock:,}"
    print(f"(c) {title} ...", flush=True)
    d = _spawn("docking", n=n_dock, seed=seed, repeats=max(5 * repeats, 15), ref_repeats=repeats)
    if "error" in d:
        failed = True
        tab.add("c", title, "ERROR", "", d["error"])
    else:
        report["docking"] = d
        ratio_total = d["ref_total_s"] / d["engine_total_s"]
        ratio_run = d["ref_run_s"] / d["engine_run_s"]
        failed |= not d["identical"]
        tab.add("c", title)
        tab.add("", f"final states identical ({d['adopters']:,} adopters, {d['steps']} steps)",
                "yes" if d["identical"] else "NO", "identical", "PASS" if d["identical"] else "FAIL")
        tab.add("", "engine: construction + run", f"{d['engine_total_s'] * 1e3:.1f} ms")
        tab.add("", "engine: run only", f"{d['engine_run_s'] * 1e3:.2f} ms")
        tab.add("", "Mesa reference: construction + run", f"{d['ref_total_s'] * 1e3:.1f} ms")
        tab.add("", "Mesa reference: run only", f"{d['ref_run_s'] * 1e3:.1f} ms")
        tab.add("", "  (graph to networkx, charged to neither)", f"{d['to_networkx_s'] * 1e3:.1f} ms")
        tab.add("", "ratio reference / engine, with construction", f"{ratio_total:,.0f}x",
                f">= {TARGETS['docking_ratio']:g}x", _status(ratio_total >= TARGETS["docking_ratio"], judged))
        tab.add("", "ratio reference / engine, run only", f"{ratio_run:,.0f}x",
                f">= {TARGETS['docking_ratio']:g}x", _status(ratio_run >= TARGETS["docking_ratio"], judged))
        report["docking"].update(ratio_total=ratio_total, ratio_run=ratio_run)

    print()
    tab.print()
    if write_json:
        write_results("core", report, quick)
    return 1 if failed else 0
