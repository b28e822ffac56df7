"""Figures of the attention model (scenario ``fragmentation``): one point per figure.

- ``audiences.png`` — rank–size of channel reach and of channel views, the
  broadcast channel(s) highlighted: few channels reach many, most reach few.
- ``long_tail.png`` — log–log CCDF of user-channel audiences with its fitted slope.
- ``attention_share.png`` — who wins attention: broadcast, the top 10 user
  channels, the rest; and the share of all views held by the largest channels.
- ``overlap.png`` — duplication ratios between audiences (1 = chance): inside an
  interest community audiences overlap far more than chance.

Each function takes the model (after its run) and the run's summary and returns a
matplotlib Figure (drawn without pyplot: :mod:`sim.figures.canvas`); given a ``path``, it writes it there too.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.ticker
import numpy as np

from sim.attention import concentration
from sim.figures.canvas import save, subplots

__all__ = ["FIGURES", "all_figures", "audiences_figure", "long_tail_figure", "attention_share_figure", "overlap_figure"]

BROADCAST = "#e66101"
USER = "#2b83ba"
TAIL = "#abd9e9"


def _subtitle(model) -> str:
    a = model.spec.section("attention")
    plural = "s" if model.n_broadcast != 1 else ""
    return (f"{model.n:,} people, {int(model.producer.sum()):,} producers (post rate {a['post_rate']:g}), "
            f"{model.steps_run} steps; attention k = {a['k']}, reshare {a['reshare']:g}\n"
            f"follows {a['follows']}, homophily {a['homophily']:g} ({a['communities']} communities); "
            f"{model.n_broadcast} broadcast channel{plural}, broadcast share {a['broadcast_share']:g}")


def _finish(fig, model, path=None):
    """Title the figure; write it to ``path`` too when one is given; return it."""
    spec = model.spec
    fig.suptitle(f"{spec.heading} (seed {spec.seed})\n{_subtitle(model)}", fontsize=9.5)
    if path is not None:
        save(fig, path)
    return fig


def _num(x) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def _pct(x: float) -> str:
    return f"{100 * x:.2g} %" if x < 0.1 else f"{100 * x:.0f} %"


def audiences_figure(model, summary: dict, path=None):
    """Rank–size plots of reach (people) and views (attention), broadcast highlighted."""
    m = model.measure()
    n, b = model.n, model.n_broadcast
    fig, axes = subplots(1, 2, figsize=(12, 4.8), constrained_layout=True)
    views = model.channel_views
    total_views = max(int(views.sum()), 1)
    for ax, values, scale, label in ((axes[0], m["reach"], n, "people reached (% of all people)"),
                                     (axes[1], views, total_views, "share of all views (%)")):
        ch = m["channels"]
        vals = values[ch] / scale * 100
        order = np.argsort(-vals, kind="stable")
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(1, order.size + 1)
        seen = vals > 0  # a log axis cannot show zeros
        is_b = ch >= n
        ax.scatter(rank[seen & ~is_b], vals[seen & ~is_b], s=6, color=USER, alpha=0.6, lw=0,
                   label=f"user channels ({int((~is_b).sum()):,})")
        if (seen & is_b).any():
            ax.scatter(rank[seen & is_b], vals[seen & is_b], s=140, marker="*", color=BROADCAST, zorder=3,
                       edgecolor="black", lw=0.6, label="broadcast channel" + ("s" if b > 1 else ""))
        ax.set(xlabel="rank of the channel (1 = largest)", ylabel=label)
        if seen.any():
            ax.set(xscale="log", yscale="log")
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:g} %"))
            ax.legend(loc="lower left", frameon=False, fontsize=9)
        else:
            ax.text(0.5, 0.5, "nobody saw anything", transform=ax.transAxes, ha="center")
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_title("Audience: how many people each channel reached")
    axes[1].set_title("Attention: each channel's share of all views")
    text = (f"largest user channel reaches {_pct(summary['largest_user_reach'])} of people"
            + (f";\nbroadcast reaches {_pct(summary['broadcast_reach'])}" if b else "")
            + f"\nhalf the user channels reach < {_pct(summary['median_user_reach'])}")
    axes[0].text(0.98, 0.97, text, transform=axes[0].transAxes, ha="right", va="top", fontsize=9.5,
                 bbox=dict(boxstyle="round", fc="white", ec="0.6"))
    text = (f"broadcast: {_pct(summary['broadcast_attention_share'])} of views\n" if b else "") + \
        f"largest user channel: {_pct(summary['largest_user_views'] / total_views)}"
    axes[1].text(0.98, 0.97, text, transform=axes[1].transAxes, ha="right", va="top", fontsize=9.5,
                 bbox=dict(boxstyle="round", fc="white", ec="0.6"))
    return _finish(fig, model, path)


def long_tail_figure(model, summary: dict, path=None):
    """Log–log CCDF of user-channel audiences with the fitted straight line."""
    m = model.measure()
    reach = m["reach"][m["users"]]
    x, p = concentration.ccdf(reach)
    fig, ax = subplots(figsize=(9, 5.6), constrained_layout=True)
    ax.step(x, p, where="post", color=USER, lw=1.6, label="user channels")
    s = summary
    if s["ccdf_slope"] is not None:
        xs = np.geomspace(s["ccdf_lo"], s["ccdf_hi"], 50)
        ax.plot(xs, 10 ** s["ccdf_intercept"] * xs ** s["ccdf_slope"], "--", color="black", lw=1.2,
                label=f"straight line, slope {s['ccdf_slope']:.2f} (R² {s['ccdf_r2']:.2f})\n"
                      f"over {s['ccdf_lo']:,.0f}–{s['ccdf_hi']:,.0f} people")
    if model.n_broadcast:
        ax.axvline(s["broadcast_reach"] * model.n, color=BROADCAST, lw=2,
                   label=f"broadcast channel: {s['broadcast_reach'] * model.n:,.0f} people")
    ax.set(xlabel="audience size (people a channel reached)",
           ylabel="share of user channels with at least that audience",
           title="A long tail: most channels reach a handful of people, a few reach many")
    if x.size:
        ax.set(xscale="log", yscale="log")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower left", frameon=False, fontsize=9)
    return _finish(fig, model, path)


def attention_share_figure(model, summary: dict, path=None):
    """Broadcast vs user channels' share of attention, and the concentration curve."""
    m = model.measure()
    views = model.channel_views[m["channels"]].astype(np.float64)
    total = max(views.sum(), 1.0)
    user_views = np.sort(model.channel_views[m["users"]])[::-1] / total
    parts = [("broadcast", summary["broadcast_attention_share"], BROADCAST),
             ("top 10 user channels", user_views[:10].sum(), USER),
             (f"the other {max(user_views.size - 10, 0):,} user channels", user_views[10:].sum(), TAIL)]
    fig, (ax1, ax2) = subplots(1, 2, figsize=(12, 4.6), constrained_layout=True)
    labels = [p[0] for p in parts]
    vals = [100 * p[1] for p in parts]
    bars = ax1.barh(labels[::-1], vals[::-1], color=[p[2] for p in parts][::-1], edgecolor="black", lw=0.5)
    for bar, v in zip(bars, vals[::-1]):
        ax1.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, f"{v:.1f} %", va="center", fontsize=10)
    ax1.set(xlim=(0, 105), xlabel="share of all views (%)", title="Who wins attention")
    order = np.sort(views)[::-1]
    cum = np.cumsum(order) / total * 100
    r = np.arange(1, order.size + 1)
    ax2.plot(r, cum, color="black", lw=1.6)
    for k, label in ((1, "top 1"), (10, "top 10")):
        if k <= order.size:
            top_is_broadcast = m["channels"][np.argmax(views)] >= model.n
            ax2.plot([k], [cum[k - 1]], "o", color=BROADCAST if k == 1 and top_is_broadcast else USER)
            ax2.annotate(f"{label}: {cum[k - 1]:.0f} %", (k, cum[k - 1]), textcoords="offset points",
                         xytext=(8, -14), fontsize=9.5)
    ax2.set(xscale="log", ylim=(0, 102), xlabel="number of channels, largest first",
            ylabel="their share of all views (%)", title="How concentrated attention is")
    ax2.text(0.98, 0.04, f"Gini {summary['gini']:.2f}; HHI {summary['hhi']:.3f}\n"
                         f"effective number of channels (1/HHI) {summary['effective_channels']:.1f}",
             transform=ax2.transAxes, ha="right", va="bottom", fontsize=9.5,
             bbox=dict(boxstyle="round", fc="white", ec="0.6"))
    ax2.grid(True, which="major", alpha=0.3)
    return _finish(fig, model, path)


def overlap_figure(model, summary: dict, path=None):
    """Duplication ratios between the audiences of the largest channels (1 = chance)."""
    m = model.measure()
    d = m["duplication"]
    b, n = model.n_broadcast, model.n
    ids = m["overlap"]
    if ids.size < 2:
        fig, ax = subplots(figsize=(7, 3), constrained_layout=True)
        ax.text(0.5, 0.5, "fewer than two channels reached anyone: no overlap to show", ha="center")
        ax.set_axis_off()
        return _finish(fig, model, path)
    seg = np.where(ids < n, model.graph.segments[np.minimum(ids, n - 1)], -1)
    fig, (ax1, ax2) = subplots(1, 2, figsize=(12.5, 5.2), constrained_layout=True,
                                   gridspec_kw={"width_ratios": [1.1, 1]})
    with np.errstate(divide="ignore", invalid="ignore"):
        logd = np.log2(d)
    lim = 4.0
    cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="0.8")  # grey: the diagonal
    im = ax1.imshow(np.clip(logd, -lim, lim), cmap=cmap, vmin=-lim, vmax=lim, interpolation="nearest")
    bar = fig.colorbar(im, ax=ax1, shrink=0.85, ticks=np.arange(-lim, lim + 1, 2))
    bar.ax.set_yticklabels([f"{2.0 ** t:g}×" for t in np.arange(-lim, lim + 1, 2)])
    bar.set_label("duplication ratio (1× = chance)")
    names = ["broadcast" if i >= n else f"#{i} ({model.graph.segment_names[seg[j]]})" for j, i in enumerate(ids)]
    ax1.set_xticks([])
    ax1.set_yticks(range(len(ids)), names, fontsize=6)
    cuts = np.flatnonzero(seg[1:] != seg[:-1]) + 0.5
    for c in cuts:
        ax1.axhline(c, color="0.3", lw=0.4)
        ax1.axvline(c, color="0.3", lw=0.4)
    ax1.set_title(f"The {len(ids) - b} largest user channels (grouped by interest community)"
                  + (" and broadcast" if b else ""), fontsize=10)
    iu = np.triu_indices(len(ids), 1)
    users_pair = (ids[iu[0]] < n) & (ids[iu[1]] < n)
    same = seg[iu[0]] == seg[iu[1]]
    vals = d[iu]
    ok = np.isfinite(vals) & (vals > 0) & users_pair
    bins = np.linspace(-5, 5, 41)
    groups = ((ok & ~same, USER, f"different communities (mean {_num(summary['duplication_between'])})"),
              (ok & same, BROADCAST, f"same community (mean {_num(summary['duplication_within'])})"))
    for pick, colour, label in groups:
        if pick.any():
            ax2.hist(np.log2(vals[pick]), bins=bins, color=colour, alpha=0.75,
                     weights=np.full(int(pick.sum()), 100.0 / pick.sum()), label=f"{label}, {int(pick.sum())} pairs")
    ax2.axvline(0, color="black", lw=1.5, ls="--", label="1 = as much overlap as chance")
    ticks = np.arange(-4, 5, 2)
    ax2.set_xticks(ticks, [f"{2.0 ** t:g}" for t in ticks])
    ax2.set(xlabel="duplication ratio D = P(both audiences) / (P(first) P(second)), log scale",
            ylabel="share of the pairs in each group (%)",
            title=f"Audience overlap between channel pairs (mean D = {_num(summary['duplication_mean'])})")
    ax2.legend(loc="upper left", fontsize=9, framealpha=0.9)
    return _finish(fig, model, path)


def all_figures(model, summary: dict, folder: Path) -> list[Path]:
    """Write the four figures into ``folder``; returns their paths."""
    folder = Path(folder)
    return [save(draw(model, summary), folder / f"{name}.png") for name, draw in FIGURES.items()]


# the figures of a run, by file name (without .png): what all_figures writes and model.plot(kind) draws
FIGURES = {"audiences": audiences_figure, "long_tail": long_tail_figure, "attention_share": attention_share_figure,
           "overlap": overlap_figure}
