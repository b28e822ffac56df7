"""The diffusion model: word of mouth against mass media on a social graph.

:class:`DiffusionModel` is a :class:`mesa.Model`. It owns the run (random
streams, step counter, mechanisms, recorder) while the state lives in arrays
and each step is a handful of vectorised operations, so a million people run in
seconds. The step itself is :class:`sim.engine.Engine`'s, written once for
one run and for blocks of replicates (:mod:`sim.batch`); the word-of-mouth
rule is a plug-in (:mod:`sim.rules`). People are also available as
:class:`mesa.Agent` objects (:attr:`DiffusionModel.people`), created on first
use as thin views over the arrays, for inspection and the browser app;
running never needs them. A rule of your own, written per agent the Mesa way,
subclasses :class:`Person` (see :mod:`sim.rules.agents`).

Steps are synchronous: decisions in step t read the state at the end of step
t-1. Within a step: media contacts, then word of mouth and the adoption
decision, then recording. Every adoption records its step and its channel
(seed, media, word of mouth). With ``device="gpu"`` the same code runs on
CuPy arrays (see :mod:`sim.backend`).

Examples
--------
>>> m = DiffusionModel("bass", seed=3, overrides={"network.n": 2000, "run.steps": 20})
>>> _ = m.run()
>>> ts = m.timeseries()
>>> int(ts["adopters"].iloc[-1]) == sum(m.state.by_channel().values())
True
>>> float(ts["adopted_fraction"].iloc[-1]) > 0.9
True
>>> m.steps == m.steps_run
True
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from sim import config, networks, rules
from sim.backend import get_backend
from sim.engine import RECORD_COLUMNS, Engine
from sim.errors import ConfigError
from sim.mechanisms import media as media_mod
from sim.mechanisms import seeding
from sim.population import CHANNELS, State
from sim.streams import Streams

__all__ = ["DiffusionModel", "Person", "TIMESERIES_COLUMNS", "network_stream"]

TIMESERIES_COLUMNS = ("step", "time", "adopters", "adopted_fraction", "new_adopters", "new_by_seed",
                      "new_by_media", "new_by_wom", "media_contacts", "cost", "cumulative_cost")
LEAVER_COLUMNS = ("new_leavers", "leavers")  # after the others, for rules where adopters may leave


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
    def adopted_contacts(self) -> int:
        """How many of this person's contacts had adopted at the end of the last step."""
        return int(self.model.counts[self.index])

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
    graph : networkx graph, SciPy sparse matrix or sim.networks.Graph, optional
        A graph of your own, used instead of the scenario's ``network``
        section (see :func:`sim.networks.as_graph`).

    Attributes
    ----------
    rule : sim.rules.Rule
        The word-of-mouth rule of this run (``rule.name`` is ``wom.rule``).
    engine : sim.engine.Engine
        The state and the step.
    observers : list
        Callables ``observer(model, step, media_term, new_media, new_wom)``,
        run after each step's adoptions and before recording. ``media_term``
        is None when no medium was on, one number when every person got the
        same persuasion, else the per-person array (> 0 means contacted).
        They change nothing in how the model runs: replicate blocks call each
        replicate's own with its own view.
    """

    def __init__(self, scenario="bass", seed: int | None = None, overrides: dict | None = None,
                 device: str = "cpu", *, graph=None):
        target = get_backend(device)
        spec = config.load(scenario, overrides=overrides, seed=seed)
        super().__init__(rng=spec.seed)
        self.spec = spec  # not "scenario": reserved by Mesa 3.5
        self.streams = Streams(spec.seed)
        # graph: a graph of one's own, or the one this scenario builds, built once by sim.batch for
        # replicates sharing it
        self.graph = networks.as_graph(graph) if graph is not None else networks.build(spec.section("network"),
                                                                                       self._network_stream())
        self.n = n = self.graph.n
        self.degree = self.graph.in_degree
        self.state = State(n)  # bool, int32 and int8 arrays: 6 bytes a person
        self.counts = np.zeros(n, dtype=np.int32)  # adopted contacts, end of last step (the engine's)

        w = spec.section("wom")
        self.rule = rules.get(w["rule"])(w)
        self.order = spec.get("run.order")
        if self.order not in self.rule.orders:
            raise ConfigError("run.order", f"must be {' or '.join(self.rule.orders)} with wom.rule = "
                              f"{self.rule.name}; got {self.order!r}")
        data = self.rule.setup(self, target)
        self.thresholds = self.rule.thresholds(data)
        self.media = [self._medium(m, target) for m in spec.media]
        self.wom_rng = target.generator(self.streams.get("wom"))
        self.dt = spec.get("run.dt")
        self.max_steps = spec.get("run.steps")
        self.stop_rule = spec.get("run.stop")
        self.rule_state = None  # the rule's own state after the run (Engine.rule_state), for its summary
        self.steps_run = 0
        self._rec = None  # a record of one's own, once a replicate block has run (own_record)

        s = spec.section("seeding")
        k = seeding.n_seeds(s["count"], s["fraction"], n)
        seeds = seeding.choose(s["strategy"], k, n=n, out_degree=self.graph.out_degree,
                               rng=self.streams.get("seeding"), friend_of=self._friend_of,
                               nodes=s["nodes"], labels=self.graph.labels,
                               greedy=(self.graph, w["beta"] if s["greedy_beta"] is None else s["greedy_beta"],
                                       s["greedy_samples"]))
        cost = len(seeds) * s["cost_per_seed"]
        held = self.rule.holders(data)  # people in the adopted state from the start (opinion rules)
        if held is not None and len(held):
            seeds = np.union1d(seeds, held).astype(np.int64)
        self.engine = Engine.single(self, self.rule, get_backend("cpu"), data)  # set-up runs on the host
        self.engine.seed(seeds, cost)
        self._people = None
        self.observers: list = []
        self.running = self.max_steps > 0
        if target is not self.engine.be:
            self.engine.move(target)

    @property
    def counts(self) -> np.ndarray:
        """Each person's adopted contacts at the end of the last step (int32; the engine's, brought up to date)."""
        eng = self.__dict__.get("engine")
        if eng is not None and eng.R == 1 and eng.models[0] is self:
            eng.exact_counts()
        return self._counts

    @counts.setter
    def counts(self, value) -> None:
        self._counts = value

    @property
    def backend(self):
        """Where the arrays live (:class:`sim.backend.Backend`)."""
        return self.engine.be

    @property
    def xp(self):
        return self.engine.xp

    def _network_stream(self) -> np.random.Generator:
        """The graph's random stream: the run's, or a fixed ``network.seed`` shared across replicates."""
        return network_stream(self.spec, self.streams)

    # -- set-up helpers -------------------------------------------------------

    def _medium(self, m: dict, target) -> media_mod.Medium:
        label = f"media.{m['name']}" if len(self.spec.media) > 1 else "media"
        aud = media_mod.audience(m, label, self.graph.out_degree, self.graph.segments, self.graph.segment_names)
        medium = media_mod.Medium(name=m["name"], p=m["p"], reach=m["reach"], start=m["start"], stop=m["stop"],
                                  cost_per_contact=m["cost_per_contact"], audience=aud)
        medium.rng = target.generator(self.streams.get("media", m["name"]))
        return medium

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

    def step(self) -> None:
        """Advance one synchronous step (:meth:`sim.engine.Engine.step`)."""
        eng = self.engine
        eng.step(self.steps)
        self.steps_run = eng.steps
        if eng.stopped_at[0] >= 0:
            eng.finish()

    def to_host(self) -> None:
        """Bring the state back to NumPy arrays (done after the last step; a no-op on the CPU)."""
        self.engine._hand_back(host=True)

    def run(self) -> "DiffusionModel":
        """Step until the stop rule says so; returns the model."""
        while self.running:
            self.step()
        return self

    # -- recording --------------------------------------------------------------

    def own_record(self, rec: dict) -> None:
        """Keep ``rec`` (column -> per-step array) as this model's record, and the step count it implies.

        Called by a replicate block after it has run: the model then stands
        alone, as if it had run by itself.
        """
        self._rec = rec
        _set_steps(self, self.steps_run)

    def timeseries(self) -> pd.DataFrame:
        """One row per step recorded so far (step 0 is the state after seeding).

        Rules where adopters may leave (``rule.monotone`` false) add
        ``new_leavers`` (per step) and ``leavers`` (so far) after the usual columns; then come the
        rule's own counts (``rule.columns``, each ``new_*`` with its running total).
        """
        k = self.steps_run + 1
        rec = self._rec if self._rec is not None else {c: a[0] for c, a in self.engine.rec.items()}
        steps = np.arange(k, dtype=np.int64)
        cols = {"step": steps, "time": steps * self.dt}
        for col in (*RECORD_COLUMNS, "cost"):
            cols[col] = rec[col][:k].copy()
        cols["adopted_fraction"] = cols["adopters"] / self.n
        cols["cumulative_cost"] = np.cumsum(cols["cost"])
        names = TIMESERIES_COLUMNS
        if "new_leavers" in rec:
            cols["new_leavers"] = rec["new_leavers"][:k].copy()
            cols["leavers"] = np.cumsum(cols["new_leavers"])
            names = (*names, *LEAVER_COLUMNS)
        for col in self.rule.columns:  # the rule's own counts, and the running total of each new_*
            cols[col] = rec[col][:k].copy()
            names = (*names, col)
            if col.startswith("new_"):
                cols[col[4:]] = np.cumsum(cols[col])
                names = (*names, col[4:])
        return pd.DataFrame({c: cols[c] for c in names})

    # -- people as Mesa agents --------------------------------------------------

    @property
    def people(self) -> list[Person]:
        """Every person as a :class:`Person` agent, in index order (created on first access).

        They are also registered with Mesa, so ``model.agents`` holds them.
        The class is the rule's (``rule.person``, for rules written per
        agent), else :class:`Person`.
        """
        if self._people is None:
            cls = getattr(self.rule, "person", None) or Person
            self._people = [cls(self, i) for i in range(self.n)]
        return self._people

    def person(self, index: int) -> Person:
        """The Mesa agent of person ``index``."""
        return self.people[index]


def network_stream(spec, streams: Streams | None = None) -> np.random.Generator:
    """The random stream a scenario builds its graph from: its seed's, or a fixed ``network.seed``'s.

    ``bouche graph build`` draws from it too, so a stored graph is the one the scenario builds.
    """
    fixed = spec.values.get("network.seed")
    return (Streams(fixed) if fixed is not None else streams or Streams(spec.seed)).get("network")


def _set_steps(model, k: int) -> None:
    """Set Mesa's step counter (and clock, on Mesa versions that keep one) of a model a replicate block
    stepped: Mesa advances them only in ``model.step``."""
    try:
        model.steps = k
    except AttributeError:  # a read-only counter (Mesa versions that derive it from model.time)
        model._steps = k
    if isinstance(getattr(type(model), "time", None), property):
        return  # a clock derived from the steps
    if isinstance(getattr(model, "time", None), (int, float)):
        model.time = float(k)  # Mesa 3.5: one time unit per step
