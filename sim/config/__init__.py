"""Scenario schema, loading and validation.

A scenario is frozen, declarative data: a TOML file with the sections
``network``, ``wom``, ``media`` (one table or an array of tables), ``seeding``
and ``run``. Every construction path (a shipped scenario, a user file, a
``--set key=value`` override, keyword overrides in Python) goes through the one
validator in this module, so every bad value gets the same one-line message
naming the key, what is allowed and what was given.

Modules
-------
schema
    :class:`Param` and the registries: :data:`PARAMS`, :data:`MEDIUM_PARAMS`,
    :data:`MODELS`, :data:`APPLIES_TO`, :data:`REPORTS`, :data:`SECTIONS`.
values
    Checking one value: :func:`parse_value`, :func:`parse_assignment`,
    :func:`applies`, :func:`check_name` (names become paths: identifiers only).
shipped
    The shipped scenarios and experiments: :func:`shipped_dir`,
    :func:`shipped_files`, :func:`scenario_dir`, :func:`shipped_scenarios`.
scenario
    :class:`Scenario`, :func:`load`, :func:`flatten` and the resolver with its
    cross-parameter checks.

Everything is importable from ``sim.config`` itself, private helpers included.
The registries are the very objects the resolver reads: add to them in place
(``config.PARAMS[key] = config.Param(...)``), do not rebind them here.

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

from sim.config.scenario import Scenario, flatten, load
from sim.config.schema import (
                               APPLIES_TO,
                               CHOSEN_BY,
                               MEDIA_TARGETS,
                               MEDIUM_PARAMS,
                               MODELS,
                               NETWORK_KINDS,
                               PARAMS,
                               REPORTS,
                               SECTIONS,
                               SEEDING_STRATEGIES,
                               TEXT_KEYS,
                               TOP_KEYS,
                               Param,
)
from sim.config.shipped import scenario_dir, shipped_dir, shipped_files, shipped_scenarios
from sim.config.values import (
                               MAX_DEPTH,
                               NAME_MAX,
                               applies,
                               check_name,
                               default_name,
                               parse_assignment,
                               parse_value,
                               readers,
                               reads,
)
from sim.errors import ConfigError  # noqa: F401

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
    "check_name",
    "shipped_scenarios",
]
