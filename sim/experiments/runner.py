"""Run a sweep: dispatch batches of runs to an executor, store each batch as it completes.

Seeds are fixed before dispatch, workers return data, the parent is the one
writer. A bounded window of batches is in flight, so neither the executor
nor the parent's memory grows with the number of runs; the parent keeps only
counts and the first few failure messages, and assembles the tables from the
stored parts at the end. With a process pool the parent never runs a
simulation itself (the out-of-memory killer would then take the sweep).

**A run that kills its worker** (the out-of-memory killer, a signal) breaks a
process pool, and every batch in flight is lost with it. The pool is started
afresh, and each run of the lost batches runs again alone, one at a time: one
that kills its worker once more is stored as failed (``WorkerDied: worker
died (signal 9 SIGKILL...; peak memory ...)``), as a run that raises is, and
the sweep goes on. A Dask ``KilledWorker`` is handled the same way.

**SIGTERM** (sent by cluster schedulers at a job's time limit, or ``kill``)
stops a sweep running in the main thread as Ctrl-C does: it raises
:class:`SweepTerminated` (a :class:`KeyboardInterrupt`), the workers are
killed, the stored parts are kept and ``resume=True`` continues the sweep.
While workers run the runs, both signals are acted on at the dispatch loop's
next look (within a quarter of a second), never in the middle of the pool's
own bookkeeping: an exception raised there, as a signal's handler raises it
wherever the main thread is, could leave the pool's threads waiting forever
(a sweep that hangs instead of stopping) or be lost.

Examples
--------
>>> import sim
>>> res = sim.sweep("bass", vary={"wom.q": [0.2, 0.5]}, replicates=2, workers=1,
...                 overrides={"network.n": 300, "run.steps": 10})
>>> res.summary[["wom.q", "runs", "failed"]].to_dict("records")
[{'wom.q': 0.2, 'runs': 2, 'failed': 0}, {'wom.q': 0.5, 'runs': 2, 'failed': 0}]
>>> list(res.runs.columns[:5])
['key', 'point', 'wom.q', 'replicate', 'seed']
"""

from __future__ import annotations

import contextlib
import logging
import math
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim import rules
from sim.backend import get_backend
from sim.errors import ConfigError
from sim.experiments import executors
from sim.experiments.executors import SerialExecutor
from sim.experiments.progress import Progress
from sim.experiments.spec import SweepSpec, load_spec
from sim.experiments.store import DamagedParts, Store
from sim.experiments.worker import run_batch

__all__ = ["TARGET_BATCH_S", "SweepAborted", "SweepResult", "SweepTerminated", "execute", "sweep"]

log = logging.getLogger(__name__)

TARGET_BATCH_S = 0.25  # aim for batches of about this many seconds of model time
MAX_BATCH = 256
_SPAWN_HINT = " (if this runs from a script, call sim.sweep under if __name__ == '__main__':)"


class SweepAborted(RuntimeError):
    """The executor broke (the cluster went away, workers could not start); stored runs are kept."""


class SweepTerminated(KeyboardInterrupt):
    """SIGTERM stopped the sweep (as Ctrl-C would); stored runs are kept, ``resume`` continues it."""


@dataclass(repr=False)
class SweepResult:
    """What a sweep gives back: its tables (pandas DataFrames), folder and resolved spec.

    Its ``repr`` is one line; a notebook shows the design and its first points (``_repr_html_``);
    :meth:`plot` draws one of the sweep's figures.
    """

    runs: pd.DataFrame
    summary: pd.DataFrame
    spec: SweepSpec = field(repr=False)
    out: Path | None = None
    new: int = 0
    stored: int = 0
    wall_s: float = 0.0
    executor: str = ""
    sobol: pd.DataFrame | None = None
    figures: list = field(default_factory=list)
    _timeseries: pd.DataFrame | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        from sim.progress import clock

        spec = self.spec
        failed = int((self.runs["status"] != "ok").sum()) if "status" in self.runs else 0
        where = f", stored in {self.out}" if self.out is not None else ""
        return (f"<SweepResult {spec.name}: {len(self.runs):,} runs ({failed} failed) over "
                f"{' × '.join(spec.varied) or 'replicates'}, {len(spec.unique_points)} points × {spec.replicates} "
                f"replicate{'s' if spec.replicates != 1 else ''}; on {self.executor or '?'} in {clock(self.wall_s)}"
                f"{where}>")

    def _repr_html_(self) -> str:
        from sim.display import html_table, number

        spec = self.spec
        means = [c for c in self.summary.columns if c.endswith("_mean")][:2]
        rows = []
        for _, point in self.summary.head(8).iterrows():
            name = ", ".join(f"{k} = {number(point[k]) if isinstance(point[k], float) else point[k]}"
                             for k in spec.varied) or "all runs"
            rows.append((name, "; ".join(f"{c[:-5]} {number(point[c])}" for c in means)))
        more = len(self.summary) - len(rows)
        return html_table(repr(self)[1:-1], rows, (f"and {more} more points. " if more > 0 else "")
                          + "Tables: .runs (one row per run), .summary (one row per point), .failures; "
                            ".plot() draws a figure")

    def plot(self, kind: str | None = None, ax=None, **options):
        """One figure of the sweep, as a matplotlib Figure (a notebook shows it).

        With no arguments, the first figure the spec lists (its ``[[plot]]``
        tables) or the default for its design; ``kind`` (line, heatmap,
        curves, sobol) and ``options`` (``x``, ``y``, ``z``, ``by``,
        ``metric``, ``title``, ``log``... as in a ``[[plot]]`` table) ask for
        another. ``ax``: a matplotlib Axes to draw on.

        Examples
        --------
        >>> import sim
        >>> res = sim.sweep("bass", vary={"wom.q": [0.2, 0.5]}, replicates=2, workers=1, progress=False,
        ...                 overrides={"network.n": 300, "run.steps": 10})
        >>> res.plot().axes[0].get_xlabel()[:5]
        'wom.q'
        >>> res.plot("line", x="wom.q", y="steps_run").axes[0].get_ylabel()
        'steps run'
        """
        from sim.experiments import plots

        if kind is None and not options:
            table = plots.figures_of(self)[0]
        else:
            table = {"kind": kind or "line", **options}
            if table["kind"] == "line" and "x" not in table and self.spec.varied:
                table["x"] = self.spec.varied[0]
        return plots.draw(self, table, ax=ax)[0]

    @property
    def failures(self) -> pd.DataFrame:
        """The runs that failed: key, design point, replicate, error and traceback."""
        return self.runs[self.runs["status"] != "ok"]

    @property
    def timeseries(self) -> pd.DataFrame | None:
        """Run key × step (when the sweep recorded time series), read on first use."""
        if self._timeseries is None and self.spec.timeseries and self.out is not None:
            self._timeseries = pd.read_parquet(self.out / "timeseries.parquet")
        return self._timeseries


def _batch_size(fixed: int | None, mean_s: float | None, remaining: int, width: int) -> int:
    if fixed:
        return fixed
    if mean_s is None:
        return 1
    size = max(1, min(MAX_BATCH, round(TARGET_BATCH_S / max(mean_s, 1e-6))))
    return max(1, min(size, remaining // (2 * width) if width > 1 else size))


class _Dispatch:
    """The state of one sweep's dispatch loop: runs still to send, counts, the progress bar."""

    def __init__(self, spec: SweepSpec, store: Store, todo, total: int, width: int, batch: int | None, bar,
                 device: str = "cpu"):
        self.spec, self.store, self.todo, self.width, self.batch, self.bar = spec, store, todo, width, batch, bar
        self.remaining = total
        self.run_time, self.run_count = 0.0, 0
        self.counts = {"ok": 0, "failed": 0, "first_failures": []}
        self.record = {"timeseries": spec.timeseries, "every": spec.every, "timeout": spec.timeout,
                       "device": device, "rules": rules.origins()}  # workers register the parent's own rules

    def next_batch(self) -> list[dict]:
        """The next runs to send (sized to about TARGET_BATCH_S of work)."""
        size = _batch_size(self.batch, self.run_time / self.run_count if self.run_count else None, self.remaining,
                           self.width)
        chunk = [run for _, run in zip(range(size), self.todo)]
        self.remaining -= len(chunk)
        return chunk

    def submit(self, executor, chunk: list[dict]) -> Future:
        """Send runs as one task; a pool found broken gives a future that failed with that error."""
        points = [{"key": r["key"], "overrides": r["point"], "seed": r["seed"]} for r in chunk]
        try:
            return executor.submit(run_batch, self.spec.scenario, points, self.record)
        except BrokenProcessPool as exc:
            future = Future()
            future.set_exception(exc)
            return future

    def stored(self, chunk: list[dict], records: list[dict]) -> None:
        """Store one completed batch as a part, and count it."""
        rows, series = [], []
        for run, rec in zip(chunk, records):
            rows.append(Store.row(run, rec, self.spec.varied))
            if rec["timeseries"] is not None:
                series.append(pd.DataFrame({"key": run["key"], **rec["timeseries"]}))
            if math.isfinite(rec["duration_s"]):
                self.run_time += rec["duration_s"]
                self.run_count += 1
            if rec["status"] != "ok" and len(self.counts["first_failures"]) < 5:
                self.counts["first_failures"].append((run, rec["error"]))
        self.store.write_part(rows, series)
        n_ok = sum(rec["status"] == "ok" for rec in records)
        self.counts["ok"] += n_ok
        self.counts["failed"] += len(records) - n_ok
        self.bar.update(ok=n_ok, failed=len(records) - n_ok)

    def died(self, run: dict, how: str, seconds: float) -> None:
        """Store a run that killed the worker running it alone: failed, with how the worker ended."""
        error = f"WorkerDied: worker died ({how})"
        why = (f"{error}\nThe worker process running this run died, and the task it was in was lost; run "
               f"again alone in a fresh worker, the run killed its worker again. A worker killed by signal 9 "
               f"(SIGKILL) is usually the out-of-memory killer's doing: give the run more memory, or make it "
               f"smaller.\n")
        self.stored([run], [{"key": run["key"], "status": "failed", "error": error, "traceback": why,
                             "metrics": {}, "timeseries": None, "duration_s": seconds}])


def _worker_lost(exc: BaseException) -> bool:
    """Whether a task failed because the worker process running it died (not because a run raised)."""
    return isinstance(exc, BrokenProcessPool) or type(exc).__name__ == "KilledWorker"  # distributed's


def _aborted(exc: BaseException, hint: str = "") -> SweepAborted:
    return SweepAborted(f"{type(exc).__name__}: {exc}".splitlines()[0] + hint)


def _wait(in_flight: dict, executor, stop: _Stop | None = None) -> set:
    """The tasks done, waiting for the first; meanwhile note the workers' peak memory (local pools), and stop
    if a signal asked for it (``stop``)."""
    sample = getattr(executor, "sample_memory", None)
    if sample is None and stop is None:
        return wait(in_flight, return_when=FIRST_COMPLETED)[0]
    every = 0.05 if any(alone for _, alone, _ in in_flight.values()) else 0.25
    while True:
        if sample is not None:
            sample()
        if stop is not None:
            stop.check()
        done = wait(in_flight, timeout=every, return_when=FIRST_COMPLETED)[0]
        if done:
            return done


def execute(spec: SweepSpec, store: Store, executor, width: int, *, batch: int | None = None,
            retry_failed: bool = False, progress: bool | None = None, device: str = "cpu",
            stop: _Stop | None = None) -> dict:
    """Run every run of ``spec`` not yet stored; returns counts and the first failures.

    Every batch runs on ``executor``. A batch lost with its worker process
    (see the module's docstring) is run again one run at a time, once the
    pool has restarted (``executor.restart()``, :class:`~sim.experiments.
    executors.LocalPool`); an executor that cannot restart aborts the sweep.
    This process runs no batch of its own while a pool works (the
    out-of-memory killer may pick it). ``stop`` (see :func:`_stops`): the
    signals that stop the sweep, acted on between the loop's steps while
    another executor than this process runs the runs.
    """
    stored = store.stored()
    skip = {k for k, status in stored.items() if status == "ok" or not retry_failed}
    total = sum(1 for run in spec.iter_runs() if run["key"] not in skip)  # first pass: count only
    if total:
        store.clear_tables()
    todo = (run for run in spec.iter_runs() if run["key"] not in skip)
    log.info("%s: %d runs, %d already stored, %d to run", spec.name, spec.n_runs, spec.n_runs - total, total)
    bar = Progress(total, label=spec.name, enabled=progress)
    d = _Dispatch(spec, store, todo, total, width, batch, bar, device)
    window = 2 * width + 1 if width > 1 else 1
    in_flight: dict = {}  # future -> (its runs, whether it is one suspect run alone, when it was sent)
    suspects: deque = deque()  # runs of batches lost with their worker, to run again alone
    # signals wait for the loop's next look while a pool runs the runs (see the module's summary)
    deferring = stop.deferring(not isinstance(executor, SerialExecutor)) if stop else contextlib.nullcontext()
    try:
        with deferring:
            while True:
                if suspects:
                    if not in_flight:
                        run = suspects.popleft()
                        in_flight[d.submit(executor, [run])] = ([run], True, time.perf_counter())
                else:
                    while len(in_flight) < window and d.remaining > 0:
                        chunk = d.next_batch()
                        in_flight[d.submit(executor, chunk)] = (chunk, False, time.perf_counter())
                if not in_flight:
                    break
                lost = []
                for future in _wait(in_flight, executor, stop):
                    chunk, alone, sent = in_flight.pop(future)
                    try:
                        records = future.result()
                    except Exception as exc:
                        if not _worker_lost(exc):
                            raise _aborted(exc) from exc
                        lost.append((chunk, alone, sent, exc))
                        continue
                    d.stored(chunk, records)
                if lost:
                    _recover(executor, d, in_flight, lost, suspects)
    finally:
        for future in in_flight:
            future.cancel()
        bar.close()
    return {"new": total, "stored": spec.n_runs - total, **d.counts}


def _recover(executor, d: _Dispatch, in_flight: dict, lost: list, suspects: deque) -> None:
    """After tasks were lost with their worker: restart a broken pool, store the runs that died alone,
    queue the others to run again alone."""
    how = f"{type(lost[0][3]).__name__}: {lost[0][3]}".splitlines()[0]
    if any(isinstance(exc, BrokenProcessPool) for *_, exc in lost):
        # the whole pool is lost: every task in flight fails with it (a few may have finished first)
        for future in wait(list(in_flight))[0]:
            chunk, alone, sent = in_flight.pop(future)
            exc = future.exception()
            if exc is None:
                d.stored(chunk, future.result())
            elif _worker_lost(exc):
                lost.append((chunk, alone, sent, exc))
            else:
                raise _aborted(exc) from exc
        if not callable(getattr(executor, "restart", None)):
            raise _aborted(lost[0][3], " (a worker process died, and this executor cannot be restarted)")
        code, how = executor.restart()
        if code is not None and code > 0 and getattr(executor, "start_method", "fork") != "fork":
            # a worker that exits at once with an error: it could not start (a script's main module
            # run again in each spawned worker)
            raise SweepAborted(f"worker processes could not start (exit status {code})" + _SPAWN_HINT)
    again = 0
    for chunk, alone, sent, _ in lost:
        if alone:
            d.died(chunk[0], how, time.perf_counter() - sent)
        else:
            suspects.extend(chunk)
            again += len(chunk)
    if again:
        log.warning("a worker process died (%s); the %d runs in flight with it run again, one at a time", how, again)


class _Stop:
    """The signals that stop a sweep running in the main thread: SIGTERM and Ctrl-C (SIGINT).

    Each raises its exception (:class:`SweepTerminated`, :class:`KeyboardInterrupt`) in the main thread
    at once, as Python's own Ctrl-C does, except while :meth:`deferring`: the signal is then noted, and
    :meth:`check` raises it at the dispatch loop's next look. A second signal while one waits raises at once.
    """

    def __init__(self):
        self.signum: int | None = None
        self.deferred = False

    def handler(self, signum, frame) -> None:
        waiting = self.signum is not None
        self.signum = signum
        if signum == signal.SIGTERM:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: the clean stop is under way
        if waiting or not self.deferred:
            self.check()

    def check(self) -> None:
        """Raise what a signal asked for, if one came."""
        if self.signum == signal.SIGTERM:
            raise SweepTerminated("stopped by SIGTERM")
        if self.signum is not None:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferring(self, defer: bool = True):
        """While inside, signals wait for :meth:`check` (if ``defer``); one that came is raised on leaving."""
        self.deferred = defer
        try:
            yield self
        finally:
            self.deferred = False
        self.check()


@contextlib.contextmanager
def _stops():
    """While a sweep runs in the main thread, SIGTERM raises :class:`SweepTerminated` there, and Ctrl-C
    :class:`KeyboardInterrupt`, through one :class:`_Stop` (yielded; None in another thread). A signal that
    is ignored when the sweep starts (SIGINT in a background job) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    stop = _Stop()
    previous = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, stop.handler)
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)


def sweep(spec="bass", *, vary: dict | None = None, design: str | None = None, samples: int | None = None,
          replicates: int | None = None, seed: int | None = None, overrides: dict | None = None,
          streams: str | None = None, timeseries: bool | None = None, every: int | None = None,
          timeout: float | None = None, size: str | None = None, workers: int | None = None,
          scheduler: str | None = None, executor=None, out: str | Path | None = None, resume: bool = False,
          retry_failed: bool = False, batch: int | None = None, plots: bool | None = None,
          progress: bool | None = None, device: str = "cpu") -> SweepResult:
    """Run a parameter sweep: a base scenario × a design × replicates.

    Parameters
    ----------
    spec : str, Path or dict
        A shipped experiment (``"tipping_point"``), a sweep TOML file, a dict
        of the same shape, or a scenario (name or TOML file) to sweep with
        ``vary``.
    vary : dict, optional
        Dotted scenario keys to values: lists, ``"start:stop:step"`` ranges
        (stop included) or, for sampling designs, bounds ``[lo, hi]``.
    design : {"grid", "zip", "random", "lhs", "sobol"}, optional
        How the values combine (default grid); ``samples`` sets the number of
        points of random and lhs designs, and N of a sobol design.
    replicates : int, optional
        Runs per design point (default 1).
    seed : int, optional
        Root seed (default: the scenario's). Run seeds derive from it and the
        run's replicate (``streams="common"``: common random numbers across
        design points) or its design point and replicate (``"independent"``).
    overrides : dict, optional
        Fixed changes to the base scenario.
    timeseries, every : optional
        Store each run's time series, every k-th step.
    timeout : float, optional
        Seconds a run may take before it is stopped and stored as failed.
    size : str, optional
        A named size of the spec (``"small"``).
    workers : int, optional
        Parallel workers (default: the number of cores; 1 runs serially here).
    scheduler : str, optional
        ``"local"`` (a Dask LocalCluster of ``workers`` processes) or the
        address of a Dask scheduler (``"tcp://host:8786"``).
    executor : concurrent.futures.Executor, optional
        Any executor to run on instead (you keep ownership of it).
    out : str or Path, optional
        Folder of the stored sweep: a new or empty folder, or one holding a
        sweep bouche stored (see :mod:`sim.experiments.store`); anything else
        is refused with a ConfigError, before anything is written. Default:
        a temporary folder, removed after the tables are read back.
    resume : bool
        Continue a sweep stored in ``out``: only runs not stored yet are run;
        the spec may add design points or replicates, nothing else.
    retry_failed : bool
        With ``resume``, run the failed runs again.
    batch : int, optional
        Runs per task (default: adaptive, about 0.25 s of work per task).
    plots : bool, optional
        Write the PNG figures into ``out`` (default: when ``out`` is given).
    progress : bool, optional
        Draw a progress bar (tqdm: on a terminal, or a widget in a notebook;
        default: there, not when the output is a file or a pipe).
    device : {"cpu", "gpu"}
        Where each run's dynamics run (``"gpu"``: CuPy on an NVIDIA GPU, see
        :mod:`sim.backend`; then ``workers`` defaults to 1, one process
        driving the GPU). GPU runs are statistically, not bitwise, identical
        to CPU runs of the same seeds.

    Returns
    -------
    SweepResult
        ``.runs`` (one row per run), ``.summary`` (one row per design point),
        ``.timeseries`` (run × step, when recorded), ``.failures``,
        ``.sobol`` (Sobol' indices of a sobol design) and ``.out``.

    Raises
    ------
    ConfigError
        Bad input (one line), before anything runs.
    SweepTerminated
        SIGTERM arrived while the sweep ran in the main thread (a
        :class:`KeyboardInterrupt`, like Ctrl-C): the stored runs are kept,
        ``resume=True`` continues.
    SweepAborted
        The executor broke for good (a cluster that went away).
    """
    resolved = spec if isinstance(spec, SweepSpec) else load_spec(
        spec, vary=vary, design=design, samples=samples, replicates=replicates, seed=seed, overrides=overrides,
        streams=streams, timeseries=timeseries, every=every, timeout=timeout, size=size)
    if batch is not None and (isinstance(batch, bool) or not isinstance(batch, int) or batch < 1):
        raise ConfigError("--batch", f"must be an integer >= 1; got {batch!r}")
    get_backend(device, key="--device")  # one line now, not one failed run per task
    if device == "gpu" and workers is None and executor is None and not scheduler:
        workers = 1
    temporary = out is None
    folder = Path(tempfile.mkdtemp(prefix="bouche-sweep-")) if temporary else Path(out)
    try:
        with _stops() as stop:
            result = _sweep_into(resolved, folder, executor, workers, scheduler, resume, retry_failed, batch,
                                 plots if plots is not None else not temporary, progress, device, stop)
        if temporary:
            result._timeseries = result.timeseries
            result.out = None
        return result
    finally:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)


def _sweep_into(spec, folder, executor, workers, scheduler, resume, retry_failed, batch, plots, progress, device,
                stop=None):
    start = time.perf_counter()
    store = Store(folder)
    store.check(spec, resume)  # before a cluster starts, and before anything is written
    if executor is not None:
        opened = _given(executor, workers)
    else:
        opened = executors.open_executor(workers=workers, scheduler=scheduler)
    new = 0
    with store:
        with opened as (ex, label, width):
            log.info("%s runs on %s (%d at a time)", spec.name, label, width)
            store.open(spec, resume=resume)
            for attempt in range(3):
                counts = execute(spec, store, ex, width, batch=batch, retry_failed=retry_failed and not attempt,
                                 progress=progress, device=device, stop=stop)
                new += counts["new"]
                try:
                    runs, summary = store.assemble(spec)
                    break
                except DamagedParts as exc:  # set aside: their runs run again
                    if attempt == 2:
                        raise SweepAborted(f"{exc}, three times over: is the disk failing?") from None
        result = SweepResult(runs=runs, summary=summary, spec=spec, out=folder, new=new,
                             stored=max(0, spec.n_runs - new), executor=label)
        n_failed = int((runs["status"] != "ok").sum()) if "status" in runs else 0
        if n_failed:
            log.info("%s: %d of %d runs failed (SweepResult.failures holds their errors)", spec.name, n_failed,
                     len(runs))
        if spec.design.get("kind") == "sobol":
            from sim.experiments import sobol

            result.sobol = sobol.indices(spec, runs, folder / "sobol.csv")
        if plots:
            from sim.experiments import plots as plots_mod

            store.clear_figures()
            result.figures = plots_mod.sweep_figures(result, folder)
            store.record_figures(result.figures)
    result.wall_s = time.perf_counter() - start
    return result


class _given:
    """Context manager around an executor the caller owns (not shut down here)."""

    def __init__(self, executor, workers):
        self.value = (executor, type(executor).__name__, workers or executors.default_workers())

    def __enter__(self):
        return self.value

    def __exit__(self, *exc):
        return False
