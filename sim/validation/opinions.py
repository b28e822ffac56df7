"""Opinion dynamics: the voter model and bounded confidence against published results.

- Voter model on the complete graph (random sequential updates): the chance of
  consensus on opinion 1 equals its initial share, and the mean time to
  consensus is -N[ρ ln ρ + (1-ρ) ln(1-ρ)] sweeps (Castellano, Fortunato &
  Loreto 2009, Rev. Mod. Phys. 81).
- Bounded confidence on the complete graph: Deffuant et al. (2000) end in
  about ⌊1/(2ε)⌋ major camps, and in consensus for ε > 1/2 (Fortunato 2004);
  Hegselmann–Krause reaches consensus above ε ≈ 0.2 (Fortunato 2005); the
  algorithmic bias gives more camps and slower settling as γ grows at fixed ε
  (Sîrbu et al. 2019).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sim.figures.canvas import subplots
from sim.validation.registry import REF, Check, _mean_se, _register, _run, _save, _seed, z_limit

__all__ = ["check_voter_model", "check_bounded_confidence"]

_COMPLETE = {"network.kind": "complete", "seeding.strategy": "none", "run.order": "random_sequential"}


@_register
def check_voter_model(folder: Path, quick: bool = False) -> Check:
    """Voter model on the complete graph: exit probability = initial share; mean consensus time."""
    n, runs = 100, 200 if quick else 800
    shares = (0.2, 0.5)
    rows = {}
    for rho in shares:
        res = [_run({**_COMPLETE, "network.n": n, "wom.rule": "voter", "population.opinions": "split",
                     "population.share": rho, "run.steps": 10_000}, _seed("voter", rho, r)).summary
               for r in range(runs)]
        up = np.array([s["mean_opinion"] > 0.5 for s in res], dtype=float)
        t = np.array([s["consensus_step"] for s in res], dtype=float)
        rows[rho] = (up.mean(), math.sqrt(rho * (1 - rho) / runs), *_mean_se(t),
                     -n * (rho * math.log(rho) + (1 - rho) * math.log(1 - rho)))
    z = z_limit(2 * len(shares))
    # the mean-field time is the large-N limit: allow 5 % for N = 100 beside the sampling error
    ok = all(abs(up - rho) <= z * se and abs(t - want) <= z * tse + 0.05 * want
             for rho, (up, se, t, tse, want) in rows.items())
    fig, (a1, a2) = subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    a1.plot([0, 1], [0, 1], color="black", lw=1, label="exit probability = initial share")
    a1.errorbar(list(rows), [v[0] for v in rows.values()], yerr=[2.5 * v[1] for v in rows.values()], fmt="o",
                color="#2b83ba", capsize=3, label=f"engine, {runs} runs each (± 2.5 SE)")
    a1.set(xlabel="initial share holding 1", ylabel="share of runs ending all at 1", title="Exit probability")
    a1.legend(frameon=False, fontsize=8)
    grid = np.linspace(0.02, 0.98, 60)
    a2.plot(grid, -n * (grid * np.log(grid) + (1 - grid) * np.log(1 - grid)), color="black",
            label="−N[ρ ln ρ + (1−ρ) ln(1−ρ)]")
    a2.errorbar(list(rows), [v[2] for v in rows.values()], yerr=[2.5 * v[3] for v in rows.values()], fmt="o",
                color="#2b83ba", capsize=3, label="engine (± 2.5 SE)")
    a2.set(xlabel="initial share ρ", ylabel="sweeps to consensus", title=f"Consensus time, N = {n}")
    a2.legend(frameon=False, fontsize=8)
    return Check(
        name="voter_model", title="Voter model: exit probability and consensus time (complete graph)",
        reference=REF["voter"],
        setting=f"wom.rule = voter, complete graph of {n}, random sequential updates, opinions split at "
                f"ρ = {', '.join(map(str, shares))}; {runs} runs each",
        expected="; ".join(f"ρ = {r}: exit {r:.3f}, time {v[4]:.1f} sweeps" for r, v in rows.items()),
        simulated="; ".join(f"ρ = {r}: exit {v[0]:.3f}, time {v[2]:.1f}" for r, v in rows.items()),
        uncertainty="; ".join(f"± {v[1]:.3f}, ± {v[3]:.1f} (SE)" for v in rows.values()),
        tolerance=f"{z:.2f} SE each (the time also 5 %: the formula is the large-N limit)",
        passed=bool(ok), figure=_save(fig, folder, "voter_model"),
        values={str(r): {"exit": v[0], "time": v[2], "time_expected": v[4]} for r, v in rows.items()})


@_register
def check_bounded_confidence(folder: Path, quick: bool = False) -> Check:
    """Deffuant camps ⌊1/(2ε)⌋ and consensus above 1/2; the Hegselmann–Krause threshold; the algorithmic bias."""
    reps = 4 if quick else 10
    eps_grid = (0.15, 0.2, 0.25, 0.3)
    deff = {}
    for eps in (*eps_grid, 0.55):
        res = [_run({**_COMPLETE, "network.n": 500, "wom.rule": "deffuant", "wom.epsilon": eps, "run.steps": 3000},
                    _seed("deffuant", eps, r)).summary for r in range(reps)]
        deff[eps] = (np.mean([s["major_clusters"] for s in res]), np.mean([s["consensus"] for s in res]))
    hk = {}
    for eps in (0.15, 0.25):
        res = [_run({**_COMPLETE, "network.n": 1000, "wom.rule": "hegselmann_krause", "wom.epsilon": eps,
                     "run.order": "synchronous", "run.steps": 500}, _seed("hk", eps, r)).summary for r in range(reps)]
        hk[eps] = np.mean([s["consensus"] for s in res])
    ab = {}
    for gamma in (0.0, 1.5):
        res = [_run({**_COMPLETE, "network.n": 150, "wom.rule": "algorithmic_bias", "wom.epsilon": 0.3,
                     "wom.gamma": gamma, "run.steps": 400}, _seed("ab", gamma, r)).summary for r in range(reps)]
        ab[gamma] = (np.mean([s["clusters"] for s in res]), np.mean([s["steady_step"] or 400 for s in res]))
    ok = (all(abs(deff[e][0] - math.floor(1 / (2 * e))) <= 1 for e in eps_grid) and deff[0.55][1] == 1
          and hk[0.25] == 1 and hk[0.15] == 0 and ab[1.5][0] > ab[0.0][0] + 3 and ab[1.5][1] > ab[0.0][1])
    fig, (a1, a2) = subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    grid = np.linspace(0.1, 0.5, 200)
    a1.plot(grid, np.floor(1 / (2 * grid)), color="black", label="⌊1/(2ε)⌋")
    a1.plot(list(eps_grid), [deff[e][0] for e in eps_grid], "o", color="#2b83ba", label=f"engine, mean of {reps}")
    a1.set(xlabel="confidence bound ε", ylabel="major camps (≥ 2 %)", title="Deffuant, complete graph, N = 500")
    a1.legend(frameon=False)
    a2.bar(["γ = 0", "γ = 1.5"], [ab[0.0][0], ab[1.5][0]], color=["#bbbbbb", "#d7191c"])
    a2.set(ylabel="clusters at the end", title="Algorithmic bias, ε = 0.3, N = 150")
    return Check(
        name="bounded_confidence", title="Bounded confidence: Deffuant's camps, the HK threshold, the feed's bias",
        reference=REF["bounded"],
        setting=f"complete graphs; Deffuant N = 500, μ = 0.5, ε in {eps_grid} and 0.55; HK N = 1000 synchronous; "
                f"algorithmic bias N = 150, ε = 0.3; {reps} runs each",
        expected="major camps ⌊1/(2ε)⌋ = " + ", ".join(str(math.floor(1 / (2 * e))) for e in eps_grid)
                 + "; consensus at ε = 0.55; HK consensus at ε = 0.25, not at 0.15; more clusters and later "
                   "settling at γ = 1.5 than at 0",
        simulated="Deffuant " + ", ".join(f"{deff[e][0]:.1f}" for e in eps_grid)
                  + f"; consensus at 0.55 in {deff[0.55][1]:.0%} of runs; HK consensus {hk[0.25]:.0%} at 0.25, "
                    f"{hk[0.15]:.0%} at 0.15; clusters {ab[0.0][0]:.1f} -> {ab[1.5][0]:.1f}, settled by step "
                    f"{ab[0.0][1]:.0f} -> {ab[1.5][1]:.0f}",
        uncertainty=f"means of {reps} runs",
        tolerance="camps within 1 of ⌊1/(2ε)⌋; consensus in every run (none below the HK threshold); "
                  "at least 3 more clusters with the bias",
        passed=bool(ok), figure=_save(fig, folder, "bounded_confidence"),
        values={"deffuant": {str(e): v[0] for e, v in deff.items()}, "hk": {str(e): v for e, v in hk.items()},
                "algorithmic_bias": {str(g): list(v) for g, v in ab.items()}})
