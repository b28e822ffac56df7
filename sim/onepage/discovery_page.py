"""The page of a discovery folder (``bouche discover``): where in the swept worlds a condition holds.

The answer gives the PRIM box's restrictions, its density and coverage with
Wilson 95 % intervals and the most important parameters; how much it moves is
the coverage–density trade-off along the peeling trajectory and the feature
scores. The sweep's scenario and design come from the folder (or, for a folder
written before it kept them, from the sweep itself when it is still there).
"""

from __future__ import annotations

import json
import math
import shlex
from pathlib import Path

import pandas as pd

from sim import config
from sim.errors import ConfigError
from sim.onepage.kinds import assumptions, read_record
from sim.onepage.page import Page
from sim.onepage.words import listed, num, plural, share, value

__all__ = ["discovery_page", "TRADE_OFF_ROWS"]

TRADE_OFF_ROWS = 8  # boxes of a PRIM trajectory listed on a discovery page


def discovery_page(folder: Path) -> Page:
    """A discovery folder: the PRIM box with its coverage and density (95 % intervals), what it restricts,
    the coverage–density trade-off along the peeling trajectory and the feature scores."""
    rec = read_record(folder, "discover.json")
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
                question=(f"In which of the worlds swept (varying {listed(rec['inputs'])}) does {where} hold, and "
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
