"""Opinion dynamics against NDlib, the library researchers use for them, on the same graphs.

For n = 10^4 and 10^5 (an Erdős–Rényi graph of mean degree 10, built once and
handed to both), the time of one sweep (n random sequential interactions) of
the voter model and of the algorithmic-bias model (ε = 0.3, γ = 1, μ = 0.5),
and their ratio; then a 10^6-person run of the engine alone. NDlib's voter
model updates one person per iteration, so n of its iterations make a sweep
(timed over 2,000 iterations, 200 at 10^5, and scaled); its algorithmic-bias
iteration is a sweep. People without contacts are left out of the graph
(NDlib's feed fails on them). NDlib is not a dependency: without
it (``pip install ndlib``) only the engine's times are printed. NDlib is
seeded through NumPy's global generator; the comparison is of speed, not of
numbers (the engine's are checked against the published results in
``bouche validate``).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import sim
from sim import networks

__all__ = ["main"]


def _engine_sweep(rule: str, graph, steps: int, repeats: int, compiled: bool, **more) -> float:
    ov = {"media": [], "seeding.strategy": "none", "wom.rule": rule, "run.order": "random_sequential",
          "run.steps": steps, "run.stop": "steps", **more}
    times = []
    for r in range(repeats):
        m = sim.DiffusionModel("bass", seed=r + 1, overrides=ov, graph=graph)
        m.rule.compiled = compiled
        t0 = time.perf_counter()
        m.run()
        times.append((time.perf_counter() - t0) / steps)
    return statistics.median(times)


def _ndlib_sweep(kind: str, G, n: int, ticks: int) -> float | None:
    try:
        import ndlib.models.ModelConfig as mc
        import ndlib.models.opinions as op
    except ImportError:
        return None
    np.random.seed(1)
    cfg = mc.Configuration()
    if kind == "voter":
        model = op.VoterModel(G)
        cfg.add_model_parameter("fraction_infected", 0.5)
    else:
        model = op.AlgorithmicBiasModel(G)
        cfg.add_model_parameter("epsilon", 0.3)
        cfg.add_model_parameter("gamma", 1.0)
    model.set_initial_status(cfg)
    model.iteration()  # the first iteration only reports the initial state
    t0 = time.perf_counter()
    for _ in range(ticks):
        model.iteration()
    seconds = time.perf_counter() - t0
    return seconds * (n / ticks if kind == "voter" else 1 / ticks)


def main(quick: bool = False, repeats: int | None = 3, seed: int | None = 1, write_json: bool = True) -> int:
    import networkx as nx

    repeats = repeats or 3
    sizes = (2_000, 10_000) if quick else (10_000, 100_000)
    from sim.rules import ticks_jit

    print("bouche's sweep with the compiled loop (Numba) and with the NumPy batches; NDlib's; NDlib / bouche"
          + ("" if ticks_jit.AVAILABLE else " (Numba not installed: both columns are the NumPy batches)"))
    print(f"{'n':>9}  {'model':<17} {'Numba s':>9} {'NumPy s':>9} {'NDlib s':>10} {'ratio':>9} {'ratio NumPy':>12}")
    for n in sizes:
        G = nx.fast_gnp_random_graph(n, 10 / (n - 1), seed=seed)
        G.remove_nodes_from(list(nx.isolates(G)))  # NDlib's feed fails on a person without contacts
        G = nx.convert_node_labels_to_integers(G)
        n = G.number_of_nodes()
        graph = networks.as_graph(G)
        for kind, rule, more in (("voter", "voter", {}),
                                 ("algorithmic bias", "algorithmic_bias", {"wom.epsilon": 0.3, "wom.gamma": 1.0})):
            steps = 3 if n > 20_000 else 5
            ours = _engine_sweep(rule, graph, steps, repeats, True, **more)
            batches = _engine_sweep(rule, graph, steps, repeats, False, **more)
            theirs = _ndlib_sweep("voter" if rule == "voter" else "ab", G, n,
                                  (2000 if n < 50_000 else 200) if rule == "voter" else 1)
            ratio = f"{theirs / ours:,.0f}x" if theirs else "n/a"
            ratio_np = f"{theirs / batches:,.0f}x" if theirs else "n/a"
            print(f"{n:>9,}  {kind:<17} {ours:>9.4f} {batches:>9.4f} "
                  f"{theirs if theirs is not None else float('nan'):>10.3f} {ratio:>9} {ratio_np:>12}")
    if not quick:
        big = 1_000_000
        ov = {"network.kind": "erdos_renyi", "network.n": big, "network.mean_degree": 10, "media": [],
              "seeding.strategy": "none", "wom.rule": "deffuant", "wom.epsilon": 0.3,
              "run.order": "random_sequential", "run.steps": 3, "run.stop": "steps"}
        t0 = time.perf_counter()
        m = sim.DiffusionModel("bass", seed=1, overrides=ov)
        t1 = time.perf_counter()
        m.run()
        t2 = time.perf_counter()
        print(f"{big:>9,}  Deffuant, 3 sweeps: build {t1 - t0:.1f} s, {(t2 - t1) / 3:.2f} s per sweep "
              f"({big:,} interactions each)")
    return 0
