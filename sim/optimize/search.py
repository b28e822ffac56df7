"""Which plan buys the most adopters: every plan of the grid run on the same replicate seeds.

:func:`optimize` runs each budget plan (:mod:`sim.optimize.plans`) R times with
the same seeds (common random numbers: the network, the people and every
uniform draw are shared, only the plan differs), ranks the plans by the mean of
the objective, and compares each with the best by the paired difference and its
95 % interval: the plans whose interval holds 0 cannot be told apart from the
best with these replicates. The response curves give, per channel alone, the
objective against the money spent on it. Runs go one after the other in a
fixed order from seeds fixed before any run (or, with ``workers``, side by side and
gathered in that order), so the answer depends on the seed alone.

Objectives: ``adopters`` (mean adopters at the horizon, maximised) or
``cost_per_adopter`` (the run's total cost over its adopters at the horizon,
minimised; a plan spending nothing costs 0 per adopter, so it wins only when
free channels already do the work).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim import config
from sim.batch import run_replicates
from sim.errors import ConfigError
from sim.optimize.plans import (
    SEEDING,
    STRATEGIES,
    Plan,
    channels,
    check_channels,
    cost_per_step,
    medium_key,
    plan_overrides,
    splits,
)

__all__ = ["Optimization", "optimize", "OBJECTIVES"]

OBJECTIVES = ("adopters", "cost_per_adopter")


@dataclass
class Optimization:
    scenario: config.Scenario
    budget: float
    horizon: int
    objective: str
    plans: pd.DataFrame  # one row per plan, best first
    response: pd.DataFrame  # channel, strategy, spend, mean, low, high
    runs: pd.DataFrame  # plan × replicate
    info: dict = field(default_factory=dict)

    @property
    def best(self) -> pd.Series:
        return self.plans.iloc[0]


def _steps_on(spec, medium, ov) -> int:
    if ov.get(medium_key(spec, medium["name"], "reach")) == 0.0:
        return 0
    return int(ov[medium_key(spec, medium["name"], "stop")]) - int(medium["start"]) + 1


def _t975(df: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.975, df)) if df > 0 else math.nan


def _mean_ci(x: np.ndarray) -> tuple[float, float, float]:
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    half = _t975(len(x) - 1) * float(x.std(ddof=1)) / math.sqrt(len(x)) if len(x) > 1 else math.nan
    return m, m - half, m + half


def _plan_runs(spec, seeds, ov) -> tuple[np.ndarray, np.ndarray]:
    """Adopters and total cost of each replicate of one plan (a task a worker can run)."""
    out = run_replicates(spec, seeds, ov)
    return (np.array([s["final_adopters"] for _, s in out], float),
            np.array([s["total_cost"] for _, s in out], float))


def optimize(scenario, budget: float, horizon: int | None = None, objective: str = "adopters",
             replicates: int = 20, grid: int = 4, levels: int = 5, strategies=STRATEGIES, seed: int | None = None,
             overrides: dict | None = None, progress=None, workers: int = 1) -> Optimization:
    """Split ``budget`` between the scenario's media and seeding to maximise adopters (or minimise cost per adopter).

    Parameters
    ----------
    scenario : str, Path, dict or sim.config.Scenario
        Its media (with their cost_per_contact) and seeding.cost_per_seed price the channels.
    budget : float
        The money to spend (> 0), in the units of the costs.
    horizon : int, optional
        Steps after which adopters are counted (default: the scenario's run.steps).
    objective : {"adopters", "cost_per_adopter"}
    replicates : int
        Runs per plan, the same seeds for every plan (>= 2).
    grid : int
        The budget is split in 1/grid steps between channels.
    levels : int
        Spend levels of each channel's response curve (besides 0).
    strategies : sequence of str
        Seeding strategies tried (default random, top_degree, friend_of_random).
    workers : int
        Processes that run the plans (the sweeps' local pool, :mod:`sim.experiments.executors`).
        Each plan's runs are the same whichever process runs them, and the results
        are gathered in the plans' order, so the answer does not depend on it.

    Examples
    --------
    >>> ov = {"network.kind": "ring", "network.n": 300, "network.k": 6, "seeding.cost_per_seed": 10.0}
    >>> o = optimize("bass", budget=60, horizon=8, replicates=3, grid=2, levels=2, overrides=ov)
    >>> len(o.plans), bool(o.plans["mean"].iloc[0] >= o.plans["mean"].iloc[-1])
    (7, True)
    """
    started = time.perf_counter()
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not math.isfinite(budget) or budget <= 0:
        raise ConfigError("--budget", f"must be a number > 0; got {budget!r}")
    if objective not in OBJECTIVES:
        raise ConfigError("--objective", f"must be one of {', '.join(OBJECTIVES)}; got {objective!r}")
    for key, value, least in (("--replicates", replicates, 2), ("--grid", grid, 1), ("--levels", levels, 1),
                              ("--workers", workers, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigError(key, f"must be an integer >= {least}; got {value!r}")
    strategies = tuple(strategies)
    bad = [s for s in strategies if s not in STRATEGIES]
    if bad or not strategies:
        raise ConfigError("--strategy", f"must be among {', '.join(STRATEGIES)}; got {', '.join(bad) or 'none'}")
    spec = config.load(scenario, overrides=overrides, seed=seed)
    if spec.model != "adoption":
        raise ConfigError("--scenario", f"must be an adoption scenario (adopters and costs); got model {spec.model!r}")
    check_channels(spec)
    horizon = int(spec.get("run.steps")) if horizon is None else horizon
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise ConfigError("--horizon", f"must be an integer >= 1; got {horizon!r}")
    from sim.compare import replicate_seeds

    seeds = replicate_seeds(spec.seed, replicates)
    costs, n = {}, None
    for m in spec.media:
        costs[m["name"]], n = cost_per_step(spec, m["name"], seeds[0])
    if n is None:
        from sim import runs

        n = runs.run(spec.replace({"run.steps": 1, "seeding.strategy": "none", "seeding.count": None,
                                   "seeding.fraction": None}), seed=seeds[0]).model.n
    # what costs nothing is no channel: free media stay on air, free seeding stays, as the scenario says
    chans = [c for c in channels(spec) if (c != SEEDING and costs[c] > 0)
             or (c == SEEDING and float(spec.get("seeding.cost_per_seed")) > 0)]
    if not chans:
        raise ConfigError("--scenario", f"needs a medium or seeding that costs something to split a budget "
                                        f"between; got {spec.name}, where everything is free")
    plans = []
    for shares in splits(len(chans), grid):
        named = tuple(zip(chans, shares))
        if dict(named).get(SEEDING, 0) > 0:
            plans += [Plan(named, s) for s in strategies]
        else:
            plans.append(Plan(named))
    response_plans = []
    for c in chans:
        for level in range(1, levels + 1):
            named = tuple((x, level / levels if x == c else 0.0) for x in chans)
            for s in (strategies if c == SEEDING else (None,)):
                response_plans.append((c, s, level / levels * budget, Plan(named, s)))
    cache: dict = {}
    rows = []
    nothing = Plan(tuple((c, 0.0) for c in chans))
    every = {}  # distinct plans (by their overrides), in the order they are met
    for plan in [*plans, nothing, *(p for *_, p in response_plans)]:
        ov = plan_overrides(spec, plan, budget, horizon, costs, n)
        every.setdefault(tuple(sorted((k, str(v)) for k, v in ov.items())), ov)
    _run_all(spec, seeds, every, cache, workers, progress)

    def evaluate(plan: Plan):
        ov = plan_overrides(spec, plan, budget, horizon, costs, n)
        return cache[tuple(sorted((k, str(v)) for k, v in ov.items()))]

    values = {}
    for i, plan in enumerate(plans):
        adopters, cost, cpa, ov = evaluate(plan)
        values[i] = adopters if objective == "adopters" else cpa
        shares = dict(plan.shares)
        rows.append({"plan": plan.label, **{f"share_{c}": shares.get(c, 0.0) for c in chans},
                     "strategy": plan.strategy or "", "seeds": ov.get("seeding.count") or 0,
                     **{f"steps_{m['name']}": _steps_on(spec, m, ov) for m in spec.media if m["name"] in chans},
                     "spend_mean": float(cost.mean()), "adopters_mean": float(adopters.mean()),
                     "cost_per_adopter_mean": float(np.nanmean(cpa)) if np.isfinite(cpa).any() else math.nan})
    table = pd.DataFrame(rows)
    stats = [_mean_ci(values[i]) for i in range(len(plans))]
    table["mean"], table["low"], table["high"] = zip(*stats)
    means = table["mean"].to_numpy()
    key = np.where(np.isnan(means), np.inf, -means if objective == "adopters" else means)
    order = np.argsort(key, kind="stable")  # ties keep the grid's order
    best = int(order[0])
    diffs = [_mean_ci(values[i] - values[best]) for i in range(len(plans))]
    table["diff_best"], table["diff_low"], table["diff_high"] = zip(*diffs)
    table["like_best"] = [(i == best) or bool(lo <= 0 <= hi) for i, (_, lo, hi) in enumerate(diffs)]
    table = table.iloc[order].reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    resp = [{"channel": "nothing", "strategy": "", "spend": 0.0,
             **dict(zip(("mean", "low", "high"), _mean_ci(evaluate(nothing)[0]))),
             "spend_mean": 0.0}]
    for c, s, spend, plan in response_plans:
        adopters, cost, cpa, _ = evaluate(plan)
        resp.append({"channel": c, "strategy": s or "", "spend": spend,
                     **dict(zip(("mean", "low", "high"), _mean_ci(adopters))), "spend_mean": float(cost.mean())})
    runs_df = pd.DataFrame([{"plan": plans[i].label, "replicate": r, "seed": seeds[r], objective: float(v)}
                            for i in range(len(plans)) for r, v in enumerate(values[i])])
    info = {"replicates": replicates, "seeds": seeds, "root_seed": spec.seed, "grid": grid, "levels": levels,
            "strategies": list(strategies), "cost_per_step": costs,
            "cost_per_seed": float(spec.get("seeding.cost_per_seed")),
            "n": n, "plans": len(plans), "runs": len(cache) * replicates, "seconds": time.perf_counter() - started,
            "channels": chans, "workers": workers}
    return Optimization(scenario=spec, budget=float(budget), horizon=horizon, objective=objective, plans=table,
                        response=pd.DataFrame(resp), runs=runs_df, info=info)


def _run_all(spec, seeds, every: dict, cache: dict, workers: int, progress) -> None:
    """Run every distinct plan of ``every`` (key -> overrides) into ``cache`` (key -> adopters, cost, cpa, ov)."""
    from sim.experiments.executors import open_executor

    def keep(key, adopters, cost):
        with np.errstate(divide="ignore", invalid="ignore"):
            cpa = np.where(adopters > 0, cost / adopters, np.nan)
        cache[key] = (adopters, cost, cpa, every[key])
        if progress:
            progress(len(cache), len(every))

    if workers == 1:
        for key, ov in every.items():
            keep(key, *_plan_runs(spec, seeds, ov))
        return
    with open_executor(workers=workers) as (ex, _, _):
        futures = {key: ex.submit(_plan_runs, spec, seeds, ov) for key, ov in every.items()}
        for key, future in futures.items():  # gathered in the plans' order, whichever finishes first
            keep(key, *future.result())
