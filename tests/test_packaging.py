"""The project's files agree with pyproject.toml: the licence, the citation, the changelog, the typing marker,
the extras the documentation and the tests need."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_license_file_matches_the_declared_licence():
    assert PROJECT["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")


def test_citation_names_this_version_and_licence():
    text = (ROOT / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in text and f"version: {PROJECT['version']}" in text and "license: MIT" in text


def test_changelog_and_typing_marker():
    assert (ROOT / "CHANGELOG.md").read_text().startswith("# Changelog") and "## Unreleased" in (
        ROOT / "CHANGELOG.md").read_text()
    assert (ROOT / "sim" / "py.typed").is_file() and "Typing :: Typed" in PROJECT["classifiers"]


def test_extras_for_the_docs_and_the_tests():
    extras = PROJECT["optional-dependencies"]
    assert any(d.startswith("mkdocs-material") for d in extras["docs"])
    assert any(d.startswith("mkdocstrings[python]") for d in extras["docs"])
    assert not any(d.startswith("mkdocs") for d in PROJECT["dependencies"])  # docs tools are not runtime deps
    assert any(d.startswith("tqdm") for d in PROJECT["dependencies"])
    assert {d.split(">")[0] for d in extras["test"]} >= {"jsonschema", "ruff"}
