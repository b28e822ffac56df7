"""bouche schema: the JSON Schema of the scenario file, from the parameter registry (sim/config/json_schema.py).
Every shipped scenario validates against it (with the jsonschema package); bad files do not."""

from __future__ import annotations

import copy
import json
import tomllib

import jsonschema
import pytest

from sim import config, rules
from sim.cli import main
from sim.config.json_schema import scenario_schema


@pytest.fixture(scope="module")
def validator():
    schema = scenario_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _shipped():
    return {name: tomllib.loads(path.read_text()) for name, path in config.shipped_files("scenarios").items()}


def test_the_command_prints_the_schema(capsys):
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(scenario_schema()))
    assert printed["$schema"].endswith("2020-12/schema")


@pytest.mark.parametrize("name", sorted(_shipped()))
def test_every_shipped_scenario_validates(validator, name):
    errors = [e.message for e in validator.iter_errors(_shipped()[name])]
    assert errors == [], errors


def test_every_parameter_of_the_registry_is_in_it():
    schema = scenario_schema()["properties"]
    for key, p in config.PARAMS.items():
        section, name = key.split(".", 1)
        assert name in schema[section]["properties"], key
    medium = schema["media"]["anyOf"][0]["properties"]
    assert set(medium) == {k.split(".", 1)[1] for k in config.MEDIUM_PARAMS}
    assert set(schema["wom"]["properties"]["rule"]["enum"]) == set(rules.names())


@pytest.mark.parametrize("change, message", [
    (lambda s: s["network"].update(nn=5), "Additional properties"),
    (lambda s: s["network"].update(n=0), "less than the minimum"),
    (lambda s: s["wom"].update(rule="gossip"), "is not one of"),
    (lambda s: s["run"].update(steps="many"), "is not of type 'integer'"),
    (lambda s: s.update(netwrk={}), "Additional properties"),
    (lambda s: s["media"][0].update(p=1.5), "is not valid under any of the given schemas"),
    (lambda s: s["variants"]["b2c"]["wom"].update(q=-1), "less than the minimum"),
])
def test_bad_files_do_not_validate(validator, change, message):
    scenario = copy.deepcopy(_shipped()["broadcast-vs-seeding"])
    scenario["media"] = [scenario["media"]] if isinstance(scenario["media"], dict) else scenario["media"]
    assert not list(validator.iter_errors(scenario))
    change(scenario)
    errors = " | ".join(e.message for e in validator.iter_errors(scenario))
    assert message in errors
