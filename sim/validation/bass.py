"""Bass checks: the engine on the complete graph against the discrete recursion and the closed form.

With unit steps the engine must follow the discrete Bass recursion (and stay
visibly away from the continuous closed form); with small steps it must
approach the closed form, within the discretisation error known exactly.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sim.figures.canvas import subplots
from sim.validation.registry import REF, Check, P, Q, _register, _run, _save, _seed, z_limit

__all__ = ["check_bass_discrete", "check_bass_closed_form"]


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
    fig, (a1, a2) = subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
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
    fig, (a1, a2) = subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
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
