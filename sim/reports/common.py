"""What the scenario reports share: the replicate count, the skip hint, a 95 % interval, saving a figure.

Package-internal helpers of :mod:`sim.reports`. Matplotlib (through
:mod:`sim.figures.adoption`) and :mod:`scipy.stats` are imported inside the helpers, when
a report draws a figure or computes an interval, not when the reports are imported.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sim.errors import ConfigError

__all__ = ["REPLICATES", "SKIP", "_plt", "_t975", "_ci", "_save"]

REPLICATES = 20  # paired replicates of the comparisons in broadcast-vs-seeding and measurement
SKIP = "(or --set report='' to skip the report)"


def uses_rule(spec, rule_class) -> bool:
    """Whether the scenario's word-of-mouth rule is ``rule_class`` or a rule built on it (a subclass)."""
    from sim import rules

    return spec.model in ("adoption", "platform") and issubclass(rules.get(spec.get("wom.rule")), rule_class)


def require_rule(spec, rule_class, report: str, why: str) -> None:
    """One ConfigError line unless the scenario's rule is ``rule_class`` (or built on it)."""
    if not uses_rule(spec, rule_class):
        raise ConfigError("wom.rule", f"must be {rule_class.name} for the {report} report (or a rule built on it: "
                                      f"{why}) {SKIP}; got {spec.get('wom.rule')!r}")


def _plt():
    from sim.figures.adoption import plt

    return plt


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
    fig.savefig(path, dpi=110)
    _plt().close(fig)
    return path
