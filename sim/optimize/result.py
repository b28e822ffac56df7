"""The optimize folder: optimize.json, plans.csv, response.csv and optimize.png; the printed table."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from sim.outputs import atomic_folder

__all__ = ["write", "figure", "describe", "KIND"]

KIND = "optimize folder"
COLOURS = {"random": "#e66101", "top_degree": "#5e3c99", "friend_of_random": "#1b9e77"}
MEDIA_COLOURS = ("#2b83ba", "#d7191c", "#fdae61", "#abd9e9", "#7b3294")


def _clean(v):
    if isinstance(v, (np.floating, float)):
        return float(v) if math.isfinite(float(v)) else None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


def record(o) -> dict:
    best = o.plans.iloc[0]
    top = o.plans[o.plans["like_best"]]
    return _clean({"scenario": o.scenario.name, "budget": o.budget, "horizon": o.horizon, "objective": o.objective,
                   "best": {k: best[k] for k in o.plans.columns},
                   "like_best": top["plan"].tolist(), **o.info})


def write(o, out, plots: bool = True, command: str | None = None) -> Path:
    """Write the optimize folder atomically."""
    from sim.runs import versions

    with atomic_folder(out, kind=KIND) as tmp:
        # the resolved scenario, as a comparison folder keeps it: its page (bouche report) states its assumptions
        rec = {**record(o), "command": command, "versions": versions(), "scenario_spec": o.scenario.to_dict(),
               "source": o.scenario.source}
        (tmp / "optimize.json").write_text(json.dumps(rec, indent=2) + "\n")
        o.plans.to_csv(tmp / "plans.csv", index=False)
        o.response.to_csv(tmp / "response.csv", index=False)
        if plots:
            figure(o, tmp / "optimize.png")
    return Path(out)


def figure(o, path, top: int = 10) -> Path:
    """Left: adopters against spend, per channel alone (95 % CI); right: the best plans with their 95 % CI."""
    from sim.figures.canvas import subplots

    fig, (ax1, ax2) = subplots(1, 2, figsize=(12, 4.8), constrained_layout=True,
                                   gridspec_kw={"width_ratios": [1, 1.25]})
    r = o.response
    zero = r[r["channel"] == "nothing"].iloc[0]
    media = [c for c in o.info["channels"] if c != "seeding"]
    groups = [(c, "", MEDIA_COLOURS[i % len(MEDIA_COLOURS)], c) for i, c in enumerate(media)]
    if "seeding" in o.info["channels"]:
        groups += [("seeding", s, COLOURS.get(s, "#555555"), f"seeding ({s})") for s in o.info["strategies"]]
    for channel, strategy, colour, label in groups:
        g = r[(r["channel"] == channel) & (r["strategy"] == strategy)].sort_values("spend")
        x = np.concatenate([[0.0], g["spend_mean"]])
        y, lo, hi = (np.concatenate([[zero[c]], g[c]]) for c in ("mean", "low", "high"))
        ax1.plot(x, y, "o-", color=colour, ms=3.5, label=label)
        ax1.fill_between(x, lo, hi, color=colour, alpha=0.15)
    ax1.axvline(o.budget, color="#999999", lw=0.8, ls=":")
    ax1.set(xlabel="money spent on the channel alone (mean of the runs)",
            ylabel=f"adopters at step {o.horizon}", title="Response curves (95 % CI)")
    ax1.legend(frameon=False, fontsize=8)
    p = o.plans.head(top).iloc[::-1]
    ypos = np.arange(len(p))
    colours = ["#2b83ba" if like else "#bbbbbb" for like in p["like_best"]]
    err = np.vstack([p["mean"] - p["low"], p["high"] - p["mean"]])
    ax2.barh(ypos, p["mean"], xerr=err, color=colours, capsize=3)
    ax2.set_yticks(ypos, p["plan"], fontsize=8)
    what = "adopters" if o.objective == "adopters" else "cost per adopter"
    ax2.set(xlabel=f"mean {what} at step {o.horizon} (95 % CI)",
            title=f"The best {len(p)} of {len(o.plans)} plans (blue: not distinguishable from the best)")
    ax2.title.set_fontsize(9.5)
    fig.suptitle(f"{o.scenario.name}: a budget of {o.budget:,.0f} over {o.horizon} steps; best: "
                 f"{o.plans.iloc[0]['plan']} ({o.info['replicates']} paired replicates per plan)", fontsize=10)
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path


def describe(o, top: int = 8, file=None) -> None:
    what = "adopters" if o.objective == "adopters" else "cost per adopter"
    print(f"{o.scenario.name}: budget {o.budget:,.6g} over {o.horizon} steps, {len(o.plans)} plans x "
          f"{o.info['replicates']} paired replicates ({o.info['seconds']:.1f} s); {what} at the horizon:", file=file)
    print(f"  {'rank':<5}{'plan':<52}{'spent':>10}{'mean':>10}   95 % CI          vs best (paired 95 % CI)",
          file=file)
    for _, row in o.plans.head(top).iterrows():
        mark = ("" if row["rank"] == 1 else
                f"{row['diff_best']:+.4g} ({row['diff_low']:+.4g} to {row['diff_high']:+.4g})")
        print(f"  {row['rank']:<5}{row['plan'][:51]:<52}{row['spend_mean']:>10,.0f}{row['mean']:>10.4g}   "
              f"{row['low']:.4g} to {row['high']:.4g}   {mark}{'  *' if row['like_best'] and row['rank'] > 1 else ''}",
              file=file)
    print("  (* not distinguishable from the best with these replicates)", file=file)
