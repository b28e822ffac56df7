"""The documentation site (mkdocs.yml, docs/hooks.py): the tutorials rendered with what they print and show,
generated reference pages, and a strict build that a broken link fails."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("mkdocs", reason="the docs extra is not installed (pip install -e '.[docs]')")


def _hooks():
    spec = importlib.util.spec_from_file_location("bouche_docs_hooks", ROOT / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TINY = '''# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # A tiny tutorial
#
# Some *prose*.

# %%
import matplotlib.pyplot as plt
print("hello from the code")
plt.plot([0, 1], [0, 1])
plt.show()
'''


def test_a_tutorial_page_has_its_prose_code_output_and_figures(tmp_path):
    path = tmp_path / "01_tiny.py"
    path.write_text(TINY)
    hooks = _hooks()
    assert [k for k, _ in hooks.cells(TINY)] == ["markdown", "code"]
    page, figures = hooks.render_tutorial(path)
    assert page.startswith("# A tiny tutorial") and "Some *prose*." in page
    assert "```python\nimport matplotlib.pyplot as plt" in page and "```text\nhello from the code\n```" in page
    assert list(figures) == ["figure-01.png"] and figures["figure-01.png"][:4] == b"\x89PNG"
    assert "![Figure 1](01_tiny/figure-01.png)" in page
    code_only, none = hooks.render_tutorial(path, run=False)
    assert none == {} and "hello from the code\n```" not in code_only


def test_the_reference_pages_come_from_the_code():
    hooks = _hooks()
    cli = hooks.cli_page()
    for command in ("run", "scenarios", "schema", "show", "compare", "sweep", "validate", "viz", "animate"):
        assert f"## bouche {command}" in cli
    assert "--adoptions" in cli
    params = hooks.parameters_page()
    assert "`wom.q`" in params and "`media.reach`" in params and "## [[media]]" in params


def _build(config: Path, site: Path):  # not -q: mkdocs counts the warnings --strict fails on by logging them
    env = {**os.environ, "BOUCHE_DOCS_TUTORIALS": "code", "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d",
                           str(site)], capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)


@pytest.mark.slow
def test_the_site_builds_in_strict_mode_and_a_broken_link_fails_it(tmp_path):
    res = _build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert res.returncode == 0, res.stderr[-3000:]
    site = tmp_path / "site"
    for page in ("index.html", "tutorials/01_first_diffusion_model/index.html", "reference/cli/index.html",
                 "reference/api/runs/index.html", "howto/notebook/index.html", "project/citing/index.html"):
        assert (site / page).is_file(), page
    api = (site / "reference/api/runs/index.html").read_text()
    assert "RunResult" in api and ":func:" not in api
    # the same site with one broken link: the strict build refuses it
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    (docs / "howto" / "notebook.md").write_text((docs / "howto" / "notebook.md").read_text()
                                              + "\nSee [the missing page](no-such-page.md).\n")
    config = tmp_path / "mkdocs.yml"
    text = (ROOT / "mkdocs.yml").read_text().replace("docs_dir: docs", f"docs_dir: {docs}")
    config.write_text(text.replace("  - docs/hooks.py", f"  - {docs / 'hooks.py'}"))
    broken = _build(config, tmp_path / "site2")
    assert broken.returncode != 0 and "no-such-page.md" in broken.stderr
