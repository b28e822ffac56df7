"""Information cascades (``wom.rule = "observational"``, sim/rules/observational.py).

The engine's choices are checked person by person against plain re-statements
of the rule, its frequencies against Bikhchandani, Hirshleifer & Welch's
closed forms (the full-size check is ``bouche validate``), and its set-up
against hostile input.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim import cli
from sim.batch import run_replicates
from sim.population import MEDIA, SEED
from sim.rules.observational import Observational, log_odds, p_correct_cascade, p_no_cascade
from sim.validation.cascades import cascade_runs

ROOT = Path(__file__).resolve().parents[1]
BHW = {"media": [], "wom.rule": "observational", "wom.observe": "all", "run.order": "sequential",
       "seeding.count": 0}


def _bhw(n: int, **more) -> dict:
    return {**BHW, "network.kind": "erdos_renyi", "network.n": n, "network.mean_degree": 4, "run.steps": n,
            **more}


def _rule(p=0.7, tie="coin"):
    return Observational({"signal_precision": p, "truth": "adopt", "observe": "all", "tie": tie})


# -- the decision and the inference, by hand --------------------------------------------------------------


def test_choices_and_what_onlookers_learn_follow_bhw():
    rule, lam = _rule(0.7), log_odds(0.7)
    own = np.array([1, -1], dtype=np.int8)
    coin = np.array([0.9, 0.9])  # a coin above 1/2: reject
    # nobody seen: each follows their signal, and the choice reveals it (one signal's log-odds)
    choice, herded = rule._decision(np, np.zeros(2), own, coin)
    assert choice.tolist() == [1, -1] and not herded.any()
    assert rule._llr(np, np.zeros(1), np.array([1], dtype=np.int8))[0] == pytest.approx(lam)
    # one adoption seen: a contrary signal leaves a tie, settled by the coin; a rejection then reveals a bad signal
    choice, herded = rule._decision(np, np.full(2, lam), own, coin)
    assert choice.tolist() == [1, -1] and not herded.any()
    assert rule._llr(np, np.full(1, lam), np.array([-1], dtype=np.int8))[0] == pytest.approx(-lam)
    # an adoption at that point says less than a signal: (p + (1-p)/2) / ((1-p) + p/2)
    up = rule._llr(np, np.full(1, lam), np.array([1], dtype=np.int8))[0]
    assert up == pytest.approx(math.log((0.7 + 0.15) / (0.3 + 0.35)))
    # two adoptions seen: both signals adopt (a cascade), and the choice tells onlookers nothing
    choice, herded = rule._decision(np, np.full(2, lam + up), own, coin)
    assert choice.tolist() == [1, 1] and herded.all()
    assert rule._llr(np, np.full(1, lam + up), np.array([1], dtype=np.int8))[0] == 0.0


@pytest.mark.parametrize("tie, expected", [("signal", [1, -1]), ("adopt", [1, 1]), ("reject", [1, -1])])
def test_the_tie_rule_decides_an_indifferent_person(tie, expected):
    rule, lam = _rule(0.7, tie), log_odds(0.7)
    choice, _ = rule._decision(np, np.full(2, lam), np.array([1, -1], dtype=np.int8), np.zeros(2))
    assert choice.tolist() == expected


def _plain_bhw(signal, coin, order, k):
    """BHW with coin-flip ties, person by person: with every earlier choice seen, a person's choice is the sign
    of (adoptions - rejections seen) + their signal, the coin at 0 (the public's exact inference gives the same
    choices: before a cascade choices reveal signals, and in one everyone follows the lead)."""
    choice = np.zeros(len(signal), dtype=np.int8)
    choice[order[:k]] = 1
    lead = k
    for i in order[k:]:
        x = lead + int(signal[i])
        choice[i] = 1 if x > 0 else -1 if x < 0 else (1 if coin[i] < 0.5 else -1)
        lead += int(choice[i])
    return choice


def _plain_contacts(signal, coin, order, k, in_rows):
    """The networked rule: adoptions minus rejections among the contacts who chose earlier, plus the signal."""
    choice = np.zeros(len(signal), dtype=np.int8)
    choice[order[:k]] = 1
    for i in order[k:]:
        x = sum(int(choice[j]) for j in in_rows(i)) + int(signal[i])
        choice[i] = 1 if x > 0 else -1 if x < 0 else (1 if coin[i] < 0.5 else -1)
    return choice


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("observe", ["all", "contacts"])
def test_every_choice_is_what_the_rule_says(seed, observe):
    ov = _bhw(300, **{"wom.observe": observe, "wom.signal_precision": 0.62, "seeding.strategy": "random",
                      "seeding.count": 2 if seed == 3 else 0})
    r = sim.run("bass", seed=seed, overrides=ov)
    st, g = r.model.rule_state, r.model.graph
    k = int((r.model.state.channel == SEED).sum())
    if observe == "all":
        want = _plain_bhw(st["signal"], st["coin"], st["order"], k)
    else:
        want = _plain_contacts(st["signal"], st["coin"], st["order"], k,
                               lambda i: g.in_indices[g.in_indptr[i]:g.in_indptr[i + 1]])
    np.testing.assert_array_equal(st["choice"], want)
    np.testing.assert_array_equal(r.model.state.adopted, want > 0)
    assert r.summary["decided"] == 300 and r.summary["rejecters"] == int((want < 0).sum())


def test_sequential_order_is_one_choice_a_step():
    r = sim.run("bass", seed=5, overrides=_bhw(80, **{"seeding.strategy": "random", "seeding.count": 3}))
    ts = r.timeseries
    assert len(ts) == 78  # steps 0..77: the 77 who were not seeds, one a step
    assert ts["new_by_seed"].iloc[0] == 3
    assert ((ts["new_adopters"] + ts["new_rejecters"]).iloc[1:] == 1).all()
    assert int(ts["adopters"].iloc[-1] + ts["rejecters"].iloc[-1]) == 80


def test_two_planted_adopters_start_a_cascade_whatever_the_truth():
    r = sim.run("bass", seed=4, overrides=_bhw(60, **{"wom.truth": "reject", "seeding.strategy": "random",
                                                       "seeding.count": 2}))
    s = r.summary
    assert (s["cascade"], s["cascade_start"], s["correct_cascade"]) == ("adopt", 2, False)
    assert s["herding_share"] == 1.0 and s["correct_share"] == 0.0 and s["final_adopters"] == 60


def test_a_public_message_breaks_a_wrong_cascade_and_media_get_the_credit():
    # truth adopt, two planted rejecters are impossible, so plant a wrong lead the other way: truth reject,
    # two seeds adopt; a public message of precision 0.95 at step 20 points the right way 95 % of the time
    medium = {"name": "news", "p": 0.0, "reach": 1.0, "start": 20, "signal_precision": 0.95}
    ov = _bhw(100, **{"wom.truth": "reject", "seeding.strategy": "random", "seeding.count": 2, "media": [medium]})
    runs = [sim.run("bass", seed=s, overrides=ov) for s in range(40)]
    right = [r for r in runs if r.model.rule_state["media_sign"][0] == -1]
    assert 33 <= len(right) <= 40  # 95 % of 40 = 38; binomial 3.7 SE below is 33
    for r in right:  # everyone before the message adopts; from it on, everyone rejects
        ts = r.timeseries.set_index("step")
        assert ts.loc[1:19, "new_adopters"].sum() == 19 and ts.loc[20:, "new_adopters"].sum() == 0
        assert (r.summary["cascade"], r.summary["correct_cascade"], r.summary["cascade_start"]) == ("reject", True, 21)
    # a right message for adopting, with no cascade against it, wins adoptions credited to the medium
    ov = _bhw(100, **{"wom.signal_precision": 0.55, "media": [{**medium, "start": 1, "signal_precision": 0.7}]})
    r = sim.run("bass", seed=11, overrides=ov)
    if r.model.rule_state["media_sign"][0] == 1:
        assert r.summary["adopters_by_channel"]["media"] > 0
        assert (r.model.state.channel == MEDIA).sum() == r.summary["adopters_by_channel"]["media"]


def test_a_medium_reaching_some_informs_only_them():
    medium = {"name": "ads", "p": 0.0, "reach": 0.3, "start": 1, "stop": 1, "signal_precision": 0.9,
              "cost_per_contact": 1.0}
    r = sim.run("bass", seed=2, overrides=_bhw(200, **{"wom.observe": "contacts", "media": [medium]}))
    st = r.model.rule_state
    heard = st["heard"] > 0
    assert 0 < heard.sum() < 200
    assert np.allclose(st["evidence"][heard], st["media_sign"][0] * log_odds(0.9))
    assert (st["evidence"][~heard] == 0).all()
    assert r.summary["total_cost"] == r.timeseries["media_contacts"].sum() > 0


# -- against BHW's closed forms ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("p", [0.6, 0.75])
def test_cascade_frequencies_match_bhw(p):
    reps, people = 1200, 30
    res = cascade_runs(p, people, reps, lambda r: 1000 * r + 7)
    starts = np.array([s["cascade_start"] if s["cascade"] != "none" else people + 1 for s in res])
    for m in (2, 4):  # P(no cascade after m people) = (p - p^2)^(m/2); 3.5 binomial SE (several values at once)
        want = p_no_cascade(p, m)
        assert abs((starts > m).mean() - want) <= 3.5 * math.sqrt(want * (1 - want) / reps), m
    right, want = np.mean([s["correct_cascade"] for s in res]), p_correct_cascade(p)
    assert abs(right - want) <= 3.5 * math.sqrt(want * (1 - want) / reps)


@pytest.mark.slow
def test_following_ones_signal_at_a_tie_delays_the_cascade():
    # with ties settled by one's own signal, choices reveal signals until the lead is two: no cascade after
    # two people unless both signals agree, 2p(1 - p) (against p - p^2 with the coin)
    p, reps = 0.6, 1200
    res = cascade_runs(p, 4, reps, lambda r: 3 * r + 1, tie="signal")
    none = np.mean([s["cascade"] == "none" or s["cascade_start"] > 2 for s in res])
    want = 2 * p * (1 - p)
    assert abs(none - want) <= 3.5 * math.sqrt(want * (1 - want) / reps)


def test_blocks_give_what_runs_one_by_one_give():
    medium = {"name": "ads", "p": 0.0, "reach": 0.5, "start": 3, "signal_precision": 0.8}
    for observe, order in (("all", "sequential"), ("contacts", "synchronous")):
        ov = {**_bhw(150, **{"wom.observe": observe, "run.order": order, "media": [medium],
                             "seeding.strategy": "random", "seeding.count": 2}), "network.seed": 9}
        block = run_replicates("bass", [1, 2, 3], overrides=ov)
        for seed, (ts, summary) in zip([1, 2, 3], block):
            alone = sim.run("bass", seed=seed, overrides=ov)
            assert ts.equals(alone.timeseries) and summary == alone.summary, (observe, seed)


# -- bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sets, key", [
    (["wom.signal_precision=0.5"], "wom.signal_precision"),
    (["wom.signal_precision=1"], "wom.signal_precision"),
    (["wom.truth=maybe"], "wom.truth"),
    (["wom.observe=friends"], "wom.observe"),
    (["media.signal_precision=0.4"], "media.signal_precision"),
    ([], "media.signal_precision"),  # the bass scenario's medium says nothing of its message
    (["run.order=random"], "run.order"),
])
def test_bad_settings_get_one_line_and_status_2(tmp_path, capsys, sets, key):
    args = ["run", "bass", "--out", str(tmp_path / "out"), "--set", "wom.rule=observational"]
    for s in sets:
        args += ["--set", s]
    assert cli.main(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], lines
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_bad_settings_from_the_command_line_show_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim", "run", "bass", "--out", str(tmp_path / "out"), "--set",
                           "wom.rule=observational", "--set", "media=[]", "--set", "wom.signal_precision=2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "wom.signal_precision must be a number in (0.5, 1); got 2" in lines[0], proc.stderr


def test_another_rule_refuses_the_sequential_order():
    with pytest.raises(sim.ConfigError, match=r"^run.order must be synchronous with wom.rule = bass; got 'sequential'"):
        sim.DiffusionModel("bass", overrides={"network.n": 50, "run.order": "sequential"})


# -- the scenario, its report and the classroom picture ------------------------------------------------------


@pytest.mark.slow
def test_the_cascades_report_draws_and_pairs_its_runs(tmp_path):
    from sim.reports.cascades import cascades_report, decision_trace, review_runs

    r = sim.run("cascades")
    trace = decision_trace(r.model)
    assert len(trace) == 100 and (trace["lead_after"] - trace["lead_before"] == trace["choice"]).all()
    runs = review_runs(r.model.spec, [1, None], 12, graph=r.model.graph)
    a, b = runs[runs["date"] == 1], runs[runs["date"].isna()]
    assert list(a["seed"]) == list(b["seed"]) and len(a) == 12
    (path,) = cascades_report(r, tmp_path, replicates=12)
    assert path.name == "cascades.png" and path.stat().st_size > 20_000


def test_the_classroom_picture_hides_the_hints_until_asked():
    from sim.viz import ClassroomModel

    hidden, shown = ClassroomModel("cascades"), ClassroomModel("cascades", show_hints=True)
    for m in (hidden, shown):
        for _ in range(10):
            m.step()
    a, b = hidden.rule_picture(), shown.rule_picture()
    assert a.shape == b.shape == (420, 560, 4) and not np.array_equal(a, b)
    while hidden.running:
        hidden.step()
    assert np.array_equal(hidden.rule_picture(), hidden.sim.rule.picture(hidden.sim, reveal=True))  # shown at the end
    assert ClassroomModel("bass").rule_picture() is None  # other rules keep the network view
