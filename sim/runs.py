"""Run a scenario and keep its results: the Python entry point behind ``bouche run``.

Examples
--------
>>> r = run("bass", seed=1, overrides={"network.n": 1000, "run.steps": 10})
>>> sorted(r.summary)[:3]
['adopters_by_channel', 'cost_per_adopter', 'final_adopters']
>>> r.timeseries.columns[:4].tolist()
['step', 'time', 'adopters', 'adopted_fraction']
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import platform
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from sim import config
from sim.errors import ConfigError
from sim.metrics import summarize
from sim.outputs import atomic_folder
from sim.model import DiffusionModel

__all__ = ["RunResult", "run", "result_of", "write_run", "versions"]


@dataclass
class RunResult:
    """What a run gives back: its time series, summary, resolved configuration and model."""

    timeseries: pd.DataFrame
    summary: dict
    config: dict
    model: DiffusionModel = field(repr=False)


def run(scenario="bass", seed: int | None = None, steps: int | None = None, overrides: dict | None = None,
        device: str = "cpu", **kwargs) -> RunResult:
    """Run one scenario to its stop rule.

    Parameters
    ----------
    scenario : str, Path, dict or sim.config.Scenario
        Shipped scenario name, TOML file, dict or resolved scenario.
    seed : int, optional
        Root seed (defaults to the scenario's ``seed``).
    steps : int, optional
        Shorthand for ``run.steps``.
    overrides : dict, optional
        Dotted keys to values: ``{"wom.q": 0.5}``.
    device : {"cpu", "gpu"}
        Where the dynamics run (``gpu`` needs CuPy and an NVIDIA GPU; see :mod:`sim.backend`).
    **kwargs
        More overrides, with ``__`` for the dot: ``wom__q=0.5``.

    Returns
    -------
    RunResult
        ``.timeseries`` (DataFrame), ``.summary`` (dict), ``.config`` and ``.model``.
    """
    changes = dict(overrides or {})
    changes.update({k.replace("__", "."): v for k, v in kwargs.items()})
    if steps is not None:
        changes["run.steps"] = steps
    spec = config.load(scenario, overrides=changes, seed=seed)
    cls = model_class(spec.model)
    if device in (None, "cpu"):
        model = cls(spec)
    else:
        from sim.backend import get_backend

        get_backend(device)  # one line for an unknown device, or a GPU that is missing
        if "device" not in inspect.signature(cls).parameters:
            raise ConfigError("device", f"= {device} runs the adoption model only; got model = {spec.model}")
        model = cls(spec, device=device)
    model.run()
    ts, summary = result_of(model)
    return RunResult(timeseries=ts, summary=summary, config=resolved_config(model), model=model)


def result_of(model) -> tuple:
    """``(timeseries, summary)`` of a model that has run: its own summary, or the adoption metrics."""
    ts = model.timeseries()
    summary = model.summary() if hasattr(model, "summary") else summarize(ts, model.n, model.state.by_channel())
    return ts, summary


def model_class(name: str):
    """The model class that runs scenarios with ``model = NAME`` (see :data:`sim.config.MODELS`)."""
    module, cls = config.MODELS[name].split(":")
    return getattr(importlib.import_module(module), cls)


def versions() -> dict:
    """Versions of Python and of the packages that decide the numbers."""
    return dict(_versions())


@functools.lru_cache(maxsize=1)
def _versions() -> dict:  # reading package metadata costs ~20 ms, a lot for a sweep of small runs
    out = {"python": platform.python_version()}
    for dist in ("bouche", "mesa", "numpy", "scipy", "networkx", "pandas"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def resolved_config(model: DiffusionModel) -> dict:
    """Everything needed to reproduce the run: parameters, seed, streams, versions, network."""
    g = model.graph
    return {
        "scenario": model.spec.to_dict(),
        "source": model.spec.source,
        "seed": model.spec.seed,
        "randomness": model.streams.provenance(),
        "network_built": {"n": g.n, "edges": int(g.n_edges), "directed": bool(g.directed),
                          "mean_contacts": float(g.in_degree.mean()) if g.n else 0.0},
        "device": getattr(getattr(model, "backend", None), "device", "cpu"),
        "versions": versions(),
    }


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def write_run(result: RunResult, out: str | Path, plots: bool = True) -> Path:
    """Write a run folder atomically: ``config.json``, ``timeseries.csv``, ``summary.json``, PNG plots.

    The folder is assembled under a temporary name beside ``out`` and renamed
    when complete, so a failed run never leaves a folder that looks finished. An
    earlier run folder that bouche wrote (its marker lists every file in it) is
    replaced; anything else is refused (see :mod:`sim.outputs`).
    """
    out = Path(out)
    with atomic_folder(out, kind="run folder") as tmp:
        (tmp / "config.json").write_text(json.dumps(result.config, indent=2, default=_json_default) + "\n")
        result.timeseries.to_csv(tmp / "timeseries.csv", index=False)
        (tmp / "summary.json").write_text(json.dumps(result.summary, indent=2, default=_json_default) + "\n")
        if plots:
            write_figures(result, tmp)
    return out


def write_figures(result: RunResult, folder: Path) -> list[Path]:
    """The run's figures: the model's own (``model.figures(result, folder)``) or the adoption curve,
    then the scenario's report figures (``report = NAME`` in the scenario, see :data:`REPORTS`)."""
    if hasattr(result.model, "figures"):
        paths = list(result.model.figures(result, folder))
    else:
        from sim import plots as plots_mod

        paths = [plots_mod.adoption_figure(result, folder / "adoption.png")]
    from sim import netplot  # the network at the end of the run (adoption models, up to a few thousand people)

    if netplot.wants_snapshot(result.model):
        paths.append(netplot.snapshot_figure(result, folder / "network.png"))
    report = result.model.spec.report
    if report:
        module, func = config.REPORTS[report].split(":")
        paths += list(getattr(importlib.import_module(module), func)(result, folder))
    return paths


def describe(result: RunResult, file=sys.stdout) -> None:
    """Print a short human summary of a run (the model's own ``describe`` if it has one)."""
    if hasattr(result.model, "describe"):
        result.model.describe(result, file=file)
        return
    s = result.summary
    ch = s["adopters_by_channel"]
    n = result.model.n

    def when(key):
        return "never" if s[key] is None else f"t = {s[key]:g}"

    print(f"{result.model.spec.name}: {s['final_adopters']:,} of {n:,} people adopted "
          f"({100 * s['final_fraction']:.1f} %) in {s['steps_run']} steps", file=file)
    print(f"  by channel: seed {ch['seed']:,}, media {ch['media']:,}, word of mouth {ch['wom']:,}", file=file)
    print(f"  10 % {when('time_to_10')}, 50 % {when('time_to_50')}, 90 % {when('time_to_90')}; "
          f"peak {s['peak_new_adopters']:,} new at {when('peak_time')}", file=file)
    if s["total_cost"]:
        per = "n/a" if s["cost_per_adopter"] is None else f"{s['cost_per_adopter']:,.2f}"
        print(f"  cost {s['total_cost']:,.2f} in all, {per} per adopter", file=file)
