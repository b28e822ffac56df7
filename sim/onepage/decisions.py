"""Pages of the folders that go from data to a decision: calibration, optimize and discovery folders.

Each reads what its command wrote (``calibration.json``, ``optimize.json``,
``discover.json`` and their tables) and says it for a strategist: the question,
the answer with its interval, the assumptions with their units, the figure the
command drew, and how much the answer moves. Two of them rerun a little: a
calibration page sets each calibrated parameter to the ends of its 95 %
interval and reruns the forecast; an optimize page reruns the best plan
against the runner-up with each uncertain parameter 20 % down and up, both on
common random numbers (:mod:`sim.onepage.sensitivity`).
"""

from __future__ import annotations

import json
import math
import shlex
from pathlib import Path

import pandas as pd

from sim import config
from sim.errors import ConfigError
from sim.onepage import sensitivity
from sim.onepage.kinds import assumptions, changed_values
from sim.onepage.page import Page
from sim.onepage.words import mean_ci, num, period, plural, share, time_unit, value

__all__ = ["calibration_page", "optimize_page", "discovery_page", "meaning"]

TOP_PLANS = 8  # plans listed on an optimize page
TRADE_OFF_ROWS = 8  # boxes of a PRIM trajectory listed on a discovery page


def meaning(key: str) -> str:
    """A parameter's meaning from the registries (``media.tv.p`` reads as ``media.p``).

    Examples
    --------
    >>> meaning("wom.q").startswith("imitation")
    True
    """
    if key.startswith("media."):
        param = config.MEDIUM_PARAMS.get("media." + key.split(".")[-1])
    else:
        param = config.PARAMS.get(key)
    return param.help if param is not None else key


def _read(folder: Path, name: str) -> dict:
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError("FOLDER", f"must hold a readable {name}; got {str(folder)!r} "
                                    f"({type(exc).__name__})") from None


def _and(words: list[str]) -> str:
    """``a, b and c``."""
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def _steps(spec, steps) -> str:
    """``12 months`` for 12 steps of a scenario whose run.time_unit is a month."""
    return plural(time_unit(spec), steps * spec.values.get("run.dt", 1.0))


def calibration_page(folder: Path, replicates: int | None = None) -> Page:
    """A calibration folder: the calibrated parameters with their 95 % intervals, the fit and the forecast;
    the forecast rerun with each parameter at the ends of its interval (``replicates`` runs each, by default
    as many as the calibration's, on its seeds; 0: none)."""
    rec = _read(folder, "calibration.json")
    data, est, scale = rec["data"], rec["estimates"], rec["scale"]
    spec = config.load(str(folder / "scenario.toml"))
    unit, column, source = data.get("time_unit") or "period", data["column"], Path(data["source"]).name
    fitted = pd.read_csv(folder / "fitted.csv")
    n_data, horizon = len(data["sales"]), int(rec.get("horizon") or 0)
    last = fitted.iloc[-1]
    parts = [f"{k} = {num(e['value'])} ± {num(e['se'], 2)} (95 % CI {num(e['low'])} to {num(e['high'])})"
             for k, e in est.items()]
    answer = (f"The {rec['scenario']} model reproduces the {n_data} {unit}s of {column} in {source} best with "
              + "; ".join(parts) + f". One simulated person stands for {num(scale['value'])} people in the data "
              f"(a market of {num(scale['market'])}).")
    if horizon:
        nxt = fitted.iloc[n_data]
        answer += (f" Forecast: {num(nxt['mean'])} {column} in {unit} {period(nxt['period'])} (95 % of the runs "
                   f"{num(nxt['low'])} to {num(nxt['high'])}), {num(last['cumulative_mean'])} in all by {unit} "
                   f"{period(last['period'])} ({num(last['cumulative_low'])} to {num(last['cumulative_high'])}).")
    else:
        answer += (f" By {unit} {period(last['period'])} the model gives {num(last['cumulative_mean'])} in all "
                   f"against {num(sum(data['sales']))} observed.")
    edge = [k for k, e in est.items() if e.get("at_bound")]
    if edge:
        answer += f" {', '.join(edge)} lies at the edge of its range: widen --free and calibrate again."
    table = [["parameter", "meaning", "estimate ± standard error", "95 % CI", "range searched"]]
    for k, e in est.items():
        table.append([k, meaning(k), f"{num(e['value'])} ± {num(e['se'], 2)}", f"{num(e['low'])} to {num(e['high'])}",
                      f"{num(e['range'][0])} to {num(e['range'][1])}"])
    reps = rec.get("replicates")
    page = Page(title=f"{rec['scenario']} calibrated to {source}",
                question=(f"Which values of {_and(list(est))} make the {rec['scenario']} model reproduce the "
                          f"{n_data} {unit}s of {column} in {source}, and what comes next?"),
                answer=answer, table=table, figures=[p for p in [folder / "calibration.png"] if p.is_file()],
                assumptions=[("data", f"{n_data} {unit}s of {column} ({unit} {period(data['periods'][0])} to "
                                      f"{period(data['periods'][-1])}), from {data['source']}"),
                             ("fit", f"least squares between the data and the mean of {reps} runs per candidate, "
                                     f"the same seeds for every candidate (common random numbers); "
                                     f"{rec.get('search')} search; one {unit} of the data is one step"),
                             ("free", "; ".join(f"{k} searched from {num(e['range'][0])} to {num(e['range'][1])}"
                                                for k, e in est.items())),
                             ("uncertainty", rec.get("uncertainty", "")),
                             ("scale", scale["text"]),
                             ("forecast", f"{plural(unit, horizon)} after the data; the band is the model's own "
                                          f"randomness at the estimates (95 % of {reps} runs)"),
                             *assumptions(spec)],
                seed=f"{rec.get('root_seed')} (replicate seeds {rec.get('seeds', [])[:3]}…)",
                versions=rec.get("versions", {}), source=str(folder),
                command=rec.get("command") or _calibrate_command(spec, rec, reps))
    page.more = [(f"The fit and the forecast, per {unit} (model: the mean of {reps} runs and 95 % of them; "
                  f"in all: cumulated):", _forecast_table(fitted, n_data, unit, column))]
    replicates = reps if replicates is None else replicates
    if replicates >= 2:
        try:
            _calibration_moves(page, spec, rec, column, f"{unit} {period(last['period'])}", replicates)
        except ConfigError as exc:  # a scenario that cannot be rerun here (a graph given in Python...)
            page.sensitivity = f"The intervals above; no rerun at their ends: {exc}."
    else:
        page.sensitivity = "The intervals above; no rerun at their ends (asked for none)."
    return page


def _calibrate_command(spec, rec: dict, reps) -> str:
    """The command that calibrates again (when the folder was written from Python, which records none)."""
    free = rec["estimates"]
    name, sets = changed_values(spec, spec.source, skip={*free, "run.steps", "run.time_unit"})
    return " ".join(["bouche calibrate", shlex.quote(rec["data"]["source"]), "--scenario",
                     shlex.quote(name or rec["scenario"]), *(f"--free {k}={e['range'][0]:g}:{e['range'][1]:g}"
                                                             for k, e in free.items()),
                     *(f"--set {shlex.quote(kv)}" for kv in sets),
                     f"--replicates {reps} --horizon {rec.get('horizon')} --seed {rec.get('root_seed')}"])


def _forecast_table(fitted: pd.DataFrame, n_data: int, unit: str, column: str) -> list[list[str]]:
    rows = [[unit, f"{column} observed", "model", "95 % of runs", "in all: model", "95 % of runs"]]
    for i, r in fitted.iloc[max(0, n_data - 3):].iterrows():
        rows.append([period(r["period"]) + (" (forecast)" if i >= n_data else ""),
                     num(r["observed"]) if i < n_data else "", num(r["mean"]), f"{num(r['low'])} to {num(r['high'])}",
                     num(r["cumulative_mean"]), f"{num(r['cumulative_low'])} to {num(r['cumulative_high'])}"])
    return rows


def _calibration_moves(page: Page, spec, rec: dict, column: str, when: str, replicates: int) -> None:
    """Rerun the calibrated scenario with each parameter at the ends of its 95 % interval, the others at
    their estimates, the scale held, on the calibration's own replicate seeds."""
    from sim.compare import replicate_seeds

    s = rec["scale"]["value"]
    # an interval may reach past the range searched (p below 0): its end is held at the range, which the
    # scenario accepts (calibrate checked both ends)
    ends = {k: (e["value"], *(min(max(x, e["range"][0]), e["range"][1]) for x in (e["low"], e["high"])))
            for k, e in rec["estimates"].items() if e.get("low") is not None and e.get("high") is not None}
    moves = [(k, sensitivity.set_to(k, lo), sensitivity.set_to(k, hi)) for k, (_, lo, hi) in ends.items()]
    seeds = replicate_seeds(rec["root_seed"], replicates)  # the calibration's own, as many as it ran by default
    base, rows = sensitivity.one_at_a_time(sensitivity.final(spec, "final_adopters", scale=s), moves, seeds)
    m = float(base.mean())
    page.sensitivity = (f"How sure the forecast is: each calibrated parameter set to the low and the high end of "
                        f"its 95 % CI (within the range searched), one at a time, the others at their estimates "
                        f"and the scale held ({replicates} runs each on the calibration's seeds): the uncertainty "
                        f"of the estimates, which the band of the figure (the model's own randomness at the "
                        f"estimates) leaves out. {column.capitalize()} in all by {when}, against {num(m)} at the "
                        f"estimates:")
    page.sensitivity_table = sensitivity.table([[k, *ends[k], a, b] for k, a, b in rows], m, "in all",
                                               low="CI low", high="CI high", value="estimate")


def optimize_page(folder: Path, replicates: int | None = None) -> Page:
    """An optimize folder: the best plan with its 95 % CI and its paired difference from the runner-up, the
    runner-up plans and the response curves; the best against the runner-up with each uncertain parameter
    20 % down and up (``replicates`` paired runs each, by default as many as the plans had, on their seeds;
    0: none)."""
    rec = _read(folder, "optimize.json")
    plans, response = pd.read_csv(folder / "plans.csv"), pd.read_csv(folder / "response.csv")
    recorded = "scenario_spec" in rec
    # the plans ran to the horizon: so does the scenario whose assumptions the page states
    spec = config.load(rec["scenario_spec"] if recorded else rec["scenario"]).replace({"run.steps": rec["horizon"]})
    adopters = rec["objective"] == "adopters"
    what = "adopters" if adopters else "cost per adopter"
    after = _steps(spec, rec["horizon"])
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
            bits.append(f"{c} on air {_steps(spec, int(steps))}")
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
                         + (f"the runner-up draws level or ahead at {_and(behind)}." if behind else
                            "the best stays ahead at every move.")
                         if rows else "")
    page.sensitivity_table = sensitivity.table(rows, m, "lead", percent=False)


def discovery_page(folder: Path) -> Page:
    """A discovery folder: the PRIM box with its coverage and density (95 % intervals), what it restricts,
    the coverage–density trade-off along the peeling trajectory and the feature scores."""
    rec = _read(folder, "discover.json")
    traj = pd.read_csv(folder / "trajectory.csv")
    limits = pd.read_csv(folder / "box.csv")
    features = pd.read_csv(folder / "features.csv")
    sweep = rec.get("sweep_spec") or _sweep_spec(rec.get("sweep"))
    chosen = traj.iloc[int(rec["chosen"])]
    k, n_box, n_true, runs = int(chosen["k"]), int(chosen["n"]), int(rec["of_interest"]), int(rec["runs"])
    d_lo, d_hi = _wilson(k, n_box)
    c_lo, c_hi = _wilson(k, n_true)
    restricted = limits[limits["restricted"]]
    where = rec["where"]
    box_words = " and ".join(_restriction(r) for _, r in restricted.iterrows()) or "all the runs (no restriction)"
    ranked = features.head(3)
    answer = (f"{where} holds in {share(n_true / runs)} of the {num(runs)} runs ({num(n_true)}). Where {box_words}, it "
              f"holds in {share(k / n_box)} of the runs (density; 95 % CI {share(d_lo)} to {share(d_hi)}), and "
              f"these runs hold {share(k / n_true)} of all the runs where it holds (coverage; 95 % CI "
              f"{share(c_lo)} to {share(c_hi)}). What matters most: "
              + ", then ".join(f"{p} (importance {s:.2f})" for p, s in zip(ranked["parameter"], ranked["score"]))
              + ".")
    table = [["parameter", "in the box", "swept", "quasi-p (small: the restriction matters)"]]
    for _, r in restricted.iterrows():
        table.append([r["parameter"].split("=")[0], _restriction(r).split(" ", 1)[1],
                      _swept(r), f"{r['qp']:.2g}" if pd.notna(r["qp"]) else "n/a"])
    scenario = (sweep or {}).get("scenario")
    spec = None
    if isinstance(scenario, dict):
        try:
            spec = config.load(scenario)
        except ConfigError:
            spec = None
    design = (sweep or {}).get("design") or {}
    varied = "; ".join(_range_words(key, rng) for key, rng in (design.get("vary") or {}).items())
    name = (sweep or {}).get("name") or rec.get("scenario")
    page = Page(title=f"Where {where}: {name}",
                question=(f"In which of the worlds swept (varying {_and(rec['inputs'])}) does {where} hold, and "
                          f"which parameters matter most?"),
                answer=answer, table=table, figures=[p for p in [folder / "discover.png"] if p.is_file()],
                assumptions=[("the runs", f"{num(runs)} finished runs of the sweep {rec.get('sweep')} "
                                          f"({design.get('kind', 'design')}" + (
                                              f", {plural('replicate', sweep.get('replicates'))} per point"
                                              if sweep else "") + ")"),
                             ("varied", varied or ", ".join(rec["inputs"])),
                             ("of interest", f"the runs where {where}"),
                             ("method", f"{rec.get('method')}; peeling {share(rec.get('peel_alpha'))} at a time "
                                        f"down to {share(rec.get('mass_min'))} of the runs; the box reported is "
                                        f"the densest with coverage at least {value(rec.get('min_coverage'))}"),
                             ("intervals", "Wilson 95 % intervals of the box's density and coverage, treating the "
                                           "runs as independent draws"),
                             *([("the scenario", "the values below are the sweep's base; the varied ones are "
                                                 "swept")] + assumptions(spec) if spec is not None else [])],
                seed=f"{rec.get('seed', 0)} (feature scores); the sweep's root seed "
                     f"{(sweep or {}).get('root_seed', 'n/a')}",
                versions=rec.get("versions", {}), source=str(folder),
                command=rec.get("command") or f"bouche discover {shlex.quote(str(rec.get('sweep')))} --where "
                                              f"{shlex.quote(where)} --min-coverage {rec.get('min_coverage')}")
    page.sensitivity = (f"The trade-off: a box that takes in more of the runs where {where} (coverage) holds more "
                        f"runs where it does not (density). Along PRIM's peeling trajectory "
                        f"(the box reported is marked):")
    page.sensitivity_table = _trade_off(traj, int(rec["chosen"]))
    page.more = [("Feature scores (extra-trees importance of each parameter for the condition; they sum to 1):",
                  [["parameter", "importance"], *([p, f"{s:.2f}"] for p, s in
                                                  zip(features["parameter"], features["score"]))])]
    return page


def _range_words(key: str, values) -> str:
    """A sweep's ``--vary`` entry in words: a range, a list, or names varied together.

    Examples
    --------
    >>> _range_words("wom.q", "0:0.8"), _range_words("wom.q", "0:1:0.25")
    ('wom.q from 0 to 0.8', 'wom.q from 0 to 1 by 0.25')
    >>> _range_words("a, b", [["none", 0], ["top_degree", 9]])
    'a, b together: (none, 0), (top_degree, 9)'
    """
    if isinstance(values, str) and values.count(":") in (1, 2) and "," not in values:
        parts = values.split(":")
        return f"{key} from {parts[0]} to {parts[1]}" + (f" by {parts[2]}" if len(parts) == 3 else "")
    if isinstance(values, str):
        values = [x.strip() for x in values.split(",")]
    if isinstance(values, (list, tuple)) and values and all(isinstance(v, (list, tuple)) for v in values):
        return f"{key} together: " + ", ".join("(" + ", ".join(value(x) for x in v) + ")" for v in values)
    if isinstance(values, (list, tuple)):
        return f"{key}: " + ", ".join(value(x) for x in values)
    return f"{key}: {values}"


def _sweep_spec(path) -> dict | None:
    """The spec of the sweep a discovery read, when it is still there (folders written before it was kept)."""
    try:
        return json.loads((Path(path) / "spec.json").read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        return None


def _wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson's 95 % interval of a share k / n (NaN for n = 0).

    Examples
    --------
    >>> [round(x, 3) for x in _wilson(35, 37)]
    [0.823, 0.985]
    """
    if n <= 0:
        return math.nan, math.nan
    from scipy import stats

    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def _restriction(r) -> str:
    """``wom.q from 0.319 to 0.798``; a name's 0/1 column as ``seeding.strategy = top_degree`` (or ``≠``)."""
    if "=" in r["parameter"]:
        name, v = r["parameter"].split("=", 1)
        return f"{name} {'=' if r['low'] > 0 else '≠'} {v}"
    return f"{r['parameter']} from {num(r['low'])} to {num(r['high'])}"


def _swept(r) -> str:
    if "=" in r["parameter"]:
        return "several names"
    return f"{num(r['full_low'])} to {num(r['full_high'])}"


def _trade_off(traj: pd.DataFrame, chosen: int) -> list[list[str]]:
    """Up to :data:`TRADE_OFF_ROWS` boxes spread along the trajectory, the first, the last and the chosen."""
    n = len(traj)
    picks = sorted({0, n - 1, chosen, *(round(i * (n - 1) / (TRADE_OFF_ROWS - 2)) for i in range(TRADE_OFF_ROWS - 1))})
    rows = [["box", "coverage", "density", "runs in the box", "restricted parameters"]]
    for i in picks:
        r = traj.iloc[i]
        rows.append([f"{i}" + (" (reported)" if i == chosen else ""), share(r["coverage"]), share(r["density"]),
                     f"{int(r['n'])} ({share(r['mass'])})", str(int(r["res_dim"]))])
    return rows
