"""The tutorials (docs/tutorials/*.py, jupytext percent format) run as scripts, show a figure
at each step and ask a question at each step (their time: ``python -m benchmarks classroom``)."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.classroom import TUTORIAL_RUNNER

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("[0-9]*.py"))

# runs a tutorial with matplotlib's show() replaced by "save every open figure", so that the
# figures a reader would see inline can be counted (and looked at)
RUNNER = TUTORIAL_RUNNER


def test_the_tutorials_are_all_there():
    assert [p.name for p in TUTORIALS] == ["01_first_diffusion_model.py", "02_bandwagons_and_tipping_points.py",
                                           "03_what_did_the_campaign_do.py", "04_hits_and_luck.py",
                                           "05_information_cascades.py", "06_opinions_and_echo_chambers.py"]


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
@pytest.mark.slow
def test_tutorial_runs_with_a_figure_and_a_question_per_step(path, tmp_path):
    text = path.read_text()
    assert text.startswith("# ---\n# jupyter:") and "format_name: percent" in text  # opens as a notebook
    steps = len(re.findall(r"^# ## Step \d+", text, flags=re.M))
    questions = text.count("**Think about it.**")
    shows = len(re.findall(r"^plt\.show\(\)", text, flags=re.M))
    assert steps >= 4 and questions >= steps and shows >= steps

    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", RUNNER, str(tmp_path), str(path)], capture_output=True, text=True,
                       timeout=120, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"})
    seconds = time.perf_counter() - start
    assert r.returncode == 0, r.stderr[-3000:]
    figures = sorted(tmp_path.glob("figure-*.png"))
    print(f"\n{path.name}: {seconds:.1f} s, {len(figures)} figures in {tmp_path}")
    assert len(figures) >= steps
