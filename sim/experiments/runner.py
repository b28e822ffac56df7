"""Run a sweep: dispatch batches of runs to an executor, store each batch as it completes.

Seeds are fixed before dispatch, workers return data, the parent is the one
writer. A bounded window of batches is in flight, so neither the executor
nor the parent's memory grows with the number of runs; the parent keeps only
counts and the first few failure messages, and assembles the tables from the
stored parts at the end.

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

import shutil
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.backend import get_backend
from sim.errors import ConfigError
from sim.experiments import executors
from sim.experiments.progress import Progress
from sim.experiments.spec import SweepSpec, load_spec
from sim.experiments.store import Store
from sim.experiments.worker import run_batch

__all__ = ["TARGET_BATCH_S", "SweepAborted", "SweepResult", "execute", "sweep"]

TARGET_BATCH_S = 0.25  # aim for batches of about this many seconds of model time
MAX_BATCH = 256


class SweepAborted(RuntimeError):
    """The executor broke (a worker process died, the cluster went away); stored runs are kept."""


@dataclass
class SweepResult:
    """What a sweep gives back: its tables (pandas DataFrames), folder and resolved spec."""

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
                       "device": device}

    def next_batch(self) -> tuple[list[dict], list[dict]]:
        """The next runs to send (sized to about TARGET_BATCH_S of work) and their task points."""
        size = _batch_size(self.batch, self.run_time / self.run_count if self.run_count else None, self.remaining,
                           self.width)
        chunk = [run for _, run in zip(range(size), self.todo)]
        self.remaining -= len(chunk)
        return chunk, [{"key": r["key"], "overrides": r["point"], "seed": r["seed"]} for r in chunk]

    def stored(self, chunk: list[dict], records: list[dict]) -> None:
        """Store one completed batch as a part, and count it."""
        rows, series = [], []
        for run, rec in zip(chunk, records):
            rows.append(Store.row(run, rec, self.spec.varied))
            if rec["timeseries"] is not None:
                series.append(pd.DataFrame({"key": run["key"], **rec["timeseries"]}))
            self.run_time += rec["duration_s"]
            self.run_count += 1
            if rec["status"] != "ok" and len(self.counts["first_failures"]) < 5:
                self.counts["first_failures"].append((run, rec["error"]))
        self.store.write_part(rows, series)
        n_ok = sum(rec["status"] == "ok" for rec in records)
        self.counts["ok"] += n_ok
        self.counts["failed"] += len(records) - n_ok
        self.bar.update(ok=n_ok, failed=len(records) - n_ok)


def _aborted(exc: BaseException) -> SweepAborted:
    hint = " (if this runs from a script, call sim.sweep under if __name__ == '__main__':)" \
        if isinstance(exc, BrokenProcessPool) else ""
    return SweepAborted(f"{type(exc).__name__}: {exc}".splitlines()[0] + hint)


def _start_pool_while_working(executor, d: _Dispatch, window: int, in_flight: dict) -> None:
    """Submit the first window of batches from a thread, and run batches here meanwhile.

    The first submissions to a fresh process pool wait until its worker
    processes have started and imported the engine (about a second); this
    process has it imported already, so it works instead of waiting.
    """
    first = [d.next_batch() for _ in range(window) if d.remaining > 0]
    submitted, errors = {}, []

    def submit():
        try:
            for chunk, points in first:
                submitted[executor.submit(run_batch, d.spec.scenario, points, d.record)] = chunk
        except Exception as exc:  # noqa: BLE001 (raised again below, in the calling thread)
            errors.append(exc)

    thread = threading.Thread(target=submit, name="bouche-pool-start", daemon=True)
    thread.start()
    while thread.is_alive() and d.remaining > 0:
        chunk, points = d.next_batch()
        d.stored(chunk, run_batch(d.spec.scenario, points, d.record))
    thread.join()
    in_flight.update(submitted)
    if errors:
        raise _aborted(errors[0]) from errors[0]


def execute(spec: SweepSpec, store: Store, executor, width: int, *, batch: int | None = None,
            retry_failed: bool = False, progress: bool | None = None, help_while_starting: bool = False,
            device: str = "cpu") -> dict:
    """Run every run of ``spec`` not yet stored; returns counts and the first failures.

    With ``help_while_starting`` (local process pools) this process runs
    batches itself until the first worker answers: it has the engine imported
    already, while new workers need about a second to import it.
    """
    stored = store.stored()
    skip = {k for k, status in stored.items() if status == "ok" or not retry_failed}
    total = sum(1 for run in spec.iter_runs() if run["key"] not in skip)  # first pass: count only
    if total:
        store.clear_tables()
    todo = (run for run in spec.iter_runs() if run["key"] not in skip)
    bar = Progress(total, label=spec.name, enabled=progress)
    d = _Dispatch(spec, store, todo, total, width, batch, bar, device)
    window = 2 * width + 1 if width > 1 else 1
    in_flight: dict = {}
    warming = help_while_starting
    try:
        if help_while_starting and not executors.forks(executor):  # forked workers start at once
            _start_pool_while_working(executor, d, window, in_flight)
        while True:
            while len(in_flight) < window and d.remaining > 0:
                chunk, points = d.next_batch()
                in_flight[executor.submit(run_batch, spec.scenario, points, d.record)] = chunk
            if not in_flight:
                break
            if warming and d.remaining > 0 and not wait(in_flight, timeout=0).done:
                chunk, points = d.next_batch()  # no worker has answered yet: run a batch here
                d.stored(chunk, run_batch(spec.scenario, points, d.record))
                continue
            warming = False
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                chunk = in_flight.pop(future)
                try:
                    records = future.result()
                except Exception as exc:
                    raise _aborted(exc) from exc
                d.stored(chunk, records)
    finally:
        for future in in_flight:
            future.cancel()
        if total:
            bar.close()
    return {"new": total, "stored": spec.n_runs - total, **d.counts}


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
        Folder of the stored sweep; default: a temporary folder, removed
        after the tables are read back.
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
        Draw a progress bar on stderr (default: when stderr is a terminal).
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
        result = _sweep_into(resolved, folder, executor, workers, scheduler, resume, retry_failed, batch,
                             plots if plots is not None else not temporary, progress, device)
        if temporary:
            result._timeseries = result.timeseries
            result.out = None
        return result
    finally:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)


def _sweep_into(spec, folder, executor, workers, scheduler, resume, retry_failed, batch, plots, progress, device):
    start = time.perf_counter()
    Store(folder).check(spec, resume)  # before a cluster starts, and before anything is written
    if executor is not None:
        opened = _given(executor, workers)
    else:
        opened = executors.open_executor(workers=workers, scheduler=scheduler)
    with opened as (ex, label, width), Store(folder) as store:
        store.open(spec, resume=resume)
        counts = execute(spec, store, ex, width, batch=batch, retry_failed=retry_failed, progress=progress,
                         help_while_starting=isinstance(ex, ProcessPoolExecutor), device=device)
        runs, summary = store.assemble(spec)
    result = SweepResult(runs=runs, summary=summary, spec=spec, out=folder, new=counts["new"],
                         stored=counts["stored"], executor=label)
    if spec.design.get("kind") == "sobol":
        from sim.experiments import sobol

        result.sobol = sobol.indices(spec, runs, folder / "sobol.csv")
    if plots:
        from sim.experiments import plots as plots_mod

        result.figures = plots_mod.sweep_figures(result, folder)
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
