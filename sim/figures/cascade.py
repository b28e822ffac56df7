"""The classroom picture of an information cascade: people in a row, deciding one after another.

:func:`decision_row` draws everyone in the order they decide (left to right,
row after row): grey while they wait, green once they adopted, red once they
rejected, hollow when they followed the crowd whatever their own hint. Above
each person who has decided, their private hint (▲ adopt, ▼ reject) when
``reveal`` is on; a "?" otherwise, so that a class can guess before the
teacher shows the hints. The next person to decide is ringed. The headline
gives the lead everyone sees (adoptions minus rejections) and says when a
cascade is under way (and, with ``reveal``, whether it is the right one).

Examples
--------
>>> import sim
>>> m = sim.DiffusionModel("cascades", overrides={"run.steps": 30})
>>> for _ in range(10):
...     m.step()
>>> decision_row(m.engine.rule_state(0), truth=1, reveal=True).shape
(420, 560, 4)
"""

from __future__ import annotations

import numpy as np

__all__ = ["decision_row"]

GREEN, RED, WAIT = "#1a9641", "#d7191c", "#d0d0d0"


def decision_row(state: dict, truth: int, reveal: bool = False, width_px: int = 560, height_px: int = 420):
    """RGBA pixels of the row of people; ``state`` is one run's observational-rule state (host arrays)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    order, choice = np.asarray(state["order"]), np.asarray(state["choice"])
    signal, herded = np.asarray(state["signal"]), np.asarray(state["herded"])
    n = len(order)
    done = int(np.asarray(state["n_decided"]).ravel()[0])
    cols = int(min(n, max(10, np.ceil(np.sqrt(n * 2.2)))))
    rows = int(np.ceil(n / cols))
    pos = np.arange(n)
    x, y = pos % cols, -(pos // cols) * 1.6
    fig = Figure(figsize=(width_px / 100, height_px / 100), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.8))
    ax.set_axis_off()
    c = choice[order]
    face = np.where(c > 0, GREEN, np.where(c < 0, RED, WAIT)).astype(object)
    follows = herded[order] & (c != 0)
    size = max(20.0, min(260.0, 5200.0 / max(cols, rows * 1.6) ** 1.3))
    ax.scatter(x[~follows], y[~follows], s=size, c=list(face[~follows]), edgecolors="white", linewidths=0.5)
    ax.scatter(x[follows], y[follows], s=size, facecolors="white", edgecolors=list(face[follows]), linewidths=1.8)
    if done < n:
        ax.scatter([x[done]], [y[done]], s=size * 2.2, facecolors="none", edgecolors="black", linewidths=1.5)
    shown = pos < done
    hint = signal[order]
    if reveal:
        up, down = shown & (hint > 0), shown & (hint < 0)
        ax.scatter(x[up], y[up] + 0.62, marker="^", s=size * 0.35, color=GREEN)
        ax.scatter(x[down], y[down] + 0.62, marker="v", s=size * 0.35, color=RED)
    else:
        for i in np.flatnonzero(shown):
            ax.text(x[i], y[i] + 0.62, "?", ha="center", va="center", fontsize=7, color="#777777")
    ax.set(xlim=(-0.8, cols - 0.2), ylim=(-(rows - 1) * 1.6 - 0.9, 1.2))
    adopted, rejected = int((choice > 0).sum()), int((choice < 0).sum())
    lead = adopted - rejected
    direction = int(np.asarray(state["cascade_dir"]).ravel()[0])
    if direction:
        what = "adopt" if direction > 0 else "reject"
        right = ("the right choice" if direction == truth else "the WRONG choice") if reveal else "right or wrong?"
        status = f"cascade: everyone now {what}s, whatever their hint ({right})"
    else:
        status = "no cascade: each person's own hint still matters"
    fig.text(0.5, 0.95, f"{done} of {n} decided · adopted {adopted}, rejected {rejected} · lead {lead:+d}",
             ha="center", fontsize=12, weight="bold")
    fig.text(0.5, 0.895, status, ha="center", fontsize=10, color=(GREEN if direction == truth else RED)
             if direction and reveal else "#444444")
    fig.text(0.5, 0.85, "hollow: followed the crowd, whatever their hint · ringed: next to decide"
             + ("" if reveal else " · ?: hint hidden"), ha="center", fontsize=8, color="#555555")
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())
