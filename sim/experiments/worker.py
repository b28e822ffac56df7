"""The unit of work a sweep sends to its executor: run a batch of runs, return their records.

This module is what worker processes import (it is preloaded by the local
process pool), so it imports the engine and nothing else: no command line, no
matplotlib, no Dask. A run that raises does not stop the batch: its record
says ``status = "failed"`` with the message and traceback.

Examples
--------
>>> from sim import config
>>> base = config.load("bass", overrides={"network.n": 300, "run.steps": 5}).to_dict()
>>> recs = run_batch(base, [{"key": "a", "overrides": {"wom.q": 0.5}, "seed": 1},
...                         {"key": "b", "overrides": {"wom.q": -1.0}, "seed": 1}])
>>> [r["status"] for r in recs]
['ok', 'failed']
>>> recs[0]["metrics"]["steps_run"], recs[1]["error"]
(5, 'ConfigError: wom.q must be a number >= 0; got -1.0')
"""

from __future__ import annotations

import math
import signal
import threading
import time
import traceback

import numpy as np

from sim import batch, config, rules, runs

__all__ = ["RunTimeout", "flatten_metrics", "run_batch", "run_one"]


class RunTimeout(Exception):
    """A run took longer than the sweep's per-run timeout."""


def flatten_metrics(summary: dict, prefix: str = "") -> dict:
    """Summary dict -> flat dict of scalars: nested dicts joined with ``_``, None -> NaN,
    numpy scalars -> Python, lists -> their length is not a metric and they are dropped.

    Examples
    --------
    >>> flatten_metrics({"final": 3, "by": {"seed": 1, "wom": 2}, "t50": None})
    {'final': 3, 'by_seed': 1, 'by_wom': 2, 't50': nan}
    """
    out = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten_metrics(value, f"{name}_"))
        elif value is None:
            out[name] = math.nan
        elif isinstance(value, np.generic):
            out[name] = value.item()
        elif isinstance(value, (bool, int, float, str)):
            out[name] = float(value) if isinstance(value, bool) else value
    return out


def _thin(ts, every: int) -> dict:
    """Every ``every``-th step of a time series, plus the last step, as a dict of arrays."""
    steps = ts["step"].to_numpy()
    keep = (steps % every == 0)
    keep[-1] = True
    return {col: ts[col].to_numpy()[keep] for col in ts.columns}


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


# The last seed-free graph this worker built: runs sent to it share the graph when it does not
# depend on their seed (a ring, a graph file, a fixed network.seed), across design points too.
_GRAPHS: dict = {}


def _metrics(model, timeseries: bool, every: int) -> tuple[dict, dict | None]:
    ts, summary = runs.result_of(model)
    return flatten_metrics(summary), (_thin(ts, every) if timeseries else None)


def run_one(scenario: dict, overrides: dict, seed: int, timeseries: bool = False, every: int = 1,
            timeout: float | None = None, device: str = "cpu") -> tuple[dict, dict | None]:
    """Run one scenario; return its flat metrics and, if asked, its thinned time series.

    The timeout interrupts the run wherever it is when this runs in a
    process's main thread (serial and process-pool workers); elsewhere (Dask
    worker threads) it is checked after each step of models that take
    step observers.
    """
    start = time.perf_counter()
    model = batch.build_model(config.load(scenario, overrides=overrides, seed=seed), device, _GRAPHS)
    if timeout is not None and hasattr(model, "observers"):
        def deadline(*_):
            if time.perf_counter() - start > timeout:
                raise RunTimeout(f"run took longer than {timeout:g} s")
        model.observers.append(deadline)
    model.run()
    return _metrics(model, timeseries, every)


def _run_replicates(scenario: dict, group: list[dict], record: dict) -> list[dict] | None:
    """The runs of one design point (several seeds) as one batch (:mod:`sim.batch`); None if one fails.

    Their results are those of running each alone; each run is credited an
    equal share of the batch's wall time. When any run raises, None is
    returned and the caller runs them one by one, so each failure is recorded
    with its own message.
    """
    t0 = time.perf_counter()
    budget = None if record.get("timeout") is None else record["timeout"] * len(group)

    def deadline(*_):  # an observer: blocks step their models' observers too
        if time.perf_counter() - t0 > budget:
            raise RunTimeout(f"the batch took longer than {budget:g} s")

    try:
        specs = (config.load(scenario, overrides=p["overrides"], seed=p["seed"]) for p in group)
        results = [_metrics(m, record.get("timeseries", False), record.get("every", 1))
                   for m in batch.iter_models(specs, record.get("device", "cpu"), _GRAPHS,
                                              observers=() if budget is None else (deadline,))]
    except Exception:  # noqa: BLE001 (run again one by one below, where failures are recorded per run)
        return None
    each = (time.perf_counter() - t0) / len(group)
    return [{"key": p["key"], "status": "ok", "error": "", "traceback": "", "metrics": met, "timeseries": ts,
             "duration_s": each} for p, (met, ts) in zip(group, results)]


_ARMED = {"on": False}


def _alarm(signum, frame):
    if _ARMED["on"]:  # fires at most once per arming
        _ARMED["on"] = False
        raise RunTimeout("run took longer than the timeout")


def _failed(rec: dict, exc: BaseException, timeout) -> None:
    if isinstance(exc, RunTimeout):
        exc = RunTimeout(f"run took longer than {timeout:g} s")
    rec.update(status="failed", error=f"{type(exc).__name__}: {exc}".splitlines()[0],
               traceback="".join(traceback.format_exception(exc)), metrics={}, timeseries=None)


def run_batch(scenario: dict, points: list[dict], record: dict | None = None) -> list[dict]:
    """Run each point of a batch on the base scenario; return one record per point.

    Parameters
    ----------
    scenario : dict
        The resolved base scenario (``Scenario.to_dict()``).
    points : list of dict
        Each with ``key``, ``overrides`` (the design point) and ``seed`` (an int).
    record : dict, optional
        ``timeseries`` (bool), ``every`` (int), ``timeout`` (seconds or None),
        ``device`` ("cpu" or "gpu") and ``rules`` (where the parent's own
        word-of-mouth rules come from: imported here first, see
        :func:`sim.rules.origins`). Consecutive points of one design point
        (replicates) run as one batch (:func:`sim.batch.iter_models`: a
        shared graph is built once, and small models are stepped together),
        with the same results; with a timeout the batch gets the sum of its
        runs' budgets, and runs again one by one if it overruns, so each run
        is stopped on its own.

    Returns
    -------
    list of dict
        ``key``, ``status`` ("ok" or "failed"), ``error``, ``traceback``,
        ``duration_s``, ``metrics`` (flat dict) and ``timeseries`` (dict of
        arrays, or None). Never the model.
    """
    record = record or {}
    rules.load_modules(record.get("rules", ()))
    out: list[dict] = []
    i = 0
    while i < len(points):
        j = i + 1  # points[i:j]: replicates of one design point, sent together
        while j < len(points) and points[j]["overrides"] == points[i]["overrides"]:
            j += 1
        together = _run_replicates(scenario, points[i:j], record) if j - i > 1 else None
        out.extend(together if together is not None else (_run_point(scenario, p, record) for p in points[i:j]))
        i = j
    return out


def _run_point(scenario: dict, point: dict, record: dict) -> dict:
    """One run, with its timeout (an alarm where this is a process's main thread) and failure record."""
    timeout = record.get("timeout")
    alarm = timeout is not None and _in_main_thread()
    t0 = time.perf_counter()
    rec = {"key": point["key"], "status": "ok", "error": "", "traceback": "", "metrics": {},
           "timeseries": None}
    previous = signal.signal(signal.SIGALRM, _alarm) if alarm else None
    try:
        try:
            if alarm:
                _ARMED["on"] = True
                signal.setitimer(signal.ITIMER_REAL, timeout)
            rec["metrics"], rec["timeseries"] = run_one(scenario, point["overrides"], point["seed"],
                                                        record.get("timeseries", False),
                                                        record.get("every", 1), timeout,
                                                        record.get("device", "cpu"))
            _ARMED["on"] = False
        except Exception as exc:  # noqa: BLE001 (a failing run is data, not the end of the sweep)
            _ARMED["on"] = False
            _failed(rec, exc, timeout)
    except RunTimeout as exc:  # the alarm went off while the failure above was being recorded
        _failed(rec, exc, timeout)
    finally:
        if alarm:
            _ARMED["on"] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    rec["duration_s"] = time.perf_counter() - t0
    return rec
