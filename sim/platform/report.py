"""The ``measurement`` report: what the dashboard shows against the true lift, for each campaign variant.

:func:`campaign_comparison` runs twin runs with each campaign on and off
(common random numbers, :func:`sim.compare.compare`);
:func:`measurement_report` writes measurement.png (engagement, credited
against caused adoptions, cost per adopter), campaigns.csv and twin.png (the
run's own campaign against its twin).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.figures.canvas import subplots
from sim.reports.common import REPLICATES, SKIP, _save, announce

__all__ = ["measurement_report", "campaign_comparison"]


def campaign_comparison(spec, replicates: int = REPLICATES) -> tuple[pd.DataFrame, dict]:
    """Dashboard against truth for each campaign variant: twin runs with the campaign on and off.

    Returns a table (one row per variant: impressions, likes, engagement rate,
    last-touch attributed adoptions, true incremental adopters with paired and
    unpaired 95 % CIs, variance ratio, cost per incremental adopter) and the
    :class:`~sim.compare.Comparison` of each variant.
    """
    from sim.compare import compare
    from sim.platform.model import campaign_off

    if spec.model != "platform":
        raise ConfigError("model", f"must be platform for the measurement report {SKIP}; got {spec.model!r}")
    variants = spec.variants or {"base": {}}
    announce("measurement", f"{len(variants)} campaign{'s' if len(variants) > 1 else ''} x {replicates} twin pairs "
                            f"(campaign on and off) = {2 * len(variants) * replicates} runs")
    rows, comps = [], {}
    for name, over in variants.items():
        v = spec.replace({"variants": {}, "report": "", **over})
        off = campaign_off(v)
        on = {key: _value(v, key) for key in off}
        c = compare(v.replace(off), change=on, replicates=replicates)  # base: campaign off; changed: on
        comps[name] = c
        live = c.runs[c.runs["arm"] == "changed"]
        lift = c.difference("final_adopters")
        cost = float(live["total_cost"].mean())
        inc = lift["mean"]
        rows.append({"variant": name, "title": v.title or name, "impressions": float(live["impressions"].mean()),
                     "likes": float(live["likes"].mean()), "engagement_rate": float(live["engagement_rate"].mean()),
                     "attributed_adoptions": float(live["attributed_adoptions"].mean()),
                     "impressions_on_adopters": float(live["impressions_on_adopters"].mean()),
                     "true_lift": inc, "true_lift_ci_low": lift["ci_low"], "true_lift_ci_high": lift["ci_high"],
                     "unpaired_ci_low": lift["unpaired_ci_low"], "unpaired_ci_high": lift["unpaired_ci_high"],
                     "variance_ratio": lift["variance_ratio"], "cost": cost,
                     "cost_per_incremental": cost / inc if inc > 0 else math.nan,
                     "cost_per_attributed": float(live["cost_per_attributed"].mean())})
    return pd.DataFrame(rows), comps


def _value(spec, key: str):
    """Current value of a dotted key, media included (``media.reach``, ``media.NAME.reach``)."""
    parts = key.split(".")
    if parts[0] == "media" and len(parts) == 3:
        return next(m for m in spec.media if m["name"] == parts[1])[parts[2]]
    return spec.get(key)


def measurement_report(result, folder) -> list[Path]:
    """measurement.png (dashboard vs truth per variant), campaigns.csv and twin.png (the run's own twins)."""
    spec = result.model.spec
    table, comps = campaign_comparison(spec)
    folder = Path(folder)
    csv = folder / "campaigns.csv"
    table.to_csv(csv, index=False)

    import textwrap
    fig, (ax1, ax2, ax3) = subplots(1, 3, figsize=(16, 5.2), constrained_layout=True)
    labels = [textwrap.fill(t, 16) for t in table["title"]]
    x = np.arange(len(table))
    colours = ["#e66101", "#5e3c99", "#1b9e77", "#2b83ba", "#7f7f7f"][: len(table)]
    ax1.bar(x, 100 * table["engagement_rate"], color=colours, width=0.6)
    for i, r in table.iterrows():
        ax1.text(i, 100 * r["engagement_rate"], f"{100 * r['engagement_rate']:.2f} %\n({r['likes']:,.0f} likes)",
                 ha="center", va="bottom", fontsize=9.5)
    ax1.set_xticks(x, labels, fontsize=9.5)
    ax1.set(ylabel="engagement rate (likes per impression, %)", ylim=(0, 100 * table["engagement_rate"].max() * 1.3),
            title="What the dashboard shows:\nengagement rate of each campaign")
    width = 0.38
    ax2.bar(x - width / 2, table["attributed_adoptions"], width, color="#dddddd", edgecolor="black", hatch="//",
            label="credited by the dashboard (last touch)")
    err = np.vstack([table["true_lift"] - table["true_lift_ci_low"], table["true_lift_ci_high"] - table["true_lift"]])
    ax2.bar(x + width / 2, table["true_lift"], width, yerr=err, capsize=5, color=colours,
            label="caused by the campaign (twin runs, 95 % CI)")
    for i, r in table.iterrows():
        ax2.text(i + width / 2, r["true_lift_ci_high"], f"{r['true_lift']:,.0f}", ha="center", va="bottom",
                 fontsize=9.5, fontweight="bold")
        ax2.text(i - width / 2, r["attributed_adoptions"], f"{r['attributed_adoptions']:,.0f}", ha="center",
                 va="bottom", fontsize=9)
    ax2.set_xticks(x, labels, fontsize=9.5)
    top = max(table["attributed_adoptions"].max(), table["true_lift_ci_high"].max())
    ax2.set(ylabel="adopters", ylim=(0, top * 1.35),
            title="What the campaign changed:\nadoptions credited vs adoptions caused")
    ax2.legend(loc="upper left", frameon=False, fontsize=9)
    ax3.bar(x - width / 2, table["cost_per_attributed"], width, color="#dddddd", edgecolor="black", hatch="//",
            label="per adoption credited by the dashboard")
    ax3.bar(x + width / 2, table["cost_per_incremental"], width, color=colours,
            label="per adoption the campaign caused")
    ax3.set_xticks(x, labels, fontsize=9.5)
    top = np.nanmax(np.concatenate([table["cost_per_attributed"], table["cost_per_incremental"]]))
    ax3.set(ylabel="cost per adopter", ylim=(0, top * 1.35), title="Cost per adopter:\nas reported vs real")
    ax3.legend(loc="upper left", frameon=False, fontsize=9)
    n_rep = len(next(iter(comps.values())).seeds)
    imp = spec.get("measurement.impressions")
    bought = f"{imp:,} impressions a step for each campaign" if imp is not None else \
        f"about {table['impressions'].mean():,.0f} impressions per campaign"
    by_eng = table.loc[table["engagement_rate"].idxmax(), "title"]
    by_lift = table.loc[table["true_lift"].idxmax(), "title"]
    verdict = (f"best by engagement: {by_eng}; best by what it caused: {by_lift}" if by_eng != by_lift
               else f"{by_eng} wins on both counts here")
    fig.suptitle(f"{spec.heading}: {bought}, {n_rep} twin runs each (campaign on / off, same seeds)"
                 f"\n{verdict}", fontsize=11.5)
    paths = [_save(fig, folder / "measurement.png"), csv]
    own = next((n for n, c in comps.items() if c.changed.values == spec.values and c.changed.media == spec.media),
               next(iter(comps)))
    paths.append(comps[own].figure(folder / "twin.png", labels={"base": "campaign off", "changed": "campaign on"},
                                   title=f"{spec.heading}: the campaign "
                                         f"({comps[own].changed.title or own}) against its twin without it"))
    return paths
