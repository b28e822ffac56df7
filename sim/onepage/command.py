"""The command ``bouche report FOLDER``: one self-contained HTML page for a run, comparison, sweep or fit."""

from __future__ import annotations

from pathlib import Path

from sim.errors import ConfigError
from sim.onepage.page import KIND, PAGES, write_page
from sim.outputs import check_out

__all__ = ["add_arguments", "command"]


def add_arguments(p) -> None:
    """Arguments of ``bouche report``."""
    p.description = ("One page for the boss: the question, the assumptions with units, the answer with its "
                     "confidence interval, the figure, how much the answer moves, and how to reproduce it, as "
                     f"one self-contained HTML file. FOLDER: any of {', '.join(sorted(PAGES))}.")
    p.add_argument("folder", metavar="FOLDER", help="an output folder written by bouche")
    p.add_argument("--out", help="output folder for report.html (default: FOLDER-report)")
    p.add_argument("--replicates", type=int, default=4,
                   help="replicates of the built-in sensitivity run of a run folder (default 4; 0: none)")


def command(args) -> int:
    """Run ``bouche report``; bad input raises ConfigError (one line, exit status 2)."""
    if args.replicates < 0 or args.replicates == 1:
        raise ConfigError("--replicates", f"must be 0 (no sensitivity run) or an integer >= 2; got {args.replicates}")
    folder = Path(args.folder)
    out = args.out or f"{str(folder).rstrip('/')}-report"
    check_out(out, kind=KIND)
    from sim.outputs import read_marker

    options = {"replicates": args.replicates} if (read_marker(folder) or {}).get("bouche") == "run folder" else {}
    write_page(folder, out, **options)
    print(f"  wrote {out}/report.html")
    return 0
