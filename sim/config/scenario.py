"""The resolved scenario: :class:`Scenario`, :func:`load` and the one resolver behind them.

Every construction path (a shipped name, a TOML file, a dict, overrides,
:meth:`Scenario.replace`) goes through :func:`_resolve`, which checks each key
against the schema, each value with :func:`~sim.config.values._check`, the
keys the chosen network kind does not read (:func:`_check_chosen`), and then
the rules that involve several parameters (:func:`_cross_check`).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.config.schema import (
    ALTERNATIVES,
    CHOSEN_BY,
    MEDIUM_PARAMS,
    MODELS,
    PARAMS,
    REPORTS,
    SECTIONS,
    TEXT_KEYS,
    TOP_KEYS,
    _fmt,
    _shown,
)
from sim.config.shipped import _read_toml
from sim.config.values import MAX_DEPTH, _check, _check_applies, applies, check_name, readers, reads, too_deep
from sim.errors import ConfigError

__all__ = ["Scenario", "load", "flatten"]

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
    # keys the chosen network kind does not read, kept for the kinds a later layer gives it (a sweep
    # that varies network.kind: load(..., varied=...)); to_dict writes them, replace keeps them
    kept: frozenset = field(default_factory=frozenset, repr=False)
    # the overrides applied on top of the file (dotted keys), in order: what this run changed
    changes: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def heading(self) -> str:
        """A figure's title for a run of this scenario: its own title while it runs as written, else its
        name and what was changed (a title such as "the same budget in two worlds" may no longer hold).

        Examples
        --------
        >>> load("bass").heading
        'Bass diffusion: mass media and word of mouth'
        >>> load("bass", overrides={"wom.q": 0.5}).replace({"network.n": 50}).heading
        'bass, changed: wom.q = 0.5, network.n = 50'
        """
        if not self.changes:
            return self.title or self.name
        shown = ", ".join(f"{k} = {v}" for k, v in list(self.changes.items())[:4])
        more = f" and {len(self.changes) - 4} more" if len(self.changes) > 4 else ""
        return f"{self.name}, changed: {shown}{more}"

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
        return _resolve(raw, overrides or {}, self.source, keep=self.kept, changes=self.changes)

    def to_dict(self) -> dict:
        """Nested plain dict (the TOML shape), with every default filled in: every parameter its model
        and its network kind read (and the kept ones)."""
        out: dict[str, Any] = {"name": self.name, "description": self.description, "seed": self.seed}
        for key in ("title", "report"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.model != "adoption":
            out["model"] = self.model
        for key, value in self.values.items():
            if reads(key, self.values, self.model) or key in self.kept:  # only what this model and kind read
                section, name = key.split(".", 1)
                out.setdefault(section, {})[name] = copy.deepcopy(value)
        if applies("media", self.model):
            out["media"] = [copy.deepcopy(m) for m in self.media]
        if self.variants:
            out["variants"] = copy.deepcopy(self.variants)
        return out


def load(source: "str | Path | Scenario | dict", overrides: dict | None = None, seed: int | None = None, *,
         varied: dict | None = None) -> Scenario:
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
    varied : dict, optional
        The values a later layer gives a choosing key (``{"network.kind": ["ring", "erdos_renyi"]}``,
        a sweep that varies the kind): a key the chosen kind does not read but one of these does
        is kept for them (:attr:`Scenario.kept`) rather than refused.

    Examples
    --------
    >>> load("bass", overrides={"network.mean_degree": 4})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: network.mean_degree is not used by network.kind = complete (it is read by erdos_renyi, ...
    >>> load("bass", overrides={"network.mean_degree": 4}, varied={"network.kind": ["erdos_renyi"]}).kept
    frozenset({'network.mean_degree'})
    """
    overrides = dict(overrides or {})
    if isinstance(source, Scenario):
        if varied:
            return _resolve(source.to_dict() | ({"seed": seed} if seed is not None else {}), overrides,
                            source.source, keep=source.kept, varied=varied, changes=source.changes)
        return source.replace(overrides, seed=seed)
    if isinstance(source, dict):
        if too_deep(source):
            raise ConfigError("scenario", f"must nest tables and arrays at most {MAX_DEPTH} levels deep; "
                                          f"got {_shown(source)}")
        raw, origin = copy.deepcopy(source), "<dict>"
    else:
        raw, origin = _read_toml(source)
    if seed is not None:
        raw["seed"] = seed
    return _resolve(raw, overrides, origin, varied=varied)


def _suggest(key: str, candidates) -> str:
    near = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {near[0]}?" if near else ""


def _unknown(key: str, candidates) -> ConfigError:
    return ConfigError(key, f"is not a parameter{_suggest(key, candidates)}")


def _all_keys(media_names=()) -> list[str]:
    keys = list(PARAMS) + list(MEDIUM_PARAMS) + list(TOP_KEYS)
    keys += [f"media.{m}.{k.split('.', 1)[1]}" for m in media_names for k in MEDIUM_PARAMS]
    return keys


def _resolve(raw: dict, overrides: dict, origin: str, keep=frozenset(), varied: dict | None = None,
             changes: dict | None = None) -> Scenario:
    """The one resolver. ``raw`` (the file, a lower layer) and ``overrides`` (the layer above it) are
    the two layers of :func:`_check_chosen`; ``keep`` names keys of ``raw`` kept before, ``varied``
    the values a later layer gives a choosing key, ``changes`` the overrides applied before
    (:attr:`Scenario.changes`)."""
    if not isinstance(raw, dict):
        raise ConfigError("scenario", f"must be a table of sections; got {type(raw).__name__}")
    for key, value in overrides.items():
        if not isinstance(key, str):
            raise ConfigError("overrides", f"must map dotted parameter names to values; got the key {_shown(key)}")
        if too_deep(value):
            raise ConfigError(key, f"must be nested at most {MAX_DEPTH} levels deep; got {_shown(value)}")
    flat: dict[str, Any] = {}
    layer: dict[str, int] = {}  # the layer that gave each parameter: 0 the file, 1 the overrides
    media_raw: Any = []
    for top, value in raw.items():
        if not isinstance(top, str):
            raise ConfigError("scenario", f"must name its sections with strings; got {_shown(top)}")
        if top in TOP_KEYS:
            continue
        if top == "media":
            media_raw = value
            continue
        if top not in SECTIONS:
            raise ConfigError(top, f"is not a section (sections: {', '.join(SECTIONS)}){_suggest(top, SECTIONS)}")
        if not isinstance(value, dict):
            raise ConfigError(top, f"must be a table of parameters; got {_shown(value)}")
        for name, v in value.items():
            key = f"{top}.{name}"
            if key not in PARAMS:
                raise _unknown(key, PARAMS)
            flat[key], layer[key] = v, 0
    media = _media_list(media_raw)
    lower = dict(flat)  # the file's own parameters, for the variants written beside them
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
            flat[key], layer[key] = value, 1
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
        raise ConfigError("seed", f"must be an integer >= 0; got {_shown(seed)}")
    for text_key in TEXT_KEYS:
        if text_key in raw and not isinstance(raw[text_key], str):
            raise ConfigError(text_key, f"must be a string; got {_shown(raw[text_key])}")
    name = check_name(raw.get("name", "scenario"))
    model = raw.get("model", "adoption")
    if not isinstance(model, str) or model not in MODELS:
        raise ConfigError("model", f"must be one of {', '.join(MODELS)}; got {_shown(model)}")
    if raw.get("report") and raw["report"] not in REPORTS:
        raise ConfigError("report", f"must be one of {', '.join(REPORTS) or '(none defined)'}; got {raw['report']!r}")
    _check_alternatives(values, layer)
    kept = _check_chosen(values, layer, model, keep, varied or {})
    CROSS_CHECKS.get(model, _cross_check)(values, resolved_media, given=set(flat))
    base = Scenario(name=name, description=raw.get("description", "").strip(),
                    seed=seed, values=values, media=tuple(resolved_media), source=origin,
                    title=raw.get("title", ""), model=model, report=raw.get("report", ""), kept=kept,
                    changes={**(changes or {}), **{k.replace("__", "."): v for k, v in overrides.items()
                                                   if k not in (*TEXT_KEYS, "seed", "variants")}})
    variants = _variants(raw.get("variants"), base, lower)
    return dataclasses.replace(base, variants=variants) if variants else base


def _check_alternatives(values: dict, layer: dict) -> None:
    """Of a group of alternatives (:data:`~sim.config.schema.ALTERNATIVES`), the one given in the highest
    layer wins: the others, given below it, are reset to their default (``--set seeding.count=1`` on a
    scenario that sets ``seeding.fraction``). Two given in one layer are refused in one line.

    Examples
    --------
    >>> s = load("bandwagon", overrides={"seeding.count": 5})  # the file sets seeding.fraction
    >>> s.get("seeding.count"), s.get("seeding.fraction")
    (5, None)
    >>> load("bass", overrides={"seeding.count": 5, "seeding.fraction": 0.1})
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: seeding.count and seeding.fraction are alternatives: set one; got both
    """
    for group in ALTERNATIVES:
        given = [k for k in group if values[k] is not None and k in layer]
        if len(given) < 2:
            continue
        top = max(layer[k] for k in given)
        winners = [k for k in given if layer[k] == top]
        if len(winners) > 1:
            raise ConfigError(winners[0], f"and {' and '.join(winners[1:])} are alternatives: set one; got both")
        for key in given:
            if key not in winners:
                values[key] = copy.deepcopy(PARAMS[key].default)


def _check_chosen(values: dict, layer: dict, model: str, keep, varied: dict) -> frozenset:
    """Refuse, in one line, a parameter given explicitly for a network kind that does not read it.

    ``layer`` says which layer gave each key (0 the file, 1 the overrides). A key
    the chosen kind ignores is refused when that kind was chosen in its own layer
    or a lower one (the default kind lies below every layer): the user asked for
    both. Given for the kind of a lower layer that a higher one changed, it is
    moot: reset to its default, silently. Kept instead (returned) when it is in
    ``keep`` or read by one of the values ``varied`` lists for the choosing key.
    """
    kept = set()
    for section, chooser in CHOSEN_BY.items():
        if not applies(chooser, model):
            continue
        chosen, top = values[chooser], layer.get(chooser, -1)
        others = [v for v in varied.get(chooser, ()) if v != chosen]
        for key in [k for k in layer if k.split(".")[0] == section]:
            who = readers(key)
            if who is None or chosen in who:
                continue
            if layer[key] < top:
                values[key] = copy.deepcopy(PARAMS[key].default)
            elif key in keep or any(v in who for v in others):
                kept.add(key)
            else:
                kinds = " or ".join([str(chosen), *others])
                raise ConfigError(key, f"is not used by {chooser} = {kinds} (it is read by {', '.join(who)}); "
                                       f"remove it or choose a {chooser.split('.', 1)[1]} that uses it")
    return frozenset(kept)


def flatten(table: dict, prefix: str = "") -> dict:
    """Nested tables to dotted keys: ``{"network": {"n": 5}, "media.p": 0.1}`` -> ``{"network.n": 5,
    "media.p": 0.1}``."""
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _variants(given, base: Scenario, lower: dict) -> dict:
    """Validate the ``[variants.NAME]`` override tables, each a layer on top of the resolved base (file
    and overrides, as the reports run them: ``base.replace(variant)``); return them flattened.

    A variant is written for the file's network kind (``lower``: the file's own parameters): where an
    override changed the kind, the variant's settings for the file's kind that the new kind does not
    read are dropped, as the file's own are (:func:`_check_chosen`).
    """
    given = given or {}
    if not isinstance(given, dict) or not all(isinstance(v, dict) for v in given.values()):
        raise ConfigError("variants", f"must be a table of named override tables ([variants.NAME]); "
                                      f"got {_shown(given)}")
    out = {}
    for name, table in given.items():
        flat = flatten(table)
        for section, chooser in CHOSEN_BY.items():
            was, now = lower.get(chooser, PARAMS[chooser].default), base.values[chooser]
            if chooser in flat or was == now or not applies(chooser, base.model):
                continue
            flat = {k: v for k, v in flat.items() if not (k.split(".")[0] == section and readers(k)
                                                          and now not in readers(k) and was in readers(k))}
        try:
            base.replace(flat)
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
        raise ConfigError("media", f"must be a table or an array of tables ([[media]]); got {_shown(value)}")
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


# The block model draws the links of each pair of communities in turn: its build time grows with the
# square of their number (about 10 s for 1,000 on one core), so more would look like a hang.
MAX_BLOCKS = 1000
_BLOCKS_WHY = "the block model's build time grows with the square of the number of communities"


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
        if v["network.sizes"] is None and v["network.communities"] > min(n, MAX_BLOCKS):
            raise ConfigError("network.communities", f"must be an integer in [1, {min(n, MAX_BLOCKS):,}] (at most n, "
                                                     f"and {MAX_BLOCKS:,}: {_BLOCKS_WHY}); "
                                                     f"got {v['network.communities']}")
        if v["network.sizes"] is not None and len(v["network.sizes"]) > MAX_BLOCKS:
            raise ConfigError("network.sizes", f"must list at most {MAX_BLOCKS:,} communities ({_BLOCKS_WHY}); "
                                               f"got {len(v['network.sizes']):,}")
    if kind == "communities" and not 1 <= v["network.communities"] <= n // 2:
        raise ConfigError("network.communities", f"must be an integer in [1, n/2] = [1, {n // 2:,}] (two people "
                                                 f"or more each); got {v['network.communities']}")
    if kind == "file" and not v["network.path"]:
        raise ConfigError("network.path", "must name a graph file when network.kind = file; got none")
    if v["wom.threshold_low"] > v["wom.threshold_high"]:
        raise ConfigError("wom.threshold_low", f"must be <= wom.threshold_high = {v['wom.threshold_high']}; "
                                               f"got {v['wom.threshold_low']}")
    s = v["seeding.strategy"]
    if s in ("random", "top_degree", "friend_of_random", "greedy") and v["seeding.count"] is None \
            and v["seeding.fraction"] is None:
        raise ConfigError("seeding.count", f"(or seeding.fraction) must be set when seeding.strategy = {s}; got none")
    if s == "nodes" and not v["seeding.nodes"]:
        raise ConfigError("seeding.nodes", "must list at least one node id when seeding.strategy = nodes; got []")
    if v["seeding.count"] is not None and kind in readers("network.n") and v["seeding.count"] > n:
        raise ConfigError("seeding.count", f"must be <= the number of people ({n}); got {v['seeding.count']}")
    for m in media:
        label = f"media.{m['name']}" if len(media) > 1 else "media"
        if m["stop"] is not None and m["stop"] < m["start"]:
            raise ConfigError(f"{label}.stop", f"must be >= {label}.start = {m['start']} (or none); got {m['stop']}")
        if m["target"] == "segment" and m["segment"] is None:
            raise ConfigError(f"{label}.segment", "must name a segment when target = segment; got none")


def _cross_check_attention(v: dict, media=(), given=()) -> None:
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


def _cross_check_market(v: dict, media=(), given=()) -> None:
    """Checks across the parameters of the cultural market (scenario ``model = market``)."""
    s, c = v["market.products"], v["market.consumers"]
    if v["market.listens"] > s:
        raise ConfigError("market.listens", f"must be an integer in [1, products] = [1, {s}]; "
                                            f"got {v['market.listens']}")
    promote = v["market.promote"] or []
    if any(r > s for r in promote) or len(set(promote)) != len(promote):
        raise ConfigError("market.promote", f"must list distinct appeal ranks in [1, products] = [1, {s}] "
                                            f"(or none); got {_shown(promote)}")
    if v["market.invert"] is not None and v["market.invert"] >= c:
        raise ConfigError("market.invert", f"must be an integer in [0, consumers - 1] = [0, {c - 1}] "
                                           f"(or none); got {v['market.invert']}")


# Checks across parameters, by model (the adoption checks for any model not listed).
CROSS_CHECKS = {"attention": _cross_check_attention, "market": _cross_check_market}
