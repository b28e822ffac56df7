"""Complex contagion: adopt when at least ``count`` contacts have adopted.

Centola, D. & Macy, M. (2007). Complex contagions and the weakness of long ties. AJS 113(3).

Examples
--------
>>> import sim
>>> r = sim.run("bass", seed=1, overrides={"network.kind": "ring", "network.n": 100, "network.k": 4,
...             "wom.rule": "complex", "wom.count": 2, "media": [], "seeding.strategy": "nodes",
...             "seeding.nodes": [0, 1], "run.steps": 100})
>>> r.summary["final_adopters"]
100
"""

from __future__ import annotations

import numpy as np

from sim.params import Param
from sim.rules.counting import CountRule
from sim.rules.threshold import per_person

__all__ = ["Complex", "count_thresholds"]

COUNT = Param("wom.count", "int_or_list", 2, "adopt when at least this many contacts have adopted", lo=0,
              hi=2**31 - 1)


def count_thresholds(wom: dict, n: int) -> np.ndarray:
    """Each person's threshold as a count of adopted contacts, int32 (``wom.count``: one value or n).

    Examples
    --------
    >>> count_thresholds({"count": [0, 1, 2]}, 3)
    array([0, 1, 2], dtype=int32)
    """
    given = per_person(wom["count"], n, "wom.count", np.int32)
    if given is not None:
        return given
    return np.full(n, int(wom["count"]), dtype=np.int32)


class Complex(CountRule):
    """Adopt when at least ``wom.count`` contacts (one value, or one per person) have adopted."""

    name = "complex"
    label = "complex contagion"
    params = (COUNT,)

    @classmethod
    def detail(cls, values: dict) -> str:
        count = values["wom.count"]
        return "count = " + ("per person" if isinstance(count, list) else f"{count}")

    @classmethod
    def controls(cls, values: dict) -> dict:
        if isinstance(values["wom.count"], list):
            return {}
        return {"wom.count": {"type": "SliderInt", "value": values["wom.count"], "min": 1, "max": 10, "step": 1,
                              "label": "contacts needed (count)"}}

    def needs(self, model):
        need = count_thresholds(self.values, model.n)
        return need, need
