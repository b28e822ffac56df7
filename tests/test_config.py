"""Scenario schema and validation (sim/config/)."""

import pytest

from sim import config
from sim.errors import ConfigError


def test_shipped_scenarios_load_and_validate():
    shipped = config.shipped_scenarios()
    assert {"bass", "bandwagon"} <= set(shipped)
    for name in shipped:
        spec = config.load(name)
        assert spec.name == name
        assert spec.description


def test_defaults_filled_and_overrides_applied():
    spec = config.load("bass", overrides={"network.n": 500, "wom.q": 0.5, "media.reach": 0.2})
    assert spec.get("network.n") == 500
    assert spec.get("wom.q") == 0.5
    assert spec.get("media.reach") == 0.2
    assert spec.get("seeding.strategy") == "none"  # default filled in
    assert spec.get("run.dt") == 1.0


def test_scenario_is_frozen_and_replace_builds_a_new_one():
    spec = config.load("bass")
    other = spec.replace({"wom.q": 0.1})
    assert spec.get("wom.q") == 0.38 and other.get("wom.q") == 0.1
    with pytest.raises(AttributeError):
        spec.seed = 3


def test_media_override_creates_a_medium_when_there_is_none():
    spec = config.load("bass", overrides={"media": [], "media.p": 0.1})
    assert len(spec.media) == 1 and spec.media[0]["p"] == 0.1


def test_several_media_by_name():
    raw = {"media": [{"name": "tv", "p": 0.02}, {"name": "radio", "p": 0.01}]}
    spec = config.load(raw, overrides={"media.radio.reach": 0.3})
    assert [m["reach"] for m in spec.media] == [1.0, 0.3]
    with pytest.raises(ConfigError, match=r"media.p is ambiguous: this scenario has 2 media \(tv, radio\)"):
        config.load(raw, overrides={"media.p": 0.5})
    with pytest.raises(ConfigError, match="names no medium"):
        config.load(raw, overrides={"media.press.p": 0.5})


def test_parse_value():
    assert config.parse_value("3") == 3
    assert config.parse_value("0.25") == 0.25
    assert config.parse_value("true") is True
    assert config.parse_value("ring") == "ring"
    assert config.parse_value("[0, 1]") == [0, 1]
    assert config.parse_value("none") is None


@pytest.mark.parametrize("overrides, message", [
    ({"wom.qq": 1}, "wom.qq is not a parameter; did you mean wom.q?"),
    ({"network.mean_degre": 3}, "network.mean_degree"),
    ({"network.n": 0}, "network.n must be an integer >= 1; got 0"),
    ({"network.n": "many"}, "network.n must be an integer >= 1; got 'many'"),
    ({"network.n": 10.5}, "network.n must be an integer >= 1; got 10.5"),
    ({"network.n": True}, "network.n must be an integer >= 1; got True"),
    ({"media.p": 1.5}, r"media.p must be a number in \[0, 1\]; got 1.5"),
    ({"media.reach": -0.1}, r"media.reach must be a number in \[0, 1\]; got -0.1"),
    ({"wom.beta": 2}, r"wom.beta must be a number in \[0, 1\]"),
    ({"network.kind": "erdos_renyi", "network.n": 100, "network.mean_degree": 120},
     r"network.mean_degree must be a number in \(0, n-1\) = \(0, 99\); got 120"),
    ({"network.kind": "ring", "network.n": 10, "network.k": 3}, "network.k must be an even integer"),
    ({"network.kind": "erdos_ren"}, "did you mean erdos_renyi"),
    ({"media.cost_per_contact": -1}, "media.cost_per_contact must be a number >= 0; got -1"),
    ({"seeding.cost_per_seed": -2.5}, "seeding.cost_per_seed must be a number >= 0; got -2.5"),
    ({"seeding.strategy": "random", "seeding.count": 20000}, r"seeding.count must be <= the number of people"),
    ({"seeding.strategy": "random"}, r"seeding.count \(or seeding.fraction\) must be set"),
    ({"seeding.count": 1, "seeding.fraction": 0.1}, "alternatives"),
    ({"run.dt": 0}, r"run.dt must be a number in \(0, 1\]; got 0"),
    ({"run.stop": "never"}, "run.stop must be one of steps, quiescent; got 'never'"),
    ({"media.start": 5, "media.stop": 2}, "media.stop must be >= media.start = 5"),
    ({"network.kind": "file"}, "network.path must name a graph file"),
    ({"seed": -1}, "seed must be an integer >= 0; got -1"),
    ({"wom.threshold": [0.1, 2.0]}, r"wom.threshold must be a number \(or a list"),
])
def test_bad_values_give_one_clear_line(overrides, message):
    with pytest.raises(ConfigError, match=message) as info:
        config.load("bass", overrides=overrides)
    assert "\n" not in str(info.value)


def test_bad_toml_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[network\nkind = 1")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        config.load(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[netwrk]\nn = 3\n")
    with pytest.raises(ConfigError, match="netwrk is not a section.*did you mean network"):
        config.load(unknown)


def test_unknown_scenario_name_suggests():
    with pytest.raises(ConfigError, match="did you mean bass"):
        config.load("bas")


def test_user_toml_file(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('seed = 5\n[network]\nkind = "ring"\nn = 50\nk = 4\n[wom]\nrule = "complex"\ncount = 2\n')
    spec = config.load(f)
    assert spec.name == "mine" and spec.seed == 5 and spec.get("network.k") == 4 and spec.media == ()


def test_one_list_of_network_kinds():
    """config.NETWORK_KINDS is the list; the builder, the app's selector and the README's table agree with it."""
    from pathlib import Path

    from sim import networks, viz

    assert tuple(networks.KINDS) == tuple(config.NETWORK_KINDS)
    offered = viz.controls(config.load("bass"))["network_kind"]["values"]
    assert set(offered) == set(config.NETWORK_KINDS) - {"file", "graph"}  # nor a file nor a graph object in the app
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"`kind` ({', '.join(config.NETWORK_KINDS)})" in readme


# -- an override that picks one of two alternatives replaces the other --------------------------------------------

def test_an_override_of_one_alternative_replaces_the_other():
    file_says = config.load("bandwagon")
    assert file_says.get("seeding.fraction") == 0.10 and file_says.get("seeding.count") is None
    s = config.load("bandwagon", overrides={"seeding.count": 1})
    assert (s.get("seeding.count"), s.get("seeding.fraction")) == (1, None)
    back = s.replace({"seeding.fraction": 0.2})  # and the other way, a layer above again
    assert (back.get("seeding.count"), back.get("seeding.fraction")) == (None, 0.2)
    with pytest.raises(ConfigError, match="seeding.count and seeding.fraction are alternatives: set one; got both"):
        config.load("bass", overrides={"seeding.count": 1, "seeding.fraction": 0.1})  # the same layer: refused


def test_the_command_line_override_wins(tmp_path, capsys):
    from sim.cli import main

    out = tmp_path / "one"
    assert main(["run", "bandwagon", "--set", "seeding.count=1", "--set", "network.n=500", "--set", "report=",
                 "--no-plots", "--out", str(out)]) == 0
    import json

    assert json.loads((out / "summary.json").read_text())["adopters_by_channel"]["seed"] == 1


# -- figure titles that fit the run ---------------------------------------------------------------------------------

def test_a_changed_scenario_no_longer_claims_its_title():
    title = "Broadcast or seeding? The same budget in a B2B and a B2C world"
    assert config.load("broadcast-vs-seeding").heading == title
    changed = config.load("broadcast-vs-seeding", overrides={"media.cost_per_contact": 5.0})
    assert changed.heading == "broadcast-vs-seeding, changed: media.cost_per_contact = 5.0"
    assert config.load("bass", seed=3).heading == config.load("bass").heading  # another seed changes no claim
