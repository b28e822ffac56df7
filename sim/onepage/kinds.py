"""Reading each kind of output folder into a :class:`~sim.onepage.page.Page`.

One function per kind of folder, registered in :data:`sim.onepage.page.PAGES`.
The assumptions come from the scenario's own values and the parameters' help
text (:data:`sim.config.PARAMS`), so any word-of-mouth rule, registered now or
later, is described the same way; the rule's own parameters are the uncertain
ones the built-in sensitivity run moves.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pandas as pd

from sim import config, rules
from sim.errors import ConfigError
from sim.onepage import sensitivity
from sim.onepage.page import Page
from sim.onepage.words import mean_ci, num, period, time_unit, value

__all__ = ["run_page", "comparison_page", "sweep_page", "fit_page", "assumptions", "reproduce_command",
           "changed_values", "meaning", "read_record"]


def _load(record: dict):
    return config.load(record["scenario"])


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


def read_record(folder: Path, name: str) -> dict:
    """The JSON record ``name`` of an output folder; ConfigError (one line) when it cannot be read."""
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError("FOLDER", f"must hold a readable {name}; got {str(folder)!r} "
                                    f"({type(exc).__name__})") from None


def assumptions(spec) -> list[tuple[str, str]]:
    """The scenario in plain words: each parameter it reads, with its meaning and value, units included."""
    v, unit = spec.values, time_unit(spec)
    rows = [("time unit", f"one {unit}; a step lasts {num(v.get('run.dt', 1.0))} {unit}"),
            ("horizon", f"{num(v.get('run.steps'))} steps = {num(v.get('run.steps', 0) * v.get('run.dt', 1.0))} "
                        f"{unit}s at most")]
    if "wom.rule" in v:
        rule = rules.get(v["wom.rule"])
        rows.append(("word of mouth", f"{rule.label or rule.name} ({rule.name} {rule.detail(v)})"))
    for key, param in config.PARAMS.items():
        if key in ("run.time_unit", "run.steps", "run.dt", "wom.rule") or key not in v:
            continue
        if not config.applies(key, spec.model) or (v[key] == param.default and not key.startswith("network.")):
            continue
        if key.startswith("network.") and param.used_by and v.get("network.kind") not in param.used_by.split(", "):
            continue
        if v[key] is None and param.default is None:
            continue
        rows.append((key, f"{param.help}: {value(v[key])}" + (f" per {unit}" if "rate" in param.help else "")))
    for m in spec.media:
        cost = f", {num(m['cost_per_contact'])} per contact" if m.get("cost_per_contact") else ""
        when = f"from step {m['start']}" + (f" to step {m['stop']}" if m.get("stop") is not None else "")
        rows.append((f"medium {m['name']}", f"reaches {num(100 * m['reach'])} % of its audience ({m['target']}) "
                                            f"each step, {when}; a contacted person adopts with probability "
                                            f"{num(m['p'])} per step{cost}"))
    if not spec.media and "media" in config.SECTIONS and config.applies("media", spec.model):
        rows.append(("mass media", "none"))
    return rows


def changed_values(spec, source: str, skip=()) -> tuple[str | None, list[str]]:
    """The scenario file ``spec`` came from (None when it cannot be read any more) and every ``key=value``
    in which ``spec`` differs from it, the keys in ``skip`` left out."""
    try:
        shipped = config.load(source) if source else None
    except Exception:  # noqa: BLE001 - a source moved or edited since: list every value instead
        return None, []
    sets = []
    for key, val in spec.values.items():
        if shipped.values.get(key) != val and key not in skip:
            sets.append(f"{key}={json.dumps(val) if isinstance(val, (list, bool)) else val}")
    return source, sets


def reproduce_command(spec, source: str, seed, verb: str = "run", extra: str = "", flag: str = "--set") -> str:
    """A command that reruns the scenario: the source file and every value that differs from it."""
    name, sets = changed_values(spec, source)
    return " ".join(["bouche", verb, shlex.quote(str(name or "SCENARIO.toml")), *(f"{flag} {kv}" for kv in sets),
                     f"--seed {seed}", extra]).strip()


def run_page(folder: Path, replicates: int = 4) -> Page:
    """A run folder: who adopted, how fast, through which channel; a small sensitivity run around it."""
    record = json.loads((folder / "config.json").read_text())
    summary = json.loads((folder / "summary.json").read_text())
    spec = _load(record)
    unit = time_unit(spec)
    dt = spec.values.get("run.dt", 1.0)
    n = summary.get("final_adopters", 0) / summary["final_fraction"] if summary.get("final_fraction") else None
    channels = summary.get("adopters_by_channel", {})
    split = ", ".join(f"{k.replace('wom', 'word of mouth')} {num(v)}" for k, v in channels.items() if v)
    t50 = summary.get("time_to_50")
    answer = (f"After {num(summary.get('steps_run', 0) * dt)} {unit}s, {num(100 * summary['final_fraction'])} % "
              f"of the {num(n)} people adopted ({num(summary.get('final_adopters'))}: {split or 'none'})")
    answer += f"; half of them by {unit} {num(t50)}." if t50 is not None else "; half were never reached."
    page = Page(title=spec.title or spec.name,
                question=(spec.description.split(".")[0] + ".") if spec.description else
                f"How far and how fast does {spec.name} spread?",
                answer=answer, assumptions=assumptions(spec), source=record.get("source", ""),
                figures=sorted(folder.glob("*.png")), seed=str(record.get("seed")), versions=record.get("versions", {}),
                command=reproduce_command(spec, record.get("source", ""), record.get("seed")))
    if summary.get("total_cost"):
        page.answer += (f" It cost {num(summary['total_cost'])}, {num(summary.get('cost_per_adopter'))} per "
                        f"adopter.")
    if replicates >= 2 and "final_adopters" in summary:
        base, rows = sensitivity.sensitivity_runs(spec, replicates=replicates)
        m, lo, hi = mean_ci(base)
        page.answer += (f" Over {replicates} replicates with other seeds: {num(m)} adopters "
                        f"(95 % CI {num(lo)} to {num(hi)}).")
        page.sensitivity = (f"Each uncertain parameter moved 20 % down and up, one at a time, the others as "
                            f"assumed ({replicates} replicates each, the same seeds: common random numbers). "
                            f"Adopters at the end, against {num(m)} as assumed:")
        page.sensitivity_table = sensitivity.table(rows, m, "adopters")
    else:
        page.sensitivity = "No sensitivity run (asked for none, or the model reports no adopters)."
    return page


def comparison_page(folder: Path, replicates: int | None = None) -> Page:
    """A comparison folder: what the change did, with its paired 95 % CI, arms by name; how much that
    difference moves when the uncertain parameters move in both arms (``replicates`` twins each, by
    default as many as the comparison's, on its seeds; 0: none)."""
    record = json.loads((folder / "comparison.json").read_text())
    spec = _load(record)
    names = record.get("names") or {"base": "as the scenario says", "changed": "with the change"}
    diff = pd.DataFrame(record["differences"]).set_index("metric")
    change = ", ".join(f"{k} = {v}" for k, v in record["change"].items())
    unit = time_unit(spec)
    metric = "final_adopters" if "final_adopters" in diff.index else diff.index[0]
    r = diff.loc[metric]
    reps = record["replicates"]
    answer = (f"{names['changed']} ({change}) against {names['base']}: {metric.replace('_', ' ')} "
              f"{num(r['base_mean'])} → {num(r['changed_mean'])}, a difference of {num(r['difference'])} "
              f"(95 % CI {num(r['ci_low'])} to {num(r['ci_high'])}, {reps} paired runs).")
    table = [["metric", names["base"], names["changed"], "difference", "95 % CI (paired)"]]
    for m in [m for m in ("final_adopters", "final_fraction", "adopters_media", "adopters_wom", "time_to_50",
                          "total_cost", "cost_per_adopter") if m in diff.index]:
        row = diff.loc[m]
        label = m.replace("_", " ") + (f" ({unit}s)" if m.startswith("time") else "")
        table.append([label, num(row["base_mean"]), num(row["changed_mean"]), num(row["difference"]),
                      f"{num(row['ci_low'])} to {num(row['ci_high'])}"])
    ratio = r.get("variance_ratio")
    page = Page(title=f"{spec.title or spec.name}: {names['base']} or {names['changed']}?",
                question=f"What does {names['changed']} ({change}) change, against {names['base']}?",
                answer=answer, table=table, assumptions=assumptions(spec), source=record.get("source", ""),
                figures=sorted(folder.glob("*.png")), seed=f"{spec.seed} (replicate seeds {record['seeds'][:3]}…)",
                versions=record.get("versions", {}),
                sensitivity=(f"The interval is that of the paired difference over {reps} twin runs with common "
                             f"random numbers (the pairing narrowed its variance {num(ratio)}-fold against "
                             f"independent runs)."),
                command=reproduce_command(spec, record.get("source", ""), spec.seed, verb="compare", flag="--base",
                                          extra=" ".join(f"--set {k}={v}" for k, v in record["change"].items())
                                          + f" --replicates {reps}"
                                          + "".join(f" --name {shlex.quote(names[a])}" for a in ("base", "changed"))))
    replicates = reps if replicates is None else replicates
    if replicates >= 2 and metric == "final_adopters":
        try:
            _difference_moves(page, spec, record["change"], names, replicates)
        except ConfigError as exc:  # a scenario that cannot be rerun here (a graph given in Python...)
            page.sensitivity += f" No sensitivity run: {exc}."
    else:
        page.sensitivity += (f" To see how it moves with the uncertain parameters, sweep them: bouche sweep "
                             f"{spec.name} --vary KEY=LO:HI:STEP, then bouche report on the sweep.")
    return page


def _difference_moves(page: Page, base, change: dict, names: dict, replicates: int) -> None:
    """The comparison's sensitivity: each uncertain parameter 20 % down and up in both arms, paired twins."""
    changed = base.replace(change)
    keys = [k for k in dict.fromkeys(sensitivity.uncertain_keys(base) + sensitivity.uncertain_keys(changed))
            if sensitivity.can_move(base, k) and sensitivity.can_move(changed, k)]
    diff, rows = sensitivity.sensitivity_runs(base, replicates=replicates, keys=keys,
                                              measure=sensitivity.difference(base, changed))
    m, lo, hi = mean_ci(diff)
    for row in rows:
        if row[0] in change:
            row[0] += f" (each arm's own: {names['changed']} sets it to {value(change[row[0]])})"
    page.sensitivity += (f" Each uncertain parameter moved 20 % down and up, one at a time, in both arms by the "
                         f"same factor, {replicates} twin runs each on the comparison's seeds. The "
                         f"difference in adopters ({names['changed']} minus {names['base']}), against {num(m)} "
                         f"(95 % CI {num(lo)} to {num(hi)}) as assumed over these {replicates} twins:")
    page.sensitivity_table = sensitivity.table(rows, m, "difference", percent=False)


def sweep_page(folder: Path) -> Page:
    """A stored sweep: the best design point, and how far each varied parameter moves the metric."""
    spec_rec = json.loads((folder / "spec.json").read_text())
    if not (folder / "summary.csv").is_file():
        raise ConfigError("FOLDER", f"must be a finished sweep (with summary.csv); got {str(folder)!r}")
    summary = pd.read_csv(folder / "summary.csv")
    spec = config.load(spec_rec["scenario"])
    varied = [c for c in summary.columns if c not in ("point", "runs", "failed") and not c.endswith(
        ("_mean", "_sd", "_ci95_lo", "_ci95_hi"))]
    metric = next((m for m in (spec_rec.get("indicators") or []) + ["final_fraction", "final_adopters"]
                   if f"{m}_mean" in summary), None)
    if metric is None:
        metric = next(c[:-5] for c in summary.columns if c.endswith("_mean"))
    best = summary.loc[summary[f"{metric}_mean"].idxmax()]
    where = ", ".join(f"{k} = {value(best[k])}" for k in varied)
    answer = (f"The highest {metric.replace('_', ' ')} is {num(best[f'{metric}_mean'])} (95 % CI "
              f"{num(best[f'{metric}_ci95_lo'])} to {num(best[f'{metric}_ci95_hi'])}, {int(best['runs'])} runs) "
              f"at {where}; across all {len(summary)} design points it ranges from "
              f"{num(summary[f'{metric}_mean'].min())} to {num(summary[f'{metric}_mean'].max())}.")
    sens = [["parameter", "values swept", f"{metric.replace('_', ' ')}: lowest mean", "highest mean", "swing"]]
    for k in varied:
        g = summary.groupby(k)[f"{metric}_mean"].mean()
        sens.append([k, f"{value(summary[k].min())} to {value(summary[k].max())} ({summary[k].nunique()} values)",
                     num(g.min()), num(g.max()), num(g.max() - g.min())])
    figures = json.loads((folder / ".figures.json").read_text()) if (folder / ".figures.json").is_file() else []
    return Page(title=spec_rec.get("title") or f"Sweep of {spec_rec['name']}",
                question=(spec_rec.get("description") or "").split(".")[0] + "." if spec_rec.get("description")
                else f"How does {metric.replace('_', ' ')} depend on {', '.join(varied)}?",
                answer=answer, source=str(folder),
                assumptions=[("swept", "; ".join(f"{k}: {value(summary[k].min())} to {value(summary[k].max())}"
                                                 for k in varied) + " (the values below are the base's)"),
                             *assumptions(spec)],
                figures=[folder / f for f in figures if (folder / f).is_file()][:3],
                sensitivity=f"Mean {metric.replace('_', ' ')} by value of each swept parameter (averaged over the "
                            f"others):", sensitivity_table=sens, seed=str(spec_rec.get("root_seed")),
                versions={"bouche": spec_rec.get("engine")},
                command=f"bouche sweep {spec_rec['name']} … --out {folder} (design in {folder}/spec.json)")


def fit_page(folder: Path) -> Page:
    """A fit folder: the market potential with its interval, the peak, the forecast."""
    record = json.loads((folder / "fit.json").read_text())
    method = record.get("default", "interval")
    est = record[method]
    data = record["data"]
    unit = data.get("time_unit") or "period"
    fc = pd.read_csv(folder / "forecast.csv")
    fc = fc[fc["method"] == method]
    ahead = fc[fc["observed"].isna()]
    nxt = ahead.iloc[0] if len(ahead) else None
    answer = (f"The market will hold about {num(est['m'])} adopters in all (95 % CI {num(est['m_low'])} to "
              f"{num(est['m_high'])}); {data['column']} peak about {num(est['peak_time'])} {unit}s after launch "
              f"(around {unit} {period(est.get('peak_period'))}) at {num(est['peak_sales'])} per {unit}.")
    if nxt is not None:
        answer += (f" Next {unit} ({period(nxt['period'])}): {num(nxt['sales'])} (95 % prediction band "
                   f"{num(nxt['low'])} to {num(nxt['high'])}).")
    table = [["method", "m", "p (innovation)", "q (imitation)", f"peak ({unit}s after launch)"]]
    for name in ("ols", "nls", "interval"):
        if name in record and record[name].get("m") is not None:
            e = record[name]
            table.append([name + (" (default)" if name == method else ""),
                          f"{num(e['m'])} ± {num(e['se_m'], 2)}", f"{e['p']:.4f} ± {e['se_p']:.4f}",
                          f"{e['q']:.3f} ± {e['se_q']:.3f}", num(e["peak_time"])])
    ms = [record[k]["m"] for k in ("ols", "nls", "interval") if k in record and record[k].get("m")]
    return Page(title=f"Bass model fitted to {Path(data['source']).name}",
                question="How many will adopt in all, when do sales peak, and what comes next?",
                answer=answer, table=table,
                assumptions=[("data", f"{len(data['sales'])} {unit}s of {data['column']}, {unit} "
                                      f"{period(data['periods'][0])} to {period(data['periods'][-1])}"),
                             ("model", "Bass (1969): every non-adopter adopts at rate p + q × (share adopted) per "
                                       f"{unit}; the market m is fixed; no repeat purchases"),
                             ("estimator", f"{method}: m (F(t) − F(t − 1)) by non-linear least squares "
                                           "(Srinivasan & Mason 1986)" if method == "interval" else method),
                             ("time unit", unit)],
                figures=[folder / "fit.png"] if (folder / "fit.png").is_file() else [],
                sensitivity=(f"The three estimators put the market between {num(min(ms))} and {num(max(ms))}; "
                             f"q's interval ({num(est['q_low'])} to {num(est['q_high'])}) and p's "
                             f"({num(est['p_low'])} to {num(est['p_high'])}) say how sure the timing is."),
                seed="none (no randomness)", versions=record.get("versions", {}), source=data["source"],
                command=record.get("command") or f"bouche fit {shlex.quote(data['source'])}")
