"""What the scenario reports share: the replicate count, the skip hint, a 95 % interval, saving a figure.

Package-internal helpers of :mod:`sim.reports`. Matplotlib (through
:mod:`sim.figures.canvas`) and :mod:`scipy.stats` are imported inside the helpers, when
a report draws a figure or computes an interval, not when the reports are imported.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np

from sim.errors import ConfigError

__all__ = ["REPLICATES", "REPORT_MAX_N", "SKIP", "_t975", "_ci", "_save", "announce", "report_size"]

REPLICATES = 20  # paired replicates of the comparisons in broadcast-vs-seeding and measurement
SKIP = "(or --set report='' to skip the report)"
# People in the extra runs of a report on a network it builds anew: the runs of a larger run's report keep
# their shape at this size (shares, thresholds, mean degree) rather than take minutes (the bandwagon
# report runs 170 of them).
REPORT_MAX_N = 20_000
log = logging.getLogger("sim.reports")  # bouche run prints its INFO lines: what each report runs


def announce(report: str, what: str) -> None:
    """Say what a report is about to run (logger ``sim.reports``, INFO), and how to skip it."""
    log.info("%s report: %s (--set report='' skips it)", report, what)


def report_size(spec, n: int) -> tuple[dict, str]:
    """``(overrides, note)`` for a report's extra runs of ``spec``, whose own run had ``n`` people.

    A network the scenario builds (``network.n`` sets its size) is capped at
    :data:`REPORT_MAX_N` people; a file's network, or a graph given in Python,
    is run as it is. ``note`` says which, for the figure.

    Examples
    --------
    >>> from sim import config
    >>> report_size(config.load("bandwagon", overrides={"network.n": 10**6}), 10**6)
    ({'network.n': 20000}, '20,000 people (the run had 1,000,000)')
    >>> report_size(config.load("bandwagon"), 10_000)
    ({}, '10,000 people')
    """
    from sim import config

    if config.reads("network.n", spec.values, spec.model) and n > REPORT_MAX_N:
        return {"network.n": REPORT_MAX_N}, f"{REPORT_MAX_N:,} people (the run had {n:,})"
    return {}, f"{n:,} people"


def uses_rule(spec, rule_class) -> bool:
    """Whether the scenario's word-of-mouth rule is ``rule_class`` or a rule built on it (a subclass)."""
    from sim import rules

    return spec.model in ("adoption", "platform") and issubclass(rules.get(spec.get("wom.rule")), rule_class)


def require_rule(spec, rule_class, report: str, why: str) -> None:
    """One ConfigError line unless the scenario's rule is ``rule_class`` (or built on it)."""
    if not uses_rule(spec, rule_class):
        raise ConfigError("wom.rule", f"must be {rule_class.name} for the {report} report (or a rule built on it: "
                                      f"{why}) {SKIP}; got {spec.get('wom.rule')!r}")


def _t975(df):
    from scipy import stats

    return stats.t.ppf(0.975, df)


def _ci(values) -> tuple[float, float, float, int]:
    """Mean and 95 % t interval of the non-NaN values (NaN interval under two values)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(x.mean())
    if len(x) < 2:
        return m, math.nan, math.nan, 1
    half = float(_t975(len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return m, m - half, m + half, len(x)


def _save(fig, path: Path) -> Path:
    from sim.figures.canvas import save

    return save(fig, path)
