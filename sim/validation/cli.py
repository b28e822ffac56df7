"""``bouche validate``: run the checks and write the report folder atomically.

:func:`validate` is the whole run; :func:`add_arguments` and :func:`command`
plug it into the command line (``sim.cli`` finds them on :mod:`sim.validation`).
"""

from __future__ import annotations

import time
from pathlib import Path

from sim.validation.registry import CHECKS, FIGURES, Check, run_checks
from sim.validation.report import write_report

__all__ = ["validate", "add_arguments", "command"]


def validate(out: str | Path, quick: bool = False, names=None, progress=None, report=None) -> list[Check]:
    """Run the checks and write the report folder atomically (temporary folder, then rename).

    The folder holds ``validation.md``, ``validation.html``, ``validation.json``
    and the figures in ``validation/``; copying its content into ``docs/`` keeps
    the links working. ``progress`` and ``report``: see :func:`~sim.validation.registry.run_checks`.
    """
    from sim.outputs import atomic_folder

    with atomic_folder(out, kind="validation report") as tmp:
        t0 = time.perf_counter()
        checks = run_checks(tmp / FIGURES, quick=quick, names=names, progress=progress, report=report)
        write_report(checks, tmp, quick, time.perf_counter() - t0)
    return checks


def add_arguments(parser) -> None:
    """Arguments of ``bouche validate``."""
    parser.add_argument("--quick", action="store_true",
                        help="fewer runs and settings (about a minute); the full report takes a few minutes")
    parser.add_argument("--out", default="runs/validation",
                        help="report folder (default: runs/validation): validation.md, .html, .json, figures")
    parser.add_argument("--check", dest="checks", action="append", default=[], metavar="NAME",
                        help=f"run only this check (repeatable): {', '.join(CHECKS)}")


def command(args) -> int:
    """``bouche validate``: 0 if every check passed, 1 if any failed (the report is written either way)."""
    from sim.errors import ConfigError

    for name in args.checks:
        if name not in CHECKS:
            raise ConfigError("--check", f"must be one of {', '.join(CHECKS)}; got {name!r}")

    def report(c: Check) -> None:  # above the progress bar, which tqdm redraws below
        from tqdm.auto import tqdm

        tqdm.write(f"  {'pass' if c.passed else 'FAIL'}  {c.name:<22} {c.seconds:6.1f} s  {c.simulated}")

    from sim.outputs import check_out

    check_out(args.out, kind="validation report")  # before the checks: a refusal should not cost their time
    print(f"bouche validate{' --quick' if args.quick else ''}: {len(args.checks or CHECKS)} checks", flush=True)
    checks = validate(args.out, quick=args.quick, names=args.checks or None, report=report)
    n_ok = sum(c.passed for c in checks)
    print(f"{n_ok} of {len(checks)} checks passed; report in {args.out}/validation.md (and .html)")
    return 0 if n_ok == len(checks) else 1
