"""Checking one value: parse command-line values, convert and range-check each parameter.

:func:`_check` turns a value into the parameter's type or raises the one-line
:class:`~sim.errors.ConfigError` that names the key, what is allowed and what
was given; :func:`applies` says whether a model reads a parameter at all.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from typing import Any

from sim.config.schema import _INF, APPLIES_TO, CHOSEN_BY, MODELS, PARAMS, Param, _shown
from sim.errors import ConfigError

__all__ = ["parse_value", "parse_assignment", "applies", "readers", "reads", "check_name", "default_name",
           "too_deep", "NAME_MAX", "MAX_DEPTH"]

NAME_MAX = 100  # characters in a name (it becomes part of a default output path)
MAX_DEPTH = 16  # tables and arrays nested in a scenario (it needs 5: [[variants.NAME.media]])
_NAME = re.compile(r"[\w.-]+")  # letters, digits, _ - .
_INT_MAX = 2**63 - 1  # integers are stored in 64 bits at most
_EXACT = 2**53  # beyond it a float is no longer an exact integer


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
    deep = ConfigError("--set", f"takes values nested at most {MAX_DEPTH} levels deep; got {_shown(text)}")
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()
    except RecursionError:
        raise deep from None
    if too_deep(value):
        raise deep
    return value


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``key=value`` into the key and its parsed value."""
    if "=" not in text:
        raise ConfigError("--set", f"takes key=value (for example wom.q=0.5); got {text!r}")
    key, value = text.split("=", 1)
    return key.strip(), parse_value(value)


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests dicts or lists more than ``limit`` levels deep (found without recursion).

    Examples
    --------
    >>> too_deep({"network": {"n": 5}}, 2), too_deep({"a": [[1]]}, 2)
    (False, True)
    """
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        children = v.values() if isinstance(v, dict) else v if isinstance(v, (list, tuple)) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children)
    return False


def check_name(name: Any, key: str = "name") -> str:
    """``name`` if it is an identifier that is safe as one component of a path; else ConfigError.

    Letters, digits, ``_``, ``-`` and ``.``; not starting with ``.``, no
    ``..``, at most :data:`NAME_MAX` characters (a scenario's name becomes
    its default output folder, ``runs/NAME``).

    Examples
    --------
    >>> check_name("broadcast-vs-seeding")
    'broadcast-vs-seeding'
    >>> check_name("../.docker")
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: name must be an identifier (letters, digits, _ - .; not starting with .); got '../.docker'
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name.startswith(".") or ".." in name:
        raise ConfigError(key, f"must be an identifier (letters, digits, _ - .; not starting with .); "
                               f"got {_shown(name)}")
    if len(name) > NAME_MAX:
        raise ConfigError(key, f"must be an identifier of at most {NAME_MAX} characters; got {name[:20]!r}... "
                               f"({len(name)} characters)")
    return name


def default_name(stem: str, fallback: str = "scenario") -> str:
    """A name made from a file's stem: what a name may not hold becomes ``_``.

    Examples
    --------
    >>> default_name("my scenario"), default_name(".hidden"), default_name("...")
    ('my_scenario', 'hidden', 'scenario')
    """
    name = re.sub(r"[^\w.-]", "_", stem).replace("..", "_").lstrip(".")[:NAME_MAX]
    return name if name.strip("_.") else fallback


def _check(p: Param, value: Any, key: str | None = None) -> Any:
    """Return the value converted to the parameter's type, or raise ConfigError."""
    key = key or p.key
    bad = ConfigError(key, f"must be {p.allowed()}; got {_shown(value)}")
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
    got = _shown(value)
    bad = ConfigError(key, f"must be {p.allowed()}; got {got}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad
    if isinstance(value, float) and not math.isfinite(value):
        raise bad
    exact = True  # whether the value is the number it stands for, as the engine will hold it
    if integer:
        if isinstance(value, float):
            if not value.is_integer():
                raise bad
            exact = abs(value) <= _EXACT
            value = int(value)
    elif isinstance(value, int):
        try:
            value = float(value)
        except OverflowError:
            raise bad from None
    if value < lo or value > hi or (lo_open and value == lo) or (hi_open and value == hi):
        raise bad
    if not exact:
        raise ConfigError(key, f"must be {p.allowed()}; got {got} (too large to be an exact integer)")
    if integer and abs(value) > _INT_MAX:
        raise ConfigError(key, f"must be {p.allowed()}; got {got} (too large: at most 2**63 - 1)")
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


def readers(key: str) -> tuple | None:
    """The values of the key that chooses for ``key``'s section (:data:`CHOSEN_BY`) that read ``key``;
    None where whatever is chosen reads it.

    Examples
    --------
    >>> readers("network.k"), readers("network.kind"), readers("wom.q")
    (('ring', 'watts_strogatz'), None, None)
    """
    chooser = CHOSEN_BY.get(key.split(".")[0])
    used = PARAMS[key].used_by if key in PARAMS else ""
    if chooser is None or key == chooser or not used:
        return None
    return tuple(u.strip() for u in used.split(","))


def reads(key: str, values: dict, model: str) -> bool:
    """Whether a scenario (its resolved ``values`` and ``model``) reads ``key``: its model does
    (:func:`applies`), and so does the value its section's chooser has (``network.kind``).

    Examples
    --------
    >>> v = {"network.kind": "ring"}
    >>> reads("network.k", v, "adoption"), reads("network.mean_degree", v, "adoption")
    (True, False)
    """
    if not applies(key, model):
        return False
    chooser, who = CHOSEN_BY.get(key.split(".")[0]), readers(key)
    return who is None or not applies(chooser, model) or values[chooser] in who


def _owners(key: str) -> tuple | None:
    parts = key.split(".")
    return APPLIES_TO.get(".".join(parts[:2]), APPLIES_TO.get(parts[0]))


def _check_applies(model: str, given, name: str) -> None:
    """Refuse, in one line, a parameter given explicitly for a model that does not read it."""
    if not isinstance(model, str) or model not in MODELS:
        return  # reported later, with the list of models
    for key in given:
        key = key.replace("__", ".")
        if (key in PARAMS or key.split(".")[0] == "media") and not applies(key, model):
            raise ConfigError(key, f"applies to model = {' or '.join(_owners(key))}; "
                                   f"scenario {name!r} has model = {model}")
