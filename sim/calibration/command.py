"""The command ``bouche calibrate DATA.csv --scenario NAME --free KEY=LOW:HIGH ...``."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from sim import config
from sim.calibration.result import KIND, calibrate
from sim.calibration.search import SCALES, SEARCHES, UNCERTAINTIES, check_free, parse_free
from sim.errors import ConfigError
from sim.outputs import check_out

__all__ = ["add_arguments", "command"]


def add_arguments(p) -> None:
    """Arguments of ``bouche calibrate``."""
    p.description = ("Fit a scenario's free parameters to new adoptions per period by simulation: every "
                     "candidate runs the same replicate seeds (common random numbers), and the squared error "
                     "between the data and the replicates' mean is minimised. Writes the estimates with "
                     "standard errors and 95 %% intervals, the calibrated scenario (scenario.toml) and a "
                     "figure of the fitted runs with a forecast.")
    p.add_argument("data", metavar="DATA", help="a CSV file, one row per period (as bouche fit reads it)")
    p.add_argument("--scenario", required=True, help="a shipped scenario name or a .toml file")
    p.add_argument("--free", action="append", default=[], metavar="KEY=LOW:HIGH",
                   help="a parameter to fit and its range, e.g. --free wom.q=0.1:0.8 (repeatable)")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override a fixed parameter of the scenario (repeatable)")
    p.add_argument("--replicates", type=int, default=8, help="replicates per candidate (default 8)")
    p.add_argument("--seed", type=int, help="root seed of the replicates (default: the scenario's)")
    p.add_argument("--scale", default="fit", help="fit (default): the people per simulated person are "
                                                  "fitted; bass: m / n with m from the Bass fit of the data")
    p.add_argument("--search", default="grid", help=f"{', '.join(SEARCHES)} (default grid: a coarse grid, "
                                                    "then Nelder-Mead)")
    p.add_argument("--grid", type=int, default=5, help="grid points per free parameter (default 5)")
    p.add_argument("--errors", default="bootstrap", help="bootstrap (default: refits of data sets drawn from "
                                                         "the calibrated model) or gauss-newton (fast, too narrow)")
    p.add_argument("--bootstrap", type=int, default=30, help="bootstrap data sets (default 30)")
    p.add_argument("--horizon", type=int, default=5, help="periods to forecast after the data (default 5)")
    p.add_argument("--column", help="the column of new adoptions (default: adopters or sales)")
    p.add_argument("--cumulative", action="store_true", help="the column counts cumulative adoptions")
    p.add_argument("--time-unit", help="the unit of a period (default: the period column's name)")
    p.add_argument("--out", help="output folder (default: runs/DATA-calibrate)")
    p.add_argument("--no-plots", action="store_true", help="skip the figure")


def command(args) -> int:
    """Run ``bouche calibrate``; bad input raises ConfigError (one line, exit status 2)."""
    if args.seed is not None and args.seed < 0:
        raise ConfigError("--seed", f"must be an integer >= 0; got {args.seed}")
    if args.scale not in SCALES:
        raise ConfigError("--scale", f"must be one of {', '.join(SCALES)}; got {args.scale!r}")
    if args.search not in SEARCHES:
        raise ConfigError("--search", f"must be one of {', '.join(SEARCHES)}; got {args.search!r}")
    if args.errors not in UNCERTAINTIES:
        raise ConfigError("--errors", f"must be one of {', '.join(UNCERTAINTIES)}; got {args.errors!r}")
    for key, value, least in (("--replicates", args.replicates, 2), ("--horizon", args.horizon, 0),
                              ("--grid", args.grid, 2), ("--bootstrap", args.bootstrap, 2)):
        if value < least:
            raise ConfigError(key, f"must be an integer >= {least}; got {value}")
    overrides = dict(config.parse_assignment(text) for text in args.sets)
    spec = config.load(args.scenario, overrides=overrides, seed=args.seed)
    free = [parse_free(f) for f in args.free]
    check_free(spec, free)  # before any run: a refusal should not cost their time
    out = args.out or f"runs/{Path(args.data).stem}-calibrate"
    check_out(out, kind=KIND)
    result = calibrate(args.data, spec, free, replicates=args.replicates, scale=args.scale, method=args.search,
                       grid=args.grid, horizon=args.horizon, column=args.column, cumulative=args.cumulative,
                       time_unit=args.time_unit, errors=args.errors, n_boot=args.bootstrap)
    line = ("bouche " + " ".join(shlex.quote(a) for a in sys.argv[1:])
            if sys.argv[1:2] == ["calibrate"] else None)
    result.write(out, plots=not args.no_plots, command=line)
    result.describe()
    files = sorted(p.name for p in Path(out).iterdir() if not p.name.startswith("."))
    print(f"  wrote {out}/ ({', '.join(files)})")
    return 0
