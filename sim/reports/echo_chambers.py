"""The ``echo-chambers`` report: the same people with a neutral and a biased feed, with and without a broadcaster.

:func:`echo_chambers_report` writes echo-chambers.png: (1, 2) the opinions
over time (share of people per opinion, step by step) with a neutral feed
(gamma = 0) and with the scenario's feed, same people and contacts; (3) major
camps against the feed's bias gamma, with and without the scenario's media
(:func:`feed_runs`); (4) what the media change, from twin runs (same seed with
and without them): camps and polarisation, with 95 % intervals.

References
----------
Sîrbu, A., Pedreschi, D., Giannotti, F. & Kertész, J. (2019). Algorithmic bias
amplifies opinion fragmentation and polarization: a bounded confidence model.
PLoS ONE 14(3), e0213246.
Deffuant, G., Neau, D., Amblard, F. & Weisbuch, G. (2000). Mixing beliefs
among interacting agents. Advances in Complex Systems 3, 87-98.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.figures.canvas import subplots
from sim.reports.common import SKIP, _ci, _save, require_rule
from sim.rules.opinions import AlgorithmicBias

__all__ = ["echo_chambers_report", "feed_runs", "GAMMAS"]

GAMMAS = (0.0, 0.5, 1.0, 1.5)


def feed_runs(spec, gammas, replicates: int, graph=None) -> pd.DataFrame:
    """Runs of the scenario at each feed bias in ``gammas``, with its media and without (twins: same seeds).

    One row per run: gamma, media (bool), seed, and the run's summary keys.
    """
    from sim.batch import run_replicates

    seeds = [int(s) for s in np.random.SeedSequence(spec.seed).generate_state(replicates)]
    rows = []
    for gamma in gammas:
        for media in ((True, False) if spec.media else (False,)):
            ov = {"wom.gamma": float(gamma), **({} if media else {"media": []})}
            for seed, (_, s) in zip(seeds, run_replicates(spec, seeds, overrides=ov, graph=graph)):
                rows.append({"gamma": float(gamma), "media": media, "seed": seed,
                             **{k: v for k, v in s.items() if not isinstance(v, dict)}})
    return pd.DataFrame(rows)


def echo_chambers_report(result, folder, replicates: int = 3) -> list[Path]:
    """echo-chambers.png: opinions over time, neutral and biased feed; camps against gamma; the media's effect."""
    import sim
    from sim.figures.opinions import histograms, opinion_history

    spec = result.model.spec
    require_rule(spec, AlgorithmicBias, "echo-chambers", "it varies the feed's bias gamma")
    gamma = spec.get("wom.gamma")
    if spec.get("run.order") != "random_sequential":
        raise ConfigError("run.order", f"must be random_sequential for the echo-chambers report {SKIP}; "
                                       f"got {spec.get('run.order')!r}")
    graph = result.model.graph
    hist = {g: histograms(sim.DiffusionModel(spec.replace({"wom.gamma": g}), graph=graph))
            for g in dict.fromkeys((0.0, gamma))}
    gammas = sorted({*GAMMAS, float(gamma)})
    runs = feed_runs(spec, gammas, replicates, graph=graph)

    fig, axes = subplots(2, 2, figsize=(14, 9.5), constrained_layout=True)
    eps = spec.get("wom.epsilon")
    for ax, g in zip(axes[0], (0.0, gamma)):
        opinion_history(ax, hist[g], title=f"{'Neutral feed' if g == 0 else 'Biased feed'} (gamma = {g:g}): "
                                           f"opinions over time, darker = more people")
    if gamma == 0:
        axes[0, 1].set_title("The scenario's own feed is neutral (gamma = 0)")
    ax = axes[1, 0]
    for media, colour, label in ((False, "#d7191c", "without media"), (True, "#2b83ba", "with the media")):
        sub = runs[runs["media"] == media]
        if sub.empty:
            continue
        ci = [_ci(sub[sub["gamma"] == g]["major_clusters"]) for g in gammas]
        ax.errorbar(gammas, [c[0] for c in ci], yerr=[[c[0] - c[1] for c in ci], [c[2] - c[0] for c in ci]],
                    fmt="o-", color=colour, capsize=3, label=f"{label} (mean, 95 % CI, {replicates} runs)")
    ax.set(xlabel="feed bias gamma (0 = contacts met at random)", ylabel="camps holding at least 2 % of people",
           title=f"The feed splits the public: same people, same contacts (epsilon = {eps:g})")
    ax.legend(frameon=False, fontsize=9)
    ax = axes[1, 1]
    if spec.media:
        names = ", ".join(f"{m['name']} at {m['opinion']:g}" for m in spec.media)
        width = 0.35
        for k, (metric, label) in enumerate((("major_clusters", "camps"), ("polarisation", "polarisation × 10"))):
            scale = 10 if metric == "polarisation" else 1
            diffs = []
            for g in gammas:
                a = runs[(runs["gamma"] == g) & runs["media"]].sort_values("seed")[metric].to_numpy()
                b = runs[(runs["gamma"] == g) & ~runs["media"]].sort_values("seed")[metric].to_numpy()
                diffs.append(_ci(scale * (a - b)))
            at = np.arange(len(gammas)) + (k - 0.5) * width
            ax.bar(at, [d[0] for d in diffs], width, yerr=[[d[0] - d[1] for d in diffs], [d[2] - d[0] for d in diffs]],
                   capsize=3, color=("#2b83ba", "#fdae61")[k], label=f"change in {label}")
        ax.axhline(0, color="black", lw=0.8)
        ax.set(xticks=np.arange(len(gammas)), xticklabels=[f"gamma {g:g}" for g in gammas],
               ylabel="with the media − without (twin runs)", title=f"What the media change ({names})")
        ax.legend(frameon=False, fontsize=9)
    else:
        ax.axis("off")
        ax.text(0.5, 0.5, "no media in this scenario", ha="center", va="center")
    return [_save(fig, Path(folder) / "echo-chambers.png")]
