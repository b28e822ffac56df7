"""The ``bass`` report: the run against the closed-form Bass curve, and the same market on sparse networks.

:func:`bass_report` writes bass.png: the run beside the Bass curve and its
discrete recursion, then the same p and q on a complete graph, random networks
of 10 and 4 contacts each and a ring, where word of mouth is slower than Bass
(Fibich & Gibori 2010).

References
----------
Bass, F. M. (1969). Management Science 15(5), 215–227.
Fibich, G. & Gibori, R. (2010). Aggregate diffusion dynamics in agent-based
models with a spatial structure. Operations Research 58(5), 1450–1468.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sim import analytic
from sim.errors import ConfigError
from sim.figures.canvas import subplots
from sim.progress import progress_bar
from sim.reports.common import REPORT_MAX_N, SKIP, _save, announce, require_rule
from sim.rules.bass import Bass

__all__ = ["bass_report", "SPARSE", "SPARSE_COLOURS"]


SPARSE = (("complete graph (everyone hears everyone)", {"network.kind": "complete"}),
          ("random network, 10 contacts each", {"network.kind": "erdos_renyi", "network.mean_degree": 10}),
          ("random network, 4 contacts each", {"network.kind": "erdos_renyi", "network.mean_degree": 4}),
          ("ring, 2 neighbours each", {"network.kind": "ring", "network.k": 2}))
SPARSE_COLOURS = ("#2b83ba", "#1b9e77", "#e6ab02", "#d95f02")


def _bass_pq(spec) -> tuple[float, float]:
    """Bass p and q of a scenario that the closed form describes, or ConfigError."""
    require_rule(spec, Bass, "bass", "it overlays the Bass curve")
    if len(spec.media) != 1:
        raise ConfigError("media", f"must be one medium for the bass report {SKIP}; got {len(spec.media)}")
    m = spec.media[0]
    if m["target"] != "all" or m["start"] != 1 or m["stop"] is not None or m["p"] * m["reach"] <= 0:
        raise ConfigError("media", f"must reach everyone from step 1 on, with p > 0 and reach > 0, for the bass "
                                   f"report {SKIP}; got target = {m['target']}, start = {m['start']}, "
                                   f"stop = {m['stop']}, p = {m['p']}, reach = {m['reach']}")
    if spec.get("seeding.strategy") != "none":
        raise ConfigError("seeding.strategy", f"must be none for the bass report (the Bass curve starts from "
                                              f"nobody) {SKIP}; got {spec.get('seeding.strategy')!r}")
    return m["p"] * m["reach"], spec.get("wom.q")


def bass_report(result, folder) -> list[Path]:
    """bass.png: the run on the Bass curve, and the same market on sparse networks, slower than Bass."""
    from sim import runs

    spec = result.model.spec
    p, q = _bass_pq(spec)
    dt = spec.get("run.dt")
    horizon = spec.get("run.steps") * dt
    fine = min(dt, 0.1)
    steps = int(math.ceil(horizon / fine - 1e-9))
    n = min(result.model.n, REPORT_MAX_N)  # the same market on networks of the run's size (capped), a file's too
    announce("bass", f"{len(SPARSE)} runs of {n:,} people on other networks, {steps:,} steps of dt = {fine:g}")
    curves = []
    with progress_bar(len(SPARSE), "bass report") as bar:
        for (label, net), colour in zip(SPARSE, SPARSE_COLOURS):
            bar.update()
            try:
                sub = spec.replace({**net, "network.n": n, "run.dt": fine, "run.steps": steps, "run.stop": "steps",
                                    "report": ""})
            except ConfigError:
                continue  # e.g. too few people for 10 contacts each
            ts = runs.run(sub, adoptions=False).timeseries
            curves.append((label, colour, ts["time"].to_numpy(), ts["adopted_fraction"].to_numpy()))
    fig, (ax1, ax2) = subplots(1, 2, figsize=(12, 4.6), constrained_layout=True)
    t = np.linspace(0, horizon, 400)
    closed = analytic.bass_cdf(t, p, q)
    t_half = _first(t, closed, 0.5)
    for ax in (ax1, ax2):
        ax.plot(t, closed, color="black", lw=3.2, alpha=0.8, label=f"Bass curve (p = {p:g}, q = {q:g})", zorder=2)
        ax.set(xlabel="time (Bass time units)", ylabel="share of people who adopted", ylim=(0, 1.02),
               xlim=(0, horizon))
        ax.axhline(0.5, color="#999999", lw=0.6, ls=":")
    ts = result.timeseries
    k = len(ts) - 1
    ax1.plot(np.arange(k + 1) * dt, analytic.bass_discrete(p, q, k, dt), color="#e66101", lw=1.4, ls="--",
             label=f"Bass in steps of {dt:g} (discrete recursion)")
    ax1.plot(ts["time"], ts["adopted_fraction"], "o", color="#e66101", ms=4.5,
             label=f"this run: {result.model.n:,} people, {_network_text(spec)}")
    ax1.set_title("The simulated market follows Bass\n(steps of one time unit lag the continuous curve a little)",
                  fontsize=10)
    ax1.legend(loc="lower right", frameon=False, fontsize=8.5)
    for label, colour, tt, ff in curves:
        half = _first(tt, ff, 0.5)
        when = "never" if half is None else f"t = {half:.1f}"
        ax2.plot(tt, ff, color=colour, lw=1.6, label=f"{label}: half adopted at {when}", zorder=3)
    ax2.set_title(f"Sparse networks slow word of mouth below the Bass curve\n(half adopted at t = {t_half:.1f} "
                  f"for Bass; steps of {fine:g}; {n:,} people)", fontsize=10)
    ax2.legend(loc="lower right", frameon=False, fontsize=8.5)
    fig.suptitle(f"{spec.heading}: same p and q, {result.model.n:,} people, seed {spec.seed}",
                 fontsize=11)
    return [_save(fig, Path(folder) / "bass.png")]


def _network_text(spec) -> str:
    kind = spec.get("network.kind")
    return {"complete": "complete graph", "erdos_renyi": "random network"}.get(kind, kind.replace("_", " "))


def _first(t, f, level):
    hit = np.flatnonzero(np.asarray(f) >= level - 1e-12)
    return None if len(hit) == 0 else float(np.asarray(t)[hit[0]])

