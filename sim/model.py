"""The diffusion model: word of mouth against mass media on a social graph.

:class:`DiffusionModel` is a :class:`mesa.Model`. It owns the run (random
streams, step counter, mechanisms, recorder) while the state lives in arrays
and each step is a handful of vectorised operations, so a million people run in
seconds. People are also available as :class:`mesa.Agent` objects
(:attr:`DiffusionModel.people`), created on first use as thin views over the
arrays, for inspection, custom per-agent rules and the browser app; running
never needs them.

Steps are synchronous: decisions in step t read the state at the end of step
t-1. Within a step: media contacts, then word of mouth and the adoption
decision, then recording. Every adoption records its step and its channel
(seed, media, word of mouth).

The deterministic rules are **event-driven**: a person's threshold can only
become met when one of their contacts has just adopted, so after the first
step only the contacts of the last step's new adopters are re-evaluated, and a
whole cascade costs O(edges touched) rather than O(n × steps). The results are
those of the synchronous sweep, person by person (tests/test_scale.py). With
``device="gpu"`` the same code runs on CuPy arrays (see :mod:`sim.backend`).

Examples
--------
>>> m = DiffusionModel("bass", seed=3, overrides={"network.n": 2000, "run.steps": 20})
>>> _ = m.run()
>>> ts = m.timeseries()
>>> int(ts["adopters"].iloc[-1]) == sum(m.state.by_channel().values())
True
>>> float(ts["adopted_fraction"].iloc[-1]) > 0.9
True
"""

from __future__ import annotations

import weakref

import mesa
import numpy as np
import pandas as pd

from sim import coins, config, networks, records
from sim.backend import array_namespace, get_backend, sorted_distinct
from sim.mechanisms import media as media_mod
from sim.mechanisms import seeding, wom
from sim.population import CHANNELS, MEDIA, SEED, WOM, State, count_thresholds, fractional_thresholds
from sim.streams import Streams

__all__ = ["DiffusionModel", "Person", "TIMESERIES_COLUMNS"]

TIMESERIES_COLUMNS = ("step", "time", "adopters", "adopted_fraction", "new_adopters", "new_by_seed",
                      "new_by_media", "new_by_wom", "media_contacts", "cost", "cumulative_cost")


_WEIGHTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # graph -> {(q, rule): q/k_i}


def _bass_weight(graph, q: float) -> np.ndarray:
    """A fresh copy of ``q/k_i`` for ``graph`` (what one adopted contact adds to the Bass hazard).

    Worked out once per graph and q, and kept while the graph lives: replicates
    that share a graph (:mod:`sim.batch`) then copy it rather than divide again.
    """
    memo = _WEIGHTS.setdefault(graph, {})
    key = (float(q), wom.bass_hazard)  # the rule too, so that a replaced rule is not served a stale weight
    if key not in memo:
        memo[key] = wom.bass_hazard(np.ones(graph.n, dtype=np.int32), graph.in_degree, q)
    return memo[key].copy()


def count_rule_fired(counts, need, adopted, pending, nobody):
    """Non-adopters whose count of adopted contacts reaches their need (sorted int64 indices).

    ``pending`` lists arrays of the people whose count moved since the last
    evaluation (only they can newly fire; repeats allowed, in any order: the
    hits of :meth:`~sim.backend.Backend.add_hits`), or is None to evaluate
    everyone. The hits are filtered first and the few that fire made
    distinct. Shared by :class:`DiffusionModel` and the replicate blocks of
    :mod:`sim.batch`.
    """
    xp = array_namespace(counts)
    if pending is None:
        return xp.flatnonzero((counts >= need) & ~adopted)
    if not pending:
        return nobody
    who = pending[0] if len(pending) == 1 else xp.concatenate(pending)
    # take and compress: 2-4x faster than fancy and boolean indexing on NumPy 2.4 (int32 indices, random masks)
    who = xp.compress(~adopted.take(who), who)
    who = xp.compress(counts.take(who) >= need.take(who), who)
    return sorted_distinct(who).astype(xp.int64, copy=False)


class Person(mesa.Agent):
    """One person, as a Mesa agent: a read-only view over the model's arrays."""

    def __init__(self, model: "DiffusionModel", index: int):
        super().__init__(model)
        self.index = int(index)

    @property
    def adopted(self) -> bool:
        return bool(self.model.state.adopted[self.index])

    @property
    def adopted_at(self) -> int | None:
        step = int(self.model.state.adopted_at[self.index])
        return None if step < 0 else step

    @property
    def channel(self) -> str | None:
        code = int(self.model.state.channel[self.index])
        return None if code < 0 else CHANNELS[code]

    @property
    def contacts(self) -> list[int]:
        """Indices of the people this person hears from."""
        return self.model.graph.in_neighbours(self.index).tolist()

    @property
    def threshold(self) -> float | None:
        t = self.model.thresholds
        return None if t is None else float(t[self.index])

    def __repr__(self) -> str:
        return f"Person({self.index}, adopted={self.adopted}, channel={self.channel})"


class DiffusionModel(mesa.Model):
    """Word of mouth against mass media, as specified by a scenario.

    Parameters
    ----------
    scenario : str, Path, dict or sim.config.Scenario
        Shipped scenario name, TOML file, dict or resolved scenario.
    seed : int, optional
        Root seed (overrides the scenario's).
    overrides : dict, optional
        Dotted parameter overrides, validated like the scenario itself.
    device : {"cpu", "gpu"}, optional
        Where the dynamics run: NumPy on the CPU (default) or CuPy on an NVIDIA
        GPU. The graph, thresholds and seeds are always drawn on the CPU; on
        the GPU the per-step random numbers come from device generators seeded
        by the named streams, so runs are statistically identical to the CPU's,
        not bit-for-bit (see :mod:`sim.backend`). After the last step the
        state arrays are back on the host, as NumPy arrays.
    """

    def __init__(self, scenario="bass", seed: int | None = None, overrides: dict | None = None,
                 device: str = "cpu", *, _graph: networks.Graph | None = None):
        target = get_backend(device)
        spec = config.load(scenario, overrides=overrides, seed=seed)
        super().__init__(rng=spec.seed)
        self.spec = spec  # not "scenario": reserved by Mesa 3.5
        self.streams = Streams(spec.seed)
        # _graph: the graph this scenario builds, built once by sim.batch for replicates sharing it
        self.graph = _graph if _graph is not None else networks.build(spec.section("network"),
                                                                       self._network_stream())
        self.n = n = self.graph.n
        self.degree = self.graph.in_degree
        self.state = State(n)  # bool, int32 and int8 arrays: 6 bytes a person
        self.counts = np.zeros(n, dtype=np.int32)  # adopted contacts, end of last step
        self.backend = get_backend("cpu")  # set-up runs on the host; `target` takes over below
        self.xp = np

        w = spec.section("wom")
        self.rule = w["rule"]
        self.q = w["q"]
        self.thresholds = None
        self._need = None  # the rule as a count of adopted contacts (int32), threshold and complex
        if self.rule == "threshold":
            self.thresholds = fractional_thresholds(w, n, self.streams.get("population"))
            self._need = wom.threshold_need(self.degree, self.thresholds)
        elif self.rule == "complex":
            self.thresholds = count_thresholds(w, n)
            self._need = self.thresholds
        self._pending = None  # people to re-evaluate (list of index arrays); None: everyone
        self._wom_term = np.zeros(n, dtype=np.float64) if self.rule == "bass" else None
        # q/k_i, the hazard one adopted contact adds (wom.bass_hazard of a count of 1): the hazard is
        # then one product a_i * (q/k_i) rather than three passes (differs from q*a_i/k_i by an ulp at
        # most). An adopter's weight, and so its hazard, is NaN: u < NaN is false, so the decision's
        # one comparison passes over adopters without a mask (late in a run most people are adopters,
        # and many of them would pass u < p + q a/k)
        self._wom_weight = _bass_weight(self.graph, self.q) if self.rule == "bass" else None
        self._matrix = None
        self._out = self.graph.out_rows  # on the device when there is one
        if target.uses_matrix and not self.graph.complete:
            self._matrix = target.adjacency(n, self.graph.in_indptr, self.graph.in_indices)
        self._setup_cascade(w["beta"], target)
        self._nobody = np.zeros(0, dtype=np.int64)
        self._among = None  # who is left, late in a Bass run (_left)

        self.media = [self._medium(m, target) for m in spec.media]
        self._wom_rng = target.generator(self.streams.get("wom"))
        self._draw_u = self.rule == "bass" or bool(self.media)
        self.dt = spec.get("run.dt")
        self.max_steps = spec.get("run.steps")
        self.stop_rule = spec.get("run.stop")

        cols = ("adopters", "new_adopters", "new_by_seed", "new_by_media", "new_by_wom", "media_contacts")
        self._rec = records.new_records({**dict.fromkeys(cols, np.int64), "cost": np.float64}, self.max_steps)
        self.steps_run = 0

        s = spec.section("seeding")
        k = seeding.n_seeds(s["count"], s["fraction"], n)
        seeds = seeding.choose(s["strategy"], k, n=n, out_degree=self.graph.out_degree,
                               rng=self.streams.get("seeding"), friend_of=self._friend_of,
                               nodes=s["nodes"], labels=self.graph.labels,
                               greedy=(self.graph, w["beta"] if s["greedy_beta"] is None else s["greedy_beta"],
                                       s["greedy_samples"]))
        self.state.adopt(seeds, 0, SEED)
        self._after_adoptions(seeds)
        self._record(0, len(seeds), 0, 0, 0, len(seeds) * s["cost_per_seed"])
        self._people = None
        # Callables observer(model, step, media_term, new_media, new_wom), run after each step's
        # adoptions and before recording; media_term is None when no medium was on, else the
        # per-person persuasion of this step's contacts (> 0 means contacted).
        self.observers: list = []
        self.running = self.max_steps > 0
        if target is not self.backend:
            self._move(target)

    def _network_stream(self) -> np.random.Generator:
        """The graph's random stream: the run's, or a fixed ``network.seed`` shared across replicates."""
        fixed = self.spec.values.get("network.seed")
        return (Streams(fixed) if fixed is not None else self.streams).get("network")

    # -- set-up helpers -------------------------------------------------------

    def _medium(self, m: dict, target) -> media_mod.Medium:
        label = f"media.{m['name']}" if len(self.spec.media) > 1 else "media"
        aud = media_mod.audience(m, label, self.graph.out_degree, self.graph.segments, self.graph.segment_names)
        medium = media_mod.Medium(name=m["name"], p=m["p"], reach=m["reach"], start=m["start"], stop=m["stop"],
                                  cost_per_contact=m["cost_per_contact"], audience=aud)
        medium.rng = target.generator(self.streams.get("media", m["name"]))
        return medium

    def _setup_cascade(self, beta: float, target) -> None:
        """Independent cascade: coins of the edges tried are computed when tried (:mod:`sim.coins`)."""
        self.beta = beta
        self._fresh = None  # people a live edge reached in the last push
        if self.rule != "cascade":
            return
        self._fresh = np.zeros(0, dtype=np.int64)
        stream = self.streams.get("wom", "edges")
        if self.graph.complete:
            self._edge_rng = target.generator(stream)
        else:
            self._coin_key = coins.coin_key(stream)

    def _move(self, target) -> None:
        """Put the arrays the steps touch on ``target``'s device (set-up ran on the host)."""
        self.backend, self.xp = target, target.xp
        put = target.asarray
        st = self.state
        st.adopted, st.adopted_at, st.channel = put(st.adopted), put(st.adopted_at), put(st.channel)
        self.counts = put(self.counts)
        self.degree = put(self.degree, dtype=np.int32)
        self._need = None if self._need is None else put(self._need)
        self._wom_term = None if self._wom_term is None else put(self._wom_term)
        self._wom_weight = None if self._wom_weight is None else put(self._wom_weight)
        self._fresh = None if self._fresh is None else put(self._fresh)
        if not self.graph.complete:
            self._out = tuple(put(a) for a in self._out)
        self._pending = None  # the first evaluation sweeps everyone: same result, nothing to copy
        self._nobody = put(self._nobody)
        for m in self.media:
            m.audience = None if m.audience is None else put(m.audience)

    def to_host(self) -> None:
        """Bring the state back to NumPy arrays (done after the last step; a no-op on the CPU)."""
        if self.xp is np:
            return
        get = self.backend.to_host
        st = self.state
        st.adopted, st.adopted_at, st.channel = get(st.adopted), get(st.adopted_at), get(st.channel)
        self.counts = get(self.counts)
        self.degree = self.graph.in_degree
        for m in self.media:
            m.audience = None if m.audience is None else get(m.audience)

    def _friend_of(self, people: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One random contact of each person (-1 for people without contacts)."""
        if self.graph.complete:
            if self.n < 2:
                return np.full(len(people), -1)
            return (people + rng.integers(1, self.n, size=len(people))) % self.n
        g = self.graph
        deg = g.in_degree[people]
        pick = (rng.random(len(people)) * np.maximum(deg, 1)).astype(np.int64)
        out = g.in_indices[np.minimum(g.in_indptr[people] + pick, max(len(g.in_indices) - 1, 0))] \
            if len(g.in_indices) else np.full(len(people), -1)
        return np.where(deg > 0, out, -1).astype(np.int64)

    # -- dynamics ---------------------------------------------------------------

    def _after_adoptions(self, new) -> None:
        """Update adopted-contact counts after adoptions; note who may fire next (event-driven).

        Only the contacts of ``new`` (distinct indices) see their counts change,
        so only they are re-evaluated by the deterministic rules; the Bass
        word-of-mouth rate ``q a/k`` is likewise refreshed for them alone.
        """
        g = self.graph
        if self._wom_weight is not None and len(new):
            self._wom_weight[new] = self._wom_term[new] = np.nan
        if g.complete:
            if len(new):
                self.counts += len(new)
                self.counts[new] -= 1
                if self._wom_term is not None:
                    wom.refresh_hazard(self._wom_term, self.counts, self._wom_weight)
            self._pending = None  # everyone's count moved
        elif len(new):
            if self.rule == "cascade":  # the coins need the edges' positions: gather them once
                indptr, indices = self._out
                pos = self.backend.positions(indptr, new)
                self.backend.scatter_add(self.counts, indices[pos])  # kept for inspection; the rule reads coins
                moved = None
                pos = pos[coins.live(self._coin_key, pos, self.beta)]
                self._fresh = self.backend.distinct(indices[pos], self.n)
            else:
                moved = self.backend.add_hits(self.counts, *self._out, new, self._matrix)
            if moved is None:  # a big step: everyone's count may have moved
                self._pending = None
            elif self._pending is not None:
                self._pending.append(moved)
            if self._wom_term is not None:
                wom.refresh_hazard(self._wom_term, self.counts, self._wom_weight, moved)
        if self.rule == "cascade" and not g.complete and not len(new):
            self._fresh = self._nobody
        elif self.rule == "cascade" and g.complete:
            self._n_fresh = len(new)

    def _fired(self):
        """Non-adopters whose deterministic word-of-mouth rule fires this step (sorted indices).

        Threshold and complex rules re-evaluate only the people whose count of
        adopted contacts moved since the last evaluation (everyone the first
        time, and on the complete graph); the cascade fires exactly where a
        live edge from a new adopter lands.
        """
        xp, adopted = self.xp, self.state.adopted
        if self.rule in ("threshold", "complex"):
            pending, self._pending = self._pending, None if self.graph.complete else []
            return count_rule_fired(self.counts, self._need, adopted, pending, self._nobody)
        if self.rule == "cascade":
            if self.graph.complete:
                p_hit = 1.0 - (1.0 - self.beta) ** self._n_fresh
                return xp.flatnonzero((self._edge_rng.random(self.n) < p_hit) & ~adopted)
            return self._fresh[~adopted[self._fresh]]
        return self._nobody

    def _left(self):
        """Sorted indices that hold every non-adopter, once they are under a third of everyone; else None.

        The Bass decision then passes over them alone (``among``). Adopters
        may linger in the list (their hazard is NaN, so they never pass); it
        is compacted when they make up half of it.
        """
        left = self.n - self.state.n_adopted
        if self.backend.coded_bass or left * 3 >= self.n:
            return None
        if self._among is None:
            self._among = self.xp.flatnonzero(~self.state.adopted)
        elif len(self._among) > 2 * left:
            self._among = self.xp.compress(~self.state.adopted.take(self._among), self._among)
        return self._among

    def step(self) -> None:
        """Advance one synchronous step: media, word of mouth, recording."""
        t = self.steps
        xp = self.xp
        uniform = None if self.observers else media_mod.uniform_term(self.media, t, self.n)
        if uniform is not None:  # a number for everyone, or None: no per-person array to fill
            media_term, contacts, cost = uniform
        else:
            media_term, contacts, cost = None, 0, 0.0
            for medium in self.media:
                if medium.is_on(t):
                    if media_term is None:
                        media_term = xp.zeros(self.n, dtype=xp.float64)
                    c = medium.contact(media_term, medium.rng)
                    contacts += c
                    cost += c * medium.cost_per_contact
        # once everyone has adopted no draw can matter: stop drawing (each run has its own stream, so
        # a twin that still has people to persuade draws exactly what it would have)
        everyone = self.state.n_adopted == self.n
        u = self._wom_rng.random(self.n) if self._draw_u and not everyone else None
        new_media = new_wom = self._nobody
        if self.rule == "bass":
            if not everyone:
                new_media, new_wom = self.backend.bass_adopters(u, media_term, self._wom_term, self.dt,
                                                                self.state.adopted, self._left())
        else:
            new_wom = self._fired()
            if media_term is not None:
                fired = xp.zeros(self.n, dtype=bool)
                fired[new_wom] = True
                by_media, _ = wom.triggered_decision(u, media_term, fired, self.dt)
                new_media = xp.flatnonzero(by_media & ~self.state.adopted)
        self.state.adopt(new_media, t, MEDIA)
        self.state.adopt(new_wom, t, WOM)
        new = xp.concatenate((new_media, new_wom))
        self._after_adoptions(new)
        for observer in self.observers:
            observer(self, t, media_term, new_media, new_wom)
        self._record(t, 0, len(new_media), len(new_wom), contacts, cost)
        if t >= self.max_steps or (self.stop_rule == "quiescent" and not self._can_change(t, len(new))):
            self.running = False
            self.to_host()

    def _can_change(self, t: int, n_new: int) -> bool:
        """Whether any adoption is still possible after step ``t``."""
        if self.state.n_adopted == self.n:
            return False
        for m in self.media:
            if m.may_act_after(t):
                if m.audience is None or not self.state.adopted[m.audience].all():
                    return True
        if self.rule == "bass":
            return self.q > 0 and bool(self.xp.any((self.counts > 0) & ~self.state.adopted))
        if self.rule in ("threshold", "complex", "cascade"):
            return n_new > 0
        return False

    def run(self) -> "DiffusionModel":
        """Step until the stop rule says so; returns the model."""
        while self.running:
            self.step()
        return self

    # -- recording --------------------------------------------------------------

    def _record(self, t: int, by_seed: int, by_media: int, by_wom: int, contacts: int, cost: float) -> None:
        r = records.ensure_row(self._rec, t, self.max_steps)
        r["adopters"][t] = self.state.n_adopted
        r["new_adopters"][t] = by_seed + by_media + by_wom
        r["new_by_seed"][t] = by_seed
        r["new_by_media"][t] = by_media
        r["new_by_wom"][t] = by_wom
        r["media_contacts"][t] = contacts
        r["cost"][t] = cost
        self.steps_run = t

    def timeseries(self) -> pd.DataFrame:
        """One row per step recorded so far (step 0 is the state after seeding)."""
        k = self.steps_run + 1
        steps = np.arange(k, dtype=np.int64)
        cols = {"step": steps, "time": steps * self.dt}
        for col in ("adopters", "new_adopters", "new_by_seed", "new_by_media", "new_by_wom",
                    "media_contacts", "cost"):
            cols[col] = self._rec[col][:k].copy()
        cols["adopted_fraction"] = cols["adopters"] / self.n
        cols["cumulative_cost"] = np.cumsum(cols["cost"])
        return pd.DataFrame({c: cols[c] for c in TIMESERIES_COLUMNS})

    # -- people as Mesa agents --------------------------------------------------

    @property
    def people(self) -> list[Person]:
        """Every person as a :class:`Person` agent, in index order (created on first access).

        They are also registered with Mesa, so ``model.agents`` holds them.
        """
        if self._people is None:
            self._people = [Person(self, i) for i in range(self.n)]
        return self._people

    def person(self, index: int) -> Person:
        """The Mesa agent of person ``index``."""
        return self.people[index]
