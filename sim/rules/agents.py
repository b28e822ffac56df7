"""Rules written per agent, the Mesa way: each person decides in a method of their own.

Subclass :class:`sim.model.Person` (a :class:`mesa.Agent`) with a
``decide(self) -> bool`` method, turn it into a rule with :func:`person_rule`
and register it; then ``wom.rule = "NAME"`` runs it through the same model,
media, seeding, recording and outputs as the built-in rules. Each step every
non-adopter's ``decide`` is called (in index order, on the state at the end of
the last step); True means they adopt by word of mouth this step. Media
still persuade the others. A person reads ``self.adopted_contacts``,
``self.contacts``, ``self.model`` (``self.model.rule.values`` holds the
``wom`` section) and draws from ``self.random`` or ``self.model.rng`` (seeded:
runs repeat exactly).

It is plain Python, one call per person and step: ``python -m benchmarks
extending`` says how much slower than a vectorised rule (:mod:`sim.rules.base`).
Runs of such rules run one by one, never in replicate blocks. Under
``run.stop = "quiescent"`` a step in which nobody adopted ends the run, as
for thresholds; use ``run.stop = "steps"`` for rules where chance may still act.

Examples
--------
>>> import sim
>>> from sim.model import Person
>>> class Follower(Person):
...     def decide(self):
...         return self.adopted_contacts >= 2
>>> _ = sim.rules.register(person_rule(Follower, "follow_two", "follow two friends"))
>>> r = sim.run("bass", seed=1, overrides={"network.kind": "ring", "network.n": 60, "network.k": 4, "media": [],
...             "wom.rule": "follow_two", "seeding.strategy": "nodes", "seeding.nodes": [0, 1], "run.steps": 60})
>>> r.summary["final_adopters"], type(r.model.person(5)).__name__
(60, 'Follower')
>>> sim.rules.unregister("follow_two")
"""

from __future__ import annotations

import numpy as np

from sim.rules.base import Rule

__all__ = ["PersonRule", "person_rule"]


class PersonRule(Rule):
    """The rule of a :class:`~sim.model.Person` subclass whose ``decide()`` says who adopts."""

    person: type | None = None
    batchable = False

    def decide(self, eng, u, media_term):
        model = eng.models[0]
        people = model.people  # the rule's Person class (sim.model.DiffusionModel.people)
        adopted = eng.be.to_host(eng.adopted)
        fired = [i for i in np.flatnonzero(~adopted) if people[i].decide()]
        return eng.media_only(u, media_term, eng.xp.asarray(np.array(fired, dtype=np.int64)))

    def may_change(self, eng, n_new):
        return n_new > 0


def person_rule(person: type, name: str, label: str = "", params: tuple = ()) -> type:
    """A rule class (to :func:`sim.rules.register`, or to pass as ``rule=``) from a Person subclass.

    Parameters
    ----------
    person : type
        A subclass of :class:`sim.model.Person` with a ``decide(self) -> bool`` method.
    name : str
        Its value of ``wom.rule``.
    label : str
        Its name in figures (default: the class name).
    params : tuple of sim.params.Param
        Parameters of its own (keys ``wom.NAME``).
    """
    if not callable(getattr(person, "decide", None)):
        raise TypeError(f"{person!r} needs a decide(self) -> bool method")
    return type(f"{person.__name__}Rule", (PersonRule,), {
        "name": name, "label": label or person.__name__, "params": tuple(params), "person": person,
        "__module__": person.__module__, "__doc__": person.__doc__ or PersonRule.__doc__})
