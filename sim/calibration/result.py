"""Calibrating a scenario to an adoption series (:func:`calibrate`) and the calibration folder."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim import config
from sim.calibration.search import (
    SCALES,
    SEARCHES,
    UNCERTAINTIES,
    Objective,
    bootstrap,
    check_free,
    parse_free,
    search,
    uncertainty,
)
from sim.calibration.toml import scenario_toml
from sim.errors import ConfigError
from sim.fitting.data import Series, as_series, future_periods
from sim.outputs import atomic_folder

__all__ = ["Calibration", "calibrate", "KIND"]

KIND = "calibration folder"


@dataclass
class Calibration:
    """The calibrated parameters with their uncertainty, the fitted runs and the calibrated scenario."""

    series: Series
    scenario: config.Scenario
    estimates: dict
    scale: dict
    runs: np.ndarray  # replicates × (periods + horizon), new adopters per period in the data's units
    horizon: int
    info: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """Per period: the data, the replicates' mean and their 2.5–97.5 % band (the data's units)."""
        n = len(self.series.sales)
        k = self.runs.shape[1]
        cum = np.cumsum(self.runs, axis=1)
        return pd.DataFrame({
            "period": future_periods(self.series, k - n), "t": np.arange(1, k + 1),
            "observed": np.concatenate([self.series.sales, np.full(k - n, np.nan)]),
            "mean": self.runs.mean(0), "low": np.quantile(self.runs, 0.025, axis=0),
            "high": np.quantile(self.runs, 0.975, axis=0), "cumulative_mean": cum.mean(0),
            "cumulative_low": np.quantile(cum, 0.025, axis=0), "cumulative_high": np.quantile(cum, 0.975, axis=0)})

    def record(self) -> dict:
        s = self.series
        return {"estimates": self.estimates, "scale": self.scale, **self.info,
                "data": {"source": s.source, "column": s.column, "time_unit": s.time_unit,
                         "periods": [float(x) for x in s.periods], "sales": [float(x) for x in s.sales]},
                "horizon": self.horizon}

    def write(self, out, plots: bool = True, command: str | None = None) -> Path:
        """Write the calibration folder atomically: calibration.json, scenario.toml, fitted.csv, calibration.png."""
        from sim.runs import versions

        with atomic_folder(out, kind=KIND) as tmp:
            rec = {**self.record(), "command": command, "versions": versions()}
            (tmp / "calibration.json").write_text(json.dumps(rec, indent=2, default=_json) + "\n")
            head = "Calibrated by bouche calibrate to " + Path(self.series.source).name + ": " + ", ".join(
                f"{k} = {e['value']:.4g} ± {e['se']:.2g}" for k, e in self.estimates.items())
            (tmp / "scenario.toml").write_text(scenario_toml(self.scenario, header=head), encoding="utf-8")
            self.table().to_csv(tmp / "fitted.csv", index=False)
            if plots:
                self.figure(tmp / "calibration.png")
        return Path(out)

    def figure(self, path) -> Path:
        """The data over the calibrated runs (mean and 95 % band of the replicates), with the forecast."""
        from sim.figures.canvas import subplots

        s, tab = self.series, self.table()
        unit = s.time_unit
        fig, (ax1, ax2) = subplots(1, 2, figsize=(11, 4.3), constrained_layout=True)
        for ax, col, obs in ((ax1, "", s.sales), (ax2, "cumulative_", np.cumsum(s.sales))):
            for row in self.runs if col == "" else np.cumsum(self.runs, axis=1):
                ax.plot(tab["period"], row, color="#2b83ba", lw=0.5, alpha=0.25)
            ax.fill_between(tab["period"], tab[col + "low"], tab[col + "high"], color="#2b83ba", alpha=0.18,
                            label=f"95 % of {len(self.runs)} replicates")
            ax.plot(tab["period"], tab[col + "mean"], color="#2b83ba", lw=2.4, label="calibrated model (mean)")
            ax.plot(s.periods, obs, "o", color="#333333", ms=4.5, label=f"data ({s.column})")
            if self.horizon:
                ax.axvline(s.periods[-1] + s.step / 2, color="#999999", lw=0.8, ls=":")
                ax.text(s.periods[-1] + s.step * 0.6, ax.get_ylim()[1] * 0.5, "forecast", fontsize=8,
                        va="center", color="#666666")
        ax1.set(xlabel=unit, ylabel=f"{s.column} per {unit}", title=f"New adoptions per {unit}")
        ax2.set(xlabel=unit, ylabel=f"cumulative {s.column}", title="Cumulative adoptions")
        ax1.legend(frameon=False, fontsize=8, loc="upper left")
        est = ", ".join(f"{k} = {e['value']:.4g} ± {e['se']:.2g}" for k, e in self.estimates.items())
        fig.suptitle(f"{self.scenario.name} calibrated to {Path(s.source).name}: {est} (± one standard error);"
                     f"\n{self.scale['text']}", fontsize=9.5)
        path = Path(path)
        fig.savefig(path, dpi=110)
        return path

    def describe(self, file=None) -> None:
        s = self.series
        print(f"{self.scenario.name} calibrated to {s.source} ({len(s.sales)} {s.time_unit}s of {s.column}; "
              f"{self.info['replicates']} replicates with common random numbers, {self.info['evaluations']} "
              f"candidate runs (bootstrap included), {self.info['search']} search, {self.info['seconds']:.1f} s)",
              file=file)
        for k, e in self.estimates.items():
            print(f"  {k:<24} {e['value']:>10.4g} ± {e['se']:<9.2g} 95 % CI {e['low']:.4g} to {e['high']:.4g}"
                  f"   (searched {e['range'][0]:g} to {e['range'][1]:g})", file=file)
        print(f"  {self.scale['text']}; residual sd {self.info['residual_sd']:.4g} per {s.time_unit}", file=file)


def _json(v):
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    raise TypeError(type(v).__name__)


def _num(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def calibrate(data, scenario, free, replicates: int = 8, seed: int | None = None, overrides: dict | None = None,
              scale: str = "fit", method: str = "grid", grid: int = 5, horizon: int = 5, column: str | None = None,
              cumulative: bool = False, time_unit: str | None = None, graph=None, maxiter: int = 200,
              errors: str = "bootstrap", n_boot: int = 30) -> Calibration:
    """Fit a scenario's free parameters to an adoption series by simulation with common random numbers.

    Parameters
    ----------
    data : str, Path or array_like
        New adoptions per period: a CSV file as ``bouche fit`` reads it
        (:mod:`sim.fitting.data`), a shipped series, or the numbers themselves.
    scenario : str, Path, dict or sim.config.Scenario
        The agent model; one period of the data is one step.
    free : list of str or Free
        The parameters to fit with their ranges: ``["media.p=0.005:0.1", "wom.q=0.1:0.8"]``.
    replicates : int
        Replicates per candidate; every candidate runs the same seeds (from ``seed``).
    scale : {"fit", "bass"}
        ``fit`` (default): people in the data per simulated person, fitted by least
        squares with the parameters; ``bass``: fixed at m / n, with m the Bass
        market potential ``sim.fit`` estimates from the data (interval method).
    method : {"grid", "nelder-mead", "de"}
        The search (:mod:`sim.calibration.search`).
    horizon : int
        Periods forecast after the data.
    errors : {"bootstrap", "gauss-newton"}
        How the uncertainty is measured: ``bootstrap`` (default) refits
        ``n_boot`` data sets drawn from the calibrated model and keeps, per
        parameter, the wider of its standard error and Gauss–Newton's;
        ``gauss-newton`` is the nonlinear least squares formula alone (fast,
        but too narrow when the model is right: see docs/calibrate.md).

    Returns
    -------
    Calibration
        ``.estimates`` (per free key: value, se, 95 % CI), ``.runs``, ``.scenario``
        (calibrated), ``.write(folder)``.

    Examples
    --------
    >>> from sim.batch import run_replicates
    >>> ov = {"network.kind": "ring", "network.n": 300, "network.k": 6}
    >>> truth = run_replicates("bass", [11], overrides={**ov, "run.steps": 10})[0][0]
    >>> c = calibrate(truth["new_adopters"][1:11].to_numpy(), "bass", ["wom.q=0.1:0.8"], replicates=2,
    ...               overrides=ov, grid=3, horizon=0, errors="gauss-newton")
    >>> 0.1 <= c.estimates["wom.q"]["value"] <= 0.8
    True
    """
    started = time.perf_counter()
    series = as_series(data, column=column, cumulative=cumulative, time_unit=time_unit)
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 2:
        raise ConfigError("--replicates", f"must be an integer >= 2 (a band needs two runs); got {replicates!r}")
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 0:
        raise ConfigError("--horizon", f"must be an integer >= 0; got {horizon!r}")
    if isinstance(grid, bool) or not isinstance(grid, int) or grid < 2:
        raise ConfigError("--grid", f"must be an integer >= 2; got {grid!r}")
    if scale not in SCALES:
        raise ConfigError("--scale", f"must be one of {', '.join(SCALES)}; got {scale!r}")
    if method not in SEARCHES:
        raise ConfigError("--search", f"must be one of {', '.join(SEARCHES)}; got {method!r}")
    if errors not in UNCERTAINTIES:
        raise ConfigError("--errors", f"must be one of {', '.join(UNCERTAINTIES)}; got {errors!r}")
    if errors == "bootstrap" and (isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 2):
        raise ConfigError("--bootstrap", f"must be an integer >= 2; got {n_boot!r}")
    spec = config.load(scenario, overrides=overrides, seed=seed)
    free = [parse_free(f) for f in (free or [])]
    check_free(spec, free)
    if spec.model != "adoption":
        raise ConfigError("scenario", f"must be an adoption scenario (new adopters per step); got model {spec.model!r}")
    market = None
    if scale == "bass":
        from sim.fitting import fit

        m = fit(series.sales, horizon=0).estimates["interval"]["m"]
        if not math.isfinite(m):
            raise ConfigError("--scale", "bass needs a Bass market size m, and the data give none (a series that "
                                         "never slows down); use --scale fit")
        market = m
    from sim.compare import replicate_seeds

    seeds = replicate_seeds(spec.seed, replicates)
    obj = Objective(spec, free, series.sales, seeds, scale=scale, market=market, graph=graph)
    best = search(obj, method=method, grid=grid, seed=spec.seed, maxiter=maxiter)
    unc = uncertainty(obj, best)
    k = len(free)
    se_all, t975 = unc["se"], np.full(len(unc["se"]), unc["t975"])
    if errors == "bootstrap":
        from scipy import stats

        boot = bootstrap(obj, best, n_boot, spec.seed, grid=grid, maxiter=maxiter).std(axis=0, ddof=1)
        # the wider of the two: the bootstrap holds the model's own noise, correlated in time; Gauss-Newton
        # the misfit of these data, which runs of the model do not reproduce when the model is not the truth
        wider = ~(boot < unc["se"])  # NaN in Gauss-Newton: the bootstrap
        se_all = np.where(wider, boot, unc["se"])
        t975 = np.where(wider, float(stats.t.ppf(0.975, n_boot - 1)), unc["t975"])
    estimates = {}
    for i, f in enumerate(free):
        v, se = f.value(best[i]), se_all[i]
        estimates[f.key] = {"value": v, "se": _num(se), "low": _num(v - t975[i] * se),
                            "high": _num(v + t975[i] * se), "se_gauss_newton": _num(unc["se"][i]),
                            "se_bootstrap": _num(boot[i]) if errors == "bootstrap" else None,
                            "range": [f.low, f.high], "at_bound": bool(best[i] <= 1e-3 or best[i] >= 1 - 1e-3)}
    s = unc["scale"]
    n = obj.n
    if scale == "fit":
        se_s = se_all[k]
        text = (f"market scale fitted: one simulated person = {s:.4g} ± {se_s:.2g} in the data "
                f"(market {s * n:,.0f} of {n:,} simulated people)")
    else:
        se_s = 0.0
        text = f"market scale fixed by the Bass fit: m = {market:,.0f}, one simulated person = {s:.4g} in the data"
    steps = len(series.sales) + horizon
    runs = s * obj.runs(best, steps=steps)
    resid = series.sales - s * obj.curve(best)
    calibrated = spec.replace({**obj.overrides(best), "run.steps": steps, "run.time_unit": series.time_unit})
    info = {"scenario": spec.name, "replicates": replicates, "seeds": seeds, "root_seed": spec.seed,
            "search": method, "grid": grid if method == "grid" else None, "evaluations": obj.evaluations,
            "loss": float(resid @ resid), "residual_sd": unc["sigma"], "dof": unc["dof"],
            "errors": errors, "bootstrap": n_boot if errors == "bootstrap" else None,
            "uncertainty": (f"the wider of a parametric bootstrap (sd of {n_boot} refits of data sets drawn from "
                            "the calibrated model; CI = value ± t(0.975, B-1) sd) and Gauss-Newton, per parameter"
                            if errors == "bootstrap" else
                            "Gauss-Newton (nonlinear least squares): cov = s^2 (J'J)^-1, J by central differences "
                            "of 2 % of each range; CI = value ± t(0.975, T-k) se"),
            "seconds": time.perf_counter() - started, "free": [f.key for f in free]}
    scale_rec = {"kind": scale, "value": s, "se": _num(se_s), "market": s * n, "n": n, "text": text}
    return Calibration(series=series, scenario=calibrated, estimates=estimates, scale=scale_rec, runs=runs,
                       horizon=horizon, info=info)
