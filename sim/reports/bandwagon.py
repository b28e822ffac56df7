"""The ``bandwagon`` report: thresholds, critical mass and cascades.

:func:`bandwagon_report` writes bandwagon.png: final adoption against the
seeded fraction over replicates (:func:`tipping_runs`), with the analytic
curve (:func:`threshold_cascade_size`) and the critical mass
(:func:`critical_mass`); Granovetter's crowd (:func:`crowd_runs`); the Watts
cascade window.

References
----------
Granovetter, M. (1978). Threshold models of collective behavior. AJS 83(6).
Watts, D. J. (2002). A simple model of global cascades on random networks. PNAS 99(9).
Gleeson, J. P. & Cahalane, D. J. (2007). Seed size strongly affects cascades
on random networks. Phys. Rev. E 75, 056103.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim import analytic, config
from sim.figures.canvas import subplots
from sim.reports.common import _save, announce, report_size, require_rule
from sim.rules.threshold import Threshold

__all__ = ["bandwagon_report", "threshold_cdf", "threshold_cascade_size", "critical_mass", "tipping_runs",
           "crowd_runs", "CROWD_N", "CROWD_MEAN"]


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


def tipping_runs(spec, fractions, replicates: int, graph=None, bar=None) -> pd.DataFrame:
    """Final adopted fraction for each seeded fraction and replicate (same seeds across fractions).

    ``graph``: one network for every run (a file's, or a graph given in Python); ``bar``: a progress bar
    to advance by one per run.
    """
    from sim import runs
    from sim.compare import replicate_seeds

    strategy = spec.get("seeding.strategy")
    strategy = strategy if strategy in ("random", "top_degree", "friend_of_random") else "random"
    rows = []
    for f in fractions:
        sub = spec.replace({"seeding.strategy": strategy, "seeding.fraction": float(f), "report": ""})
        for r, seed in enumerate(replicate_seeds(spec.seed, replicates)):
            s = runs.run(sub, seed=seed, graph=graph, adoptions=False).summary
            rows.append({"seed_fraction": float(f), "replicate": r, "final_fraction": s["final_fraction"]})
            if bar is not None:
                bar.update()
    return pd.DataFrame(rows)


CROWD_N, CROWD_MEAN = 100, 25.0


def crowd_runs(sds, replicates: int, seed: int, bar=None) -> pd.DataFrame:
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
            s = runs.run(base, overrides={"wom.count": x}, adoptions=False).summary
            rows.append({"sd": float(sd), "replicate": r, "joined": s["final_adopters"]})
            if bar is not None:
                bar.update()
    return pd.DataFrame(rows)


def bandwagon_report(result, folder) -> list[Path]:
    """bandwagon.png: the tipping point in the seeded fraction, Granovetter's crowd, the Watts window."""
    spec = result.model.spec
    require_rule(spec, Threshold, "bandwagon", "it sweeps the seeded fraction of a threshold model")
    z = float(result.model.graph.in_degree.mean())
    er = spec.get("network.kind") == "erdos_renyi"
    cdf = threshold_cdf(spec.section("wom"))
    random_seeds = spec.get("seeding.strategy") in ("random", "none", "nodes")
    crit = critical_mass(z, cdf) if er and random_seeds else None
    top = max(0.16, 2 * crit if crit else 0.0, (spec.get("seeding.fraction") or 0) * 1.5)
    fractions = np.round(np.linspace(0, top, 17), 4)
    from sim.progress import progress_bar

    size, people = report_size(spec, result.model.n)
    given = None if size or config.reads("network.n", spec.values, spec.model) else result.model.graph
    sds, n_tip, n_crowd = np.arange(0, 25, 1.0), len(fractions) * 10, 25 * 8
    announce("bandwagon", f"{n_tip} runs of final adoption against the share seeded, on {people}, and "
                          f"{n_crowd} crowds of {CROWD_N}")
    with progress_bar(n_tip + n_crowd, "bandwagon report") as bar:
        sweep = tipping_runs(spec.replace(size) if size else spec, fractions, replicates=10, graph=given, bar=bar)
        crowd = crowd_runs(sds, replicates=8, seed=spec.seed, bar=bar)
    fig, (ax1, ax2, ax3) = subplots(1, 3, figsize=(16, 4.9), constrained_layout=True,
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
                  f"(runs of {people}, {z:.1f} contacts each, thresholds {_phi_text(spec)})")
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
    fig.suptitle(f"{spec.heading} (seed {spec.seed})", fontsize=11)
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

