"""Contract tests over every registered word-of-mouth rule, and the registry itself (``sim.rules``).

Each registered rule (``sim.rules.names()`` at collection) must be
deterministic under a seed, validate its parameters, run on the CPU and on the
GPU's strategies (emulated on NumPy), give in replicate blocks exactly what it
gives one run at a time, and describe itself for figures and the browser app.
The registry must accept a rule of one's own by name and refuse bad ones.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import sim
from sim import config, rules
from sim.backend import emulated_gpu
from sim.batch import Replicates, run_replicates
from sim.model import DiffusionModel
from sim.params import Param, prob
from sim.rules.base import Rule

RULES = rules.names()  # evaluated at collection: built-in rules and any installed through entry points

# Each rule's own settings, chosen so that it spreads over a few dozen steps; rules not listed use defaults.
SETTINGS = {
    "bass": {"wom.q": 0.4},
    "threshold": {"wom.threshold": 0.25, "wom.threshold_sd": 0.05},
    "complex": {"wom.count": 2},
    "cascade": {"wom.beta": 0.3},
    "none": {},
    "forgetting": {"wom.q": 0.5, "wom.forget": 0.1},
    # contacts seen and everyone deciding once they see a choice: a wave over the graph, with messages from media
    "observational": {"wom.signal_precision": 0.7, "wom.observe": "contacts", "run.order": "synchronous",
                      "media.signal_precision": 0.8},
    # opinions: media as stubborn voices at 0.8
    "voter": {"run.order": "random_sequential", "media.opinion": 1.0, "wom.zealots": 0.02},
    "deffuant": {"run.order": "random_sequential", "wom.epsilon": 0.3, "media.opinion": 0.8},
    "algorithmic_bias": {"run.order": "random_sequential", "wom.epsilon": 0.3, "wom.gamma": 1.0,
                         "media.opinion": 0.8},
    "hegselmann_krause": {"wom.epsilon": 0.2, "media.opinion": 0.8},
}
SEEDED = {"seeding.strategy": "random", "seeding.count": 20}
# Scenarios where something is random: the graph (Erdős–Rényi), the seeds, the media's draws, the rule's draws.
SCENARIOS = {
    "er_media": {"network.kind": "erdos_renyi", "network.n": 500, "network.mean_degree": 6, **SEEDED,
                 "media.p": 0.01, "run.steps": 20},
    "ring_no_media": {"network.kind": "ring", "network.n": 500, "network.k": 6, **SEEDED, "media": [],
                      "run.steps": 20},
    "complete_media": {"network.kind": "complete", "network.n": 500, **SEEDED, "media.p": 0.01, "run.steps": 20},
}
RING = {"network.kind": "ring", "network.n": 600, "network.k": 6, **SEEDED, "media.p": 0.01, "run.steps": 30}
LEAVER_COLUMNS = ("new_leavers", "leavers")


def _ov(name: str, base: dict, **more) -> dict:
    ov = {**base, **SETTINGS.get(name, {}), "wom.rule": name, **more}
    if ov.get("media") == []:  # no medium to set
        ov = {k: v for k, v in ov.items() if not k.startswith("media.")}
    return ov


def _check_valid(ts, n: int, monotone: bool) -> None:
    """Invariants of any run's time series (exact: they are counts)."""
    a = ts["adopters"].to_numpy()
    assert ((a >= 0) & (a <= n)).all()
    parts = ts["new_by_seed"] + ts["new_by_media"] + ts["new_by_wom"]
    assert (parts == ts["new_adopters"]).all()
    if monotone:
        assert (np.diff(a) >= 0).all()
        assert not set(LEAVER_COLUMNS) & set(ts.columns)
        assert (np.diff(a) == ts["new_adopters"].to_numpy()[1:]).all()
    else:
        left = ts["new_leavers"].to_numpy()
        assert (np.diff(a) == ts["new_adopters"].to_numpy()[1:] - left[1:]).all()


# -- (a) deterministic under a seed --------------------------------------------------------------


@pytest.mark.parametrize("name", RULES)
def test_same_seed_same_run_and_another_seed_differs(name):
    differs = []
    for label, base in SCENARIOS.items():
        ov = _ov(name, base)
        a, b = sim.run("bass", seed=7, overrides=ov), sim.run("bass", seed=7, overrides=ov)
        assert a.timeseries.equals(b.timeseries), label
        assert a.summary == b.summary, label
        np.testing.assert_array_equal(a.model.state.adopted_at, b.model.state.adopted_at)
        np.testing.assert_array_equal(a.model.state.channel, b.model.state.channel)
        c = sim.run("bass", seed=8, overrides=ov)
        differs.append(not c.timeseries.equals(a.timeseries)
                       or not np.array_equal(c.model.state.adopted_at, a.model.state.adopted_at))
    assert any(differs), f"{name}: seeds 7 and 8 gave the same run in every scenario"


# -- (b) validates its parameters ----------------------------------------------------------------


def _out_of_range(p: Param):
    """A value outside what ``p`` allows (None where its kind has no range to leave)."""
    whole = p.kind in ("int", "int_or_list", "ints")
    if p.kind == "choice":
        return "no-such-choice"
    if p.kind == "bool":
        return "maybe"
    if p.kind in ("str", "ids"):
        return {"not": "valid"}
    if p.hi != math.inf:
        return p.hi if p.hi_open else (p.hi + 1 if whole else p.hi + 0.5)
    if p.lo != -math.inf:
        return p.lo if p.lo_open else (p.lo - 1 if whole else p.lo - 0.5)
    return "not-a-number"


@pytest.mark.parametrize("name", RULES)
def test_parameters_are_validated(name):
    cls = rules.get(name)
    for p in cls.params:
        assert config.PARAMS[p.key].kind == p.kind  # the rule's parameters are in the scenario schema
        bad = _out_of_range(p)
        with pytest.raises(sim.ConfigError) as err:
            sim.DiffusionModel("bass", seed=1, overrides={"network.n": 50, "wom.rule": name, p.key: bad})
        assert str(err.value).startswith(p.key), str(err.value)
        assert "\n" not in str(err.value)
        if p.kind in ("int", "float", "prob", "int_or_list", "number_or_list"):
            with pytest.raises(sim.ConfigError, match=rf"^{re.escape(p.key)} "):
                sim.DiffusionModel("bass", seed=1, overrides={"network.n": 50, "wom.rule": name, p.key: "abc"})


# -- (c) CPU and the GPU's strategies ------------------------------------------------------------

ER = {"network.kind": "erdos_renyi", "network.n": 2000, "network.mean_degree": 8, "network.seed": 3,
      "seeding.strategy": "random", "seeding.count": 40, "run.steps": 25, "run.stop": "steps"}


@pytest.mark.parametrize("name", RULES)
def test_cpu_and_emulated_gpu_agree(name):
    cls = rules.get(name)
    gpu = emulated_gpu()
    # without media and without per-step draws, the same numbers (graph, seeds, thresholds and cascade coins
    # are drawn on the host either way)
    ov = _ov(name, ER, media=[])
    a, b = sim.run("bass", seed=4, overrides=ov), sim.run("bass", seed=4, overrides=ov, device=gpu)
    if cls.draws == 0:
        assert a.timeseries.equals(b.timeseries)
        np.testing.assert_array_equal(a.model.state.adopted_at, b.model.state.adopted_at)
        np.testing.assert_array_equal(a.model.state.channel, b.model.state.channel)
    # with media (device streams: statistically the same, not bit for bit): K seeds a side; at every step the
    # mean adopted fractions differ by at most 4.5 standard errors of the difference (plus half a person, so
    # that steps where every run agrees, such as step 0, have a non-zero tolerance)
    ov = _ov(name, ER, **{"media.p": 0.01})
    k = 10
    runs = {dev: [sim.run("bass", seed=s, overrides=ov, device=dev) for s in range(1, k + 1)] for dev in ("cpu", gpu)}
    for results in runs.values():
        for r in results:
            assert len(r.timeseries) == ER["run.steps"] + 1
            _check_valid(r.timeseries, r.model.n, cls.monotone)
    frac = {dev: np.array([r.timeseries["adopted_fraction"].to_numpy() for r in rs]) for dev, rs in runs.items()}
    cpu, dev = frac["cpu"], frac[gpu]
    se = np.sqrt(cpu.var(axis=0, ddof=1) / k + dev.var(axis=0, ddof=1) / k)
    gap = np.abs(cpu.mean(axis=0) - dev.mean(axis=0))
    tol = 4.5 * se + 0.5 / ER["network.n"]
    assert (gap <= tol).all(), f"step {int(np.argmax(gap - tol))}: gap {gap.max():.4f}"


# On the implicit complete graph the cascade has no edges to hash: it draws whom it hits from a
# device-seeded stream, so there it is statistically, not bit for bit, the CPU's (sim/backend.py says so).
@pytest.mark.parametrize("name", [n for n in RULES if rules.get(n).draws == 0 and n != "cascade"])
def test_cpu_and_emulated_gpu_same_numbers_on_the_complete_graph(name):
    ov = _ov(name, {"network.kind": "complete", "network.n": 1000, "seeding.strategy": "random",
                    "seeding.count": 10, "media": [], "run.steps": 20, "run.stop": "steps"},
             **({"wom.beta": 0.002} if name == "cascade" else {}))
    a, b = sim.run("bass", seed=1, overrides=ov), sim.run("bass", seed=1, overrides=ov, device=emulated_gpu())
    assert a.timeseries.equals(b.timeseries)
    np.testing.assert_array_equal(a.model.state.adopted_at, b.model.state.adopted_at)


# -- (d) replicate blocks give what runs one by one give --------------------------------------------


@pytest.mark.parametrize("device", ["cpu", "emulated_gpu"])
@pytest.mark.parametrize("name", RULES)
def test_blocks_equal_runs_one_by_one(name, device):
    dev = "cpu" if device == "cpu" else emulated_gpu()
    ov = _ov(name, RING)
    block = run_replicates("bass", [1, 2, 3], overrides=ov, device=dev)
    assert len(block) == 3
    for seed, (ts, summary) in zip((1, 2, 3), block):
        alone = sim.run("bass", seed=seed, overrides=ov, device=dev)
        assert ts.equals(alone.timeseries), seed
        assert summary == alone.summary, seed
    assert not block[0][0].equals(block[1][0])  # the replicates are not one run three times


# -- (f) Mesa's step counter after a block ---------------------------------------------------------


@pytest.mark.parametrize("name", RULES)
def test_block_sets_mesa_step_counter(name):
    specs = [config.load("bass", overrides=_ov(name, RING, **{"run.stop": "quiescent"}), seed=s) for s in (1, 2, 3)]
    first = DiffusionModel(specs[0])
    models = [first] + [DiffusionModel(s, graph=first.graph) for s in specs[1:]]
    Replicates(models).run()
    for m, spec in zip(models, specs):
        assert m.steps == m.steps_run
        if isinstance(getattr(m, "time", None), (int, float)):  # Mesa 3.5 keeps a clock beside the counter
            assert m.time == m.steps_run
        assert 0 < m.steps_run <= RING["run.steps"]
        assert not m.running
        alone = DiffusionModel(spec).run()
        assert m.steps_run == alone.steps_run
        assert m.timeseries().equals(alone.timeseries())


# -- (e) description ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RULES)
def test_describes_itself(name):
    cls = rules.get(name)
    assert cls.name == name
    assert isinstance(cls.label, str) and cls.label.strip()
    values = config.load("bass", overrides={"wom.rule": name}).values
    assert isinstance(cls.detail(values), str)
    own = {p.key for p in cls.params}
    controls = cls.controls(values)
    assert isinstance(controls, dict)
    assert set(controls) <= own, set(controls) - own
    for key, control in controls.items():
        assert isinstance(control, dict) and "type" in control, key


# -- the registry -------------------------------------------------------------------------------------------

FLIP = prob("wom.flip", 0.1, "per-step chance that a non-adopter adopts on a coin flip")


class CoinFlip(Rule):
    """A rule of one's own: each step each non-adopter adopts when their uniform is below ``wom.flip``."""

    name = "coinflip"
    label = "coin flip"
    params = (FLIP,)
    draws = 1

    def decide(self, eng, u, media_term):
        if u is None:
            return eng.nobody, eng.nobody
        fired = eng.xp.flatnonzero((u < self.values["flip"]) & ~eng.adopted)
        return eng.media_only(u, media_term, fired)

    def may_change(self, eng, n_new):
        return eng.n_adopted < eng.n


OURS = ("coinflip", "coinflip2", "coinflip_q")


@pytest.fixture
def registry():
    """The registry, with whatever a test registers removed afterwards."""
    yield rules
    for name in OURS:
        if name in rules.names():
            rules.unregister(name)


def test_a_rule_of_ones_own_runs_by_name(registry):
    registry.register(CoinFlip)
    assert "coinflip" in registry.names()
    assert "coinflip" in config.PARAMS["wom.rule"].choices
    assert config.PARAMS["wom.flip"].kind == "prob"
    ov = {"network.kind": "complete", "network.n": 1000, "media": [], "wom.rule": "coinflip", "wom.flip": 0.1,
          "run.steps": 10, "run.stop": "steps"}
    r = sim.run("bass", seed=3, overrides=ov)
    # without seeds or media, adopters after 10 steps ~ Binomial(1000, 1 - 0.9^10): mean 651.3, sd 15.1; 4 sd
    assert abs(r.summary["final_adopters"] - 1000 * (1 - 0.9 ** 10)) < 4 * 15.1
    assert r.summary["adopters_by_channel"]["wom"] == r.summary["final_adopters"]
    assert r.timeseries.equals(sim.run("bass", seed=3, overrides=ov).timeseries)
    with pytest.raises(sim.ConfigError, match=r"^wom\.flip "):
        sim.run("bass", seed=3, overrides={**ov, "wom.flip": 1.5})


def test_a_rule_of_ones_own_runs_in_blocks(registry):
    registry.register(CoinFlip)
    ov = {**RING, "wom.rule": "coinflip", "wom.flip": 0.05}
    for (ts, summary), seed in zip(run_replicates("bass", [1, 2], overrides=ov), (1, 2)):
        assert ts.equals(sim.run("bass", seed=seed, overrides=ov).timeseries)


def test_register_refuses_what_is_not_a_rule(registry):
    class NotARule:
        name = "coinflip"

    with pytest.raises(TypeError):
        registry.register(NotARule)
    with pytest.raises(TypeError):
        registry.register(42, name="coinflip")
    with pytest.raises(TypeError):  # the docstring promises TypeError for anything that is not a Rule subclass
        registry.register(42)
    assert "coinflip" not in registry.names()


@pytest.mark.parametrize("bad", ["CoinFlip", "coin flip", "1coin", "", "a" * 41, "coin-flip"])
def test_register_refuses_a_bad_name(registry, bad):
    with pytest.raises((ValueError, TypeError)):
        registry.register(CoinFlip, name=bad) if bad else registry.register(type("X", (CoinFlip,), {"name": ""}))
    assert bad not in registry.names()


def test_register_refuses_builtin_names(registry):
    for builtin in ("bass", "threshold", "complex", "cascade", "none", "forgetting", "observational"):
        with pytest.raises(ValueError, match="already registered"):
            registry.register(CoinFlip, name=builtin)
        with pytest.raises(ValueError, match="built-in"):
            registry.register(CoinFlip, name=builtin, replace=True)
        with pytest.raises(ValueError, match="built-in"):
            registry.unregister(builtin)
    assert registry.get("bass").label == "Bass imitation"


def test_register_refuses_a_duplicate_unless_replace(registry):
    registry.register(CoinFlip)
    assert registry.register(CoinFlip) is CoinFlip  # the same class again: harmless

    class Other(CoinFlip):
        label = "another coin"

    with pytest.raises(ValueError, match="replace=True"):
        registry.register(Other)
    assert registry.get("coinflip") is CoinFlip
    registry.register(Other, replace=True)
    assert registry.get("coinflip") is Other


def test_register_refuses_a_conflicting_parameter(registry):
    class OwnQ(CoinFlip):
        name = "coinflip_q"
        params = (Param("wom.q", "float", 0.5, "another q", lo=0.0),)

    with pytest.raises(ValueError, match="wom.q"):
        registry.register(OwnQ)
    assert "coinflip_q" not in registry.names()

    class SharedQ(CoinFlip):  # sharing the very Param object is allowed
        name = "coinflip_q"
        params = (rules.get("bass").params[0], FLIP)

    registry.register(SharedQ)
    assert "coinflip_q" in config.PARAMS["wom.q"].used_by


def test_register_refuses_bad_draws_and_param_keys(registry):
    with pytest.raises(ValueError, match="draws"):
        registry.register(type("Two", (CoinFlip,), {"draws": 2}))
    with pytest.raises(ValueError, match="params"):
        registry.register(type("Keyed", (CoinFlip,), {"params": (prob("flip", 0.1, "no section"),)}))
    assert "coinflip" not in registry.names()


def test_unregister_removes_the_rule_and_its_parameters(registry):
    registry.register(CoinFlip, name="coinflip2")
    assert registry.get("coinflip2").name == "coinflip2"
    assert "wom.flip" in config.PARAMS
    registry.unregister("coinflip2")
    assert "coinflip2" not in registry.names()
    assert "coinflip2" not in config.PARAMS["wom.rule"].choices
    assert "wom.flip" not in config.PARAMS
    assert "wom.flip" not in rules.params()
    with pytest.raises(sim.ConfigError, match=r"^wom\.rule "):
        sim.run("bass", seed=1, overrides={"network.n": 50, "wom.rule": "coinflip2"})
    with pytest.raises(KeyError):
        registry.get("coinflip2")


def test_an_unknown_rule_gives_one_line_listing_the_choices():
    with pytest.raises(sim.ConfigError) as err:
        config.load({"wom": {"rule": "gossip"}, "network": {"n": 50}})
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith("wom.rule")
    assert "gossip" in text
    for name in rules.names():
        assert name in text
