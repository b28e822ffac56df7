"""Scenario discovery on a stored sweep: where in the varied parameters does a condition hold?

The runs table of a stored sweep (``runs.parquet``) gives one row per run: the
varied parameters (the *inputs*, read from the sweep's design) and every
metric. ``--where EXPR`` marks the runs of interest (a true/false expression
over the table's columns, pandas syntax: ``final_fraction >= 0.5``; names with
dots in backquotes, ``\\`wom.q\\` > 0.3``). Then:

- **PRIM** (Friedman & Fisher 1999), EMA Workbench's implementation (Kwakkel
  2017): peeling with alpha 0.05 down to a minimum mass of 5 % of the runs,
  then pasting; each step of the peeling trajectory is a box with its
  *coverage* (the share of the runs of interest inside it) and *density* (the
  share of the runs inside it that are of interest). The box reported is the
  densest one whose coverage is at least ``min_coverage`` (default 0.5); its
  restricted parameters come with their limits and quasi-p-values (a binomial
  test of the restriction).
- **Feature scoring**: the extra-trees importance of each input for the
  condition (EMA's ``get_ex_feature_scores``, 100 trees, a fixed seed).

References
----------
Friedman, J. H. & Fisher, N. I. (1999). Bump hunting in high-dimensional data.
Statistics and Computing 9, 123–143.
Bryant, B. P. & Lempert, R. J. (2010). Thinking inside the box: a participatory,
computer-assisted approach to scenario discovery. Technological Forecasting and
Social Change 77(1), 34–49.
Kwakkel, J. H. (2017). The Exploratory Modeling Workbench. Environmental
Modelling & Software 96, 239–250.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ConfigError

__all__ = ["Discovery", "discover", "find_box", "read_sweep", "PEEL_ALPHA", "MASS_MIN", "KIND"]

PEEL_ALPHA = 0.05
MASS_MIN = 0.05


def _ema():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import feature_scoring, prim
    except ImportError:
        raise ConfigError("discover", "needs EMA Workbench: pip install 'bouche[discover]'") from None
    return prim, feature_scoring


def read_sweep(folder) -> tuple[pd.DataFrame, list[str], dict]:
    """The completed runs of a stored sweep, its varied parameters and its spec; ConfigError for anything else."""
    from sim.experiments.store import KIND
    from sim.outputs import read_marker

    folder = Path(folder)
    marker = read_marker(folder) if folder.is_dir() else None
    if not marker or marker.get("bouche") != KIND or not (folder / "runs.parquet").is_file():
        raise ConfigError("SWEEP_DIR", f"must be a folder stored by bouche sweep (with runs.parquet); got "
                                       f"{str(folder)!r}")
    spec = json.loads((folder / "spec.json").read_text())
    runs = pd.read_parquet(folder / "runs.parquet")
    runs = runs[runs["status"] == "ok"].reset_index(drop=True)
    varied = [k.strip() for key in spec.get("design", {}).get("vary", {}) for k in key.split(",")]
    varied = [k for k in varied if k in runs and runs[k].nunique(dropna=False) > 1]
    if not varied:
        raise ConfigError("SWEEP_DIR", f"must hold a sweep that varies at least one parameter; got none varied "
                                       f"in {str(folder)!r}")
    return runs, varied, spec


def _where(runs: pd.DataFrame, expr: str) -> np.ndarray:
    shown = ", ".join(c for c in runs.columns if runs[c].dtype.kind in "fiub")[:300]
    try:
        y = runs.eval(expr, engine="python")
    except Exception as exc:  # a user's expression: any failure is bad input
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError("--where", f"must be a true/false expression over the runs' columns ({shown}); got "
                                     f"{expr!r} ({reason})") from None
    if not isinstance(y, pd.Series) or y.dtype != bool:
        raise ConfigError("--where", f"must be true or false for each run (e.g. final_fraction >= 0.5); got "
                                     f"{expr!r}, which gives {getattr(y, 'dtype', type(y).__name__)}")
    y = y.to_numpy()
    if y.all() or not y.any():
        raise ConfigError("--where", f"must hold for some runs and not others; got {expr!r}, true for "
                                     f"{int(y.sum())} of {len(y)} runs")
    return y


@dataclass
class Discovery:
    """The PRIM trajectory, the box chosen, its limits, and the feature scores."""

    where: str
    inputs: list
    n_runs: int
    n_true: int
    trajectory: pd.DataFrame
    chosen: int
    limits: pd.DataFrame  # parameter, low, high, full_low, full_high, restricted, qp
    features: pd.DataFrame  # parameter, score
    info: dict = field(default_factory=dict)

    @property
    def box(self) -> dict:
        return self.trajectory.iloc[self.chosen].to_dict()

    def record(self) -> dict:
        row = self.box
        return _clean({"where": self.where, "inputs": self.inputs, "runs": self.n_runs, "of_interest": self.n_true,
                       "base_density": self.n_true / self.n_runs, "chosen": self.chosen,
                       "box": {"coverage": row["coverage"], "density": row["density"], "mass": row["mass"],
                               "restricted": self.limits[self.limits["restricted"]].to_dict("records")},
                       "features": dict(zip(self.features["parameter"], self.features["score"])), **self.info})

    def write(self, out, plots: bool = True, command: str | None = None) -> Path:
        from sim.outputs import atomic_folder
        from sim.runs import versions

        with atomic_folder(out, kind=KIND) as tmp:
            (tmp / "discover.json").write_text(json.dumps({**self.record(), "command": command,
                                                           "versions": versions()}, indent=2) + "\n")
            self.trajectory.to_csv(tmp / "trajectory.csv", index=False)
            self.limits.to_csv(tmp / "box.csv", index=False)
            self.features.to_csv(tmp / "features.csv", index=False)
            if plots:
                self.figure(tmp / "discover.png")
        return Path(out)

    def figure(self, path) -> Path:
        """The coverage–density trade-off of the peeling trajectory, and the feature scores."""
        from matplotlib import colormaps

        from sim.figures.canvas import subplots

        fig, (ax1, ax2) = subplots(1, 2, figsize=(11.5, 4.5), constrained_layout=True,
                                       gridspec_kw={"width_ratios": [1.2, 1]})
        t = self.trajectory
        top = int(t["res_dim"].max())
        sc = ax1.scatter(t["coverage"], t["density"], c=t["res_dim"], s=22, zorder=3, vmin=-0.5, vmax=top + 0.5,
                         cmap=colormaps["viridis"].resampled(top + 1))
        ax1.plot(t["coverage"], t["density"], color="#bbbbbb", lw=0.8, zorder=2)
        b = self.box
        ax1.scatter([b["coverage"]], [b["density"]], s=160, facecolors="none", edgecolors="#d7191c", lw=2,
                    zorder=4, label=f"box {self.chosen}: coverage {b['coverage']:.2f}, density {b['density']:.2f}")
        ax1.axhline(self.n_true / self.n_runs, color="#999999", lw=0.8, ls=":", label="share of all runs")
        fig.colorbar(sc, ax=ax1, label="restricted parameters", ticks=range(top + 1))
        ax1.set(xlabel="coverage (share of the runs of interest inside the box)",
                ylabel="density (share of the box's runs of interest)", title="PRIM peeling trajectory")
        ax1.legend(frameon=False, fontsize=8, loc="lower left")
        f = self.features.iloc[::-1]
        ax2.barh(np.arange(len(f)), f["score"], color="#2b83ba")
        ax2.set_yticks(np.arange(len(f)), f["parameter"], fontsize=8.5)
        ax2.set(xlabel="extra-trees importance", title="Feature scores")
        lines = [_restriction(r) for r in self.limits.itertuples() if r.restricted]
        fig.suptitle(f"Where {self.where}  ({self.n_true} of {self.n_runs} runs): "
                     + ("; ".join(lines) or "no restriction"), fontsize=9.5)
        path = Path(path)
        fig.savefig(path, dpi=110)
        return path

    def describe(self, file=None) -> None:
        b = self.box
        print(f"where {self.where}: {self.n_true} of {self.n_runs} runs ({self.n_true / self.n_runs:.0%})", file=file)
        print(f"  PRIM box {self.chosen} of {len(self.trajectory)}: coverage {b['coverage']:.2f}, density "
              f"{b['density']:.2f}, mass {b['mass']:.2f}", file=file)
        for r in self.limits.itertuples():
            if r.restricted:
                print(f"    {_restriction(r):<44} (of {_fmt(r.full_low)} to {_fmt(r.full_high)}; quasi-p "
                      f"{_fmt(r.qp)})", file=file)
        print("  feature scores: " + ", ".join(f"{p} {s:.2f}" for p, s in
                                               zip(self.features["parameter"], self.features["score"])), file=file)


KIND = "discovery folder"


def _restriction(r) -> str:
    """``wom.q in [0.37, 0.8]``; a name's 0/1 column as ``seeding.strategy = top_degree`` (or ``!=``)."""
    if "=" in r.parameter:
        name, value = r.parameter.split("=", 1)
        return f"{name} {'=' if r.low > 0 else '!='} {value}"
    return f"{r.parameter} in [{_fmt(r.low)}, {_fmt(r.high)}]"


def _fmt(v) -> str:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if isinstance(v, (set, frozenset)):
        return "{" + ", ".join(sorted(map(str, v))) + "}"
    return f"{v:.4g}"


def _clean(v):
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if isinstance(v, (set, frozenset)):
        return sorted(map(str, v))
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v) if math.isfinite(float(v)) else None
    return v


def discover(sweep, where: str, min_coverage: float = 0.5, seed: int = 0) -> Discovery:
    """PRIM boxes and feature scores for the runs of a stored sweep where ``where`` holds.

    Parameters
    ----------
    sweep : str or Path
        A folder written by ``bouche sweep``.
    where : str
        A true/false expression over the runs' columns, e.g. ``"final_fraction >= 0.5"``.
    min_coverage : float
        The box reported is the densest of the peeling trajectory with at least this coverage.
    seed : int
        Seed of the extra trees that score the features.
    """
    if not isinstance(min_coverage, (int, float)) or not 0 < min_coverage <= 1:
        raise ConfigError("--min-coverage", f"must be a number in (0, 1]; got {min_coverage!r}")
    runs, inputs, spec = read_sweep(sweep)
    y = _where(runs, where)
    traj, chosen, limits, features = find_box(runs[inputs], y, min_coverage=min_coverage, seed=seed)
    info = {"sweep": str(sweep), "scenario": spec.get("name"), "peel_alpha": PEEL_ALPHA, "mass_min": MASS_MIN,
            "min_coverage": min_coverage, "method": "PRIM (EMA Workbench), lenient1 objective, pasting; "
                                                    "extra-trees feature scores", "seed": seed,
            # what was swept, kept with the answer: its page (bouche report) states it without the sweep
            "sweep_spec": {**{k: spec.get(k) for k in ("name", "title", "description", "scenario", "root_seed",
                                                       "replicates", "n_runs")},
                           "design": {k: v for k, v in (spec.get("design") or {}).items() if k != "points"}}}
    return Discovery(where=where, inputs=inputs, n_runs=len(runs), n_true=int(y.sum()), trajectory=traj,
                     chosen=chosen, limits=limits, features=features, info=info)


def find_box(x: pd.DataFrame, y, min_coverage: float = 0.5, seed: int = 0):
    """PRIM on inputs ``x`` (one column per parameter) and 0/1 outcomes ``y``.

    Returns the peeling trajectory, the index of the box chosen (the densest
    with coverage >= ``min_coverage``), its limits per parameter and the
    feature scores.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = pd.DataFrame(rng.uniform(size=(600, 3)), columns=["a", "b", "c"])
    >>> traj, i, limits, _ = find_box(x, (x.a > 0.6) & (x.b < 0.3))
    >>> limits[limits.restricted].parameter.tolist()
    ['a', 'b']
    """
    y = np.asarray(y, dtype=bool)
    prim, feature_scoring = _ema()
    # EMA Workbench 2.5.3 writes float limits into its box frames, which pandas 3 refuses for int64 and
    # categorical columns: numbers go in as floats, and a parameter of names as one 0/1 column per name
    # ("seeding.strategy=top_degree"), which a box restricts to 1 (that name) or 0 (any other).
    cols = {}
    for c in x.columns:
        if x[c].dtype.kind in "OSUb" or isinstance(x[c].dtype, pd.CategoricalDtype):
            for v in sorted(x[c].astype(str).unique()):
                cols[f"{c}={v}"] = (x[c].astype(str) == v).astype(float)
        else:
            cols[c] = x[c].astype(float)
    x = pd.DataFrame(cols)
    inputs = list(x.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y, threshold=0.5, peel_alpha=PEEL_ALPHA, mass_min=MASS_MIN).find_box()  # y is 0 or 1
        traj = box.peeling_trajectory.reset_index(drop=True)
        ok = traj.index[traj["coverage"] >= min_coverage - 1e-12]
        chosen = int(traj.loc[ok, "density"].idxmax()) if len(ok) else 0
        lims = box.box_lims[chosen]
        stats = box.inspect(chosen, style="data")[0][1]
        fs = feature_scoring.get_ex_feature_scores(x, y, random_state=seed)[0]
    qp = {}
    if len(stats):
        for param in stats.index:
            vals = [v for v in stats.loc[param].iloc[2:].tolist() if isinstance(v, float) and not math.isnan(v)]
            qp[param] = min(vals) if vals else math.nan
    rows = []
    for c in inputs:
        full = box.box_lims[0][c]
        lo, hi, flo, fhi = (float(v) for v in (lims[c].iloc[0], lims[c].iloc[1], full.iloc[0], full.iloc[1]))
        restricted = (lo > flo + 1e-12) or (hi < fhi - 1e-12)
        rows.append({"parameter": c, "low": lo, "high": hi, "full_low": flo, "full_high": fhi,
                     "restricted": bool(restricted), "qp": qp.get(c, math.nan)})
    features = pd.DataFrame({"parameter": list(fs.index), "score": fs.iloc[:, 0].to_numpy()})
    features = features.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    return traj, chosen, pd.DataFrame(rows), features
