"""Benchmarks that print figures and ratios (not timed tests).

Run from the repository root::

    python -m benchmarks            # every suite
    python -m benchmarks core       # only the core suite
    python -m benchmarks --quick    # small sizes, a smoke run

Each suite prints a table of measured figures, the ratios between them
(measured in the same run, on the same machine) and PASS/MISS against the
targets of the issues that set them. Peak memory is measured in a fresh
subprocess per case, so each case's peak is its own.
"""

__all__ = ["SUITES"]

SUITES = ("core", "scale", "sweep", "classroom", "extending", "opinions", "partition", "country")
