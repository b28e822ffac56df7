"""The validation suite (sim.validation, ``bouche validate``).

``bouche validate --quick`` runs here as a real process and every check must
pass; then deliberately broken rules, injected into the engine's own
mechanism functions, must make the corresponding check fail: the validation
can fail.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim import cli, validation
from sim.rules import bass as bass_rule
from sim.rules import threshold as wom
from sim.rules.counting import NEVER
from sim.validation import registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("v") / "report"
    proc = subprocess.run([sys.executable, "-m", "sim", "validate", "--quick", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    return out, proc


@pytest.mark.slow
def test_quick_validation_passes(quick_report):
    out, proc = quick_report
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((out / "validation.json").read_text())
    assert data["mode"] == "quick"
    names = [r["name"] for r in data["results"]]
    assert names == list(validation.CHECKS)
    failed = [r["name"] for r in data["results"] if not r["passed"]]
    assert not failed, failed
    assert f"{len(names)} of {len(names)} checks passed" in proc.stdout


@pytest.mark.parametrize("name", list(validation.CHECKS))
@pytest.mark.slow
def test_each_record_is_complete(quick_report, name):
    out, _ = quick_report
    rec = next(r for r in json.loads((out / "validation.json").read_text())["results"] if r["name"] == name)
    for key in ("title", "reference", "setting", "expected", "simulated", "uncertainty", "tolerance"):
        assert isinstance(rec[key], str) and rec[key].strip(), key
    assert rec["figure"] == f"validation/{name}.png"
    assert (out / rec["figure"]).stat().st_size > 10_000


@pytest.mark.slow
def test_report_links_work(quick_report):
    out, _ = quick_report
    md = (out / "validation.md").read_text()
    page = (out / "validation.html").read_text()
    md_links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    html_links = re.findall(r'<img src="([^"]+)"', page)
    assert len(md_links) == len(html_links) == len(validation.CHECKS)
    for link in md_links + html_links:
        assert not link.startswith("/") and (out / link).is_file(), link
    assert md.count("| pass |") == len(validation.CHECKS)
    assert "Reference:" in md and "<b>Tolerance:</b>" in page
    assert not list(out.parent.glob(".report.tmp-*"))  # written atomically


# --- the validation can fail ------------------------------------------------------


def _need_strict(degree, phi):
    """A broken rule: adopt only when the adopted fraction is strictly above φ (``>`` instead of ``≥``)."""
    need = np.floor((phi + wom.TOLERANCE) * degree) + 1
    return np.where(degree > 0, need, NEVER).astype(np.int32)


def _met_strict(counts, degree, phi):
    return (degree > 0) & (counts > (phi + wom.TOLERANCE) * degree)


def _hazard_per_neighbour(counts, degree, q):
    """A broken rule: q applied per adopted contact instead of per adopted fraction."""
    return counts * float(q)


@pytest.fixture
def strict_threshold(monkeypatch):
    monkeypatch.setattr(wom, "threshold_met", _met_strict)
    monkeypatch.setattr(wom, "threshold_need", _need_strict)


def test_strict_threshold_breaks_the_riot(strict_threshold, tmp_path):
    rec = validation.run_check("granovetter_riot", tmp_path, quick=True)
    assert not rec.passed
    assert rec.values["riot"] == 0  # nobody has a fraction > 0 to start with


def test_strict_threshold_fails_the_command(strict_threshold, tmp_path, capsys):
    out = tmp_path / "broken"
    assert cli.main(["validate", "--quick", "--check", "granovetter_riot", "--out", str(out)]) == 1
    assert "FAIL" in capsys.readouterr().out
    assert "**FAIL**" in (out / "validation.md").read_text()  # the report is written all the same


def test_per_neighbour_imitation_breaks_bass(monkeypatch, tmp_path):
    monkeypatch.setattr(bass_rule, "bass_hazard", _hazard_per_neighbour)
    rec = validation.run_check("bass_discrete", tmp_path, quick=True)
    assert not rec.passed
    assert rec.values["F7"] > 0.99  # everyone imitates the first adopter at once


def test_correct_rules_pass_the_same_checks(tmp_path):
    for name in ("granovetter_riot", "bass_discrete"):
        assert validation.run_check(name, tmp_path, quick=True).passed


# --- command line -------------------------------------------------------------------


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    assert cli.main(["validate", "--quick", "--check", "granovetter_riot", "--out", str(busy)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("bouche: error: --out") and "\n" not in err
    assert sorted(p.name for p in busy.iterdir()) == ["notes.txt"]
    assert not list(tmp_path.glob(".busy.tmp-*"))
    assert cli.main(["validate", "--check", "bass", "--out", str(tmp_path / "x")]) == 2
    assert "--check must be one of" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_rerun_replaces_an_earlier_report(tmp_path):
    out = tmp_path / "v"
    for _ in range(2):
        assert cli.main(["validate", "--quick", "--check", "granovetter_riot", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".bouche.json", "validation", "validation.html", "validation.json",
                                                      "validation.md"]


def test_z_limit_and_seeds():
    assert validation.z_limit(1) == pytest.approx(2.5)
    assert validation.z_limit(10) > validation.z_limit(2) > 2.5
    assert registry._seed("watts", 3.0, 1) == registry._seed("watts", 3.0, 1)
    assert registry._seed("watts", 3.0, 1) != registry._seed("watts", 3.0, 2)
