"""Sweep specifications: what a sweep runs, read from TOML, a dict or options.

A sweep is a base scenario × a design × replicates. Its TOML file (see the
shipped ``experiments/``) holds::

    name = "tipping_point"
    scenario = "bandwagon"        # shipped scenario name, or a .toml path relative to this file
    seed = 2024                   # root seed (default: the scenario's)
    replicates = 10
    streams = "common"            # or "independent"
    timeout = 60                  # seconds per run (optional)

    [set]                         # fixed changes to the scenario
    "network.n" = 10000

    [design]
    kind = "grid"                 # grid, zip, random, lhs, sobol
    samples = 64                  # random, lhs; sobol: N base samples (a power of 2)

    [vary]                        # dotted keys -> values, "start:stop:step" or [lo, hi]
    "seeding.fraction" = "0:0.2:0.01"

    [record]
    timeseries = true             # store the time series (run x step), every k-th step
    every = 1

    [indicators]                  # extra 0/1 metrics: their mean is a frequency
    global_cascade = "final_fraction >= 0.5"

    [[plot]]
    kind = "line"                 # line, heatmap, curves, sobol
    x = "seeding.fraction"
    y = "final_fraction"

    [sizes.small]                 # a quicker version (--size small): merged over the above
    replicates = 2

Examples
--------
>>> s = load_spec("bass", vary={"wom.q": "0.2:0.4:0.1"}, replicates=2, overrides={"network.n": 300})
>>> s.name, len(s.unique_points), s.n_runs, s.streams
('bass', 3, 6, 'common')
>>> run = next(s.iter_runs())
>>> run["point"], run["replicate"], len(run["key"])
({'wom.q': 0.2}, 0, 16)
"""

from __future__ import annotations

import copy
import difflib
import functools
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sim import config
from sim.config.shipped import anchor_paths
from sim.errors import ConfigError
from sim.experiments import design as design_mod
from sim.experiments import seeds
from sim.version import __version__

__all__ = ["PLOT_KINDS", "SweepSpec", "experiment_dir", "load_spec", "metric_names", "parse_indicator",
           "shipped_experiments"]

TOP = ("name", "title", "description", "scenario", "seed", "replicates", "streams", "timeout", "set", "design",
       "vary", "record", "indicators", "plot", "sizes")
TABLES = {"design": ("kind", "samples", "second_order"), "record": ("timeseries", "every")}
PLOT_KINDS = ("line", "heatmap", "curves", "sobol")
PLOT_KEYS = ("kind", "x", "y", "z", "by", "metric", "overlay", "title", "labels", "log", "values")
_INDICATOR = re.compile(r"^\s*([A-Za-z_]\w*)\s*(>=|<=|>|<|==)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


def experiment_dir() -> Path:
    """Folder of the shipped experiment files (inside the installed package, or the source tree)."""
    return config.shipped_dir("experiments")


def shipped_experiments() -> dict[str, Path]:
    """Map each shipped experiment name to its TOML file."""
    return config.shipped_files("experiments")


def parse_indicator(name: str, text) -> tuple[str, str, float]:
    """Split ``"final_fraction >= 0.5"`` into (metric, operator, number).

    Examples
    --------
    >>> parse_indicator("cascade", "final_fraction >= 0.5")
    ('final_fraction', '>=', 0.5)
    """
    m = _INDICATOR.match(text) if isinstance(text, str) else None
    if not m:
        raise ConfigError(f"indicators.{name}", f"must read METRIC OP NUMBER with OP one of >, >=, <, <=, ==; "
                                                f"got {text!r}")
    return m.group(1), m.group(2), float(m.group(3))


# The sizes of the tiny run that tells a model's metrics: each applies to the models that read it.
PROBE = {"network.n": 40, "run.steps": 2, "market.consumers": 20}


@functools.lru_cache(maxsize=None)
def metric_names(model: str, rule: str | None = None) -> tuple[str, ...] | None:
    """The metric columns every run of a ``model`` scenario has (learned from one tiny run), or None.

    The metrics of a model (its summary keys, and those its word-of-mouth
    ``rule`` adds) do not depend on its other parameters, so a tiny run of
    the model's defaults (:data:`PROBE`: the sizes it reads made small;
    without media, with the rule) tells them in a few milliseconds. None when
    that run is not possible (a model added by a user that needs more): the
    metrics are then checked after the runs.

    Examples
    --------
    >>> names = metric_names("adoption")
    >>> "final_fraction" in names and "adopters_by_channel_wom" in names
    True
    >>> "unpredictability_social" in metric_names("market")
    True
    """
    from sim import batch, runs
    from sim.experiments.worker import flatten_metrics

    try:
        sizes = {key: value for key, value in PROBE.items() if config.applies(key, model)}
        raw = {"name": "metric-probe", "model": model}
        if rule is not None:
            raw.update(wom={"rule": rule}, media=[])
        probe = config.load(raw, overrides=sizes)
        model_ = batch.build_model(probe)
        model_.run()
        return tuple(flatten_metrics(runs.result_of(model_)[1]))
    except Exception:  # noqa: BLE001 (any failure only means: check the indicators after the runs)
        return None


def _check_indicators(indicators: dict, model: str, rule: str | None = None) -> None:
    """Refuse, before any run, an indicator that names no metric of the runs or reuses one's name."""
    names = metric_names(model, rule)
    if names is None:
        return
    columns = [*names, "replicate", "seed", "root_seed", "duration_s"]
    for name, text in indicators.items():
        metric = parse_indicator(name, text)[0]
        if name in columns:
            raise ConfigError(f"indicators.{name}", f"must not reuse the name of a metric; got {name!r}")
        if metric not in columns:
            near = difflib.get_close_matches(metric, columns, n=1)
            raise ConfigError(f"indicators.{name}", f"must compare a metric of the runs ({model} model); got "
                                                    f"{metric!r}" + (f"; did you mean {near[0]}?" if near else ""))


@dataclass(frozen=True)
class SweepSpec:
    """A resolved, validated sweep. ``points`` is in design order (a Sobol' design may repeat a
    point); ``unique_points`` holds each distinct point once, and runs are unique points × replicates."""

    name: str
    scenario: dict = field(repr=False)
    root_seed: int = 0
    replicates: int = 1
    streams: str = "common"
    design: dict = field(default_factory=dict)
    points: tuple = field(default=(), repr=False)
    timeseries: bool = False
    every: int = 1
    timeout: float | None = None
    indicators: dict = field(default_factory=dict)
    plots: tuple = ()
    title: str = ""
    description: str = ""
    source: str = ""
    engine: str = __version__

    @functools.cached_property
    def unique_points(self) -> list[dict]:
        """Each distinct design point once, in design order."""
        seen, out = set(), []
        for p in self.points:
            pid = seeds.point_id(p)
            if pid not in seen:
                seen.add(pid)
                out.append(p)
        return out

    @property
    def n_runs(self) -> int:
        return len(self.unique_points) * self.replicates

    @property
    def varied(self) -> list[str]:
        """The varied parameters (linked keys split), in design order."""
        return [k for key in self.design.get("vary", {}) for k in design_mod.linked(key)]

    def iter_runs(self):
        """Yield every run as a dict: key, point_index, point_id, point, replicate and seed provenance."""
        base = seeds.scenario_hash(self.scenario)
        common = [seeds.provenance(self.root_seed, r) for r in range(self.replicates)] \
            if self.streams == "common" else None  # the same at every point
        for i, point in enumerate(self.unique_points):
            pid = seeds.point_id(point)
            for r in range(self.replicates):
                prov = common[r] if common else seeds.provenance(self.root_seed, r, point, self.streams)
                yield {"key": seeds.run_key(base, point, r, self.root_seed, self.streams, self.engine),
                       "point_index": i, "point_id": pid, "point": point, "replicate": r, **prov}

    def to_json(self) -> dict:
        """The resolved sweep, as written to ``spec.json``."""
        return {"format": 1, "name": self.name, "title": self.title, "description": self.description,
                "source": self.source, "engine": self.engine, "scenario": self.scenario,
                "root_seed": self.root_seed, "streams": self.streams, "replicates": self.replicates,
                "design": self.design, "record": {"timeseries": self.timeseries, "every": self.every},
                "timeout": self.timeout, "indicators": self.indicators, "plots": list(self.plots),
                "n_runs": self.n_runs, "points": list(self.points)}

    def check_extends(self, old: dict, where: str) -> None:
        """Refuse, in one line, to resume the stored sweep ``old`` unless this one only adds
        design points or replicates to it."""
        new = self.to_json()
        why = None
        for label, key in (("engine version", "engine"), ("root seed", "root_seed"), ("streams", "streams"),
                           ("recording", "record")):
            if old.get(key) != new[key]:
                why = f"{label} {old.get(key)!r} -> {new[key]!r}"
                break
        if why is None and old.get("scenario") != new["scenario"]:
            changed = _first_difference(old.get("scenario") or {}, new["scenario"])
            why = f"base scenario changed ({changed})"
        if why is None and new["replicates"] < old.get("replicates", 0):
            why = f"replicates {old.get('replicates')} -> {new['replicates']} (fewer)"
        if why is None:
            have = {seeds.point_id(p) for p in new["points"]}
            lost = [p for p in old.get("points", []) if seeds.point_id(p) not in have]
            if lost:
                why = f"design point {seeds.canonical(lost[0])} of the stored sweep is not in the new design"
        if why:
            raise ConfigError("--resume", f"refused: the sweep stored in {where} differs: {why}; only design "
                                          f"points or replicates may be added (use a new --out)")


def _first_difference(a: dict, b: dict, prefix: str = "") -> str:
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key, "(absent)"), b.get(key, "(absent)")
        if isinstance(va, dict) and isinstance(vb, dict):
            if va != vb:
                return _first_difference(va, vb, f"{prefix}{key}.")
        elif va != vb:
            return f"{prefix}{key}: {va!r} -> {vb!r}"
    return "?"


def _varied_choices(vary) -> dict:
    """The values a sweep's ``[vary]`` gives each choosing key (``network.kind``, alone or linked).

    Examples
    --------
    >>> _varied_choices({"network.kind": ["ring", "complete"], "wom.q": [0.1, 0.2]})
    {'network.kind': ['ring', 'complete']}
    >>> _varied_choices({"network.kind, network.n": [["ring", 100], ["erdos_renyi", 200]]})
    {'network.kind': ['ring', 'erdos_renyi']}
    """
    out: dict = {}
    if not isinstance(vary, dict):
        return out  # refused with the design
    for key, value in config.flatten(vary).items():
        names = design_mod.linked(key)
        for chooser in config.CHOSEN_BY.values():
            if chooser not in names:
                continue
            try:
                rows = design_mod.parse_values(key, value)
            except ConfigError:
                continue  # refused with the design, in its own words
            i = names.index(chooser)
            out.setdefault(chooser, []).extend(
                r if len(names) == 1 else r[i] for r in rows if len(names) == 1 or isinstance(r, list) and len(r) > i)
    return out


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read(source) -> tuple[dict, str, Path | None]:
    """The raw spec dict, where it came from, and the folder relative paths start from."""
    if isinstance(source, dict):
        return copy.deepcopy(source), "<dict>", None
    text = str(source)
    path = Path(text)
    shipped = shipped_experiments()
    if text in shipped and not path.suffix:
        path = shipped[text]
    elif not (path.suffix == ".toml" and path.is_file()):
        return {"scenario": text}, "", None  # a scenario: vary and replicates come from options
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("spec", f"file {str(path)!r} is not valid TOML: {exc}") from None
    if not ({"vary", "design", "replicates"} & set(raw)) and "scenario" not in raw:
        return {"scenario": text}, "", None  # a scenario file, not a sweep
    raw.setdefault("name", config.default_name(Path(path.name).stem, "sweep"))
    return raw, str(path), path.parent


def _anchor_sweep_paths(raw: dict, folder: Path) -> None:
    """Make the relative ``network.path`` values a sweep file gives (its scenario table, ``[set]``,
    ``[vary]`` and sizes) start from the file's folder; options given on the command line do not."""
    sizes = raw.get("sizes")
    holders = [raw, *(t for t in (sizes.values() if isinstance(sizes, dict) else ()) if isinstance(t, dict))]
    for holder in holders:
        for name in ("scenario", "set"):
            if isinstance(holder.get(name), dict):
                anchor_paths(holder[name], folder)
        vary = holder.get("vary")
        if isinstance(vary, dict):
            flat = vary.get("network") if isinstance(vary.get("network"), dict) else vary
            key = "path" if flat is not vary else "network.path"
            values = flat.get(key)
            if isinstance(values, list):
                flat[key] = [str(folder / v) if isinstance(v, str) and v and not os.path.isabs(v) else v
                             for v in values]


def _check_top(raw: dict) -> None:
    for key, value in raw.items():
        if key not in TOP:
            near = difflib.get_close_matches(key, TOP, n=1)
            raise ConfigError(key, f"is not a sweep setting ({', '.join(TOP)})" + (f"; did you mean {near[0]}?"
                                                                                   if near else ""))
        if key in TABLES:
            if not isinstance(value, dict):
                raise ConfigError(key, f"must be a table; got {value!r}")
            for sub in value:
                if sub not in TABLES[key]:
                    near = difflib.get_close_matches(sub, TABLES[key], n=1)
                    raise ConfigError(f"{key}.{sub}", "is not a setting" + (f"; did you mean {key}.{near[0]}?"
                                                                           if near else ""))


def _int(key: str, value, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ConfigError(key, f"must be an integer >= {lo}; got {value!r}")
    return value


def _plots(raw_plots, varied: list[str], kind: str) -> tuple:
    if raw_plots is None:
        return ()
    if isinstance(raw_plots, dict):
        raw_plots = [raw_plots]
    if not isinstance(raw_plots, list) or not all(isinstance(p, dict) for p in raw_plots):
        raise ConfigError("plot", f"must be an array of tables ([[plot]]); got {raw_plots!r}")
    out = []
    for p in raw_plots:
        for key in p:
            if key not in PLOT_KEYS:
                raise ConfigError(f"plot.{key}", f"is not a plot setting ({', '.join(PLOT_KEYS)})")
        if p.get("kind") not in PLOT_KINDS:
            raise ConfigError("plot.kind", f"must be one of {', '.join(PLOT_KINDS)}; got {p.get('kind')!r}")
        for key in ("x", "y", "by"):
            need = (key == "x" and p["kind"] in ("line", "heatmap")) or (key == "y" and p["kind"] == "heatmap") \
                or (key == "by" and p["kind"] == "curves")
            if need and p.get(key) not in varied:
                raise ConfigError(f"plot.{key}", f"must be a varied parameter ({', '.join(varied)}) for a "
                                                 f"{p['kind']} plot; got {p.get(key)!r}")
        if p["kind"] == "sobol" and kind != "sobol":
            raise ConfigError("plot.kind", f"sobol plots need a sobol design; got design {kind}")
        out.append(dict(p))
    return tuple(out)


def load_spec(source, *, vary: dict | None = None, design: str | None = None, samples: int | None = None,
              replicates: int | None = None, seed: int | None = None, overrides: dict | None = None,
              streams: str | None = None, timeseries: bool | None = None, every: int | None = None,
              timeout: float | None = None, size: str | None = None) -> SweepSpec:
    """Resolve a sweep from a spec file, a shipped experiment, a scenario or a dict.

    Every keyword, when given, replaces (``vary``, ``overrides``: extends) what
    the spec says. Every design point is validated against the scenario schema
    before anything runs. Bad input raises :class:`~sim.errors.ConfigError`.
    """
    raw, origin, folder = _read(source)
    if folder is not None:
        _anchor_sweep_paths(raw, Path(os.path.abspath(folder)))
    if not raw.get("name") and isinstance(raw.get("scenario"), str):
        raw["name"] = config.default_name(Path(str(raw["scenario"])).stem, "sweep")
    _check_top(raw)
    if size is not None:
        sizes = raw.get("sizes") or {}
        if size not in sizes:
            raise ConfigError("--size", f"must be one of {', '.join(sizes) or '(none defined)'}; got {size!r}")
        raw = _merge(raw, sizes[size])
        _check_top(raw)
    given = {"vary": vary, "set": overrides, "replicates": replicates, "seed": seed, "streams": streams,
             "timeout": timeout, "design": {k: v for k, v in (("kind", design), ("samples", samples)) if v is not None},
             "record": {k: v for k, v in (("timeseries", timeseries), ("every", every)) if v is not None}}
    raw = _merge(raw, {k: v for k, v in given.items() if v not in (None, {})})

    scenario = raw.get("scenario")
    if not isinstance(scenario, (str, dict)) or not scenario:
        raise ConfigError("scenario", f"must name the base scenario (a shipped name or a .toml file); got {scenario!r}")
    if isinstance(scenario, str) and folder is not None and scenario.endswith(".toml") \
            and not Path(scenario).is_absolute():
        scenario = str(folder / scenario)
    fixed = config.flatten(raw.get("set") or {})
    # the base keeps keys for the network kinds the design gives (docs/model.md, "Settings a network kind ignores")
    base = config.load(scenario, overrides=fixed, varied=_varied_choices(raw.get("vary")))

    root_seed = raw.get("seed", base.seed)
    _int("seed", root_seed, 0)
    reps = _int("replicates", raw.get("replicates", 1), 1)
    mode = raw.get("streams", "common")
    if mode not in seeds.STREAM_MODES:
        raise ConfigError("streams", f"must be one of {', '.join(seeds.STREAM_MODES)}; got {mode!r}")
    t_out = raw.get("timeout")
    if t_out is not None and (isinstance(t_out, bool) or not isinstance(t_out, (int, float)) or not t_out > 0
                              or not math.isfinite(t_out)):
        raise ConfigError("timeout", f"must be a number of seconds > 0 (or none); got {t_out!r}")
    record = raw.get("record") or {}
    ts = record.get("timeseries", False)
    if not isinstance(ts, bool):
        raise ConfigError("record.timeseries", f"must be true or false; got {ts!r}")
    k = _int("record.every", record.get("every", 1), 1)

    d = raw.get("design") or {}
    kind = d.get("kind", "grid")
    varied = config.flatten(raw.get("vary") or {})
    second = d.get("second_order", False)
    if not isinstance(second, bool):
        raise ConfigError("design.second_order", f"must be true or false; got {second!r}")
    points = design_mod.make_points(kind, varied, samples=d.get("samples"), seed=root_seed, second_order=second)
    points = design_mod.resolve_points(base, points)
    design = {"kind": kind, "vary": varied}
    if kind in design_mod.SAMPLED:
        design["samples"] = d.get("samples")
    if kind == "sobol":
        design["second_order"] = second

    indicators = {}
    for name, text in (raw.get("indicators") or {}).items():
        parse_indicator(name, text)
        indicators[name] = text
    text_fields = {}
    for key in ("name", "title", "description"):
        value = raw.get(key, "")
        if not isinstance(value, str):
            raise ConfigError(key, f"must be a string; got {value!r}")
        text_fields[key] = value.strip()
    text_fields["name"] = config.check_name(text_fields["name"] or "sweep")
    rule = base.values.get("wom.rule") if base.model in config.APPLIES_TO["wom"] and not any(
        "wom.rule" in str(k) for p in points for k in p) else None  # a varied rule: checked after the runs
    _check_indicators(indicators, base.model, rule)
    return SweepSpec(scenario=base.to_dict(), root_seed=root_seed, replicates=reps, streams=mode, design=design,
                     points=tuple(points), timeseries=ts, every=k, timeout=None if t_out is None else float(t_out),
                     indicators=indicators, source=origin,
                     plots=_plots(raw.get("plot"), [k for key in varied for k in design_mod.linked(key)], kind),
                     **text_fields)
