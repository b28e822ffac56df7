"""Friendship-paradox checks: a random contact of a random person has more contacts than a random person.

The people that ``seeding.strategy = "friend_of_random"`` picks are compared
with random people on Erdős–Rényi graphs (expected z + 1) and on
Barabási–Albert graphs (the exact expectation on the graphs drawn).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sim.figures.canvas import subplots
from sim.validation.registry import REF, Check, _mean_se, _model, _register, _save, _seed, z_limit

__all__ = ["check_friendship_er", "check_friendship_ba"]


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
    fig, ax = subplots(figsize=(8, 4.2), constrained_layout=True)
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
