"""No word of mouth: only seeds and media make people adopt.

Examples
--------
>>> import sim
>>> r = sim.run("bass", seed=1, overrides={"network.n": 500, "wom.rule": "none", "run.steps": 5})
>>> r.summary["adopters_by_channel"]["wom"]
0
"""

from __future__ import annotations

from sim.rules.base import Rule

__all__ = ["NoWom"]


class NoWom(Rule):
    """Nobody adopts by word of mouth; media still persuade."""

    name = "none"
    label = "no word of mouth"
