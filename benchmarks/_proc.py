"""Run one measurement in a fresh interpreter, so each case's peak memory is its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["ROOT", "RESULTS", "matvec_s", "run_json", "timed_engine_run", "write_results"]

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def write_results(suite: str, report: dict, quick: bool) -> Path:
    """Save a suite's figures as JSON in benchmarks/results/ (git-ignored) and say where."""
    from datetime import UTC, datetime

    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{suite}{'-quick' if quick else ''}-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {path.relative_to(ROOT)}")
    return path


def run_json(code: str, payload: dict, timeout: float, single_thread: bool = False) -> dict:
    """Run ``python -c code JSON`` from the repository root; the last stdout line is its JSON result.

    Returns ``{"error": ...}`` (one line) when the child fails or times out.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    if single_thread:  # one core, as the targets say
        env.setdefault("OMP_NUM_THREADS", "1")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        proc = subprocess.run([sys.executable, "-c", code, json.dumps(payload)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"error": f"exit {proc.returncode}: {tail}"}
    return json.loads(lines[-1])


def timed_engine_run(overrides: dict, seed: int):
    """Build and run one engine model on the bass scenario with ``overrides``.

    Returns ``(model, construct_s, graph_s, dynamics_s)``; ``graph_s`` is the time
    of the model's one ``networks.build`` call (None if it built no graph).
    """
    import time

    import sim
    from sim import networks

    graph_s = []
    build = networks.build

    def timed_build(*args, **kwargs):  # the model calls networks.build(...) once
        t = time.perf_counter()
        g = build(*args, **kwargs)
        graph_s.append(time.perf_counter() - t)
        return g

    model_class = sim.DiffusionModel  # imports the engine (sim loads it on first use): before the clock
    networks.build = timed_build
    try:
        t0 = time.perf_counter()
        model = model_class("bass", seed=seed, overrides=overrides)
        t1 = time.perf_counter()
        model.run()
        t2 = time.perf_counter()
    finally:
        networks.build = build
    return model, t1 - t0, (graph_s[0] if graph_s else None), t2 - t1


def matvec_s(graph, repeats: int = 5) -> float:
    """The floor: median wall time of one float32 CSR mat-vec on the graph (rows = listeners), after a warm-up.

    A mat-vec reads every edge once whatever the vector holds, so any 0/1 vector gives its cost.
    """
    import statistics
    import time

    import numpy as np

    A = graph.incoming_csr()
    x = np.zeros(graph.n, dtype=np.float32)
    x[::7] = 1.0
    A @ x  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        A @ x
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def push_s(graph, steps: int = 20, seed: int = 0) -> float:
    """What an exact Bass run cannot avoid: every person, once adopted, tells each contact once.

    Everyone is pushed once, in ``steps`` sorted batches of random people
    (a Bass run's adopters arrive so), by the engine's compiled push that only
    counts (:func:`sim.compiled.push`); the wall time of all the pushes. NaN
    without Numba.
    """
    import time

    import numpy as np

    from sim import compiled

    if not compiled.AVAILABLE:
        return float("nan")
    indptr, indices = graph.out_rows
    counts = np.zeros(graph.n, dtype=np.int32)
    order = np.random.default_rng(seed).permutation(graph.n)
    batches = [np.sort(b).astype(np.int64) for b in np.array_split(order, steps)]
    del order
    compiled.push(indptr, indices, batches[0][:1], graph.n, counts, 1, compiled.PUSH_COUNT)  # compiled, warm
    counts.fill(0)
    t = time.perf_counter()
    for new in batches:
        compiled.push(indptr, indices, new, graph.n, counts, 1, compiled.PUSH_COUNT)
    return time.perf_counter() - t
