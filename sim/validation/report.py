"""The validation report: ``validation.md``, ``validation.html`` and ``validation.json`` from the checks' records.

Each check's reference, setting, expected and simulated values, uncertainty,
tolerance, result and figure, under a header with the mode, the command, the
machine and the versions.
"""

from __future__ import annotations

import html
import json
import os
import platform
from dataclasses import asdict
from pathlib import Path

from sim.validation.registry import Check

__all__ = ["INTRO", "write_report"]


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _header(checks: list[Check], quick: bool, seconds: float) -> dict:
    from sim.runs import versions

    v = versions()
    n_ok = sum(c.passed for c in checks)
    return {
        "mode": "quick" if quick else "full", "passed": n_ok, "checks": len(checks), "seconds": round(seconds, 1),
        "command": "bouche validate" + (" --quick" if quick else ""),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "versions": ", ".join(f"{k} {v[k]}" for k in v if v[k]),
    }


INTRO = ("Bouche reproduces published diffusion results with the engine itself (`sim.run` with overrides), "
         "and compares each with its analytic or published value (`sim.analytic`). Each check states its "
         "reference, setting, expected value, simulated value with its standard error (SE), tolerance and result. "
         "Seeds are fixed: the same command gives the same numbers. Tolerances are about 2.5 SE; a check that "
         "tests m values at once allows z_m SE each (Bonferroni), so a correct engine fails a check about once "
         "in 80.")


def write_report(checks: list[Check], folder: str | Path, quick: bool, seconds: float) -> list[Path]:
    """Write ``validation.md``, ``validation.html`` and ``validation.json`` into ``folder``."""
    folder = Path(folder)
    h = _header(checks, quick, seconds)
    status = lambda c: "pass" if c.passed else "**FAIL**"  # noqa: E731
    lines = ["# Validation report", "", INTRO, "",
             f"**{h['passed']} of {h['checks']} checks passed** ({h['mode']} run: `{h['command']}`, "
             f"{h['seconds']:.0f} s on {h['machine']}; {h['versions']}).", "",
             "| check | expected | simulated | uncertainty | result |", "|---|---|---|---|---|"]
    for c in checks:
        lines.append(f"| [{_md(c.title)}](#{c.name.replace('_', '-')}) | {_md(c.expected)} | {_md(c.simulated)} | "
                     f"{_md(c.uncertainty)} | {status(c)} |")
    for c in checks:
        lines += ["", f'<a id="{c.name.replace("_", "-")}"></a>', "", f"## {c.title}", "",
                  f"- **Reference:** {c.reference}", f"- **Setting:** {c.setting}",
                  f"- **Expected:** {c.expected}", f"- **Simulated:** {c.simulated}",
                  f"- **Uncertainty:** {c.uncertainty}", f"- **Tolerance:** {c.tolerance}",
                  f"- **Result:** {'pass' if c.passed else '**FAIL**'} ({c.seconds:.1f} s; check `{c.name}`)"]
        if c.figure:
            lines += ["", f"![{c.title}]({c.figure})"]
    md = folder / "validation.md"
    md.write_text("\n".join(lines) + "\n")

    e = html.escape
    rows = "".join(f"<tr><td><a href=\"#{e(c.name)}\">{e(c.title)}</a></td><td>{e(c.expected)}</td>"
                   f"<td>{e(c.simulated)}</td><td>{e(c.uncertainty)}</td>"
                   f"<td class=\"{'ok' if c.passed else 'bad'}\">{'pass' if c.passed else 'FAIL'}</td></tr>"
                   for c in checks)
    sections = []
    for c in checks:
        items = "".join(f"<li><b>{k}:</b> {e(v)}</li>" for k, v in (
            ("Reference", c.reference), ("Setting", c.setting), ("Expected", c.expected),
            ("Simulated", c.simulated), ("Uncertainty", c.uncertainty), ("Tolerance", c.tolerance)))
        result = f"<li><b>Result:</b> <span class=\"{'ok' if c.passed else 'bad'}\">" \
                 f"{'pass' if c.passed else 'FAIL'}</span> ({c.seconds:.1f} s)</li>"
        img = f'<p><img src="{e(c.figure)}" alt="{e(c.title)}" style="max-width:100%"></p>' if c.figure else ""
        sections.append(f'<h2 id="{e(c.name)}">{e(c.title)}</h2><ul>{items}{result}</ul>{img}')
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bouche validation report</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.4}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;"
        "font-size:90%}.ok{color:#1a7f37;font-weight:bold}.bad{color:#cf222e;font-weight:bold}</style></head><body>"
        f"<h1>Validation report</h1><p>{e(INTRO)}</p>"
        f"<p><b>{h['passed']} of {h['checks']} checks passed</b> ({h['mode']} run: <code>{e(h['command'])}</code>, "
        f"{h['seconds']:.0f} s on {e(h['machine'])}; {e(h['versions'])}).</p>"
        "<table><tr><th>check</th><th>expected</th><th>simulated</th><th>uncertainty</th><th>result</th></tr>"
        f"{rows}</table>{''.join(sections)}</body></html>\n")
    page_path = folder / "validation.html"
    page_path.write_text(page)
    js = folder / "validation.json"
    js.write_text(json.dumps({**h, "results": [asdict(c) for c in checks]}, indent=2, default=_json_default) + "\n")
    return [md, page_path, js]


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
