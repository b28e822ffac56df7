"""Rules that fire when enough contacts have adopted: the shared event-driven machinery.

A person qualifies when their count of adopted contacts reaches their *need*
(an int32 per person). A count can only grow when a contact has just adopted,
so after the first step only the people whose count moved are re-evaluated,
and a whole cascade costs O(edges touched) rather than O(n × steps). The
results are those of the synchronous sweep, person by person
(tests/test_engine.py). Deterministic rules credit word of mouth whenever the
rule fires, since the person would have adopted anyway; media decide
elsewhere (:meth:`sim.engine.Engine.media_only`).
"""

from __future__ import annotations

import numpy as np

from sim.arrays import array_namespace, sorted_distinct
from sim.rules.base import Rule

__all__ = ["CountRule", "count_rule_fired", "NEVER"]

NEVER = np.iinfo(np.int32).max  # a count of adopted contacts nobody reaches


def count_rule_fired(counts, need, adopted, pending, nobody):
    """Non-adopters whose count of adopted contacts reaches their need (sorted int64 indices).

    ``pending`` lists arrays of the people whose count moved since the last
    evaluation (only they can newly fire; repeats allowed, in any order: the
    hits of :meth:`~sim.backend.Backend.add_hits`), or is None to evaluate
    everyone. The hits are filtered first and the few that fire made
    distinct.

    Examples
    --------
    >>> counts, need = np.array([2, 0, 3]), np.array([2, 1, 1], dtype=np.int32)
    >>> none = np.zeros(0, dtype=np.int64)
    >>> count_rule_fired(counts, need, np.array([False, False, True]), None, none)
    array([0])
    >>> count_rule_fired(counts, need, np.zeros(3, dtype=bool), [np.array([2, 0, 2])], none)
    array([0, 2])
    """
    xp = array_namespace(counts)
    if pending is None:
        return xp.flatnonzero((counts >= need) & ~adopted)
    if not pending:
        return nobody
    who = pending[0] if len(pending) == 1 else xp.concatenate(pending)
    # take and compress: 2-4x faster than fancy and boolean indexing on NumPy 2.4 (int32 indices, random masks)
    who = who.compress(~adopted.take(who))
    who = who.compress(counts.take(who) >= need.take(who))
    return sorted_distinct(who).astype(xp.int64, copy=False)


class CountRule(Rule):
    """A rule given by each person's need, a count of adopted contacts (int32 state ``need``).

    Subclasses say how the need is set (:meth:`needs`); the engine's pushes
    keep the list of people to re-evaluate (``pending``; None: everyone, as
    at the start, on the complete graph and after dense pushes). The compiled
    push lists only those whose count reached their need.
    """

    push_watch = ("need", "need")
    adopter_counts = False  # only non-adopters can fire

    def needs(self, model) -> tuple[np.ndarray, np.ndarray]:
        """``(thresholds, need)`` of one replicate: the rule's own thresholds and them as counts."""
        raise NotImplementedError

    def setup(self, model, target) -> dict:
        thresholds, need = self.needs(model)
        return {"thresholds": thresholds, "need": need, "pending": None}

    def thresholds(self, state: dict):
        return state["thresholds"]

    def pushed(self, eng, new, moved, edges) -> None:
        st = eng.data
        if eng.complete or moved is None:
            if eng.complete or len(new):
                st["pending"] = None  # everyone's count may have moved
        elif st["pending"] is not None:
            st["pending"].append(moved)

    def decide(self, eng, u, media_term):
        st = eng.data
        pending, st["pending"] = st["pending"], None if eng.complete else []
        fired = count_rule_fired(eng.counts, st["need"], eng.adopted, pending, eng.nobody)
        return eng.media_only(u, media_term, fired)

    def may_change(self, eng, n_new):
        return n_new > 0
