"""The command ``bouche fit DATA.csv``: the Bass model fitted to a series, a forecast and the fit folder."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from sim.errors import ConfigError
from sim.fitting import bass
from sim.fitting.data import shipped_names
from sim.fitting.result import KIND, fit
from sim.outputs import check_out

__all__ = ["add_arguments", "command"]


def add_arguments(p) -> None:
    """Arguments of ``bouche fit``."""
    p.description = ("Fit the Bass model (m, p, q) to new adoptions per period by three estimators (ols, nls, "
                     "interval), with standard errors, 95 % intervals, the peak and a forecast with a "
                     "prediction band. DATA: a CSV file with a column adopters or sales (or --column) and "
                     f"optionally a period column; or a shipped series ({', '.join(shipped_names())}).")
    p.add_argument("data", metavar="DATA", help="a CSV file, one row per period")
    p.add_argument("--column", help="the column of new adoptions (default: adopters or sales)")
    p.add_argument("--cumulative", action="store_true", help="the column counts cumulative adoptions")
    p.add_argument("--horizon", type=int, default=5, help="periods to forecast after the data (default 5)")
    p.add_argument("--method", default=bass.DEFAULT, help="the default estimator, drawn with its band: "
                                                          "ols, nls or interval (default)")
    p.add_argument("--time-unit", help="the unit of a period, used in the figure and table (default: the "
                                       "period column's name, e.g. year)")
    p.add_argument("--out", help="output folder (default: runs/NAME-fit)")
    p.add_argument("--no-plots", action="store_true", help="skip the figure")


def command(args) -> int:
    """Run ``bouche fit``; bad input raises ConfigError (one line, exit status 2)."""
    if args.horizon < 0:
        raise ConfigError("--horizon", f"must be an integer >= 0; got {args.horizon}")
    if args.method not in bass.METHODS:
        raise ConfigError("--method", f"must be one of {', '.join(bass.METHODS)}; got {args.method!r}")
    out = args.out or f"runs/{Path(args.data).stem}-fit"
    check_out(out, kind=KIND)
    result = fit(args.data, column=args.column, cumulative=args.cumulative, horizon=args.horizon,
                 time_unit=args.time_unit, method=args.method)
    line = "bouche " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["fit"] else None
    result.write(out, plots=not args.no_plots, command=line)
    result.describe()
    files = sorted(p.name for p in Path(out).iterdir() if not p.name.startswith("."))
    print(f"  wrote {out}/ ({', '.join(files)})")
    return 0
