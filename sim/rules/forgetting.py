"""Forgetting: Bass adoption, and adopters who drop out; a person who left may adopt again.

Each step a non-adopter adopts as under Bass imitation (media and word of
mouth, one draw), and each adopter at the end of the last step drops out with
probability ``wom.forget`` (a second draw, from the stream ``wom.forget``).
Counts of adopted contacts fall when people leave, so nothing is
event-driven: the hazard is worked out afresh every step.

On the complete graph, without media, the adopted share x settles where
inflow meets outflow, ``(1 - x) q x = f x``: ``x* = 1 - f/q`` when q > f, and
0 otherwise (with media of persuasion p: ``(1 - x)(p + q x) = f x``). The
SIS model of epidemiology is the same process.

Examples
--------
>>> import sim
>>> r = sim.run("bass", seed=2, overrides={"network.kind": "complete", "network.n": 2000, "wom.rule": "forgetting",
...             "wom.q": 0.5, "wom.forget": 0.1, "media": [], "seeding.strategy": "random",
...             "seeding.fraction": 0.1, "run.steps": 200})
>>> bool(abs(r.timeseries["adopted_fraction"].iloc[-50:].mean() - steady_state(0.5, 0.1)) < 0.02)
True
>>> int(r.timeseries["leavers"].iloc[-1]) > 0
True
"""

from __future__ import annotations

import numpy as np

from sim.params import prob
from sim.rules.base import Rule
from sim.rules.bass import Q, bass_weight, engine_decision, q_control

__all__ = ["Forgetting", "FORGET", "steady_state"]

FORGET = prob("wom.forget", 0.05, "per-step probability that an adopter drops out (and may adopt again)")


def steady_state(q: float, forget: float, p: float = 0.0) -> float:
    """The mean-field adopted share where adoption and forgetting balance on the complete graph.

    Solves ``(1 - x)(p + q x) = f x`` for x in [0, 1].

    Examples
    --------
    >>> steady_state(0.5, 0.1)
    0.8
    >>> steady_state(0.1, 0.5)
    0.0
    """
    if q == 0:
        return p / (p + forget) if p + forget > 0 else 0.0
    # q x^2 + (forget + p - q) x - p = 0, the root in [0, 1]
    b = forget + p - q
    x = (-b + np.sqrt(b * b + 4 * q * p)) / (2 * q)
    return float(round(min(max(x, 0.0), 1.0), 12))


class Forgetting(Rule):
    """Bass adoption (``wom.q``, media) plus a per-step chance ``wom.forget`` that an adopter leaves."""

    name = "forgetting"
    label = "Bass with forgetting"
    params = (Q, FORGET)
    monotone = False
    draws = 1

    @classmethod
    def detail(cls, values: dict) -> str:
        return f"q = {values['wom.q']:g}, forget = {values['wom.forget']:g}"

    @classmethod
    def controls(cls, values: dict) -> dict:
        return {**q_control(values),
                "wom.forget": {"type": "SliderFloat", "value": values["wom.forget"], "min": 0.0, "max": 0.5,
                               "step": 0.01, "label": "forgetting, per step"}}

    def setup(self, model, target) -> dict:
        return {"weight": bass_weight(model.graph, self.values["q"]),
                "leave_rng": target.generator(model.streams.get("wom", "forget"))}

    def decide(self, eng, u, media_term):
        if u is None:
            return eng.nobody, eng.nobody
        term = eng.counts * eng.data["weight"]  # afresh: counts fall as well as rise
        return engine_decision(eng, u, media_term, term)

    def leavers(self, eng, t: int):
        forget = self.values["forget"]
        if forget <= 0:
            return eng.nobody
        v = eng.uniforms([rng.random for rng in eng.data["leave_rng"]])
        return eng.xp.flatnonzero((v < forget) & eng.adopted)

    def may_change(self, eng, n_new):
        q, forget = self.values["q"], self.values["forget"]
        some = eng.n_adopted > 0
        out = some if forget > 0 else np.zeros(eng.R, dtype=bool)
        if q > 0:
            out = out | eng.per_replicate_any((eng.counts > 0) & ~eng.adopted)
        return out
