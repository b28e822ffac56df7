"""Budget plans: a split of one budget between the scenario's media and seeding, and what each buys.

A *channel* is a medium of the scenario (by name) or seeding. A plan gives each
channel a share of the budget B, on a grid of 1/G steps (``G = grid``); seeding
also picks its strategy among :data:`STRATEGIES`. A medium's share buys steps on
air from its ``start`` (its reach and p stay as the scenario says; with no
share it is off, reach 0): as many
whole steps as its share pays at its cost per step, at most until the horizon;
seeding's share buys ``floor(share · B / cost_per_seed)`` seeds, at most n. A
medium that costs nothing, or free seeds, are no channel: they stay as the
scenario says in every plan.

A medium's cost per step is measured, not assumed: the mean of the first
:data:`PILOT_STEPS` steps of the scenario with that medium alone on
(:func:`cost_per_step`), so targeted media and segments cost what the engine
charges. Contacts are random, so a plan's actual spend (reported) may differ a
little from its share of the budget.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from sim import config
from sim.errors import ConfigError

__all__ = ["Plan", "STRATEGIES", "SEEDING", "channels", "check_channels", "cost_per_step", "medium_key", "splits",
           "plan_overrides"]

STRATEGIES = ("random", "top_degree", "friend_of_random")
SEEDING = "seeding"
PILOT_STEPS = 4  # steps of the pilot run that measures a medium's cost per step


@dataclass(frozen=True)
class Plan:
    """Shares of the budget per channel (summing to 1 or less) and the seeding strategy."""

    shares: tuple  # ((channel, share), ...)
    strategy: str | None = None

    @property
    def label(self) -> str:
        parts = [f"{c} {s:.0%}" + (f" ({self.strategy})" if c == SEEDING else "") for c, s in self.shares if s > 0]
        return " + ".join(parts) or "nothing"


def channels(spec: config.Scenario) -> list[str]:
    """The channels of a scenario: its media by name, then seeding (dropped by the search when seeds are free)."""
    return [m["name"] for m in spec.media] + [SEEDING]


def medium_key(spec, name: str, key: str) -> str:
    return f"media.{name}.{key}" if len(spec.media) > 1 else f"media.{key}"


def cost_per_step(spec: config.Scenario, name: str, seed: int) -> tuple[float, int]:
    """What one step of medium ``name`` costs in this scenario (the mean of its first steps alone on air,
    nobody seeded), and the number of people."""
    from sim import runs

    medium = next(m for m in spec.media if m["name"] == name)
    start = int(medium["start"])
    last = start + PILOT_STEPS - 1
    ov = {"run.steps": last, "run.stop": "steps", "seeding.strategy": "none", "seeding.count": None,
          "seeding.fraction": None}
    for m in spec.media:
        if m["name"] == name:
            ov[medium_key(spec, name, "stop")] = last
        else:
            ov[medium_key(spec, m["name"], "reach")] = 0.0
    res = runs.run(spec.replace(ov), seed=seed)
    return float(res.timeseries["cost"].iloc[start:].mean()), res.model.n


def splits(n_channels: int, grid: int):
    """Every way to give ``grid`` equal parts of the budget to ``n_channels`` channels (all of it spent)."""
    for cut in itertools.combinations(range(grid + n_channels - 1), n_channels - 1):
        parts, last = [], -1
        for c in (*cut, grid + n_channels - 1):
            parts.append(c - last - 1)
            last = c
        yield tuple(p / grid for p in parts)


def plan_overrides(spec: config.Scenario, plan: Plan, budget: float, horizon: int, costs: dict, n: int) -> dict:
    """The scenario overrides that carry out a plan."""
    shares = dict(plan.shares)
    ov = {"run.steps": horizon, "run.stop": "steps"}
    for m in spec.media:
        name, start = m["name"], int(m["start"])
        if name not in shares:
            continue  # a free medium is no channel: it stays on air as the scenario says
        most = max(0, horizon - start + 1)
        money = shares.get(name, 0.0) * budget
        step_cost = costs[name]
        on = 0 if money <= 0 else min(most, math.floor(money / step_cost + 1e-9))
        if on > 0:
            ov[medium_key(spec, name, "stop")] = start - 1 + on
        else:  # off: reaches nobody (a stop before the start is refused)
            ov[medium_key(spec, name, "reach")] = 0.0
    money = shares.get(SEEDING, 0.0) * budget
    per_seed = float(spec.get("seeding.cost_per_seed"))
    if SEEDING not in shares:
        return ov  # free seeds are no channel: seeding stays as the scenario says
    count = 0 if money <= 0 else min(n, math.floor(money / per_seed + 1e-9))
    if count > 0:
        ov.update({"seeding.strategy": plan.strategy, "seeding.count": count, "seeding.fraction": None})
    else:
        ov.update({"seeding.strategy": "none", "seeding.count": None, "seeding.fraction": None})
    return ov


def check_channels(spec: config.Scenario) -> None:
    if not spec.media and float(spec.get("seeding.cost_per_seed")) <= 0:
        raise ConfigError("--scenario", f"needs a medium or priced seeding to split a budget between; "
                                        f"got {spec.name} with neither")
