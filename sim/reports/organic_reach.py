"""The organic-reach report: what it costs to keep the reach a brand page had, and what word of mouth gives back.

The scenario's free media (``cost_per_contact = 0``) are the page's organic
reach, on a declining schedule; its paid medium (the first with a positive cost)
says what an impression costs and persuades. The report builds the *top-up*: a
paid stage beside each organic stage, reaching the share of followers the page
no longer reaches for free (the first stage's reach minus the stage's), and runs
four arms over paired replicates with common random numbers (every medium and
word of mouth draw from their own streams): organic only, organic + top-up, and
both again with word of mouth off (``wom.rule = none``, whatever the rule).
Word of mouth's give-back is the top-up's extra adopters with word of mouth
minus those without.

References
----------
Libai, B., Muller, E. & Peres, R. (2013). Decomposing the value of word-of-mouth
seeding programs: acceleration versus expansion. JMR 50(2), 161-176.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim import config
from sim.errors import ConfigError

__all__ = ["organic_reach_report", "top_up_arms", "REPLICATES"]

REPLICATES = 8


def _stages(spec):
    free = [m for m in spec.media if not m["cost_per_contact"]]
    paid = next((m for m in spec.media if m["cost_per_contact"] > 0), None)
    if not free or paid is None:
        raise ConfigError("media", "must hold organic media (cost_per_contact = 0) and one paid medium "
                                   f"(cost_per_contact > 0) for the organic-reach report; got {len(free)} free and "
                                   f"{'one' if paid else 'no'} paid (--set report='' skips it)")
    return free, paid


def top_up_arms(spec) -> dict:
    """The four paired arms: organic, organic + top-up, and both without word of mouth."""
    free, paid = _stages(spec)
    target = max(m["reach"] for m in free[:1])
    base = spec.to_dict()
    base["report"] = ""
    base["media"] = [dict(m) for m in spec.media if m["name"] != paid["name"]]
    topped = {**base, "media": base["media"] + [
        {**paid, "name": f"{paid['name']}_{m['name']}", "reach": max(target - m["reach"], 0.0),
         "start": m["start"], "stop": m["stop"]} for m in free if target - m["reach"] > 0]}
    off = {"wom.rule": "none"}
    organic, topped = config.load(base), config.load(topped)
    return {"organic": organic, "top-up": topped, "organic, no word of mouth": organic.replace(off),
            "top-up, no word of mouth": topped.replace(off)}, target


def organic_reach_report(result, folder) -> list[Path]:
    """organic-reach.png: reach bought and its cost by month; adopters in the four arms; organic-reach.csv."""
    import pandas as pd

    from sim.compare import curves, paired_difference, paired_runs, replicate_seeds
    from sim.figures.adoption import time_label
    from sim.figures.canvas import subplots

    spec = result.model.spec
    arms, target = top_up_arms(spec)
    seeds = replicate_seeds(spec.seed, REPLICATES)
    runs_df, ts = paired_runs(arms, seeds)
    unit = spec.values.get("run.time_unit", "step")
    by = {arm: runs_df[runs_df["arm"] == arm].sort_values("replicate") for arm in arms}

    def diff(a, b, metric="final_adopters"):
        return paired_difference(by[a][metric].to_numpy(), by[b][metric].to_numpy())

    bought = diff("organic", "top-up")
    bought_plain = diff("organic, no word of mouth", "top-up, no word of mouth")
    extra = by["top-up"]["final_adopters"].to_numpy() - by["organic"]["final_adopters"].to_numpy()
    extra_plain = (by["top-up, no word of mouth"]["final_adopters"].to_numpy()
                   - by["organic, no word of mouth"]["final_adopters"].to_numpy())
    give_back = paired_difference(extra_plain, extra)  # the top-up's extra adopters: with minus without word of mouth
    cost = by["top-up"]["total_cost"].mean() - by["organic"]["total_cost"].mean()
    table = pd.DataFrame([{"arm": arm, "adopters_mean": by[arm]["final_adopters"].mean(),
                           "adopters_sd": by[arm]["final_adopters"].std(ddof=1),
                           "cost_mean": by[arm]["total_cost"].mean()} for arm in arms])
    folder = Path(folder)
    table.to_csv(folder / "organic-reach.csv", index=False)

    fig, (ax1, ax2) = subplots(1, 2, figsize=(12, 4.6), constrained_layout=True)
    steps = np.arange(1, int(spec.values["run.steps"]) + 1)
    free, paid = _stages(spec)
    organic = np.array([sum(m["reach"] for m in free if m["start"] <= s and (m["stop"] is None or s <= m["stop"]))
                        for s in steps])
    top = np.clip(target - organic, 0, None)
    ax1.bar(steps, 100 * organic, color="#2b83ba", label="organic reach (free)")
    ax1.bar(steps, 100 * top, bottom=100 * organic, color="#e66101", label="paid top-up")
    ax1.set(xlabel=time_label(spec), ylabel=f"followers reached per {unit} (%)",
            title=f"Keeping {100 * target:g} % reach: what the page must buy", ylim=(0, 100 * target * 1.35))
    n = result.model.n
    axc = ax1.twinx()
    axc.plot(steps, top * n * paid["cost_per_contact"], color="black", lw=1.5, label=f"cost per {unit}")
    axc.set(ylabel=f"cost per {unit}", ylim=(0, max(top * n * paid["cost_per_contact"]) * 1.35 or 1))
    h1, l1 = ax1.get_legend_handles_labels()
    h2, l2 = axc.get_legend_handles_labels()
    ax1.legend(h1 + h2, l1 + l2, loc="upper left", frameon=False, fontsize=9, ncol=3)
    colours = {"organic": "#2b83ba", "top-up": "#e66101", "organic, no word of mouth": "#9ecae1",
               "top-up, no word of mouth": "#fdb863"}
    for arm in arms:
        t, y = curves(ts, arm, "adopters")
        m = y.mean(axis=0)
        ax2.plot(t, m, color=colours[arm], lw=2.2 if "no word" not in arm else 1.6,
                 ls="-" if "no word" not in arm else "--", label=arm)
    ax2.set(xlabel=time_label(spec), ylabel="adopters (mean of runs)", ylim=(0, None),
            title=f"Adopters ({REPLICATES} paired runs, common random numbers)")
    ax2.legend(loc="upper left", frameon=False, fontsize=9)
    import textwrap

    fig.suptitle(spec.title + "\n" + textwrap.fill(f"The top-up costs {cost:,.0f} over {len(steps)} {unit}s and buys "
                 f"{bought['mean']:,.0f} more adopters (95 % CI {bought['ci_low']:,.0f} to {bought['ci_high']:,.0f}), "
                 f"{cost / bought['mean'] if bought['mean'] > 0 else float('nan'):,.2f} each; word of mouth adds "
                 f"{give_back['mean']:,.0f} of them ({give_back['ci_low']:,.0f} to {give_back['ci_high']:,.0f}) "
                 f"beyond the {bought_plain['mean']:,.0f} the impressions convert themselves", 150), fontsize=10)
    path = folder / "organic-reach.png"
    fig.savefig(path, dpi=110)
    print(f"  top-up to {100 * target:g} % reach: cost {cost:,.0f}, +{bought['mean']:,.0f} adopters "
          f"[{bought['ci_low']:,.0f}, {bought['ci_high']:,.0f}]; word of mouth gives back {give_back['mean']:,.0f} "
          f"[{give_back['ci_low']:,.0f}, {give_back['ci_high']:,.0f}]")
    return [path, folder / "organic-reach.csv"]
