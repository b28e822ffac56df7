"""Command line of the benchmarks: ``python -m benchmarks [SUITE ...] [--quick]``."""

from __future__ import annotations

import argparse
import sys

from benchmarks import SUITES

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the chosen suites (all by default); returns 0, or 1 if a run failed a correctness check."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("suites", nargs="*", metavar="SUITE",
                        help=f"suites to run: {', '.join(SUITES)} (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes (n = 10^5 and 2,000) for a smoke run")
    parser.add_argument("--repeats", type=int, default=None,
                        help="repeats per timed case (median reported; default 3)")
    parser.add_argument("--seed", type=int, default=42, help="root seed of the benchmark models")
    parser.add_argument("--no-json", action="store_true",
                        help="do not write benchmarks/results/<suite>-<time>.json")
    parser.add_argument("--size", type=float, default=None, help="country: people (default 6.8e7; --quick 1e6)")
    parser.add_argument("--family", action="append", default=None, choices=("erdos_renyi", "communities"),
                        help="country: graph families (repeatable; default both)")
    parser.add_argument("--workload", action="append", default=None, choices=("threshold", "bass"),
                        help="country: workloads (repeatable; default both)")
    parser.add_argument("--sweep", action="store_true", help="country: also a 2-worker sweep on the stored graph")
    parser.add_argument("--us", action="store_true", help="country: also n = 3.35e8 (the United States)")
    parser.add_argument("--dir", default=None, help="country: keep the graph files and runs in this folder")
    args = parser.parse_args(argv)
    unknown = [s for s in args.suites if s not in SUITES]
    if unknown:
        parser.error(f"unknown suite {unknown[0]!r}; choose from {', '.join(SUITES)}")
    status = 0
    for suite in args.suites or SUITES:
        if suite == "core":
            from benchmarks import core

            status |= core.main(quick=args.quick, repeats=args.repeats, seed=args.seed,
                                write_json=not args.no_json)
        elif suite == "scale":
            from benchmarks import scale

            status |= scale.main(quick=args.quick, repeats=args.repeats, seed=args.seed,
                                 write_json=not args.no_json)
        elif suite == "sweep":
            from benchmarks import sweep

            status |= sweep.main(quick=args.quick, repeats=args.repeats, seed=args.seed,
                                 write_json=not args.no_json)
        elif suite == "classroom":
            from benchmarks import classroom

            status |= classroom.main(quick=args.quick, repeats=args.repeats, seed=args.seed,
                                     write_json=not args.no_json)
        elif suite == "extending":
            from benchmarks import extending

            status |= extending.main(quick=args.quick, repeats=args.repeats, seed=args.seed,
                                     write_json=not args.no_json)
        elif suite == "opinions":
            from benchmarks import opinions

            status |= opinions.main(quick=args.quick, repeats=args.repeats, seed=args.seed,
                                    write_json=not args.no_json)
        elif suite == "country":
            from benchmarks import country

            status |= country.main(quick=args.quick, seed=args.seed, write_json=not args.no_json,
                                   size=int(args.size) if args.size else None,
                                   families=tuple(args.family or country.FAMILIES), sweep=args.sweep, us=args.us,
                                   folder=args.dir, workloads=tuple(args.workload or country.WORKLOADS))
        elif suite == "partition":
            from benchmarks import partition

            status |= partition.main(quick=args.quick, repeats=args.repeats, seed=args.seed,
                                     write_json=not args.no_json)
    return status


if __name__ == "__main__":
    sys.exit(main())
