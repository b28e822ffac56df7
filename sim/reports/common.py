"""What the scenario reports share: the replicate count, the skip hint, a 95 % interval, saving a figure.

Package-internal helpers of :mod:`sim.reports`. Matplotlib (through
:mod:`sim.plots`) and :mod:`scipy.stats` are imported inside the helpers, when
a report draws a figure or computes an interval, not when the reports are imported.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

__all__ = ["REPLICATES", "SKIP", "_plt", "_t975", "_ci", "_save"]

REPLICATES = 20  # paired replicates of the comparisons in broadcast-vs-seeding and measurement
SKIP = "(or --set report='' to skip the report)"


def _plt():
    from sim.plots import plt

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
