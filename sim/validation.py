"""Validation suite: the engine docked against published diffusion results.

``bouche validate`` runs each check below with the engine (:func:`sim.run`
with overrides; the analytic companions in :mod:`sim.analytic` give the
expected values) and writes a report, Markdown and HTML with its figures,
that states for each check the reference, the setting, the expected value, the
simulated value with its uncertainty, the tolerance and whether it passed. Any
failed check makes the command exit with status 1, after the report is written.
Rand & Rust (2011) ask agent-based marketing models to dock against the
aggregate models first; this report is that docking, rerun on every change.

Checks (the registry :data:`CHECKS`, in report order): the Bass model on the
complete graph against the discrete recursion (dt = 1) and the closed form
(small dt); Granovetter's riot and final size against the threshold spread
sigma; Watts's global cascades against the Gleeson–Cahalane trigger
probability, size and window; complex against simple contagion on rewired ring
lattices (Centola & Macy); greedy seeding against the brute-force optimum on
Zachary's karate club and the seeding strategies on a Barabási–Albert graph;
the friendship paradox on Erdős–Rényi and Barabási–Albert graphs.

Every stochastic check fixes its seeds (each run's seed derives from a root
seed and the run's content: check, setting, replicate) and allows about 2.5
standard errors; a check that tests m values at once allows z_m standard errors
each (Bonferroni: the same 1.2 % chance of a false alarm for the whole check).

References
----------
Rand, W. & Rust, R. T. (2011). Agent-based modeling in marketing: guidelines
for rigor. Int. J. Research in Marketing 28(3), 181–193.

Examples
--------
>>> rec = run_check("granovetter_riot", quick=True)
>>> rec.passed, rec.simulated
(True, '100 join; with 1 -> 2: 1 joins')
"""

from __future__ import annotations

import html
import json
import math
import os
import platform
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["Check", "CHECKS", "FIGURES", "run_check", "run_checks", "write_report", "z_limit",
           "add_arguments", "command"]

ROOT_SEED = 2011  # Rand & Rust
FIGURES = "validation"  # the figures' folder, beside validation.md
P, Q = 0.03, 0.38  # Bass: Sultan, Farley & Lehmann (1990) means
REF = {
    "bass": "Bass (1969), Management Science 15(5); p, q: Sultan, Farley & Lehmann (1990); "
            "discrete vs continuous time: Rand & Rust (2011), IJRM 28(3)",
    "granovetter": "Granovetter (1978), American J. Sociology 83(6)",
    "watts": "Watts (2002), PNAS 99(9); cascade size and trigger probability: Gleeson & Cahalane (2007), "
             "Phys. Rev. E 75, 056103",
    "centola": "Centola & Macy (2007), American J. Sociology 113(3); Centola (2010), Science 329",
    "greedy": "Kempe, Kleinberg & Tardos (2003), KDD; CELF: Leskovec et al. (2007), KDD; "
              "Zachary (1977), J. Anthropological Research 33(4)",
    "seeding": "Kim et al. (2015), The Lancet 386(9989); Kempe, Kleinberg & Tardos (2003), KDD",
    "friendship": "Feld (1991), American J. Sociology 96(6); Newman, Strogatz & Watts (2001), Phys. Rev. E 64",
}


@dataclass
class Check:
    """The record of one check: what was compared, with what result."""

    name: str
    title: str
    reference: str
    setting: str
    expected: str
    simulated: str
    uncertainty: str
    tolerance: str
    passed: bool
    figure: str | None = None  # path relative to the report (validation/NAME.png)
    values: dict = field(default_factory=dict)  # the numbers, machine-readable
    seconds: float = 0.0


CHECKS: dict[str, Callable[..., Check]] = {}


def _register(fn):
    CHECKS[fn.__name__.removeprefix("check_")] = fn
    return fn


def z_limit(m: int = 1) -> float:
    """Standard errors allowed for each of ``m`` values tested at once (2.5 for one; Bonferroni).

    Examples
    --------
    >>> round(z_limit(1), 2), round(z_limit(8), 2)
    (2.5, 3.16)
    """
    from scipy import stats

    alpha = 2 * stats.norm.sf(2.5)
    return float(stats.norm.isf(alpha / (2 * max(int(m), 1))))


def _seed(*names) -> int:
    """A run's seed from the root seed and the run's content (never its position in a list)."""
    from sim.streams import stream_key

    return int(np.random.SeedSequence(ROOT_SEED, spawn_key=stream_key(*map(str, names))).generate_state(1)[0])


def _run(overrides: dict, seed: int):
    from sim.runs import run

    return run("bass", seed=seed, overrides={"media": [], **overrides})


def _model(overrides: dict, seed: int):
    from sim.model import DiffusionModel

    return DiffusionModel("bass", seed=seed, overrides={"media": [], **overrides})


def _mean_se(x) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else 0.0


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, folder: Path, name: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    fig.savefig(folder / f"{name}.png", dpi=100)
    _plt().close(fig)
    return f"{FIGURES}/{name}.png"


# ---------------------------------------------------------------------------
# Bass


def _bass_curves(dt: float, steps: int, runs: int, n: int = 10_000) -> np.ndarray:
    over = {"network.kind": "complete", "network.n": n, "wom.rule": "bass", "wom.q": Q,
            "media": [{"name": "advertising", "p": P, "reach": 1.0}],
            "run.dt": dt, "run.steps": steps, "run.stop": "steps"}
    return np.array([_run(over, _seed("bass", dt, r)).timeseries["adopted_fraction"].to_numpy()
                     for r in range(runs)])


@_register
def check_bass_discrete(folder: Path, quick: bool = False) -> Check:
    """Complete graph, unit steps: the engine follows the discrete Bass recursion, not the closed form."""
    from sim import analytic

    runs, n, steps = (20 if quick else 40), 10_000, 30
    curves = _bass_curves(1.0, steps, runs, n)
    mean, se = curves.mean(axis=0), curves.std(axis=0, ddof=1) / math.sqrt(runs)
    rec = analytic.bass_discrete(P, Q, steps)
    closed = analytic.bass_cdf(np.arange(steps + 1.0), P, Q)
    t = 7
    z_all = z_limit(steps)
    d = np.abs(mean - rec)[1:]
    ok_t = abs(mean[t] - rec[t]) <= 2.5 * se[t] + 1.0 / n
    ok_all = bool(np.all(d <= z_all * se[1:] + 1.0 / n))  # 1/N: one person (all runs may agree late on)
    away = abs(mean[t] - closed[t]) > 10 * se[t]
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    tt = np.arange(steps + 1)
    a1.plot(tt, closed, "--", color="grey", label="closed form F(t) (continuous time)")
    a1.plot(tt, rec, color="#2b83ba", label="discrete recursion (dt = 1)")
    a1.errorbar(tt, mean, yerr=2.5 * se, fmt="o", ms=3.5, color="#d7191c",
                label=f"engine: mean of {runs} runs, ±2.5 SE")
    a1.set(xlabel="time (steps of dt = 1)", ylabel="share of people who adopted", ylim=(0, 1.02),
           title="Bass on a complete graph: the engine follows the recursion")
    a1.legend(frameon=False, fontsize=9, loc="lower right")
    a2.fill_between(tt, -2.5 * se, 2.5 * se, color="#d7191c", alpha=0.2, label="±2.5 SE of the engine's mean")
    a2.plot(tt, mean - rec, "o-", ms=3, color="#d7191c", label="engine − recursion")
    a2.plot(tt, closed - rec, "--", color="grey", label="closed form − recursion")
    a2.axhline(0, color="black", lw=0.8)
    a2.set(xlabel="time (steps)", ylabel="difference in adopted share", title="Gaps to the discrete recursion")
    a2.legend(frameon=False, fontsize=9)
    fig.suptitle(f"p = {P}, q = {Q}, N = {n:,} people, {runs} runs", fontsize=10)
    return Check(
        name="bass_discrete", title="Bass: complete graph against the discrete recursion (dt = 1)",
        reference=REF["bass"],
        setting=f"complete graph, N = {n:,}, p = {P}, q = {Q}, dt = 1, {steps} steps, {runs} runs",
        expected=f"F(7) = {rec[t]:.4f} (recursion F_k+1 = F_k + (p + qF_k)(1 − F_k)); "
                 f"closed form {closed[t]:.4f}, {closed[t] - rec[t]:.3f} higher",
        simulated=f"F(7) = {mean[t]:.4f}; largest gap to the recursion over t = 1..{steps}: {d.max():.4f}",
        uncertainty=f"± {se[t]:.4f} (SE of the mean of {runs} runs)",
        tolerance=f"|engine − recursion| ≤ 2.5 SE + 1/N at t = 7 and ≤ {z_all:.2f} SE + 1/N at every step "
                  f"(Bonferroni over {steps}); and the closed form more than 10 SE away at t = 7",
        passed=bool(ok_t and ok_all and away), figure=_save(fig, folder, "bass_discrete"),
        values={"F7": float(mean[t]), "F7_se": float(se[t]), "F7_recursion": float(rec[t]),
                "F7_closed": float(closed[t]), "max_gap": float(d.max())})


@_register
def check_bass_closed_form(folder: Path, quick: bool = False) -> Check:
    """Complete graph, small steps: the engine approaches the Bass closed form as dt -> 0."""
    from sim import analytic

    runs, n, dt, T = (10 if quick else 40), 10_000, 0.05, 15
    steps = int(round(T / dt))
    curves = _bass_curves(dt, steps, runs, n)
    mean, se = curves.mean(axis=0), curves.std(axis=0, ddof=1) / math.sqrt(runs)
    tt = np.arange(steps + 1) * dt
    closed = analytic.bass_cdf(tt, P, Q)
    bias = analytic.bass_discrete(P, Q, steps, dt) - closed  # discretisation error, known exactly
    marks = [5, 10, 15]
    idx = [int(round(m / dt)) for m in marks]
    z = z_limit(len(marks))
    gaps = [float(mean[i] - closed[i]) for i in idx]
    ok = all(abs(g) <= abs(bias[i]) + z * se[i] + 1.0 / n for g, i in zip(gaps, idx))
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    a1.plot(tt, closed, "--", color="black", lw=2, label="closed form F(t)")
    a1.plot(tt, mean, color="#d7191c", lw=1.2, label=f"engine, dt = {dt}: mean of {runs} runs")
    a1.plot(marks, [closed[i] for i in idx], "o", color="black", label="F(5), F(10), F(15) (published)")
    a1.set(xlabel="time (Bass time units)", ylabel="share of people who adopted", ylim=(0, 1.02),
           title="Bass on a complete graph with small steps")
    a1.legend(frameon=False, fontsize=9, loc="lower right")
    t1 = np.arange(T + 1)
    a2.plot(t1, analytic.bass_discrete(P, Q, T) - analytic.bass_cdf(t1, P, Q), "s--", color="grey", ms=4,
            label="recursion − closed form, dt = 1")
    a2.plot(tt, bias, color="#2b83ba", label=f"recursion − closed form, dt = {dt}")
    a2.fill_between(tt, bias - 2.5 * se, bias + 2.5 * se, color="#d7191c", alpha=0.2)
    a2.plot(tt, mean - closed, color="#d7191c", lw=1, label=f"engine − closed form, dt = {dt} (±2.5 SE band)")
    a2.axhline(0, color="black", lw=0.8)
    a2.set(xlabel="time (Bass time units)", ylabel="difference in adopted share",
           title="The error shrinks with the step length")
    a2.legend(frameon=False, fontsize=9)
    fig.suptitle(f"p = {P}, q = {Q}, N = {n:,} people", fontsize=10)
    return Check(
        name="bass_closed_form", title="Bass: complete graph against the closed form (small dt)",
        reference=REF["bass"],
        setting=f"complete graph, N = {n:,}, p = {P}, q = {Q}, dt = {dt}, t ≤ {T}, {runs} runs",
        expected="F(5), F(10), F(15) = " + ", ".join(f"{closed[i]:.4f}" for i in idx)
                 + f" (closed form); discretisation error at dt = {dt}: "
                 + ", ".join(f"{bias[i]:+.4f}" for i in idx),
        simulated=", ".join(f"{mean[i]:.4f}" for i in idx),
        uncertainty="± " + ", ".join(f"{se[i]:.4f}" for i in idx) + f" (SE, {runs} runs)",
        tolerance=f"|engine − closed form| ≤ |discretisation error| + {z:.2f} SE + 1/N at each of the 3 "
                  f"times (Bonferroni)",
        passed=bool(ok), figure=_save(fig, folder, "bass_closed_form"),
        values={"times": marks, "closed": [float(closed[i]) for i in idx], "engine": [float(mean[i]) for i in idx],
                "se": [float(se[i]) for i in idx], "discretisation": [float(bias[i]) for i in idx]})


# ---------------------------------------------------------------------------
# Granovetter


def _riot(heads: np.ndarray, seed: int):
    n = len(heads)  # on the complete graph a person's contacts are the n - 1 others
    over = {"network.kind": "complete", "network.n": n, "wom.rule": "threshold",
            "wom.threshold": (np.asarray(heads, dtype=float) / (n - 1)).tolist(), "run.steps": 4 * n}
    return _run(over, seed)


@_register
def check_granovetter_riot(folder: Path, quick: bool = False) -> Check:
    """Granovetter's riot: thresholds 0..99 take everyone; changing threshold 1 into 2 stops it at 1."""
    from sim import analytic

    heads = np.arange(100)
    changed = heads.copy()
    changed[1] = 2
    a, b = _riot(heads, _seed("riot", "uniform")), _riot(changed, _seed("riot", "changed"))
    n_a, n_b = a.summary["final_adopters"], b.summary["final_adopters"]
    exp_a, exp_b = analytic.granovetter_equilibrium(heads), analytic.granovetter_equilibrium(changed)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 4.2), constrained_layout=True)
    ax.step(a.timeseries["step"], a.timeseries["adopters"], where="post", color="#d7191c",
            label="thresholds 0, 1, 2, …, 99")
    ax.step(b.timeseries["step"], b.timeseries["adopters"], where="post", color="#2b83ba", lw=3, zorder=3,
            label="the same, with threshold 1 changed into 2")
    ax.annotate(f"stops at {n_b}: nobody else has a threshold ≤ {n_b}", (b.summary["steps_run"], n_b),
                xytext=(0.25, 0.15), textcoords="axes fraction", color="#2b83ba", arrowprops={"arrowstyle": "->",
                                                                                  "color": "#2b83ba"})
    ax.set(xlabel="step", ylabel="people rioting (of 100)", ylim=(0, 104),
           title="Granovetter's riot: one person's threshold decides the outcome")
    ax.legend(frameon=False, loc="upper left")
    ok = n_a == exp_a == 100 and n_b == exp_b == 1
    return Check(
        name="granovetter_riot", title="Granovetter: the riot",
        reference=REF["granovetter"],
        setting="complete graph, N = 100, person i joins when at least x_i others have (threshold x_i/99 "
                "of contacts, compared with ≥)",
        expected=f"{exp_a} join; with 1 -> 2: {exp_b} joins",
        simulated=f"{n_a} join; with 1 -> 2: {n_b} joins",
        uncertainty="none (deterministic)", tolerance="exact", passed=bool(ok),
        figure=_save(fig, folder, "granovetter_riot"), values={"riot": n_a, "changed": n_b})


@_register
def check_granovetter_sigma(folder: Path, quick: bool = False) -> Check:
    """Normal thresholds: final size against sigma, simulated populations against the mean-field map."""
    from sim import analytic
    from sim.mechanisms import wom

    n, runs = (10_000, 4) if quick else (20_000, 20)
    grid = [8, 10, 11, 12.0, 12.4, 13, 16, 20] if quick else \
        [4, 6, 8, 9, 10, 11, 11.5, 12.0, 12.2, 12.4, 13, 14, 16, 20, 25]
    sd_c = analytic.granovetter_critical_sd(25, 100)
    near = (11.0, 13.0)  # finite-N effects around sigma_c: shown, not compared with the mean field
    tested = [s for s in grid if not near[0] < s < near[1]]
    z = z_limit(len(tested))
    mean, se, mf, docked = {}, {}, {}, True
    for sd in grid:
        finals = []
        for r in range(runs):
            res = _run({"network.kind": "complete", "network.n": n, "wom.rule": "threshold",
                        "wom.threshold": 0.25, "wom.threshold_sd": sd / 100, "wom.threshold_dist": "normal",
                        "run.steps": 5000}, _seed("granovetter", sd, r))
            heads = (res.model.thresholds - wom.TOLERANCE) * (n - 1)
            docked &= res.summary["final_adopters"] == analytic.granovetter_equilibrium(heads)
            finals.append(res.summary["final_fraction"])
        mean[sd], se[sd] = _mean_se(finals)
        mf[sd] = analytic.granovetter_normal(25, sd, 100) / 100
    dev = {s: abs(mean[s] - mf[s]) for s in tested}
    ok_mf = all(dev[s] <= z * se[s] + 1.0 / n for s in tested)
    lo = max(s for s in grid if s <= sd_c - 0.2)  # far enough from sigma_c that N people decide it
    hi = min(s for s in grid if s >= sd_c + 0.15)
    ok_jump = mean[lo] < 0.5 < mean[hi]
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5), constrained_layout=True)
    ss = np.linspace(min(grid) - 0.5, max(grid) + 0.5, 400)
    ax.plot(ss, [analytic.granovetter_normal(25, s, 100) / 100 for s in ss], color="black",
            label="mean-field map r ↦ N·Φ((r − 25 %)/σ), iterated from 0")
    ax.axvline(sd_c, color="grey", ls=":", label=f"critical σ_c = {sd_c:.3f}")
    ax.axvspan(*near, color="grey", alpha=0.12, label="finite-N zone (shown, not compared)")
    ax.errorbar(grid, [mean[s] for s in grid], yerr=[2.5 * se[s] for s in grid], fmt="o", color="#d7191c",
                label=f"engine: {runs} populations of {n:,} each (mean ± 2.5 SE)")
    ax.set(xlabel="σ, spread of thresholds (people, per 100)", ylabel="final share who joined", ylim=(-0.02, 1.05),
           title="Granovetter: a slightly wider spread of thresholds turns a fizzle into a riot")
    ax.legend(frameon=False, fontsize=9, loc="center right")
    worst = max(tested, key=lambda s: dev[s])
    return Check(
        name="granovetter_sigma", title="Granovetter: final size against σ (normal thresholds)",
        reference=REF["granovetter"],
        setting=f"complete graph, N = {n:,}, thresholds ~ Normal(25 %, σ %) of the others, clipped to [0, 1]; "
                f"σ in {grid}; {runs} populations each",
        expected=f"the mean-field fixed point (e.g. {100 * mf[10]:.2f} % at σ = 10, 100 % at σ = 16); "
                 f"jump at σ_c = {sd_c:.3f}; each population exactly at its own Granovetter equilibrium",
        simulated=f"largest gap {dev[worst]:.4f} (at σ = {worst}); mean share {mean[lo]:.3f} at σ = {lo}, "
                  f"{mean[hi]:.3f} at σ = {hi}; exact equilibrium in every population: {'yes' if docked else 'NO'}",
        uncertainty=f"± {se[worst]:.4f} at σ = {worst} (SE over {runs} populations)",
        tolerance=f"|engine − mean field| ≤ {z:.2f} SE + 1/N at each σ outside (11, 13) (Bonferroni over "
                  f"{len(tested)}); share < 0.5 at σ = {lo} and > 0.5 at σ = {hi}; equilibrium exact",
        passed=bool(ok_mf and ok_jump and docked), figure=_save(fig, folder, "granovetter_sigma"),
        values={"sigma": grid, "engine": [mean[s] for s in grid], "se": [se[s] for s in grid],
                "mean_field": [mf[s] for s in grid], "sigma_c": sd_c, "exact_equilibria": bool(docked)})


# ---------------------------------------------------------------------------
# Watts


@_register
def check_watts_cascades(folder: Path, quick: bool = False) -> Check:
    """One random seed on Erdős–Rényi graphs, phi = 0.18: cascade frequency and size against z."""
    from sim import analytic

    phi, n = 0.18, 10_000
    runs = 50 if quick else 300
    grid = [1.0, 2.0, 3.0, 4.0, 5.0, 7.0] if quick else \
        [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 8.0]
    z_lo, z_hi = analytic.watts_window(phi)
    inner = [z for z in grid if 1.5 <= z <= 5.0]  # well inside the window: compared with the theory
    outside = [z for z in grid if z <= 1.0 or z >= z_hi + 1.0]  # far outside: no global cascades
    freq, fse, size, sse, theory = {}, {}, {}, {}, {}
    for z in grid:
        finals = np.array([_run({"network.kind": "erdos_renyi", "network.n": n, "network.mean_degree": z,
                                 "wom.rule": "threshold", "wom.threshold": phi, "seeding.strategy": "random",
                                 "seeding.count": 1, "run.steps": 5000}, _seed("watts", z, r)).summary[
            "final_fraction"] for r in range(runs)])
        hit = finals >= 0.1
        theory[z] = analytic.gleeson_cascade(z, phi)
        p = theory[z]["trigger_probability"]
        freq[z], fse[z] = float(hit.mean()), math.sqrt(p * (1 - p) / runs)
        size[z], sse[z] = _mean_se(finals[hit]) if hit.sum() > 1 else (float(finals[hit].mean()) if hit.any()
                                                                        else float("nan"), float("nan"))
    zf, zs = z_limit(len(inner)), z_limit(len(inner))
    bad = []
    for z in inner:
        if abs(freq[z] - theory[z]["trigger_probability"]) > zf * fse[z]:
            bad.append(f"frequency at z = {z}")
        if not abs(size[z] - theory[z]["cascade_size"]) <= zs * sse[z] + 1.0 / n:
            bad.append(f"size at z = {z}")
    for z in outside:
        if freq[z] * runs > max(1, 0.01 * runs):
            bad.append(f"cascades outside the window at z = {z}")
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.5), constrained_layout=True)
    zz = np.linspace(0.3, max(grid) + 0.3, 300)
    th = [analytic.gleeson_cascade(z, phi) for z in zz]
    for ax in (a1, a2):
        ax.axvspan(z_lo, z_hi, color="#fdae61", alpha=0.25, label=f"cascade window ({z_lo:.3f}, {z_hi:.3f})")
    a1.plot(zz, [t["trigger_probability"] for t in th], color="black", label="theory: P(one seed triggers)")
    a1.errorbar(grid, [freq[z] for z in grid], yerr=[2.5 * math.sqrt(max(freq[z] * (1 - freq[z]), 1e-12) / runs)
                                                      for z in grid],
                fmt="o", color="#d7191c", label=f"engine: share of {runs} runs reaching ≥ 10 %")
    a1.set(xlabel="mean degree z (contacts per person)", ylabel="frequency of global cascades", ylim=(-0.02, 1.02),
           title="How often one adopter tips the whole network")
    a1.legend(frameon=False, fontsize=9, loc="lower center")
    a2.plot(zz, [t["cascade_size"] if t["trigger_probability"] > 0 else np.nan for t in th], color="black",
            label="theory: size of a global cascade")
    a2.errorbar(grid, [size[z] for z in grid], yerr=[2.5 * (sse[z] if np.isfinite(sse[z]) else 0) for z in grid],
                fmt="o", color="#d7191c", label="engine: mean size of the global cascades")
    a2.set(xlabel="mean degree z (contacts per person)", ylabel="final share who adopted", ylim=(0, 1.05),
           title="How far a global cascade goes")
    a2.legend(frameon=False, fontsize=9, loc="lower center")
    fig.suptitle(f"Watts (2002): Erdős–Rényi graphs of N = {n:,}, threshold φ = {phi}, one random seed; "
                 f"error bars ±2.5 SE", fontsize=10)
    show = [z for z in (2.0, 3.0, 4.0) if z in grid]
    return Check(
        name="watts_cascades", title="Watts: global cascades against mean degree (φ = 0.18)",
        reference=REF["watts"],
        setting=f"Erdős–Rényi, N = {n:,}, φ = {phi} for all, one random seed, {runs} runs (fresh graph each) "
                f"at each z in {grid}; global = final share ≥ 10 %",
        expected=f"window z ∈ ({z_lo:.3f}, {z_hi:.3f}); trigger probability "
                 + ", ".join(f"{theory[z]['trigger_probability']:.3f}" for z in show)
                 + ", cascade size " + ", ".join(f"{theory[z]['cascade_size']:.3f}" for z in show)
                 + f" at z = {', '.join(f'{z:g}' for z in show)}; no global cascades far outside the window",
        simulated="frequency " + ", ".join(f"{freq[z]:.3f}" for z in show) + ", size "
                  + ", ".join(f"{size[z]:.3f}" for z in show) + "; outside the window: "
                  + ", ".join(f"{int(round(freq[z] * runs))} of {runs} at z = {z:g}" for z in outside),
        uncertainty="frequency ± " + ", ".join(f"{fse[z]:.3f}" for z in show) + " (binomial SE); size ± "
                    + ", ".join(f"{sse[z]:.4f}" for z in show) + " (SE)",
        tolerance=f"for z in [1.5, 5] (well inside the window; near its edges N = {n:,} is visibly finite) "
                  f"frequency and size within {zf:.2f} SE of the theory (Bonferroni over {len(inner)}); "
                  f"at most 1 % global cascades at z ≤ 1 and z ≥ {z_hi + 1:.2f}"
                  + (f". Failed: {'; '.join(bad)}" if bad else ""),
        passed=not bad, figure=_save(fig, folder, "watts_cascades"),
        values={"z": grid, "frequency": [freq[z] for z in grid], "size": [size[z] for z in grid],
                "trigger_probability": [theory[z]["trigger_probability"] for z in grid],
                "cascade_size": [theory[z]["cascade_size"] for z in grid], "window": [z_lo, z_hi]})


# ---------------------------------------------------------------------------
# Complex contagion


@_register
def check_complex_contagion(folder: Path, quick: bool = False) -> Check:
    """Ring lattices rewired more and more: simple contagion speeds up, complex contagion stalls."""
    n, k = 2000, 6
    runs = 8 if quick else 40
    grid = [0.0, 0.01, 0.1, 0.3, 1.0] if quick else [0.0, 0.001, 0.01, 0.03, 0.1, 0.3, 1.0]
    seeds = list(range(k // 2))
    t90, final = {}, {}
    for p in grid:
        t, f = [], []
        for r in range(runs):
            base = {"network.kind": "watts_strogatz", "network.n": n, "network.k": k, "network.rewire": p,
                    "wom.rule": "complex", "seeding.strategy": "nodes", "seeding.nodes": seeds, "run.steps": 5000}
            s = _seed("centola", p, r)
            t.append(_run({**base, "wom.count": 1}, s).summary["time_to_90"] or np.nan)
            f.append(_run({**base, "wom.count": 2}, s).summary["final_fraction"])
        t90[p], final[p] = _mean_se(t), _mean_se(f)
    exact_t0 = math.ceil((0.9 * n - len(seeds)) / k)  # the front gains k people a step on the ring
    z = z_limit(2 * (len(grid) - 1))
    bad = []
    if t90[0.0][0] != exact_t0:
        bad.append("simple contagion time on the ring")
    for a, b in zip(grid, grid[1:]):
        if t90[b][0] - t90[a][0] > z * math.hypot(t90[a][1], t90[b][1]):
            bad.append(f"simple contagion slower at rewiring {b} than {a}")
        if final[b][0] - final[a][0] > z * math.hypot(final[a][1], final[b][1]):
            bad.append(f"complex contagion farther at rewiring {b} than {a}")
    if final[0.0][0] != 1.0:
        bad.append("complex contagion does not reach everyone on the ring")
    if not final[grid[-1]][0] < 0.05:
        bad.append("complex contagion does not stall on the random graph")
    if not t90[grid[-1]][0] < exact_t0 / 10:
        bad.append("simple contagion not 10 times faster on the random graph")
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    x = np.arange(len(grid))
    a1.errorbar(x, [t90[p][0] for p in grid], yerr=[2.5 * t90[p][1] for p in grid], fmt="o-", color="#2b83ba")
    a1.set_yscale("log")
    a1.set(xlabel="rewiring probability (share of ties made random)", ylabel="steps to reach 90 % (log scale)",
           title="Simple contagion (one adopted contact is enough)\nspreads faster as ties are rewired")
    a2.errorbar(x, [final[p][0] for p in grid], yerr=[2.5 * final[p][1] for p in grid], fmt="o-", color="#d7191c")
    a2.set(xlabel="rewiring probability (share of ties made random)", ylabel="final share who adopted",
           ylim=(-0.03, 1.05), title="Complex contagion (needs two adopted contacts)\nstalls as ties are rewired")
    for ax in (a1, a2):
        ax.set_xticks(x, [f"{p:g}" for p in grid])
    fig.suptitle(f"Centola & Macy (2007): ring lattice of N = {n:,}, {k} contacts each, rewired "
                 f"(Watts–Strogatz); {len(seeds)} adjacent seeds; mean of {runs} runs ± 2.5 SE", fontsize=10)
    return Check(
        name="complex_contagion", title="Complex vs simple contagion on rewired ring lattices",
        reference=REF["centola"],
        setting=f"Watts–Strogatz, N = {n:,}, k = {k}, rewiring in {grid}; seeds: {len(seeds)} adjacent people; "
                f"simple: adopt with ≥ 1 adopted contact; complex: ≥ 2; {runs} runs each",
        expected=f"simple: time to 90 % = {exact_t0} steps on the ring (exact), falling as rewiring grows; "
                 f"complex: everyone on the ring, stalling (< 5 %) on the random graph",
        simulated=f"simple: {t90[0.0][0]:.0f} → {t90[grid[-1]][0]:.1f} steps; complex: final share "
                  f"{final[0.0][0]:.3f} → {final[grid[-1]][0]:.4f} (rewiring 0 → {grid[-1]:g})",
        uncertainty=f"SE at most {max(t90[p][1] for p in grid):.1f} steps (simple) and "
                    f"{max(final[p][1] for p in grid):.3f} (complex), over {runs} runs",
        tolerance=f"never slower / never farther with more rewiring beyond {z:.2f} SE (Bonferroni over "
                  f"{2 * (len(grid) - 1)} steps); simple 10 times faster and complex < 5 % at rewiring 1"
                  + (f". Failed: {'; '.join(bad)}" if bad else ""),
        passed=not bad, figure=_save(fig, folder, "complex_contagion"),
        values={"rewire": grid, "simple_t90": [t90[p][0] for p in grid],
                "complex_final": [final[p][0] for p in grid]})


# ---------------------------------------------------------------------------
# Seeding


def _karate_file(folder: Path) -> Path:
    import networkx as nx

    path = folder / "karate.csv"
    edges = sorted(tuple(sorted(e)) for e in nx.karate_club_graph().edges())
    path.write_text("source,target\n" + "".join(f"{u},{v}\n" for u, v in edges))
    return path


@_register
def check_greedy_karate(folder: Path, quick: bool = False) -> Check:
    """Greedy seeds (CELF, independent cascade) against the brute-force optimum on Zachary's karate club."""
    import networkx as nx

    from sim import networks
    from sim.mechanisms import greedy
    from sim.population import SEED
    from sim.streams import Streams

    beta, k = 0.2, 3
    samples_n = 500 if quick else 2000
    runs = 200 if quick else 2000
    G = nx.karate_club_graph()
    graph = networks.from_networkx(G)
    with tempfile.TemporaryDirectory() as tmp:
        path = _karate_file(Path(tmp))
        base = {"network.kind": "file", "network.path": str(path), "wom.rule": "cascade", "wom.beta": beta,
                "run.steps": 200}
        seed = _seed("greedy", "karate")
        model = _model({**base, "seeding.strategy": "greedy", "seeding.count": k,
                        "seeding.greedy_samples": samples_n}, seed)
        same_graph = bool(np.array_equal(model.graph.in_indptr, graph.in_indptr)
                          and np.array_equal(model.graph.in_indices, graph.in_indices))
        chosen = np.flatnonzero(model.state.channel == SEED)
        # the same Monte Carlo samples the engine's greedy seeding drew (its "seeding" stream)
        samples = greedy.LiveEdgeSamples(graph, beta, samples_n, Streams(seed).get("seeding"))
        order, _ = greedy.greedy_seeds(samples, k)
        best, best_spread = greedy.best_seeds(samples, k)
        reached = samples.reached(order)
        g_spread, g_se = float(reached.mean()), float(reached.std(ddof=1) / math.sqrt(samples_n))
        ratio = g_spread / best_spread
        top = np.sort(np.argsort(-graph.out_degree, kind="stable")[:k])
        engine = {}
        for label, nodes in (("greedy", np.sort(order)), ("optimum", best), ("top degree", top)):
            same = [m for m in engine if np.array_equal(engine[m][2], nodes)]
            if same:  # the same seeds and the same coins give the same cascades
                engine[label] = engine[same[0]]
                continue
            finals = [_run({**base, "seeding.strategy": "nodes", "seeding.nodes": [int(v) for v in nodes]},
                           _seed("greedy", "engine", r)).summary["final_adopters"] for r in range(runs)]
            engine[label] = (*_mean_se(finals), nodes)
        finals = [_run({**base, "seeding.strategy": "random", "seeding.count": k}, _seed("greedy", "engine", r))
                  .summary["final_adopters"] for r in range(runs)]
        engine["random"] = (*_mean_se(finals), None)
    e_mean, e_se = engine["greedy"][:2]
    z = z_limit(2)
    dock = abs(e_mean - g_spread) <= z * math.hypot(e_se, g_se)
    bound = 1 - 1 / math.e
    e_ratio = e_mean / engine["optimum"][0]
    ok = same_graph and np.array_equal(np.sort(chosen), np.sort(order)) and ratio >= bound and dock \
        and e_ratio >= bound
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 5), constrained_layout=True,
                                 gridspec_kw={"width_ratios": [1.3, 1]})
    pos = nx.spring_layout(G, seed=7)
    colours = ["#d7191c" if v in set(order.tolist()) else "#cccccc" for v in G.nodes]
    nx.draw_networkx_edges(G, pos, ax=a1, alpha=0.4)
    nx.draw_networkx_nodes(G, pos, ax=a1, node_color=colours, node_size=[60 + 25 * d for _, d in G.degree()],
                           edgecolors=["black" if v in set(best.tolist()) else "white" for v in G.nodes],
                           linewidths=2)
    nx.draw_networkx_labels(G, pos, ax=a1, font_size=7)
    a1.set_title(f"Zachary's karate club: greedy seeds in red,\nbrute-force optimum circled in black (k = {k})")
    a1.axis("off")
    names = list(engine)
    a2.bar(names, [engine[m][0] for m in names], yerr=[2.5 * engine[m][1] for m in names],
           color=["#d7191c", "#444444", "#2b83ba", "#bbbbbb"], capsize=4,
           label=f"engine: mean of {runs} cascades ± 2.5 SE")
    a2.plot([0, 1], [g_spread, best_spread], "D", color="#fdae61", ms=9,
            label=f"estimate on the {samples_n:,} samples greedy used")
    a2.axhline(bound * engine["optimum"][0], color="grey", ls="--", label="(1 − 1/e) × optimum")
    a2.set(ylabel="people reached (of 34), seeds included", title=f"Expected spread, independent cascade β = {beta}",
           ylim=(0, 1.45 * max(v[0] for v in engine.values())))
    a2.legend(frameon=False, fontsize=9, loc="upper right")
    return Check(
        name="greedy_karate", title="Greedy seeding against the brute-force optimum (karate club)",
        reference=REF["greedy"],
        setting=f"Zachary's karate club (networkx, 34 people, 78 ties), independent cascade β = {beta}, "
                f"k = {k} seeds; "
                f"greedy = seeding.strategy greedy ({samples_n:,} live-edge samples, CELF); optimum = all "
                f"{math.comb(34, k):,} sets of {k} on the same samples; engine: {runs} cascades per seed set",
        expected=f"greedy spread ≥ (1 − 1/e) = {bound:.3f} × optimum; the engine's cascades reach what the "
                 f"samples estimate",
        simulated=f"greedy {sorted(order.tolist())} reaches {g_spread:.3f}, optimum {best.tolist()} "
                  f"{best_spread:.3f} (ratio {ratio:.4f}); engine: {e_mean:.3f} vs {engine['optimum'][0]:.3f} "
                  f"(ratio {e_ratio:.3f}), top degree {engine['top degree'][0]:.3f}, random {engine['random'][0]:.3f}",
        uncertainty=f"± {g_se:.3f} (samples), ± {e_se:.3f} (engine) people (SE)",
        tolerance=f"ratio ≥ {bound:.3f} (exact on the samples, and for the engine's means); "
                  f"|engine − samples| ≤ {z:.2f} combined SE; the engine's greedy picks the same seeds",
        passed=bool(ok), figure=_save(fig, folder, "greedy_karate"),
        values={"greedy": order.tolist(), "optimum": best.tolist(), "ratio": ratio, "greedy_spread": g_spread,
                "optimum_spread": best_spread, "engine": {m: engine[m][0] for m in engine}})


@_register
def check_seeding_strategies(folder: Path, quick: bool = False) -> Check:
    """Barabási–Albert graph, independent cascade: random < friend-of-random < top-degree (paired runs)."""
    n, m, beta, k = 10_000, 3, 0.05, 50
    runs = 15 if quick else 40
    strategies = ("random", "friend_of_random", "top_degree", "greedy")
    finals = {s: [] for s in strategies}
    for r in range(runs):
        seed = _seed("seeding", "ba", r)  # the same graph and the same cascade coins for every strategy
        for s in strategies:
            finals[s].append(_run({"network.kind": "barabasi_albert", "network.n": n, "network.m": m,
                                   "wom.rule": "cascade", "wom.beta": beta, "seeding.strategy": s,
                                   "seeding.count": k, "seeding.greedy_samples": 100, "run.steps": 1000},
                                  seed).summary["final_adopters"])
    f = {s: np.array(v, dtype=float) for s, v in finals.items()}
    d1 = f["friend_of_random"] - f["random"]
    d2 = f["top_degree"] - f["friend_of_random"]
    (m1, s1), (m2, s2) = _mean_se(d1), _mean_se(d2)
    z = z_limit(2)
    ok = m1 > z * s1 and m2 > z * s2
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5), constrained_layout=True)
    labels = {"random": "random", "friend_of_random": "friend of random", "top_degree": "top degree",
              "greedy": "greedy (CELF)"}
    ms = [_mean_se(f[s]) for s in strategies]
    ax.bar([labels[s] for s in strategies], [v[0] for v in ms], yerr=[2.5 * v[1] for v in ms], capsize=4,
           color=["#bbbbbb", "#fdae61", "#2b83ba", "#d7191c"])
    ax.set(ylim=(0, 1.2 * max(v[0] + 2.5 * v[1] for v in ms)), ylabel="people reached (of 10,000), seeds included",
           title=f"Whom to seed: {k} seeds, independent cascade β = {beta}, Barabási–Albert (m = {m})")
    ax.text(0.01, 0.97, f"the same {runs} graphs and cascade coins for every strategy; mean ± 2.5 SE; "
                        f"greedy: 100 samples", transform=ax.transAxes, va="top", fontsize=9)
    return Check(
        name="seeding_strategies", title="Seeding strategies on a Barabási–Albert graph",
        reference=REF["seeding"],
        setting=f"Barabási–Albert, N = {n:,}, m = {m}; independent cascade β = {beta}; {k} seeds; {runs} graphs, "
                f"each strategy on the same graph and coins (paired); greedy (100 samples) shown beside",
        expected="random < friend of random < top degree",
        simulated=", ".join(f"{labels[s]} {v[0]:.1f}" for s, v in zip(strategies, ms))
                  + f" people; friend − random = {m1:.1f}, top − friend = {m2:.1f}",
        uncertainty=f"± {s1:.1f}, ± {s2:.1f} people (SE of the paired differences)",
        tolerance=f"each paired difference > {z:.2f} SE (Bonferroni over 2)",
        passed=bool(ok), figure=_save(fig, folder, "seeding_strategies"),
        values={s: v[0] for s, v in zip(strategies, ms)} | {"friend_minus_random": m1, "top_minus_friend": m2})


# ---------------------------------------------------------------------------
# Friendship paradox


def _friendship(kind: str, extra: dict, runs: int, tag: str):
    from sim import analytic

    per_run = 5  # few seeds a graph: friend_of_random seeds distinct people, which matters only for repeats
    friends, randoms, k2k, exact, mean_k = [], [], [], [], []
    for r in range(runs):
        over = {"network.kind": kind, "network.n": 10_000, **extra, "wom.rule": "none", "seeding.count": per_run,
                "run.steps": 1}
        seed = _seed("friendship", tag, r)
        fm = _model({**over, "seeding.strategy": "friend_of_random"}, seed)
        rm = _model({**over, "seeding.strategy": "random"}, seed)
        deg = fm.graph.in_degree
        friends.extend(deg[fm.state.adopted].tolist())
        randoms.extend(deg[rm.state.adopted].tolist())
        k2k.append(analytic.mean_neighbour_degree(deg))
        mean_k.append(float(deg.mean()))
        g = fm.graph  # a random contact of a random person (with contacts): the mean of its contacts' degrees
        nb = np.add.reduceat(deg[g.in_indices], g.in_indptr[:-1]) / np.maximum(deg, 1)
        exact.append(float(nb[deg > 0].mean()))
    return (np.array(friends, float), np.array(randoms, float), float(np.mean(k2k)), float(np.mean(exact)),
            float(np.mean(mean_k)))


def _friendship_figure(friends, randoms, expected, title, folder, name, log):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.2), constrained_layout=True)
    top = max(friends.max(), randoms.max())
    bins = np.unique(np.geomspace(1, top + 1, 30).astype(int)) - 0.5 if log else np.arange(0, top + 2) - 0.5
    for data, colour, label in ((randoms, "#636363", "random people"),
                                (friends, "#d7191c", "a random contact of a random person")):
        ax.hist(data, bins=bins, density=True, histtype="step", lw=2, color=colour,
                label=f"{label}: mean {data.mean():.2f} contacts")
        ax.axvline(data.mean(), color=colour, ls=":", lw=1.5)
    ax.axvline(expected[0], color="black", ls="--", lw=1, label=expected[1])
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set(xlabel="number of contacts" + (" (log scale)" if log else ""), ylabel="share of people (density)",
           title=title)
    ax.legend(frameon=False, fontsize=9, loc="lower left" if log else "upper right")
    return _save(fig, folder, name)


@_register
def check_friendship_er(folder: Path, quick: bool = False) -> Check:
    """Erdős–Rényi graph: a random contact of a random person has z + 1 contacts on average."""
    from sim import analytic

    z, runs = 10.0, (150 if quick else 600)
    friends, randoms, k2k, exact, mean_k = _friendship("erdos_renyi", {"network.mean_degree": z}, runs, "er")
    expected = analytic.er_mean_neighbour_degree(z)
    (fm, fs), (rm, rs) = _mean_se(friends), _mean_se(randoms)
    z2 = z_limit(2)
    ok = abs(fm - expected) <= z2 * fs and abs(rm - z) <= z2 * rs
    fig = _friendship_figure(friends, randoms, (expected, f"expected for a contact: z + 1 = {expected:g}"),
                             f"Friendship paradox on Erdős–Rényi graphs (N = 10,000, z = {z:g})",
                             folder, "friendship_er", log=False)
    return Check(
        name="friendship_er", title="Friendship paradox on Erdős–Rényi graphs",
        reference=REF["friendship"],
        setting=f"Erdős–Rényi, N = 10,000, z = {z:g}; {runs} graphs, 5 people drawn by seeding.strategy = "
                f"friend_of_random and 5 by random on each",
        expected=f"⟨k²⟩/⟨k⟩ = z + 1 = {expected:g} contacts for a random contact (random people: z = {z:g}); "
                 f"realised graphs: ⟨k²⟩/⟨k⟩ = {k2k:.3f}",
        simulated=f"friends of random people: {fm:.3f}; random people: {rm:.3f}",
        uncertainty=f"± {fs:.3f}, ± {rs:.3f} (SE over {friends.size:,} people each)",
        tolerance=f"both within {z2:.2f} SE (Bonferroni over 2)",
        passed=bool(ok), figure=fig,
        values={"friend_mean": fm, "random_mean": rm, "expected": expected, "k2_over_k": k2k})


@_register
def check_friendship_ba(folder: Path, quick: bool = False) -> Check:
    """Barabási–Albert graph: friends of random people have far more contacts than random people."""
    m, runs = 3, (150 if quick else 600)
    friends, randoms, k2k, exact, mean_k = _friendship("barabasi_albert", {"network.m": m}, runs, "ba")
    (fm, fs), (rm, rs) = _mean_se(friends), _mean_se(randoms)
    z2 = z_limit(2)
    ok = abs(fm - exact) <= z2 * fs and fm - rm > z2 * math.hypot(fs, rs)
    fig = _friendship_figure(friends, randoms, (exact, f"expected for a contact (exact on these graphs): {exact:.2f}"),
                             f"Friendship paradox on Barabási–Albert graphs (N = 10,000, m = {m})",
                             folder, "friendship_ba", log=True)
    return Check(
        name="friendship_ba", title="Friendship paradox on Barabási–Albert graphs",
        reference=REF["friendship"],
        setting=f"Barabási–Albert, N = 10,000, m = {m}; {runs} graphs, 5 people drawn by seeding.strategy = "
                f"friend_of_random and 5 by random on each",
        expected=f"a random tie's end has ⟨k²⟩/⟨k⟩ = {k2k:.2f} contacts (⟨k⟩ = {mean_k:.2f}); "
                 f"a random contact "
                 f"of a random person, exactly on these graphs: {exact:.2f} (higher: most people are late "
                 f"arrivals linked to hubs, and averaging over people rather than ties counts them more)",
        simulated=f"friends of random people: {fm:.2f}; random people: {rm:.2f}",
        uncertainty=f"± {fs:.2f}, ± {rs:.2f} (SE over {friends.size:,} people each; heavy tail)",
        tolerance=f"friends within {z2:.2f} SE of the exact expectation, and above random people by more than "
                  f"{z2:.2f} SE (Bonferroni over 2)",
        passed=bool(ok), figure=fig,
        values={"friend_mean": fm, "random_mean": rm, "exact_friend_mean": exact, "k2_over_k": k2k,
                "mean_degree": mean_k})


# ---------------------------------------------------------------------------
# running and reporting


def run_check(name: str, folder: str | Path | None = None, quick: bool = False) -> Check:
    """Run one check of :data:`CHECKS`; figures go to ``folder`` (a temporary one if None)."""
    if name not in CHECKS:
        raise KeyError(f"no check {name!r}; checks: {', '.join(CHECKS)}")
    t0 = time.perf_counter()
    if folder is None:
        with tempfile.TemporaryDirectory() as tmp:
            rec = CHECKS[name](Path(tmp), quick)
    else:
        rec = CHECKS[name](Path(folder), quick)
    rec.seconds = time.perf_counter() - t0
    return rec


def run_checks(folder: str | Path, quick: bool = False, names=None, progress=None) -> list[Check]:
    """Run the checks ``names`` (default: all, in order), figures into ``folder``."""
    out = []
    for name in names or list(CHECKS):
        rec = run_check(name, folder, quick)
        out.append(rec)
        if progress:
            progress(rec)
    return out


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _header(checks: list[Check], quick: bool, seconds: float) -> dict:
    from sim.runs import versions

    v = versions()
    n_ok = sum(c.passed for c in checks)
    return {
        "mode": "quick" if quick else "full", "passed": n_ok, "checks": len(checks), "seconds": round(seconds, 1),
        "command": "bouche validate" + (" --quick" if quick else ""),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "versions": ", ".join(f"{k} {v[k]}" for k in v if v[k]),
    }


INTRO = ("Bouche reproduces published diffusion results with the engine itself (`sim.run` with overrides), "
         "and compares each with its analytic or published value (`sim.analytic`). Each check states its "
         "reference, setting, expected value, simulated value with its standard error (SE), tolerance and result. "
         "Seeds are fixed: the same command gives the same numbers. Tolerances are about 2.5 SE; a check that "
         "tests m values at once allows z_m SE each (Bonferroni), so a correct engine fails a check about once "
         "in 80.")


def write_report(checks: list[Check], folder: str | Path, quick: bool, seconds: float) -> list[Path]:
    """Write ``validation.md``, ``validation.html`` and ``validation.json`` into ``folder``."""
    folder = Path(folder)
    h = _header(checks, quick, seconds)
    status = lambda c: "pass" if c.passed else "**FAIL**"  # noqa: E731
    lines = ["# Validation report", "", INTRO, "",
             f"**{h['passed']} of {h['checks']} checks passed** ({h['mode']} run: `{h['command']}`, "
             f"{h['seconds']:.0f} s on {h['machine']}; {h['versions']}).", "",
             "| check | expected | simulated | uncertainty | result |", "|---|---|---|---|---|"]
    for c in checks:
        lines.append(f"| [{_md(c.title)}](#{c.name.replace('_', '-')}) | {_md(c.expected)} | {_md(c.simulated)} | "
                     f"{_md(c.uncertainty)} | {status(c)} |")
    for c in checks:
        lines += ["", f'<a id="{c.name.replace("_", "-")}"></a>', "", f"## {c.title}", "",
                  f"- **Reference:** {c.reference}", f"- **Setting:** {c.setting}",
                  f"- **Expected:** {c.expected}", f"- **Simulated:** {c.simulated}",
                  f"- **Uncertainty:** {c.uncertainty}", f"- **Tolerance:** {c.tolerance}",
                  f"- **Result:** {'pass' if c.passed else '**FAIL**'} ({c.seconds:.1f} s; check `{c.name}`)"]
        if c.figure:
            lines += ["", f"![{c.title}]({c.figure})"]
    md = folder / "validation.md"
    md.write_text("\n".join(lines) + "\n")

    e = html.escape
    rows = "".join(f"<tr><td><a href=\"#{e(c.name)}\">{e(c.title)}</a></td><td>{e(c.expected)}</td>"
                   f"<td>{e(c.simulated)}</td><td>{e(c.uncertainty)}</td>"
                   f"<td class=\"{'ok' if c.passed else 'bad'}\">{'pass' if c.passed else 'FAIL'}</td></tr>"
                   for c in checks)
    sections = []
    for c in checks:
        items = "".join(f"<li><b>{k}:</b> {e(v)}</li>" for k, v in (
            ("Reference", c.reference), ("Setting", c.setting), ("Expected", c.expected),
            ("Simulated", c.simulated), ("Uncertainty", c.uncertainty), ("Tolerance", c.tolerance)))
        result = f"<li><b>Result:</b> <span class=\"{'ok' if c.passed else 'bad'}\">" \
                 f"{'pass' if c.passed else 'FAIL'}</span> ({c.seconds:.1f} s)</li>"
        img = f'<p><img src="{e(c.figure)}" alt="{e(c.title)}" style="max-width:100%"></p>' if c.figure else ""
        sections.append(f'<h2 id="{e(c.name)}">{e(c.title)}</h2><ul>{items}{result}</ul>{img}')
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bouche validation report</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.4}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;"
        "font-size:90%}.ok{color:#1a7f37;font-weight:bold}.bad{color:#cf222e;font-weight:bold}</style></head><body>"
        f"<h1>Validation report</h1><p>{e(INTRO)}</p>"
        f"<p><b>{h['passed']} of {h['checks']} checks passed</b> ({h['mode']} run: <code>{e(h['command'])}</code>, "
        f"{h['seconds']:.0f} s on {e(h['machine'])}; {e(h['versions'])}).</p>"
        "<table><tr><th>check</th><th>expected</th><th>simulated</th><th>uncertainty</th><th>result</th></tr>"
        f"{rows}</table>{''.join(sections)}</body></html>\n")
    page_path = folder / "validation.html"
    page_path.write_text(page)
    js = folder / "validation.json"
    js.write_text(json.dumps({**h, "results": [asdict(c) for c in checks]}, indent=2, default=_json_default) + "\n")
    return [md, page_path, js]


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def validate(out: str | Path, quick: bool = False, names=None, progress=None) -> list[Check]:
    """Run the checks and write the report folder atomically (temporary folder, then rename).

    The folder holds ``validation.md``, ``validation.html``, ``validation.json``
    and the figures in ``validation/``; copying its content into ``docs/`` keeps
    the links working.
    """
    from sim.outputs import atomic_folder

    with atomic_folder(out, marker="validation.json", kind="validation report") as tmp:
        t0 = time.perf_counter()
        checks = run_checks(tmp / FIGURES, quick=quick, names=names, progress=progress)
        write_report(checks, tmp, quick, time.perf_counter() - t0)
    return checks


def add_arguments(parser) -> None:
    """Arguments of ``bouche validate``."""
    parser.add_argument("--quick", action="store_true",
                        help="fewer runs and settings (about a minute); the full report takes a few minutes")
    parser.add_argument("--out", default="runs/validation",
                        help="report folder (default: runs/validation): validation.md, .html, .json, figures")
    parser.add_argument("--check", dest="checks", action="append", default=[], metavar="NAME",
                        help=f"run only this check (repeatable): {', '.join(CHECKS)}")


def command(args) -> int:
    """``bouche validate``: 0 if every check passed, 1 if any failed (the report is written either way)."""
    from sim.errors import ConfigError

    for name in args.checks:
        if name not in CHECKS:
            raise ConfigError("--check", f"must be one of {', '.join(CHECKS)}; got {name!r}")

    def progress(c: Check) -> None:
        print(f"  {'pass' if c.passed else 'FAIL'}  {c.name:<22} {c.seconds:6.1f} s  {c.simulated}", flush=True)

    print(f"bouche validate{' --quick' if args.quick else ''}: {len(args.checks or CHECKS)} checks", flush=True)
    checks = validate(args.out, quick=args.quick, names=args.checks or None, progress=progress)
    n_ok = sum(c.passed for c in checks)
    print(f"{n_ok} of {len(checks)} checks passed; report in {args.out}/validation.md (and .html)")
    return 0 if n_ok == len(checks) else 1
