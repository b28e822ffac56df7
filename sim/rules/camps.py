"""Measures of a population's opinions: clusters (camps), spread, polarisation, consensus.

A cluster is a maximal group of people whose sorted opinions have no gap
wider than :data:`GAP` (0.01) between neighbours; a *major* cluster holds at
least :data:`MAJOR` (2 %) of people. Consensus is a width (max - min) of at
most :data:`CONSENSUS` (0.02). Polarisation is 4 × the variance of the
opinions: 0 when everyone agrees, 1 for two equal camps at 0 and 1. A run is
steady from the first step after which no opinion moved by more than

opinion runs there.

Examples
--------
>>> m = measure(np.array([0.1, 0.105, 0.5, 0.9, 0.9]))
>>> m["clusters"], m["major_clusters"], m["largest_cluster"], m["width"], m["settled"]
(3.0, 3.0, 0.4, 0.8, 0.0)
>>> measure(np.array([0.1, 0.105, 0.5, 0.9, 0.9]), epsilon=0.3)["settled"]
1.0
"""

from __future__ import annotations

import numpy as np

from sim.rules import ticks_jit

__all__ = ["COLUMNS", "GAP", "MAJOR", "CONSENSUS", "measure", "summary"]

COLUMNS = ("clusters", "major_clusters", "largest_cluster", "mean_opinion", "spread", "polarisation", "width",
           "settled")
GAP, MAJOR, CONSENSUS = 0.01, 0.02, 0.02


def measure(x: np.ndarray, epsilon: float | None = None, edges=None) -> dict:
    """The measures of :data:`COLUMNS` for the opinions ``x`` (floats, for a time series).

    ``epsilon``: the confidence bound, for ``settled`` (None: settled means everyone agrees);
    ``edges``: ``(i, j)`` arrays of who listens to whom on a graph (None: everyone to everyone).
    """
    n = len(x)
    if n == 0:
        return dict.fromkeys(COLUMNS, 0.0)
    xs = np.sort(x)
    gaps = np.diff(xs)
    cut = np.flatnonzero(gaps > GAP)
    bounds = np.concatenate(([0], cut + 1, [n]))
    sizes = np.diff(bounds)
    var = float(xs.var())
    width = float(xs[-1] - xs[0])
    if epsilon is None:
        settled = width == 0
    elif edges is not None:  # every pair of contacts either agrees or is out of reach
        if ticks_jit.AVAILABLE:  # compiled, it stops at the first pair that can still move
            settled = bool(ticks_jit.edges_settled(x, edges[0], edges[1], GAP, epsilon))
        else:
            d = np.abs(x[edges[0]] - x[edges[1]])
            settled = bool(((d <= GAP) | (d >= epsilon)).all())
    else:
        inner = xs[bounds[1:] - 1] - xs[bounds[:-1]]
        settled = bool((inner <= GAP).all() and (gaps[cut] >= epsilon).all())
    return {"clusters": float(len(sizes)), "major_clusters": float((sizes >= MAJOR * n).sum()),
            "largest_cluster": float(sizes.max() / n), "mean_opinion": float(xs.mean()), "spread": var ** 0.5,
            "polarisation": 4 * var, "width": width, "settled": float(settled)}


def summary(x: np.ndarray, ts, epsilon: float | None = None, edges=None) -> dict:
    """``summary.json`` keys from the final opinions ``x`` and the run's time series ``ts``."""
    m = measure(x, epsilon, edges)
    width = ts["width"].to_numpy()
    agreed = np.flatnonzero(width <= CONSENSUS)
    unsettled = np.flatnonzero(ts["settled"].to_numpy() < 1)
    steady = int(ts["step"].iloc[unsettled[-1]]) + 1 if unsettled.size else 0
    steps = int(ts["step"].iloc[-1])
    return {"clusters": int(m["clusters"]), "major_clusters": int(m["major_clusters"]),
            "largest_cluster": m["largest_cluster"], "consensus": bool(m["width"] <= CONSENSUS),
            "consensus_step": int(ts["step"].iloc[agreed[0]]) if agreed.size else None,
            "mean_opinion": m["mean_opinion"], "spread": m["spread"], "polarisation": m["polarisation"],
            "settled": bool(m["settled"] if "settled" in m else False),
            "steady_step": steady if steady <= steps else None}
