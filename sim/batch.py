"""Replicate batching: many seeds of one design point, each giving what ``sim.run`` gives.

:func:`run_replicates` runs the replicates of one design point (one scenario,
one set of overrides, several root seeds) and returns, for each seed, the time
series and summary that ``sim.run(scenario, seed=seed, overrides=overrides)``
would return, bit for bit. A sweep runner that keeps its own per-run records
(timeouts, failures) calls :func:`build_model` instead, with one graph cache
per worker process: replicates of a design point sent to the same worker then
share their graph.

Where it saves time: a run's graph is drawn from the run's own seed, so in
general every replicate needs its own graph. When the graph does not depend on
the seed (``network.kind`` = ``complete``, ``ring`` or ``file``, or a fixed
``network.seed`` where the scenario schema has one) the graph is built once
and shared by every replicate, and only the dynamics run R times. Building
the graph is most of a run at scale (an Erdős–Rényi graph of 10^5 people with
mean degree 10 takes about 30 ms, a whole threshold cascade on it about 2 ms),
so sharing it gives several times the throughput. Otherwise, and for model
classes other than :class:`~sim.model.DiffusionModel`, the replicates simply
run one after the other.

Why not one n × R state updated by a sparse-matrix × dense-block product? The
engine is event-driven: each step touches only the contacts of the new
adopters, and a cascade touches each edge once in all. A synchronous
``A @ X`` reads every edge of every replicate every step; it only beats R
separate synchronous sweeps, not R event-driven runs
(``python -m benchmarks scale`` measures both).

Examples
--------
>>> import sim
>>> ov = {"network.kind": "ring", "network.n": 2000, "network.k": 10, "run.steps": 30}
>>> batch = run_replicates("bass", [1, 2, 3], overrides=ov)
>>> ts, summary = batch[1]
>>> ts.equals(sim.run("bass", seed=2, overrides=ov).timeseries)
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable

import pandas as pd

from sim import config
from sim.errors import ConfigError
from sim.metrics import summarize
from sim.model import DiffusionModel
from sim.runs import model_class

__all__ = ["run_replicates", "build_model", "shares_graph", "graph_key", "SEED_FREE_NETWORKS"]

# Network kinds whose graph is the same whatever the run's seed.
SEED_FREE_NETWORKS = ("complete", "ring", "file")


def shares_graph(spec: config.Scenario) -> bool:
    """Whether every replicate (seed) of ``spec`` gets the same graph.

    True for the deterministic network kinds and, where the scenario schema
    has it, a fixed ``network.seed`` (the graph then comes from that seed, not
    the run's).

    Examples
    --------
    >>> shares_graph(config.load("bass", overrides={"network.kind": "ring"}))
    True
    >>> shares_graph(config.load("bass", overrides={"network.kind": "erdos_renyi"}))
    False
    """
    return spec.get("network.kind") in SEED_FREE_NETWORKS or spec.values.get("network.seed") is not None


def graph_key(spec: config.Scenario) -> str:
    """A key that is equal for two scenarios exactly when they build the same graph (seed-free graphs).

    The network section, plus the file's size and modification time for ``file`` graphs.
    """
    net = spec.section("network")
    if net.get("kind") == "file" and net.get("path"):
        try:
            st = os.stat(net["path"])
            net["file_stat"] = [st.st_size, st.st_mtime_ns]
        except OSError:
            pass
    return json.dumps(net, sort_keys=True, default=str)


def build_model(spec: config.Scenario, device: str = "cpu", graphs: dict | None = None):
    """The model of a resolved scenario, reusing a graph from ``graphs`` when replicates share it.

    Parameters
    ----------
    spec : sim.config.Scenario
        Resolved scenario (seed included).
    device : {"cpu", "gpu"}
        Where the dynamics run.
    graphs : dict, optional
        A cache (``{}`` to start) kept by the caller across runs, e.g. one per
        worker process of a sweep. It holds at most one graph: the last
        seed-free graph built.

    Examples
    --------
    >>> cache = {}
    >>> spec = config.load("bass", overrides={"network.kind": "ring", "network.n": 100}, seed=1)
    >>> a, b = build_model(spec, graphs=cache), build_model(spec.replace(seed=2), graphs=cache)
    >>> a.graph is b.graph
    True
    """
    cls = model_class(spec.model)
    if cls is not DiffusionModel:
        if device not in (None, "cpu"):
            raise ConfigError("device", f"= {device} runs the adoption model only; got model = {spec.model}")
        return cls(spec)
    if graphs is None or not shares_graph(spec):
        return DiffusionModel(spec, device=device)
    key = graph_key(spec)
    model = DiffusionModel(spec, device=device, _graph=graphs.get(key))
    if key not in graphs:
        graphs.clear()
        graphs[key] = model.graph
    return model


def run_replicates(scenario, seeds: Iterable[int], overrides: dict | None = None,
                   device: str = "cpu") -> list[tuple[pd.DataFrame, dict]]:
    """Run one design point once per seed; the same numbers as one ``sim.run`` per seed.

    Parameters
    ----------
    scenario : str, Path, dict or sim.config.Scenario
        The design point's scenario.
    seeds : iterable of int
        One root seed per replicate.
    overrides : dict, optional
        Dotted overrides of the design point, as for :func:`sim.run`.
    device : {"cpu", "gpu"}
        Where the dynamics run (see :mod:`sim.backend`).

    Returns
    -------
    list of (pandas.DataFrame, dict)
        ``(timeseries, summary)`` per seed, in the order of ``seeds``.
    """
    graphs: dict = {}
    out = []
    for seed in seeds:
        model = build_model(config.load(scenario, overrides=overrides, seed=int(seed)), device, graphs)
        model.run()
        ts = model.timeseries()
        summary = model.summary() if hasattr(model, "summary") else summarize(ts, model.n, model.state.by_channel())
        out.append((ts, summary))
        del model
    return out
