"""Word-of-mouth rules as plug-ins: the registry that ``wom.rule`` names.

Every rule is a class following :class:`~sim.rules.base.Rule`. The built-in
ones (``bass``, ``threshold``, ``complex``, ``cascade``, ``none``,
``forgetting``) are registered here; yours are registered the same way,

- from your own code: ``sim.rules.register(MyRule)``, then
  ``wom.rule = "mine"`` works in a scenario, ``bouche run``/``sweep`` with
  ``--rules mypackage.rules`` and every worker of a sweep;
- from an installed package, through the entry point group ``bouche.rules``
  (``[project.entry-points."bouche.rules"] mine = "mypackage.rules:MyRule"``),
  found when :mod:`sim` is imported.

A scenario file can only name a registered rule: no import strings in data
files. The registry feeds ``wom.rule``'s choices, the ``wom.*`` parameters
(``bouche show``, validation, sweep designs), figure subtitles and the
browser app's controls. See ``docs/extending.md``.

Examples
--------
>>> names()[:5]
('bass', 'threshold', 'complex', 'cascade', 'none')
>>> get("bass").label
'Bass imitation'
>>> get("gossip")
Traceback (most recent call last):
...
KeyError: "no word-of-mouth rule 'gossip' (registered: bass, threshold, complex, cascade, none, forgetting)"
"""

from __future__ import annotations

import dataclasses
import re
import sys
from importlib import metadata

from sim.params import Param
from sim.rules.base import Rule
from sim.rules.bass import Bass
from sim.rules.cascade import Cascade
from sim.rules.complex import Complex
from sim.rules.forgetting import Forgetting
from sim.rules.none import NoWom
from sim.rules.threshold import Threshold

__all__ = ["Rule", "register", "unregister", "get", "names", "params", "bind", "load_modules", "ENTRY_POINTS"]

ENTRY_POINTS = "bouche.rules"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_RULES: dict[str, type] = {}
_BUILTIN = ("bass", "threshold", "complex", "cascade", "none", "forgetting")
_TABLES: list[dict] = []  # parameter tables kept in step with the registry (sim.config.schema.PARAMS)
RULE_PARAM = Param("wom.rule", "choice", "bass", "word-of-mouth rule", choices=())


def names() -> tuple[str, ...]:
    """The registered rules' names, built-in ones first."""
    return tuple(_RULES)


def get(name: str) -> type:
    """The rule class registered as ``name`` (KeyError naming the registered ones otherwise)."""
    try:
        return _RULES[name]
    except KeyError:
        raise KeyError(f"no word-of-mouth rule {name!r} (registered: {', '.join(_RULES)})") from None


def params() -> dict[str, Param]:
    """Every rule's parameters, ``wom.rule`` first; ``used_by`` names the rules that read each one."""
    out: dict[str, Param] = {"wom.rule": dataclasses.replace(RULE_PARAM, choices=names())}
    users: dict[str, list[str]] = {}
    for name, cls in _RULES.items():
        for p in cls.params:
            out.setdefault(p.key, p)
            users.setdefault(p.key, []).append(name)
    for key, who in users.items():
        out[key] = dataclasses.replace(out[key], used_by=", ".join(who))
    return out


def bind(table: dict) -> None:
    """Keep ``table`` (a ``{key: Param}`` dict, the scenario schema's) holding the rules' parameters.

    Called by :mod:`sim.config.schema`; after each :func:`register` the
    table's ``wom.*`` entries are brought up to date in place.
    """
    _TABLES.append(table)
    _sync(table)


def _sync(table: dict) -> None:
    fresh = params()
    for key in [k for k in table if k.startswith("wom.") and k not in fresh]:
        del table[key]
    table.update(fresh)


def _check(cls, name: str, replace: bool) -> None:
    if not (isinstance(cls, type) and issubclass(cls, Rule)):
        raise TypeError(f"a rule must be a subclass of sim.rules.Rule; got {cls!r}")
    if not _NAME.match(name):
        raise ValueError(f"a rule's name must be lower-case letters, digits and _ (at most 40, a letter first); "
                         f"got {name!r}")
    if name in _RULES and not replace and _RULES[name] is not cls:
        raise ValueError(f"a rule named {name!r} is already registered ({_RULES[name].__module__}."
                         f"{_RULES[name].__qualname__}); pass replace=True to replace it")
    if name in _BUILTIN and _RULES.get(name) not in (None, cls):
        raise ValueError(f"{name!r} is a built-in rule and cannot be replaced; choose another name")
    if cls.draws not in (0, 1):
        raise ValueError(f"{cls.__qualname__}.draws must be 0 or 1 (draw more from your own streams); "
                         f"got {cls.draws!r}")
    taken = {p.key: p for other in _RULES.values() if other is not _RULES.get(name) for p in other.params}
    for p in cls.params:
        if not isinstance(p, Param) or not p.key.startswith("wom.") or p.key == "wom.rule" or p.key.count(".") != 1:
            raise ValueError(f"{cls.__qualname__}.params must hold sim.params.Param entries with keys wom.NAME; "
                             f"got {p!r}")
        if p.key in taken and dataclasses.replace(taken[p.key], used_by="") != dataclasses.replace(p, used_by=""):
            raise ValueError(f"{p.key} is already a parameter of another rule, with another definition; "
                             f"share that rule's Param object or choose another key")


def register(cls, name: str | None = None, replace: bool = False):
    """Register the rule class ``cls`` under ``name`` (default: ``cls.name``); returns ``cls``.

    Usable as a decorator. Its parameters join the scenario schema at once.

    Raises
    ------
    TypeError, ValueError
        For something that is not a :class:`Rule` subclass, a bad name, a
        name taken by another rule (unless ``replace``), a built-in name, or
        a parameter defined differently by another rule.
    """
    name = name or cls.name
    _check(cls, name, replace)
    if cls.name != name:
        cls = type(cls.__name__, (cls,), {"name": name, "__module__": cls.__module__, "__qualname__": cls.__qualname__})
    _RULES[name] = cls
    for table in _TABLES:
        _sync(table)
    return cls


def unregister(name: str) -> None:
    """Remove a rule you registered (built-in rules stay)."""
    if name in _BUILTIN:
        raise ValueError(f"{name!r} is a built-in rule and cannot be removed")
    _RULES.pop(name, None)
    for table in _TABLES:
        _sync(table)


def load_modules(modules) -> None:
    """Import the Python modules ``modules`` (names), which register rules when imported (``--rules``)."""
    import importlib

    for module in modules:
        importlib.import_module(module)


def _load_entry_points() -> None:
    """Register the rules installed packages offer through the ``bouche.rules`` entry point group."""
    try:
        found = metadata.entry_points(group=ENTRY_POINTS)
    except Exception:  # noqa: BLE001  (broken metadata must not stop bouche)
        return
    for ep in found:
        try:
            register(ep.load(), name=ep.name)
        except Exception as exc:  # noqa: BLE001  (a broken plug-in: say so in one line, go on without it)
            print(f"bouche: skipping word-of-mouth rule {ep.name!r} from {ep.value}: {type(exc).__name__}: {exc}",
                  file=sys.stderr)


for _cls in (Bass, Threshold, Complex, Cascade, NoWom, Forgetting):
    register(_cls)
_load_entry_points()
