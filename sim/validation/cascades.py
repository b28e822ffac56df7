"""Information cascades: the engine's observational rule against Bikhchandani, Hirshleifer & Welch (1992).

People decide one after another, each from a private signal of precision p
and everyone's earlier choices (``wom.rule = "observational"``,
``wom.observe = "all"``, ``run.order = "sequential"``, coin-flip ties). BHW
give two closed forms: the chance that no cascade has begun after m people
(m even), ``(p - p²)^(m/2)``, and the chance that the cascade is the right
one, ``p(p + 1) / (2(1 - p + p²))`` as the number of people grows. A
cascade never ends without public news, so one run of n people answers both:
no cascade after m people is ``cascade_start > m`` (or none at all).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sim.figures.canvas import colours, subplots
from sim.validation.registry import REF, Check, _register, _save, _seed, z_limit

__all__ = ["check_information_cascades", "cascade_runs"]

PRECISIONS = (0.55, 0.6, 0.7, 0.8)
AFTER = (2, 4, 6)  # m: people decided, for P(no cascade after m)


def cascade_runs(p: float, people: int, replicates: int, seed_of, tie: str = "coin", media=()) -> list[dict]:
    """The summaries of ``replicates`` BHW runs of ``people`` people at precision ``p`` (in replicate blocks).

    ``seed_of(r)`` gives replicate r's seed; ``media`` a list of ``[[media]]`` tables (none: BHW).
    """
    import networkx as nx

    from sim.batch import run_replicates

    ov = {"media": list(media), "wom.rule": "observational", "wom.signal_precision": p, "wom.observe": "all",
          "wom.tie": tie, "run.order": "sequential", "run.steps": people, "seeding.count": 0}
    # whom a person sees does not depend on the graph when everyone sees everyone: a path keeps blocks possible
    return [s for _, s in run_replicates("bass", [seed_of(r) for r in range(replicates)], overrides=ov,
                                          graph=nx.path_graph(people))]


def _share(flags) -> tuple[float, float]:
    x = np.asarray(flags, dtype=float)
    m = float(x.mean())
    return m, math.sqrt(max(m * (1 - m), 1e-12) / x.size)


@_register
def check_information_cascades(folder: Path, quick: bool = False) -> Check:
    """P(no cascade after m people) and P(right cascade) against BHW's closed forms, at several precisions."""
    from sim.rules.observational import p_correct_cascade, p_no_cascade

    people, reps = 40, 600 if quick else 3000
    rows = []
    for p in PRECISIONS:
        res = cascade_runs(p, people, reps, lambda r, p=p: _seed("bhw", p, r))
        starts = [s["cascade_start"] if s["cascade"] != "none" else people + 1 for s in res]
        none = {m: _share([st > m for st in starts]) for m in AFTER}
        right = _share([s["correct_cascade"] for s in res])
        rows.append((p, none, right, _share([s["cascade"] == "none" for s in res])))
    z = z_limit(len(PRECISIONS) * (len(AFTER) + 1))
    fails, worst = [], 0.0
    for p, none, right, _ in rows:
        for m, (v, se) in none.items():
            gap = abs(v - p_no_cascade(p, m)) / max(se, math.sqrt(p_no_cascade(p, m) * (1 - p_no_cascade(p, m))
                                                                    / reps))
            worst = max(worst, gap)
            if gap > z:
                fails.append(f"p={p} m={m}")
        v, se = right
        # the limit is reached geometrically fast (the chance of no cascade after 40 people is < 1e-5)
        gap = abs(v - p_correct_cascade(p)) / max(se, 1e-12)
        worst = max(worst, gap)
        if gap > z:
            fails.append(f"p={p} right")
    fig, (a1, a2) = subplots(1, 2, figsize=(11, 4.5), constrained_layout=True)
    shades = colours("viridis", np.linspace(0.1, 0.85, len(PRECISIONS)))
    ms = np.arange(0, max(AFTER) + 1, 2)
    for (p, none, _, _), c in zip(rows, shades):
        a1.plot(ms, [p_no_cascade(p, m) for m in ms], color=c, lw=1.5, label=f"p = {p}: (p − p²)^(m/2)")
        a1.errorbar(list(none), [none[m][0] for m in none], yerr=[2.5 * none[m][1] for m in none], fmt="o",
                    color=c, capsize=3)
    a1.set(xlabel="people who have decided, m", ylabel="P(no cascade yet)",
           title="No cascade yet after m people (dots: engine ± 2.5 SE)")
    a1.legend(frameon=False, fontsize=8)
    grid = np.linspace(0.51, 0.99, 100)
    a2.plot(grid, [p_correct_cascade(x) for x in grid], color="black", label="right: p(p+1) / 2(1 − p + p²)")
    a2.plot(grid, [1 - p_correct_cascade(x) for x in grid], color="#d7191c", label="wrong (the rest)")
    for p, _, (v, se), _ in rows:
        a2.errorbar([p], [v], yerr=[2.5 * se], fmt="o", color="black", capsize=3)
        a2.errorbar([p], [1 - v], yerr=[2.5 * se], fmt="o", color="#d7191c", capsize=3)
    a2.set(xlabel="signal precision p", ylabel=f"share of runs of {people} people",
           title="Which cascade wins: right or wrong")
    a2.legend(frameon=False, fontsize=8)
    sim_text = "; ".join(f"p={p}: none after {', '.join(f'{m}: {none[m][0]:.3f}' for m in none)}, "
                         f"right {right[0]:.3f}" for p, none, right, _ in rows)
    exp_text = "; ".join(f"p={p}: none after {', '.join(f'{m}: {p_no_cascade(p, m):.3f}' for m in AFTER)}, "
                         f"right {p_correct_cascade(p):.3f}" for p, *_ in rows)
    return Check(
        name="information_cascades", title="Information cascades: how often, and how often wrong (BHW 1992)",
        reference=REF["bhw"],
        setting=f"wom.rule = observational, everyone seen, sequential order, coin-flip ties, no seeds, no media; "
                f"{people} people, {reps} runs per precision p in {', '.join(map(str, PRECISIONS))}",
        expected=exp_text, simulated=sim_text,
        uncertainty=f"binomial SE of each share (largest gap {worst:.2f} SE)",
        tolerance=f"each of {len(PRECISIONS) * (len(AFTER) + 1)} shares within {z:.2f} SE of BHW's value",
        passed=not fails, figure=_save(fig, folder, "information_cascades"),
        values={"runs": reps, "people": people,
                "results": {str(p): {"no_cascade_after": {str(m): v[0] for m, v in none.items()},
                                     "right": right[0]} for p, none, right, _ in rows},
                "failed": fails})
