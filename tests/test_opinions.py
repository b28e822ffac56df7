"""Opinion dynamics (sim/rules/opinions.py, ticks.py, camps.py): exact random sequential updates, the
published results they must reproduce (the full-size checks are ``bouche validate``), and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim import cli
from sim.rules import camps, ticks_jit
from sim.rules.opinions import _SOFT, _neighbours

COMPLETE = {"network.kind": "complete", "media": [], "seeding.strategy": "none", "run.order": "random_sequential"}


def _run(rule, n, seed, **more):
    return sim.run("bass", seed=seed, overrides={**COMPLETE, "network.n": n, "wom.rule": rule, **more})


# -- exactness: the batches give what one tick after another gives -----------------------------------------------


def _plain(rule, x, zealot, graph, actors, u, eps, mu, gamma):
    """One sweep, one tick at a time: the rule as the literature writes it."""
    x = x.copy()
    for i, v in zip(actors, u):
        if rule == "algorithmic_bias" and gamma > 0:
            nb = graph.in_indices[graph.in_indptr[i]:graph.in_indptr[i + 1]]
            if len(nb) == 0:
                continue
            w = (np.abs(x[nb] - x[i]) + _SOFT) ** (-gamma)  # as the rule computes it
            cum = np.cumsum(w)
            j = int(nb[min(int(np.searchsorted(cum, v * cum[-1], side="right")), len(nb) - 1)])
        else:
            j = int(_neighbours(graph, np.array([i]), np.array([v]))[0])
            if j < 0:
                continue
        if rule == "voter":
            if not zealot[i]:
                x[i] = x[j]
            continue
        d = x[j] - x[i]
        if abs(d) < eps:
            if not zealot[i]:
                x[i] += mu * d
            if not zealot[j]:
                x[j] -= mu * d
    return x


@pytest.mark.parametrize("compiled", [False, pytest.param(True, marks=pytest.mark.skipif(
    not ticks_jit.AVAILABLE, reason="Numba is not installed"))], ids=["numpy-batches", "numba"])
@pytest.mark.parametrize("rule", ["voter", "deffuant", "algorithmic_bias", "algorithmic_bias_1"])
def test_batched_ticks_equal_one_tick_after_another(rule, compiled):
    gamma = 1.0 if rule == "algorithmic_bias_1" else 1.2  # 1: NumPy's ** takes a reciprocal
    rule = rule.removesuffix("_1")
    ov = {"network.kind": "barabasi_albert", "network.n": 300, "network.m": 3, "media": [],
          "seeding.strategy": "none", "run.order": "random_sequential", "wom.rule": rule, "run.steps": 1,
          "run.stop": "steps", "wom.zealots": 0.05}
    if rule != "voter":
        ov.update({"wom.epsilon": 0.3, "wom.mu": 0.4})
    if rule == "algorithmic_bias":
        ov["wom.gamma"] = gamma
    m = sim.DiffusionModel("bass", seed=3, overrides=ov)
    st = m.engine.rule_state(0)
    x0, zealot = st["opinion"].copy(), st["zealot"].copy()
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(m.spec.seed, spawn_key=__import__(
        "sim.streams").streams.stream_key("wom", "ticks"))))
    actors, u = rng.integers(0, 300, size=300), rng.random(300)
    want = _plain(rule, x0, zealot, m.graph, actors, u, ov.get("wom.epsilon", 0), ov.get("wom.mu", 0),
                  ov.get("wom.gamma", 0))
    m.rule.compiled = compiled  # the NumPy batches, or the compiled loop where Numba is installed
    m.run()
    np.testing.assert_array_equal(m.rule_state["opinion"], want)  # bit for bit
    assert not np.array_equal(want, x0)


# -- published results ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_voter_model_exit_probability_and_consensus_time():
    # complete graph, N = 60, 150 runs from a 30 % share: P(consensus on 1) = 0.3 (3 binomial SE), and the
    # mean consensus time -N[rho ln rho + (1-rho) ln(1-rho)] sweeps (3 SE of the mean, at this N within 10 %)
    n, share, runs = 60, 0.3, 150
    res = [_run("voter", n, s, **{"population.opinions": "split", "population.share": share,
                                  "run.steps": 5000}).summary for s in range(runs)]
    assert all(r["consensus"] for r in res)
    up = np.mean([r["mean_opinion"] > 0.5 for r in res])
    assert abs(up - share) <= 3 * math.sqrt(share * (1 - share) / runs)
    t = np.array([r["consensus_step"] for r in res], dtype=float)
    want = -n * (share * math.log(share) + (1 - share) * math.log(1 - share))
    assert abs(t.mean() - want) <= 3 * t.std(ddof=1) / math.sqrt(runs) + 0.1 * want


@pytest.mark.parametrize("eps, major", [(0.15, 3), (0.25, 2), (0.3, 1)])
def test_deffuant_camps_on_the_complete_graph(eps, major):
    # Deffuant et al. (2000): about floor(1 / (2 eps)) camps; the mean over 6 runs of 300 people within one
    res = [_run("deffuant", 300, s, **{"wom.epsilon": eps, "run.steps": 2000}).summary for s in range(6)]
    assert abs(np.mean([r["major_clusters"] for r in res]) - major) <= 1
    assert all(r["settled"] for r in res)


def test_deffuant_agrees_above_one_half_and_hk_has_its_threshold():
    assert all(_run("deffuant", 300, s, **{"wom.epsilon": 0.55, "run.steps": 2000}).summary["consensus"]
               for s in range(4))
    hk = {"run.order": "synchronous", "run.steps": 500}
    # Hegselmann-Krause on the complete graph: consensus above about 0.2 (Fortunato 2005), camps below
    assert all(_run("hegselmann_krause", 1000, s, **hk, **{"wom.epsilon": 0.25}).summary["consensus"]
               for s in range(4))
    assert not any(_run("hegselmann_krause", 1000, s, **hk, **{"wom.epsilon": 0.15}).summary["consensus"]
                   for s in range(4))


@pytest.mark.slow
def test_a_biased_feed_gives_more_camps_and_slower_settling():
    # Sirbu et al. (2019), Figures 1 and 4: at a fixed epsilon, more bias, more clusters, longer to converge
    def runs(gamma):
        return [_run("algorithmic_bias", 150, s, **{"wom.epsilon": 0.3, "wom.gamma": gamma, "run.steps": 400}).summary
                for s in range(5)]
    neutral, biased = runs(0.0), runs(1.5)
    assert np.mean([r["clusters"] for r in biased]) > np.mean([r["clusters"] for r in neutral]) + 3
    steps = {k: np.mean([r["steady_step"] or 400 for r in v]) for k, v in (("0", neutral), ("1.5", biased))}
    assert steps["1.5"] > steps["0"]


# -- media as stubborn voices, zealots, measures ------------------------------------------------------------


def test_a_stubborn_broadcaster_pulls_opinions_to_its_own():
    ov = {**COMPLETE, "network.kind": "erdos_renyi", "network.n": 400, "network.mean_degree": 8, "wom.rule": "deffuant",
          "wom.epsilon": 0.3, "run.steps": 300}
    tv = {"name": "tv", "p": 0.0, "opinion": 0.7, "reach": 0.2, "cost_per_contact": 1.0}
    with_tv = sim.run("bass", seed=5, overrides={**ov, "media": [tv]})
    without = sim.run("bass", seed=5, overrides=ov)
    assert with_tv.summary["mean_opinion"] > without.summary["mean_opinion"] + 0.03  # pulled toward 0.7
    assert with_tv.summary["near_media"]["tv"] > 0.2 and with_tv.summary["total_cost"] > 0
    assert with_tv.summary["adopters_by_channel"]["media"] > 0


def test_zealots_never_move():
    r = _run("voter", 200, 2, **{"population.opinions": "split", "wom.zealots": 0.1, "run.steps": 50})
    st = r.model.rule_state
    m = sim.DiffusionModel("bass", seed=2, overrides={**COMPLETE, "network.n": 200, "wom.rule": "voter",
                                                      "population.opinions": "split", "wom.zealots": 0.1,
                                                      "run.steps": 50})
    start = m.engine.rule_state(0)["opinion"].copy()
    np.testing.assert_array_equal(st["opinion"][st["zealot"]], start[st["zealot"]])


def test_opinion_columns_and_adopters_follow_the_opinions():
    r = _run("deffuant", 300, 1, **{"wom.epsilon": 0.2, "run.steps": 40, "run.stop": "steps"})
    ts = r.timeseries
    assert list(ts.columns[-len(camps.COLUMNS) - 1:]) == [*camps.COLUMNS, "max_change"]
    x = r.model.rule_state["opinion"]
    assert ts["adopters"].iloc[-1] == (x > 0.5).sum() and ts["new_by_seed"].iloc[0] == ts["adopters"].iloc[0]
    assert ts["spread"].iloc[-1] == pytest.approx(x.std()) and ts["max_change"].iloc[0] == 0


def test_measures_count_camps():
    m = camps.measure(np.array([0.0] * 50 + [1.0] * 50), epsilon=0.3)
    assert (m["clusters"], m["polarisation"], m["settled"], m["largest_cluster"]) == (2.0, 1.0, 1.0, 0.5)
    assert camps.measure(np.linspace(0, 1, 1000), epsilon=0.3)["settled"] == 0.0


# -- bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sets, key", [
    (["wom.rule=deffuant", "wom.epsilon=0"], "wom.epsilon"),
    (["wom.rule=deffuant", "wom.mu=0.7"], "wom.mu"),
    (["wom.rule=algorithmic_bias", "wom.gamma=-1"], "wom.gamma"),
    (["wom.rule=voter", "wom.zealots=2"], "wom.zealots"),
    (["wom.rule=deffuant", "run.order=sequential"], "run.order"),
    (["wom.rule=deffuant", "run.order=random_sequential"], "media.opinion"),  # the bass scenario's medium
    (["wom.rule=voter", "population.opinions=normal"], "population.opinions"),
])
def test_bad_settings_get_one_line_and_status_2(tmp_path, capsys, sets, key):
    args = ["run", "bass", "--out", str(tmp_path / "out")]
    for s in sets:
        args += ["--set", s]
    assert cli.main(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], lines
    assert not (tmp_path / "out").exists()


def test_the_classroom_app_shows_the_opinions_with_epsilon_and_gamma_sliders():
    from sim import config
    from sim.viz import ClassroomModel, controls

    ctl = controls(config.load("echo-chambers"))
    assert ctl["epsilon"]["value"] == 0.25 and ctl["gamma"]["value"] == 1.0 and "media_p" not in ctl
    m = ClassroomModel("echo-chambers", n=200, gamma=0.0)
    first = m.rule_picture()
    for _ in range(5):
        m.step()
    now = m.rule_picture()
    assert now.shape == (420, 560, 4) and not np.array_equal(first, now)
    assert m.sim.spec.get("wom.gamma") == 0.0
