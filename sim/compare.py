"""Paired twin runs: what a change really does, measured with common random numbers.

``compare(scenario, change={...}, replicates=R)`` runs every replicate twice
with the same seed: once as the scenario says (``base``) and once with the
change (``changed``). Each mechanism draws from its own named random stream
(:mod:`sim.streams`), so in the twin every draw except those of the changed
mechanism is identical: the network, the seeds, every person's uniforms for
word of mouth. The paired difference changed - base then isolates the effect
of the change, with far less noise than the difference between independent
runs; the result reports both, with 95 % confidence intervals (t distribution),
and the ratio of their variances.

Replicate r's seed derives from the root seed and r alone (a
:class:`numpy.random.SeedSequence` keyed by ``("replicate", r)``), so asking
for more replicates never changes the earlier ones.

The command ``bouche compare SCENARIO --set KEY=VALUE ...`` is defined here
(``add_arguments`` and ``command``).

References
----------
Law, A. M. (2015). Simulation Modeling and Analysis, 5th ed., §11.2 (common
random numbers). McGraw-Hill.

Examples
--------
>>> c = compare("bass", change={"wom.q": 0.0}, replicates=3, overrides={"network.n": 500, "run.steps": 10})
>>> row = c.difference("final_adopters")
>>> bool(row["mean"] < 0), bool(row["ci_low"] <= row["mean"] <= row["ci_high"])
(True, True)
>>> sorted(c.runs["arm"].unique())
['base', 'changed']
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim import config, outputs
from sim.display import html_table, number
from sim.errors import ConfigError
from sim.outputs import atomic_folder
from sim.streams import stream_key

__all__ = ["Comparison", "compare", "replicate_seeds", "paired_runs", "paired_difference", "unpaired_difference",
           "metrics_of", "add_arguments", "command"]

ARMS = ("base", "changed")
DEFAULT_NAMES = {"base": "as the scenario says", "changed": "with the change"}  # unless named (--name)
SHOWN = ("final_adopters", "final_fraction", "adopters_media", "adopters_wom", "time_to_50", "total_cost",
         "cost_per_adopter", "impressions", "likes", "engagement_rate", "attributed_adoptions")


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """Seed of each replicate, from the root seed and the replicate's number alone.

    Examples
    --------
    >>> replicate_seeds(7, 3)[:2] == replicate_seeds(7, 2)
    True
    """
    key = stream_key("replicate")[0]
    return [int(np.random.SeedSequence(int(root), spawn_key=(key, r)).generate_state(1, np.uint32)[0])
            for r in range(replicates)]


def metrics_of(summary: dict) -> dict:
    """The numeric metrics of a run summary, flat (``adopters_by_channel`` becomes ``adopters_seed`` ...).

    ``None`` (e.g. never reaching 50 %) becomes NaN.

    Examples
    --------
    >>> metrics_of({"final_adopters": 5, "time_to_50": None, "adopters_by_channel": {"wom": 3}, "name": "x"})
    {'final_adopters': 5.0, 'time_to_50': nan, 'adopters_wom': 3.0}
    """
    out = {}
    for key, value in summary.items():
        if isinstance(value, dict):
            prefix = "adopters_" if key == "adopters_by_channel" else f"{key}_"
            out.update({prefix + k: float(v) for k, v in value.items() if isinstance(v, (int, float))})
        elif value is None:
            out[key] = math.nan
        elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            out[key] = float(value)
    return out


def paired_runs(arms: dict, seeds: list[int], progress=None, label: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every arm (name -> scenario) once per seed; same seed, same draws across arms.

    Returns a tidy table of metrics (one row per arm and replicate) and a tidy
    time series (arm, replicate, then every numeric column of the runs' time
    series: step, time, adopters, adopted_fraction, ... for the adoption model).
    ``progress``: a progress bar named ``label`` (None: on a terminal or in a
    notebook, see :mod:`sim.progress`; True or False), or a callable
    ``progress(done, total)`` called after each run.
    """
    from sim import runs
    from sim.progress import progress_bar

    rows, series = [], []
    total, done = len(arms) * len(seeds), 0
    call = progress if callable(progress) else None
    with progress_bar(total, label, show=False if call else progress) as bar:
        for r, seed in enumerate(seeds):
            for arm, spec in arms.items():
                res = runs.run(spec, seed=seed, adoptions=False)
                rows.append({"arm": arm, "replicate": r, "seed": seed, **metrics_of(res.summary)})
                ts = res.timeseries.select_dtypes("number")
                if "time" not in ts:
                    ts = ts.assign(time=ts["step"])
                series.append(ts.assign(arm=arm, replicate=r)[["arm", "replicate", *ts.columns]])
                del res
                done += 1
                bar.update()
                if call:
                    call(done, total)
    return pd.DataFrame(rows), pd.concat(series, ignore_index=True)


def paired_difference(base, changed) -> dict:
    """Mean of the paired differences changed - base, their sd and a 95 % t interval.

    Pairs where either value is NaN are dropped; ``n`` is the number used.

    Examples
    --------
    >>> d = paired_difference([1.0, 2.0, 3.0], [2.0, 3.5, 4.0])
    >>> round(d["mean"], 3), round(d["ci_low"], 3), round(d["ci_high"], 3), d["n"]
    (1.167, 0.45, 1.884, 3)
    """
    a, b = np.asarray(base, dtype=float), np.asarray(changed, dtype=float)
    ok = ~(np.isnan(a) | np.isnan(b))
    d = b[ok] - a[ok]
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    sd = float(d.std(ddof=1)) if n > 1 else math.nan
    half = float(_t975(n - 1) * sd / math.sqrt(n)) if n > 1 else math.nan
    return {"n": n, "mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half}


def unpaired_difference(base, changed) -> dict:
    """Difference of means changed - base as if the runs were independent (Welch's 95 % t interval).

    Examples
    --------
    >>> d = unpaired_difference([1.0, 2.0, 3.0], [2.0, 3.5, 4.0])
    >>> round(d["mean"], 3), round(d["ci_low"], 3)
    (1.167, -1.148)
    """
    a, b = np.asarray(base, dtype=float), np.asarray(changed, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) < 2 or len(b) < 2:
        mean = float(b.mean() - a.mean()) if len(a) and len(b) else math.nan
        return {"mean": mean, "ci_low": math.nan, "ci_high": math.nan}
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        half = 0.0
    else:
        df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
        half = float(_t975(df) * se)
    mean = float(b.mean() - a.mean())
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half}


def differences_table(runs_df: pd.DataFrame, base: str = "base", changed: str = "changed") -> pd.DataFrame:
    """One row per metric: both arms' means, the paired and the unpaired difference, the variance ratio.

    ``variance_ratio`` = (var(base) + var(changed)) / var(changed - base): how
    many times more replicates independent runs would need for the same precision.
    """
    a = runs_df[runs_df["arm"] == base].set_index("replicate").sort_index()
    b = runs_df[runs_df["arm"] == changed].set_index("replicate").sort_index()
    metrics = [c for c in runs_df.columns if c not in ("arm", "replicate", "seed")]
    rows = []
    for m in metrics:
        x, y = a[m].to_numpy(float), b[m].to_numpy(float)
        pd_ = paired_difference(x, y)
        un = unpaired_difference(x, y)
        ok = ~(np.isnan(x) | np.isnan(y))
        num = float(np.var(x[ok], ddof=1) + np.var(y[ok], ddof=1)) if ok.sum() > 1 else math.nan
        den = pd_["sd"] ** 2
        ratio = math.nan if math.isnan(num) or (num == 0 and den == 0) else (math.inf if den == 0 else num / den)
        rows.append({"metric": m, "n": pd_["n"], f"{base}_mean": float(np.nanmean(x)) if (~np.isnan(x)).any()
                     else math.nan, f"{changed}_mean": float(np.nanmean(y)) if (~np.isnan(y)).any() else math.nan,
                     "difference": pd_["mean"], "sd": pd_["sd"], "ci_low": pd_["ci_low"], "ci_high": pd_["ci_high"],
                     "unpaired_ci_low": un["ci_low"], "unpaired_ci_high": un["ci_high"], "variance_ratio": ratio,
                     "significant": bool(pd_["ci_low"] > 0 or pd_["ci_high"] < 0)})
    return pd.DataFrame(rows)


def curves(ts: pd.DataFrame, arm: str, column: str = "adopters") -> tuple[np.ndarray, np.ndarray]:
    """(time, values): one row per replicate, runs that stopped early held at their last value."""
    part = ts[ts["arm"] == arm]
    wide = part.pivot(index="step", columns="replicate", values=column).sort_index().ffill()
    steps = wide.index.to_numpy()
    times = part.groupby("step")["time"].first().reindex(steps).to_numpy()
    return times, wide.to_numpy().T


@dataclass(repr=False)
class Comparison:
    """Paired twins of one scenario: per-replicate metrics, time series and the differences.

    Its ``repr`` is one line (the change and the main difference); a notebook shows a table of the
    main metrics (``_repr_html_``); :meth:`plot` draws the curves and the paired difference.
    """

    scenario: config.Scenario = field(repr=False)
    changed: config.Scenario = field(repr=False)
    change: dict
    seeds: list
    runs: pd.DataFrame = field(repr=False)
    timeseries: pd.DataFrame = field(repr=False)
    differences: pd.DataFrame = field(repr=False)
    names: dict = field(default_factory=lambda: dict(DEFAULT_NAMES))

    def _main(self) -> str:
        """The metric the one-line summary reports: final adopters, or the first one there is."""
        metrics = list(self.differences["metric"])
        return next((m for m in SHOWN if m in metrics), metrics[0] if metrics else "")

    def __repr__(self) -> str:
        main = self._main()
        head = f"<Comparison {self.scenario.name}: {_change_text(self.change)}, {len(self.seeds)} paired replicates"
        if not main:
            return head + ">"
        r = self.difference(main)
        return (f"{head}; {main} {number(r['mean'])} [{number(r['ci_low'])}, {number(r['ci_high'])}] "
                f"(changed - base, paired 95 % CI)>")

    def _repr_html_(self) -> str:
        metrics = set(self.differences["metric"])
        rows = []
        for m in [m for m in SHOWN if m in metrics] or list(self.differences["metric"])[:8]:
            r = self.difference(m)
            rows.append((m, f"{number(r['base_mean'])} → {number(r['changed_mean'])}: {number(r['mean'])} "
                            f"[{number(r['ci_low'])}, {number(r['ci_high'])}]"))
        return html_table(f"{self.scenario.name}: {_change_text(self.change)} ({len(self.seeds)} paired replicates)",
                          rows, "base → changed: change (paired 95 % CI). Tables: .runs, .timeseries, .differences; "
                                ".plot() draws the curves.")

    def difference(self, metric: str) -> pd.Series:
        """The row of :attr:`differences` for one metric (changed - base)."""
        rows = self.differences[self.differences["metric"] == metric]
        if rows.empty:
            raise ConfigError("metric", f"must be one of {', '.join(self.differences['metric'])}; got {metric!r}")
        return rows.iloc[0].rename(None).rename({"difference": "mean"})

    def plot(self, ax=None, title: str | None = None, labels: dict | None = None, column: str | None = None):
        """Both arms' adoption curves (mean and 95 % band) and the paired difference over time.

        Parameters
        ----------
        ax : a pair of matplotlib Axes, optional
            Draw the two panels on these (default: a new figure).
        title : str, optional
            The figure's title (default: the scenario and the change).
        labels : dict, optional
            Names of the arms in the legend (``{"base": ..., "changed": ...}``).
        column : str, optional
            Another time-series column to draw (default: the adopted share,
            and adopters for the difference).

        Returns
        -------
        matplotlib.figure.Figure
        """
        import textwrap

        from sim.figures.adoption import time_label
        from sim.figures.canvas import target

        fig, (ax1, ax2) = target(ax, n=2, figsize=(12, 4.8))
        colours = {"base": "#2b83ba", "changed": "#d7191c"}
        labels = labels or self.names
        share, count = (column, column) if column else _curve_columns(self.timeseries)
        if share not in self.timeseries or share in ("arm", "replicate"):
            names = [c for c in self.timeseries.columns if c not in ("arm", "replicate", "step", "time")]
            raise ConfigError("--curve", f"must be a time-series column ({', '.join(names)}); got {share!r}")
        grids = {}
        for arm in ARMS:
            grids[arm] = curves(self.timeseries, arm, count)
            t, y = curves(self.timeseries, arm, share)
            for row in y:
                ax1.plot(t, row, color=colours[arm], alpha=0.12, lw=0.7)
            m, lo, hi = _mean_band(y)
            ax1.plot(t, m, color=colours[arm], lw=2.2, label=f"{labels[arm]} (mean, 95 % band)")
            ax1.fill_between(t, lo, hi, color=colours[arm], alpha=0.25, lw=0)
        xlabel = time_label(self.scenario) if time_label(self.scenario) != "time" else "time (steps × dt)"
        ax1.set(xlabel=xlabel, ylabel="share of people who adopted" if share == "adopted_fraction"
                else share.replace("_", " "), ylim=(0, None),
                title=f"{len(self.seeds)} paired runs (thin lines: each run)")
        ax1.legend(loc="upper left", frameon=False, fontsize=9)
        (tb, yb), (tc, yc) = grids["base"], grids["changed"]
        k = max(len(tb), len(tc))
        t = tb if len(tb) >= len(tc) else tc
        if np.allclose(tb[:min(len(tb), len(tc))], tc[:min(len(tb), len(tc))]):
            yb, yc = _hold(yb, k), _hold(yc, k)  # a run that stopped early keeps its last value
            m, lo, hi = _mean_band(yc - yb)
            ulo, uhi = _unpaired_band(yb, yc)
            ax2.fill_between(t, ulo, uhi, color="#bbbbbb", alpha=0.6, lw=0,
                             label="95 % CI if the runs were independent")
            ax2.fill_between(t, lo, hi, color="#5e3c99", alpha=0.45, lw=0,
                             label="95 % CI of the paired difference")
            ax2.plot(t, m, color="#5e3c99", lw=2.2, label="mean difference")
            ax2.axhline(0, color="black", lw=0.8)
            ax2.legend(loc="best", frameon=False, fontsize=9)
        else:
            ax2.text(0.5, 0.5, "the twins use different time steps (run.dt):\nno step-by-step difference",
                     ha="center", va="center", transform=ax2.transAxes)
        what = "adopters" if count == "adopters" else count.replace("_", " ")
        ax2.set(xlabel=xlabel, ylabel=f"{what}: {labels['changed']} − {labels['base']}",
                title="What the change did: paired difference over time")
        spec = self.scenario
        head = title or (f"{spec.heading}: twin runs, the change: {_change_text(self.change)} "
                         f"(same seeds, common random numbers)")
        if ax is None or title is not None:
            fig.suptitle(textwrap.fill(head, 130), fontsize=10.5)
        return fig

    def figure(self, path, title: str | None = None, labels: dict | None = None, column: str | None = None) -> Path:
        """Write :meth:`plot`'s figure to ``path`` (PNG); returns the path."""
        from sim.figures.canvas import save

        return save(self.plot(title=title, labels=labels, column=column), path)

    def write(self, out, plots: bool = True, column: str | None = None) -> Path:
        """Write the comparison folder atomically: comparison.json, runs.csv, differences.csv,
        timeseries.csv and comparison.png."""
        from sim.runs import versions

        with atomic_folder(out, kind="comparison folder") as tmp:
            record = {"scenario": self.scenario.to_dict(), "source": self.scenario.source, "change": self.change,
                      "names": self.names,
                      "replicates": len(self.seeds), "seeds": self.seeds, "versions": versions(),
                      "differences": json.loads(self.differences.to_json(orient="records"))}
            (tmp / "comparison.json").write_text(json.dumps(record, indent=2, default=_json) + "\n")
            self.runs.to_csv(tmp / "runs.csv", index=False)
            self.differences.to_csv(tmp / "differences.csv", index=False)
            self.timeseries.to_csv(tmp / "timeseries.csv", index=False)
            if plots:
                self.figure(tmp / "comparison.png", column=column)
        return Path(out)

    def describe(self, file=None) -> None:
        """Print the main differences as a table (to ``file``, default standard output)."""
        file = file or sys.stdout
        spec = self.scenario
        print(f"{spec.name}: {len(self.seeds)} paired replicates (root seed {spec.seed}); change: "
              f"{_change_text(self.change)}", file=file)
        if self.names != DEFAULT_NAMES:
            print(f"  base: {self.names['base']}; changed: {self.names['changed']}", file=file)
        print(f"  {'metric':<22}{'base':>12}{'changed':>12}   {'change, paired 95 % CI':<34}"
              f"{'unpaired 95 % CI':<24}{'pairing gain':>12}", file=file)
        metrics = set(self.differences["metric"])
        for m in [m for m in SHOWN if m in metrics] or list(self.differences["metric"])[:14]:
            rows = self.differences[self.differences["metric"] == m]
            if rows.empty:
                continue
            r = rows.iloc[0]
            paired = f"{number(r['difference'])} [{number(r['ci_low'])}, {number(r['ci_high'])}]"
            unpaired = f"[{number(r['unpaired_ci_low'])}, {number(r['unpaired_ci_high'])}]"
            gain = r["variance_ratio"]
            gain = "n/a" if math.isnan(gain) else ("exact" if math.isinf(gain) else f"{gain:,.1f}×")
            print(f"  {m:<22}{number(r['base_mean']):>12}{number(r['changed_mean']):>12}   {paired:<34}"
                  f"{unpaired:<24}{gain:>12}", file=file)
        print("  (pairing gain: variance of the unpaired difference / variance of the paired one; n/a when "
              "the metric is undefined, e.g. 50 % never reached)", file=file)


def compare(scenario, change: dict, replicates: int = 20, seed: int | None = None, overrides: dict | None = None,
            progress=None, names: dict | None = None) -> Comparison:
    """Run paired twins of a scenario, with and without a change, and compare every metric.

    Parameters
    ----------
    scenario : str, Path, dict or sim.config.Scenario
        The base scenario.
    change : dict
        Dotted overrides that make the twin, e.g. ``{"measurement.impressions": 0}``.
    replicates : int
        Number of paired replicates (>= 2).
    seed : int, optional
        Root seed of the replicates (default: the scenario's).
    overrides : dict, optional
        Overrides applied to both twins.
    progress : bool or callable, optional
        A progress bar (default: on a terminal or in a notebook, see
        :mod:`sim.progress`), or ``progress(done, total)`` called after each run.
    names : dict, optional
        What to call the arms in figures, tables and reports: ``{"base": "TV only",
        "changed": "TV + influencers"}``.

    Returns
    -------
    Comparison
        ``.runs`` (metrics per arm and replicate), ``.timeseries``,
        ``.differences`` (per metric: means, paired difference with 95 % CI,
        unpaired CI, variance ratio), ``.plot()`` (a matplotlib Figure),
        ``.figure(path)`` (the same, written), ``.write(folder)``.
    """
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 2:
        raise ConfigError("replicates", f"must be an integer >= 2 (an interval needs two pairs); got {replicates!r}")
    if not isinstance(change, dict) or not change:
        raise ConfigError("change", f"must set at least one parameter (key=value); got {change!r}")
    if "seed" in change:
        raise ConfigError("seed", "cannot differ between twins: they share each replicate's seed; got it in the change")
    base = config.load(scenario, overrides=overrides, seed=seed)
    changed = base.replace(change)
    seeds = replicate_seeds(base.seed, replicates)
    names = {**DEFAULT_NAMES, **(names or {})}
    for arm, name in names.items():
        if arm not in ARMS or not isinstance(name, str) or not name.strip() or len(name) > 80:
            raise ConfigError("--name", f"must name the arms base and changed with 1 to 80 characters; "
                                        f"got {arm}={name!r}")
    runs_df, ts = paired_runs({"base": base, "changed": changed}, seeds, progress=progress,
                              label=f"{base.name} twins")
    return Comparison(scenario=base, changed=changed, change=dict(change), seeds=seeds, runs=runs_df,
                      timeseries=ts, differences=differences_table(runs_df), names=names)


def check_out(out) -> Path:
    """The output folder, if it is new, empty or an earlier comparison folder; else ConfigError."""
    return outputs.check_out(out, kind="comparison folder")


def _t975(df):
    """97.5 % quantile of Student's t (scipy imported on first use: keeps `bouche --help` quick)."""
    from scipy import stats

    return stats.t.ppf(0.975, df)


def _curve_columns(ts: pd.DataFrame) -> tuple[str, str]:
    """The columns to draw: (a share, a count); adoption runs give (adopted_fraction, adopters)."""
    if "adopted_fraction" in ts and "adopters" in ts:
        return "adopted_fraction", "adopters"
    first = next(c for c in ts.columns if c not in ("arm", "replicate", "step", "time"))
    return first, first


def _hold(y: np.ndarray, k: int) -> np.ndarray:
    """Extend each row to k columns with its last value."""
    if y.shape[1] >= k:
        return y
    return np.hstack([y, np.repeat(y[:, -1:], k - y.shape[1], axis=1)])


def _mean_band(y: np.ndarray):
    m = y.mean(axis=0)
    if len(y) < 2:
        return m, m, m
    half = _t975(len(y) - 1) * y.std(axis=0, ddof=1) / math.sqrt(len(y))
    return m, m - half, m + half


def _unpaired_band(a: np.ndarray, b: np.ndarray):
    m = b.mean(axis=0) - a.mean(axis=0)
    if len(a) < 2:
        return m, m
    se = np.sqrt(a.var(axis=0, ddof=1) / len(a) + b.var(axis=0, ddof=1) / len(b))
    half = _t975(len(a) + len(b) - 2) * se
    return m - half, m + half


def _change_text(change: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in change.items())


def _json(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


# ---------------------------------------------------------------------------
# the command: bouche compare


def add_arguments(p) -> None:
    """Arguments of ``bouche compare``."""
    p.description = ("Run paired twins of a scenario (same seeds, common random numbers), as it is and with "
                     "the changes given by --set, and report each metric's paired difference with a 95 % CI.")
    p.add_argument("scenario", help="a shipped scenario name or a .toml file")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="the change that makes the twin, e.g. --set measurement.impressions=0 (repeatable)")
    p.add_argument("--base", dest="base_sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override applied to both twins (repeatable)")
    p.add_argument("--replicates", type=int, default=20, help="paired replicates (default 20)")
    p.add_argument("--seed", type=int, help="root seed of the replicates (default: the scenario's)")
    p.add_argument("--steps", type=int, help="maximum number of steps (run.steps) of both twins")
    p.add_argument("--out", help="output folder (default: runs/SCENARIO-compare)")
    p.add_argument("--curve", metavar="COLUMN", help="time-series column to draw (default: the adopted share)")
    p.add_argument("--no-plots", action="store_true", help="skip the figure")
    p.add_argument("--name", dest="names", action="append", default=[], metavar="NAME",
                   help="name the arms, base first: --name 'TV only' --name 'TV + influencers' (used in the "
                        "figure, the table and bouche report)")


def command(args) -> int:
    """Run ``bouche compare``; bad input raises ConfigError (one line, exit status 2)."""
    if args.seed is not None and args.seed < 0:
        raise ConfigError("--seed", f"must be an integer >= 0; got {args.seed}")
    if args.replicates < 2:
        raise ConfigError("--replicates", f"must be an integer >= 2 (an interval needs two pairs); "
                                          f"got {args.replicates}")
    if not args.sets:
        raise ConfigError("--set", "must give at least one change for the twin (key=value); got none")
    change = dict(config.parse_assignment(text) for text in args.sets)
    overrides = dict(config.parse_assignment(text) for text in args.base_sets)
    if len(args.names) > 2:
        raise ConfigError("--name", f"must be given at most twice (base, then changed); got {len(args.names)}")
    names = dict(zip(ARMS, args.names))
    for arm, name in names.items():
        if not name.strip() or len(name) > 80:
            raise ConfigError("--name", f"must be 1 to 80 characters; got {name!r}")
    if args.steps is not None:
        overrides["run.steps"] = args.steps
    name = config.load(args.scenario, overrides=overrides).name
    out = args.out or f"runs/{name}-compare"
    check_out(out)  # before the runs: a refusal should not cost their time
    result = compare(args.scenario, change=change, replicates=args.replicates, seed=args.seed,
                     overrides=overrides, names=names)
    result.write(out, plots=not args.no_plots, column=args.curve)
    result.describe()
    files = sorted(p.name for p in Path(out).iterdir() if not p.name.startswith("."))
    print(f"  wrote {out}/ ({', '.join(files)})")
    return 0
