"""bouche report (sim/onepage): one self-contained page, and its PDF, per output folder, checked in a real browser."""

import json
import re
import shutil
import subprocess

import pandas as pd
import pytest

from sim.cli import main
from sim.onepage import PAGES, build, page
from sim.onepage.sensitivity import scaled, uncertain_keys

RING = ["--set", "network.kind=ring", "--set", "network.n=300", "--set", "network.k=6"]
# PRIM needs EMA Workbench (the discover extra)
ema = pytest.mark.skipif(__import__("importlib.util").util.find_spec("ema_workbench") is None,
                         reason="needs EMA Workbench: pip install 'bouche[discover]'")


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("outputs")
    base = ["--set", "network.n=300", "--set", "run.steps=20", "--set", "run.time_unit=month"]
    assert main(["run", "bass", *base, "--out", str(root / "run"), "--no-plots"]) == 0
    assert main(["compare", "bass", "--set", "wom.q=0", "--base", "network.n=300", "--base", "run.steps=20",
                 "--base", "run.time_unit=week", "--replicates", "3", "--name", "TV and talk", "--name", "TV only",
                 "--out", str(root / "compare")]) == 0
    assert main(["fit", "room_air_conditioners", "--out", str(root / "fit")]) == 0
    return root


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    """A calibration to 10 weeks drawn from the bass scenario on a ring (media.p = 0.03, wom.q = 0.4)."""
    from sim.batch import run_replicates

    root = tmp_path_factory.mktemp("calibration")
    ov = {"network.kind": "ring", "network.n": 600, "network.k": 8, "media.p": 0.03, "wom.q": 0.4}
    new = run_replicates("bass", [3], overrides={**ov, "run.steps": 10, "run.stop": "steps"})[0][0]["new_adopters"]
    (root / "launch.csv").write_text("week,adopters\n" + "".join(f"{i},{v:g}\n" for i, v in
                                                                  enumerate(new.to_numpy()[1:11], 1)))
    assert main(["calibrate", str(root / "launch.csv"), "--scenario", "bass", "--free", "wom.q=0.1:0.8",
                 "--free", "media.p=0.005:0.1", "--replicates", "3", "--grid", "3", "--errors", "gauss-newton",
                 "--horizon", "3", "--set", "network.kind=ring", "--set", "network.n=600", "--set", "network.k=8",
                 "--out", str(root / "cal")]) == 0
    return root / "cal"


@pytest.fixture(scope="module")
def optimized(tmp_path_factory):
    out = tmp_path_factory.mktemp("optimize") / "opt"
    assert main(["optimize", "--scenario", "bass", "--budget", "60", "--horizon", "8", "--replicates", "3",
                 "--grid", "2", "--levels", "2", "--set", "seeding.cost_per_seed=5", "--set", "run.time_unit=week",
                 *RING, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def discovered(tmp_path_factory):
    pytest.importorskip("ema_workbench", reason="needs EMA Workbench: pip install 'bouche[discover]'")
    root = tmp_path_factory.mktemp("discovery")
    assert main(["sweep", "bass", "--design", "lhs", "--samples", "120", "--replicates", "1", "--vary",
                 "wom.q=0:0.8", "--vary", "media.p=0:0.03", *RING[:4], "--set", "network.n=200",
                 "--set", "run.steps=10", "--set", "run.stop=steps", "--workers", "1", "--out", str(root / "sw"),
                 "--no-plots"]) == 0
    assert main(["discover", str(root / "sw"), "--where", "final_fraction >= 0.5", "--out", str(root / "disc")]) == 0
    return root / "disc"


def test_every_registered_kind_names_a_reader():
    for kind, target in PAGES.items():
        module, name = target.split(":")
        assert callable(getattr(__import__(module, fromlist=[name]), name)), kind


def test_run_page_states_units_answer_interval_and_sensitivity(folders):
    p = build(folders / "run", replicates=2)
    assert "months" in p.answer and "95 % CI" in p.answer
    assert ("time unit", "one month; a step lasts 1 month") in p.assumptions
    keys = [row[0] for row in p.sensitivity_table[1:]]
    assert "wom.q" in keys and "media.p" in keys  # the rule's own parameter, from the registry
    assert "--seed 1969" in p.command and "run.time_unit=month" in p.command


def test_a_move_scales_each_arms_own_value():
    from sim import config

    base = config.load("bass", overrides={"network.n": 50})
    changed = base.replace({"wom.q": 0.1})
    assert scaled("wom.q", 1.2)(base).get("wom.q") == pytest.approx(1.2 * 0.38)
    assert scaled("wom.q", 1.2)(changed).get("wom.q") == pytest.approx(0.12)
    assert scaled("media.p", 2.0)(base).get("media.p") == pytest.approx(0.06)
    assert uncertain_keys(base.replace({"wom.q": 0.0})) == ["media.p"]  # nothing to move in q = 0


def test_comparison_page_uses_the_arms_names_and_moves_the_difference(folders):
    p = build(folders / "compare")
    assert p.title.endswith("TV and talk or TV only?")
    assert p.table[0][1:3] == ["TV and talk", "TV only"] and "95 % CI" in p.answer
    assert "time to 50 (weeks)" in [row[0] for row in p.table]
    assert "as the scenario says" not in page.render(p)
    # the sensitivity run: the rule's parameter and the medium's, moved in both arms on the comparison's seeds,
    # so the difference "as assumed" is the comparison's own, to the last digit
    rows = {row[0].split(" (")[0]: row for row in p.sensitivity_table[1:]}
    assert set(rows) == {"wom.q", "media.p"} and "TV only sets it to 0" in p.sensitivity_table[1 + list(
        rows).index("wom.q")][0]
    record = json.loads((folders / "compare" / "comparison.json").read_text())
    diff = next(d for d in record["differences"] if d["metric"] == "final_adopters")["difference"]
    assert f"against {diff:,.0f}" in p.sensitivity or f"against {diff:.3g}" in p.sensitivity
    assert "TV only minus TV and talk" in p.sensitivity
    assert build(folders / "compare", replicates=0).sensitivity_table == []


def test_fit_page_gives_the_market_with_its_interval(folders):
    p = build(folders / "fit")
    record = json.loads((folders / "fit" / "fit.json").read_text())
    assert f"{record['interval']['m']:,.0f}"[:4] in p.answer.replace(",", ",")
    assert "years after launch" in p.answer and len(p.table) == 4


def test_calibration_page_gives_each_parameter_with_its_interval_and_the_forecast(calibration):
    p = build(calibration)
    rec = json.loads((calibration / "calibration.json").read_text())
    for key, e in rec["estimates"].items():
        assert f"{key} = {e['value']:.3g}" in p.answer and f"95 % CI {e['low']:.3g}" in p.answer
    assert "week 11" in p.answer and "week 13" in p.answer  # the forecast, in the data's time unit
    assert [row[0] for row in p.table[1:]] == ["wom.q", "media.p"] and p.figures[0].name == "calibration.png"
    assert ("time unit", "one week; a step lasts 1 week") in p.assumptions
    # the forecast rerun at each estimate's interval ends, on the calibration's seeds: "as assumed" is its own
    # forecast (fitted.csv), to the last digit
    total = pd.read_csv(calibration / "fitted.csv")["cumulative_mean"].iloc[-1]
    assert f"against {total:,.0f} at the estimates" in p.sensitivity
    assert {row[0] for row in p.sensitivity_table[1:]} == {"wom.q", "media.p"}
    assert p.more and p.more[0][1][-1][0] == "13 (forecast)"
    assert "bouche calibrate" in p.command and "1969" in p.seed


def test_optimize_page_gives_the_best_plan_the_runner_up_and_the_curves(optimized):
    p = build(optimized)
    rec = json.loads((optimized / "optimize.json").read_text())
    plans = pd.read_csv(optimized / "plans.csv")
    best, second = plans.iloc[0], plans.iloc[1]
    assert p.answer.startswith(f"Spend it on {best['plan']}") and "after 8 weeks" in p.answer
    assert f"95 % CI {best['low']:.3g} to {best['high']:.3g}" in p.answer and second["plan"] in p.answer
    assert [row[1] for row in p.table[1:]] == plans["plan"].head(8).tolist()
    assert ("objective", "adopters counted after 8 weeks (8 steps), the most wins") in p.assumptions
    assert dict(p.assumptions)["horizon"].startswith("8 steps")  # the plans' horizon, not the scenario's
    curves = p.more[0][1]
    assert curves[0] == ["channel alone, given", "0", "30", "60"] and len(curves) == 1 + 1 + 3  # a medium, 3 ways
    # the best against the runner-up on the plans' seeds: the lead "as assumed" is the table's paired difference
    assert f"against {-second['diff_best']:.3g} (95 % CI" in p.sensitivity
    assert {row[0] for row in p.sensitivity_table[1:]} == {"wom.q", "media.p"}
    # a folder written from Python records no command line: the page rebuilds one that gives the same plans
    assert rec["command"] is None and "bouche optimize --scenario" in p.command
    assert "--set network.kind=ring" in p.command and "--budget 60 --horizon 8" in p.command


@ema
@pytest.mark.slow  # EMA Workbench takes 3 s to import
def test_discovery_page_gives_the_box_with_coverage_density_and_the_trade_off(discovered):
    p = build(discovered)
    rec = json.loads((discovered / "discover.json").read_text())
    box = rec["box"]
    assert f"{100 * box['density']:.0f} % of the runs (density; 95 % CI" in p.answer
    assert f"{100 * box['coverage']:.0f} % of all the runs where it holds (coverage" in p.answer
    assert {row[0] for row in p.table[1:]} == {r["parameter"] for r in box["restricted"]}
    assert any("(reported)" in row[0] for row in p.sensitivity_table[1:])
    assert p.more[0][1][0] == ["parameter", "importance"] and len(p.more[0][1]) == 1 + len(rec["features"])
    assert dict(p.assumptions)["varied"] == "wom.q from 0 to 0.8; media.p from 0 to 0.03"
    assert "bouche discover" in p.command and "feature scores" in p.seed


def test_report_writes_one_self_contained_file_and_refuses_bad_input(folders, tmp_path, capsys):
    out = tmp_path / "page"
    assert main(["report", str(folders / "fit"), "--out", str(out), "--no-pdf"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".bouche.json", "report.html"]
    text = (out / "report.html").read_text()
    assert "data:image/png;base64," in text and not re.search(r'src="(?!data:)', text)  # nothing to fetch
    assert main(["report", str(folders / "fit"), "--out", str(out), "--no-pdf"]) == 0  # an earlier page is replaced
    (tmp_path / "mine").mkdir()
    (tmp_path / "file.txt").write_text("not a folder")
    for args, message in [([str(tmp_path / "nothing")], "does not exist"),
                          ([str(tmp_path / "file.txt")], "is a file"),
                          ([str(tmp_path / "mine")], "has none"),
                          ([str(out)], "FOLDER must be one of: calibration folder, comparison folder, discovery "
                                       "folder, fit folder, optimize folder, run folder, stored sweep; got a report "
                                       "page"),
                          ([str(folders / "fit"), "--out", str(folders / "run")], "--out must be"),
                          ([str(folders / "run"), "--replicates", "1"], "--replicates must be")]:
        assert main(["report", *args, "--out", str(tmp_path / "refused")] if "--out" not in args else
                    ["report", *args]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, (args, err)
        assert not (tmp_path / "refused").exists()


def test_without_a_browser_the_html_alone_and_one_line(folders, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BOUCHE_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert main(["report", str(folders / "fit"), "--out", str(tmp_path / "page")]) == 0
    err = capsys.readouterr().err
    assert "no PDF: found no Chromium" in err and err.count("\n") == 1
    assert sorted(p.name for p in (tmp_path / "page").iterdir()) == [".bouche.json", "report.html"]
    assert main(["report", str(folders / "fit"), "--out", str(tmp_path / "asked"), "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "--pdf needs a browser" in err and err.count("\n") == 1 and not (tmp_path / "asked").exists()


def test_a_browser_that_fails_leaves_no_half_written_pdf(folders, tmp_path, capsys, monkeypatch):
    false = shutil.which("false")
    if false is None:
        pytest.skip("no false command")
    monkeypatch.setenv("BOUCHE_CHROMIUM", false)
    assert main(["report", str(folders / "fit"), "--out", str(tmp_path / "asked"), "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "--pdf could not be printed: false exited with status 1" in err and err.count("\n") == 1
    assert not (tmp_path / "asked").exists()
    assert main(["report", str(folders / "fit"), "--out", str(tmp_path / "page")]) == 0  # by default: the HTML
    assert "no PDF: --pdf could not be printed" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "page").iterdir()) == [".bouche.json", "report.html"]


def _browser():
    from tests.test_viz import _chromium

    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium browser on this machine (apt-get install chromium)")
    return exe


def _pdf_text(path) -> str:
    """The text of a PDF (pdftotext, or pypdf where installed), whitespace collapsed."""
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, timeout=60).stdout
        return " ".join(out.decode("utf-8").split())
    pypdf = pytest.importorskip("pypdf", reason="needs pdftotext (poppler-utils) or pypdf to read the PDF's text")
    return " ".join(" ".join(pg.extract_text() for pg in pypdf.PdfReader(str(path)).pages).split())


@pytest.mark.slow
def test_the_pdf_is_a_real_pdf_that_holds_the_answer(optimized, tmp_path, monkeypatch):
    monkeypatch.setenv("BOUCHE_CHROMIUM", _browser())
    out = tmp_path / "page"
    assert main(["report", str(optimized), "--out", str(out), "--pdf", "--replicates", "0"]) == 0
    pdf = (out / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:] and len(pdf) > 20_000
    assert json.loads((out / ".bouche.json").read_text())["files"] == ["report.html", "report.pdf"]
    text = _pdf_text(out / "report.pdf")
    best = pd.read_csv(optimized / "plans.csv").iloc[0]
    assert f"Spend it on {best['plan']}" in text and "The question." in text and "Reproduce it" in text


@pytest.mark.slow
@pytest.mark.parametrize("kind, answer", [("compare", "TV only"), ("calibration", "week 11"),
                                          ("optimize", "Spend it on"), ("discovery", "coverage")])
def test_the_page_renders_in_a_real_browser(kind, answer, request, tmp_path):
    exe = _browser()
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")
    folder = {"compare": lambda: request.getfixturevalue("folders") / "compare",
              "calibration": lambda: request.getfixturevalue("calibration"),
              "optimize": lambda: request.getfixturevalue("optimized"),
              "discovery": lambda: request.getfixturevalue("discovered")}[kind]()
    from tests.test_viz import CHROMIUM_ARGS

    assert main(["report", str(folder), "--out", str(tmp_path / "page"), "--no-pdf", "--replicates", "0"]) == 0
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1000, "height": 1400})
            tab.goto((tmp_path / "page" / "report.html").as_uri())
            assert answer in tab.inner_text("#answer")
            widths = tab.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
            assert widths and all(w > 300 for w in widths)  # the embedded figure decoded
            # nothing wider than the page: a strategist reads it without scrolling sideways
            assert tab.evaluate("document.documentElement.scrollWidth") <= 1000
            shot = tmp_path / "page.png"
            tab.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 20_000
        finally:
            browser.close()
