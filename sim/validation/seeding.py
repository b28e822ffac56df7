"""Seeding checks: greedy seeds against the brute-force optimum, and the seeding strategies compared.

On Zachary's karate club the engine's greedy seeding (CELF on live-edge
samples) must reach at least (1 − 1/e) of the brute-force optimum; on a
Barabási–Albert graph, paired runs must rank random < friend of random < top
degree.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np

from sim.figures.canvas import subplots
from sim.validation.registry import REF, Check, _mean_se, _model, _register, _run, _save, _seed, z_limit

__all__ = ["check_greedy_karate", "check_seeding_strategies"]


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
    fig, (a1, a2) = subplots(1, 2, figsize=(12, 5), constrained_layout=True,
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
    fig, ax = subplots(figsize=(8, 4.5), constrained_layout=True)
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
