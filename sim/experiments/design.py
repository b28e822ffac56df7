"""Designs: which parameter values a sweep runs.

A design turns the ``vary`` table of a sweep (dotted scenario keys to values
or ranges) into a list of *design points*, each a dict of dotted keys to
values:

- ``grid``: every combination of the value lists (full factorial);
- ``zip``: the lists paired element by element (all of one length);
- ``random``: ``samples`` points drawn uniformly in the ranges, each from its
  own random stream, so asking for more samples keeps the earlier ones;
- ``lhs``: a Latin hypercube of ``samples`` points in the ranges;
- ``sobol``: Saltelli's extension of the Sobol' sequence (through SALib,
  ``pip install bouche[sobol]``), N base samples giving N·(D + 2) points
  (N·(2D + 2) with second-order indices), for Sobol' indices afterwards.

A grid or zip axis may link several parameters that change together: the
key ``"media.reach, seeding.count"`` takes rows ``[[0.25, 0], [0.0, 9]]``
(like NetLogo's sub-experiments). Values are lists (``[0.1, 0.2]``), a
single value, or a range string
``"start:stop:step"`` whose stop is *included* (``"0:1:0.25"`` gives 0, 0.25,
0.5, 0.75, 1). Sampling designs take bounds ``[lo, hi]`` or ``"lo:hi"``;
integer parameters are drawn as integers in [lo, hi].

Examples
--------
>>> parse_values("wom.q", "0.1:0.3:0.1")
[0.1, 0.2, 0.3]
>>> make_points("grid", {"a.x": [1, 2], "a.y": "0:1:1"})
[{'a.x': 1, 'a.y': 0}, {'a.x': 1, 'a.y': 1}, {'a.x': 2, 'a.y': 0}, {'a.x': 2, 'a.y': 1}]
>>> make_points("zip", {"a.x": [1, 2], "a.y": [5, 6]})
[{'a.x': 1, 'a.y': 5}, {'a.x': 2, 'a.y': 6}]
>>> make_points("grid", {"a.x": [1, 2], "b.y, b.z": [[0, "u"], [9, "v"]]})[:2]
[{'a.x': 1, 'b.y': 0, 'b.z': 'u'}, {'a.x': 1, 'b.y': 9, 'b.z': 'v'}]
>>> len(make_points("lhs", {"wom.q": [0.1, 0.6]}, samples=8, seed=1))
8
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np

from sim import config
from sim.errors import ConfigError
from sim.experiments.draws import uniform_rows
from sim.streams import stream_key

__all__ = [
    "DESIGNS",
    "EXACT_POINTS",
    "MANY_VALUES",
    "SAMPLED",
    "linked",
    "make_points",
    "param_of",
    "parse_bounds",
    "parse_values",
    "point_value",
    "resolve_points",
    "sobol_problem",
]

DESIGNS = ("grid", "zip", "random", "lhs", "sobol")
SAMPLED = ("random", "lhs", "sobol")
_NUMERIC = ("int", "float", "prob", "number_or_list", "int_or_list")
_RANGE = "a list of values or a range start:stop:step (stop included, step != 0)"


def param_of(key: str) -> config.Param | None:
    """The schema entry of a dotted key (``media.NAME.p`` reads ``media.p``), or None."""
    if key in config.PARAMS:
        return config.PARAMS[key]
    parts = key.split(".")
    if parts[0] == "media" and len(parts) in (2, 3):
        return config.MEDIUM_PARAMS.get(f"media.{parts[-1]}")
    return None


def _number(text: str):
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return float(text)


def _tidy(x: float, digits: int = 12):
    """A float without binary noise (``0.30000000000000004`` -> ``0.3``)."""
    return float(f"{x:.{digits}g}")


def parse_values(key: str, value) -> list:
    """The list of values a grid or zip design takes for ``key``.

    Raises ConfigError for an empty list, an empty range or a step of 0.

    Examples
    --------
    >>> parse_values("network.n", "100:400:100"), parse_values("wom.q", 0.5), parse_values("wom.q", "0.1, 0.2")
    ([100, 200, 300, 400], [0.5], [0.1, 0.2])
    >>> parse_values("wom.q", "0:1:0")
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: wom.q must be a list of values or a range start:stop:step (...); got '0:1:0' (step 0)
    """
    if isinstance(value, list):
        if not value:
            raise ConfigError(key, f"must be {_RANGE}; got [] (empty)")
        return list(value)
    if isinstance(value, str) and ":" in value:
        parts = value.split(":")
        try:
            start, stop, step = (_number(p) for p in parts) if len(parts) == 3 else (None, None, None)
        except ValueError:
            start = None
        if start is None:
            raise ConfigError(key, f"must be {_RANGE}; got {value!r}")
        if step == 0:
            raise ConfigError(key, f"must be {_RANGE}; got {value!r} (step 0)")
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count <= 0:
            raise ConfigError(key, f"must be {_RANGE}; got {value!r} (empty: no value from {start} to {stop} "
                                   f"in steps of {step})")
        if all(isinstance(v, int) for v in (start, stop, step)):
            return [start + i * step for i in range(count)]
        return [_tidy(start + i * step) for i in range(count)]
    if isinstance(value, str) and "," in value:
        return [config.parse_value(v) for v in value.split(",") if v.strip()]
    return [value]


def parse_bounds(key: str, value) -> tuple[float, float]:
    """The ``(lo, hi)`` range a sampling design draws ``key`` from.

    Examples
    --------
    >>> parse_bounds("wom.q", [0.1, 0.6]), parse_bounds("wom.q", "0.1:0.6")
    ((0.1, 0.6), (0.1, 0.6))
    """
    bounds = value
    if isinstance(value, str) and ":" in value:
        try:
            bounds = [_number(p) for p in value.split(":")]
        except ValueError:
            bounds = None
    ok = (isinstance(bounds, list) and len(bounds) == 2
          and all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in bounds))
    if not ok:
        raise ConfigError(key, f"must be a range [lo, hi] or 'lo:hi' for a sampling design; got {value!r}")
    lo, hi = bounds
    if not lo < hi:
        raise ConfigError(key, f"must be a range [lo, hi] with lo < hi; got {value!r} (empty)")
    return lo, hi


def linked(key: str) -> list[str]:
    """The parameters of a vary key: ``"a.x"`` -> ``["a.x"]``; linked ``"a.x, b.y"`` -> ``["a.x", "b.y"]``."""
    return [k.strip() for k in key.split(",")]


def _axis(key: str, value) -> tuple[list[str], list[tuple]]:
    """One axis of a grid or zip: its parameter names and its value tuples."""
    names = linked(key)
    values = parse_values(key, value)
    if len(names) == 1:
        return names, [(v,) for v in values]
    for v in values:
        if not isinstance(v, list) or len(v) != len(names):
            raise ConfigError(key, f"must list [{', '.join(names)}] rows of {len(names)} values each; got {v!r}")
    return names, [tuple(v) for v in values]


def _is_int(key: str) -> bool:
    p = param_of(key)
    return p is not None and p.kind in ("int", "int_or_list")


def _check_sampled(key: str) -> None:
    if "," in key:
        raise ConfigError(key, f"must be one parameter for a sampling design (linked keys need grid or zip); "
                               f"got {len(linked(key))} linked")
    p = param_of(key)
    if p is not None and p.kind not in _NUMERIC:
        raise ConfigError(key, f"must be a numeric parameter to be sampled; got a {p.kind} parameter "
                               f"(use a grid or zip design for it)")


def _scale(key: str, u: np.ndarray, lo: float, hi: float) -> list:
    if _is_int(key):
        lo, hi = math.ceil(lo), math.floor(hi)
        return [int(v) for v in np.minimum(lo + np.floor(u * (hi - lo + 1)), hi)]
    return [_tidy(float(v), 10) for v in lo + u * (hi - lo)]


def _design_rng(seed: int, name: str, *more: int) -> np.random.Generator:
    seq = np.random.SeedSequence(int(seed), spawn_key=stream_key("design", name) + tuple(more))
    return np.random.Generator(np.random.PCG64(seq))


def sobol_problem(vary: dict) -> dict:
    """The SALib problem (names and bounds) of a Sobol' design."""
    keys = list(vary)
    return {"num_vars": len(keys), "names": keys, "bounds": [list(parse_bounds(k, vary[k])) for k in keys]}


def make_points(kind: str, vary: dict, samples: int | None = None, seed: int = 0,
                second_order: bool = False) -> list[dict]:
    """The design points (dicts of dotted keys to values), in design order.

    Parameters
    ----------
    kind : {"grid", "zip", "random", "lhs", "sobol"}
    vary : dict
        Dotted key -> values (grid, zip) or bounds (sampling designs).
    samples : int, optional
        Number of points (random, lhs) or of base samples N (sobol, a power of 2).
    seed : int
        Root seed of the sampling designs.
    second_order : bool
        Sobol' only: also sample for second-order indices.
    """
    if kind not in DESIGNS:
        raise ConfigError("design.kind", f"must be one of {', '.join(DESIGNS)}; got {kind!r}")
    if not vary:
        raise ConfigError("vary", "must name at least one parameter to vary; got none")
    keys = list(vary)
    if kind in ("grid", "zip"):
        axes = [_axis(k, vary[k]) for k in keys]
        if kind == "zip" and len({len(values) for _, values in axes}) > 1:
            sizes = ", ".join(f"{k}: {len(values)}" for k, (_, values) in zip(keys, axes))
            raise ConfigError("vary", f"must give lists of one length for a zip design; got {sizes}")
        combos = itertools.product(*(values for _, values in axes)) if kind == "grid" else \
            zip(*(values for _, values in axes))
        return [{k: v for (names, _), row in zip(axes, combo) for k, v in zip(names, row)} for combo in combos]

    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ConfigError("design.samples", f"must be an integer >= 1 for a {kind} design; got {samples!r}")
    for k in keys:
        _check_sampled(k)
    bounds = [parse_bounds(k, vary[k]) for k in keys]
    if kind == "random":
        # sample i from its own stream _design_rng(seed, "random", i), all computed at once
        u = uniform_rows(int(seed), stream_key("design", "random"), np.arange(samples), len(keys))
    elif kind == "lhs":
        rng = _design_rng(seed, "lhs")
        u = np.column_stack([(rng.permutation(samples) + rng.random(samples)) / samples for _ in keys])
    else:
        if samples & (samples - 1):
            raise ConfigError("design.samples", f"must be a power of 2 for a sobol design; got {samples}")
        try:
            from SALib.sample import sobol as salib_sobol
        except ImportError:
            raise ConfigError("design.kind", "sobol needs SALib: pip install 'bouche[sobol]'; got sobol") from None
        unit = {"num_vars": len(keys), "names": keys, "bounds": [[0.0, 1.0]] * len(keys)}
        salib_seed = int(np.random.SeedSequence(int(seed), spawn_key=stream_key("design", "sobol"))
                         .generate_state(1)[0])
        u = salib_sobol.sample(unit, samples, calc_second_order=second_order, scramble=True, seed=salib_seed)
    columns = [_scale(k, u[:, j], lo, hi) for j, (k, (lo, hi)) in enumerate(zip(keys, bounds))]
    return [dict(zip(keys, row)) for row in zip(*columns)]


def point_value(spec: config.Scenario, key: str):
    """The resolved value of a dotted key in a scenario (``media.NAME.x`` included)."""
    if key in spec.values:
        return spec.values[key]
    parts = key.split(".")
    if parts == ["media"]:
        return [dict(m) for m in spec.media]
    if parts[0] == "media" and len(parts) == 2:
        return spec.media[0][parts[1]]
    if parts[0] == "media" and len(parts) == 3:
        return next(m for m in spec.media if m["name"] == parts[1])[parts[2]]
    raise KeyError(key)


EXACT_POINTS = 2000  # designs of at most this many points have every point validated in full (~0.4 ms each)
MANY_VALUES = 256  # a parameter with more distinct values than this is validated at its extremes


def resolve_points(base: config.Scenario, points: list[dict]) -> list[dict]:
    """Validate the design points against the scenario schema; return normalised points.

    Every check goes through :func:`sim.config.load` (``base.replace``), so an
    unknown key gets the usual suggestion and a bad value the usual one-line
    message, before any run starts. Values come back in their schema type
    (``1`` becomes ``1.0`` for a float parameter), so equal points hash equally.

    A design of up to :data:`EXACT_POINTS` points has each point validated in
    full. A larger one (a million samples of a random design) is validated by
    value, in time that grows with the number of distinct values, not of
    points: each distinct value of a parameter is validated once, in the first
    design point that holds it; a numeric parameter with more than
    :data:`MANY_VALUES` distinct values (a sampled range) is validated at the
    points holding its smallest and largest values (every range in the schema
    is an interval), and its other values are checked with numpy (finite, and
    whole numbers for an integer parameter). Every value is then known good; a
    rule across parameters (``network.mean_degree < network.n - 1``) that only
    a point never validated breaks fails that point's runs, which are stored as
    failed with the same message, rather than the sweep up front.
    """
    keys = list(dict.fromkeys(key for point in points for key in point))
    for key in keys:
        if key in config.TOP_KEYS:
            what = "the sweep's root seed and replicates" if key == "seed" else "the base scenario"
            raise ConfigError(key, f"cannot be varied in a sweep (it is set by {what}); got vary.{key}")
    if len(points) <= EXACT_POINTS or any(len(point) != len(keys) for point in points):
        out = []
        for point in points:
            spec = base.replace(point)
            out.append({key: point_value(spec, key) for key in point})
        return out
    return _resolve_by_value(base, points, keys)


def _hashable(value):
    if isinstance(value, (list, dict)):
        return list, json.dumps(value, sort_keys=True)
    return type(value), value


def _resolve_by_value(base: config.Scenario, points: list[dict], keys: list[str]) -> list[dict]:
    """:func:`resolve_points` for large designs: each distinct value validated once (or a range at its ends)."""
    plans, witnesses = {}, set()
    for key in keys:
        column = [point[key] for point in points]
        first: dict = {}
        for i, value in enumerate(column):
            h = _hashable(value)
            if h not in first:
                first[h] = i
                if len(first) > MANY_VALUES:
                    break
        numeric = len(first) > MANY_VALUES and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in column)
        if numeric:
            x = np.asarray(column, dtype=float)
            bad = np.flatnonzero(~np.isfinite(x))
            ends = [int(np.argmin(x)), int(np.argmax(x))] if not len(bad) else [int(bad[0])]
            plans[key] = ("range", column, x, ends)
            witnesses.update(ends)
        else:
            if len(first) > MANY_VALUES:  # many values that are not numbers: every distinct one
                first = {}
                for i, value in enumerate(column):
                    first.setdefault(_hashable(value), i)
            plans[key] = ("values", column, first)
            witnesses.update(first.values())
    checked = {i: base.replace(points[i]) for i in sorted(witnesses)}  # raises the usual one-line error
    columns = []
    for key in keys:
        plan = plans[key]
        if plan[0] == "values":
            _, column, first = plan
            normal = {h: point_value(checked[i], key) for h, i in first.items()}
            columns.append([normal[_hashable(v)] for v in column])
            continue
        _, column, x, ends = plan
        kind = type(point_value(checked[ends[0]], key))
        if kind is int:
            whole = np.flatnonzero(x != np.floor(x))
            if len(whole):
                base.replace(points[int(whole[0])])  # a number that is not whole: the usual message
            columns.append([int(v) for v in column])
        elif kind is float:
            columns.append([float(v) for v in column])
        else:
            columns.append(column)
    return [dict(zip(keys, row)) for row in zip(*columns)]
