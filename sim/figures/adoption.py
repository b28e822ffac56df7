"""Figures: the adoption curve split by channel.

Plot functions take results and a path, write a PNG and return the path.
They use matplotlib's non-interactive Agg backend, so they work on servers.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sim import rules  # noqa: E402

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


def adoption_figure(result, path: str | Path) -> Path:
    """Adoption over time by channel (stacked) and new adopters per step."""
    ts = result.timeseries
    n = result.model.n
    t = ts["time"].to_numpy()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    cum = [ts[f"new_by_{c}"].cumsum().to_numpy() / n for c in ("seed", "media", "wom")]
    ax1.stackplot(t, *cum, colors=[CHANNEL_COLOURS[c] for c in ("seed", "media", "wom")],
                  labels=[CHANNEL_LABELS[c] for c in ("seed", "media", "wom")], alpha=0.85, step="post")
    ax1.plot(t, ts["adopted_fraction"], color="black", lw=1.2, drawstyle="steps-post", label="all adopters")
    spec = result.model.spec
    ax1.set(xlabel=time_label(spec), ylabel="share of people who adopted", ylim=(0, 1.02), xlim=(t[0], max(t[-1], 1e-9)),
            title="Who has adopted, and through which channel")
    ax1.legend(loc="upper left", frameon=False, fontsize=9)
    width = (t[1] - t[0]) if len(t) > 1 else 1.0
    bottom = None
    for c in ("seed", "media", "wom"):
        vals = ts[f"new_by_{c}"].to_numpy()
        ax2.bar(t, vals, width=width, bottom=bottom, color=CHANNEL_COLOURS[c], label=CHANNEL_LABELS[c],
                align="edge", linewidth=0)
        bottom = vals if bottom is None else bottom + vals
    ax2.set(xlabel=time_label(spec), ylabel="new adopters per step", title="New adopters per step")
    ax2.legend(loc="upper right", frameon=False, fontsize=9)
    spec = result.model.spec
    fig.suptitle(f"{spec.title or spec.name} (seed {spec.seed})\n{subtitle(spec, n)}", fontsize=10)
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
