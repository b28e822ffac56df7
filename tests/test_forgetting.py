"""The non-monotone rule ``forgetting`` (:mod:`sim.rules.forgetting`): steady state, bookkeeping, re-adoption.

On the complete graph the adopted share settles where ``(1 - x)(p + q x) = f x``
(:func:`~sim.rules.forgetting.steady_state`). With unit steps that fixed point
is exact for the discrete dynamics too: the step's adopters come from the
non-adopters and its leavers from the adopters at the end of the last step
(disjoint sets), so ``x' = x + (1 - x) min(1, p + q x) - f x``, whose fixed point
is the mean-field one (stable: ``|1 - q + f| < 1`` here).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import sim
from sim import rules
from sim.model import LEAVER_COLUMNS, TIMESERIES_COLUMNS
from sim.rules.forgetting import steady_state
from sim.runs import write_run

COMPLETE = {"network.kind": "complete", "network.n": 20_000, "wom.rule": "forgetting", "wom.q": 0.5,
            "media": [], "seeding.strategy": "random", "seeding.fraction": 0.1, "run.steps": 300,
            "run.stop": "steps"}
TV = [{"name": "tv", "p": 0.02, "reach": 1.0}]


def _tail_mean(ts, steps: int = 100) -> float:
    return float(ts["adopted_fraction"].iloc[-steps:].mean())


# -- the steady state -----------------------------------------------------------------------------------
# Tolerance 0.01: the share's sd at n = 20 000 is about 0.0035 a step, its correlation time 1/(q - f) <= 3.3
# steps, so the 100-step mean has an sd of about 0.001 (measured over 30 seeds each: sd 0.0005-0.0008, mean
# gap within 1e-4 of steady_state, media or not); 0.01 is then ten standard errors, while a wrong order of
# decisions (leavers drawn after the step's adopters: x* = 1 - f/(q(1-f)) = 0.778 for f = 0.1) is 0.022 off.


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("forget", [0.1, 0.2])
def test_steady_state_without_media(forget, seed):
    r = sim.run("bass", seed=seed, overrides={**COMPLETE, "wom.forget": forget})
    assert len(r.timeseries) == COMPLETE["run.steps"] + 1
    assert abs(_tail_mean(r.timeseries) - steady_state(0.5, forget)) < 0.01


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("forget", [0.1, 0.2])
def test_steady_state_with_media(forget, seed):
    r = sim.run("bass", seed=seed, overrides={**COMPLETE, "wom.forget": forget, "media": TV})
    assert r.summary["adopters_by_channel"]["media"] > 0
    target = steady_state(0.5, forget, 0.02)
    assert abs(target - steady_state(0.5, forget)) > 0.009  # media move the fixed point measurably
    assert abs(_tail_mean(r.timeseries) - target) < 0.01


@pytest.mark.slow
@pytest.mark.parametrize("media", [[], TV], ids=["no_media", "media"])
@pytest.mark.parametrize("forget", [0.1, 0.2])
def test_steady_state_has_no_systematic_gap(forget, media):
    """Pooled over 20 seeds: the mean gap is within 0.001 of the fixed point (measured: |gap| < 1e-4, se 1.5e-4).

    0.001 is about 5 standard errors of the pooled mean, so a systematic gap of 0.002 (a tenth of
    the wrong-order error above) would fail it.
    """
    p = media[0]["p"] if media else 0.0
    gaps = [_tail_mean(sim.run("bass", seed=s, overrides={**COMPLETE, "wom.forget": forget,
                                                        "media": media}).timeseries) - steady_state(0.5, forget, p)
            for s in range(100, 120)]
    assert abs(np.mean(gaps)) < 0.001, np.mean(gaps)


def test_steady_state_formula():
    assert steady_state(0.5, 0.1) == pytest.approx(0.8)
    assert steady_state(0.5, 0.2) == pytest.approx(0.6)
    assert steady_state(0.1, 0.3) == 0.0
    for q, f, p in [(0.5, 0.1, 0.02), (0.5, 0.2, 0.02), (0.0, 0.1, 0.05), (0.3, 0.3, 0.01)]:
        x = steady_state(q, f, p)
        assert 0.0 <= x <= 1.0
        assert (1 - x) * (p + q * x) == pytest.approx(f * x, abs=1e-12)


# -- dying out -------------------------------------------------------------------------------------------


def test_below_threshold_dies_out_and_stays_out():
    ov = {**COMPLETE, "network.n": 2000, "wom.q": 0.1, "wom.forget": 0.3}
    ts = sim.run("bass", seed=3, overrides=ov).timeseries
    a = ts["adopters"].to_numpy()
    assert a[0] == 200
    gone = np.flatnonzero(a == 0)
    assert len(gone), "never died out in 300 steps (expected: the share shrinks by about 1 - f + q = 0.8 a step)"
    assert (a[gone[0]:] == 0).all()
    assert (ts["new_adopters"].to_numpy()[gone[0] + 1:] == 0).all()
    # under the quiescent stop rule the run ends once nobody is left to spread or forget
    r = sim.run("bass", seed=3, overrides={**ov, "run.stop": "quiescent"})
    assert r.summary["final_adopters"] == 0
    assert r.summary["steps_run"] == gone[0]


# -- bookkeeping ------------------------------------------------------------------------------------------

NETWORKS = {"erdos_renyi": {"network.kind": "erdos_renyi", "network.mean_degree": 8},
            "complete": {"network.kind": "complete"},
            "ring": {"network.kind": "ring", "network.k": 8}}
BASE = {"network.n": 1000, "wom.rule": "forgetting",
        "wom.q": 0.5, "wom.forget": 0.1, "media.p": 0.01, "seeding.strategy": "random", "seeding.count": 20,
        "run.steps": 80, "run.stop": "steps"}
SMALL = {**BASE, **NETWORKS["erdos_renyi"]}


@pytest.mark.parametrize("kind", ["erdos_renyi", "complete", "ring"])
def test_leavers_and_adopters_add_up(kind):
    ts = sim.run("bass", seed=5, overrides={**BASE, **NETWORKS[kind]}).timeseries
    assert list(ts.columns) == [*TIMESERIES_COLUMNS, *LEAVER_COLUMNS]
    left = ts["new_leavers"].to_numpy()
    assert left[0] == 0 and left.sum() > 0
    assert (ts["leavers"].to_numpy() == np.cumsum(left)).all()
    a, new = ts["adopters"].to_numpy(), ts["new_adopters"].to_numpy()
    assert (a[1:] == a[:-1] + new[1:] - left[1:]).all()
    assert (new == ts["new_by_seed"] + ts["new_by_media"] + ts["new_by_wom"]).all()
    assert ((a >= 0) & (a <= SMALL["network.n"])).all()
    assert (np.diff(a) < 0).any()  # not monotone


def test_people_who_left_adopt_again():
    model = sim.DiffusionModel("bass", seed=6, overrides=SMALL)
    seen = []
    model.observers.append(lambda m, t, term, new_media, new_wom: seen.append(m.state.adopted.copy()))
    model.run()
    ts = model.timeseries()
    adopted = np.array(seen)  # row t-1: who is adopted at the end of step t
    assert len(adopted) == SMALL["run.steps"]
    assert (adopted.sum(axis=1) == ts["adopters"].to_numpy()[1:]).all()  # observers see the step's leavers gone
    at, channel = model.state.adopted_at, model.state.channel
    final = model.state.adopted
    assert (final == adopted[-1]).all()
    assert ((at >= 0) == final).all() and ((channel >= 0) == final).all()
    # adopted_at is the last adoption: adopted from then on, and not just before
    for i in np.flatnonzero(final & (at > 0)):
        assert adopted[at[i] - 1:, i].all() and (at[i] == 1 or not adopted[at[i] - 2, i])
    # someone left at some step s (adopted at the end of s-1, not at the end of s) and adopted again after it
    left_at = {}
    for s in range(1, len(adopted)):
        for i in np.flatnonzero(adopted[s - 1] & ~adopted[s]):
            left_at.setdefault(int(i), s + 1)
    again = [i for i, s in left_at.items() if final[i] and at[i] > s]
    assert again, "nobody who left adopted again"


@pytest.mark.parametrize("media", [[], TV], ids=["no_media", "media"])
def test_summary_json_channels_sum_to_final_adopters(tmp_path, media):
    r = sim.run("bass", seed=7, overrides={**SMALL, "media": media})
    summary = json.loads((write_run(r, tmp_path / "run", plots=False) / "summary.json").read_text())
    final = int(r.timeseries["adopters"].iloc[-1])
    assert summary["final_adopters"] == final
    assert sum(summary["adopters_by_channel"].values()) == final
    assert 0 <= summary["adopters_by_channel"]["seed"] <= SMALL["seeding.count"]
    assert (summary["adopters_by_channel"]["media"] > 0) == bool(media)


def test_no_forgetting_is_bass():
    """With ``wom.forget = 0`` the rule is Bass imitation, number for number, with zero leavers."""
    for kind, stop in [("erdos_renyi", "quiescent"), ("complete", "quiescent"), ("ring", "steps")]:
        ov = {**BASE, **NETWORKS[kind], "run.stop": stop, "wom.forget": 0.0}
        mine = sim.run("bass", seed=8, overrides=ov)
        bass = sim.run("bass", seed=8, overrides={**ov, "wom.rule": "bass"})
        assert mine.timeseries[list(TIMESERIES_COLUMNS)].equals(bass.timeseries), kind
        assert (mine.timeseries["leavers"] == 0).all()
        assert mine.summary == bass.summary


@pytest.mark.parametrize("name", [n for n in rules.names() if rules.get(n).monotone])
def test_monotone_rules_have_no_leaver_columns(name):
    r = sim.run("bass", seed=1, overrides={**SMALL, "wom.rule": name, "run.steps": 10, "media": []})
    own = list(rules.get(name).columns)  # a rule's own counts come after the usual columns
    assert list(r.timeseries.columns)[:len(TIMESERIES_COLUMNS)] == list(TIMESERIES_COLUMNS)
    assert [c for c in r.timeseries.columns if c not in TIMESERIES_COLUMNS] == \
        [c for col in own for c in ((col, col[4:]) if col.startswith("new_") else (col,))]
    assert not set(LEAVER_COLUMNS) & (set(r.timeseries.columns) | set(r.summary))


def test_forgetting_is_the_only_builtin_non_monotone_rule():
    builtin = ("bass", "threshold", "complex", "cascade", "none", "forgetting", "observational")
    assert [n for n in builtin if not rules.get(n).monotone] == ["forgetting"]
