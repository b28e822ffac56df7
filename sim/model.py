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

import mesa
import numpy as np
import pandas as pd

from sim import config, networks
from sim.mechanisms import media as media_mod
from sim.mechanisms import seeding, wom
from sim.population import CHANNELS, MEDIA, SEED, WOM, State, count_thresholds, fractional_thresholds
from sim.streams import Streams

__all__ = ["DiffusionModel", "Person", "TIMESERIES_COLUMNS"]

TIMESERIES_COLUMNS = ("step", "time", "adopters", "adopted_fraction", "new_adopters", "new_by_seed",
                      "new_by_media", "new_by_wom", "media_contacts", "cost", "cumulative_cost")


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
    """

    def __init__(self, scenario="bass", seed: int | None = None, overrides: dict | None = None):
        spec = config.load(scenario, overrides=overrides, seed=seed)
        super().__init__(rng=spec.seed)
        self.spec = spec  # not "scenario": reserved by Mesa 3.5
        self.streams = Streams(spec.seed)
        self.graph = networks.build(spec.section("network"), self.streams.get("network"))
        self.n = n = self.graph.n
        self.degree = self.graph.in_degree
        self.state = State(n)
        self.counts = np.zeros(n, dtype=np.int32)  # adopted contacts, end of last step

        w = spec.section("wom")
        self.rule = w["rule"]
        self.q = w["q"]
        self.thresholds = None
        if self.rule == "threshold":
            self.thresholds = fractional_thresholds(w, n, self.streams.get("population"))
        elif self.rule == "complex":
            self.thresholds = count_thresholds(w, n)
        self._setup_cascade(w["beta"])

        self.media = [self._medium(m) for m in spec.media]
        self._wom_rng = self.streams.get("wom")
        self._draw_u = self.rule == "bass" or bool(self.media)
        self.dt = spec.get("run.dt")
        self.max_steps = spec.get("run.steps")
        self.stop_rule = spec.get("run.stop")

        cols = ("adopters", "new_adopters", "new_by_seed", "new_by_media", "new_by_wom", "media_contacts")
        self._rec = {c: np.zeros(self.max_steps + 1, dtype=np.int64) for c in cols}
        self._rec["cost"] = np.zeros(self.max_steps + 1, dtype=np.float64)
        self.steps_run = 0

        s = spec.section("seeding")
        k = seeding.n_seeds(s["count"], s["fraction"], n)
        seeds = seeding.choose(s["strategy"], k, n=n, out_degree=self.graph.out_degree,
                               rng=self.streams.get("seeding"), friend_of=self._friend_of,
                               nodes=s["nodes"], labels=self.graph.labels)
        self.state.adopt(seeds, 0, SEED)
        self._after_adoptions(seeds)
        self._record(0, len(seeds), 0, 0, 0, len(seeds) * s["cost_per_seed"])
        self._people = None
        # Callables observer(model, step, media_term, new_media, new_wom), run after each step's
        # adoptions and before recording; media_term is None when no medium was on, else the
        # per-person persuasion of this step's contacts (> 0 means contacted).
        self.observers: list = []
        self.running = self.max_steps > 0

    # -- set-up helpers -------------------------------------------------------

    def _medium(self, m: dict) -> media_mod.Medium:
        label = f"media.{m['name']}" if len(self.spec.media) > 1 else "media"
        aud = media_mod.audience(m, label, self.graph.out_degree, self.graph.segments, self.graph.segment_names)
        medium = media_mod.Medium(name=m["name"], p=m["p"], reach=m["reach"], start=m["start"], stop=m["stop"],
                                  cost_per_contact=m["cost_per_contact"], audience=aud)
        medium.rng = self.streams.get("media", m["name"])
        return medium

    def _setup_cascade(self, beta: float) -> None:
        self.beta = beta
        self._fresh = None
        if self.rule != "cascade":
            return
        self._fresh = np.zeros(self.n, dtype=np.int32)
        coins = self.streams.get("wom", "edges")
        if self.graph.complete:
            self._edge_rng = coins
            return
        g = self.graph
        live = wom.live_edge_mask(len(g.out_indices), beta, coins)
        per_row = np.add.reduceat(live, g.out_indptr[:-1]) if len(live) else np.zeros(self.n, dtype=np.int64)
        per_row[np.diff(g.out_indptr) == 0] = 0  # reduceat repeats the next value for empty rows
        self._live_indptr = np.concatenate(([0], np.cumsum(per_row))).astype(np.int64)
        self._live_indices = g.out_indices[live]

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

    def _after_adoptions(self, new: np.ndarray) -> None:
        """Update adopted-contact counts (and cascade chances) after adoptions."""
        self.graph.push(self.counts, new)
        if self.rule == "cascade" and not self.graph.complete:
            self._fresh[:] = 0
            if len(new):
                targets = networks.gather_rows(self._live_indptr, self._live_indices, new)
                self._fresh += np.bincount(targets, minlength=self.n).astype(np.int32)
        elif self.rule == "cascade":
            self._n_fresh = len(new)

    def _fired(self) -> np.ndarray | None:
        """People whose deterministic word-of-mouth rule fires this step."""
        if self.rule == "threshold":
            return wom.threshold_met(self.counts, self.degree, self.thresholds)
        if self.rule == "complex":
            return wom.count_met(self.counts, self.thresholds)
        if self.rule == "cascade":
            if self.graph.complete:
                p_hit = 1.0 - (1.0 - self.beta) ** self._n_fresh
                return self._edge_rng.random(self.n) < p_hit
            return self._fresh > 0
        return np.zeros(self.n, dtype=bool)

    def step(self) -> None:
        """Advance one synchronous step: media, word of mouth, recording."""
        t = self.steps
        media_term, contacts, cost = None, 0, 0.0
        for medium in self.media:
            if medium.is_on(t):
                if media_term is None:
                    media_term = np.zeros(self.n, dtype=np.float64)
                c = medium.contact(media_term, medium.rng)
                contacts += c
                cost += c * medium.cost_per_contact
        u = self._wom_rng.random(self.n) if self._draw_u else None
        if self.rule == "bass":
            by_media, by_wom = wom.bass_decision(u, media_term, wom.bass_hazard(self.counts, self.degree, self.q),
                                                 self.dt)
        else:
            by_media, by_wom = wom.triggered_decision(u, media_term, self._fired(), self.dt)
        waiting = ~self.state.adopted
        new_media = np.flatnonzero(by_media & waiting)
        new_wom = np.flatnonzero(by_wom & waiting)
        self.state.adopt(new_media, t, MEDIA)
        self.state.adopt(new_wom, t, WOM)
        new = np.concatenate((new_media, new_wom))
        self._after_adoptions(new)
        for observer in self.observers:
            observer(self, t, media_term, new_media, new_wom)
        self._record(t, 0, len(new_media), len(new_wom), contacts, cost)
        if t >= self.max_steps or (self.stop_rule == "quiescent" and not self._can_change(t, len(new))):
            self.running = False

    def _can_change(self, t: int, n_new: int) -> bool:
        """Whether any adoption is still possible after step ``t``."""
        if self.state.n_adopted == self.n:
            return False
        for m in self.media:
            if m.may_act_after(t):
                if m.audience is None or not self.state.adopted[m.audience].all():
                    return True
        if self.rule == "bass":
            return self.q > 0 and bool(np.any((self.counts > 0) & ~self.state.adopted))
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
        r = self._rec
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
        steps = np.arange(k)
        df = pd.DataFrame({"step": steps, "time": steps * self.dt})
        for col in ("adopters", "new_adopters", "new_by_seed", "new_by_media", "new_by_wom",
                    "media_contacts", "cost"):
            df[col] = self._rec[col][:k]
        df.insert(3, "adopted_fraction", df["adopters"] / self.n)
        df["cumulative_cost"] = df["cost"].cumsum()
        return df[list(TIMESERIES_COLUMNS)]

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
