"""Pictures of opinions: the live histogram for the classroom app, and the opinions over time.

:func:`opinion_frame` draws the current opinions as a histogram (RGBA pixels
for the browser app), with the camps counted; :func:`opinion_history` draws a
run's opinions over time as a heat map (share of people per opinion bin and
step) from the histograms :func:`histograms` gathers while a model steps.

Examples
--------
>>> import sim
>>> m = sim.DiffusionModel("echo-chambers", overrides={"network.n": 200, "run.steps": 3})
>>> opinion_frame(m, m.engine.rule_state(0)["opinion"], m.rule.values).shape
(420, 560, 4)
"""

from __future__ import annotations

import numpy as np

from sim.rules import camps

__all__ = ["opinion_frame", "histograms", "opinion_history", "BINS"]

BINS = 50


def opinion_frame(model, x, values: dict, width_px: int = 560, height_px: int = 420):
    """RGBA pixels: the histogram of the opinions ``x`` now, the camps counted in the title."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    x = np.asarray(x)
    fig = Figure(figsize=(width_px / 100, height_px / 100), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.12, 0.13, 0.84, 0.74))
    share, edges = np.histogram(x, bins=BINS, range=(0, 1))
    colours = np.where(edges[:-1] + 0.5 / BINS > 0.5, "#2b83ba", "#e66101")
    ax.bar(edges[:-1], 100 * share / max(len(x), 1), width=1 / BINS, align="edge", color=list(colours))
    for m in model.spec.media:
        if m.get("opinion") is not None:
            ax.axvline(m["opinion"], color="black", lw=2, ls="--")
            ax.text(m["opinion"], 97, f" {m['name']}", fontsize=9, va="top")
    m = camps.measure(x)
    ax.set(xlim=(0, 1), ylim=(0, 100), xlabel="opinion", ylabel="people (%)")
    ax.set_title(f"{int(m['major_clusters'])} camps of at least 2 % · largest {100 * m['largest_cluster']:.0f} % · "
                 f"polarisation {m['polarisation']:.2f}", fontsize=11)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())


def histograms(model, every: int = 1) -> np.ndarray:
    """Run ``model`` to its end, keeping the share of people in each of :data:`BINS` opinion bins at every
    ``every``-th step (rows: steps, from step 0)."""
    rows = []

    def keep():
        x = model.engine.rule_state(0)["opinion"]
        rows.append(np.histogram(x, bins=BINS, range=(0, 1))[0] / max(len(x), 1))

    keep()
    while model.running:
        model.step()
        if model.steps_run % every == 0 or not model.running:
            keep()
    return np.array(rows)


def opinion_history(ax, hist: np.ndarray, every: int = 1, title: str = "") -> None:
    """Draw ``hist`` (from :func:`histograms`) on ``ax``: steps across, opinions up, share of people as shade."""
    steps = np.arange(hist.shape[0]) * every
    ax.imshow(hist.T, origin="lower", aspect="auto", cmap="Greys", extent=(0, max(steps[-1], 1), 0, 1),
              vmin=0, vmax=max(float(hist.max()), 1e-9) * 0.6, interpolation="nearest")
    ax.set(xlabel="step (n interactions each)", ylabel="opinion", title=title)
