"""Checking one value: parse command-line values, convert and range-check each parameter.

:func:`_check` turns a value into the parameter's type or raises the one-line
:class:`~sim.errors.ConfigError` that names the key, what is allowed and what
was given; :func:`applies` says whether a model reads a parameter at all.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from typing import Any

from sim.config.schema import _INF, APPLIES_TO, MODELS, PARAMS, Param
from sim.errors import ConfigError

__all__ = ["parse_value", "parse_assignment", "applies"]



def parse_value(text: str) -> Any:
    """Parse an override value written on the command line.

    TOML syntax is tried first (numbers, booleans, quoted strings, lists);
    a bare word is taken as a string and ``none`` as no value.

    Examples
    --------
    >>> parse_value("0.5"), parse_value("ring"), parse_value("[1, 2]"), parse_value("none")
    (0.5, 'ring', [1, 2], None)
    """
    if text.strip().lower() in ("none", "null"):
        return None
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``key=value`` into the key and its parsed value."""
    if "=" not in text:
        raise ConfigError("--set", f"takes key=value (for example wom.q=0.5); got {text!r}")
    key, value = text.split("=", 1)
    return key.strip(), parse_value(value)


def _check(p: Param, value: Any, key: str | None = None) -> Any:
    """Return the value converted to the parameter's type, or raise ConfigError."""
    key = key or p.key
    bad = ConfigError(key, f"must be {p.allowed()}; got {value!r}")
    if value is None:
        if p.nullable:
            return None
        raise bad
    kind = p.kind
    if kind == "choice":
        if value not in p.choices:
            if isinstance(value, str):
                near = difflib.get_close_matches(value, p.choices, n=1)
                if near:
                    raise ConfigError(key, f"must be {p.allowed()}; got {value!r} (did you mean {near[0]}?)")
            raise bad
        return value
    if kind == "str":
        if isinstance(value, (bool, list, dict)):
            raise bad
        return str(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad
        return value
    if kind == "ids":
        if not isinstance(value, list) or any(isinstance(v, (bool, list, dict, float)) for v in value):
            raise bad
        return list(value)
    if kind == "ints":
        if not isinstance(value, list) or not value:
            raise bad
        return [_number(p, v, key, integer=True, bounds=(1, _INF)) for v in value]
    if kind in ("number_or_list", "int_or_list"):
        integer = kind == "int_or_list"
        if isinstance(value, list):
            if not value:
                raise bad
            return [_number(p, v, key, integer=integer) for v in value]
        return _number(p, value, key, integer=integer)
    return _number(p, value, key, integer=(kind == "int"))


def _number(p: Param, value: Any, key: str, integer: bool, bounds=None) -> float | int:
    lo, hi = bounds or (p.lo, p.hi)
    lo_open, hi_open = (False, False) if bounds else (p.lo_open, p.hi_open)
    bad = ConfigError(key, f"must be {p.allowed()}; got {value!r}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad
    if isinstance(value, float) and not math.isfinite(value):
        raise bad
    if integer:
        if isinstance(value, float):
            if not value.is_integer():
                raise bad
            value = int(value)
    else:
        value = float(value)
    if value < lo or value > hi or (lo_open and value == lo) or (hi_open and value == hi):
        raise bad
    return value


def applies(key: str, model: str) -> bool:
    """Whether a scenario with ``model = MODEL`` reads the parameter ``key`` (see :data:`APPLIES_TO`).

    Examples
    --------
    >>> applies("wom.q", "adoption"), applies("wom.q", "attention"), applies("network.n", "attention")
    (True, False, True)
    """
    owners = _owners(key)
    return owners is None or model in owners


def _owners(key: str) -> tuple | None:
    parts = key.split(".")
    return APPLIES_TO.get(".".join(parts[:2]), APPLIES_TO.get(parts[0]))


def _check_applies(model: str, given, name: str) -> None:
    """Refuse, in one line, a parameter given explicitly for a model that does not read it."""
    if model not in MODELS:
        return  # reported later, with the list of models
    for key in given:
        key = key.replace("__", ".")
        if (key in PARAMS or key.split(".")[0] == "media") and not applies(key, model):
            raise ConfigError(key, f"applies to model = {' or '.join(_owners(key))}; "
                                   f"scenario {name!r} has model = {model}")
