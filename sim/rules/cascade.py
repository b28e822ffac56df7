"""Independent cascades: each new adopter gets one chance, with probability β, to convert each contact.

Kempe, D., Kleinberg, J. & Tardos, É. (2003). Maximizing the spread of influence
through a social network. KDD.

The coin of each edge is a hash of its position and a key drawn once per run
(:mod:`sim.coins`), so it is computed when the edge is tried, on the CPU and
the GPU alike, and replicates in one block each keep their own coins. On the
implicit complete graph a person is hit with probability ``1 - (1 - β)^k``
when k people adopted in the last step.

Examples
--------
>>> import sim
>>> r = sim.run("bass", seed=1, overrides={"network.n": 500, "wom.rule": "cascade", "wom.beta": 0.3,
...             "media": [], "seeding.strategy": "random", "seeding.count": 5})
>>> r.summary["adopters_by_channel"]["seed"]
5
"""

from __future__ import annotations

import numpy as np

from sim import coins
from sim.arrays import row_positions
from sim.params import prob
from sim.rules.base import Rule

__all__ = ["Cascade", "BETA"]

BETA = prob("wom.beta", 0.05, "probability that a new adopter converts each contact (one chance)")


class Cascade(Rule):
    """One chance per edge: a new adopter converts each contact with probability ``wom.beta``."""

    name = "cascade"
    label = "independent cascade"
    params = (BETA,)
    wants_edges = True
    index_state = ("fresh",)

    @classmethod
    def detail(cls, values: dict) -> str:
        return f"beta = {values['wom.beta']:g}"

    @classmethod
    def controls(cls, values: dict) -> dict:
        return {"wom.beta": {"type": "SliderFloat", "value": values["wom.beta"], "min": 0.0, "max": 0.5,
                             "step": 0.01, "label": "cascade beta"}}

    def setup(self, model, target) -> dict:
        stream = model.streams.get("wom", "edges")
        state = {"fresh": np.zeros(0, dtype=np.int64), "n_fresh": 0}  # fresh: people a live edge reached last push
        if model.graph.complete:
            state["edge_rng"] = target.generator(stream)
        else:
            state["key"] = coins.coin_key(stream)
        return state

    def pushed(self, eng, new, moved, edges) -> None:
        st, beta = eng.data, self.values["beta"]
        if eng.complete:
            st["n_fresh"] = len(new)
            return
        if not len(new):
            st["fresh"] = eng.nobody
            return
        pos, off = edges
        indices = eng.out[1]
        if off is None:
            st["fresh"] = eng.be.distinct(indices[pos[coins.live(st["key"][0], pos, beta)]], eng.size)
            return
        if "keys" not in st:
            st["keys"] = eng.xp.asarray(np.array(st["key"], dtype=np.uint64))
        keep = coins.live(st["keys"][off // eng.n], pos, beta)
        st["fresh"] = eng.be.distinct(indices[pos[keep]] + off[keep], eng.size)

    def decide(self, eng, u, media_term):
        st = eng.data
        if eng.complete:  # one replicate (the complete graph runs alone)
            p_hit = 1.0 - (1.0 - self.values["beta"]) ** st["n_fresh"]
            fired = eng.xp.flatnonzero((st["edge_rng"][0].random(eng.n) < p_hit) & ~eng.adopted)
        else:
            fresh = st["fresh"]
            fired = fresh[~eng.adopted[fresh]]
        return eng.media_only(u, media_term, fired)

    def may_change(self, eng, n_new):
        return n_new > 0

    def credit(self, eng, new_wom, t, pushers):
        """The contact whose push succeeded: among last step's adopters, those whose edge to the person came
        up live (the same coins as the run), the lowest index when several did. On the complete graph, where
        the coins are drawn per person, the default (:func:`~sim.rules.base.latest_contact`)."""
        if eng.complete or not len(new_wom) or not len(pushers):
            return super().credit(eng, new_wom, t, pushers)
        indptr, indices = eng.graph.out_rows
        pushers = np.asarray(pushers, dtype=np.int64)
        pos, row = row_positions(np, indptr, pushers, sources=True)
        keep = coins.live(eng.data["key"][0], pos, self.values["beta"])
        target, source = indices[pos[keep]].astype(np.int64), pushers[row[keep]]
        order = np.lexsort((source, target))  # per target, the lowest source first
        target, source = target[order], source[order]
        at = np.minimum(np.searchsorted(target, new_wom), max(len(target) - 1, 0))
        found = (target[at] == new_wom) if len(target) else np.zeros(len(new_wom), dtype=bool)
        return np.where(found, source[at] if len(target) else -1, -1).astype(np.int64)
