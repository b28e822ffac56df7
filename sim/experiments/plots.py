"""Figures of a sweep: a metric against a parameter, phase diagrams, adoption curves, Sobol' indices.

Each function returns one matplotlib Figure (drawn without pyplot: see
:mod:`sim.figures.canvas`), on the ``ax`` given or on a figure of its own, and
writes it to ``path`` when one is given. :func:`draw` draws one figure a spec's
``[[plot]]`` table describes (``SweepResult.plot()``); :func:`sweep_figures`
writes every figure the spec lists, or sensible defaults: a line for one
varied parameter, a heatmap for two, adoption curves when time series were
recorded, Sobol' indices for a sobol design.

Overlays draw theory over a heatmap; ``watts_window`` draws the analytic
cascade window of Watts (2002) over mean degree × threshold.

References
----------
Watts, D. J. (2002). A simple model of global cascades on random networks.
PNAS 99(9), 5766-5771.
"""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments.design import param_of
from sim.figures.canvas import colours as cmap
from sim.figures.canvas import save, target

__all__ = ["OVERLAYS", "curves", "draw", "heatmap", "label", "line", "mean_ci", "scatter", "sobol_bars",
           "sweep_figures"]

log = logging.getLogger(__name__)

METRIC_LABELS = {
    "final_fraction": "final share of people who adopted",
    "final_adopters": "people who adopted",
    "time_to_10": "time to 10 % adoption",
    "time_to_50": "time to 50 % adoption",
    "time_to_90": "time to 90 % adoption",
    "peak_time": "time of the adoption peak",
    "peak_new_adopters": "new adopters at the peak step",
    "total_cost": "total cost",
    "cost_per_adopter": "cost per adopter",
    "steps_run": "steps run",
    "adopters_by_channel_seed": "adopters who were seeded",
    "adopters_by_channel_media": "adopters won by mass media",
    "adopters_by_channel_wom": "adopters won by word of mouth",
    "adopted_fraction": "share of people who adopted",
    "effective_channels": "effective number of channels (1 / HHI of attention)",
    "top1_share": "share of all attention won by the largest channel",
    "broadcast_attention_share": "share of attention won by broadcast",
    "gini_social": "inequality of success: Gini of market shares (mean of the social worlds)",
    "gini_independent": "inequality of success: Gini of market shares (independent world)",
    "unpredictability_social": "unpredictability U of the social worlds",
    "unpredictability_independent": "unpredictability U of the independent world",
    "quality_correlation_social": "Spearman correlation of appeal and market share (social worlds)",
}


def label(key: str, indicators: dict | None = None, width: int = 60) -> str:
    """Axis label of a parameter (``key: meaning``) or metric (its meaning)."""
    if indicators and key in indicators:
        text = f"share of runs with {key.replace('_', ' ')} ({indicators[key]})"
    elif key in METRIC_LABELS:
        text = METRIC_LABELS[key]
    else:
        p = param_of(key)
        text = f"{key}: {p.help}" if p is not None else key.replace("_", " ")
    return "\n".join(textwrap.wrap(text, width))


def _is_share(metric: str, indicators: dict | None = None) -> bool:
    return metric.endswith(("_fraction", "_share")) or bool(indicators and metric in indicators)


def _finish(fig, path, spec=None, own: bool = True):
    """The footnote naming the sweep (on a figure of our own), written to ``path`` when one is given."""
    if spec is not None and own:  # a footnote that the layout keeps clear of the axes
        fig.supxlabel(_subtitle(spec), fontsize=7, color="0.4", x=0.01, ha="left")
    if path is not None:
        save(fig, path)
    return fig


def _subtitle(spec) -> str:
    fixed = f"{spec.replicates} replicate{'s' if spec.replicates > 1 else ''} per point, root seed {spec.root_seed}"
    return f"sweep {spec.name} over scenario {spec.scenario.get('name', '?')}: {fixed}"


def _groups(values, most: int = 8) -> list:
    values = sorted(pd.unique(values))
    if len(values) <= most:
        return values
    pick = np.unique(np.linspace(0, len(values) - 1, most).round().astype(int))
    return [values[i] for i in pick]


def mean_ci(runs: pd.DataFrame, keys: list[str], metric: str) -> pd.DataFrame:
    """Mean and 95 % confidence interval (Student t) of ``metric`` over the successful runs of each
    combination of ``keys`` (runs that differ in other parameters are pooled)."""
    # the t quantile (scipy.stats would take a second to import)
    from scipy.special import stdtrit

    ok = runs[runs["status"] == "ok"]
    g = ok.groupby(keys)[metric].agg(["mean", "std", "count"]).reset_index()
    half = np.where(g["count"] > 1, stdtrit(np.maximum(g["count"] - 1, 1), 0.975) * g["std"]
                    / np.sqrt(g["count"]), np.nan)
    return g.assign(lo=g["mean"] - half, hi=g["mean"] + half)


def line(runs: pd.DataFrame, x: str, y: str, path=None, spec=None, by: str | None = None, title: str = "",
         indicators: dict | None = None, labels: dict | None = None, log: bool = False, ax=None):
    """Mean of metric ``y`` against parameter ``x`` with its 95 % confidence band (one line per value
    of ``by``, named by ``labels`` where it gives a name; ``log``: a log scale for ``x``)."""
    stats = mean_ci(runs, [x] if by is None else [by, x], y)
    own = ax is None
    fig, ax = target(ax, figsize=(7.5, 4.8))
    groups = [(None, stats)] if by is None else [(v, stats[stats[by] == v]) for v in _groups(stats[by])]
    # named groups: distinct hues, not a ramp
    categorical = by is not None and not pd.api.types.is_numeric_dtype(stats[by])
    colours = cmap("tab10", np.arange(len(groups)) % 10) if categorical else \
        cmap("viridis", np.linspace(0.05, 0.85, len(groups)))
    for (value, g), colour in zip(groups, colours):
        g = g.sort_values(x)
        name = "mean of the runs" if by is None else (labels or {}).get(str(value)) or (
            f"{by} = {value:g}" if isinstance(value, float) else f"{by} = {value}")
        lo, hi = g["lo"], g["hi"]
        if _is_share(y, indicators):  # a share: the band stays within [0, 1]
            lo, hi = lo.clip(0, 1), hi.clip(0, 1)
        ax.plot(g[x], g["mean"], marker="o", ms=3.5, color=colour, label=name)
        ax.fill_between(g[x], lo, hi, color=colour, alpha=0.25, lw=0,
                        label="95 % confidence interval" if by is None else None)
    ax.set(xlabel=label(x) + (" (log scale)" if log else ""), ylabel=label(y, indicators, 40))
    if log:
        ax.set_xscale("log")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=9, title=None if by is None else "shaded: 95 % CI")
    ax.set_title(title or f"{label(y, indicators).capitalize()}\nagainst {x}", fontsize=11)
    return _finish(fig, path, spec, own)


def scatter(runs: pd.DataFrame, x: str, y: str, path=None, spec=None, title: str = "", indicators=None, ax=None):
    """Metric ``y`` of every run against parameter ``x`` (for sampled designs)."""
    ok = runs[runs["status"] == "ok"]
    own = ax is None
    fig, ax = target(ax, figsize=(7.5, 4.8))
    ax.scatter(ok[x], ok[y], s=10, alpha=0.5, color="#2b83ba", lw=0, label="one run")
    ax.set(xlabel=label(x), ylabel=label(y, indicators, 40))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=9)
    ax.set_title(title or f"{label(y, indicators).capitalize()}\nagainst {x} (every run)", fontsize=11)
    return _finish(fig, path, spec, own)


def _edges(values: np.ndarray) -> np.ndarray:
    if len(values) == 1:
        return np.array([values[0] - 0.5, values[0] + 0.5])
    mid = (values[1:] + values[:-1]) / 2
    return np.concatenate(([values[0] - (mid[0] - values[0])], mid, [values[-1] + (values[-1] - mid[-1])]))


def watts_window(ax, x: str, y: str, xlim, ylim) -> None:
    """Draw the analytic cascade window z_lo(φ), z_hi(φ) (Watts 2002) over a mean degree × threshold map."""
    from sim.analytic import watts_window as window

    axes = {"network.mean_degree": "z", "wom.threshold": "phi"}
    if {axes.get(x), axes.get(y)} != {"z", "phi"}:
        raise ValueError("the watts_window overlay needs network.mean_degree and wom.threshold as the axes")
    phi_lim = ylim if axes[y] == "phi" else xlim
    phis = np.linspace(max(phi_lim[0], 1e-3), phi_lim[1], 400)
    lo, hi = [], []
    for phi in phis:
        w = window(phi)
        lo.append(np.nan if w is None else w[0])
        hi.append(np.nan if w is None else w[1])
    lo, hi = np.array(lo), np.array(hi)
    for z, style, text in ((lo, "--", "analytic cascade window (Watts 2002)"), (hi, "--", None)):
        xs, ys = (z, phis) if axes[x] == "z" else (phis, z)
        ax.plot(xs, ys, style, color="white", lw=2.2, label=text)
        ax.plot(xs, ys, style, color="#d7191c", lw=1.2)
    ax.set(xlim=xlim, ylim=ylim)
    ax.legend(loc="upper right", fontsize=8, framealpha=0.85)


OVERLAYS = {"watts_window": watts_window}


def _even(values: np.ndarray) -> bool:
    return len(values) < 3 or bool(np.allclose(np.diff(values), values[1] - values[0], rtol=1e-6))


def heatmap(summary: pd.DataFrame, x: str, y: str, z: str, path=None, spec=None, overlay: str | None = None,
            title: str = "", indicators=None, log: bool = False, ax=None):
    """Phase diagram: the mean of metric ``z`` over parameters ``x`` × ``y`` (other parameters pooled).

    Evenly spaced values get numeric axes (overlays draw on them); others, such
    as 0.01, 0.1, 1, get one equal cell per value. ``log`` puts the colours on a
    log scale.
    """
    from matplotlib.colors import LogNorm

    table = summary.groupby([y, x])[f"{z}_mean"].mean().unstack(x).sort_index()
    xs, ys = table.columns.to_numpy(dtype=float), table.index.to_numpy(dtype=float)
    numeric = _even(xs) and _even(ys)
    ex, ey = (_edges(xs), _edges(ys)) if numeric else (np.arange(len(xs) + 1) - 0.5, np.arange(len(ys) + 1) - 0.5)
    own = ax is None
    fig, ax = target(ax, figsize=(7.5, 5.2))
    values = table.to_numpy(dtype=float)
    norm = LogNorm(vmin=np.nanmin(values[values > 0]), vmax=np.nanmax(values)) if log and (values > 0).any() else None
    mesh = ax.pcolormesh(ex, ey, values, cmap="viridis", shading="flat", norm=norm)
    bar = fig.colorbar(mesh, ax=ax)
    bar.set_label(label(z, indicators, 40) + (" (log scale)" if norm is not None else ""))
    if not numeric:
        ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
        ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
        for i in range(len(ys)):  # one cell per value: write its number in it
            for j in range(len(xs)):
                if np.isfinite(values[i, j]):
                    ax.text(j, i, f"{values[i, j]:.3g}", ha="center", va="center", fontsize=8,
                            color="white" if mesh.norm(values[i, j]) < 0.6 else "black")
    ax.set(xlabel=label(x), ylabel=label(y, width=45))
    if overlay:
        if not numeric:
            raise ValueError(f"the {overlay} overlay needs evenly spaced values on both axes")
        OVERLAYS[overlay](ax, x, y, (ex[0], ex[-1]), (ey[0], ey[-1]))
    ax.set_title(title or f"{label(z, indicators).capitalize()}\nover {x} and {y}", fontsize=11)
    return _finish(fig, path, spec, own)


def curves(timeseries: pd.DataFrame, runs: pd.DataFrame, by: str, path=None, column: str = "adopted_fraction",
           spec=None, title: str = "", values: list | None = None, ax=None):
    """Mean adoption curve with its 95 % band for each value of parameter ``by`` (the given
    ``values``, or up to 8 values spread over those swept).

    A run that stopped early (nothing could change any more) keeps its last
    value to the end, so every curve averages over all of its runs.
    """
    # the t quantile (scipy.stats would take a second to import)
    from scipy.special import stdtrit

    ok = runs[runs["status"] == "ok"][["key", by]]
    wide = timeseries.pivot_table(index="step", columns="key", values=column).sort_index().ffill()
    time = timeseries.groupby("step")["time"].first().reindex(wide.index) if "time" in timeseries else wide.index
    own = ax is None
    fig, ax = target(ax, figsize=(7.5, 4.8))
    values = _groups(ok[by]) if values is None else [v for v in values if (ok[by] == v).any()]
    colours = cmap("viridis", np.linspace(0.05, 0.85, len(values)))
    for value, colour in zip(values, colours):
        keys = [k for k in ok.loc[ok[by] == value, "key"] if k in wide.columns]
        if not keys:
            continue
        block = wide[keys].to_numpy(dtype=float)
        n = block.shape[1]
        mean = block.mean(axis=1)
        half = stdtrit(n - 1, 0.975) * block.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(mean)
        text = f"{by} = {value:g}" if isinstance(value, float) else f"{by} = {value}"
        ax.plot(time, mean, color=colour, lw=1.6, label=f"{text} ({n} runs)")
        lo, hi = mean - half, mean + half
        if _is_share(column):  # a share: the band stays within [0, 1]
            lo, hi = np.clip(lo, 0, 1), np.clip(hi, 0, 1)
        ax.fill_between(time, lo, hi, color=colour, alpha=0.2, lw=0)
    ax.set(xlabel="time", ylabel=label(column))
    if column == "adopted_fraction":
        ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8, title="shaded: 95 % CI", title_fontsize=8)
    ax.set_title(title or f"Adoption over time, by {by}", fontsize=11)
    return _finish(fig, path, spec, own)


def sobol_bars(table: pd.DataFrame, metric: str, path=None, title: str = "", spec=None, ax=None):
    """First-order and total Sobol' indices of each parameter for one metric, with 95 % CI whiskers."""
    t = table[table["metric"] == metric].sort_values("ST", ascending=False)
    ypos = np.arange(len(t))
    own = ax is None
    fig, ax = target(ax, figsize=(7.5, 1.6 + 0.55 * len(t)))
    ax.barh(ypos - 0.2, t["ST"], 0.4, xerr=t["ST_conf"], color="#e66101", label="total effect (ST)", capsize=3)
    ax.barh(ypos + 0.2, t["S1"], 0.4, xerr=t["S1_conf"], color="#5e3c99", label="first order (S1)", capsize=3)
    ax.set_yticks(ypos, t["parameter"])
    ax.invert_yaxis()
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set(xlabel="share of the variance of the metric (Sobol' index; whiskers: 95 % confidence)")
    ax.legend(frameon=False, fontsize=9, loc="lower right")
    ax.set_title(title or f"What drives the {label(metric)}?", fontsize=11)
    return _finish(fig, path, spec, own)


def _defaults(result) -> list[dict]:
    spec = result.spec
    metric = "final_fraction" if "final_fraction_mean" in result.summary else None
    if metric is None:
        means = [c[: -len("_mean")] for c in result.summary.columns if c.endswith("_mean")]
        metric = means[0] if means else None
    varied, kind = spec.varied, spec.design["kind"]
    out = []
    if kind == "sobol":
        out.append({"kind": "sobol", "metric": metric})
    elif len(varied) >= 2 and kind == "grid":
        out.append({"kind": "heatmap", "x": varied[0], "y": varied[1], "z": metric})
    else:
        out += [{"kind": "line", "x": v, "y": metric} for v in varied[:3]]
    if spec.timeseries and varied:
        out.append({"kind": "curves", "by": varied[0]})
    return out


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "_-" else "-" for c in text)


def draw(result, p: dict, ax=None):
    """``(figure, file name)`` of one ``[[plot]]`` table ``p`` (``kind`` = line, heatmap, curves or sobol)
    of a sweep's result. A figure that cannot be drawn (a metric these runs lack...) raises KeyError or
    ValueError saying why."""
    spec = result.spec
    sampled = spec.design["kind"] in ("random", "lhs", "sobol")
    kind, title, ind = p["kind"], p.get("title", ""), spec.indicators
    if kind == "line":
        y = p.get("y") or p.get("metric") or "final_fraction"
        name = f"{_slug(y)}_vs_{_slug(p['x'])}.png"
        if sampled:
            return scatter(result.runs, p["x"], y, None, spec, title, ind, ax=ax), name
        return line(result.runs, p["x"], y, None, spec, p.get("by"), title, ind, p.get("labels"),
                    bool(p.get("log")), ax=ax), name
    if kind == "heatmap":
        z = p.get("z") or p.get("metric") or "final_fraction"
        return heatmap(result.summary, p["x"], p["y"], z, None, spec, p.get("overlay"), title, ind,
                       bool(p.get("log")), ax=ax), f"{_slug(z)}_over_{_slug(p['x'])}_{_slug(p['y'])}.png"
    if kind == "curves":
        ts = result.timeseries
        if ts is None:
            raise ValueError("no time series were recorded (set record.timeseries = true)")
        return curves(ts, result.runs, p["by"], None, p.get("metric") or "adopted_fraction", spec, title,
                      p.get("values"), ax=ax), f"curves_by_{_slug(p['by'])}.png"
    if kind == "sobol":
        if result.sobol is None or not len(result.sobol):
            raise ValueError("no Sobol' indices: the design is not sobol")
        metric = p.get("metric") or result.sobol["metric"].iloc[0]
        return sobol_bars(result.sobol, metric, None, title, spec, ax=ax), f"sobol_{_slug(metric)}.png"
    raise ValueError(f"kind must be line, heatmap, curves or sobol; got {kind!r}")


def figures_of(result) -> list[dict]:
    """The ``[[plot]]`` tables of a sweep: its spec's own, or the defaults for its design."""
    return result.spec.plots or _defaults(result)


def sweep_figures(result, folder) -> list[Path]:
    """Write the spec's figures (or the defaults) into ``folder``; a figure that cannot be drawn
    (a metric these runs lack...) is skipped with a warning (logger ``sim``)."""
    folder, paths = Path(folder), []
    for p in figures_of(result):
        if p["kind"] == "sobol" and (result.sobol is None or not len(result.sobol)):
            continue
        try:
            fig, name = draw(result, p)
        except (KeyError, ValueError) as exc:
            log.warning("skipped the %s plot: %s: %s", p["kind"], type(exc).__name__, exc)
            continue
        paths.append(save(fig, folder / name))
    return paths
