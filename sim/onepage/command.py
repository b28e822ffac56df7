"""The command ``bouche report FOLDER``: one self-contained HTML page, and its PDF, for any output folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.errors import ConfigError
from sim.onepage.page import KIND, PAGES, write_page
from sim.outputs import check_out

__all__ = ["add_arguments", "command"]


def add_arguments(p) -> None:
    """Arguments of ``bouche report``."""
    p.description = ("One page for the boss: the question, the assumptions with units, the answer with its "
                     "confidence interval, the figure, how much the answer moves, and how to reproduce it, as "
                     "one self-contained HTML file and a PDF beside it (printed by a headless Chromium when one "
                     f"is installed). FOLDER: any of {', '.join(sorted(PAGES))}.")
    p.add_argument("folder", metavar="FOLDER", help="an output folder written by bouche")
    p.add_argument("--out", help="output folder for report.html and report.pdf (default: FOLDER-report)")
    p.add_argument("--replicates", type=int, default=None,
                   help="replicate seeds of the built-in sensitivity run (default: those of the folder's own "
                        "answer for a comparison, calibration or optimize folder, 4 for a run folder; 0: no run)")
    p.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=None,
                   help="print report.pdf with a headless Chromium (default: when one is found, else say so and "
                        "write the HTML alone; --pdf: required; --no-pdf: never)")


def command(args) -> int:
    """Run ``bouche report``; bad input raises ConfigError (one line, exit status 2)."""
    if args.replicates is not None and (args.replicates < 0 or args.replicates == 1):
        raise ConfigError("--replicates", f"must be 0 (no sensitivity run) or an integer >= 2; got {args.replicates}")
    folder = Path(args.folder)
    out = args.out or f"{str(folder).rstrip('/')}-report"
    check_out(out, kind=KIND)
    options = {} if args.replicates is None else {"replicates": args.replicates}
    written = write_page(folder, out, pdf=args.pdf, **options)
    files = " and ".join(f"{out}/{p.name}" for p in sorted(written.glob("report.*")))
    print(f"  wrote {files}")
    return 0
