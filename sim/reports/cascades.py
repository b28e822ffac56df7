"""The ``cascades`` report: one information cascade person by person, and what a public review does to many.

:func:`cascades_report` writes cascades.png: (1) the run itself, in the order
people decided: each one's private hint, their choice, and the lead
(adoptions minus rejections so far) that everyone saw, with the start of the
cascade and the review's date; (2) over many runs with the same people and
hints (:func:`review_runs`), how the runs end (right cascade, wrong cascade,
none) with the review at each date, and without it; (3) the share of people
who chose right against the review's date.

References
----------
Bikhchandani, S., Hirshleifer, D. & Welch, I. (1992). A theory of fads, fashion,
custom, and cultural change as informational cascades. JPE 100(5), 992-1026.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.figures.canvas import figure
from sim.reports.common import _ci, _save, announce, require_rule
from sim.rules.observational import Observational, p_correct_cascade

__all__ = ["cascades_report", "review_runs", "decision_trace", "REVIEW_DATES"]

REVIEW_DATES = (1, 5, 10, 20, 40, 60, 80)  # steps, as shares of the people when the run is not 100 long
GREEN, RED, GREY = "#1a9641", "#d7191c", "#bbbbbb"


def decision_trace(model) -> pd.DataFrame:
    """One row per person in the order they decided (seeds first): hint, choice, herded, the lead they saw.

    ``lead_before`` is adoptions minus rejections among everyone who decided
    before them, which is what BHW's onlookers weigh.
    """
    st = model.rule_state if model.rule_state is not None else model.engine.rule_state(0)
    order = np.asarray(st["order"])
    choice = np.asarray(st["choice"])[order]
    decided = choice != 0
    order, choice = order[decided], choice[decided]
    lead = np.concatenate(([0], np.cumsum(choice.astype(np.int64))))
    return pd.DataFrame({"person": order, "hint": np.asarray(st["signal"])[order], "choice": choice,
                         "herded": np.asarray(st["herded"])[order], "lead_before": lead[:-1],
                         "lead_after": lead[1:]})


def review_runs(spec, dates, replicates: int, graph=None, progress: bool | None = False) -> pd.DataFrame:
    """The scenario's runs with its (first) medium on at each date of ``dates`` only (None: without media).

    Every date runs the same ``replicates`` seeds, so the same people hold the
    same hints and decide in the same order: only the review's date differs.
    ``graph``: one network for every run (the run's own, in the report), which
    lets the runs go in replicate blocks. One row per run: date, seed and the
    run's summary keys. ``progress``: a bar over the dates (see :mod:`sim.progress`).
    """
    from sim.batch import run_replicates
    from sim.progress import progress_bar

    seeds = [int(s) for s in np.random.SeedSequence(spec.seed).generate_state(replicates)]
    rows = []
    for date in progress_bar(len(dates), "cascades report", show=progress, unit="date", iterable=dates):
        ov = {"media": []} if date is None else {"media.start": int(date), "media.stop": int(date)}
        if date is not None and len(spec.media) > 1:
            name = spec.media[0]["name"]
            ov = {f"media.{name}.start": int(date), f"media.{name}.stop": int(date)}
        for seed, (_, s) in zip(seeds, run_replicates(spec, seeds, overrides=ov, graph=graph)):
            rows.append({"date": date, "seed": seed, **{k: v for k, v in s.items() if not isinstance(v, dict)}})
    return pd.DataFrame(rows)


def _dates(spec) -> list:
    people = spec.get("run.steps")
    scale = people / 100
    dates = sorted({max(1, int(round(d * scale))) for d in REVIEW_DATES if d * scale <= people})
    own = spec.media[0]["start"] if spec.media else None
    if own is not None and own not in dates and own <= people:
        dates = sorted([*dates, own])
    return dates


def cascades_report(result, folder, replicates: int = 300) -> list[Path]:
    """cascades.png: this run person by person; right and wrong cascades with the review at each date."""
    spec = result.model.spec
    require_rule(spec, Observational, "cascades", "it reads each person's hint and choice")
    trace = decision_trace(result.model)
    p = spec.get("wom.signal_precision")
    truth = 1 if spec.get("wom.truth") == "adopt" else -1
    medium = spec.media[0] if spec.media else None
    dates = _dates(spec) if medium else []
    announce("cascades", f"{replicates} runs for each review date and without one: {replicates * (len(dates) + 1)} "
                         f"runs of {result.model.n:,} people")
    runs = review_runs(spec, [*dates, None], replicates, graph=result.model.graph, progress=None)
    fig = figure(figsize=(16, 10), constrained_layout=True)
    grid = fig.add_gridspec(3, 2, height_ratios=[0.62, 0.5, 1.1])
    ax1 = fig.add_subplot(grid[0, :])
    lax = fig.add_subplot(grid[1, :], sharex=ax1)
    ax2, ax3 = fig.add_subplot(grid[2, 0]), fig.add_subplot(grid[2, 1])
    # (1) the run itself: hints and choices, then the lead everyone saw
    x = np.arange(1, len(trace) + 1)
    hint_up = trace["hint"].to_numpy() > 0
    ax1.scatter(x[hint_up], np.ones(hint_up.sum()), marker="^", color=GREEN, s=24, label="private hint: adopt")
    ax1.scatter(x[~hint_up], np.ones((~hint_up).sum()), marker="v", color=RED, s=24, label="private hint: reject")
    chose = trace["choice"].to_numpy() > 0
    herded = trace["herded"].to_numpy()
    for mask, colour, what in ((chose, GREEN, "adopted"), (~chose, RED, "rejected")):
        ax1.scatter(x[mask & ~herded], np.zeros((mask & ~herded).sum()), marker="s", color=colour, s=28,
                    label=f"{what}: hint mattered")
        ax1.scatter(x[mask & herded], np.zeros((mask & herded).sum()), marker="s", facecolor="white",
                    edgecolor=colour, s=28, label=f"{what}: followed the crowd")
    s = result.summary
    marks = []
    if s["cascade"] != "none":
        colour = GREEN if s["correct_cascade"] else RED
        marks.append((s["cascade_start"] + 0.5, colour, "--",
                      f"{'right' if s['correct_cascade'] else 'wrong'} cascade from here"))
    if medium is not None and medium["start"] <= len(trace):
        marks.append((medium["start"], "#2b83ba", "-",
                      f"{medium['name']} out (right {medium['signal_precision']:.0%} of the time)"))
    for at, colour, ls, text in marks:
        for ax in (ax1, lax):
            ax.axvline(at, color=colour, ls=ls, lw=1.6)
        ax1.text(at + 0.4, 0.5, text, color=colour, fontsize=9, va="center")
    ax1.set(yticks=[0, 1], yticklabels=["choice", "hint"], ylim=(-0.5, 1.5), xlim=(0, len(trace) + 1),
            title=f"This run: {len(trace)} people decide in turn; hints are right {p:.0%} of the time and "
                  f"{'adopting' if truth > 0 else 'rejecting'} is right")
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=6, fontsize=8, frameon=False)
    lead = trace["lead_after"].to_numpy()
    top = 6
    lax.axhspan(-1.5, 1.5, color="#eeeeee", zorder=0, label="lead of one or none: hints still matter")
    lax.step(x, np.clip(lead, -top, top), where="post", color="black", lw=1.4,
             label="adoptions − rejections so far (cut at ±6: in a cascade it only grows)")
    lax.set(ylim=(-top - 0.5, top + 0.5), xlabel="people, in the order they decided", ylabel="lead seen")
    lax.legend(loc="lower right", fontsize=8, frameon=True)
    # (2) how runs end
    labels = [f"step {d}" for d in dates] + ["no review"]
    share = {k: [] for k in ("right", "wrong", "none")}
    for d in [*dates, None]:
        sub = runs[runs["date"].isna()] if d is None else runs[runs["date"] == d]
        share["right"].append(100 * (sub["cascade"].ne("none") & sub["correct_cascade"]).mean())
        share["wrong"].append(100 * (sub["cascade"].ne("none") & ~sub["correct_cascade"].astype(bool)).mean())
        share["none"].append(100 * sub["cascade"].eq("none").mean())
    bottom = np.zeros(len(labels))
    for key, colour in (("right", GREEN), ("wrong", RED), ("none", GREY)):
        ax2.bar(labels, share[key], bottom=bottom, color=colour, label=f"{key} cascade at the end" if key != "none"
                else "no cascade at the end")
        bottom += share[key]
    ax2.axhline(100 * p_correct_cascade(p), color="black", ls=":", lw=1.2,
                label=f"BHW without review: right {p_correct_cascade(p):.0%}")
    ax2.set(ylabel=f"share of {replicates} runs (%)", ylim=(0, 100), xlabel="when the review comes out",
            title="How runs end, with the review at each date (same people, same hints)")
    ax2.tick_params(axis="x", labelrotation=30)
    ax2.legend(fontsize=8, loc="lower left", frameon=True)
    # (3) how many chose right
    ci = [_ci(runs[runs["date"] == d]["correct_share"]) for d in dates]
    none_ci = _ci(runs[runs["date"].isna()]["correct_share"])
    if dates:
        ax3.errorbar(dates, [100 * c[0] for c in ci], yerr=[[100 * (c[0] - c[1]) for c in ci],
                                                            [100 * (c[2] - c[0]) for c in ci]],
                     fmt="o-", color="#2b83ba", capsize=3, label="with the review at that step (95 % CI)")
    ax3.axhline(100 * none_ci[0], color="black", ls="--", lw=1.2, label=f"no review: {100 * none_ci[0]:.0f} %")
    ax3.axhline(100 * p, color="grey", ls=":", lw=1, label=f"everyone on their own hint: {100 * p:.0f} %")
    ax3.set(xlabel="step the review comes out (people who decided before it)", ylabel="people who chose right (%)",
            ylim=(40, 100), title="The earlier the review, the more people it saves from a wrong cascade")
    ax3.legend(fontsize=8, loc="lower left", frameon=True)
    return [_save(fig, Path(folder) / "cascades.png")]
