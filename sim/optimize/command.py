"""The command ``bouche optimize --scenario NAME --budget B [--horizon T] [--objective ...]``."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from sim import config
from sim.errors import ConfigError
from sim.optimize.plans import STRATEGIES, check_channels
from sim.optimize.result import KIND, describe, write
from sim.optimize.search import OBJECTIVES, optimize
from sim.outputs import check_out

__all__ = ["add_arguments", "command"]


def add_arguments(p) -> None:
    """Arguments of ``bouche optimize``."""
    p.description = ("Split a budget between the scenario's media (steps on air at their cost per contact) and "
                     "seeding (seeds at seeding.cost_per_seed, placed at random, on the best-connected or on "
                     "friends of random people): every split on a grid, the same replicate seeds for each; the "
                     "best plans with 95 %% intervals and each channel's response curve.")
    p.add_argument("--scenario", required=True, help="a shipped scenario name or a .toml file")
    p.add_argument("--budget", type=float, required=True, help="the money to spend, in the scenario's cost units")
    p.add_argument("--horizon", type=int, help="steps after which adopters are counted (default: run.steps)")
    p.add_argument("--objective", default="adopters", help=f"{' or '.join(OBJECTIVES)} (default adopters)")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter of the scenario (repeatable)")
    p.add_argument("--replicates", type=int, default=20, help="paired replicates per plan (default 20)")
    p.add_argument("--grid", type=int, default=4, help="the budget is split in 1/GRID steps (default 4)")
    p.add_argument("--levels", type=int, default=5, help="spend levels of each response curve (default 5)")
    p.add_argument("--strategy", dest="strategies", action="append", default=[], metavar="NAME",
                   help=f"a seeding strategy to try (repeatable; default all of {', '.join(STRATEGIES)})")
    p.add_argument("--seed", type=int, help="root seed of the replicates (default: the scenario's)")
    p.add_argument("--workers", type=int, default=1, metavar="W",
                   help="processes that run the plans (default 1; the answer is the same for any W)")
    p.add_argument("--out", help="output folder (default: runs/SCENARIO-optimize)")
    p.add_argument("--no-plots", action="store_true", help="skip the figure")


def command(args) -> int:
    """Run ``bouche optimize``; bad input raises ConfigError (one line, exit status 2)."""
    if args.seed is not None and args.seed < 0:
        raise ConfigError("--seed", f"must be an integer >= 0; got {args.seed}")
    if not args.budget > 0 or args.budget == float("inf"):
        raise ConfigError("--budget", f"must be a number > 0; got {args.budget:g}")
    if args.objective not in OBJECTIVES:
        raise ConfigError("--objective", f"must be one of {', '.join(OBJECTIVES)}; got {args.objective!r}")
    if args.horizon is not None and args.horizon < 1:
        raise ConfigError("--horizon", f"must be an integer >= 1; got {args.horizon}")
    for key, value, least in (("--replicates", args.replicates, 2), ("--grid", args.grid, 1),
                              ("--levels", args.levels, 1)):
        if value < least:
            raise ConfigError(key, f"must be an integer >= {least}; got {value}")
    bad = [s for s in args.strategies if s not in STRATEGIES]
    if bad:
        raise ConfigError("--strategy", f"must be one of {', '.join(STRATEGIES)}; got {bad[0]!r}")
    overrides = dict(config.parse_assignment(text) for text in args.sets)
    spec = config.load(args.scenario, overrides=overrides, seed=args.seed)
    check_channels(spec)
    out = args.out or f"runs/{spec.name}-optimize"
    check_out(out, kind=KIND)  # before the runs: a refusal should not cost their time
    show = sys.stderr.isatty()

    def progress(done, total):
        if show:
            print(f"\r  plan {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    result = optimize(spec, budget=args.budget, horizon=args.horizon, objective=args.objective,
                      replicates=args.replicates, grid=args.grid, levels=args.levels,
                      strategies=args.strategies or STRATEGIES, progress=progress, workers=args.workers)
    line = "bouche " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["optimize"] else None
    write(result, out, plots=not args.no_plots, command=line)
    describe(result)
    files = sorted(p.name for p in Path(out).iterdir() if not p.name.startswith("."))
    print(f"  wrote {out}/ ({', '.join(files)})")
    return 0
