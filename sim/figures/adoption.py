"""Figures: the adoption curve split by channel.

:func:`adoption_figure` returns a :class:`matplotlib.figure.Figure` (drawn
without pyplot, see :mod:`sim.figures.canvas`); ``RunResult.plot()`` shows it
in a notebook and ``bouche run`` writes it as ``adoption.png``.

Examples
--------
>>> import sim
>>> r = sim.run("bass", seed=1, overrides={"network.n": 300, "run.steps": 8, "media": [],
...                                        "seeding.strategy": "random", "seeding.count": 5})
>>> fig = adoption_figure(r)
>>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]  # no medium: no "mass media" entry
['seeded', 'word of mouth', 'all adopters']
"""

from __future__ import annotations

import numpy as np

from sim import rules
from sim.figures.canvas import save, target

__all__ = ["CHANNEL_COLOURS", "CHANNEL_LABELS", "adoption_figure", "subtitle", "time_label"]

CHANNEL_COLOURS = {"seed": "#7b3294", "media": "#e66101", "wom": "#2b83ba"}
CHANNEL_LABELS = {"seed": "seeded", "media": "mass media", "wom": "word of mouth"}


def subtitle(spec, n: int | None = None) -> str:
    """One line naming the network, rule and media of a scenario; ``n``: the people the run had
    (its graph's, which a file or a graph of one's own decides), else ``network.n``."""
    v = spec.values
    net = f"{v['network.kind']}, n = {v['network.n'] if n is None else n:,}"
    rule = v["wom.rule"]
    detail = rules.get(rule).detail(v)
    media = "; ".join(f"{m['name']}: p = {m['p']:g}, reach = {m['reach']:g}" for m in spec.media) or "no media"
    return f"{net} | word of mouth: {rule} {detail} | {media}"


def time_label(spec) -> str:
    """The time axis's label in the scenario's unit (``run.time_unit``): "time (months)"; "time" for steps."""
    unit = spec.values.get("run.time_unit", "step") if spec is not None else "step"
    return "time" if unit in ("step", "", None) else f"time ({unit}s)"


def adoption_figure(result, path=None, ax=None):
    """Adoption over time by channel (stacked) and new adopters per step.

    Parameters
    ----------
    result : sim.RunResult
        A run of an adoption model.
    path : str or Path, optional
        Also write the figure there (PNG).
    ax : matplotlib Axes, or a pair of them, optional
        Draw on these: one Axes gets the cumulative panel alone, two get both
        panels (default: a new figure of two panels).

    Returns
    -------
    matplotlib.figure.Figure

    Channels without a single adopter (no medium, no seeds) are left out. Each
    step is drawn over its whole length, the last one included.
    """
    ts = result.timeseries
    n = result.model.n
    t = ts["time"].to_numpy()
    width = (t[1] - t[0]) if len(t) > 1 else 1.0
    single = hasattr(ax, "plot")  # one Axes: the cumulative panel alone
    fig, axes = target(ax, n=1 if single else 2, figsize=(11, 4.2))
    ax1, ax2 = (axes, None) if single else axes
    shown = [c for c in ("seed", "media", "wom") if ts[f"new_by_{c}"].any()]
    edge = np.append(t, t[-1] + width)  # the last step ends one step later: draw it over its length
    cum = [np.append(v, v[-1]) for v in (ts[f"new_by_{c}"].cumsum().to_numpy() / n for c in shown)]
    if shown:
        ax1.stackplot(edge, *cum, colors=[CHANNEL_COLOURS[c] for c in shown],
                      labels=[CHANNEL_LABELS[c] for c in shown], alpha=0.85, step="post")
    frac = ts["adopted_fraction"].to_numpy()
    ax1.plot(edge, np.append(frac, frac[-1]), color="black", lw=1.2, drawstyle="steps-post", label="all adopters")
    spec = result.model.spec
    ax1.set(xlabel=time_label(spec), ylabel="share of people who adopted", ylim=(0, 1.02), xlim=(t[0], edge[-1]),
            title="Who has adopted, and through which channel")
    ax1.legend(loc="upper left", frameon=False, fontsize=9)
    if ax2 is not None:
        bottom = None
        for c in shown:
            vals = ts[f"new_by_{c}"].to_numpy()
            ax2.bar(t, vals, width=width, bottom=bottom, color=CHANNEL_COLOURS[c], label=CHANNEL_LABELS[c],
                    align="edge", linewidth=0)
            bottom = vals if bottom is None else bottom + vals
        ax2.set(xlabel=time_label(spec), ylabel="new adopters per step", title="New adopters per step",
                xlim=(t[0], edge[-1]))
        if shown:
            ax2.legend(loc="best", frameon=False, fontsize=9)
    if ax is None:
        fig.suptitle(f"{spec.heading} (seed {spec.seed})\n{subtitle(spec, n)}", fontsize=10)
    if path is not None:
        save(fig, path)
    return fig
