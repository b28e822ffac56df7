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

import numpy as np
import pandas as pd

from sim import coins, config, records
from sim.errors import ConfigError
from sim.mechanisms import media as media_mod
from sim.mechanisms import wom
from sim.model import DiffusionModel, count_rule_fired
from sim.population import MEDIA, WOM
from sim.runs import model_class, result_of

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


def iter_models(specs, device: str = "cpu", graphs: dict | None = None):
    """Build and run one model per resolved scenario; yield each model, run, in the order given.

    Consecutive scenarios that share a graph (:func:`shares_graph`, equal
    :func:`graph_key`) run as :class:`Replicates` blocks of at most
    :func:`block_size` replicates; the others one by one. The results are
    those of running each alone. A block's models are yielded once the block
    has run, and not kept here, so memory stays at one block.
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
        model = build_model(spec, device, graphs)
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
        cap = CACHE_BLOCK if model._draw_u else EVENT_BLOCK
    return max(1, cap // max(model.n, 1))


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
    base = config.load(scenario, overrides=overrides)
    specs = (base.replace(seed=int(s)) for s in seeds)
    return [result_of(m) for m in iter_models(specs, device)]


# -- one n × R state ---------------------------------------------------------------------------



def batchable(model) -> bool:
    """Whether ``model`` can be stepped inside a :class:`Replicates` block.

    A :class:`~sim.model.DiffusionModel` (on any device), on a graph with
    explicit edges (not the implicit complete graph), not yet stepped, with
    no observers.
    """
    return (type(model) is DiffusionModel and not model.graph.complete
            and model.steps_run == 0 and model.running and not model.observers)


class Replicates:
    """R models of one design point, on one shared graph, stepped together as one n × R state.

    Parameters
    ----------
    models : list of DiffusionModel
        Freshly built (seeded, not stepped) on one device, sharing one graph
        object and one scenario apart from the seed; see :func:`batchable`.

    After :meth:`run`, every model holds its own final state, record and stop
    step, exactly as if it had run alone (on the CPU its arrays are views into
    the block). The array code is the model's (``xp``, :mod:`sim.backend`), so
    on a GPU the block is where many small replicates fill the device.

    Examples
    --------
    >>> ov = {"network.kind": "ring", "network.n": 500, "network.k": 6, "wom.rule": "threshold",
    ...       "wom.threshold": 0.3, "seeding.fraction": 0.02, "media": [], "run.stop": "quiescent"}
    >>> specs = [config.load("bass", overrides=ov, seed=s) for s in (1, 2)]
    >>> a = DiffusionModel(specs[0])
    >>> models = Replicates([a, DiffusionModel(specs[1], _graph=a.graph)]).run()
    >>> models[1].timeseries().equals(DiffusionModel(specs[1]).run().timeseries())
    True
    """

    def __init__(self, models: list):
        first = models[0]
        if not all(batchable(m) and m.graph is first.graph and m.backend is first.backend for m in models):
            raise ValueError("Replicates needs fresh DiffusionModels on one device and one shared graph "
                             "(not complete)")
        self.models, self.R, self.n = models, len(models), first.n
        self.be, self.xp = first.backend, first.xp
        xp = self.xp
        self.rule, self.q, self.beta, self.dt = first.rule, first.q, first.beta, first.dt
        self.max_steps, self.stop_rule = first.max_steps, first.stop_rule
        self.indptr, self.indices = first._out
        self.degree = first.degree
        joined = lambda get: None if get(first) is None else xp.concatenate([get(m) for m in models])  # noqa: E731
        self.adopted = joined(lambda m: m.state.adopted)
        self.adopted_at = joined(lambda m: m.state.adopted_at)
        self.channel = joined(lambda m: m.state.channel)
        self.counts = joined(lambda m: m.counts)
        self.need = joined(lambda m: m._need)
        self.wom_term = joined(lambda m: m._wom_term)
        self.wom_weight = joined(lambda m: m._wom_weight)  # q/k_i, NaN for adopters
        self.nobody = xp.zeros(0, dtype=xp.int64)
        self.flat_type = self.indices.dtype if self.R * self.n < np.iinfo(self.indices.dtype).max else xp.int64
        self.bounds = xp.arange(self.R + 1, dtype=xp.int64) * self.n  # replicate r: flat [r*n, (r+1)*n)
        self.fresh = self.nobody
        if self.rule == "cascade":  # replicate r's person i is entry r*n + i
            self.fresh = xp.concatenate([m._fresh + r * self.n for r, m in enumerate(models)])
            self.keys = xp.asarray(np.array([m._coin_key for m in models], dtype=np.uint64))
        self.pending = None  # flat people to re-evaluate; None: everyone (as each model starts)
        self.n_adopted = np.array([m.state.n_adopted for m in models], dtype=np.int64)
        self.draw_u = first._draw_u
        self.u = xp.empty(self.R * self.n) if self.draw_u else None
        self.rec = records.new_records({c: a.dtype for c, a in first._rec.items()}, self.max_steps,
                                       replicates=self.R)
        for c, rows in self.rec.items():
            rows[:, 0] = [m._rec[c][0] for m in models]
        self.stopped_at = np.full(self.R, -1, dtype=np.int64)
        self.steps = 0

    def _slice(self, r: int) -> slice:
        return slice(r * self.n, (r + 1) * self.n)

    def _per_replicate(self, flat) -> np.ndarray:
        """How many of the flat people ``flat`` (sorted) each replicate has (host int64 array of R)."""
        return np.diff(self.be.to_host(self.xp.searchsorted(flat, self.bounds))).astype(np.int64)

    def _after_adoptions(self, new) -> None:
        """The models' ``_after_adoptions``, for every replicate at once, over the shared rows."""
        if not len(new):
            self.fresh = self.nobody
            return
        n, size = self.n, self.R * self.n
        if self.wom_weight is not None:
            self.wom_weight[new] = self.wom_term[new] = np.nan
        rows = new % n
        # r*n of the replicate each gathered edge belongs to, in the indices' type while the flat
        # index fits (halves the bytes the hits move, and int32 sorts twice as fast)
        base = (new - rows).astype(self.flat_type)
        if self.rule == "cascade" or self.be.search_gather:  # the coins need the edges' positions
            pos, src = self.be.positions(self.indptr, rows, sources=True)
            off = base[src]
            if self.rule == "cascade":
                keep = coins.live(self.keys[off // n], pos, self.beta)
                self.fresh = self.be.distinct(self.indices[pos[keep]] + off[keep], size)
            hits = self.indices[pos] + off
        else:  # the rows in one gather, each row's offset repeated over its entries
            hits = self.be.gather(self.indptr, self.indices, rows).astype(self.flat_type, copy=False)
            hits += np.repeat(base, self.indptr.take(rows + 1) - self.indptr.take(rows))
        moved = self.be.count_hits(self.counts, hits)
        if moved is None:
            self.pending = None
        elif self.pending is not None:
            self.pending.append(moved)
        if self.wom_term is not None:
            wom.refresh_hazard(self.wom_term, self.counts, self.wom_weight, moved)

    def _fired(self):
        if self.rule in ("threshold", "complex"):
            pending, self.pending = self.pending, []
            return count_rule_fired(self.counts, self.need, self.adopted, pending, self.nobody)
        if self.rule == "cascade":
            return self.fresh[~self.adopted[self.fresh]]
        return self.nobody

    def step(self) -> None:
        """One synchronous step of every replicate (stopped ones included: they cannot change)."""
        self.steps = t = self.steps + 1
        R, n, models, xp = self.R, self.n, self.models, self.xp
        media_term, contacts, cost = None, np.zeros(R, dtype=np.int64), np.zeros(R)
        uniform = media_mod.uniform_term(models[0].media, t, n)  # media that draw nothing: the same for all
        if uniform is not None:
            media_term, contacts[:], cost[:] = uniform
        for j, medium in enumerate(models[0].media if uniform is None else ()):
            if medium.is_on(t):
                if media_term is None:
                    media_term = xp.zeros(R * n)
                for r, m in enumerate(models):
                    c = m.media[j].contact(media_term[self._slice(r)], m.media[j].rng)
                    contacts[r] += c
                    cost[r] += c * medium.cost_per_contact
        if self.draw_u:  # each replicate's own draw, the very call its lone run makes (none once all adopted)
            for r, m in enumerate(models):
                if self.n_adopted[r] < n:
                    self.u[self._slice(r)] = m._wom_rng.random(n)
        new_media = self.nobody
        if self.rule == "bass":
            new_media, new_wom = self.be.bass_adopters(self.u, media_term, self.wom_term, self.dt, self.adopted)
        else:
            new_wom = self._fired()
            if media_term is not None:
                fired = xp.zeros(R * n, dtype=bool)
                fired[new_wom] = True
                by_media, _ = wom.triggered_decision(self.u, media_term, fired, self.dt)
                new_media = xp.flatnonzero(by_media & ~self.adopted)
        for idx, code in ((new_media, MEDIA), (new_wom, WOM)):
            self.adopted[idx], self.adopted_at[idx], self.channel[idx] = True, t, code
        by_media, by_wom = self._per_replicate(new_media), self._per_replicate(new_wom)
        self.n_adopted += by_media + by_wom
        self._after_adoptions(xp.concatenate((new_media, new_wom)))
        records.ensure_row(self.rec, t, self.max_steps)
        for c, v in (("adopters", self.n_adopted), ("new_adopters", by_media + by_wom), ("new_by_media", by_media),
                     ("new_by_wom", by_wom), ("media_contacts", contacts), ("cost", cost)):
            self.rec[c][:, t] = v
        self._stops(t, by_media + by_wom)

    def _stops(self, t: int, n_new: np.ndarray) -> None:
        """Note the replicates whose own run would stop after step ``t`` (the rule of DiffusionModel)."""
        live = self.stopped_at < 0
        if t >= self.max_steps:
            self.stopped_at[live] = t
            return
        if self.stop_rule != "quiescent":
            return
        host = self.be.to_host
        may = live & (self.n_adopted < self.n)
        media_left = np.zeros(self.R, dtype=bool)
        for medium in self.models[0].media:
            if medium.may_act_after(t):
                aud = medium.audience
                left = ~self.adopted.reshape(self.R, self.n)[:, slice(None) if aud is None else aud]
                media_left |= host(left.any(axis=1))
        if self.rule == "bass":
            wom_left = self.q > 0 and host(((self.counts > 0) & ~self.adopted).reshape(self.R, self.n).any(axis=1))
        elif self.rule in ("threshold", "complex", "cascade"):
            wom_left = n_new > 0
        else:
            wom_left = np.zeros(self.R, dtype=bool)
        self.stopped_at[may & ~(media_left | wom_left)] = t
        self.stopped_at[live & (self.n_adopted >= self.n)] = t

    def run(self) -> list:
        """Step until every replicate has stopped; hand each model its own results; returns the models."""
        while (self.stopped_at < 0).any():
            self.step()
        for r, m in enumerate(self.models):
            sl = self._slice(r)
            st = m.state
            st.adopted, st.adopted_at, st.channel = self.adopted[sl], self.adopted_at[sl], self.channel[sl]
            st.n_adopted = int(self.n_adopted[r])
            m.counts = self.counts[sl]
            for c, rows in self.rec.items():
                m._rec[c] = rows[r].copy()
            m.steps_run = int(self.stopped_at[r])
            m.running = False
            m.to_host()
        return self.models
