"""The ``hits`` report: inequality and unpredictability, independent against social, for each display.

:func:`market_comparison` runs the scenario and each of its ``[variants]``
(the shipped scenario: the ranked list of experiment 2 and the grid of
experiment 1) over paired replicates, and :func:`hits_report` writes
``hits.png`` (Gini and U of the independent and the social worlds, each
replicate a dot, beside the values Salganik et al. measured) and ``hits.csv``
(one row per condition: means and 95 % intervals).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.figures.canvas import subplots
from sim.market.measures import SALGANIK_2006
from sim.reports.common import REPLICATES, SKIP, _ci, _save, announce

__all__ = ["MEASURES", "conditions", "market_comparison", "comparison_figure", "hits_report"]

MEASURES = ("gini_independent", "gini_social", "unpredictability_independent", "unpredictability_social")


def conditions(spec) -> dict:
    """The scenario's conditions: the base and each variant, by name (one line if not a market scenario)."""
    if spec.model != "market":
        raise ConfigError("model", f"must be market for the hits report {SKIP}; got {spec.model!r}")
    base = spec.replace({"variants": {}, "report": ""})
    return {"base": base, **{name: base.replace(over) for name, over in spec.variants.items()}}


def market_comparison(spec, replicates: int = REPLICATES, seeds=None) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """Run every condition over the same replicate seeds: ``(conditions, runs, table)``.

    ``seeds`` (default: ``replicates`` seeds from the scenario's seed) are
    shared by the conditions. ``runs`` has one row per condition (``arm``) and
    replicate (the run's summary); ``table`` one row per condition: the
    display, and each of :data:`MEASURES` with its 95 % interval.
    """
    from sim.compare import paired_runs, replicate_seeds

    worlds = conditions(spec)
    seeds = list(seeds) if seeds is not None else replicate_seeds(spec.seed, replicates)
    announce("hits", f"{len(worlds)} conditions x {len(seeds)} markets = {len(worlds) * len(seeds)} runs")
    runs_df, _ = paired_runs(worlds, seeds, label="hits report")
    rows = []
    for name, w in worlds.items():
        part = runs_df[runs_df["arm"] == name]
        row = {"condition": name, "display": w.get("market.display"), "influence": w.get("market.influence"),
               "replicates": len(part)}
        for key in MEASURES:
            row[key], row[f"{key}_ci_low"], row[f"{key}_ci_high"], _ = _ci(part[key])
        rows.append(row)
    return worlds, runs_df, pd.DataFrame(rows)


def comparison_figure(worlds: dict, runs_df: pd.DataFrame, table: pd.DataFrame, path: Path, title: str) -> Path:
    """Gini and U of the independent and the social worlds in each condition, beside the paper's values."""
    fig, axes = subplots(1, 2, figsize=(12.5, 5.2), constrained_layout=True)
    names = list(worlds)
    colours = {"independent": "#404040", "social": "#d7191c"}
    rng = np.random.default_rng(0)  # jitter of the dots only
    rows = table.set_index("condition")
    for ax, measure, ylabel in ((axes[0], "gini", "Gini coefficient of market shares"),
                                (axes[1], "unpredictability", "unpredictability U")):
        for i, name in enumerate(names):
            part = runs_df[runs_df["arm"] == name]
            row = rows.loc[name]
            paper = SALGANIK_2006.get(row["display"])
            for k, kind in enumerate(("independent", "social")):
                x = 3 * i + k
                key = f"{measure}_{kind}"
                ax.bar(x, row[key], width=0.8, color=colours[kind], alpha=0.75,
                       yerr=[[row[key] - row[f"{key}_ci_low"]], [row[f"{key}_ci_high"] - row[key]]], capsize=4,
                       label=f"{kind} {'world' if kind == 'independent' else 'worlds'} (model)" if i == 0 else None)
                ax.scatter(x + rng.uniform(-0.25, 0.25, len(part)), part[key], s=8, color="black", alpha=0.35,
                           zorder=3, lw=0)
                if paper:
                    ax.scatter(x, paper[key], marker="D", s=60, color="white", edgecolor="black", lw=1.5, zorder=4,
                               label="Salganik et al. (2006)" if i == 0 and k == 0 else None)
        labels = []
        for name in names:
            paper = SALGANIK_2006.get(rows.loc[name, "display"])
            exp = f"\n(experiment {paper['experiment']})" if paper else ""
            labels.append(f"{rows.loc[name, 'display']} display{exp}")
        ax.set_xticks([3 * i + 0.5 for i in range(len(names))], labels)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(ylabel)
        ax.grid(True, axis="y", alpha=0.3)
    axes[0].legend(frameon=False, fontsize=9, loc="upper right")
    axes[0].set_title("Inequality of success")
    axes[1].set_title("Unpredictability of success")
    n_rep = int(table["replicates"].iloc[0])
    fig.suptitle(f"{title}\nbars: mean and 95 % CI of {n_rep} paired runs, dots: the runs; diamonds: the paper's "
                 f"values", fontsize=10.5)
    return _save(fig, path)


def hits_report(result, folder) -> list[Path]:
    """hits.png and hits.csv: Gini and U, independent against social, for the base and each variant."""
    spec = result.model.spec
    worlds, runs_df, table = market_comparison(spec)
    folder = Path(folder)
    csv = folder / "hits.csv"
    table.to_csv(csv, index=False)
    title = f"{spec.heading} (seed {spec.seed})"
    png = comparison_figure(worlds, runs_df, table, folder / "hits.png", title)
    return [png, csv]
