"""Replicate batching: many seeds of one design point, each giving what ``sim.run`` gives.

:func:`run_replicates` runs the replicates of one design point (one scenario,
one set of overrides, several root seeds) and returns, for each seed, the time
series and summary that ``sim.run(scenario, seed=seed, overrides=overrides)``
would return, bit for bit. Sweeps use :func:`iter_models` the same way for the
replicates of a design point that reach one worker, with one graph cache per
worker process (:func:`build_model`).

Where it saves time, when the replicates share their graph (``network.kind``
= ``complete``, ``ring`` or ``file``, or a fixed ``network.seed``):

- the graph is built once, not R times (building an Erdős–Rényi graph of 10^5
  people with mean degree 10 takes about 30 ms, a whole threshold cascade on
  it about 2 ms);
- the dynamics can run as **one n × R state** (:class:`Replicates`): the R
  replicates' arrays lie end to end, and each step is one pass of the
  vectorised rule over all of them. New adopters of every replicate reach
  their contacts in one gather over the shared CSR rows (replicate r's person
  i is entry ``r·n + i``), so a step costs R times the work of one replicate
  but the Python and launch overhead of one. Each replicate keeps its own
  random streams (its per-step uniforms are its own draw, copied into its
  slice of the block), its own stop step and its own record, so the results
  are those of R separate runs, bit for bit.

When a block pays (:func:`block_size`): on a GPU, always (each step is a few
dozen kernel launches whatever the block's size: 32 Bass runs of 10^5 people
take about half the time of the same runs one by one on an H200). On the CPU, for
event-driven rules (the step's fixed cost dominates), and for rules that draw
for every person every step only while the block is small: beyond, every pass
over the block streams from memory, and runs one after the other, each in
cache, are faster.

Pushes stay event-driven: a synchronous ``A @ X`` (sparse matrix × dense n × R
block) reads every edge of every replicate every step; it beats R separate
synchronous mat-vecs, but not R event-driven steps, which touch only the
contacts of the new adopters (``python -m benchmarks scale`` prints both).
Graphs drawn from each run's own seed are built per replicate, and those
replicates run one after the other, as do the complete graph and model
classes other than :class:`~sim.model.DiffusionModel`.

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
from sim.engine import Engine
from sim.errors import ConfigError
from sim.model import DiffusionModel
from sim.runs import load_with_graph, model_class, result_of

__all__ = ["run_replicates", "build_model", "shares_graph", "graph_key", "batchable", "Replicates",
           "SEED_FREE_NETWORKS", "CACHE_BLOCK", "EVENT_BLOCK", "GPU_BLOCK", "iter_models", "block_size"]

# Network kinds whose graph is the same whatever the run's seed.
SEED_FREE_NETWORKS = ("complete", "ring", "file")
CACHE_BLOCK = 1 << 16  # people × replicates stepped together on the CPU when all draw each step (block_size)
EVENT_BLOCK = 1 << 23  # ... when the rule is event-driven and nothing is drawn per person and step
GPU_BLOCK = 1 << 25  # on a GPU: about 1.3 GB of block state, so that launches are few and full


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


def build_model(spec: config.Scenario, device: str = "cpu", graphs: dict | None = None, graph=None):
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
    graph : sim.networks.Graph (or what :func:`sim.networks.as_graph` takes), optional
        A graph of one's own, used whatever ``graphs`` holds (see :func:`sim.runs.load_with_graph`).

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
        return cls(spec) if graph is None else cls(spec, graph=graph)
    if graph is not None or graphs is None or not shares_graph(spec):
        return DiffusionModel(spec, device=device, graph=graph)
    key = graph_key(spec)
    model = DiffusionModel(spec, device=device, graph=graphs.get(key))
    if key not in graphs:
        graphs.clear()
        graphs[key] = model.graph
    return model


def iter_models(specs, device: str = "cpu", graphs: dict | None = None, graph=None):
    """Build and run one model per resolved scenario; yield each model, run, in the order given.

    Consecutive scenarios that share a graph (:func:`shares_graph`, equal
    :func:`graph_key`) run as :class:`Replicates` blocks of at most
    :func:`block_size` replicates; the others one by one. The results are
    those of running each alone. A block's models are yielded once the block
    has run, and not kept here, so memory stays at one block. A ``graph`` (a
    :class:`~sim.networks.Graph`) is every model's: they share it, as one block.
    """
    graphs = {} if graphs is None else graphs
    block: list = []

    def flush():
        if len(block) > 1:
            Replicates(block).run()
        else:
            for m in block:
                m.run()
        done = list(block)
        block.clear()
        return done

    for spec in specs:
        model = build_model(spec, device, graphs, graph)
        if block and (not batchable(model) or model.graph is not block[0].graph
                      or len(block) >= block_size(model)):
            yield from flush()
        block.append(model)
        if not batchable(model):
            yield from flush()
    yield from flush()


def block_size(model) -> int:
    """How many replicates of ``model`` to step as one block.

    On a GPU, as many as fit :data:`GPU_BLOCK` people × replicates: each step
    is a few dozen kernel launches whatever the block's size. On the CPU it
    depends on the step's work. Where every person draws a uniform every step
    (Bass, or media on), a step is a few passes over everyone, bound by memory
    once the block leaves the cache; blocks then pay only while small
    (:data:`CACHE_BLOCK`; measured with R = 32 on a 2-core Xeon: 1.7× the
    throughput at n = 10^3, none at 10^4, and at 10^5 one-by-one runs were
    1.2–1.8× faster than blocks; blocks of 2 to 8 gained nothing either, even
    with each replicate's decision taken over its own slice). Event-driven
    rules touch only the new adopters' contacts, so the step's fixed cost
    dominates and big blocks win (:data:`EVENT_BLOCK`; a ring-lattice
    threshold cascade at n = 10^5, 500–1000 steps: its dynamics take 0.6 s
    as one block of 32 against 1.0 s one by one).
    """
    if model.backend.device == "gpu":
        cap = GPU_BLOCK
    else:
        cap = CACHE_BLOCK if model.engine.draw_u else EVENT_BLOCK
    return max(1, cap // max(model.n, 1))


def run_replicates(scenario, seeds: Iterable[int], overrides: dict | None = None,
                   device: str = "cpu", graph=None) -> list[tuple[pd.DataFrame, dict]]:
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
    graph : networkx graph, scipy.sparse matrix or sim.networks.Graph, optional
        A graph of one's own, as for :func:`sim.run`: converted once, and shared by every replicate.

    Returns
    -------
    list of (pandas.DataFrame, dict)
        ``(timeseries, summary)`` per seed, in the order of ``seeds``.
    """
    base, graph = load_with_graph(scenario, overrides, None, graph)
    specs = (base.replace(seed=int(s)) for s in seeds)
    return [result_of(m) for m in iter_models(specs, device, graph=graph)]


# -- blocks of replicates ---------------------------------------------------------------------------


def batchable(model) -> bool:
    """Whether ``model`` can be stepped inside a :class:`Replicates` block.

    A :class:`~sim.model.DiffusionModel` (on any device, observers or not),
    on a graph with explicit edges (not the implicit complete graph), not yet
    stepped, whose rule can run in blocks (``rule.batchable``; rules written
    per agent cannot).
    """
    return (type(model) is DiffusionModel and not model.graph.complete and getattr(model.rule, "batchable", True)
            and model.steps_run == 0 and model.running)


class Replicates:
    """R models of one design point, on one shared graph, stepped together as one n × R state.

    Parameters
    ----------
    models : list of DiffusionModel
        Freshly built (seeded, not stepped) on one device, sharing one graph
        object and one scenario apart from the seed; see :func:`batchable`.

    The block only schedules: the state and the step are one
    :class:`~sim.engine.Engine` over the R models' joined arrays. After
    :meth:`run`, every model holds its own final state, record, stop step and
    Mesa step count, exactly as if it had run alone (on the CPU its arrays are
    views into the block).

    Examples
    --------
    >>> ov = {"network.kind": "ring", "network.n": 500, "network.k": 6, "wom.rule": "threshold",
    ...       "wom.threshold": 0.3, "seeding.fraction": 0.02, "media": [], "run.stop": "quiescent"}
    >>> specs = [config.load("bass", overrides=ov, seed=s) for s in (1, 2)]
    >>> a = DiffusionModel(specs[0])
    >>> models = Replicates([a, DiffusionModel(specs[1], graph=a.graph)]).run()
    >>> alone = DiffusionModel(specs[1]).run()
    >>> models[1].timeseries().equals(alone.timeseries()), models[1].steps == alone.steps
    (True, True)
    """

    def __init__(self, models: list):
        first = models[0]
        if not all(batchable(m) and m.graph is first.graph and m.backend is first.backend
                   and m.rule.values == first.rule.values for m in models):
            raise ValueError("Replicates needs fresh DiffusionModels on one device, one shared graph (not complete) "
                             "and one word-of-mouth rule")
        self.models = models
        self.engine = Engine.join([m.engine for m in models])

    def run(self) -> list:
        """Step until every replicate has stopped; hand each model its own results; returns the models."""
        return self.engine.run()
