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
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from sim import config, networks
from sim.errors import ConfigError
from sim.metrics import summarize
from sim.model import DiffusionModel
from sim.outputs import atomic_folder

__all__ = ["ADOPTION_FORMATS", "RunResult", "run", "result_of", "write_run", "versions", "load_with_graph",
           "graph_record"]

# What a graph of one's own changes in the scenario, and why: the graph replaces the network, and the
# scenario's report and variants (which a report runs) rerun the scenario's own network.
GRAPH_LAYER = {"network.kind": ("graph", "the graph replaces the scenario's network"),
               "report": ("", "a report reruns the scenario's own network"),
               "variants": ({}, "a report runs them on the scenario's own network")}
_GIVEN = GRAPH_LAYER["network.kind"][0]  # the network.kind of a run given its graph


@dataclass(repr=False)
class RunResult:
    """What a run gives back: its time series, summary, resolved configuration and model.

    Its ``repr`` is one line; a notebook shows a short table (``_repr_html_``)
    and :meth:`plot` draws the run's figure.
    """

    timeseries: pd.DataFrame
    summary: dict
    config: dict
    model: DiffusionModel
    adoptions: pd.DataFrame | None = None  # one row per adoption, with its credited source (sim.adoptions)
    trees: dict | None = None  # measures of the diffusion trees (sim.adoptions.tree_measures)

    def headline(self) -> str:
        """The run in one line: who adopted, out of how many, in how many steps (or the model's own numbers)."""
        s, n = self.summary, self.model.n
        if "final_adopters" in s:
            return (f"{s['final_adopters']:,} of {n:,} people adopted ({100 * s['final_fraction']:.1f} %) "
                    f"in {s['steps_run']} steps")
        return f"{n:,} people, {s.get('steps_run', getattr(self.model, 'steps_run', 0))} steps"

    def __repr__(self) -> str:
        spec = self.model.spec
        return f"<RunResult {spec.name} (seed {spec.seed}): {self.headline()}>"

    def _repr_html_(self) -> str:
        from sim.display import html_table, number

        s = self.summary
        rows = []
        for key, value in s.items():
            if isinstance(value, dict):
                rows += [(f"{key}: {k}", number(v)) for k, v in value.items() if isinstance(v, (int, float))]
            elif isinstance(value, (int, float)) or value is None:
                rows.append((key, number(value)))
        spec = self.model.spec
        rows = rows[:16]
        ts = self.timeseries
        return html_table(f"{spec.heading} (seed {spec.seed}): {self.headline()}", rows,
                          f".timeseries ({len(ts):,} rows × {ts.shape[1]} columns), .summary, .config, .model; "
                          f".plot() draws the run")

    def plot(self, kind: str | None = None, ax=None):
        """The run's figure, as a matplotlib Figure (a notebook shows it).

        Parameters
        ----------
        kind : str, optional
            For an adoption model: ``"adoption"`` (default; the curve by channel,
            :func:`sim.figures.adoption.adoption_figure`) or ``"network"`` (the
            network at the end, :func:`sim.figures.network.snapshot_figure`). Other
            models name their own figures (``model.plot``).
        ax : matplotlib Axes, optional
            Draw on it (a pair of Axes for both adoption panels).

        Returns
        -------
        matplotlib.figure.Figure
        """
        own = getattr(self.model, "plot", None)
        if own is not None:
            return own(self, kind=kind, ax=ax)
        if kind in (None, "adoption"):
            from sim.figures.adoption import adoption_figure

            return adoption_figure(self, ax=ax)
        if kind == "network":
            from sim.figures.network import snapshot_figure

            return snapshot_figure(self, ax=ax)
        raise ConfigError("kind", f"must be adoption or network; got {kind!r}")


def run(scenario="bass", seed: int | None = None, steps: int | None = None, overrides: dict | None = None,
        device: str = "cpu", graph=None, adoptions: bool | None = None, **kwargs) -> RunResult:
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
    graph : networkx graph, scipy.sparse matrix or sim.networks.Graph, optional
        A graph of one's own in place of the scenario's network (see
        :func:`load_with_graph` and :func:`sim.networks.as_graph`).
    adoptions : bool, optional
        Keep the adoptions table (who adopted when, through which channel,
        credited to which contact) and the measures of its diffusion trees
        (:mod:`sim.adoptions`). Default: for runs of at most
        :data:`sim.adoptions.MAX_PEOPLE` people (adoption models, on the CPU).
    **kwargs
        More overrides, with ``__`` for the dot: ``wom__q=0.5``.

    Returns
    -------
    RunResult
        ``.timeseries`` (DataFrame), ``.summary`` (dict), ``.config``, ``.model``,
        ``.adoptions`` and ``.trees`` (None when not kept).

    Examples
    --------
    >>> import networkx as nx
    >>> seeds = {"seeding.strategy": "nodes", "seeding.nodes": [0, 33], "seeding.fraction": None}
    >>> r = run("bandwagon", seed=2, graph=nx.karate_club_graph(), overrides=seeds)
    >>> r.model.n, r.config["graph"]["n"], r.config["scenario"]["network"], r.summary["adopters_by_channel"]["seed"]
    (34, 34, {'kind': 'graph', 'seed': None}, 2)
    """
    changes = dict(overrides or {})
    changes.update({k.replace("__", "."): v for k, v in kwargs.items()})
    if steps is not None:
        changes["run.steps"] = steps
    spec, own = load_with_graph(scenario, changes, seed, graph)
    cls = model_class(spec.model)
    extra = {} if own is None else {"graph": own}
    if device in (None, "cpu"):
        model = cls(spec, **extra)
    else:
        from sim.backend import get_backend

        get_backend(device)  # one line for an unknown device, or a GPU that is missing
        if "device" not in inspect.signature(cls).parameters:
            raise ConfigError("device", f"= {device} runs the adoption model only; got model = {spec.model}")
        model = cls(spec, device=device, **extra)
    from sim import adoptions as adoptions_mod

    on_gpu = device not in (None, "cpu")  # kept on the CPU only: off there unless asked (then refused)
    wanted = adoptions_mod.wanted(model, False if on_gpu and adoptions is None else adoptions)
    log = adoptions_mod.attach(model) if wanted else None
    model.run()
    ts, summary = result_of(model)
    result = RunResult(timeseries=ts, summary=summary, config=resolved_config(model), model=model)
    if log is not None:
        model.observers.remove(log)
        result.adoptions = adoptions_mod.table(log, model.graph.labels)
        result.trees = adoptions_mod.tree_measures(log)
    return result


def load_with_graph(scenario, overrides: dict | None, seed: int | None, graph):
    """The scenario of a run and the graph it is given: ``(Scenario, Graph or None)``.

    Without a graph, the scenario as :func:`sim.config.load` resolves it. With
    one, the overrides also set ``network.kind = graph``, ``report = ""`` and
    ``variants = {}`` (:data:`GRAPH_LAYER`): the graph replaces the network,
    so the scenario file's network settings are dropped, while a network
    setting given in ``overrides`` is refused, like any other the kind does not
    read. The graph is converted once (:func:`sim.networks.as_graph`), so that
    runs given it share it. Refused in one line: another value for those three
    keys, a model that takes no graph (``model = attention``), a bad graph.

    Examples
    --------
    >>> import networkx as nx
    >>> spec, g = load_with_graph("bass", {}, None, nx.path_graph(4))
    >>> spec.get("network.kind"), g.n
    ('graph', 4)
    >>> load_with_graph("bass", {"network.n": 4}, None, nx.path_graph(4))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: network.n is not used by network.kind = graph (it is read by complete, ...
    """
    overrides = dict(overrides or {})
    if graph is None:
        return config.load(scenario, overrides=overrides, seed=seed), None
    for key, (value, why) in GRAPH_LAYER.items():
        if overrides.get(key, value) != value:
            raise ConfigError(key, f"must be {value!r} (or left out) when a graph is given: {why}; "
                                   f"got {overrides[key]!r}")
    layer = {key: value for key, (value, _) in GRAPH_LAYER.items()}
    try:
        spec = config.load(scenario, overrides={**overrides, **layer}, seed=seed)
    except ConfigError as exc:
        try:  # a model that takes no graph (its scenario reads no network.kind): that line, the cause
            model = config.load(scenario, overrides=overrides, seed=seed).model
        except ConfigError:
            raise exc from None
        _takes_graph(model)
        raise
    _takes_graph(spec.model)
    return spec, networks.as_graph(graph)


def _takes_graph(model: str) -> None:
    """Refuse, in one line, a graph for a model class that takes none (no ``graph`` keyword)."""
    if "graph" not in inspect.signature(model_class(model)).parameters:
        takers = [m for m in config.MODELS if "graph" in inspect.signature(model_class(m)).parameters]
        raise ConfigError("graph", f"is taken by model = {' or '.join(takers)} only (it replaces the network "
                                   f"people hear each other on); got model = {model}")


def graph_record(graph, given: bool) -> dict:
    """The ``graph`` block of ``config.json``: whether it was given, its real size, direction and
    mean number of contacts, and the SHA-256 of its edges (:func:`sim.networks.edges_sha256`).

    The hash is taken at every size: it reads the CSR arrays once, as building them does many
    times over, so it stays a small share of the run (docs/model.md, "Your own graph").

    Examples
    --------
    >>> rec = graph_record(networks.ring(10, 4), given=False)
    >>> rec["n"], rec["edges"], rec["directed"], rec["mean_contacts"], len(rec["sha256"])
    (10, 20, False, 4.0, 64)
    """
    rec = {"given": bool(given), "n": int(graph.n), "edges": int(graph.n_edges), "directed": bool(graph.directed),
           "mean_contacts": float(graph.in_degree.mean()) if graph.n else 0.0,
           "sha256": networks.edges_sha256(graph)}
    source = getattr(graph, "source", None)  # a stored graph (.bgraph): its file
    if source:
        rec["file"] = source["path"]
    return rec


def result_of(model) -> tuple:
    """``(timeseries, summary)`` of a model that has run: its own summary, or the adoption metrics."""
    ts = model.timeseries()
    if hasattr(model, "summary"):
        return ts, model.summary()
    summary = summarize(ts, model.n, model.state.by_channel())
    state = model.rule_state if model.rule_state is not None else model.engine.rule_state(0)
    summary.update(model.rule.summary(state, model))  # keys of the rule's own (none for most)
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
    """Everything needed to reproduce the run: parameters, seed, streams, versions, and the graph it ran on
    (:func:`graph_record`: its real size, whatever ``network.n`` says, and the hash of its edges; None for
    a model without a graph)."""
    graph = getattr(model, "graph", None)
    given = model.spec.values.get("network.kind") == _GIVEN
    return {
        "scenario": model.spec.to_dict(),
        "source": model.spec.source,
        "seed": model.spec.seed,
        "randomness": model.streams.provenance(),
        "graph": None if graph is None else graph_record(graph, given=given),
        "device": getattr(getattr(model, "backend", None), "device", "cpu"),
        "versions": versions(),
    }


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


ADOPTION_FORMATS = ("parquet", "csv")


def write_run(result: RunResult, out: str | Path, plots: bool = True, adoptions: str = "parquet") -> Path:
    """Write a run folder atomically: ``config.json``, ``timeseries.csv``, ``summary.json``, the model's own
    tables (``model.tables()``: file name -> DataFrame, written as CSV), PNG plots, and where the run kept
    them, ``adoptions.parquet`` (or ``.csv``: ``adoptions = "csv"``) and ``trees.json``
    (:mod:`sim.adoptions`).

    The folder is assembled under a temporary name beside ``out`` and renamed
    when complete, so a failed run never leaves a folder that looks finished. An
    earlier run folder that bouche wrote (its marker lists every file in it) is
    replaced; anything else is refused (see :mod:`sim.outputs`).
    """
    out = Path(out)
    with atomic_folder(out, kind="run folder") as tmp:
        (tmp / "config.json").write_text(json.dumps(result.config, indent=2, default=_json_default) + "\n")
        result.timeseries.to_csv(tmp / "timeseries.csv", index=False)
        summary = {"n": result.model.n, **result.summary}  # the people the run had (a file's, a graph's own)
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=_json_default) + "\n")
        for name, table in (result.model.tables() if hasattr(result.model, "tables") else {}).items():
            table.to_csv(tmp / name, index=False)
        if result.adoptions is not None:
            if adoptions not in ADOPTION_FORMATS:
                raise ConfigError("adoptions", f"must be written as {' or '.join(ADOPTION_FORMATS)}; got {adoptions!r}")
            if adoptions == "csv":
                result.adoptions.to_csv(tmp / "adoptions.csv", index=False)
            else:
                result.adoptions.to_parquet(tmp / "adoptions.parquet", index=False)
            (tmp / "trees.json").write_text(json.dumps(result.trees, indent=2, default=_json_default) + "\n")
        if plots:
            write_figures(result, tmp)
    return out


def write_figures(result: RunResult, folder: Path) -> list[Path]:
    """The run's figures: the model's own (``model.figures(result, folder)``) or the adoption curve,
    then the scenario's report figures (``report = NAME`` in the scenario, see :data:`REPORTS`)."""
    from sim.figures.canvas import save

    if hasattr(result.model, "figures"):
        paths = list(result.model.figures(result, folder))
    else:
        paths = [save(result.plot("adoption"), folder / "adoption.png")]
    from sim.figures import network as netplot  # the end-of-run network (adoption models, up to a few thousand people)

    if netplot.wants_snapshot(result.model):
        paths.append(save(result.plot("network"), folder / "network.png"))
    report = result.model.spec.report
    if report:
        module, func = config.REPORTS[report].split(":")
        paths += list(getattr(importlib.import_module(module), func)(result, folder))
    return paths


def describe(result: RunResult, file=None) -> None:
    """Print a short human summary of a run (the model's own ``describe`` if it has one)."""
    file = file or sys.stdout  # the stream of the moment (a test's or a notebook's own)
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
    for line in result.model.rule.describe(s):  # the rule's own keys, in words
        print(f"  {line}", file=file)
    from sim.adoptions import MAX_PEOPLE

    tr = result.trees
    if tr is not None and tr["credited"]:
        sv = "n/a" if tr["structural_virality"] is None else f"{tr['structural_virality']:.2f}"
        print(f"  diffusion trees: {tr['trees']:,}, the largest {tr['largest_tree']:,} people, {tr['max_depth']} "
              f"steps of word of mouth deep (structural virality {sv})", file=file)
    elif tr is None and n > MAX_PEOPLE:
        print(f"  no adoptions table above {MAX_PEOPLE:,} people (bouche run --adoptions parquet writes one)",
              file=file)
