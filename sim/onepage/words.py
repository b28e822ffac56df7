"""Numbers and values in words for a page: thousands separated, periods without separators, intervals.

Examples
--------
>>> num(12345.6), num(0.034567), num(None)
('12,346', '0.0346', 'n/a')
>>> period(1972.0), ci_text(3.0, 1.25, 4.75)
('1972', '3 (95 % CI 1.25 to 4.75)')
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["num", "period", "value", "time_unit", "plural", "listed", "duration", "mean_ci", "ci_text", "share"]


def num(x, digits: int = 3) -> str:
    """A number for people: thousands separated, three significant digits below 100."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    x = float(x)
    if not math.isfinite(x):
        return "n/a"
    if abs(x) >= 100 or x.is_integer():
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def period(x) -> str:
    """A period's label (a year, a month number): no thousands separator."""
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    return f"{float(x):.0f}" if abs(float(x) - round(float(x))) < 0.05 else f"{float(x):.1f}"


def value(x) -> str:
    """A parameter's value in words: yes/no, none, a long list by its length."""
    if isinstance(x, list) and len(x) > 6:
        return f"{len(x)} values"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return num(x)
    return "none" if x is None else str(x)


def time_unit(spec) -> str:
    """The scenario's ``run.time_unit`` (``step`` when unset)."""
    return spec.values.get("run.time_unit", "step") or "step"


def plural(unit: str, x) -> str:
    """``3 weeks``, ``1 week``.

    Examples
    --------
    >>> plural("month", 12), plural("month", 1)
    ('12 months', '1 month')
    """
    return f"{num(x)} {unit}" + ("" if x is not None and float(x) == 1 else "s")


def listed(words: list[str]) -> str:
    """``a, b and c``.

    Examples
    --------
    >>> listed(["wom.q"]), listed(["a", "b", "c"])
    ('wom.q', 'a, b and c')
    """
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def duration(spec, steps) -> str:
    """``12 months`` for 12 steps of a scenario whose ``run.time_unit`` is a month (``run.dt`` counted)."""
    return plural(time_unit(spec), steps * spec.values.get("run.dt", 1.0))


def mean_ci(values) -> tuple[float, float, float]:
    """Mean and 95 % t interval of the finite values (NaN bounds with fewer than two)."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return math.nan, math.nan, math.nan
    m = float(values.mean())
    if len(values) < 2:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)))
    return m, m - half, m + half


def ci_text(m, lo, hi, what: str = "95 % CI") -> str:
    """``3 (95 % CI 1.25 to 4.75)``."""
    return f"{num(m)} ({what} {num(lo)} to {num(hi)})"


def share(x) -> str:
    """A share as a percentage: ``62 %``.

    Examples
    --------
    >>> share(0.6234), share(1.0)
    ('62 %', '100 %')
    """
    return "n/a" if x is None or not math.isfinite(float(x)) else f"{100 * float(x):.0f} %"
