"""The page of an optimize folder (``bouche optimize``): the best plan, the runner-up, the response curves.

The answer gives the best plan, what it buys, its 95 % interval and the
runner-up's paired difference from it; how much it moves lists the runner-up
plans and the response curves, and reruns the best plan against the runner-up
with each uncertain parameter 20 % down and up on the plans' own seeds: does the
best stay ahead when the world is not as assumed?
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pandas as pd

from sim import config
from sim.errors import ConfigError
from sim.onepage import sensitivity
from sim.onepage.kinds import assumptions, changed_values, read_record
from sim.onepage.page import Page
from sim.onepage.words import duration, listed, mean_ci, num, plural, time_unit

__all__ = ["optimize_page", "TOP_PLANS"]

TOP_PLANS = 8  # plans listed on an optimize page


def optimize_page(folder: Path, replicates: int | None = None) -> Page:
    """An optimize folder: the best plan with its 95 % CI and its paired difference from the runner-up, the
    runner-up plans and the response curves; the best against the runner-up with each uncertain parameter
    20 % down and up (``replicates`` paired runs each, by default as many as the plans had, on their seeds;
    0: none)."""
    rec = read_record(folder, "optimize.json")
    plans, response = pd.read_csv(folder / "plans.csv"), pd.read_csv(folder / "response.csv")
    recorded = "scenario_spec" in rec
    # the plans ran to the horizon: so does the scenario whose assumptions the page states
    spec = config.load(rec["scenario_spec"] if recorded else rec["scenario"]).replace({"run.steps": rec["horizon"]})
    adopters = rec["objective"] == "adopters"
    what = "adopters" if adopters else "cost per adopter"
    after = duration(spec, rec["horizon"])
    chans = rec["channels"]
    best = plans.iloc[0]
    answer = (f"Spend it on {best['plan']}{_buys(spec, best, chans)}: {num(best['mean'])} {what} after {after} "
              f"(95 % CI {num(best['low'])} to {num(best['high'])}), for {num(best['spend_mean'])} spent on average.")
    if len(plans) > 1:
        second = plans.iloc[1]
        d = second["diff_best"]
        gap = (f"wins {num(abs(d))} {'fewer' if d < 0 else 'more'} adopters" if adopters else
               f"costs {num(abs(d))} {'more' if d > 0 else 'less'} per adopter")
        answer += (f" The runner-up, {second['plan']}, {gap} (paired 95 % CI of the difference "
                   f"{num(second['diff_low'])} to {num(second['diff_high'])}); ")
        alike = int(plans["like_best"].sum()) - 1
        answer += (f"{alike} of the other {len(plans) - 1} plans cannot be told apart from the best with "
                   f"{rec['replicates']} replicates." if alike else
                   f"every other of the {len(plans)} plans is measurably worse.")
    table = [["rank", "plan", "buys", "spent", f"{what} (95 % CI)", "against the best (paired 95 % CI)",
              "told apart from the best"]]
    for _, r in plans.head(TOP_PLANS).iterrows():
        table.append([str(r["rank"]), r["plan"], _buys(spec, r, chans).strip(" ()") or "nothing",
                      num(r["spend_mean"]), f"{num(r['mean'])} ({num(r['low'])} to {num(r['high'])})",
                      "" if r["rank"] == 1 else f"{num(r['diff_best'])} ({num(r['diff_low'])} to "
                                                f"{num(r['diff_high'])})",
                      "best" if r["rank"] == 1 else ("no" if r["like_best"] else "yes")])
    prices = [(f"channel {c}", f"{num(rec['cost_per_step'][c])} per {time_unit(spec)} on air (measured: the mean "
                               f"of its first steps alone)" if c != "seeding" else
               f"{num(rec['cost_per_seed'])} per seed, placed {', '.join(rec['strategies'])}") for c in chans]
    page = Page(title=f"{spec.name}: how to spend a budget of {num(rec['budget'])}",
                question=(f"How should a budget of {num(rec['budget'])} be split between {' and '.join(chans)} to "
                          + (f"win the most adopters after {after}?" if adopters else
                             f"pay the least per adopter after {after}?")),
                answer=answer, table=table, figures=[p for p in [folder / "optimize.png"] if p.is_file()],
                assumptions=[("budget", f"{num(rec['budget'])}, in the scenario's cost units, all of it given out in "
                                        f"shares of 1/{rec['grid']}"),
                             ("objective", f"{what} counted after {after} ({rec['horizon']} steps), "
                                           + ("the most" if adopters else "the least") + " wins"),
                             *prices,
                             ("replicates", f"{rec['replicates']} per plan, the same seeds for every plan (common "
                                            f"random numbers): {rec['plans']} plans"),
                             *([] if recorded else [("scenario", f"{rec['scenario']} as shipped (this folder does "
                                                                 f"not record the values it was given)")]),
                             *assumptions(spec)],
                seed=f"{rec.get('root_seed')} (replicate seeds {rec.get('seeds', [])[:3]}…)",
                versions=rec.get("versions", {}), source=str(folder),
                command=rec.get("command") or _optimize_command(rec))
    page.more = [(f"Response curves: mean adopters after {after} (95 % CI) with one channel alone, by what it is "
                  f"given (the left panel of the figure):", _response_table(response, rec))]
    page.sensitivity = "The runner-up plans are in the table above, each with its paired difference from the best."
    replicates = rec["replicates"] if replicates is None else replicates
    if replicates >= 2 and len(plans) > 1 and recorded:
        try:
            _plan_moves(page, spec, rec, plans, replicates, what)
        except ConfigError as exc:  # a scenario that cannot be rerun here (a graph given in Python...)
            page.sensitivity += f" No rerun of the best against the runner-up: {exc}."
    return page


def _optimize_command(rec: dict) -> str:
    """The command that optimises again (when the folder was written from Python, which records none)."""
    sets = []
    name = rec["scenario"]
    if "scenario_spec" in rec:
        spec = config.load(rec["scenario_spec"])
        name, sets = changed_values(spec, rec.get("source") or spec.source)
        name = name or rec["scenario"]
    return " ".join(["bouche optimize --scenario", shlex.quote(name), *(f"--set {shlex.quote(kv)}" for kv in sets),
                     f"--budget {rec['budget']:g} --horizon {rec['horizon']} --objective {rec['objective']}",
                     f"--replicates {rec['replicates']} --grid {rec['grid']} --levels {rec['levels']}",
                     *(f"--strategy {s}" for s in rec["strategies"]), f"--seed {rec.get('root_seed')}"])


def _buys(spec, row, chans) -> str:
    """`` (9 seeds; broadcast on air 6 months)``: what a plan's shares bought."""
    bits = [plural("seed", row["seeds"]) if row.get("seeds") else ""]
    for c in chans:
        steps = row.get(f"steps_{c}")
        if c != "seeding" and steps is not None and not pd.isna(steps) and steps > 0:
            bits.append(f"{c} on air {duration(spec, int(steps))}")
    bits = [b for b in bits if b]
    return f" ({'; '.join(bits)})" if bits else ""


def _response_table(response: pd.DataFrame, rec: dict) -> list[list[str]]:
    zero = response[response["channel"] == "nothing"].iloc[0]
    levels = sorted(response.loc[response["channel"] != "nothing", "spend"].unique())
    rows = [["channel alone, given", "0", *(num(x) for x in levels)]]
    for (c, s), g in response[response["channel"] != "nothing"].groupby(["channel", "strategy"], sort=False,
                                                                       dropna=False):
        g = g.set_index("spend")
        label = c + (f" ({s})" if isinstance(s, str) and s else "")
        rows.append([label, num(zero["mean"]), *(f"{num(g.loc[x, 'mean'])} ({num(g.loc[x, 'low'])} to "
                                                 f"{num(g.loc[x, 'high'])})" if x in g.index else "" for x in levels)])
    return rows


def _plan_spec(spec, rec: dict, row):
    from sim.optimize.plans import Plan, plan_overrides

    strategy = row.get("strategy")
    plan = Plan(tuple((c, float(row[f"share_{c}"])) for c in rec["channels"]),
                strategy if isinstance(strategy, str) and strategy else None)
    return spec.replace(plan_overrides(spec, plan, rec["budget"], rec["horizon"], rec["cost_per_step"], rec["n"]))


def _plan_moves(page: Page, spec, rec: dict, plans: pd.DataFrame, replicates: int, what: str) -> None:
    """The best plan against the runner-up, each uncertain parameter 20 % down and up in both, paired runs."""
    best, second = (_plan_spec(spec, rec, plans.iloc[i]) for i in (0, 1))
    # the best's lead: more adopters, or a lower cost per adopter, than the runner-up (> 0: the best ahead)
    lead = (sensitivity.difference(second, best, "final_adopters") if rec["objective"] == "adopters" else
            sensitivity.difference(best, second, "cost_per_adopter"))
    keys = [k for k in sensitivity.uncertain_keys(spec) if all(sensitivity.can_move(x, k) for x in (best, second))]
    diff, rows = sensitivity.sensitivity_runs(spec, replicates=replicates, measure=lead, keys=keys)
    m, lo, hi = mean_ci(diff)
    behind = [f"{r[0]} {'−' if i == 0 else '+'}20 %" for r in rows for i, x in enumerate(r[4:6]) if x <= 0]
    page.sensitivity += (f" Does the best stay ahead when the world is not as assumed? Each uncertain parameter "
                         f"moved 20 % down and up, one at a time, in both plans ({replicates} paired runs each "
                         f"on the plans' seeds). The best plan's lead over the runner-up in {what} (above 0: the "
                         f"best ahead), against {num(m)} (95 % CI {num(lo)} to {num(hi)}) as assumed over these "
                         f"{replicates} runs: "
                         + (f"the runner-up draws level or ahead at {listed(behind)}." if behind else
                            "the best stays ahead at every move.")
                         if rows else "")
    page.sensitivity_table = sensitivity.table(rows, m, "lead", percent=False)
