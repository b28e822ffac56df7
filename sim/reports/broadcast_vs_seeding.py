"""The ``broadcast-vs-seeding`` report: one budget spent four ways in each world of the scenario.

The budget (:func:`budget`) is what the scenario's one broadcast campaign
costs; :func:`strategy_arms` spends it on the campaign or on seeding
influencers, random people or friends of random people;
:func:`strategy_comparison` runs the four in every world of the scenario's
``[variants]`` over paired replicates, and :func:`broadcast_vs_seeding_report`
writes broadcast-vs-seeding.png and strategies.csv.

References
----------
Libai, B., Muller, E. & Peres, R. (2013). Decomposing the value of word-of-mouth
seeding programs. JMR 50(2), 161–176.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim import config
from sim.errors import ConfigError
from sim.figures.canvas import subplots
from sim.reports.common import REPLICATES, SKIP, _ci, _save, announce, log

__all__ = ["broadcast_vs_seeding_report", "budget", "strategy_arms", "strategy_comparison", "StrategyComparison",
           "STRATEGIES", "STRATEGY_LABELS", "SHORT_LABELS", "STRATEGY_COLOURS"]

STRATEGIES = ("broadcast", "top_degree", "random", "friend_of_random")
STRATEGY_LABELS = {"broadcast": "broadcast campaign", "top_degree": "seed influencers (most contacts)",
                   "random": "seed random people", "friend_of_random": "seed friends of random people"}
SHORT_LABELS = {"broadcast": "broadcast", "top_degree": "influencers", "random": "random people",
                "friend_of_random": "friends of\nrandom people"}
STRATEGY_COLOURS = {"broadcast": "#e66101", "top_degree": "#5e3c99", "random": "#7f7f7f",
                    "friend_of_random": "#1b9e77"}


def budget(spec, n: int | None = None) -> dict:
    """The budget of a world: what its broadcast campaign costs, and what it buys instead.

    Budget B = cost_per_contact x reach x n x (stop - start + 1), the expected
    spend of the scenario's one medium; seeding buys floor(B / cost_per_seed) seeds.
    ``n``: the people of a network whose size the scenario does not set (a file's), which
    the report takes from its run; else ``network.n``.

    Examples
    --------
    >>> from sim import config
    >>> b = budget(config.load("broadcast-vs-seeding"))
    >>> b["seeds"] == int(b["budget"] // b["cost_per_seed"])
    True
    """
    if spec.model != "adoption":
        raise ConfigError("model", f"must be adoption for the broadcast-vs-seeding report {SKIP}; got {spec.model!r}")
    if len(spec.media) != 1:
        raise ConfigError("media", f"must be one medium (the broadcast campaign) for the broadcast-vs-seeding "
                                   f"report {SKIP}; got {len(spec.media)}")
    m = spec.media[0]
    if m["target"] != "all":
        raise ConfigError("media.target", f"must be all for the broadcast-vs-seeding report (broadcast reaches "
                                          f"everyone) {SKIP}; got {m['target']!r}")
    if m["stop"] is None:
        raise ConfigError("media.stop", f"must end the campaign (a number) for the broadcast-vs-seeding report: "
                                        f"the budget is what the campaign costs {SKIP}; got none")
    sized = config.reads("network.n", spec.values, spec.model)
    if not sized and n is None:  # a file or a given graph: n unknown until built
        raise ConfigError("network.kind", f"must be a kind whose size network.n sets (the budget reaches n people), "
                                          f"or the report needs the run's own size, for the broadcast-vs-seeding "
                                          f"report {SKIP}; got {spec.get('network.kind')!r}")
    c, s = m["cost_per_contact"], spec.get("seeding.cost_per_seed")
    n = spec.get("network.n") if sized else int(n)
    b = c * m["reach"] * n * (m["stop"] - m["start"] + 1)
    if not c > 0 or not b > 0:
        raise ConfigError("media.cost_per_contact", f"must be > 0 (with reach > 0) for the broadcast-vs-seeding "
                                                    f"report: it sets the budget {SKIP}; got {c:g}")
    if not s > 0:
        raise ConfigError("seeding.cost_per_seed", f"must be > 0 for the broadcast-vs-seeding report {SKIP}; "
                                                   f"got {s:g}")
    seeds = int(b // s)
    if not 1 <= seeds <= n:
        raise ConfigError("seeding.cost_per_seed", f"must buy between 1 and {n:,} seeds with the budget {b:,.2f}; "
                                                   f"got {s:g} ({seeds:,} seeds)")
    return {"budget": b, "cost_per_contact": c, "cost_per_seed": s, "contacts": b / c, "seeds": seeds, "n": n}


def strategy_arms(spec, n: int | None = None) -> dict:
    """The four ways to spend one budget, as scenarios: broadcast, top_degree, random, friend_of_random."""
    b = budget(spec, n)
    plain = {"variants": {}, "report": "", "seeding.count": None, "seeding.fraction": None}
    arms = {"broadcast": spec.replace({**plain, "seeding.strategy": "none"})}
    for strategy in STRATEGIES[1:]:
        arms[strategy] = spec.replace({**plain, "media.reach": 0.0, "seeding.strategy": strategy,
                                       "seeding.count": b["seeds"]})
    return arms


def _worlds(spec) -> dict:
    if not spec.variants:
        return {"base": spec.replace({"variants": {}})}
    return {name: spec.replace({"variants": {}, **over}) for name, over in spec.variants.items()}


@dataclass
class StrategyComparison:
    """One budget spent four ways in each world: per-run metrics, curves, the table and the winners."""

    worlds: dict = field(repr=False)       # name -> Scenario
    budgets: dict                          # name -> budget()
    runs: pd.DataFrame = field(repr=False)  # world, arm, replicate, seed, metrics
    timeseries: pd.DataFrame = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    best: dict                             # world -> strategy with the most adopters

    def difference(self, world: str, strategy: str, other: str, metric: str = "final_adopters") -> dict:
        """Paired difference strategy - other in one world, with its 95 % CI."""
        from sim.compare import paired_difference

        r = self.runs[self.runs["world"] == world]
        a = r[r["arm"] == other].sort_values("replicate")[metric].to_numpy()
        b = r[r["arm"] == strategy].sort_values("replicate")[metric].to_numpy()
        return paired_difference(a, b)


def strategy_comparison(spec, replicates: int = REPLICATES, n: int | None = None) -> StrategyComparison:
    """Run the four strategies in every world of the scenario over paired replicates (same seeds per world).

    ``n``: the people of the run, for a network whose size the scenario does not set (a file's).
    """
    from sim.compare import paired_runs, replicate_seeds

    worlds = _worlds(spec)
    budgets, refused = {}, {}
    for name, w in worlds.items():  # validate every world before running any
        try:
            budgets[name] = budget(w, n)
        except ConfigError as exc:
            refused[name] = exc
    if refused and (not budgets or n is None):
        raise next(iter(refused.values()))
    for name, exc in refused.items():  # a network of one's own: the worlds its size affords
        log.warning("broadcast-vs-seeding report: world %s left out on this network: %s", name, exc)
        del worlds[name]
    arms = {name: strategy_arms(w, n) for name, w in worlds.items()}
    sizes = ", ".join(f"{name} {b['n']:,} people" for name, b in budgets.items())
    announce("broadcast-vs-seeding", f"{len(worlds)} worlds ({sizes}) x {len(STRATEGIES)} ways to spend the budget "
                                     f"x {replicates} paired runs = {len(worlds) * len(STRATEGIES) * replicates} runs")
    all_runs, all_ts = [], []
    for name, w in worlds.items():
        r, ts = paired_runs(arms[name], replicate_seeds(w.seed, replicates), label=f"broadcast-vs-seeding: {name}")
        all_runs.append(r.assign(world=name))
        all_ts.append(ts.assign(world=name))
    runs_df = pd.concat(all_runs, ignore_index=True)
    rows, best = [], {}
    for name in worlds:
        part = runs_df[runs_df["world"] == name]
        means = part.groupby("arm")["final_adopters"].mean()
        best[name] = str(means.idxmax())
        for strategy in STRATEGIES:
            x = part[part["arm"] == strategy].sort_values("replicate")
            a = _ci(x["final_adopters"])
            c = _ci(x["cost_per_adopter"])
            t = _ci(x["time_to_50"])
            row = {"world": name, "title": worlds[name].title, "strategy": strategy, "replicates": len(x),
                   "budget": budgets[name]["budget"], "seeds": budgets[name]["seeds"] if strategy != "broadcast"
                   else 0, "adopters": a[0], "adopters_ci_low": a[1], "adopters_ci_high": a[2],
                   "adopted_fraction": a[0] / budgets[name]["n"], "cost_per_adopter": c[0],
                   "cost_per_adopter_ci_low": c[1], "cost_per_adopter_ci_high": c[2], "time_to_50": t[0],
                   "time_to_50_ci_low": t[1], "time_to_50_ci_high": t[2], "reached_50_share": t[3] / max(len(x), 1)}
            rows.append(row)
    table = pd.DataFrame(rows)
    out = StrategyComparison(worlds=worlds, budgets=budgets, runs=runs_df,
                             timeseries=pd.concat(all_ts, ignore_index=True), table=table, best=best)
    diffs = []
    for _, row in table.iterrows():
        d = out.difference(row["world"], row["strategy"], best[row["world"]])
        diffs.append((d["mean"], d["ci_low"], d["ci_high"]))
    table["vs_best"], table["vs_best_ci_low"], table["vs_best_ci_high"] = map(list, zip(*diffs))
    return out


def broadcast_vs_seeding_report(result, folder) -> list[Path]:
    """broadcast-vs-seeding.png and strategies.csv: one budget, four strategies, each world."""
    from sim.compare import curves

    spec = result.model.spec
    own = not config.reads("network.n", spec.values, spec.model)  # a file's network: its size is the run's
    sc = strategy_comparison(spec, n=result.model.n if own else None)
    folder = Path(folder)
    csv = folder / "strategies.csv"
    sc.table.to_csv(csv, index=False)
    names = list(sc.worlds)
    fig, axes = subplots(2, len(names), figsize=(7.4 * len(names), 8.6), constrained_layout=True,
                             squeeze=False, gridspec_kw={"height_ratios": [1.25, 1]})
    for j, name in enumerate(names):
        w, b = sc.worlds[name], sc.budgets[name]
        ts = sc.timeseries[sc.timeseries["world"] == name]
        n_rep = int(sc.table["replicates"].iloc[0])
        ax = axes[0, j]
        for strategy in STRATEGIES:
            t, y = curves(ts, strategy, "adopted_fraction")
            ax.plot(t, 100 * y.mean(axis=0), color=STRATEGY_COLOURS[strategy], lw=2.2,
                    label=STRATEGY_LABELS[strategy])
            ax.fill_between(t, 100 * y.min(axis=0), 100 * y.max(axis=0), color=STRATEGY_COLOURS[strategy],
                            alpha=0.13, lw=0)
        ax.set(xlabel="time (months)", ylabel="share who adopted (%)", ylim=(0, None),
               title=f"{w.title or name}\nbudget {b['budget']:,.0f} buys {b['contacts']:,.0f} contacts "
                     f"or {b['seeds']:,} seeds\n(lines: mean of {n_rep} runs; shading: their range)")
        ax.legend(loc="upper left", frameon=False, fontsize=9)
        tab = sc.table[sc.table["world"] == name].set_index("strategy").loc[list(STRATEGIES)]
        ax = axes[1, j]
        y = np.arange(len(STRATEGIES))[::-1]
        err = np.vstack([tab["adopters"] - tab["adopters_ci_low"], tab["adopters_ci_high"] - tab["adopters"]])
        ax.barh(y, tab["adopters"], xerr=np.nan_to_num(err), color=[STRATEGY_COLOURS[s] for s in STRATEGIES],
                capsize=4, height=0.7)
        ax.set_yticks(y, [SHORT_LABELS[s] for s in STRATEGIES], fontsize=9.5)
        for yy, s in zip(y, STRATEGIES):
            r = tab.loc[s]
            some = "" if r["reached_50_share"] == 1 else f" (in {r['reached_50_share'] * n_rep:.0f} of {n_rep} runs)"
            t50 = "never reached" if math.isnan(r["time_to_50"]) else f"at {r['time_to_50']:.1f} months{some}"
            best = "★ " if s == sc.best[name] else ""
            ax.text(r["adopters_ci_high"] if not math.isnan(r["adopters_ci_high"]) else r["adopters"], yy,
                    f"  {best}{r['adopters']:,.0f} adopters, {r['cost_per_adopter']:,.2f} per adopter\n  50 % {t50}",
                    va="center", fontsize=8.5, fontweight="bold" if best else "normal")
        ax.set_xlim(0, tab["adopters_ci_high"].max() * 1.75)
        ax.set(xlabel=f"adopters after {int(w.get('run.steps'))} months (mean and 95 % CI, {n_rep} paired runs)",
               title="With the same money: who wins (★)")
    fig.suptitle(f"{spec.heading} (seed {spec.seed})", fontsize=12)
    return [_save(fig, folder / "broadcast-vs-seeding.png"), csv]

