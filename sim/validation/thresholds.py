"""Threshold checks: Granovetter's riot and final size, Watts's global cascades, complex contagion.

Every check here runs a threshold rule: Granovetter (1978) on the complete
graph against the exact equilibrium and the mean-field map; Watts (2002) on
Erdős–Rényi graphs against the Gleeson–Cahalane trigger probability, cascade
size and window; simple against complex contagion on rewired ring lattices
(Centola & Macy 2007).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sim.figures.canvas import subplots
from sim.validation.registry import REF, Check, _mean_se, _register, _run, _save, _seed, z_limit

__all__ = ["check_granovetter_riot", "check_granovetter_sigma", "check_watts_cascades", "check_complex_contagion"]


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
    fig, ax = subplots(figsize=(7.5, 4.2), constrained_layout=True)
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
    from sim.rules import threshold as wom

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
    fig, ax = subplots(figsize=(8, 4.5), constrained_layout=True)
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
    fig, (a1, a2) = subplots(1, 2, figsize=(12, 4.5), constrained_layout=True)
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
    fig, (a1, a2) = subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
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
