"""Scenario schema, loading and validation.

A scenario is frozen, declarative data: a TOML file with the sections
``network``, ``wom``, ``media`` (one table or an array of tables), ``seeding``
and ``run``. Every construction path (a shipped scenario, a user file, a
``--set key=value`` override, keyword overrides in Python) goes through the one
validator in this module, so every bad value gets the same one-line message
naming the key, what is allowed and what was given.

Examples
--------
>>> sc = load("bass", overrides={"network.n": 500, "wom.q": 0.5})
>>> sc.get("network.n"), sc.get("wom.q"), sc.get("media.p")
(500, 0.5, 0.03)
>>> load("bass", overrides={"wom.qq": 1})
Traceback (most recent call last):
...
sim.errors.ConfigError: wom.qq is not a parameter; did you mean wom.q?
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import functools
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import ConfigError

__all__ = [
    "PARAMS",
    "MEDIUM_PARAMS",
    "Param",
    "Scenario",
    "load",
    "parse_value",
    "parse_assignment",
    "scenario_dir",
    "applies",
    "shipped_scenarios",
]

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
        return f" {'>' if p.lo_open else '>='} {_fmt(p.lo)}"
    if p.lo == -_INF:
        return f" {'<' if p.hi_open else '<='} {_fmt(p.hi)}"
    left = "(" if p.lo_open else "["
    right = ")" if p.hi_open else "]"
    return f" in {left}{_fmt(p.lo)}, {_fmt(p.hi)}{right}"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def _prob(key, default, help, **kw):
    return Param(key, "prob", default, help, lo=0.0, hi=1.0, **kw)


NETWORK_KINDS = ("complete", "erdos_renyi", "watts_strogatz", "ring", "barabasi_albert", "stochastic_block", "file")
WOM_RULES = ("bass", "threshold", "complex", "cascade", "none")
SEEDING_STRATEGIES = ("none", "random", "top_degree", "friend_of_random", "nodes", "greedy")
MEDIA_TARGETS = ("all", "top_degree", "segment")

PARAMS: dict[str, Param] = {p.key: p for p in [
    Param("network.kind", "choice", "erdos_renyi", "how the social graph is built", choices=NETWORK_KINDS),
    Param("network.n", "int", 1000, "number of people", lo=1),
    Param("network.mean_degree", "float", 10.0, "mean number of contacts per person",
          lo=0, lo_open=True, used_by="erdos_renyi"),
    Param("network.k", "int", 10, "contacts per person on the ring lattice (even)", lo=2, used_by="ring, watts_strogatz"),
    Param("network.rewire", "prob", 0.1, "probability that a lattice edge is rewired at random",
          lo=0.0, hi=1.0, used_by="watts_strogatz"),
    Param("network.m", "int", 3, "edges each newcomer attaches (preferential attachment)", lo=1,
          used_by="barabasi_albert"),
    Param("network.sizes", "ints", None, "community sizes (their sum replaces n)", nullable=True, used_by="stochastic_block"),
    Param("network.communities", "int", 4, "number of equal communities when sizes is not given", lo=1,
          used_by="stochastic_block"),
    _prob("network.p_in", 0.05, "link probability within a community", used_by="stochastic_block"),
    _prob("network.p_out", 0.001, "link probability between communities", used_by="stochastic_block"),
    Param("network.path", "str", None, "graph file: edge list (.csv .tsv .txt .edges), .graphml or .gexf",
          nullable=True, used_by="file"),
    Param("network.directed", "bool", None, "treat edges u->v as one-way (u influences v); none = as the file says",
          nullable=True, used_by="file"),
    Param("network.seed", "int", None, "seed of the graph alone (none = from the run's seed); a fixed value "
          "keeps one network across replicates", lo=0, nullable=True),
    Param("wom.rule", "choice", "bass", "word-of-mouth rule", choices=WOM_RULES),
    Param("wom.q", "float", 0.38, "imitation coefficient: per-step probability q x (adopted fraction of contacts)",
          lo=0.0, used_by="bass"),
    Param("wom.threshold", "number_or_list", 0.18, "adopt when the adopted fraction of contacts >= threshold",
          lo=0.0, hi=1.0, used_by="threshold"),
    Param("wom.threshold_sd", "float", 0.0, "spread of thresholds (normal, clipped to [0, 1])", lo=0.0,
          used_by="threshold"),
    Param("wom.threshold_dist", "choice", "normal", "threshold distribution", choices=("normal", "uniform"),
          used_by="threshold"),
    _prob("wom.threshold_low", 0.0, "lower end of uniform thresholds", used_by="threshold"),
    _prob("wom.threshold_high", 1.0, "upper end of uniform thresholds", used_by="threshold"),
    Param("wom.count", "int_or_list", 2, "adopt when at least this many contacts have adopted", lo=0,
          used_by="complex"),
    _prob("wom.beta", 0.05, "probability that a new adopter converts each contact (one chance)", used_by="cascade"),
    Param("seeding.strategy", "choice", "none", "who adopts at step 0", choices=SEEDING_STRATEGIES),
    Param("seeding.count", "int", None, "number of seeds", lo=0, nullable=True),
    _prob("seeding.fraction", None, "fraction of people seeded (instead of count)", nullable=True),
    Param("seeding.nodes", "ids", [], "explicit seed ids (strategy = nodes)"),
    Param("seeding.cost_per_seed", "float", 0.0, "cost of each seed", lo=0.0),
    Param("seeding.greedy_samples", "int", 200, "Monte Carlo cascade samples that score greedy seeds", lo=1,
          used_by="greedy"),
    _prob("seeding.greedy_beta", None, "cascade probability greedy seeds are chosen for (none = wom.beta)",
          nullable=True, used_by="greedy"),
    Param("run.steps", "int", 100, "maximum number of steps", lo=1),
    Param("run.dt", "float", 1.0, "length of a step in time units (Bass rates are per unit time)",
          lo=0.0, hi=1.0, lo_open=True),
    Param("run.stop", "choice", "quiescent", "stop after run.steps, or earlier when nothing can change any more",
          choices=("steps", "quiescent")),
    # --- attention model (fragmentation): attention.* parameters go here ---
    Param("attention.producers", "prob", 0.2, "share of people who publish their own posts (active producers)",
          lo=0.0, hi=1.0, lo_open=True),
    _prob("attention.post_rate", 0.5, "probability that an active producer posts a new item each step"),
    Param("attention.k", "int", 5, "limited attention: most items a person sees per step", lo=1),
    _prob("attention.reshare", 0.005, "probability that a person reshares an item they saw (to their followers)"),
    Param("attention.follows", "int", 30, "accounts each person follows", lo=1),
    _prob("attention.homophily", 0.8, "share of follows chosen inside the person's interest community"),
    Param("attention.communities", "int", 20, "number of interest communities", lo=1),
    Param("attention.popularity_exponent", "float", 2.5,
          "tail exponent of how attractive accounts are to follow (followers ~ k^-exponent; larger = more equal)",
          lo=1.0, lo_open=True),
    Param("attention.broadcast_channels", "int", 1, "number of broadcast (mass media) channels", lo=0),
    Param("attention.broadcast_share", "prob", 0.3,
          "share of attention the broadcast channels win from a watcher whose feed offers k social items "
          "(more items: less)",
          lo=0.0, hi=1.0, hi_open=True),
    _prob("attention.broadcast_audience", 0.9, "share of people who watch each broadcast channel at all"),
    # --- campaign measurement (likes, engagement): measurement.* parameters go here ---
    _prob("measurement.fans_customers", 0.6, "share of existing customers (seeded at step 0) who follow the "
          "brand's page (fans)", used_by="model = platform"),
    _prob("measurement.fans_others", 0.02, "share of everyone else who follows the brand's page (fans)",
          used_by="model = platform"),
    _prob("measurement.like_fan", 0.05, "probability that a fan who sees the campaign likes it",
          used_by="model = platform"),
    _prob("measurement.like_other", 0.002, "probability that anyone else who sees the campaign likes it",
          used_by="model = platform"),
    Param("measurement.target", "choice", "all", "whom the platform shows the campaign to, within the medium's "
          "audience: all, its fans, or people who are not fans", choices=("all", "fans", "non_fans"),
          used_by="model = platform"),
    Param("measurement.impressions", "int", None, "impressions bought per step, spread over the targeted "
          "audience (sets the medium's reach; none = use media.reach)", lo=0, nullable=True,
          used_by="model = platform"),
    Param("measurement.window", "int", None, "last-touch attribution window: an adoption is credited to the "
          "campaign if the person saw it at most this many steps before (none = any time)", lo=0,
          nullable=True, used_by="model = platform"),
]}

MEDIUM_PARAMS: dict[str, Param] = {p.key: p for p in [
    Param("media.name", "str", "media", "name of the medium (used in overrides: media.NAME.p)"),
    _prob("media.p", 0.03, "probability that a contacted non-adopter adopts (Bass p when reach = 1)"),
    _prob("media.reach", 1.0, "fraction of the target audience contacted each step"),
    Param("media.start", "int", 1, "first step the medium is on", lo=1),
    Param("media.stop", "int", None, "last step the medium is on (none = to the end)", lo=0, nullable=True),
    Param("media.cost_per_contact", "float", 0.0, "cost of each contact", lo=0.0),
    Param("media.target", "choice", "all", "who the medium can reach", choices=MEDIA_TARGETS),
    Param("media.segment", "str", None, "segment (community) targeted when target = segment", nullable=True),
    Param("media.audience", "prob", 0.1, "fraction of people, by degree, in the top_degree audience",
          lo=0.0, hi=1.0, lo_open=True),
]}

TOP_KEYS = ("name", "description", "seed", "title", "model", "report", "variants")
TEXT_KEYS = ("name", "description", "title", "report")
# Model classes by the scenario's top-level ``model`` key: NAME -> "module:Class".
MODELS = {"adoption": "sim.model:DiffusionModel", "attention": "sim.attention:AttentionModel"}
# Parameters only some models read: a section ("wom") or a dotted key ("network.n", which
# overrides its section) -> the models that read it. Keys not listed apply to every model.
# Giving a key explicitly (file or override) for another model is an error.
APPLIES_TO = {
    "network": ("adoption",), "network.n": ("adoption", "attention"), "wom": ("adoption",),
    "seeding": ("adoption",), "media": ("adoption",), "run.dt": ("adoption",), "attention": ("attention",),
}
# model = platform (sim.measurement): the adoption model plus a campaign dashboard (likes,
# engagement, last-touch attribution); it reads what the adoption model reads and measurement.*.
MODELS["platform"] = "sim.measurement:PlatformModel"
APPLIES_TO = {k: (*v, "platform") if "adoption" in v else v for k, v in APPLIES_TO.items()}
APPLIES_TO["measurement"] = ("platform",)
# Scenario reports (top-level ``report`` key): extra figures that show a scenario's point.
# NAME -> "module:function"; the function takes (result, folder) and returns the paths it wrote.
REPORTS: dict[str, str] = {
    "bass": "sim.reports:bass_report",
    "bandwagon": "sim.reports:bandwagon_report",
    "broadcast-vs-seeding": "sim.reports:broadcast_vs_seeding_report",
    "measurement": "sim.reports:measurement_report",
}
SECTIONS = tuple(dict.fromkeys(k.split(".")[0] for k in PARAMS)) + ("media",)


# ---------------------------------------------------------------------------
# values


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


# ---------------------------------------------------------------------------
# scenarios


@functools.lru_cache(maxsize=None)
def shipped_dir(kind: str) -> Path:
    """Folder of shipped data (``scenarios``, ``experiments``): in the installed package, or the source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_shipped" / kind, here.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the shipped {kind} folder is missing from this installation")


def shipped_files(kind: str) -> dict[str, Path]:
    """Map each shipped file's name (without .toml) of ``kind`` to its path."""
    folder = shipped_dir(kind)
    return dict(_toml_files(str(folder), folder.stat().st_mtime_ns))


@functools.lru_cache(maxsize=8)
def _toml_files(folder: str, mtime_ns: int) -> tuple:
    """(name, path) of the .toml files in ``folder``, listed again whenever the folder changes."""
    return tuple((p.stem, p) for p in sorted(Path(folder).glob("*.toml")))


def scenario_dir() -> Path:
    """Folder of the shipped scenario files."""
    return shipped_dir("scenarios")


def shipped_scenarios() -> dict[str, Path]:
    """Map each shipped scenario name to its TOML file."""
    return shipped_files("scenarios")


@dataclass(frozen=True)
class Scenario:
    """A resolved, validated scenario. Build a changed one with :meth:`replace`; never mutate.

    ``values`` holds every parameter with its default filled in; ``media`` is a
    tuple of dicts, one per medium.
    """

    name: str
    description: str
    seed: int
    values: dict = field(repr=False)
    media: tuple = field(repr=False)
    source: str = ""
    title: str = ""
    model: str = "adoption"
    report: str = ""
    # named override tables ([variants.NAME]) the scenario's report runs beside the base, flattened
    # to dotted keys; each was validated on top of the base
    variants: dict = field(default_factory=dict, repr=False)

    def get(self, key: str) -> Any:
        """Value of a dotted key; ``media.KEY`` reads the first medium."""
        if key.startswith("media."):
            if not self.media:
                return None
            return self.media[0][key.split(".", 1)[1]]
        return self.values[key]

    def section(self, name: str) -> dict:
        """All parameters of one section, without the section prefix."""
        prefix = name + "."
        return {k[len(prefix):]: v for k, v in self.values.items() if k.startswith(prefix)}

    def replace(self, overrides: dict | None = None, seed: int | None = None) -> "Scenario":
        """A new scenario with the overrides applied and validated (this one when nothing changes)."""
        if not overrides:
            if seed is None or seed == self.seed:
                return self  # never mutated: sharing it is safe, and saves a resolve per model built from it
            if not isinstance(seed, bool) and isinstance(seed, int) and seed >= 0:
                return dataclasses.replace(self, seed=seed)  # no value depends on the seed: nothing to re-check
        raw = self.to_dict()
        if seed is not None:
            raw["seed"] = seed
        return _resolve(raw, overrides or {}, self.source)

    def to_dict(self) -> dict:
        """Nested plain dict (the TOML shape), with every default filled in."""
        out: dict[str, Any] = {"name": self.name, "description": self.description, "seed": self.seed}
        for key in ("title", "report"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.model != "adoption":
            out["model"] = self.model
        for key, value in self.values.items():
            if applies(key, self.model):  # only what this model reads
                section, name = key.split(".", 1)
                out.setdefault(section, {})[name] = copy.deepcopy(value)
        if applies("media", self.model):
            out["media"] = [copy.deepcopy(m) for m in self.media]
        if self.variants:
            out["variants"] = copy.deepcopy(self.variants)
        return out


def load(source: "str | Path | Scenario | dict", overrides: dict | None = None, seed: int | None = None) -> Scenario:
    """Load a scenario by shipped name, TOML path, dict or Scenario, then apply overrides.

    Parameters
    ----------
    source : str, Path, dict or Scenario
        A shipped scenario name (``"bass"``), a path to a TOML file, a dict of
        the TOML shape, or a Scenario.
    overrides : dict, optional
        Dotted keys to values, e.g. ``{"wom.q": 0.5, "media.tv.reach": 0.2}``.
    seed : int, optional
        Root seed replacing the scenario's.
    """
    overrides = dict(overrides or {})
    if isinstance(source, Scenario):
        return source.replace(overrides, seed=seed)
    if isinstance(source, dict):
        raw, origin = copy.deepcopy(source), "<dict>"
    else:
        raw, origin = _read_toml(source)
    if seed is not None:
        raw["seed"] = seed
    return _resolve(raw, overrides, origin)


def _read_toml(source: str | Path) -> tuple[dict, str]:
    text = str(source)
    path = Path(text)
    shipped = shipped_scenarios()
    if text in shipped and not path.suffix:
        path = shipped[text]
    elif not path.suffix and not path.exists():
        near = difflib.get_close_matches(text, list(shipped), n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise ConfigError("scenario", f"must be a shipped scenario ({', '.join(shipped)}) or a .toml file; "
                                      f"got {text!r}{hint}")
    if not path.is_file():
        raise ConfigError("scenario", f"must be a shipped scenario or an existing .toml file; got {text!r} (not found)")
    raw = copy.deepcopy(_parse_toml(str(path.resolve()), path.stat().st_mtime_ns))
    raw.setdefault("name", path.stem)
    return raw, str(path)


@functools.lru_cache(maxsize=64)
def _parse_toml(path: str, mtime_ns: int) -> dict:
    """Parsed TOML, cached while the file is unchanged (callers get a deep copy)."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("scenario", f"file {path!r} is not valid TOML: {exc}") from None


def _suggest(key: str, candidates) -> str:
    near = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {near[0]}?" if near else ""


def _unknown(key: str, candidates) -> ConfigError:
    return ConfigError(key, f"is not a parameter{_suggest(key, candidates)}")


def _all_keys(media_names=()) -> list[str]:
    keys = list(PARAMS) + list(MEDIUM_PARAMS) + list(TOP_KEYS)
    keys += [f"media.{m}.{k.split('.', 1)[1]}" for m in media_names for k in MEDIUM_PARAMS]
    return keys


def _resolve(raw: dict, overrides: dict, origin: str) -> Scenario:
    if not isinstance(raw, dict):
        raise ConfigError("scenario", f"must be a table of sections; got {type(raw).__name__}")
    flat: dict[str, Any] = {}
    media_raw: Any = []
    for top, value in raw.items():
        if top in TOP_KEYS:
            continue
        if top == "media":
            media_raw = value
            continue
        if top not in SECTIONS:
            raise ConfigError(top, f"is not a section (sections: {', '.join(SECTIONS)}){_suggest(top, SECTIONS)}")
        if not isinstance(value, dict):
            raise ConfigError(top, f"must be a table of parameters; got {value!r}")
        for name, v in value.items():
            key = f"{top}.{name}"
            if key not in PARAMS:
                raise _unknown(key, PARAMS)
            flat[key] = v
    media = _media_list(media_raw)
    _check_applies(overrides.get("model", raw.get("model", "adoption")),
                   [*flat, *(["media"] if media else []), *overrides], raw.get("name", "scenario"))

    for key, value in overrides.items():
        key = key.replace("__", ".")
        if key == "seed":
            raw["seed"] = value
        elif key in TEXT_KEYS or key in ("model", "variants"):
            raw[key] = value
        elif key == "media":
            media = _media_list(value)
        elif key.startswith("media."):
            _override_medium(media, key, value)
        elif key in PARAMS:
            flat[key] = value
        else:
            raise _unknown(key, _all_keys([m.get("name", "") for m in media]))

    values = {}
    for key, param in PARAMS.items():
        values[key] = _check(param, flat[key]) if key in flat else copy.deepcopy(param.default)
    resolved_media = []
    for i, m in enumerate(media):
        resolved = {}
        for key, param in MEDIUM_PARAMS.items():
            short = key.split(".", 1)[1]
            label = f"media.{m.get('name', i)}.{short}" if len(media) > 1 else key
            default = param.default if short != "name" else ("media" if len(media) == 1 else f"media{i + 1}")
            resolved[short] = _check(param, m[short], label) if short in m else default
        resolved_media.append(resolved)
    names = [m["name"] for m in resolved_media]
    if len(set(names)) != len(names):
        raise ConfigError("media.name", f"must be unique across media; got {names}")

    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError("seed", f"must be an integer >= 0; got {seed!r}")
    for text_key in TEXT_KEYS:
        if text_key in raw and not isinstance(raw[text_key], str):
            raise ConfigError(text_key, f"must be a string; got {raw[text_key]!r}")
    model = raw.get("model", "adoption")
    if model not in MODELS:
        raise ConfigError("model", f"must be one of {', '.join(MODELS)}; got {model!r}")
    if raw.get("report") and raw["report"] not in REPORTS:
        raise ConfigError("report", f"must be one of {', '.join(REPORTS) or '(none defined)'}; got {raw['report']!r}")
    if model == "attention":
        _cross_check_attention(values)
    else:
        _cross_check(values, resolved_media, given=set(flat))
    variants = _variants(raw, overrides, origin)
    return Scenario(name=raw.get("name", "scenario"), description=raw.get("description", "").strip(),
                    seed=seed, values=values, media=tuple(resolved_media), source=origin,
                    title=raw.get("title", ""), model=model, report=raw.get("report", ""), variants=variants)


def flatten(table: dict, prefix: str = "") -> dict:
    """Nested tables to dotted keys: ``{"network": {"n": 5}, "media.p": 0.1}`` -> ``{"network.n": 5, "media.p": 0.1}``."""
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _variants(raw: dict, overrides: dict, origin: str) -> dict:
    """Validate the ``[variants.NAME]`` override tables, each on top of the base; return them flattened."""
    given = raw.get("variants") or {}
    if not isinstance(given, dict) or not all(isinstance(v, dict) for v in given.values()):
        raise ConfigError("variants", f"must be a table of named override tables ([variants.NAME]); got {given!r}")
    base = {k: v for k, v in raw.items() if k != "variants"}
    rest = {k: v for k, v in overrides.items() if k != "variants"}
    out = {}
    for name, table in given.items():
        flat = flatten(table)
        try:
            _resolve(copy.deepcopy(base), {**rest, **flat}, origin)
        except ConfigError as exc:
            raise ConfigError(f"variants.{name}.{exc.key}", exc.message) from None
        out[name] = flat
    return out


def _media_list(value: Any) -> list[dict]:
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
        raise ConfigError("media", f"must be a table or an array of tables ([[media]]); got {value!r}")
    out = []
    for m in value:
        for name in m:
            if f"media.{name}" not in MEDIUM_PARAMS:
                raise _unknown(f"media.{name}", MEDIUM_PARAMS)
        out.append(dict(m))
    return out


def _override_medium(media: list[dict], key: str, value: Any) -> None:
    parts = key.split(".")
    names = [m.get("name", "media" if len(media) == 1 else f"media{i + 1}") for i, m in enumerate(media)]
    if len(parts) == 2:
        if f"media.{parts[1]}" not in MEDIUM_PARAMS:
            raise _unknown(key, _all_keys(names))
        if not media:
            media.append({})
        elif len(media) > 1:
            raise ConfigError(key, f"is ambiguous: this scenario has {len(media)} media ({', '.join(names)}); "
                                   f"use media.{names[0]}.{parts[1]}")
        media[0][parts[1]] = value
        return
    if len(parts) == 3 and f"media.{parts[2]}" in MEDIUM_PARAMS:
        if parts[1] in names:
            media[names.index(parts[1])][parts[2]] = value
            return
        raise ConfigError(key, f"names no medium of this scenario (media: {', '.join(names) or 'none'})")
    raise _unknown(key, _all_keys(names))


def _cross_check(v: dict, media: list[dict], given: set) -> None:
    """Checks that involve several parameters (``given``: keys the user set explicitly)."""
    kind = v["network.kind"]
    if kind == "stochastic_block" and v["network.sizes"]:
        v["network.n"] = sum(v["network.sizes"])  # the sizes decide n
    n = v["network.n"]
    if kind == "erdos_renyi" and not v["network.mean_degree"] < n - 1 + 1e-12:
        raise ConfigError("network.mean_degree", f"must be a number in (0, n-1) = (0, {n - 1}); "
                                                 f"got {_fmt(v['network.mean_degree'])}")
    if kind in ("ring", "watts_strogatz"):
        k = v["network.k"]
        if k % 2 or k >= n:
            raise ConfigError("network.k", f"must be an even integer in [2, n-1] = [2, {n - 1}]; got {k}")
    if kind == "barabasi_albert" and v["network.m"] >= n:
        raise ConfigError("network.m", f"must be an integer in [1, n-1] = [1, {n - 1}]; got {v['network.m']}")
    if kind == "stochastic_block":
        if v["network.sizes"] is None and v["network.communities"] > n:
            raise ConfigError("network.communities", f"must be an integer in [1, n] = [1, {n}]; "
                                                     f"got {v['network.communities']}")
    if kind == "file" and not v["network.path"]:
        raise ConfigError("network.path", "must name a graph file when network.kind = file; got none")
    if v["wom.threshold_low"] > v["wom.threshold_high"]:
        raise ConfigError("wom.threshold_low", f"must be <= wom.threshold_high = {v['wom.threshold_high']}; "
                                               f"got {v['wom.threshold_low']}")
    s = v["seeding.strategy"]
    if v["seeding.count"] is not None and v["seeding.fraction"] is not None:
        raise ConfigError("seeding.count", "and seeding.fraction are alternatives: set one; got both")
    if s in ("random", "top_degree", "friend_of_random", "greedy") and v["seeding.count"] is None \
            and v["seeding.fraction"] is None:
        raise ConfigError("seeding.count", f"(or seeding.fraction) must be set when seeding.strategy = {s}; got none")
    if s == "nodes" and not v["seeding.nodes"]:
        raise ConfigError("seeding.nodes", "must list at least one node id when seeding.strategy = nodes; got []")
    if v["seeding.count"] is not None and kind != "file" and v["seeding.count"] > n:
        raise ConfigError("seeding.count", f"must be <= the number of people ({n}); got {v['seeding.count']}")
    for m in media:
        label = f"media.{m['name']}" if len(media) > 1 else "media"
        if m["stop"] is not None and m["stop"] < m["start"]:
            raise ConfigError(f"{label}.stop", f"must be >= {label}.start = {m['start']} (or none); got {m['stop']}")
        if m["target"] == "segment" and m["segment"] is None:
            raise ConfigError(f"{label}.segment", "must name a segment when target = segment; got none")


def _cross_check_attention(v: dict) -> None:
    """Checks across the parameters of the attention model (scenario ``model = attention``)."""
    n = v["network.n"]
    if n < 2:
        raise ConfigError("network.n", f"must be an integer >= 2 for model = attention; got {n}")
    if v["attention.follows"] > n - 1:
        raise ConfigError("attention.follows", f"must be an integer in [1, n-1] = [1, {n - 1}]; "
                                               f"got {v['attention.follows']}")
    if v["attention.communities"] > n:
        raise ConfigError("attention.communities", f"must be an integer in [1, n] = [1, {n}]; "
                                                   f"got {v['attention.communities']}")
