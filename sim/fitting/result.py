"""A Bass fit of one adoption series: the estimates of every method, the forecast, the fit folder."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.fitting import bass
from sim.fitting.data import Series, as_series, future_periods
from sim.outputs import atomic_folder

__all__ = ["BassFit", "fit", "KIND"]

KIND = "fit folder"
COLOURS = {"ols": "#7b3294", "nls": "#e66101", "interval": "#2b83ba"}
LABELS = {"ols": "ols (Bass 1969 regression)", "nls": "nls (density at t)",
          "interval": "interval (Srinivasan & Mason 1986)"}


@dataclass
class BassFit:
    """The estimates of every method on one series, and their forecasts (one tidy table)."""

    series: Series
    estimates: dict
    forecast: pd.DataFrame
    horizon: int
    method: str = bass.DEFAULT

    def summary(self) -> dict:
        """The record written to fit.json: one object per method (without the covariance's raw form)."""
        out = {}
        for name, est in self.estimates.items():
            rec = {k: _clean(v) for k, v in est.items() if k not in ("method",)}
            rec["peak_period"] = _clean(self.series.periods[0] + self.series.step * (est["peak_time"] - 0.5))
            out[name] = rec
        return out

    def write(self, out, plots: bool = True, command: str | None = None) -> Path:
        """Write the fit folder atomically: fit.json, forecast.csv and fit.png."""
        from sim.runs import versions

        with atomic_folder(out, kind=KIND) as tmp:
            record = {**self.summary(), "default": self.method,
                      "data": {"source": self.series.source, "column": self.series.column,
                               "periods": [_clean(x) for x in self.series.periods],
                               "sales": [_clean(x) for x in self.series.sales],
                               "time_unit": self.series.time_unit},
                      "horizon": self.horizon, "command": command, "versions": versions()}
            (tmp / "fit.json").write_text(json.dumps(record, indent=2) + "\n")
            self.forecast.to_csv(tmp / "forecast.csv", index=False)
            if plots:
                self.figure(tmp / "fit.png")
        return Path(out)

    def figure(self, path) -> Path:
        """Data, the three fitted curves and the default method's forecast band, in the data's units."""
        from sim.figures.canvas import subplots

        s = self.series
        unit = s.time_unit
        fig, (ax1, ax2) = subplots(1, 2, figsize=(11, 4.3), constrained_layout=True)
        n = len(s.sales)
        ax1.bar(s.periods, s.sales, width=0.8 * s.step, color="#bbbbbb", label=f"data ({s.column})")
        ax2.plot(s.periods, np.cumsum(s.sales), "o", color="#555555", ms=4, label="data")
        order = sorted(self.estimates, key=lambda name: name != self.method)  # the default wide, under the others
        for name in order:
            f = self.forecast[self.forecast["method"] == name]
            ax1.plot(f["period"], f["sales"], color=COLOURS.get(name), lw=3 if name == self.method else 1.4,
                     ls="-" if name == self.method else (0, (4, 2 + 2 * order.index(name))),
                     label=LABELS.get(name, name))
            ax2.plot(f["period"], f["cumulative"], color=COLOURS.get(name), lw=3 if name == self.method else 1.4,
                     ls="-" if name == self.method else (0, (4, 2 + 2 * order.index(name))), label=name)
        f = self.forecast[self.forecast["method"] == self.method]
        ahead = f["t"] > n
        if ahead.any():
            ax1.fill_between(f["period"][ahead], f["low"][ahead], f["high"][ahead], color=COLOURS.get(self.method),
                             alpha=0.2, label="95 % prediction band")
            for ax in (ax1, ax2):
                ax.axvline(s.periods[-1] + s.step / 2, color="#999999", lw=0.8, ls=":")
        est = self.estimates[self.method]
        ax1.set(xlabel=unit, ylabel=f"{s.column} per {unit}",
                title=f"New adoptions per {unit}: fitted and forecast")
        ax2.set(xlabel=unit, ylabel=f"cumulative {s.column}", title="Cumulative adoptions")
        from matplotlib.ticker import MaxNLocator

        for ax in (ax1, ax2):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax1.legend(frameon=False, fontsize=8, loc="upper left")
        ax2.legend(frameon=False, fontsize=8, loc="upper left")
        fig.suptitle(f"Bass model fitted to {Path(s.source).name} ({self.method}): market m = {est['m']:,.0f} "
                     f"(95 % CI {est['m_low']:,.0f} to {est['m_high']:,.0f}),\np = {est['p']:.4f} ± "
                     f"{est['se_p']:.4f}, q = {est['q']:.3f} ± {est['se_q']:.3f}; peak {est['peak_time']:.1f} "
                     f"{unit}s after launch", fontsize=9.5)
        path = Path(path)
        fig.savefig(path, dpi=110)
        return path

    def describe(self, file=None) -> None:
        """Print the estimates of every method as a table."""
        unit = self.series.time_unit
        print(f"Bass model fitted to {self.series.source} ({len(self.series.sales)} {unit}s of "
              f"{self.series.column})", file=file)
        print(f"  {'method':<9} {'m':>22} {'p':>20} {'q':>18}   peak ({unit}s after launch, size)", file=file)
        for name, e in self.estimates.items():
            mark = " *" if name == self.method else ""
            print(f"  {name + mark:<9} {e['m']:>12,.6g} ± {e['se_m']:<8.3g} {e['p']:>9.5f} ± {e['se_p']:<8.2g} "
                  f"{e['q']:>7.4f} ± {e['se_q']:<8.2g} {e['peak_time']:6.2f}, {e['peak_sales']:,.4g}", file=file)
        print("  (± one standard error; * the default, whose forecast band fit.png draws)", file=file)


def _clean(v):
    if isinstance(v, (np.floating, float)):
        return None if not math.isfinite(float(v)) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


def fit(data, column: str | None = None, cumulative: bool = False, horizon: int = 5,
        methods=bass.METHODS, time_unit: str | None = None, method: str = bass.DEFAULT) -> BassFit:
    """Fit the Bass model to an adoption series by every method, and forecast ``horizon`` periods.

    Parameters
    ----------
    data : str, Path or array_like
        A CSV file (see :mod:`sim.fitting.data`), the name of a shipped series
        (``"room_air_conditioners"``), or the new adoptions themselves.
    column, cumulative, time_unit
        How to read the file: the adoptions column, whether it counts
        cumulative adoptions, the unit of a period (default: the period
        column's name, e.g. ``year``).
    horizon : int
        Periods to forecast after the data.
    methods : iterable of {"ols", "nls", "interval"}
    method : str
        The default method (drawn solid, with its band).
    """
    series = as_series(data, column=column, cumulative=cumulative, time_unit=time_unit)
    if not isinstance(horizon, int) or horizon < 0:
        raise ConfigError("--horizon", f"must be an integer >= 0; got {horizon!r}")
    methods = tuple(methods)
    for name in (*methods, method):
        if name not in bass.METHODS:
            raise ConfigError("--method", f"must be one of {', '.join(bass.METHODS)}; got {name!r}")
    if method not in methods:
        methods = (*methods, method)
    estimates = bass.fit_bass(series.sales, methods)
    if not all(np.isfinite(estimates[m]["m"]) for m in methods):
        failed = [m for m in methods if not np.isfinite(estimates[m]["m"])]
        print(f"bouche: {', '.join(failed)} found no Bass curve in these data (a series that never "
              f"slows down has no finite m); its rows are empty")
    labels = future_periods(series, horizon)
    n = len(series.sales)
    rows = []
    for name, est in estimates.items():
        if not np.isfinite(est["m"]):
            continue
        fc = bass.forecast(est, n, horizon)
        rows.append(pd.DataFrame({"method": name, "period": labels, "t": fc["t"],
                                  "observed": np.concatenate([series.sales, np.full(horizon, np.nan)]),
                                  "sales": fc["sales"], "low": fc["low"], "high": fc["high"],
                                  "cumulative": fc["cumulative"]}))
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["method", "period", "t", "observed", "sales", "low", "high", "cumulative"])
    return BassFit(series=series, estimates=estimates, forecast=table, horizon=horizon, method=method)



