"""A JSON Schema of the scenario file, built from the parameter registry: ``bouche schema``.

:func:`scenario_schema` reads :data:`~sim.config.schema.PARAMS` (with every
registered rule's ``wom.*`` parameters), :data:`~sim.config.schema.MEDIUM_PARAMS`,
the models and the reports, so it says what the resolver checks one key at a
time: the sections, each key's type, range, choices and default, and its
meaning. What involves several keys (a network setting the chosen kind does
not read, ``seeding.count`` against the number of people...) stays the
resolver's; ``bouche show`` and ``bouche run`` say it in one line.

A TOML file is checked against it by editors that read JSON Schemas for TOML
(Taplo and the "Even Better TOML" extension: a ``#:schema ./scenario.schema.json``
line at the top of the file), and by :mod:`jsonschema` on the parsed file.

Examples
--------
>>> s = scenario_schema()
>>> s["properties"]["wom"]["properties"]["q"]["minimum"], s["properties"]["network"]["additionalProperties"]
(0.0, False)
>>> s["properties"]["run"]["properties"]["stop"]["enum"]
['steps', 'quiescent']
"""

from __future__ import annotations

import math

from sim.config.schema import MEDIUM_PARAMS, MODELS, PARAMS, REPORTS, SECTIONS, Param
from sim.version import __version__

__all__ = ["SCHEMA_ID", "param_schema", "scenario_schema"]

SCHEMA_ID = "https://json-schema.org/draft/2020-12/schema"


def _bounded(p: Param, base: dict) -> dict:
    out = dict(base)
    if p.lo != -math.inf:
        out["exclusiveMinimum" if p.lo_open else "minimum"] = p.lo
    if p.hi != math.inf:
        out["exclusiveMaximum" if p.hi_open else "maximum"] = p.hi
    return out


def param_schema(p: Param) -> dict:
    """The JSON Schema of one parameter's value in a scenario file (TOML has no null: a ``none`` value is a
    key left out).

    Examples
    --------
    >>> param_schema(PARAMS["network.n"])["type"], param_schema(PARAMS["network.n"])["minimum"]
    ('integer', 1)
    >>> param_schema(PARAMS["seeding.nodes"])["items"]
    {'type': ['integer', 'string']}
    """
    kind = p.kind
    if kind == "choice":
        out = {"enum": list(p.choices)}
    elif kind == "str":
        out = {"type": "string"}
    elif kind == "bool":
        out = {"type": "boolean"}
    elif kind == "ids":
        out = {"type": "array", "items": {"type": ["integer", "string"]}}
    elif kind == "ints":
        out = {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 1}}
    elif kind in ("number_or_list", "int_or_list"):
        one = _bounded(p, {"type": "integer" if kind == "int_or_list" else "number"})
        out = {"anyOf": [one, {"type": "array", "minItems": 1, "items": one}]}
    else:
        out = _bounded(p, {"type": "integer" if kind == "int" else "number"})
    text = p.help + (f" (read by {p.used_by})" if p.used_by else "") + f"; allowed: {p.allowed()}"
    out["description"] = text
    if p.default is not None and p.default != []:
        out["default"] = p.default
    return out


def _section(params: dict, prefix: str) -> dict:
    return {"type": "object", "additionalProperties": False,
            "properties": {key[len(prefix):]: param_schema(p) for key, p in params.items() if key.startswith(prefix)}}


def scenario_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a scenario file, from the parameter registry of this run
    (rules registered so far included)."""
    sections = {name: _section(PARAMS, f"{name}.") for name in SECTIONS if name != "media"}
    medium = _section(MEDIUM_PARAMS, "media.")
    media = {"description": "mass media: one table, or an array of tables ([[media]]), one per medium",
             "anyOf": [medium, {"type": "array", "items": medium}]}
    text = {"type": "string"}
    variant = {"type": "object", "additionalProperties": False,
               "description": "overrides the scenario's report runs beside the base ([variants.NAME])",
               "properties": {"title": text, "description": text,
                              **sections, "media": {"type": "object"}}}
    return {
        "$schema": SCHEMA_ID,
        "title": "Bouche scenario",
        "description": f"A scenario file of Bouche {__version__} (TOML). Keys are checked one by one here; "
                       f"checks across keys are the resolver's (bouche show).",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {**text, "description": "the scenario's name (letters, digits, - and _)"},
            "title": {**text, "description": "the title its figures carry while it runs as written"},
            "description": {**text, "description": "what it shows, in a few sentences"},
            "seed": {"type": "integer", "minimum": 0, "description": "root seed of every random stream"},
            "model": {"enum": list(MODELS), "default": "adoption", "description": "the model class that runs it"},
            "report": {"enum": ["", *REPORTS], "description": "the extra figures bouche run draws"},
            "variants": {"type": "object", "additionalProperties": variant},
            **sections,
            "media": media,
        },
    }
