"""The page of a calibration folder (``bouche calibrate``): the calibrated parameters and the forecast.

The answer gives each free parameter with its standard error and 95 % interval,
the market scale and the forecast with the band of the replicates; how much it
moves reruns the calibrated scenario with each parameter at the ends of its
interval, on the calibration's own replicate seeds (common random numbers), so
the value at the estimates is the folder's own forecast.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pandas as pd

from sim import config
from sim.errors import ConfigError
from sim.onepage import sensitivity
from sim.onepage.kinds import assumptions, changed_values, meaning, read_record
from sim.onepage.page import Page
from sim.onepage.words import listed, num, period, plural

__all__ = ["calibration_page"]


def calibration_page(folder: Path, replicates: int | None = None) -> Page:
    """A calibration folder: the calibrated parameters with their 95 % intervals, the fit and the forecast;
    the forecast rerun with each parameter at the ends of its interval (``replicates`` runs each, by default
    as many as the calibration's, on its seeds; 0: none)."""
    rec = read_record(folder, "calibration.json")
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
                question=(f"Which values of {listed(list(est))} make the {rec['scenario']} model reproduce the "
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
