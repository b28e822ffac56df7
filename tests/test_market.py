"""The cultural market and the hits scenario (sim/market/, scenarios/hits.toml).

Statistical tests fix their seeds and state their tolerance. Runs that differ
only in influence, display or promotion are paired by seed: they draw the same
numbers (common random numbers), so a paired difference isolates the change;
an effect "holds" when the mean paired difference exceeds 2.5 standard errors
of the paired differences. Measured values are given beside the assertions:
the outcomes are far from their thresholds.
"""

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim import config, runs
from sim.cli import main
from sim.errors import ConfigError
from sim.market import (
    SALGANIK_2006,
    MarketModel,
    appeals,
    choose,
    display_order,
    extremes,
    gini_by_world,
    invert_counts,
    quality_correlation,
    shares,
    unpredictability,
    visibility,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = range(6)
Z = 2.5


def _paired(a, b) -> tuple[float, float]:
    """Mean and standard error of the paired differences b - a."""
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size))


@pytest.fixture(scope="module")
def displays():
    """The shipped scenario under each display, six paired seeds (about 0.07 s a run)."""
    return {d: [MarketModel("hits", seed=s, overrides={"market.display": d}).run().summary() for s in SEEDS]
            for d in ("grid", "ranked")}


# -- mechanisms as array functions -----------------------------------------------------------------


def test_choose_draws_distinct_products_in_proportion_to_pull():
    rng = np.random.default_rng(3)
    pull = np.log(np.array([[4.0, 2.0, 1.0, 1.0]] * 2000))
    first = choose(pull, 1, rng)[:, 0]
    # P(first = 0) = 4/8; 2,000 draws, sd 0.011: tolerance 0.03
    assert abs((first == 0).mean() - 0.5) < 0.03
    two = choose(pull, 2, rng)
    assert (two[:, 0] != two[:, 1]).all()
    # the pair {2, 3} (pull 1 and 1): P = 1/8 * 1/7 + 1/8 * 1/7 = 0.036; sd 0.004: tolerance 0.012
    pair = np.sort(two, axis=1)
    assert abs(((pair[:, 0] == 2) & (pair[:, 1] == 3)).mean() - 2 / 56) < 0.012


def test_display_order_ranks_by_count_with_random_ties_or_not_at_all():
    rng = np.random.default_rng(1)
    shown = np.array([[0.0, 3.0, 0.0, 7.0], [0.0, 3.0, 0.0, 7.0]])
    first_tied = []
    for _ in range(400):
        order = display_order(shown, np.array([True, False]), rng.random((2, 4)))
        assert order[0, :2].tolist() == [3, 1]
        first_tied.append(order[0, 2])
        assert sorted(order[1].tolist()) == [0, 1, 2, 3]
    # the tie between products 0 and 2 is broken at random: 400 draws, sd 0.025: tolerance 0.08
    assert abs(np.mean(np.array(first_tied) == 0) - 0.5) < 0.08


def test_visibility_falls_with_rank_and_by_row_in_the_grid():
    v = visibility(48, "ranked", 0.2)
    assert v[0] == 1.0 and np.all(np.diff(v) < 0) and v[-1] == pytest.approx(48 ** -0.2)
    g = visibility(48, "grid", 0.2)
    assert np.all(g[:3] == 1.0) and g[-1] == pytest.approx(16 ** -0.2) and np.all(g >= v)


def test_invert_counts_swaps_the_ranking():
    shown = np.array([[10.0, 0.0, 4.0, 7.0], [1.0, 1.0, 2.0, 0.0]])
    inv = invert_counts(shown)
    assert inv[0].tolist() == [0.0, 10.0, 7.0, 4.0]
    assert sorted(inv[1].tolist()) == sorted(shown[1].tolist()) and inv[1, 2] == 0.0 and inv[1, 3] == 2.0


def test_appeals_keep_their_order_across_shapes():
    a = appeals(48, "beta", 2.0, 2.0, np.random.default_rng(4))
    b = appeals(48, "beta", 1.0, 5.0, np.random.default_rng(4))
    assert (np.argsort(a) == np.argsort(b)).all() and b.mean() < a.mean()
    assert np.all(appeals(5, "equal", 1.0, 3.0, np.random.default_rng(4)) == 0.25)


def test_measures_on_known_worlds():
    same = np.array([[3, 1, 0], [3, 1, 0], [3, 1, 0]])
    assert unpredictability(shares(same)) == 0.0
    assert gini_by_world(np.array([[1, 1, 1, 1], [0, 0, 0, 4]])) == [0.0, 0.75]
    assert shares(np.array([[0, 0]])).tolist() == [[0.0, 0.0]]
    # two worlds, one product moves 0.5 -> 0.1 and another 0.1 -> 0.5: U = (0.4 + 0.4) / 4
    m = np.array([[0.5, 0.1, 0.2, 0.2], [0.1, 0.5, 0.2, 0.2]])
    assert unpredictability(m) == pytest.approx(0.2)
    q = np.array([0.9, 0.7, 0.5, 0.3, 0.1])
    assert quality_correlation(q, np.array([[5, 4, 3, 2, 1], [1, 2, 3, 4, 5]])) == [1.0, -1.0]
    best, worst = extremes(q, np.array([[5, 4, 3, 2, 1], [1, 4, 3, 2, 5]]))
    assert best.tolist() == [True, False] and worst.tolist() == [True, False]


# -- the model ---------------------------------------------------------------------------------------


def test_accounting_and_determinism():
    a = MarketModel("hits", seed=5, overrides={"market.consumers": 300}).run()
    b = MarketModel("hits", seed=5, overrides={"market.consumers": 300}).run()
    assert np.array_equal(a.downloads, b.downloads) and a.summary() == b.summary()
    assert a.timeseries().equals(b.timeseries())
    c = MarketModel("hits", seed=6, overrides={"market.consumers": 300}).run()
    assert not np.array_equal(a.downloads, c.downloads)
    assert a.downloads.shape == (10, 48) and np.all(a.downloads.sum(axis=1) <= 300 * 3)
    assert np.array_equal(a.shown, a.downloads)  # no promotion, no inversion: the worlds show what happened
    s, ts = a.summary(), a.timeseries()
    assert ts["step"].iloc[-1] == 300 and len(ts) == 100
    for key in ("gini_social", "gini_independent", "unpredictability_social", "unpredictability_independent",
                "downloads_social", "downloads_independent"):
        assert ts[key].iloc[-1] == pytest.approx(s[key], rel=1e-12), key
    social, independent = a.market_shares()
    assert np.allclose(social.sum(axis=1), 1.0) and independent.sum() == pytest.approx(1.0)
    assert a.n == 10 * 300 and s["independent_consumers"] == 600


def test_changes_leave_the_other_draws_alone():
    """Influence, display and promotion change no draw: the independent world is the same, bit for bit."""
    base = MarketModel("hits", seed=9, overrides={"market.consumers": 200})
    base.run()
    for ov in ({"market.influence": 0.3}, {"market.display": "grid"}, {"market.promote": [1, 2], "market.invert": 50}):
        other = MarketModel("hits", seed=9, overrides={"market.consumers": 200, **ov}).run()
        assert np.array_equal(other.quality, base.quality)
        if "market.display" not in ov:  # the grid shows the independent world another visibility profile
            assert np.array_equal(other.downloads[8:], base.downloads[8:]), ov


def test_without_influence_the_social_worlds_choose_as_the_independent_one():
    """influence = 0: no counts and no ranking, so each social world is a world of independent consumers."""
    m = MarketModel("hits", seed=3, overrides={"market.influence": 0.0}).run()
    assert not m._by_count.any()
    # social worlds and independent halves are then exchangeable: 10 worlds of 700 i.i.d. consumers, whose
    # Gini differs by about 0.02 from world to world: the social mean within 0.03 of the halves' mean
    g = gini_by_world(m.downloads)
    assert abs(np.mean(g[:8]) - np.mean(g[8:])) < 0.03


def test_promotion_and_inversion_change_what_is_shown_only():
    m = MarketModel("hits", seed=2, overrides={"market.consumers": 100, "market.promote": [47, 48],
                                                "market.promote_downloads": 30}).run()
    promoted = np.flatnonzero(m.promoted)
    assert sorted(m.quality_rank[promoted].tolist()) == [47, 48]
    assert np.array_equal(m.shown[:8, promoted], m.downloads[:8, promoted] + 30)
    assert np.array_equal(m.shown[8:], m.downloads[8:])  # the independent world shows nothing fake
    inv = MarketModel("hits", seed=2, overrides={"market.consumers": 100, "market.invert": 40})
    for _ in range(40):
        inv.step()
    before, real = inv.shown[:8].copy(), inv.downloads[:8].copy()
    assert np.array_equal(before, real)
    inv.step()  # the 41st consumer sees the inverted counts
    assert np.array_equal(inv.shown[:8], invert_counts(before) + inv.downloads[:8] - real)


# -- the paper's findings (statistical, paired seeds) -----------------------------------------------


@pytest.mark.parametrize("display", ["grid", "ranked"])
@pytest.mark.parametrize("measure", ["gini", "unpredictability"])
def test_social_influence_raises_inequality_and_unpredictability(displays, display, measure):
    runs_ = displays[display]
    m, se = _paired([r[f"{measure}_independent"] for r in runs_], [r[f"{measure}_social"] for r in runs_])
    # measured: Gini +0.12 (grid), +0.24 (ranked); U +0.0023 (grid), +0.0070 (ranked); SE 5-10 % of that
    assert m > Z * se, (m, se)


@pytest.mark.parametrize("measure", ["gini", "unpredictability"])
def test_ranking_by_downloads_raises_both_more_than_the_grid(displays, measure):
    m, se = _paired([r[f"{measure}_social"] for r in displays["grid"]],
                    [r[f"{measure}_social"] for r in displays["ranked"]])
    assert m > Z * se, (m, se)  # measured: Gini +0.12, U +0.0047


def test_near_the_papers_values(displays):
    """Not a fit: the model's means lie within a generous band of what Salganik et al. measured."""
    for display, runs_ in displays.items():
        paper = SALGANIK_2006[display]
        for key in ("gini_independent", "gini_social", "unpredictability_independent", "unpredictability_social"):
            got = np.mean([r[key] for r in runs_])
            assert paper[key] * 0.6 < got < paper[key] * 1.4, (display, key, got, paper[key])


def test_the_best_rarely_do_badly_and_the_worst_rarely_do_well(displays):
    """Top appeal quintile never in the bottom share quintile (worst never in the top) in >= 90 % of worlds."""
    for runs_ in displays.values():
        assert np.mean([r["best_never_bottom"] for r in runs_]) >= 0.9  # measured: 1.0
        assert np.mean([r["worst_never_top"] for r in runs_]) >= 0.9  # measured: 1.0
        assert all(r["quality_correlation_social"] < r["quality_correlation_independent"] for r in runs_)


def test_promoted_products_gain_share_a_self_fulfilling_prophecy():
    worst = {"market.promote": [44, 45, 46, 47, 48]}
    plain, fake = [], []
    for s in range(4):
        plain.append(MarketModel("hits", seed=s, overrides={**worst, "market.promote_downloads": 0}).run().summary())
        fake.append(MarketModel("hits", seed=s, overrides={**worst, "market.promote_downloads": 20}).run().summary())
    m, se = _paired([p["promoted_share_social"] for p in plain], [f["promoted_share_social"] for f in fake])
    assert m > Z * se  # measured: 1.6 % -> 6.2 % of real downloads
    assert all(f["promoted_share_social"] > f["promoted_share_independent"] for f in fake)
    assert np.mean([f["downloads_social"] for f in fake]) < np.mean([p["downloads_social"] for p in plain])


# -- scenario, validation, outputs -----------------------------------------------------------------------------


def test_scenario_ships_with_description_report_and_page():
    spec = config.load("hits")
    assert spec.model == "market" and spec.report == "hits" and "hits" in config.REPORTS
    assert "hits.png" in spec.description and spec.variants == {"grid": {"title": spec.variants["grid"]["title"],
                                                                         "market.display": "grid"}}
    page = (ROOT / "docs" / "scenarios" / "hits.md").read_text()
    for heading in ("## The question", "## The model", "## Parameters", "## Expected result", "## Literature"):
        assert heading in page, heading
    for values in SALGANIK_2006.values():  # the page quotes the paper's values beside the model's
        assert f"{values['gini_social']:.2f}" in page and f"{values['unpredictability_social']:.4f}" in page


@pytest.mark.parametrize("key, value", [("wom.q", 0.5), ("network.n", 100), ("media.p", 0.1), ("run.steps", 5),
                                        ("attention.k", 3)])
def test_other_models_keys_refused_for_the_market(key, value):
    with pytest.raises(ConfigError, match=rf"^{key} applies to model = .*; scenario 'hits' has model = market$"):
        config.load("hits", overrides={key: value})


def test_market_keys_refused_for_other_models():
    with pytest.raises(ConfigError, match="market.influence applies to model = market; scenario 'bass'"):
        config.load("bass", overrides={"market.influence": 0.1})
    with pytest.raises(ConfigError, match="model"):
        MarketModel("bass")


@pytest.mark.parametrize("overrides, message", [
    ({"market.products": 1}, "market.products must be an integer >= 2; got 1"),
    ({"market.worlds": 1}, "market.worlds must be an integer >= 2; got 1"),
    ({"market.influence": -0.1}, "market.influence must be a number >= 0; got -0.1"),
    ({"market.display": "list"}, "market.display must be one of ranked, grid; got 'list'"),
    ({"market.listens": 49}, r"market.listens must be an integer in \[1, products\] = \[1, 48\]; got 49"),
    ({"market.promote": [0]}, r"market.promote must be a list of integers >= 1 \(or none\); got 0"),
    ({"market.promote": [3, 3]}, r"market.promote must list distinct appeal ranks in \[1, products\]"),
    ({"market.invert": 700}, r"market.invert must be an integer in \[0, consumers - 1\] = \[0, 699\]"),
    ({"market.appeal_a": 0}, r"market.appeal_a must be a number in \(0, 1000000\]; got 0"),
    ({"market.influenc": 1}, "did you mean market.influence"),
])
def test_bad_values_are_one_line(overrides, message):
    with pytest.raises(ConfigError, match=message):
        config.load("hits", overrides=overrides)


def test_bad_input_on_the_command_line_is_one_line_and_exit_2(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "hits", "--set", "market.display=column", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "bouche: error: market.display must be one of ranked, grid; got 'column'" and not out.exists()


@pytest.mark.slow
def test_bad_input_in_a_bouche_process_is_one_line_and_exit_2(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "sim", "run", "hits", "--set", "market.worlds=1", "--out",
                           str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and not out.exists()
    assert proc.stderr.strip().splitlines() == ["bouche: error: market.worlds must be an integer >= 2; got 1"]


def test_resolved_scenario_round_trips_and_show_lists_the_market(capsys):
    spec = config.load("hits", overrides={"market.influence": 0.1})
    raw = spec.to_dict()
    assert set(raw) == {"name", "title", "description", "seed", "model", "report", "market", "variants"}
    assert config.load(raw).values == spec.values
    assert main(["show", "hits", "--set", "market.influence=0.1"]) == 0
    shown = capsys.readouterr().out
    assert "market.promote" in shown and "0.1 *" in shown and "wom.q" not in shown and "run.steps" not in shown


def test_run_folder_holds_the_shares_table(tmp_path):
    result = sim.run("hits", seed=1, overrides={"market.consumers": 100, "report": ""})
    out = runs.write_run(result, tmp_path / "hits", plots=False)
    assert sorted(p.name for p in out.iterdir()) == [".bouche.json", "config.json", "shares.csv", "summary.json",
                                                     "timeseries.csv"]
    table = pd.read_csv(out / "shares.csv")
    assert list(table.columns[:5]) == ["product", "appeal", "appeal_rank", "promoted", "independent"]
    assert len(table) == 48 and np.allclose(table[[f"world_{j}" for j in range(1, 9)]].sum(), 1.0)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["gini_social"] == result.summary["gini_social"] and summary["n"] == 1000
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["graph"] is None and cfg["scenario"]["market"]["consumers"] == 100
    assert set(cfg["randomness"]["streams"]) == {"market.appeal", "market.display", "market.sampling",
                                                 "market.downloads"}
    text = io.StringIO()
    runs.describe(result, file=text)
    assert "unpredictability (U)" in text.getvalue() and "Gini" in text.getvalue()


@pytest.mark.slow
def test_bouche_run_hits_writes_the_figures_and_the_report(tmp_path):
    out = tmp_path / "hits"
    proc = subprocess.run([sys.executable, "-m", "sim", "run", "hits", "--out", str(out)], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [".bouche.json", "config.json", "hits.csv", "hits.png",
                                                     "inequality.png", "shares.csv", "success.png", "summary.json",
                                                     "timeseries.csv"]
    for png in out.glob("*.png"):
        assert png.stat().st_size > 20_000
    table = pd.read_csv(out / "hits.csv").set_index("display")
    assert table.loc["ranked", "gini_social"] > table.loc["grid", "gini_social"] > table.loc["grid",
                                                                                              "gini_independent"]
    assert "unpredictability (U)" in proc.stdout


@pytest.mark.slow
def test_hits_influence_sweep_records_gini_and_u(tmp_path):
    res = sim.sweep("hits_influence", size="small", workers=1, out=tmp_path / "h")
    for column in ("gini_social", "gini_independent", "unpredictability_social", "unpredictability_independent"):
        assert column in res.runs.columns
    s = res.summary.set_index(["market.display", "market.influence"])
    assert s.loc[("ranked", 0.06), "gini_social_mean"] > s.loc[("ranked", 0.0), "gini_social_mean"] + 0.1
    assert s.loc[("grid", 0.06), "unpredictability_social_mean"] > s.loc[("grid", 0.0), "unpredictability_social_mean"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cultural_market", "self_fulfilling_prophecy"])
def test_validation_checks_pass(name):
    from sim.validation import run_check

    rec = run_check(name, quick=True)
    assert rec.passed, rec.simulated
