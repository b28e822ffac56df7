"""Opinion dynamics as rules: the voter model, Deffuant–Weisbuch, Hegselmann–Krause and the algorithmic bias.

Each person holds an opinion: 0 or 1 in the voter model, a number in [0, 1]
otherwise, drawn from the population stream (``population.opinions``:
``uniform``, or a ``split`` with ``population.share`` holding 1). Zealots
(``wom.zealots``, a share drawn at random) never change theirs. What the
engine counts as adopting is holding an opinion above 1/2 (the voter model's
opinion 1): people above it at the start count as adopters at step 0, with
the campaign's seeds (who start at 1).

Rules (``wom.rule``):

``voter``
    A person takes the opinion of a random contact (Clifford & Sudbury 1973;
    Holley & Liggett 1975).
``deffuant``
    Two contacts meet; if their opinions differ by less than ``wom.epsilon``
    each moves toward the other by ``wom.mu`` times the difference
    (Deffuant, Neau, Amblard & Weisbuch 2000).
``algorithmic_bias``
    The same meeting, but the feed picks whom you meet: contact j with weight
    ``(|x_i - x_j| + 1e-5)^-gamma`` (``wom.gamma``; 0 is Deffuant), so the
    like-minded are met more (Sîrbu, Pedreschi, Giannotti & Kertész 2019,
    PLoS ONE 14(3)).
``hegselmann_krause``
    Everyone moves at once to the mean opinion of the contacts (and self)
    within ``wom.epsilon`` (Hegselmann & Krause 2002).

``run.order = "random_sequential"``: one random person acts per tick and n
ticks make a step, as the published results assume (the voter model,
Deffuant and the algorithmic bias), run exactly in vectorised batches
(:mod:`sim.rules.ticks`); ``"synchronous"``: everyone at once (the voter model
and Hegselmann–Krause).

Media are stubborn voices (as in the media variant of the algorithmic-bias
model): each holds ``media.opinion`` and reaches people as media do (reach,
audience, schedule, cost). A person it reaches listens as to a contact (moves
toward it within the confidence bound; in the voter model takes its opinion
with probability ``media.p``); adoptions in a step where a medium moved the
person are credited to media.

Measures (:mod:`sim.rules.camps`) per step and at the end: clusters of
opinions (no gap wider than 0.01 inside one), those holding at least 2 % of
people, the largest one's share, the spread (standard deviation), the
polarisation (4 × variance: 1 for two equal camps at 0 and 1), the width
(max - min; consensus is a width of at most 0.02) and the largest change of
an opinion in the step.
"""

from __future__ import annotations

import numpy as np

from sim.errors import ConfigError
from sim.params import Param, prob
from sim.rules import camps, ticks_jit
from sim.rules.base import Rule
from sim.rules.ticks import run_ticks

__all__ = ["OpinionRule", "Voter", "Deffuant", "AlgorithmicBias", "HegselmannKrause", "EPSILON", "MU", "GAMMA",
           "ZEALOTS"]

EPSILON = Param("wom.epsilon", "prob", 0.2, "confidence bound: people listen only to opinions closer than this",
                lo=0.0, hi=1.0, lo_open=True)
MU = Param("wom.mu", "prob", 0.5, "convergence: the share of the difference a person moves toward an opinion "
           "they listen to", lo=0.0, hi=0.5, lo_open=True)
GAMMA = Param("wom.gamma", "float", 0.0, "feed bias: contacts are met with weight (distance)^-gamma "
              "(0: at random)", lo=0.0, hi=10.0)
ZEALOTS = prob("wom.zealots", 0.0, "share of people who never change their opinion")
_SOFT = 1e-5  # added to distances before the feed's power: like-minded contacts are likely, not certain


class OpinionRule(Rule):
    """What the opinion rules share: opinions, zealots, media as stubborn voices, the measures."""

    monotone = False
    media_each = True
    discrete = False  # opinions 0/1 (the voter model) rather than in [0, 1]
    replicate_state = (*camps.COLUMNS, "max_change")
    columns = (*camps.COLUMNS, "max_change")
    column_types = dict.fromkeys(columns, np.float64)

    @classmethod
    def detail(cls, values: dict) -> str:
        parts = [f"epsilon = {values['wom.epsilon']:g}", f"mu = {values['wom.mu']:g}"] if not cls.discrete else []
        if values.get("wom.zealots"):
            parts.append(f"{values['wom.zealots']:.0%} zealots")
        return ", ".join(parts)

    @classmethod
    def controls(cls, values: dict) -> dict:
        if cls.discrete:
            return {}
        return {"wom.epsilon": {"type": "SliderFloat", "value": values["wom.epsilon"], "min": 0.02, "max": 0.6,
                                "step": 0.01, "label": "confidence bound epsilon"}}

    # -- set-up ---------------------------------------------------------------------------------------

    def setup(self, model, target) -> dict:
        n, spec = model.n, model.spec
        if target.xp is not np:
            raise ConfigError("device", f"must be cpu with wom.rule = {self.name} (its interactions run on the "
                                        f"host, compiled where Numba is installed); got gpu")
        rng = model.streams.get("population", "opinions")
        how = spec.get("population.opinions")
        if how == "auto":
            how = "split" if self.discrete else "uniform"
        if how == "split":
            opinion = (rng.random(n) < spec.get("population.share")).astype(np.float64)
        else:
            opinion = rng.random(n)
        zealot = rng.random(n) < self.values["zealots"]
        self.media_opinion = []
        for m in spec.media:
            label = f"media.{m['name']}" if len(spec.media) > 1 else "media"
            if m.get("opinion") is None:
                raise ConfigError(f"{label}.opinion", f"must be a number in [0, 1] with wom.rule = {self.name} "
                                                      f"(the opinion the medium holds); got none")
            self.media_opinion.append(float(m["opinion"]))
        state = {"opinion": opinion, "zealot": zealot, "by_media": np.zeros(n, dtype=bool),
                 "left": np.zeros(0, dtype=np.int64), "ticks": model.streams.get("wom", "ticks"),
                 "media_draws": model.streams.get("wom", "media"), "max_change": np.zeros(1)}
        self.edges = None if model.graph.complete else (
            np.repeat(np.arange(n), np.diff(model.graph.in_indptr)), model.graph.in_indices)
        state.update({c: np.array([v]) for c, v in camps.measure(opinion, self.bound, self.edges).items()})
        return state

    def holders(self, state: dict):
        return np.flatnonzero(state["opinion"] > 0.5)

    # -- the step -------------------------------------------------------------------------------------

    def decide(self, eng, u, media_term):
        st, n, R = eng.data, eng.n, eng.R
        x = st["opinion"]
        if eng.steps == 0:  # the campaign's seeds start convinced
            x[eng.adopted & (x <= 0.5)] = 1.0
        before = x.copy()
        st["by_media"][:] = False
        if media_term is not None:
            self._hear(eng, media_term)
        for r in range(R):
            sl = slice(r * n, (r + 1) * n)
            self.update(eng, x[sl], st["zealot"][sl], st["ticks"][r])
        change = np.abs(x - before).reshape(R, n).max(axis=1) if n else np.zeros(R)
        st["max_change"][:] = change
        for r in range(R):
            for c, v in camps.measure(x[r * n:(r + 1) * n], self.bound, self.edges).items():
                st[c][r] = v
        above = x > 0.5
        new = np.flatnonzero(above & ~eng.adopted)
        st["left"] = np.flatnonzero(~above & eng.adopted)
        media = st["by_media"][new]
        return new[media], new[~media]

    def leavers(self, eng, t):
        return eng.data["left"]

    def update(self, eng, x, zealot, rng) -> None:
        """One step of the rule on one replicate's opinions ``x`` (a view, changed in place)."""
        raise NotImplementedError

    def _hear(self, eng, terms) -> None:
        """Media as stubborn voices: everyone a medium reached this step listens to it."""
        st, n = eng.data, eng.n
        x, zealot = st["opinion"], st["zealot"]
        for j, term in enumerate(terms):
            if term is None:
                continue
            m = self.media_opinion[j]
            who = np.flatnonzero((term > 0) & ~zealot)
            if self.discrete:
                p = eng.models[0].media[j].p
                draws = np.concatenate([st["media_draws"][r].random(n) for r in range(eng.R)])
                who = who[draws[who] < p]
                x[who] = m
            else:
                d = m - x[who]
                who, d = who[np.abs(d) < self.values["epsilon"]], d[np.abs(d) < self.values["epsilon"]]
                x[who] += self.values["mu"] * d
            st["by_media"][who] = True

    @property
    def bound(self):
        """The confidence bound that decides when opinions have settled (None: the voter model's agreement)."""
        return None if self.discrete else self.values["epsilon"]

    def may_change(self, eng, n_new):
        return eng.data["settled"] < 1  # zealots of both sides keep a voter model going to run.steps

    def counted(self, eng) -> dict:
        st = eng.data
        return {c: float(st[c][0]) if eng.R == 1 else st[c].copy() for c in self.columns}

    # -- results --------------------------------------------------------------------------------------

    def summary(self, state: dict, model) -> dict:
        ts = model.timeseries()
        out = camps.summary(state["opinion"], ts, self.bound, self.edges)
        for j, m in enumerate(model.spec.media):
            near = (np.abs(state["opinion"] - self.media_opinion[j]) < (0.5 if self.discrete else
                                                                         self.values["epsilon"]))
            out.setdefault("near_media", {})[m["name"]] = float(near.mean())
        return out

    def describe(self, summary: dict) -> list[str]:
        s = summary
        agree = (f"consensus at step {s['consensus_step']}" if s["consensus"] else
                 f"{s['major_clusters']} camps of at least 2 % (largest {100 * s['largest_cluster']:.0f} %)")
        return [f"opinions: {agree}; spread {s['spread']:.3f}, polarisation {s['polarisation']:.2f}"
                + (f", steady from step {s['steady_step']}" if s["steady_step"] is not None else "")]

    def picture(self, model, reveal: bool = False):
        from sim.figures.opinions import opinion_frame

        state = model.rule_state if model.rule_state is not None else model.engine.rule_state(0)
        return opinion_frame(model, state["opinion"], self.values)


def _neighbours(graph, actors, u):
    """A uniform random contact (one the actor hears from) for each actor, -1 for those with none."""
    n = graph.n
    if graph.complete:
        return (actors + 1 + (u * (n - 1)).astype(np.int64)) % n if n > 1 else np.full(len(actors), -1)
    indptr, indices = graph.in_indptr, graph.in_indices
    start = indptr[actors].astype(np.int64)
    deg = indptr[actors + 1] - start
    pick = start + np.minimum((u * deg).astype(np.int64), np.maximum(deg - 1, 0))
    out = np.where(deg > 0, indices[np.minimum(pick, max(len(indices) - 1, 0))] if len(indices) else -1, -1)
    return out.astype(np.int64)


def _pairs(ts, actors, partner):
    """``(people, owner)`` of the actor and partner of each tick (ticks without a partner: the actor alone)."""
    k = np.arange(len(ts))
    a = actors[ts]
    has = partner >= 0
    return np.concatenate([a, partner[has]]), np.concatenate([k, k[has]])


class _Paired(OpinionRule):
    """Random sequential rules where a person meets one contact per tick."""

    orders = ("random_sequential",)
    writes_partner = True
    compiled = True  # use the Numba kernel where Numba is installed (tests switch it off to compare)

    def jit(self, x, zealot, actors, u, indptr, indices, complete) -> None:
        ticks_jit.deffuant(x, zealot, actors, u, indptr, indices, complete, self.values["epsilon"],
                           self.values["mu"])

    def update(self, eng, x, zealot, rng) -> None:
        if eng.order == "synchronous":
            self.synchronous(eng, x, zealot, rng)
            return
        n = len(x)
        actors = rng.integers(0, n, size=n)
        u = rng.random(n)
        if ticks_jit.AVAILABLE and self.compiled:  # the same ticks, one after another, compiled
            g = eng.graph
            indptr = g.in_indptr if not g.complete else np.zeros(1, dtype=np.int64)
            indices = g.in_indices if not g.complete else np.zeros(1, dtype=np.int64)
            self.jit(x, zealot, actors, u, indptr, indices, bool(g.complete))
            return

        def writes(ts, partner):
            if self.writes_partner:
                return _pairs(ts, actors, partner)
            return actors[ts], np.arange(len(ts))

        run_ticks(n, n, lambda ts: self.partner(eng.graph, x, actors[ts], u[ts]),
                  lambda ts, p: self.reads(eng.graph, ts, actors, p), writes,
                  lambda ts, p: self.meet(x, zealot, actors[ts], p))

    def partner(self, graph, x, actors, u):
        return _neighbours(graph, actors, u)

    def reads(self, graph, ts, actors, partner):
        return _pairs(ts, actors, partner)

    def meet(self, x, zealot, a, b) -> None:
        """Bounded-confidence meeting of the pairs (a, b): both move toward each other (zealots do not)."""
        has = b >= 0
        a, b = a[has], b[has]
        d = x[b] - x[a]
        close = np.abs(d) < self.values["epsilon"]
        a, b, d = a[close], b[close], d[close] * self.values["mu"]
        x[a[~zealot[a]]] += d[~zealot[a]]
        x[b[~zealot[b]]] -= d[~zealot[b]]

    def synchronous(self, eng, x, zealot, rng) -> None:
        raise NotImplementedError


class Voter(_Paired):
    """The voter model: a person takes the opinion of a random contact."""

    name = "voter"
    label = "voter model"
    params = (ZEALOTS,)
    orders = ("random_sequential", "synchronous")
    discrete = True
    writes_partner = False

    def meet(self, x, zealot, a, b) -> None:
        has = b >= 0
        a, b = a[has], b[has]
        keep = ~zealot[a]
        x[a[keep]] = x[b[keep]]

    def jit(self, x, zealot, actors, u, indptr, indices, complete) -> None:
        ticks_jit.voter(x, zealot, actors, u, indptr, indices, complete)

    def synchronous(self, eng, x, zealot, rng) -> None:
        n = len(x)
        b = _neighbours(eng.graph, np.arange(n), rng.random(n))
        copy = (b >= 0) & ~zealot
        x[copy] = x[b[copy]].copy()


class Deffuant(_Paired):
    """Deffuant–Weisbuch bounded confidence: contacts who differ by less than epsilon move closer."""

    name = "deffuant"
    label = "bounded confidence (Deffuant)"
    params = (EPSILON, MU, ZEALOTS)


class AlgorithmicBias(_Paired):
    """Bounded confidence where the feed favours like-minded contacts with strength gamma (Sîrbu et al. 2019)."""

    name = "algorithmic_bias"
    label = "algorithmic bias"
    params = (EPSILON, MU, GAMMA, ZEALOTS)

    @classmethod
    def detail(cls, values: dict) -> str:
        return f"{super().detail(values)}, gamma = {values['wom.gamma']:g}"

    @classmethod
    def controls(cls, values: dict) -> dict:
        return {**super().controls(values),
                "wom.gamma": {"type": "SliderFloat", "value": values["wom.gamma"], "min": 0.0, "max": 2.0,
                              "step": 0.1, "label": "feed bias gamma"}}

    def jit(self, x, zealot, actors, u, indptr, indices, complete) -> None:
        v = self.values
        if v["gamma"] == 0:
            super().jit(x, zealot, actors, u, indptr, indices, complete)
            return
        ticks_jit.biased(x, zealot, actors, u, indptr, indices, complete, v["epsilon"], v["mu"], v["gamma"], _SOFT)

    def update(self, eng, x, zealot, rng) -> None:
        if not (eng.graph.complete and self.values["gamma"] > 0) or (ticks_jit.AVAILABLE and self.compiled):
            super().update(eng, x, zealot, rng)
            return
        # everyone is a contact: each tick's feed reads every opinion, so ticks go one by one
        n = len(x)
        actors, u = rng.integers(0, n, size=n), rng.random(n)
        eps, mu, gamma = self.values["epsilon"], self.values["mu"], self.values["gamma"]
        for i, v in zip(actors.tolist(), u.tolist()):
            w = (np.abs(x - x[i]) + _SOFT) ** (-gamma)
            w[i] = 0.0
            cum = np.cumsum(w)
            j = min(int(np.searchsorted(cum, v * cum[-1], side="right")), n - 1)
            d = x[j] - x[i]
            if abs(d) < eps:
                if not zealot[i]:
                    x[i] += mu * d
                if not zealot[j]:
                    x[j] -= mu * d

    def partner(self, graph, x, actors, u):
        if self.values["gamma"] == 0:
            return _neighbours(graph, actors, u)
        n = graph.n
        if graph.complete:
            nb = np.tile(np.arange(n), len(actors))
            src = np.repeat(np.arange(len(actors)), n)
            keep = nb != actors[src]
            nb, src = nb[keep], src[keep]
            lens = np.full(len(actors), n - 1)
        else:
            nb, lens = self._contacts(graph, actors)
            src = np.repeat(np.arange(len(actors)), lens)
        # each actor's weights in a row of its own, summed left to right: the arithmetic of one tick alone
        first = np.concatenate(([0], np.cumsum(lens)[:-1]))
        col = np.arange(len(nb)) - np.repeat(first, lens)
        w = np.zeros((len(actors), int(lens.max()) if len(actors) else 0))
        w[src, col] = (np.abs(x[actors[src]] - x[nb]) + _SOFT) ** (-self.values["gamma"])
        cum = np.cumsum(w, axis=1)
        total = cum[np.arange(len(actors)), np.maximum(lens - 1, 0)] if w.size else np.zeros(len(actors))
        k = ((cum <= (u * total)[:, None]) & (np.arange(w.shape[1]) < lens[:, None])).sum(axis=1)
        k = np.minimum(k, np.maximum(lens - 1, 0))
        out = np.where(lens > 0, nb[np.minimum(first + k, max(len(nb) - 1, 0))] if len(nb) else -1, -1)
        return out.astype(np.int64)

    def _contacts(self, graph, actors):
        """The contacts of each actor, end to end, and how many each has (the last answer is kept: the
        partners and the reads of one batch attempt ask for the same actors)."""
        memo = getattr(self, "_memo", None)
        if memo is not None and memo[0] is graph and np.array_equal(memo[1], actors):
            return memo[2], memo[3]
        indptr, indices = graph.in_indptr, graph.in_indices
        lens = (indptr[actors + 1] - indptr[actors]).astype(np.int64)
        starts = np.repeat(indptr[actors].astype(np.int64) - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
        nb = indices[starts + np.arange(lens.sum())].astype(np.int64)
        self._memo = (graph, actors, nb, lens)
        return nb, lens

    def reads(self, graph, ts, actors, partner):
        """The actor, every contact the feed could show (the weights read their opinions), the partner."""
        a = actors[ts]
        k = np.arange(len(ts))
        if self.values["gamma"] == 0:
            return _pairs(ts, actors, partner)
        if graph.complete:
            return np.tile(np.arange(graph.n), len(ts)), np.repeat(k, graph.n)
        nb, lens = self._contacts(graph, a)
        people, owner = _pairs(ts, actors, partner)
        return np.concatenate([people, nb]), np.concatenate([owner, np.repeat(k, lens)])


class HegselmannKrause(OpinionRule):
    """Hegselmann–Krause: everyone moves at once to the mean of the opinions (own included) within epsilon."""

    name = "hegselmann_krause"
    label = "bounded confidence (Hegselmann–Krause)"
    params = (EPSILON, ZEALOTS)

    @classmethod
    def detail(cls, values: dict) -> str:
        text = f"epsilon = {values['wom.epsilon']:g}"
        return text + (f", {values['wom.zealots']:.0%} zealots" if values.get("wom.zealots") else "")

    def update(self, eng, x, zealot, rng) -> None:
        eps, g = self.values["epsilon"], eng.graph
        if g.complete:  # the opinions within epsilon of x are a window of the sorted opinions
            xs = np.sort(x)
            csum = np.concatenate(([0.0], np.cumsum(xs)))
            lo = np.searchsorted(xs, x - eps, side="left")
            hi = np.searchsorted(xs, x + eps, side="right")
            new = (csum[hi] - csum[lo]) / (hi - lo)
        else:
            rows = np.repeat(np.arange(g.n), np.diff(g.in_indptr))
            nb = g.in_indices
            near = np.abs(x[rows] - x[nb]) <= eps
            total = np.bincount(rows[near], weights=x[nb[near]], minlength=g.n) + x
            count = np.bincount(rows[near], minlength=g.n) + 1
            new = total / count
        x[~zealot] = new[~zealot]
