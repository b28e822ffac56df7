"""The command ``bouche discover SWEEP_DIR --where EXPR``."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from sim.discovery.prim import KIND, discover, read_sweep
from sim.errors import ConfigError
from sim.outputs import check_out

__all__ = ["add_arguments", "command"]


def add_arguments(p) -> None:
    """Arguments of ``bouche discover``."""
    p.description = ("Scenario discovery on a stored sweep: in which region of the varied parameters does a "
                     "condition on the runs hold? PRIM boxes (coverage, density, the restricted parameters; "
                     "EMA Workbench) and feature scores, with the coverage-density trade-off figure.")
    p.add_argument("sweep", metavar="SWEEP_DIR", help="a folder written by bouche sweep")
    p.add_argument("--where", required=True, metavar="EXPR",
                   help="the runs of interest: a true/false expression over the runs' columns, e.g. "
                        "'final_fraction >= 0.5' (names with dots in backquotes: '`wom.q` > 0.3')")
    p.add_argument("--min-coverage", type=float, default=0.5,
                   help="report the densest box with at least this coverage (default 0.5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the feature scoring's trees (default 0)")
    p.add_argument("--out", help="output folder (default: SWEEP_DIR-discover)")
    p.add_argument("--no-plots", action="store_true", help="skip the figure")


def command(args) -> int:
    """Run ``bouche discover``; bad input raises ConfigError (one line, exit status 2)."""
    if not 0 < args.min_coverage <= 1:
        raise ConfigError("--min-coverage", f"must be a number in (0, 1]; got {args.min_coverage:g}")
    if args.seed < 0:
        raise ConfigError("--seed", f"must be an integer >= 0; got {args.seed}")
    read_sweep(args.sweep)
    out = args.out or f"{str(Path(args.sweep)).rstrip('/')}-discover"
    check_out(out, kind=KIND)
    result = discover(args.sweep, args.where, min_coverage=args.min_coverage, seed=args.seed)
    line = "bouche " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["discover"] else None
    result.write(out, plots=not args.no_plots, command=line)
    result.describe()
    files = sorted(p.name for p in Path(out).iterdir() if not p.name.startswith("."))
    print(f"  wrote {out}/ ({', '.join(files)})")
    return 0
