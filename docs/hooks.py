"""MkDocs hooks of the documentation site (``mkdocs build --strict``): the pages made from the code.

- ``tutorials/NN_*.md``: each tutorial (``docs/tutorials/NN_*.py``, jupytext percent format)
  run cell by cell, its text as prose, its code with what it printed and the figures it showed.
  ``BOUCHE_DOCS_TUTORIALS=code`` skips running them (the code alone: a quick local build).
- ``reference/cli.md``: every command's ``--help``.
- ``reference/parameters.md``: every scenario parameter, from the registry ``bouche show`` reads.

Docstrings are numpydoc with Sphinx cross-reference roles (``:func:`sim.run```); the API pages
show those as code (:func:`on_page_content`).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path

from mkdocs.structure.files import File

TUTORIALS = Path(__file__).parent / "tutorials"
ROLE = re.compile(r":(?:func|mod|class|meth|data|attr|exc|obj|ref):(<code>)~?")


def on_files(files, config):
    for path in sorted(TUTORIALS.glob("[0-9]*.py")):
        page, figures = render_tutorial(path, run=os.environ.get("BOUCHE_DOCS_TUTORIALS", "run") != "code")
        files.append(File.generated(config, f"tutorials/{path.stem}.md", content=page))
        for name, png in figures.items():
            files.append(File.generated(config, f"tutorials/{path.stem}/{name}", content=png))
    files.append(File.generated(config, "reference/cli.md", content=cli_page()))
    files.append(File.generated(config, "reference/parameters.md", content=parameters_page()))
    return files


def on_page_content(html, page, config, files):
    """Sphinx roles in docstrings (``:func:`x```) become plain code; ``~a.b.c`` shows as ``c``."""
    html = ROLE.sub(r"\1", html)
    return re.sub(r"<code>~([\w.]+)</code>", lambda m: f"<code>{m.group(1).rsplit('.', 1)[-1]}</code>", html)


# -- tutorials --------------------------------------------------------------------------------------------------


def cells(text: str) -> list[tuple[str, str]]:
    """The ``(kind, source)`` cells of a jupytext percent script (kind: markdown or code), header left out."""
    lines = text.splitlines()
    if lines and lines[0] == "# ---":
        lines = lines[lines.index("# ---", 1) + 1:]
    out, kind, body = [], None, []
    for line in lines + ["# %%"]:
        if line.startswith("# %%"):
            if kind is not None and "".join(body).strip():
                out.append((kind, "\n".join(body).strip("\n")))
            kind, body = ("markdown" if "[markdown]" in line else "code"), []
        elif kind == "markdown":
            body.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
        elif kind is not None:
            body.append(line)
    return out


def render_tutorial(path: Path, run: bool = True) -> tuple[str, dict[str, bytes]]:
    """The Markdown page of a tutorial and its figures (file name -> PNG bytes), running its code when ``run``."""
    import matplotlib

    matplotlib.use("Agg")  # the build's own process: pyplot draws off screen
    import matplotlib.pyplot as plt

    parts = [f"*This page is [{path.name}]({path.name}) run from top to bottom; open it as a notebook "
             f"(see the [tutorials' page](README.md)) to change it and run it again.*\n"]
    figures: dict[str, bytes] = {}
    namespace = {"__name__": "__main__"}
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # whatever a tutorial writes lands here
        try:
            for i, (kind, source) in enumerate(cells(path.read_text())):
                if kind == "markdown":
                    parts.append(source + "\n")
                    if i == 0:
                        parts.insert(0, parts.pop())  # the title first
                    continue
                parts.append(f"```python\n{source}\n```\n")
                if not run:
                    continue
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed):
                    exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 (our own tutorials)
                if printed.getvalue().strip():
                    parts.append(f"```text\n{printed.getvalue().rstrip()}\n```\n")
                for num in plt.get_fignums():
                    name = f"figure-{len(figures) + 1:02d}.png"
                    buf = io.BytesIO()
                    plt.figure(num).savefig(buf, format="png", dpi=80, bbox_inches="tight")
                    figures[name] = buf.getvalue()
                    parts.append(f"![Figure {len(figures)}]({path.stem}/{name})\n")
                plt.close("all")
        finally:
            os.chdir(here)
            plt.close("all")
    return "\n".join(parts), figures


# -- reference pages ----------------------------------------------------------------------------------------------


def cli_page() -> str:
    """Every command's help, as ``bouche COMMAND --help`` prints it."""
    os.environ.setdefault("COLUMNS", "100")
    from sim import cli

    top = cli._parser(None)
    parts = ["# The command line\n", "Every command of `bouche`, as `bouche COMMAND --help` prints it. Bad input "
             "prints one line and exits with status 2.\n", f"```text\n{top.format_help()}```\n"]
    names = next(a for a in top._actions if a.dest == "command").choices
    for name in names:
        parser = next(a for a in cli._parser(name)._actions if a.dest == "command").choices[name]
        parts.append(f"## bouche {name}\n\n```text\n{parser.format_help()}```\n")
    return "\n".join(parts)


def parameters_page() -> str:
    """Every parameter of a scenario file, section by section, from the registry (``bouche show`` reads the same)."""
    from sim import config

    def row(key, p):
        default = "none" if p.default is None else f"`{p.default}`"
        read = f" (read by {p.used_by})" if p.used_by else ""
        return f"| `{key}` | {default} | {p.allowed()} | {p.help}{read} |"

    parts = ["# Scenario parameters\n",
             "Every key of a scenario file, with its default, what it allows and what it means; `bouche show "
             "SCENARIO` gives the same for one scenario with its own values, and `bouche schema` prints them "
             "as a JSON Schema ([how-to](../howto/schema.md)).\n"]
    sections: dict[str, list] = {}
    for key, p in config.PARAMS.items():
        sections.setdefault(key.split(".")[0], []).append(row(key, p))
    sections["media"] = [row(key, p) for key, p in config.MEDIUM_PARAMS.items()]
    for name, rows in sections.items():
        head = f"## [{name}]" if name != "media" else "## [[media]] (one table per medium)"
        parts.append(f"{head}\n\n| key | default | allowed | meaning |\n|---|---|---|---|\n" + "\n".join(rows) + "\n")
    return "\n".join(parts)
