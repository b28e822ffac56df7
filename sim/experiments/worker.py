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

from sim import config, runs
from sim.metrics import summarize

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


def run_one(scenario: dict, overrides: dict, seed: int, timeseries: bool = False, every: int = 1,
            timeout: float | None = None) -> tuple[dict, dict | None]:
    """Run one scenario; return its flat metrics and, if asked, its thinned time series.

    The timeout interrupts the run wherever it is when this runs in a
    process's main thread (serial and process-pool workers); elsewhere (Dask
    worker threads) it is checked after each step of models that take
    step observers.
    """
    start = time.perf_counter()
    spec = config.load(scenario, overrides=overrides, seed=seed)
    model = runs.model_class(spec.model)(spec)
    if timeout is not None and hasattr(model, "observers"):
        def deadline(*_):
            if time.perf_counter() - start > timeout:
                raise RunTimeout(f"run took longer than {timeout:g} s")
        model.observers.append(deadline)
    model.run()
    ts = model.timeseries()
    summary = model.summary() if hasattr(model, "summary") else summarize(ts, model.n, model.state.by_channel())
    return flatten_metrics(summary), (_thin(ts, every) if timeseries else None)


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
        ``timeseries`` (bool), ``every`` (int) and ``timeout`` (seconds or None).

    Returns
    -------
    list of dict
        ``key``, ``status`` ("ok" or "failed"), ``error``, ``traceback``,
        ``duration_s``, ``metrics`` (flat dict) and ``timeseries`` (dict of
        arrays, or None). Never the model.
    """
    record = record or {}
    timeout = record.get("timeout")
    alarm = timeout is not None and _in_main_thread()
    out = []
    for point in points:
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
                                                            record.get("every", 1), timeout)
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
        out.append(rec)
    return out
