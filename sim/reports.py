"""Scenario reports: the extra runs and figures that show each shipped scenario's point.

A scenario names its report with the top-level key ``report`` (registered in
:data:`sim.config.REPORTS`); ``bouche run`` calls it after the main run with
``(result, folder)`` and it returns the paths it wrote. Each report validates
that the scenario still fits it first and raises a one-line
:class:`~sim.errors.ConfigError` otherwise (``--set report=''`` skips it).

- ``bass``: the run against the closed-form Bass curve, and the same market on
  sparse networks, slower than Bass (Fibich & Gibori 2010).
- ``bandwagon``: final adoption against the seeded fraction over replicates,
  with the analytic curve and critical mass; Granovetter's crowd; the Watts
  cascade window.
- ``broadcast-vs-seeding``: one budget spent four ways in each world of the
  scenario's ``[variants]``, over paired replicates.
- ``measurement``: what the dashboard shows against the true lift from twin
  runs, for each campaign variant.

References
----------
Bass, F. M. (1969). Management Science 15(5), 215–227.
Fibich, G. & Gibori, R. (2010). Aggregate diffusion dynamics in agent-based
models with a spatial structure. Operations Research 58(5), 1450–1468.
Granovetter, M. (1978). Threshold models of collective behavior. AJS 83(6).
Watts, D. J. (2002). A simple model of global cascades on random networks. PNAS 99(9).
Gleeson, J. P. & Cahalane, D. J. (2007). Seed size strongly affects cascades
on random networks. Phys. Rev. E 75, 056103.
Libai, B., Muller, E. & Peres, R. (2013). Decomposing the value of word-of-mouth
seeding programs. JMR 50(2), 161–176.

Examples
--------
>>> from sim import config
>>> print(cascade_note(config.load("bandwagon")).split(";")[0])
Watts (2002) cascade window for a uniform threshold of 0.35 on an Erdős–Rényi graph: none (no window above 1/4)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim import analytic, config
from sim.errors import ConfigError

__all__ = ["bass_report", "bandwagon_report", "broadcast_vs_seeding_report", "measurement_report", "notes",
           "cascade_note", "threshold_cdf", "threshold_cascade_size", "critical_mass", "tipping_runs",
           "crowd_runs", "budget", "strategy_arms", "strategy_comparison", "StrategyComparison",
           "campaign_comparison", "STRATEGIES", "REPLICATES"]

REPLICATES = 20  # paired replicates of the comparisons in broadcast-vs-seeding and measurement
SKIP = "(or --set report='' to skip the report)"
STRATEGIES = ("broadcast", "top_degree", "random", "friend_of_random")
STRATEGY_LABELS = {"broadcast": "broadcast campaign", "top_degree": "seed influencers (most contacts)",
                   "random": "seed random people", "friend_of_random": "seed friends of random people"}
SHORT_LABELS = {"broadcast": "broadcast", "top_degree": "influencers", "random": "random people",
                "friend_of_random": "friends of\nrandom people"}
STRATEGY_COLOURS = {"broadcast": "#e66101", "top_degree": "#5e3c99", "random": "#7f7f7f",
                    "friend_of_random": "#1b9e77"}


def _plt():
    from sim.plots import plt

    return plt


def _t975(df):
    from scipy import stats

    return stats.t.ppf(0.975, df)


def _ci(values) -> tuple[float, float, float, int]:
    """Mean and 95 % t interval of the non-NaN values (NaN interval under two values)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(x.mean())
    if len(x) < 2:
        return m, math.nan, math.nan, 1
    half = float(_t975(len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return m, m - half, m + half, len(x)


def _save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=110)
    _plt().close(fig)
    return path


# ---------------------------------------------------------------------------
# notes for `bouche show` and `bouche run`


def cascade_note(spec) -> str | None:
    """Watts's analytic cascade window for a threshold scenario on an Erdős–Rényi graph (else None).

    With thresholds that vary, the window is computed at their mean.
    """
    if spec.model not in ("adoption", "platform") or spec.get("wom.rule") != "threshold" \
            or spec.get("network.kind") != "erdos_renyi":
        return None
    phi = spec.get("wom.threshold")
    varied = isinstance(phi, list) or spec.get("wom.threshold_dist") == "uniform" or spec.get("wom.threshold_sd") > 0
    if isinstance(phi, list):
        phi = float(np.mean(phi))
    elif spec.get("wom.threshold_dist") == "uniform":
        phi = 0.5 * (spec.get("wom.threshold_low") + spec.get("wom.threshold_high"))
    z = spec.get("network.mean_degree")
    head = f"Watts (2002) cascade window for a uniform threshold of {phi:g} on an Erdős–Rényi graph: "
    window = analytic.watts_window(phi) if phi > 0 else (0.0, math.inf)
    if window is None:
        text = (head + f"none (no window above 1/4); one seed never starts a global cascade at any mean degree, "
                       f"so at z = {z:g} only a critical mass of seeds can")
    else:
        lo, hi = window
        inside = lo < z < hi
        text = head + (f"z in ({lo:.3f}, {hi:.3f}); this scenario's z = {z:g} is "
                       + ("inside: one seed can start a global cascade" if inside
                          else "outside: one seed cannot start a global cascade"))
    if varied:
        text += " (thresholds vary here; the window uses their mean)"
    return text


def notes(spec) -> list[str]:
    """Lines that `bouche show` and `bouche run` print after a scenario: the cascade window, the variants."""
    out = []
    note = cascade_note(spec)
    if note:
        out.append(note)
    if spec.variants:
        names = ", ".join(f"{k} ({v['title']})" if "title" in v else k for k, v in spec.variants.items())
        out.append(f"variants the report runs beside the base: {names}")
    return out


# ---------------------------------------------------------------------------
# bass


SPARSE = (("complete graph (everyone hears everyone)", {"network.kind": "complete"}),
          ("random network, 10 contacts each", {"network.kind": "erdos_renyi", "network.mean_degree": 10}),
          ("random network, 4 contacts each", {"network.kind": "erdos_renyi", "network.mean_degree": 4}),
          ("ring, 2 neighbours each", {"network.kind": "ring", "network.k": 2}))
SPARSE_COLOURS = ("#2b83ba", "#1b9e77", "#e6ab02", "#d95f02")


def _bass_pq(spec) -> tuple[float, float]:
    """Bass p and q of a scenario that the closed form describes, or ConfigError."""
    if spec.get("wom.rule") != "bass":
        raise ConfigError("wom.rule", f"must be bass for the bass report (it overlays the Bass curve) {SKIP}; "
                                      f"got {spec.get('wom.rule')!r}")
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
    curves = []
    for (label, net), colour in zip(SPARSE, SPARSE_COLOURS):
        try:
            sub = spec.replace({**net, "run.dt": fine, "run.steps": steps, "run.stop": "steps", "report": ""})
        except ConfigError:
            continue  # e.g. too few people for 10 contacts each
        ts = runs.run(sub).timeseries
        curves.append((label, colour, ts["time"].to_numpy(), ts["adopted_fraction"].to_numpy()))

    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.6), constrained_layout=True)
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
                  f"for Bass; steps of {fine:g})", fontsize=10)
    ax2.legend(loc="lower right", frameon=False, fontsize=8.5)
    fig.suptitle(f"{spec.title or spec.name}: same p and q, {result.model.n:,} people, seed {spec.seed}",
                 fontsize=11)
    return [_save(fig, Path(folder) / "bass.png")]


def _network_text(spec) -> str:
    kind = spec.get("network.kind")
    return {"complete": "complete graph", "erdos_renyi": "random network"}.get(kind, kind.replace("_", " "))


def _first(t, f, level):
    hit = np.flatnonzero(np.asarray(f) >= level - 1e-12)
    return None if len(hit) == 0 else float(np.asarray(t)[hit[0]])


# ---------------------------------------------------------------------------
# bandwagon: thresholds, critical mass, cascades


def threshold_cdf(wom: dict):
    """P(φ_i ≤ x) for the scenario's fractional thresholds (``wom`` section), as a vectorised function.

    Examples
    --------
    >>> F = threshold_cdf({"threshold": 0.35, "threshold_sd": 0.1, "threshold_dist": "normal"})
    >>> [round(float(v), 3) for v in F(np.array([0.25, 0.35, 1.0]))]
    [0.159, 0.5, 1.0]
    """
    from scipy import stats

    tol = 1e-9
    if isinstance(wom["threshold"], list):
        phi = np.sort(np.asarray(wom["threshold"], dtype=float))
        return lambda x: np.searchsorted(phi, np.asarray(x) + tol, side="right") / len(phi)
    if wom["threshold_dist"] == "uniform":
        lo, hi = wom["threshold_low"], wom["threshold_high"]
        if hi == lo:
            return lambda x: (np.asarray(x) + tol >= lo).astype(float)
        return lambda x: np.clip((np.asarray(x) + tol - lo) / (hi - lo), 0.0, 1.0)
    mu, sd = float(wom["threshold"]), float(wom["threshold_sd"])
    if sd == 0:
        return lambda x: (np.asarray(x) + tol >= mu).astype(float)
    # thresholds are clipped to [0, 1]: the mass above 1 sits at 1
    return lambda x: np.where(np.asarray(x) + tol >= 1.0, 1.0, stats.norm.cdf((np.asarray(x) + tol - mu) / sd))


def threshold_cascade_size(z: float, cdf, seed_fraction: float) -> float:
    """Expected final adopted fraction of a threshold model on a large Erdős–Rényi graph.

    The Gleeson–Cahalane fixed point with heterogeneous thresholds: a random
    ``seed_fraction`` adopts at the start; a node of degree k with m adopted
    neighbours adopts when φ_i ≤ m/k, i.e. with probability ``cdf(m/k)``;
    degree-0 nodes never adopt. q (an edge leads to an adopter) is the smallest
    root above ρ0 of q = ρ0 + (1-ρ0) Σ_k (k p_k/z) Σ_m Bin(m; k-1, q) F(m/k).

    Parameters
    ----------
    z : float
        Mean degree (Poisson degrees).
    cdf : callable
        P(φ ≤ x), see :func:`threshold_cdf`.
    seed_fraction : float
        Random initial adopters, in [0, 1).

    Examples
    --------
    >>> F = threshold_cdf({"threshold": 0.35, "threshold_sd": 0.1, "threshold_dist": "normal"})
    >>> round(threshold_cascade_size(10, F, 0.05), 2), round(threshold_cascade_size(10, F, 0.10), 2)
    (0.07, 1.0)
    """
    from scipy import optimize, special, stats

    rho0 = float(seed_fraction)
    k = np.arange(max(int(stats.poisson.isf(1e-12, z)) + 2, 3))
    pk = stats.poisson.pmf(k, z)
    pk /= pk.sum()
    w = k * pk / max(float(np.sum(k * pk)), 1e-300)
    K, M = k[:, None], k[None, :]
    gain = np.where((M <= K) & (K > 0), cdf(np.where(K > 0, M / np.maximum(K, 1), 0.0)), 0.0)

    def binom(trials):  # P(Bin(trials_k, q) = m) as a function of q: log C + m log q + (trials - m) log(1 - q)
        ok = M <= trials
        log_c = np.where(ok, special.gammaln(trials + 1) - special.gammaln(M + 1)
                         - special.gammaln(np.maximum(trials - M, 0) + 1), -np.inf)
        m, rest = np.where(ok, M, 0), np.where(ok, trials - M, 0)

        def pmf(q):
            q = np.clip(np.atleast_1d(q)[:, None, None], 1e-300, 1.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                lq, l1q = np.log(q), np.log1p(-np.minimum(q, 1.0 - 1e-16))
                out = np.exp(log_c + m * lq + rest * l1q)
            return np.where(ok, np.nan_to_num(out), 0.0)
        return pmf

    edge, node = binom(np.maximum(K - 1, 0)), binom(K)
    wg = w[:, None] * gain

    def excess(q):  # G(q) - q for an array of q
        return rho0 + (1 - rho0) * np.sum(edge(q) * wg[None], axis=(1, 2)) - np.atleast_1d(q)

    grid = rho0 + (1 - rho0) * np.unique(np.concatenate([np.linspace(0, 1, 201), 1 - np.logspace(-12, -3, 28)]))
    d = excess(grid)
    i = int(np.argmax(d <= 0))
    if d[i] > 0:
        q = 1.0
    elif i == 0:
        q = float(grid[0])
    else:
        q = optimize.brentq(lambda x: float(excess(x)[0]), grid[i - 1], grid[i], xtol=1e-13)
    return float(rho0 + (1 - rho0) * np.sum(node(q)[0] * pk[:, None] * gain))


def critical_mass(z: float, cdf, level: float = 0.5) -> float | None:
    """Smallest random seed fraction whose analytic cascade exceeds ``level`` (bisection; None if none < 1).

    Examples
    --------
    >>> F = threshold_cdf({"threshold": 0.35, "threshold_sd": 0.1, "threshold_dist": "normal"})
    >>> round(critical_mass(10, F), 3)
    0.08
    """
    if threshold_cascade_size(z, cdf, 1e-6) > level:
        return 0.0
    lo, hi = 1e-6, 0.999
    if threshold_cascade_size(z, cdf, hi) <= level:
        return None
    for _ in range(22):  # to about 2e-7
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if threshold_cascade_size(z, cdf, mid) > level else (mid, hi)
    return 0.5 * (lo + hi)


def tipping_runs(spec, fractions, replicates: int) -> pd.DataFrame:
    """Final adopted fraction for each seeded fraction and replicate (same seeds across fractions)."""
    from sim import runs
    from sim.compare import replicate_seeds

    strategy = spec.get("seeding.strategy")
    strategy = strategy if strategy in ("random", "top_degree", "friend_of_random") else "random"
    rows = []
    for f in fractions:
        sub = spec.replace({"seeding.strategy": strategy, "seeding.fraction": float(f), "seeding.count": None,
                            "report": ""})
        for r, seed in enumerate(replicate_seeds(spec.seed, replicates)):
            s = runs.run(sub, seed=seed).summary
            rows.append({"seed_fraction": float(f), "replicate": r, "final_fraction": s["final_fraction"]})
    return pd.DataFrame(rows)


CROWD_N, CROWD_MEAN = 100, 25.0


def crowd_runs(sds, replicates: int, seed: int) -> pd.DataFrame:
    """Granovetter's crowd: 100 people, count thresholds ~ round(Normal(25, sd)) clipped at 0, complete graph.

    Returns how many join, per sd and replicate; thresholds are drawn from a
    stream named after the crowd, keyed by sd and replicate.
    """
    from sim import runs
    from sim.streams import Streams

    base = config.load({"name": "crowd", "network": {"kind": "complete", "n": CROWD_N},
                        "wom": {"rule": "complex"}, "run": {"steps": 1000}})
    rows = []
    streams = Streams(seed)
    for sd in sds:
        for r in range(replicates):
            rng = streams.get("crowd", f"{sd:g}", str(r))
            x = np.maximum(np.round(rng.normal(CROWD_MEAN, sd, CROWD_N)), 0).astype(int).tolist()
            s = runs.run(base, overrides={"wom.count": x}).summary
            rows.append({"sd": float(sd), "replicate": r, "joined": s["final_adopters"]})
    return pd.DataFrame(rows)


def bandwagon_report(result, folder) -> list[Path]:
    """bandwagon.png: the tipping point in the seeded fraction, Granovetter's crowd, the Watts window."""
    spec = result.model.spec
    if spec.get("wom.rule") != "threshold":
        raise ConfigError("wom.rule", f"must be threshold for the bandwagon report (it sweeps the seeded fraction "
                                      f"of a threshold model) {SKIP}; got {spec.get('wom.rule')!r}")
    z = float(result.model.graph.in_degree.mean())
    er = spec.get("network.kind") == "erdos_renyi"
    cdf = threshold_cdf(spec.section("wom"))
    random_seeds = spec.get("seeding.strategy") in ("random", "none", "nodes")
    crit = critical_mass(z, cdf) if er and random_seeds else None
    top = max(0.16, 2 * crit if crit else 0.0, (spec.get("seeding.fraction") or 0) * 1.5)
    fractions = np.round(np.linspace(0, top, 17), 4)
    sweep = tipping_runs(spec, fractions, replicates=10)
    crowd = crowd_runs(np.arange(0, 25, 1.0), replicates=8, seed=spec.seed)

    plt = _plt()
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(16, 4.9), constrained_layout=True,
                                        gridspec_kw={"width_ratios": [1.25, 1, 1]})
    # (1) the tipping point
    rng = np.random.default_rng(0)  # jitter for display only
    ax1.scatter(sweep["seed_fraction"] * 100 + rng.uniform(-0.25, 0.25, len(sweep)), sweep["final_fraction"] * 100,
                s=14, color="#2b83ba", alpha=0.45, lw=0, label="one run (10 per seeded share)")
    mean = sweep.groupby("seed_fraction")["final_fraction"].mean()
    ax1.plot(mean.index * 100, mean.to_numpy() * 100, color="#2b83ba", lw=1.8, label="mean of the runs")
    if er and random_seeds:
        grid = np.linspace(0, top, 49)
        ax1.plot(grid * 100, [100 * threshold_cascade_size(z, cdf, g) for g in grid], color="black", lw=1.2,
                 ls="--", label="analytic (Gleeson–Cahalane, this network and thresholds)")
    ax1.plot([0, top * 100], [0, top * 100], color="#999999", lw=1, ls=":", label="the seeds alone")
    if crit:
        ax1.axvline(crit * 100, color="#d7191c", lw=1.5)
        ax1.text(crit * 100 + 0.3, 50, f"critical mass\n≈ {crit * 100:.1f} % seeded", color="#d7191c", fontsize=9,
                 va="center")
    own = spec.get("seeding.fraction")
    if own is not None:
        ax1.plot([own * 100], [result.summary["final_fraction"] * 100], "*", ms=15, color="#e66101",
                 markeredgecolor="black", label="this run", zorder=6)
    ax1.set(xlabel="people seeded by the campaign (%)", ylabel="people who adopted in the end (%)", ylim=(-2, 103),
            title=f"Below a critical mass adoption stalls; above it nearly everyone boards\n"
                  f"({result.model.n:,} people, {z:.1f} contacts each, thresholds {_phi_text(spec)})")
    ax1.legend(loc="upper left", frameon=False, fontsize=8)
    # (2) Granovetter's crowd
    g = crowd.groupby("sd")["joined"]
    ax2.scatter(crowd["sd"] + rng.uniform(-0.2, 0.2, len(crowd)), crowd["joined"], s=12, color="#5e3c99",
                alpha=0.4, lw=0, label="one crowd (8 per spread)")
    ax2.plot(g.mean().index, g.mean().to_numpy(), color="#5e3c99", lw=1.8, label="mean of the crowds")
    sds = np.linspace(0.01, 24, 200)
    ax2.plot(sds, [analytic.granovetter_normal(CROWD_MEAN, s, CROWD_N) for s in sds], color="black", lw=1.2,
             ls="--", label="Granovetter's equilibrium (mean field)")
    sc = analytic.granovetter_critical_sd(CROWD_MEAN, CROWD_N)
    ax2.axvline(sc, color="#d7191c", lw=1.5)
    ax2.text(sc + 0.3, 55, f"critical spread\n≈ {sc:.1f}", color="#d7191c", fontsize=9)
    ax2.set(xlabel="spread (sd) of the thresholds", ylabel="people who join (of 100)", ylim=(-3, 103),
            title="Granovetter's crowd: each joins once enough others have\n"
                  "(thresholds = numbers of people, mean 25)")
    ax2.legend(loc="upper left", frameon=False, fontsize=8)
    # (3) the Watts window
    phis = np.linspace(0.004, 0.26, 257)
    wins = [analytic.watts_window(ph) for ph in phis]
    lo = np.array([w[0] if w else np.nan for w in wins])
    hi = np.array([w[1] if w else np.nan for w in wins])
    zmax = max(16.0, z * 1.2)
    ax3.fill_betweenx(phis, lo, np.minimum(hi, zmax), color="#fdae61", alpha=0.6,
                      label="global cascades from ONE seed (Watts 2002)")
    phi = _phi_mean(spec)
    ax3.plot([z], [phi], "*", ms=16, color="#2b83ba", markeredgecolor="black",
             label=f"this scenario (z = {z:.1f}, mean threshold {phi:g})" + ("" if er else ", not Erdős–Rényi"))
    ax3.set(xlabel="mean number of contacts z", ylabel="threshold (share of contacts)", xlim=(0, zmax),
            ylim=(0, max(0.4, phi * 1.15)),
            title="Where a single adopter can tip a random network\n(outside: only a critical mass can)")
    ax3.axhline(0.25, color="#999999", lw=0.6, ls=":")
    ax3.legend(loc="upper right", frameon=False, fontsize=8)
    fig.suptitle(f"{spec.title or spec.name} (seed {spec.seed})", fontsize=11)
    return [_save(fig, Path(folder) / "bandwagon.png")]


def _phi_mean(spec) -> float:
    phi = spec.get("wom.threshold")
    if isinstance(phi, list):
        return float(np.mean(phi))
    if spec.get("wom.threshold_dist") == "uniform":
        return 0.5 * (spec.get("wom.threshold_low") + spec.get("wom.threshold_high"))
    return float(phi)


def _phi_text(spec) -> str:
    phi = spec.get("wom.threshold")
    if isinstance(phi, list):
        return "given per person"
    if spec.get("wom.threshold_dist") == "uniform":
        return f"uniform in [{spec.get('wom.threshold_low'):g}, {spec.get('wom.threshold_high'):g}]"
    sd = spec.get("wom.threshold_sd")
    return f"{phi:g}" if sd == 0 else f"{phi:g} ± {sd:g}"


# ---------------------------------------------------------------------------
# broadcast vs seeding


def budget(spec) -> dict:
    """The budget of a world: what its broadcast campaign costs, and what it buys instead.

    Budget B = cost_per_contact x reach x n x (stop - start + 1), the expected
    spend of the scenario's one medium; seeding buys floor(B / cost_per_seed) seeds.

    Examples
    --------
    >>> b = budget(config.load("broadcast-vs-seeding"))
    >>> b["seeds"] == int(b["budget"] // b["cost_per_seed"])
    True
    """
    if spec.model != "adoption":
        raise ConfigError("model", f"must be adoption for the broadcast-vs-seeding report {SKIP}; got {spec.model!r}")
    if len(spec.media) != 1:
        raise ConfigError("media", f"must be one medium (the broadcast campaign) for the broadcast-vs-seeding "
                                   f"report {SKIP}; got {len(spec.media)}")
    m = spec.media[0]
    if m["target"] != "all":
        raise ConfigError("media.target", f"must be all for the broadcast-vs-seeding report (broadcast reaches "
                                          f"everyone) {SKIP}; got {m['target']!r}")
    if m["stop"] is None:
        raise ConfigError("media.stop", f"must end the campaign (a number) for the broadcast-vs-seeding report: "
                                        f"the budget is what the campaign costs {SKIP}; got none")
    if spec.get("network.kind") == "file":
        raise ConfigError("network.kind", f"must not be file for the broadcast-vs-seeding report {SKIP}; got 'file'")
    c, s = m["cost_per_contact"], spec.get("seeding.cost_per_seed")
    n = spec.get("network.n")
    b = c * m["reach"] * n * (m["stop"] - m["start"] + 1)
    if not c > 0 or not b > 0:
        raise ConfigError("media.cost_per_contact", f"must be > 0 (with reach > 0) for the broadcast-vs-seeding "
                                                    f"report: it sets the budget {SKIP}; got {c:g}")
    if not s > 0:
        raise ConfigError("seeding.cost_per_seed", f"must be > 0 for the broadcast-vs-seeding report {SKIP}; "
                                                   f"got {s:g}")
    seeds = int(b // s)
    if not 1 <= seeds <= n:
        raise ConfigError("seeding.cost_per_seed", f"must buy between 1 and {n:,} seeds with the budget {b:,.2f}; "
                                                   f"got {s:g} ({seeds:,} seeds)")
    return {"budget": b, "cost_per_contact": c, "cost_per_seed": s, "contacts": b / c, "seeds": seeds, "n": n}


def strategy_arms(spec) -> dict:
    """The four ways to spend one budget, as scenarios: broadcast, top_degree, random, friend_of_random."""
    b = budget(spec)
    plain = {"variants": {}, "report": "", "seeding.count": None, "seeding.fraction": None}
    arms = {"broadcast": spec.replace({**plain, "seeding.strategy": "none"})}
    for strategy in STRATEGIES[1:]:
        arms[strategy] = spec.replace({**plain, "media.reach": 0.0, "seeding.strategy": strategy,
                                       "seeding.count": b["seeds"]})
    return arms


def _worlds(spec) -> dict:
    if not spec.variants:
        return {"base": spec.replace({"variants": {}})}
    return {name: spec.replace({"variants": {}, **over}) for name, over in spec.variants.items()}


@dataclass
class StrategyComparison:
    """One budget spent four ways in each world: per-run metrics, curves, the table and the winners."""

    worlds: dict = field(repr=False)       # name -> Scenario
    budgets: dict                          # name -> budget()
    runs: pd.DataFrame = field(repr=False)  # world, arm, replicate, seed, metrics
    timeseries: pd.DataFrame = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    best: dict                             # world -> strategy with the most adopters

    def difference(self, world: str, strategy: str, other: str, metric: str = "final_adopters") -> dict:
        """Paired difference strategy - other in one world, with its 95 % CI."""
        from sim.compare import paired_difference

        r = self.runs[self.runs["world"] == world]
        a = r[r["arm"] == other].sort_values("replicate")[metric].to_numpy()
        b = r[r["arm"] == strategy].sort_values("replicate")[metric].to_numpy()
        return paired_difference(a, b)


def strategy_comparison(spec, replicates: int = REPLICATES) -> StrategyComparison:
    """Run the four strategies in every world of the scenario over paired replicates (same seeds per world)."""
    from sim.compare import paired_runs, replicate_seeds

    worlds = _worlds(spec)
    budgets = {name: budget(w) for name, w in worlds.items()}  # validate every world before running any
    arms = {name: strategy_arms(w) for name, w in worlds.items()}
    all_runs, all_ts = [], []
    for name, w in worlds.items():
        r, ts = paired_runs(arms[name], replicate_seeds(w.seed, replicates))
        all_runs.append(r.assign(world=name))
        all_ts.append(ts.assign(world=name))
    runs_df = pd.concat(all_runs, ignore_index=True)
    rows, best = [], {}
    for name in worlds:
        part = runs_df[runs_df["world"] == name]
        means = part.groupby("arm")["final_adopters"].mean()
        best[name] = str(means.idxmax())
        for strategy in STRATEGIES:
            x = part[part["arm"] == strategy].sort_values("replicate")
            a = _ci(x["final_adopters"])
            c = _ci(x["cost_per_adopter"])
            t = _ci(x["time_to_50"])
            row = {"world": name, "title": worlds[name].title, "strategy": strategy, "replicates": len(x),
                   "budget": budgets[name]["budget"], "seeds": budgets[name]["seeds"] if strategy != "broadcast"
                   else 0, "adopters": a[0], "adopters_ci_low": a[1], "adopters_ci_high": a[2],
                   "adopted_fraction": a[0] / budgets[name]["n"], "cost_per_adopter": c[0],
                   "cost_per_adopter_ci_low": c[1], "cost_per_adopter_ci_high": c[2], "time_to_50": t[0],
                   "time_to_50_ci_low": t[1], "time_to_50_ci_high": t[2], "reached_50_share": t[3] / max(len(x), 1)}
            rows.append(row)
    table = pd.DataFrame(rows)
    out = StrategyComparison(worlds=worlds, budgets=budgets, runs=runs_df,
                             timeseries=pd.concat(all_ts, ignore_index=True), table=table, best=best)
    diffs = []
    for _, row in table.iterrows():
        d = out.difference(row["world"], row["strategy"], best[row["world"]])
        diffs.append((d["mean"], d["ci_low"], d["ci_high"]))
    table["vs_best"], table["vs_best_ci_low"], table["vs_best_ci_high"] = map(list, zip(*diffs))
    return out


def broadcast_vs_seeding_report(result, folder) -> list[Path]:
    """broadcast-vs-seeding.png and strategies.csv: one budget, four strategies, each world."""
    from sim.compare import curves

    spec = result.model.spec
    sc = strategy_comparison(spec)
    folder = Path(folder)
    csv = folder / "strategies.csv"
    sc.table.to_csv(csv, index=False)

    plt = _plt()
    names = list(sc.worlds)
    fig, axes = plt.subplots(2, len(names), figsize=(7.4 * len(names), 8.6), constrained_layout=True,
                             squeeze=False, gridspec_kw={"height_ratios": [1.25, 1]})
    for j, name in enumerate(names):
        w, b = sc.worlds[name], sc.budgets[name]
        ts = sc.timeseries[sc.timeseries["world"] == name]
        n_rep = int(sc.table["replicates"].iloc[0])
        ax = axes[0, j]
        for strategy in STRATEGIES:
            t, y = curves(ts, strategy, "adopted_fraction")
            ax.plot(t, 100 * y.mean(axis=0), color=STRATEGY_COLOURS[strategy], lw=2.2,
                    label=STRATEGY_LABELS[strategy])
            ax.fill_between(t, 100 * y.min(axis=0), 100 * y.max(axis=0), color=STRATEGY_COLOURS[strategy],
                            alpha=0.13, lw=0)
        ax.set(xlabel="time (months)", ylabel="share who adopted (%)", ylim=(0, None),
               title=f"{w.title or name}\nbudget {b['budget']:,.0f} buys {b['contacts']:,.0f} contacts "
                     f"or {b['seeds']:,} seeds\n(lines: mean of {n_rep} runs; shading: their range)")
        ax.legend(loc="upper left", frameon=False, fontsize=9)
        tab = sc.table[sc.table["world"] == name].set_index("strategy").loc[list(STRATEGIES)]
        ax = axes[1, j]
        y = np.arange(len(STRATEGIES))[::-1]
        err = np.vstack([tab["adopters"] - tab["adopters_ci_low"], tab["adopters_ci_high"] - tab["adopters"]])
        ax.barh(y, tab["adopters"], xerr=np.nan_to_num(err), color=[STRATEGY_COLOURS[s] for s in STRATEGIES],
                capsize=4, height=0.7)
        ax.set_yticks(y, [SHORT_LABELS[s] for s in STRATEGIES], fontsize=9.5)
        for yy, s in zip(y, STRATEGIES):
            r = tab.loc[s]
            some = "" if r["reached_50_share"] == 1 else f" (in {r['reached_50_share'] * n_rep:.0f} of {n_rep} runs)"
            t50 = "never reached" if math.isnan(r["time_to_50"]) else f"at {r['time_to_50']:.1f} months{some}"
            best = "★ " if s == sc.best[name] else ""
            ax.text(r["adopters_ci_high"] if not math.isnan(r["adopters_ci_high"]) else r["adopters"], yy,
                    f"  {best}{r['adopters']:,.0f} adopters, {r['cost_per_adopter']:,.2f} per adopter\n  50 % {t50}",
                    va="center", fontsize=8.5, fontweight="bold" if best else "normal")
        ax.set_xlim(0, tab["adopters_ci_high"].max() * 1.75)
        ax.set(xlabel=f"adopters after {int(w.get('run.steps'))} months (mean and 95 % CI, {n_rep} paired runs)",
               title="With the same money: who wins (★)")
    fig.suptitle(f"{spec.title or spec.name} (seed {spec.seed})", fontsize=12)
    return [_save(fig, folder / "broadcast-vs-seeding.png"), csv]


# ---------------------------------------------------------------------------
# measurement


def campaign_comparison(spec, replicates: int = REPLICATES) -> tuple[pd.DataFrame, dict]:
    """Dashboard against truth for each campaign variant: twin runs with the campaign on and off.

    Returns a table (one row per variant: impressions, likes, engagement rate,
    last-touch attributed adoptions, true incremental adopters with paired and
    unpaired 95 % CIs, variance ratio, cost per incremental adopter) and the
    :class:`~sim.compare.Comparison` of each variant.
    """
    from sim.compare import compare
    from sim.measurement import campaign_off

    if spec.model != "platform":
        raise ConfigError("model", f"must be platform for the measurement report {SKIP}; got {spec.model!r}")
    variants = spec.variants or {"base": {}}
    rows, comps = [], {}
    for name, over in variants.items():
        v = spec.replace({"variants": {}, "report": "", **over})
        off = campaign_off(v)
        on = {key: _value(v, key) for key in off}
        c = compare(v.replace(off), change=on, replicates=replicates)  # base: campaign off; changed: on
        comps[name] = c
        live = c.runs[c.runs["arm"] == "changed"]
        lift = c.difference("final_adopters")
        cost = float(live["total_cost"].mean())
        inc = lift["mean"]
        rows.append({"variant": name, "title": v.title or name, "impressions": float(live["impressions"].mean()),
                     "likes": float(live["likes"].mean()), "engagement_rate": float(live["engagement_rate"].mean()),
                     "attributed_adoptions": float(live["attributed_adoptions"].mean()),
                     "impressions_on_adopters": float(live["impressions_on_adopters"].mean()),
                     "true_lift": inc, "true_lift_ci_low": lift["ci_low"], "true_lift_ci_high": lift["ci_high"],
                     "unpaired_ci_low": lift["unpaired_ci_low"], "unpaired_ci_high": lift["unpaired_ci_high"],
                     "variance_ratio": lift["variance_ratio"], "cost": cost,
                     "cost_per_incremental": cost / inc if inc > 0 else math.nan,
                     "cost_per_attributed": float(live["cost_per_attributed"].mean())})
    return pd.DataFrame(rows), comps


def _value(spec, key: str):
    """Current value of a dotted key, media included (``media.reach``, ``media.NAME.reach``)."""
    parts = key.split(".")
    if parts[0] == "media" and len(parts) == 3:
        return next(m for m in spec.media if m["name"] == parts[1])[parts[2]]
    return spec.get(key)


def measurement_report(result, folder) -> list[Path]:
    """measurement.png (dashboard vs truth per variant), campaigns.csv and twin.png (the run's own twins)."""
    spec = result.model.spec
    table, comps = campaign_comparison(spec)
    folder = Path(folder)
    csv = folder / "campaigns.csv"
    table.to_csv(csv, index=False)

    import textwrap

    plt = _plt()
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(16, 5.2), constrained_layout=True)
    labels = [textwrap.fill(t, 16) for t in table["title"]]
    x = np.arange(len(table))
    colours = ["#e66101", "#5e3c99", "#1b9e77", "#2b83ba", "#7f7f7f"][: len(table)]
    ax1.bar(x, 100 * table["engagement_rate"], color=colours, width=0.6)
    for i, r in table.iterrows():
        ax1.text(i, 100 * r["engagement_rate"], f"{100 * r['engagement_rate']:.2f} %\n({r['likes']:,.0f} likes)",
                 ha="center", va="bottom", fontsize=9.5)
    ax1.set_xticks(x, labels, fontsize=9.5)
    ax1.set(ylabel="engagement rate (likes per impression, %)", ylim=(0, 100 * table["engagement_rate"].max() * 1.3),
            title="What the dashboard shows:\nengagement rate of each campaign")
    width = 0.38
    ax2.bar(x - width / 2, table["attributed_adoptions"], width, color="#dddddd", edgecolor="black", hatch="//",
            label="credited by the dashboard (last touch)")
    err = np.vstack([table["true_lift"] - table["true_lift_ci_low"], table["true_lift_ci_high"] - table["true_lift"]])
    ax2.bar(x + width / 2, table["true_lift"], width, yerr=err, capsize=5, color=colours,
            label="caused by the campaign (twin runs, 95 % CI)")
    for i, r in table.iterrows():
        ax2.text(i + width / 2, r["true_lift_ci_high"], f"{r['true_lift']:,.0f}", ha="center", va="bottom",
                 fontsize=9.5, fontweight="bold")
        ax2.text(i - width / 2, r["attributed_adoptions"], f"{r['attributed_adoptions']:,.0f}", ha="center",
                 va="bottom", fontsize=9)
    ax2.set_xticks(x, labels, fontsize=9.5)
    top = max(table["attributed_adoptions"].max(), table["true_lift_ci_high"].max())
    ax2.set(ylabel="adopters", ylim=(0, top * 1.35),
            title="What the campaign changed:\nadoptions credited vs adoptions caused")
    ax2.legend(loc="upper left", frameon=False, fontsize=9)
    ax3.bar(x - width / 2, table["cost_per_attributed"], width, color="#dddddd", edgecolor="black", hatch="//",
            label="per adoption credited by the dashboard")
    ax3.bar(x + width / 2, table["cost_per_incremental"], width, color=colours,
            label="per adoption the campaign caused")
    ax3.set_xticks(x, labels, fontsize=9.5)
    top = np.nanmax(np.concatenate([table["cost_per_attributed"], table["cost_per_incremental"]]))
    ax3.set(ylabel="cost per adopter", ylim=(0, top * 1.35), title="Cost per adopter:\nas reported vs real")
    ax3.legend(loc="upper left", frameon=False, fontsize=9)
    n_rep = len(next(iter(comps.values())).seeds)
    imp = spec.get("measurement.impressions")
    bought = f"{imp:,} impressions a step for each campaign" if imp is not None else \
        f"about {table['impressions'].mean():,.0f} impressions per campaign"
    by_eng = table.loc[table["engagement_rate"].idxmax(), "title"]
    by_lift = table.loc[table["true_lift"].idxmax(), "title"]
    verdict = (f"best by engagement: {by_eng}; best by what it caused: {by_lift}" if by_eng != by_lift
               else f"{by_eng} wins on both counts here")
    fig.suptitle(f"{spec.title or spec.name}: {bought}, {n_rep} twin runs each (campaign on / off, same seeds)"
                 f"\n{verdict}", fontsize=11.5)
    paths = [_save(fig, folder / "measurement.png"), csv]
    own = next((n for n, c in comps.items() if c.changed.values == spec.values and c.changed.media == spec.media),
               next(iter(comps)))
    paths.append(comps[own].figure(folder / "twin.png", labels={"base": "campaign off", "changed": "campaign on"},
                                   title=f"{spec.title or spec.name}: the campaign "
                                         f"({comps[own].changed.title or own}) against its twin without it"))
    return paths
