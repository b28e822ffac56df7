"""The page itself: a :class:`Page` record, the registry of folder kinds, and the HTML it renders to."""

from __future__ import annotations

import base64
import html
import importlib
import inspect
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sim.errors import ConfigError
from sim.outputs import atomic_folder, read_marker

__all__ = ["PAGES", "Page", "KIND", "build", "render", "write_page"]

KIND = "report page"
# Kind of output folder (its marker's "bouche") -> "module:function" that reads one into a Page.
PAGES: dict[str, str] = {
    "run folder": "sim.onepage.kinds:run_page",
    "comparison folder": "sim.onepage.kinds:comparison_page",
    "stored sweep": "sim.onepage.kinds:sweep_page",
    "fit folder": "sim.onepage.kinds:fit_page",
    "calibration folder": "sim.onepage.calibration_page:calibration_page",
    "optimize folder": "sim.onepage.optimize_page:optimize_page",
    "discovery folder": "sim.onepage.discovery_page:discovery_page",
}


@dataclass
class Page:
    """What one page says, in plain words; every number with its unit."""

    title: str
    question: str
    answer: str
    assumptions: list[tuple[str, str]] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)  # first row: the header
    sensitivity: str = ""
    sensitivity_table: list[list[str]] = field(default_factory=list)
    more: list[tuple[str, list[list[str]]]] = field(default_factory=list)  # (caption, table) after those
    command: str = ""
    seed: str = ""
    versions: dict = field(default_factory=dict)
    source: str = ""


def reader(folder):
    """The function that reads ``folder`` into a :class:`Page` (by its marker's kind); ConfigError for a folder
    of no registered kind."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError("FOLDER", f"must be an output folder written by bouche; got {str(folder)!r}, which "
                                    f"{'is a file' if folder.exists() else 'does not exist'}")
    marker = read_marker(folder)
    if marker is None:
        raise ConfigError("FOLDER", f"must be an output folder written by bouche (with its .bouche.json marker); "
                                    f"got {str(folder)!r}, which has none")
    kind = marker["bouche"]
    if kind not in PAGES:
        raise ConfigError("FOLDER", f"must be one of: {', '.join(sorted(PAGES))}; got a {kind} ({str(folder)!r})")
    module, name = PAGES[kind].split(":")
    return getattr(importlib.import_module(module), name)


def build(folder, **options) -> Page:
    """Read an output folder of any registered kind into a :class:`Page`; ConfigError for anything else.

    ``options`` (``replicates=``: the built-in sensitivity run) go to the kinds whose reader takes them.
    """
    read = reader(folder)
    accepted = inspect.signature(read).parameters
    return read(Path(folder), **{k: v for k, v in options.items() if k in accepted})


def _table(rows: list[list[str]], cls: str = "") -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows[1:])
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _image(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<figure><img alt="{html.escape(Path(path).stem)}" src="data:image/png;base64,{data}"></figure>'


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:980px;margin:24px auto;
padding:0 18px;color:#1d1d1f;line-height:1.45}
h1{font-size:1.55em;margin-bottom:.2em}h2{font-size:1.1em;margin:1.3em 0 .4em;color:#333;
border-bottom:1px solid #ddd;padding-bottom:.15em}
.question{font-size:1.15em;color:#444}.answer{font-size:1.2em;background:#eef5fb;border-left:5px solid #2b83ba;
padding:.6em .9em}
table{border-collapse:collapse;font-size:.92em;margin:.4em 0}td,th{border:1px solid #ddd;padding:3px 8px;
text-align:left}th{background:#f4f4f4}td:not(:first-child){font-variant-numeric:tabular-nums}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:.3em 0}dt{color:#555}dd{margin:0}
figure{margin:.6em 0}img{max-width:100%}.caption{margin:.9em 0 .2em}
.repro{font-size:.85em;color:#555}code{background:#f4f4f4;padding:1px 4px;border-radius:3px;word-break:break-all}
@page{size:A4;margin:12mm}
@media print{body{margin:0;max-width:none;padding:0;font-size:10pt}.answer{break-inside:avoid}
figure,tr{break-inside:avoid}h2{break-after:avoid}img{max-height:240mm}table{font-size:8.5pt}
.answer,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def render(page: Page) -> str:
    """The page as one self-contained HTML document (figures embedded)."""
    esc = html.escape
    assumptions = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in page.assumptions)
    versions = ", ".join(f"{k} {v}" for k, v in page.versions.items())
    more = "".join(f'<p class="caption">{esc(caption)}</p>{_table(rows, "more")}' for caption, rows in page.more)
    parts = [
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(page.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(page.title)}</h1>",
        f'<p class="question"><strong>The question.</strong> {esc(page.question)}</p>',
        f'<h2>The answer</h2><p class="answer" id="answer">{esc(page.answer)}</p>',
        _table(page.table, "results"),
        "".join(_image(p) for p in page.figures),
        f"<h2>Assumptions</h2><dl>{assumptions}</dl>",
        f'<h2>How much the answer moves</h2><p id="sensitivity">{esc(page.sensitivity)}</p>',
        _table(page.sensitivity_table, "sensitivity"), more,
        '<h2>Reproduce it</h2><div class="repro">',
        f"<p>Command: <code>{esc(page.command or 'not recorded')}</code></p>",
        f"<p>Seed: {esc(page.seed or 'none (no randomness)')}. From: {esc(page.source)}</p>",
        f"<p>Versions: {esc(versions)}</p></div>",
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def write_page(folder, out, pdf: bool | None = None, **options) -> Path:
    """Build the page of ``folder`` and write it as ``out/report.html`` (a ``report page`` folder), with
    ``report.pdf`` beside it printed by a headless Chromium (:mod:`sim.onepage.pdf`).

    ``pdf``: None (default) prints the PDF when a browser is found and says in one
    line when none is; True requires it (ConfigError without a browser, or when
    printing fails); False writes the HTML alone. Both files are written into a
    temporary folder that replaces ``out`` when complete (:func:`sim.outputs.atomic_folder`).
    """
    from sim.onepage import pdf as printer

    exe = printer.require() if pdf else (printer.browser() if pdf is None else None)
    page = build(folder, **options)
    with atomic_folder(out, kind=KIND) as tmp:
        (tmp / "report.html").write_text(render(page), encoding="utf-8")
        if exe is not None:
            try:
                printer.print_pdf(tmp / "report.html", tmp / "report.pdf", exe)
            except ConfigError as exc:
                if pdf:
                    raise
                logging.getLogger(__name__).warning("no PDF: %s; wrote the HTML page alone", exc)
        elif pdf is None:
            logging.getLogger(__name__).warning("no PDF: %s; wrote the HTML page alone", printer.NO_BROWSER)
    return Path(out)
