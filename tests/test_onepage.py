"""bouche report (sim/onepage): one self-contained page per output folder, checked in a real browser."""

import json
import re

import pytest

from sim.cli import main
from sim.onepage import PAGES, build, page


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


def test_comparison_page_uses_the_arms_names(folders):
    p = build(folders / "compare")
    assert p.title.endswith("TV and talk or TV only?")
    assert p.table[0][1:3] == ["TV and talk", "TV only"] and "95 % CI" in p.answer
    assert "time to 50 (weeks)" in [row[0] for row in p.table]
    assert "as the scenario says" not in page.render(p)


def test_fit_page_gives_the_market_with_its_interval(folders):
    p = build(folders / "fit")
    record = json.loads((folders / "fit" / "fit.json").read_text())
    assert f"{record['interval']['m']:,.0f}"[:4] in p.answer.replace(",", ",")
    assert "years after launch" in p.answer and len(p.table) == 4


def test_report_writes_one_self_contained_file_and_refuses_bad_input(folders, tmp_path, capsys):
    out = tmp_path / "page"
    assert main(["report", str(folders / "fit"), "--out", str(out)]) == 0
    text = (out / "report.html").read_text()
    assert "data:image/png;base64," in text and not re.search(r'src="(?!data:)', text)  # nothing to fetch
    assert main(["report", str(folders / "fit"), "--out", str(out)]) == 0  # an earlier page is replaced
    (tmp_path / "mine").mkdir()
    for args, message in [([str(tmp_path / "nothing")], "does not exist"),
                          ([str(tmp_path / "mine")], "has none"),
                          ([str(folders / "fit"), "--out", str(folders / "run")], "--out must be"),
                          ([str(folders / "run"), "--replicates", "1"], "--replicates must be")]:
        assert main(["report", *args]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1


@pytest.mark.slow
def test_the_page_renders_in_a_real_browser(folders, tmp_path):
    from tests.test_viz import CHROMIUM_ARGS, _chromium

    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium browser on this machine (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")
    assert main(["report", str(folders / "compare"), "--out", str(tmp_path / "page")]) == 0
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1000, "height": 1400})
            tab.goto((tmp_path / "page" / "report.html").as_uri())
            assert "TV only" in tab.inner_text("#answer")
            widths = tab.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
            assert widths and all(w > 300 for w in widths)  # the embedded figure decoded
            shot = tmp_path / "page.png"
            tab.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 20_000
        finally:
            browser.close()
