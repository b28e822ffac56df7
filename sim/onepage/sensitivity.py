"""How much an answer moves: uncertain parameters moved one at a time, the same seeds for every move.

A *move* is a function from a scenario to a moved scenario: :func:`scaled`
multiplies one parameter by a factor (its own value in each scenario it is
applied to, so both arms of a comparison move by the same 20 %), :func:`set_to`
sets it to a value (a calibrated parameter at the ends of its interval). A
*measure* ``measure(move, seed) -> float`` runs what the page's answer is made
of under a move: one run's adopters (:func:`final`), the paired difference of
two arms (:func:`difference`), or anything a page composes from them.
:func:`one_at_a_time` evaluates the measure as assumed and under each move,
over the same replicate seeds (common random numbers), so a move's effect is
not hidden by luck. The parameters moved by default are read from the
registries (:func:`uncertain_keys`): a word-of-mouth rule registered later is
moved the same way.

Examples
--------
>>> from sim import config
>>> spec = config.load("bass", overrides={"network.kind": "ring", "network.n": 100, "network.k": 4,
...                                       "run.steps": 5})
>>> uncertain_keys(spec)
['wom.q', 'media.p']
>>> scaled("wom.q", 0.8)(spec).get("wom.q") == 0.8 * spec.get("wom.q")
True
>>> base, rows = one_at_a_time(final(spec), [("wom.q", scaled("wom.q", 0.8), scaled("wom.q", 1.2))], [1, 2])
>>> len(base), rows[0][0]
(2, 'wom.q')
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sim import config, rules
from sim.errors import ConfigError
from sim.onepage.words import num

__all__ = ["uncertain_keys", "scaled", "set_to", "final", "difference", "one_at_a_time", "sensitivity_runs",
           "table", "movable", "can_move", "moved_value", "FACTOR"]

FACTOR = 0.2  # the built-in run moves each uncertain parameter 20 % down and up


def uncertain_keys(spec) -> list[str]:
    """The parameters a built-in sensitivity run moves: the rule's positive numbers and each medium's p."""
    v, keys = spec.values, []
    if "wom.rule" in v:
        for param in rules.get(v["wom.rule"]).params:
            if param.kind in ("float", "prob") and isinstance(v.get(param.key), (int, float)) and v[param.key] > 0:
                keys.append(param.key)
    for m in spec.media:
        keys.append("media.p" if len(spec.media) == 1 else f"media.{m['name']}.p")
    if v.get("network.kind") == "erdos_renyi":
        keys.append("network.mean_degree")
    return keys


def _current(spec, key: str):
    """The value of ``key`` in ``spec`` and its parameter (for its upper bound)."""
    if key.startswith("media."):
        name = key.split(".")[1] if key.count(".") == 2 else spec.media[0]["name"]
        return next(m["p"] for m in spec.media if m["name"] == name), config.MEDIUM_PARAMS["media.p"]
    return spec.values[key], config.PARAMS[key]


def moved_value(spec, key: str, factor: float) -> float:
    """``key``'s value in ``spec`` times ``factor``, kept within the parameter's upper bound."""
    value, param = _current(spec, key)
    new = value * factor
    return param.hi if param.hi is not None and new > param.hi else new


def scaled(key: str, factor: float) -> Callable:
    """A move: ``key`` times ``factor`` (its own value in whichever scenario it is applied to)."""
    return lambda spec: spec.replace({key: moved_value(spec, key, factor)})


def set_to(key: str, value) -> Callable:
    """A move: ``key`` set to ``value``."""
    return lambda spec: spec.replace({key: value})


def _identity(spec):
    return spec


def _metric(spec, seed: int, metric: str) -> float:
    from sim.runs import run

    x = run(spec, seed=seed, adoptions=False).summary.get(metric)
    return math.nan if x is None else float(x)


def final(spec, metric: str = "final_adopters", scale: float = 1.0) -> Callable:
    """A measure: ``metric`` of one run of the moved ``spec`` (times ``scale``)."""
    return lambda move, seed: scale * _metric(move(spec), seed, metric)


def difference(base, changed, metric: str = "final_adopters") -> Callable:
    """A measure: ``metric`` of the moved ``changed`` arm minus that of the moved ``base`` arm, same seed."""
    return lambda move, seed: _metric(move(changed), seed, metric) - _metric(move(base), seed, metric)


def one_at_a_time(measure: Callable, moves, seeds) -> tuple[np.ndarray, list]:
    """The measure as assumed (one value per seed) and the mean under each move's low and high ends.

    ``moves`` is a list of ``(label, low move, high move)``; every evaluation uses
    the same ``seeds``. Returns ``(base values, [[label, mean at low, mean at high], ...])``.
    """
    base = np.array([measure(_identity, s) for s in seeds], dtype=float)
    rows = []
    for label, low, high in moves:
        rows.append([label, float(np.nanmean([measure(low, s) for s in seeds])),
                     float(np.nanmean([measure(high, s) for s in seeds]))])
    return base, rows


def movable(spec, key: str) -> bool:
    """Whether ``spec`` has a number at ``key`` that :func:`scaled` can move."""
    try:
        return isinstance(_current(spec, key)[0], (int, float))
    except (KeyError, StopIteration, IndexError):
        return False


def can_move(spec, key: str, factor: float = FACTOR) -> bool:
    """Whether ``key`` can be moved ±``factor`` in ``spec`` (a number the scenario accepts moved).

    Examples
    --------
    >>> from sim import config
    >>> can_move(config.load("bass"), "wom.q"), can_move(config.load("bass"), "network.mean_degree")
    (True, False)
    """
    if not movable(spec, key):
        return False
    try:
        scaled(key, 1 - factor)(spec), scaled(key, 1 + factor)(spec)
    except ConfigError:
        return False
    return True


def sensitivity_runs(spec, metric: str = "final_adopters", replicates: int = 4, factor: float = FACTOR,
                     measure: Callable | None = None, keys: list[str] | None = None):
    """Baseline replicates and one-at-a-time moves of each uncertain parameter by ±factor, same seeds.

    The seeds are the first ``replicates`` replicate seeds of ``spec.seed``
    (:func:`sim.compare.replicate_seeds`): those of a comparison's or an
    optimisation's own runs, so with as many replicates the baseline is their answer.
    ``measure`` defaults to ``metric`` of one run of ``spec`` (:func:`final`); ``keys``
    to :func:`uncertain_keys`. Returns (baseline values, rows [key, value, low value,
    high value, measure at low, measure at high]), the values those of ``spec``.
    """
    from sim.compare import replicate_seeds

    seeds = replicate_seeds(spec.seed, replicates)
    keys = [k for k in (uncertain_keys(spec) if keys is None else keys) if can_move(spec, k, factor)]
    moves = [(k, scaled(k, 1 - factor), scaled(k, 1 + factor)) for k in keys]
    base, rows = one_at_a_time(measure or final(spec, metric), moves, seeds)
    out = []
    for key, (_, a, b) in zip(keys, rows):
        out.append([key, _current(spec, key)[0], moved_value(spec, key, 1 - factor),
                    moved_value(spec, key, 1 + factor), a, b])
    return base, out


def table(rows, reference: float, what: str, low: str = "−20 %", high: str = "+20 %",
          value: str = "as assumed", percent: bool = True) -> list[list[str]]:
    """A page's sensitivity table from ``[label, value, low value, high value, at low, at high]`` rows,
    the widest swing first; each swing also as a share of ``reference`` (``percent``: not for a
    difference, whose reference may be near 0).

    Examples
    --------
    >>> table([["wom.q", 0.4, 0.32, 0.48, 90.0, 110.0]], 100.0, "adopters")[1]
    ['wom.q', '0.4', '0.32', '0.48', '90', '110', '20 (20 %)']
    """
    out = [["parameter", value, low, high, f"{what} at {low}", f"{what} at {high}", "swing"]]
    for label, v, lo_v, hi_v, a, b in sorted(rows, key=lambda r: -abs(r[5] - r[4]) if math.isfinite(r[5] - r[4])
                                             else 0):
        swing = num(b - a)
        if percent and reference and math.isfinite(reference) and math.isfinite(b - a):
            swing += f" ({num(100 * (b - a) / abs(reference))} %)"
        out.append([label, num(v), num(lo_v), num(hi_v), num(a), num(b), swing])
    return out
