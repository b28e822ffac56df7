"""Figures of the cultural market (scenario ``hits``).

- ``success.png`` — market share against appeal in every world, and each
  product's share in the social worlds against its share in the independent
  world (the shape of Salganik et al.'s Figure 3): the social worlds spread
  far more, the best rarely do badly, the worst rarely do well.
- ``inequality.png`` — Gini and unpredictability U as consumers arrive,
  social worlds against the independent world.

Each function takes the model (after its run) and the run's summary and returns a
matplotlib Figure (drawn without pyplot: :mod:`sim.figures.canvas`); given a ``path``, it writes it there too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.figures.canvas import save, subplots

__all__ = ["SOCIAL", "INDEPENDENT", "FIGURES", "all_figures", "success_figure", "inequality_figure", "subtitle"]

SOCIAL = "#d7191c"
INDEPENDENT = "#404040"


def subtitle(model) -> str:
    m = model.spec.section("market")
    appeal = "equal appeal" if m["appeal"] == "equal" else f"appeal ~ Beta({m['appeal_a']:g}, {m['appeal_b']:g})"
    return (f"{model.n_products} products, {model.n_worlds} social worlds of {model.consumers:,} consumers, "
            f"independent world of {2 * model.consumers:,}; {m['display']} display (position bias "
            f"{m['position_bias']:g}), influence {m['influence']:g}, {model.listens} listens each; {appeal}")


def _finish(fig, model, path=None):
    """Title the figure; write it to ``path`` too when one is given; return it."""
    spec = model.spec
    fig.suptitle(f"{spec.heading} (seed {spec.seed})\n{subtitle(model)}", fontsize=9.5)
    if path is not None:
        save(fig, path)
    return fig


def success_figure(model, summary: dict, path=None):
    """Share against appeal in every world; social share against independent share (Figure 3's shape)."""
    social, independent = model.market_shares()
    q = model.quality
    fig, (ax1, ax2) = subplots(1, 2, figsize=(12, 5), constrained_layout=True)
    for j, row in enumerate(social):
        ax1.scatter(q, 100 * row, s=12, color=SOCIAL, alpha=0.35, lw=0,
                    label=f"{model.n_worlds} social-influence worlds" if j == 0 else None)
    ax1.scatter(q, 100 * independent, s=22, color=INDEPENDENT, zorder=3, label="independent world")
    if model.promoted.any():
        ax1.scatter(q[model.promoted], 100 * independent[model.promoted], s=90, facecolor="none",
                    edgecolor="#7b3294", lw=1.5, zorder=4, label="promoted products")
    ax1.set(xlabel="appeal (probability that a listen becomes a download)", ylabel="market share (%)",
            title="Success against appeal: social worlds spread far more")
    ax1.legend(frameon=False, fontsize=9, loc="upper left")
    order = np.argsort(independent)
    lo, hi = social.min(axis=0), social.max(axis=0)
    x = 100 * independent
    ax2.vlines(x[order], 100 * lo[order], 100 * hi[order], color=SOCIAL, alpha=0.5, lw=1.5,
               label="range over the social worlds")
    ax2.scatter(x, 100 * social.mean(axis=0), s=14, color=SOCIAL, zorder=3, label="mean of the social worlds")
    right = 110 * max(float(independent.max()), 1e-9)
    ax2.plot([0, right], [0, right], color=INDEPENDENT, lw=1, ls="--", label="same share as independent")
    ax2.set(xlim=(0, right), xlabel="market share in the independent world (%): Salganik's measure of quality",
            ylabel="market share in the social worlds (%)",
            title="The best rarely do badly, the worst rarely do well")
    ax2.legend(frameon=False, fontsize=9, loc="upper left")
    text = (f"Gini {summary['gini_social']:.2f} social, {summary['gini_independent']:.2f} independent\n"
            f"U {summary['unpredictability_social']:.4f} social, {summary['unpredictability_independent']:.4f} "
            f"independent")
    ax2.text(0.98, 0.03, text, transform=ax2.transAxes, ha="right", va="bottom", fontsize=9.5,
             bbox=dict(boxstyle="round", fc="white", ec="0.6"))
    for ax in (ax1, ax2):
        ax.grid(True, alpha=0.3)
    return _finish(fig, model, path)


def inequality_figure(model, summary: dict, path=None):
    """Gini and U as consumers arrive: social worlds against the independent world."""
    ts = model.timeseries()
    fig, (ax1, ax2) = subplots(1, 2, figsize=(12, 4.6), constrained_layout=True)
    for ax, col, title in ((ax1, "gini", "Inequality of success (Gini)"),
                           (ax2, "unpredictability", "Unpredictability of success (U)")):
        ax.plot(ts["step"], ts[f"{col}_social"], color=SOCIAL, lw=2, label="social-influence worlds")
        ax.plot(ts["step"], ts[f"{col}_independent"], color=INDEPENDENT, lw=2, ls="--", label="independent world")
        ax.set(xlabel="consumers arrived in each world (the independent world: twice as many)", title=title)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend(frameon=False, fontsize=9)
    ax1.set_ylabel("Gini coefficient of market shares")
    ax2.set_ylabel("mean |share difference| between worlds")
    return _finish(fig, model, path)


def all_figures(model, summary: dict, folder: Path) -> list[Path]:
    """Write the two figures into ``folder``; returns their paths."""
    folder = Path(folder)
    return [save(draw(model, summary), folder / f"{name}.png") for name, draw in FIGURES.items()]


# the figures of a run, by file name (without .png): what all_figures writes and model.plot(kind) draws
FIGURES = {"success": success_figure, "inequality": inequality_figure}
