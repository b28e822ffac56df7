"""One parameter of a scenario: its type, default, allowed range and meaning.

:class:`Param` lives here, apart from the scenario schema
(:mod:`sim.config.schema`), so that word-of-mouth rules (:mod:`sim.rules`)
can declare their own parameters without importing the configuration
machinery. This module imports nothing else from :mod:`sim`.

Examples
--------
>>> Param("wom.q", "float", 0.38, "imitation", lo=0.0).allowed()
'a number >= 0'
>>> prob("wom.beta", 0.05, "a probability").allowed()
'a number in [0, 1]'
"""

from __future__ import annotations

import math
import reprlib
from dataclasses import dataclass
from typing import Any

__all__ = ["Param", "prob", "shown", "fmt"]

_INF = math.inf


@dataclass(frozen=True)
class Param:
    """One parameter of the schema: its type, default, allowed range and meaning."""

    key: str
    kind: str  # int, float, prob, str, bool, choice, ints, number_or_list, int_or_list, ids
    default: Any
    help: str
    lo: float = -_INF
    hi: float = _INF
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple = ()
    nullable: bool = False
    used_by: str = ""  # e.g. "network.kind = erdos_renyi"

    def allowed(self) -> str:
        """Say in words what values are allowed."""
        if self.kind == "choice":
            text = "one of " + ", ".join(self.choices)
        elif self.kind == "bool":
            text = "true or false"
        elif self.kind == "str":
            text = "a string"
        elif self.kind == "ids":
            text = "a list of node ids"
        elif self.kind == "ints":
            text = "a list of integers >= 1"
        else:
            noun = {"int": "an integer", "int_or_list": "an integer (or a list of integers, one per person)",
                    "number_or_list": "a number (or a list of numbers, one per person)"}.get(self.kind, "a number")
            text = noun + _range_text(self)
        if self.nullable:
            text += " (or none)"
        return text


def _range_text(p: Param) -> str:
    if p.lo == -_INF and p.hi == _INF:
        return ""
    if p.hi == _INF:
        return f" {'>' if p.lo_open else '>='} {fmt(p.lo)}"
    if p.lo == -_INF:
        return f" {'<' if p.hi_open else '<='} {fmt(p.hi)}"
    left = "(" if p.lo_open else "["
    right = ")" if p.hi_open else "]"
    return f" in {left}{fmt(p.lo)}, {fmt(p.hi)}{right}"


def fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxlong = 3, 10, 6, 60
_REPR.maxstring = _REPR.maxother = 120


def shown(value: Any) -> str:
    """``repr(value)`` for an error message: short, and safe for values nested however deep.

    Examples
    --------
    >>> shown("ring"), shown(list(range(20)))
    ("'ring'", '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...]')
    """
    return _REPR.repr(value)


def prob(key, default, help, **kw):
    return Param(key, "prob", default, help, lo=0.0, hi=1.0, **kw)


