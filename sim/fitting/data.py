"""Reading an adoption series: one row per period, new adoptions (or cumulative counts) in a column.

A CSV file with a header; lines starting with ``#`` are comments (the shipped
series say their source there). The adoptions column is ``--column NAME`` or
the first of ``adopters``, ``sales``, ``new_adopters``; an optional period
column (``period``, ``year``, ``quarter``, ``month``, ``week``, ``day``) labels
the rows and must be numeric, increasing in equal steps. Every problem raises
:class:`~sim.errors.ConfigError` naming the file.

Examples
--------
>>> s = read_series(shipped_series("room_air_conditioners"))
>>> s.sales[:3].tolist(), s.periods[:2].tolist(), s.time_unit
([96.0, 195.0, 238.0], [1949.0, 1950.0], 'year')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ConfigError

__all__ = ["Series", "read_series", "as_series", "shipped_series", "shipped_names", "SALES_COLUMNS",
           "PERIOD_COLUMNS"]

SALES_COLUMNS = ("adopters", "sales", "new_adopters")
PERIOD_COLUMNS = ("period", "year", "quarter", "month", "week", "day")
MIN_PERIODS = 4  # three parameters and one degree of freedom
DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Series:
    """New adoptions per period, with the periods' labels and their unit."""

    sales: np.ndarray
    periods: np.ndarray
    column: str
    time_unit: str
    source: str
    step: float = 1.0


def shipped_names() -> list[str]:
    """The names of the series shipped with Bouche, sorted.

    Examples
    --------
    >>> shipped_names()
    ['room_air_conditioners', 'vcrs']
    """
    return sorted(p.stem for p in DATA.glob("*.csv"))


def shipped_series(name: str) -> Path:
    """The path of a series shipped with Bouche (``sim/fitting/data/NAME.csv``)."""
    path = DATA / f"{name}.csv"
    if not path.is_file():
        raise ConfigError("DATA", f"must be a CSV file or a shipped series ({', '.join(shipped_names())}); "
                                  f"got {name!r}")
    return path


def read_series(path, column: str | None = None, cumulative: bool = False, time_unit: str | None = None,
                key: str = "DATA") -> Series:
    """Read new adoptions per period from a CSV file; ConfigError (one line) for a bad file."""
    path = Path(path)
    if not path.is_file() and path.suffix == "" and (DATA / f"{path.name}.csv").is_file():
        path = DATA / f"{path.name}.csv"
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "is not a regular file" if path.exists() else "does not exist"
        raise ConfigError(key, f"must be a CSV file with one row per period; got {str(path)!r}, which {what}")
    try:
        df = pd.read_csv(path, comment="#", skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(key, f"must be a readable CSV file; got {str(path)!r} ({reason})") from None
    df.columns = [str(c).strip() for c in df.columns]
    lower = {c.lower(): c for c in df.columns}
    if column is not None:
        if column not in df.columns:
            raise ConfigError("--column", f"must name a column of {path.name} ({', '.join(df.columns)}); "
                                          f"got {column!r}")
        col = column
    else:
        col = next((lower[c] for c in SALES_COLUMNS if c in lower), None)
        if col is None:
            raise ConfigError(key, f"needs a column of new adoptions named {', '.join(SALES_COLUMNS)} "
                                   f"(or --column NAME); got columns {', '.join(df.columns) or 'none'} in {path.name}")
    values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        raise ConfigError(key, f"column {col!r} must hold numbers in every row; got {df[col].iloc[bad[0]]!r} "
                               f"in data row {bad[0] + 1} of {path.name}")
    if len(values) < MIN_PERIODS:
        raise ConfigError(key, f"needs at least {MIN_PERIODS} periods to estimate m, p and q; got {len(values)} "
                               f"in {path.name}")
    if np.any(values < 0):
        i = int(np.flatnonzero(values < 0)[0])
        raise ConfigError(key, f"column {col!r} must be >= 0; got {values[i]:g} in data row {i + 1} of {path.name}")
    if cumulative:
        if np.any(np.diff(values) < 0):
            i = int(np.flatnonzero(np.diff(values) < 0)[0]) + 1
            raise ConfigError("--cumulative", f"counts must never decrease; got {values[i]:g} after "
                                              f"{values[i - 1]:g} in data row {i + 1} of {path.name}")
        values = np.diff(values, prepend=0.0)
    if values.sum() <= 0:
        raise ConfigError(key, f"column {col!r} must count at least one adoption; got only zeros in {path.name}")
    pcol = next((lower[c] for c in PERIOD_COLUMNS if c in lower and lower[c] != col), None)
    step = 1.0
    if pcol is None:
        periods = np.arange(1, len(values) + 1, dtype=float)
    else:
        periods = pd.to_numeric(df[pcol], errors="coerce").to_numpy(dtype=float)
        steps = np.diff(periods)
        if not np.all(np.isfinite(periods)) or np.any(steps <= 0) or not np.allclose(steps, steps[0], rtol=1e-9):
            first = ", ".join(map(str, df[pcol].head(6)))
            raise ConfigError(key, f"column {pcol!r} must hold numbers increasing in equal steps (one row per "
                                   f"period, none missing); got {first} ... in {path.name}")
        step = float(steps[0])
    unit = time_unit or (pcol.lower() if pcol and pcol.lower() != "period" else "period")
    return Series(sales=values, periods=periods, column=col, time_unit=unit, source=str(path), step=step)


def future_periods(series: Series, horizon: int) -> np.ndarray:
    """Labels of the seen periods and the next ``horizon``."""
    n = len(series.sales)
    return series.periods[0] + series.step * np.arange(n + horizon)


def fmt_period(x: float) -> str:
    return str(int(x)) if math.isfinite(x) and float(x).is_integer() else f"{x:g}"


def as_series(data, column: str | None = None, cumulative: bool = False, time_unit: str | None = None) -> Series:
    """A :class:`Series` from a CSV path (:func:`read_series`) or from the adoptions per period themselves
    (cumulative counts with ``cumulative``)."""
    if isinstance(data, (str, Path)):
        return read_series(data, column=column, cumulative=cumulative, time_unit=time_unit)
    values = np.asarray(data, dtype=float)
    if cumulative:
        values = np.diff(values, prepend=0.0)
    return Series(sales=values, periods=np.arange(1.0, len(values) + 1), column="adopters",
                  time_unit=time_unit or "period", source="array")
