"""Crash-safe storage of a sweep in a folder.

Layout of the folder::

    spec.json            the resolved sweep (scenario, design points, seeds, versions)
    parts/               one Parquet file per batch of runs (NAME.parquet), and its time
                         series (NAME.ts.parquet) when recorded; NAME hashes the batch's run keys
    runs.parquet         one row per run: key, design parameters, replicate, seed provenance,
    runs.csv             status, error, duration and every summary metric (CSV: no traceback)
    summary.csv          one row per design point: n, and mean, sd, 95 % CI of each metric
    timeseries.parquet   run key x step, when recorded
    .lock                held while a sweep writes here

Every file is written under a temporary name and renamed when complete
(atomic on POSIX), so a sweep killed at any moment leaves only complete parts;
a part's runs file is renamed after its time series, so a runs file on disk
means its whole batch is stored. Resuming reads the stored run keys back from
the parts. The tables are assembled from the parts at the end, and removed
while a sweep that changes them runs, so a folder never shows stale tables.
"""

from __future__ import annotations

import json
import operator
import os
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.experiments.seeds import content_hash
from sim.experiments.spec import SweepSpec, parse_indicator

__all__ = ["RUN_COLUMNS", "TABLES", "Store", "summarize_points"]

TABLES = ("runs.parquet", "runs.csv", "summary.csv", "timeseries.parquet", "sobol.csv")
RUN_COLUMNS = ("key", "point", "replicate", "seed", "root_seed", "streams", "spawn_key", "status", "error",
               "duration_s")
_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq}


def _replace_atomically(path: Path, write) -> Path:
    """Call ``write(tmp_path)``, then rename the temporary file onto ``path``."""
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _cell(value):
    """A design value as a table cell: scalars as they are, lists and tables as JSON."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return value


class Store:
    """The folder of one sweep. Use as a context manager: it holds a lock while open."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.parts = self.folder / "parts"
        self._lock = None

    # -- opening ------------------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def check(self, spec: SweepSpec, resume: bool) -> None:
        """Refuse, writing nothing, a folder where ``spec`` would lose or mix results."""
        spec_file = self.folder / "spec.json"
        if self.folder.exists() and not self.folder.is_dir():
            raise ConfigError("--out", f"must be a folder; got {str(self.folder)!r}, which is a file")
        if spec_file.exists():
            if not resume:
                raise ConfigError("--out", f"holds a stored sweep; got {str(self.folder)!r} (add --resume to "
                                           f"continue it, or choose another --out)")
            try:
                old = json.loads(spec_file.read_text())
            except (OSError, ValueError) as exc:
                raise ConfigError("--out", f"holds an unreadable spec.json; got {str(self.folder)!r} ({exc})") \
                    from None
            spec.check_extends(old, str(self.folder))
        elif self.folder.exists() and any(p for p in self.folder.iterdir() if p.name not in (".lock", "parts")):
            raise ConfigError("--out", f"must be a new folder or a stored sweep; got {str(self.folder)!r}, "
                                       f"which holds other files")

    def open(self, spec: SweepSpec, resume: bool) -> None:
        """Create or reopen the folder for ``spec``, holding its lock until :meth:`close`."""
        self.check(spec, resume)
        spec_file = self.folder / "spec.json"
        self.parts.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        self.check(spec, resume)  # again, now that no other sweep can write here
        for stale in self.parts.glob(".tmp-*"):  # a writer killed mid-write
            stale.unlink(missing_ok=True)
        for ts in self.parts.glob("*.ts.parquet"):  # time series whose batch never completed
            if not ts.with_name(ts.name[: -len(".ts.parquet")] + ".parquet").exists():
                ts.unlink(missing_ok=True)
        text = json.dumps(spec.to_json(), indent=1, sort_keys=False) + "\n"
        _replace_atomically(spec_file, lambda tmp: tmp.write_text(text))

    def _take_lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return
        handle = open(self.folder / ".lock", "a+")  # noqa: SIM115 (held open while the sweep runs)
        try:
            # a POSIX record lock: held by this process only, not by the workers it forks
            # (an flock would pass to them and outlive a killed sweep in orphaned workers)
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise ConfigError("--out", f"is in use by another running sweep; got {str(self.folder)!r}") from None
        self._lock = handle

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def clear_tables(self) -> None:
        """Remove the assembled tables and figures (they are rebuilt from the parts at the end)."""
        for name in TABLES:
            (self.folder / name).unlink(missing_ok=True)
        for png in self.folder.glob("*.png"):
            png.unlink()

    # -- parts ----------------------------------------------------------------------

    def _run_parts(self) -> list[Path]:
        return sorted(p for p in self.parts.glob("*.parquet") if not p.name.endswith(".ts.parquet"))

    def stored(self) -> dict[str, str]:
        """Run key -> status of every run stored in the parts (``ok`` wins over ``failed``)."""
        df = self._read_parts(self._run_parts(), ["key", "status"])
        ok = set(df.loc[df["status"] == "ok", "key"])
        return {key: "ok" if key in ok else status for key, status in zip(df["key"], df["status"])}

    @staticmethod
    def _read_parts(paths: list[Path], columns: list[str] | None = None) -> pd.DataFrame:
        """The rows of many parts in one table (a column missing from a part, or typed
        differently there, such as an int column holding NaN after a failure, is promoted)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not paths:
            return pd.DataFrame(columns=columns or list(RUN_COLUMNS))
        tables = [pq.read_table(p, columns=columns, use_threads=False) for p in paths]
        return pa.concat_tables(tables, promote_options="permissive").to_pandas()

    def write_part(self, rows: list[dict], series: list[pd.DataFrame]) -> Path:
        """Store one batch: its time series first (if any), then its runs file."""
        name = content_hash(sorted(r["key"] for r in rows))
        if series:
            ts = pd.concat(series, ignore_index=True)
            _replace_atomically(self.parts / f"{name}.ts.parquet", lambda tmp: ts.to_parquet(tmp, index=False))
        df = pd.DataFrame(rows)
        return _replace_atomically(self.parts / f"{name}.parquet", lambda tmp: df.to_parquet(tmp, index=False))

    @staticmethod
    def row(run: dict, rec: dict, varied: list[str]) -> dict:
        """The table row of one run record."""
        row = {"key": run["key"], "point": run["point_id"], "replicate": run["replicate"], "seed": run["seed"],
               "root_seed": run["root_seed"], "streams": run["streams"], "spawn_key": run["spawn_key"],
               "status": rec["status"], "error": rec["error"], "duration_s": rec["duration_s"],
               "traceback": rec["traceback"]}
        for key in varied:
            row[key] = _cell(run["point"][key])
        row.update(rec["metrics"])
        return row

    # -- tables -----------------------------------------------------------------------

    def assemble(self, spec: SweepSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Write runs.parquet, runs.csv, summary.csv (and timeseries.parquet); return runs and summary."""
        order = {run["key"]: (run["point_index"], run["replicate"]) for run in spec.iter_runs()}
        runs = self._read_parts(self._run_parts())
        runs = runs[runs["key"].isin(order.keys())]
        runs = runs.assign(_ok=runs["status"] != "ok").sort_values("_ok", kind="stable")
        runs = runs.drop_duplicates("key").drop(columns="_ok")
        place = runs["key"].map(order)
        runs = runs.assign(_i=[p[0] for p in place], _r=[p[1] for p in place]).sort_values(["_i", "_r"])
        runs = runs.drop(columns=["_i", "_r"]).reset_index(drop=True)
        varied = [k for k in spec.varied if k in runs.columns]
        front = [c for c in ("key", "point", *varied, "replicate", "seed", "root_seed", "streams", "spawn_key",
                             "status", "error", "duration_s") if c in runs.columns]
        metrics = [c for c in runs.columns if c not in front and c != "traceback"]
        runs = runs[front + metrics + ["traceback"]]
        for name, text in spec.indicators.items():
            if name in runs.columns:
                raise ConfigError(f"indicators.{name}", "must not reuse the name of a metric")
            metric, op, value = parse_indicator(name, text)
            if metric not in runs.columns:
                raise ConfigError(f"indicators.{name}", f"names no metric of these runs; got {metric!r}")
            x = pd.to_numeric(runs[metric], errors="coerce")
            runs[name] = np.where(x.isna(), np.nan, _OPS[op](x, value).astype(float))
        _replace_atomically(self.folder / "runs.parquet", lambda tmp: runs.to_parquet(tmp, index=False))
        _replace_atomically(self.folder / "runs.csv",
                            lambda tmp: runs.drop(columns="traceback").to_csv(tmp, index=False))
        summary = summarize_points(runs, varied)
        _replace_atomically(self.folder / "summary.csv", lambda tmp: summary.to_csv(tmp, index=False))
        if spec.timeseries:
            self._assemble_timeseries(set(runs.loc[runs["status"] == "ok", "key"]))
        return runs, summary

    def _assemble_timeseries(self, keys: set) -> None:
        """Stream the stored time series into timeseries.parquet, one part at a time (flat memory).

        Rows are grouped by run, each run's steps in order; runs come in the
        order of the parts (sort by key and step for a canonical order).
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        def write(tmp):
            writer = None
            for part in self._run_parts():
                ts_part = part.with_name(part.name[: -len(".parquet")] + ".ts.parquet")
                if not ts_part.exists():
                    continue
                table = pq.read_table(ts_part)
                table = table.filter(pa.compute.is_in(table["key"], value_set=pa.array(sorted(keys), pa.string())))
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table.cast(writer.schema))
            if writer is None:
                pq.write_table(pa.table({"key": pa.array([], pa.string()), "step": pa.array([], pa.int64())}), tmp)
            else:
                writer.close()

        _replace_atomically(self.folder / "timeseries.parquet", write)


def summarize_points(runs: pd.DataFrame, varied: list[str]) -> pd.DataFrame:
    """One row per design point: runs, failures, and mean, sd and 95 % CI of each numeric metric.

    The CI is mean ± t(0.975, n-1)·sd/√n over the runs where the metric is
    defined (``METRIC_n`` gives that number for metrics that some runs lack,
    such as the time to 90 % in runs that never reach it).

    Examples
    --------
    >>> df = pd.DataFrame({"point": ["a"] * 3, "wom.q": [0.1] * 3, "status": ["ok"] * 3,
    ...                    "duration_s": [0.1] * 3, "final": [1.0, 2.0, 3.0]})
    >>> s = summarize_points(df, ["wom.q"])
    >>> s[["wom.q", "runs", "final_mean", "final_sd"]].to_dict("records")
    [{'wom.q': 0.1, 'runs': 3, 'final_mean': 2.0, 'final_sd': 1.0}]
    >>> round(float(s["final_ci95_hi"].iloc[0]), 3)
    4.484
    """
    # the t quantile (scipy.stats would take a second to import)
    from scipy.special import stdtrit

    skip = set(RUN_COLUMNS) | set(varied) | {"traceback"}
    metrics = [c for c in runs.columns if c not in skip and pd.api.types.is_numeric_dtype(runs[c])
               and not pd.api.types.is_bool_dtype(runs[c])]
    by_point = runs.groupby("point", sort=False)
    out = by_point[varied].first() if varied else pd.DataFrame(index=by_point.size().index)
    out["runs"] = by_point.size()
    out["failed"] = by_point["status"].agg(lambda s: int((s != "ok").sum()))
    ok = runs[runs["status"] == "ok"]
    grouped = ok.groupby("point", sort=False)[metrics].agg(["mean", "std", "count"]).reindex(out.index)
    columns = {}
    for m in metrics:
        mean, sd, n = grouped[(m, "mean")], grouped[(m, "std")], grouped[(m, "count")].fillna(0).astype(int)
        half = stdtrit(np.maximum(n - 1, 1), 0.975) * sd / np.sqrt(n.where(n > 0))
        half = half.where(n > 1)
        columns.update({f"{m}_mean": mean, f"{m}_sd": sd.where(n > 1), f"{m}_ci95_lo": mean - half,
                        f"{m}_ci95_hi": mean + half})
        if ok[m].isna().any():  # a metric some runs lack (time to 90 % that is never reached)
            columns[f"{m}_n"] = n
    out = pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1).reset_index()
    return out[[*varied, "point", "runs", "failed", *columns]]
