"""Crash-safe storage of a sweep, in a folder that is verifiably ours.

Layout of the folder::

    .bouche.json         the marker (kind "stored sweep"; it lists no files: the folder grows)
    spec.json            the resolved sweep (scenario, design points, seeds, versions)
    parts/               one Parquet file per batch of runs (HASH.parquet), and its time
                         series (HASH.ts.parquet) when recorded; HASH hashes the batch's run keys
    parts/damaged/       parts that could not be read, set aside (never deleted); their runs ran again
    runs.parquet         one row per run: key, design parameters, replicate, seed provenance,
    runs.csv             status, error, duration and every summary metric (CSV: no traceback)
    summary.csv          one row per design point: n, and mean, sd, 95 % CI of each metric
    timeseries.parquet   run key x step, when recorded
    .figures.json        the figures last drawn here (the only PNG files a sweep removes)
    .lock                held while a sweep writes here

**Ownership.** A sweep is stored in a new or empty folder, which gets the marker
(:data:`sim.outputs.MARKER`) before anything else, or reopened in a folder that
holds our marker of kind :data:`KIND`. A folder stored by an earlier version,
without a marker, is adopted (the marker is added) only when its ``spec.json``
reads as a sweep spec and it holds nothing but what this store writes. Anything
else (a folder of other files, of another kind, a file, the current folder or
one of its parents) is refused in one line before anything is written or
deleted. Inside its folder the store opens and removes only names it writes:
``parts/HASH.parquet``, ``parts/HASH.ts.parquet``, temporary files of exactly
the form ``.tmp-PID-NAME`` of those, the tables, and the figures it recorded.

**Durability.** Every file is written under a temporary name, flushed to disk,
renamed, and its folder flushed, so a sweep killed at any moment (or a power
cut) leaves only complete parts; a part's runs file is renamed after its time
series, so a runs file on disk means its whole batch is stored. Resuming reads
the stored run keys back from the parts; a part that cannot be read anyway
(a disk fault, a file damaged by hand) is set aside into ``parts/damaged/``
with one warning (logger ``sim``), and its runs run again. The tables are assembled
from the parts at the end, and removed while a sweep that changes them runs,
so a folder never shows stale tables.
"""

from __future__ import annotations

import errno
import json
import logging
import operator
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from sim import outputs
from sim.errors import ConfigError
from sim.experiments.seeds import content_hash
from sim.experiments.spec import SweepSpec, parse_indicator

log = logging.getLogger(__name__)

__all__ = ["KIND", "RUN_COLUMNS", "TABLES", "DamagedParts", "Store", "summarize_points"]

KIND = "stored sweep"  # the kind in the marker of a sweep folder
TABLES = ("runs.parquet", "runs.csv", "summary.csv", "timeseries.parquet", "sobol.csv")
RUN_COLUMNS = ("key", "point", "replicate", "seed", "root_seed", "streams", "spawn_key", "status", "error",
               "duration_s")
_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq}
SPEC, LOCK, FIGURES, DAMAGED = "spec.json", ".lock", ".figures.json", "damaged"
_HASH = "[0-9a-f]{16}"
_PART = re.compile(rf"^{_HASH}\.parquet$")
_TS_PART = re.compile(rf"^{_HASH}\.ts\.parquet$")
_TMP_PART = re.compile(rf"^\.tmp-[0-9]+-{_HASH}(?:\.ts)?\.parquet$")  # see _replace_atomically
_TMP_TOP = re.compile(r"^\.tmp-[0-9]+-(?:" + "|".join(re.escape(n) for n in (SPEC, FIGURES, *TABLES)) + ")$")
_FIGURE = re.compile(r"^[\w-]+\.png$")  # the names sim.experiments.plots gives its figures


class DamagedParts(RuntimeError):
    """Parts that could not be read were set aside while the tables were assembled: run again."""


def _fsync(path: Path, folder: bool = False) -> None:
    """Flush a file (or a folder's entries) to disk; a no-op for folders where that is not possible."""
    try:
        fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if folder else 0))
    except OSError:
        if folder:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as exc:
        if not folder or exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP, errno.EACCES):
            raise
    finally:
        os.close(fd)


def _replace_atomically(path: Path, write) -> Path:
    """Call ``write(tmp_path)``, flush it to disk, rename it onto ``path``, then flush the folder."""
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        write(tmp)
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync(path.parent, folder=True)
    return path


def _cell(value):
    """A design value as a table cell: scalars as they are, lists and tables as JSON."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return value


def _check_place(folder: Path) -> None:
    """Refuse, in one line, the current folder, one of its parents, or a link to nothing."""
    text = str(folder)
    if folder.name in ("", ".", ".."):
        raise ConfigError("--out", f"must name a folder for the sweep, not the current folder or a parent; "
                                   f"got {text!r}")
    if folder.is_symlink() and not folder.exists():
        raise ConfigError("--out", f"is a link to nothing; got {text!r} (-> {os.readlink(folder)!r})")
    real, cwd = Path(os.path.realpath(folder)), Path(os.path.realpath(os.getcwd()))
    if real == cwd or real in cwd.parents:
        raise ConfigError("--out", f"must not be the current folder or one of its parents; got {text!r}")


def _is_sweep_spec(path: Path) -> bool:
    """Whether ``path`` holds a spec.json as this store writes it."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 1 << 30:
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    shape = {"format": int, "scenario": dict, "points": list, "engine": str, "root_seed": int, "replicates": int,
             "design": dict, "streams": str}
    return isinstance(data, dict) and data.get("format") == 1 \
        and all(isinstance(data.get(k), t) for k, t in shape.items())


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
        """Refuse, writing nothing, a folder that is not ours or where ``spec`` would lose or mix results."""
        self.check_owned()
        spec_file = self.folder / SPEC
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

    def check_owned(self) -> None:
        """Refuse, in one line, a folder that may not hold a stored sweep (see the module's docstring)."""
        _check_place(self.folder)
        why = None
        if self.folder.exists() and not self.folder.is_dir():
            why = "which is a file"
        elif self.folder.is_dir():
            try:
                why = self._foreign()
            except OSError as exc:
                why = f"which cannot be read ({exc.strerror or type(exc).__name__})"
        if why:
            raise ConfigError("--out", f"must be a new folder, an empty one or a stored sweep written by bouche; "
                                       f"got {str(self.folder)!r}, {why}")

    def _foreign(self) -> str | None:
        """Why this existing folder is not ours to store a sweep in, or None if it is."""
        if not os.listdir(self.folder):
            return None
        marker = outputs.read_marker(self.folder)
        if marker is not None:
            return None if marker["bouche"] == KIND else f"which holds a {marker['bouche']}, not a {KIND}"
        strangers = self._strangers()
        if not strangers and _is_sweep_spec(self.folder / SPEC):
            return None  # stored by an earlier version: adopted when opened
        if not strangers:
            return f"which holds no {SPEC} of a sweep and no valid {outputs.MARKER} marker"
        shown = ", ".join(strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
        return f"which holds files bouche did not write ({shown}) and no valid {outputs.MARKER} marker"

    def _strangers(self) -> list[str]:
        """The entries of an unmarked folder that this store does not write."""
        out = []
        with os.scandir(self.folder) as entries:
            for entry in entries:
                is_dir, is_file = entry.is_dir(follow_symlinks=False), entry.is_file(follow_symlinks=False)
                if entry.name == "parts" and is_dir:
                    with os.scandir(entry.path) as parts:
                        out += [f"parts/{p.name}" + ("/" if p.is_dir(follow_symlinks=False) else "") for p in parts
                                if not (p.is_file(follow_symlinks=False) and _is_part_name(p.name))]
                elif not (is_file and (entry.name in (SPEC, LOCK, FIGURES, *TABLES) or _TMP_TOP.match(entry.name)
                                       or _FIGURE.match(entry.name))):
                    out.append(entry.name + ("/" if is_dir else ""))
        return sorted(out)

    def open(self, spec: SweepSpec, resume: bool) -> None:
        """Create or reopen the folder for ``spec``, holding its lock until :meth:`close`."""
        self.check(spec, resume)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if outputs.read_marker(self.folder) is None:  # new, empty, or stored by an earlier version
                outputs.write_marker(self.folder, KIND, files=None)
                _fsync(self.folder / outputs.MARKER)
                _fsync(self.folder, folder=True)
            self.parts.mkdir(exist_ok=True)
            self._take_lock()
        except OSError as exc:
            raise (outputs.fs_error(exc, self.folder) or exc) from None
        self.check(spec, resume)  # again, now that no other sweep can write here
        self._remove_stale()
        text = json.dumps(spec.to_json(), indent=1, sort_keys=False) + "\n"
        _replace_atomically(self.folder / SPEC, lambda tmp: tmp.write_text(text))

    def _remove_stale(self) -> None:
        """Remove what a writer killed mid-write left: our temporary files, time series without their batch."""
        with os.scandir(self.parts) as entries:
            names = {e.name for e in entries if e.is_file(follow_symlinks=False)}
        for name in names:
            if _TMP_PART.match(name) or (_TS_PART.match(name) and name.replace(".ts.parquet", ".parquet")
                                          not in names):
                (self.parts / name).unlink(missing_ok=True)
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if _TMP_TOP.match(entry.name) and entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)

    def _take_lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return
        handle = open(self.folder / LOCK, "a+")  # noqa: SIM115 (held open while the sweep runs)
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
        self.clear_figures()

    # -- figures ----------------------------------------------------------------------

    def _figures(self) -> list[str]:
        try:
            names = json.loads((self.folder / FIGURES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [n for n in names if isinstance(n, str) and _FIGURE.match(n)] if isinstance(names, list) else []

    def clear_figures(self) -> None:
        """Remove the figures this store drew here last (and only those)."""
        for name in self._figures():
            (self.folder / name).unlink(missing_ok=True)
        (self.folder / FIGURES).unlink(missing_ok=True)

    def record_figures(self, paths) -> None:
        """Remember the figures just drawn here, so that the next run of the sweep may remove them."""
        names = sorted({Path(p).name for p in paths if Path(p).parent == self.folder and _FIGURE.match(Path(p).name)})
        if names:
            text = json.dumps(names) + "\n"
            _replace_atomically(self.folder / FIGURES, lambda tmp: tmp.write_text(text))

    # -- parts ----------------------------------------------------------------------

    def _run_parts(self) -> list[Path]:
        if not self.parts.is_dir():
            return []
        with os.scandir(self.parts) as entries:
            return sorted(Path(e.path) for e in entries if _PART.match(e.name) and e.is_file(follow_symlinks=False))

    @staticmethod
    def _ts_of(part: Path) -> Path:
        return part.with_name(part.name[: -len(".parquet")] + ".ts.parquet")

    def _read_part(self, part: Path, set_aside: bool = True):
        """The runs of one stored part (a pyarrow Table), or None if it is damaged (then set aside)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        reading = part
        try:
            table = pq.read_table(part, use_threads=False)
            if not {"key", "status"} <= set(table.column_names):
                raise ValueError("it has no key and status columns")
            reading = self._ts_of(part)
            if reading.exists():
                pq.read_metadata(reading)  # a truncated file has no footer
        except (OSError, ValueError, pa.ArrowException) as exc:
            self._damaged(part, exc, set_aside, reading)
            return None
        return table

    def _damaged(self, part: Path, exc: BaseException, set_aside: bool, culprit: Path | None = None) -> None:
        """Move a damaged part and its time series into parts/damaged/ (never deleting), saying so in one line.

        ``culprit``: the file that could not be read (``part`` or its time series).
        """
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
        where = f"{self.folder}/parts/{(culprit or part).name}"
        if not set_aside:
            log.warning("%s is damaged (%s); --resume sets it aside and runs its runs again", where, reason)
            return
        dest = self.parts / DAMAGED
        dest.mkdir(exist_ok=True)
        for path in (part, self._ts_of(part)):  # the runs file first: its runs are no longer stored
            if path.exists():
                target, i = dest / path.name, 0
                while target.exists() or target.is_symlink():
                    i += 1
                    target = dest / f"{path.name}.{i}"
                os.rename(path, target)
        _fsync(dest, folder=True)
        _fsync(self.parts, folder=True)
        log.warning("set aside the damaged part %s (%s) in %s/parts/%s/; its runs run again", where, reason,
                    self.folder, DAMAGED)

    def _read_parts(self, paths: list[Path], set_aside: bool = True,
                    columns: list[str] | None = None) -> tuple[pd.DataFrame, int]:
        """The rows of many parts in one table, and how many parts were damaged (a column missing from a
        part, or typed differently there, such as an int column holding NaN after a failure, is promoted)."""
        import pyarrow as pa

        tables = [self._read_part(p, set_aside) for p in paths]
        good = [t if columns is None else t.select(columns) for t in tables if t is not None]
        if not good:
            return pd.DataFrame(columns=columns or list(RUN_COLUMNS)), len(tables) - len(good)
        return pa.concat_tables(good, promote_options="permissive").to_pandas(), len(tables) - len(good)

    def stored(self, set_aside: bool = True) -> dict[str, str]:
        """Run key -> status of every run stored in the parts (``ok`` wins over ``failed``).

        A damaged part is set aside (or, with ``set_aside=False``, only reported)
        and its runs count as not stored.
        """
        df, _ = self._read_parts(self._run_parts(), set_aside, ["key", "status"])
        ok = set(df.loc[df["status"] == "ok", "key"])
        return {key: "ok" if key in ok else status for key, status in zip(df["key"], df["status"])}

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
        """Write runs.parquet, runs.csv, summary.csv (and timeseries.parquet); return runs and summary.

        Raises :class:`DamagedParts` when a part turned out to be damaged (it was
        set aside): its runs must run again before the tables can be written.
        """
        order = {run["key"]: (run["point_index"], run["replicate"]) for run in spec.iter_runs()}
        runs, damaged = self._read_parts(self._run_parts())
        if damaged:
            raise DamagedParts(f"{damaged} damaged part(s) set aside")
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
        if spec.timeseries:  # first: a damaged time series part sends its runs back to run again
            self._assemble_timeseries(set(runs.loc[runs["status"] == "ok", "key"]))
        _replace_atomically(self.folder / "runs.parquet", lambda tmp: runs.to_parquet(tmp, index=False))
        _replace_atomically(self.folder / "runs.csv",
                            lambda tmp: runs.drop(columns="traceback").to_csv(tmp, index=False))
        summary = summarize_points(runs, varied)
        _replace_atomically(self.folder / "summary.csv", lambda tmp: summary.to_csv(tmp, index=False))
        return runs, summary

    def _assemble_timeseries(self, keys: set) -> None:
        """Stream the stored time series into timeseries.parquet, one part at a time (flat memory).

        Rows are grouped by run, each run's steps in order; runs come in the
        order of the parts (sort by key and step for a canonical order).
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        damaged = []

        def write(tmp):
            writer = None
            for part in self._run_parts():
                ts_part = self._ts_of(part)
                if not ts_part.exists():
                    continue
                try:
                    table = pq.read_table(ts_part)
                except (OSError, ValueError, pa.ArrowException) as exc:
                    damaged.append((part, exc))
                    continue
                table = table.filter(pa.compute.is_in(table["key"], value_set=pa.array(sorted(keys), pa.string())))
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table.cast(writer.schema))
            if writer is None:
                pq.write_table(pa.table({"key": pa.array([], pa.string()), "step": pa.array([], pa.int64())}), tmp)
            else:
                writer.close()
            if damaged:
                raise DamagedParts(f"{len(damaged)} damaged time series part(s)")

        try:
            _replace_atomically(self.folder / "timeseries.parquet", write)
        except DamagedParts:
            for part, exc in damaged:
                self._damaged(part, exc, set_aside=True, culprit=self._ts_of(part))
            raise


def _is_part_name(name: str) -> bool:
    return bool(_PART.match(name) or _TS_PART.match(name) or _TMP_PART.match(name))


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
