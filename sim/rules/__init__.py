"""Word-of-mouth rules as plug-ins: the registry that ``wom.rule`` names.

Every rule is a class following :class:`~sim.rules.base.Rule`. The built-in
ones (``bass``, ``threshold``, ``complex``, ``cascade``, ``none``,
``forgetting``) are registered here; yours are registered the same way,

- from your own code: ``sim.rules.register(MyRule)``, then
  ``wom.rule = "mine"`` works in a scenario, ``bouche run``/``sweep`` with
  ``--rules mypackage.rules`` and every worker of a sweep;
- from an installed package, through the entry point group ``bouche.rules``
  (``[project.entry-points."bouche.rules"] mine = "mypackage.rules:MyRule"``),
  found when the registry is first imported (by any run or command).

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
KeyError: "no word-of-mouth rule 'gossip' (registered: ...)"
"""

from __future__ import annotations

import dataclasses
import re
import sys
from importlib import metadata

from sim.params import Param
from sim.rules.agents import PersonRule, person_rule
from sim.rules.base import Rule
from sim.rules.bass import Bass
from sim.rules.cascade import Cascade
from sim.rules.complex import Complex
from sim.rules.forgetting import Forgetting
from sim.rules.none import NoWom
from sim.rules.observational import Observational
from sim.rules.opinions import AlgorithmicBias, Deffuant, HegselmannKrause, Voter
from sim.rules.threshold import Threshold

__all__ = ["Rule", "PersonRule", "person_rule", "register", "unregister", "get", "names", "params", "bind",
           "load_modules", "origins",
           "ENTRY_POINTS"]

ENTRY_POINTS = "bouche.rules"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_RULES: dict[str, type] = {}
_BUILTIN = ("bass", "threshold", "complex", "cascade", "none", "forgetting", "observational", "voter", "deffuant",
            "hegselmann_krause", "algorithmic_bias")
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
    name = name or getattr(cls, "name", "")  # a non-class gets _check's TypeError, not an AttributeError
    _check(cls, name, replace)
    if cls.name != name:
        cls = type(cls.__name__, (cls,), {"name": name, "__module__": cls.__module__, "__qualname__": cls.__qualname__})
    if "_bouche_origin" not in cls.__dict__:
        cls._bouche_origin = _LOADING[-1] if _LOADING else cls.__module__
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


def load_modules(modules, key: str = "rules") -> None:
    """Import ``modules``, which register rules when imported: module names or paths of ``.py`` files.

    What ``bouche ... --rules`` does, and what each sweep worker does with the
    modules of the parent's registered rules (:func:`origins`). A module
    already imported is not imported again. A module that cannot be imported
    gives one :class:`~sim.errors.ConfigError` line naming ``key``.
    """
    import importlib
    import importlib.util
    from pathlib import Path

    from sim.errors import ConfigError

    for module in modules:
        text = str(module)
        try:
            if text.endswith(".py") or "/" in text or "\\" in text:
                path = Path(text).resolve()
                name = "bouche_rules_" + re.sub(r"\W", "_", path.stem)
                if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(path):
                    continue
                spec = importlib.util.spec_from_file_location(name, path)
                if spec is None or not path.is_file():
                    raise FileNotFoundError(f"no such file: {path}")
                mod = importlib.util.module_from_spec(spec)
                sys.modules[name] = mod
                _LOADING.append(str(path))
                try:
                    spec.loader.exec_module(mod)
                finally:
                    _LOADING.pop()
            elif text not in sys.modules:
                importlib.import_module(text)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001  (the user's code: one line, whatever it raised)
            first = (str(exc).strip().splitlines() or [""])[0][:200]
            raise ConfigError(key, f"could not import {text!r}: {type(exc).__name__}: {first}") from None


_LOADING: list[str] = []  # files being imported by load_modules (their rules remember the file)


def origins() -> list[str]:
    """Where the registered rules that are not built in come from: module names or file paths.

    Sweeps hand this list to their workers (:func:`load_modules`), so a
    rule registered in the parent is registered in every worker, on process
    pools and Dask alike. Rules defined in a script's ``__main__`` have no
    importable home: put them in a module.
    """
    out = []
    for name, cls in _RULES.items():
        where = getattr(cls, "_bouche_origin", cls.__module__)
        if name not in _BUILTIN and where != "__main__" and where not in out:
            out.append(where)
    return out


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


for _cls in (Bass, Threshold, Complex, Cascade, NoWom, Forgetting, Observational, Voter, Deffuant, HegselmannKrause,
             AlgorithmicBias):
    register(_cls)
_load_entry_points()
