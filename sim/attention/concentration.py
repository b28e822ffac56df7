"""Concentration of attention and overlap of audiences: pure functions over arrays.

How concentrated is attention across channels, how long is the tail, and do
audiences of different channels overlap more or less than chance? These are the
measures of audience research and industrial economics, applied to channel
views (attention) and channel reach (unique audience):

- :func:`top_share` — share of the k largest (top-1, top-10 share);
- :func:`gini` — Gini coefficient of inequality;
- :func:`hhi` — Herfindahl–Hirschman index, the sum of squared shares;
- :func:`effective_number` — 1 / HHI, the number of equal channels that would
  give the same concentration;
- :func:`duplication_matrix`, :func:`duplication_mean` — the duplication ratio
  D_ij = P(i and j) / (P(i) P(j)) of two audiences (1 = independent);
- :func:`ccdf`, :func:`ccdf_slope` — complementary cumulative distribution of
  audience sizes and the slope of its log–log plot over a range of decades.

Examples
--------
>>> views = np.array([60, 20, 10, 5, 5])
>>> top_share(views), round(hhi(views), 3), round(effective_number(views), 2)
(0.6, 0.415, 2.41)

References
----------
Hirschman, A. O. (1964). The paternity of an index. American Economic Review 54(5).
Laakso, M. & Taagepera, R. (1979). "Effective" number of parties. Comparative Political Studies 12(1).
Goodhardt, G. J., Ehrenberg, A. S. C. & Collins, M. A. (1975). The Television Audience: Patterns of Viewing.
Webster, J. G. & Ksiazek, T. B. (2012). The dynamics of audience fragmentation. J. Communication 62(1).
Clauset, A., Shalizi, C. R. & Newman, M. E. J. (2009). Power-law distributions in empirical data. SIAM Review 51(4).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["top_share", "gini", "hhi", "effective_number", "duplication_matrix", "duplication_mean",
           "ccdf", "ccdf_slope", "Slope"]


def _values(values) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64).ravel()
    if np.any(x < 0) or not np.all(np.isfinite(x)):
        raise ValueError("values must be finite and >= 0")
    return x


def top_share(values, k: int = 1) -> float:
    """Share of the total held by the ``k`` largest values (0 when the total is 0).

    Examples
    --------
    >>> top_share([5, 1, 3, 1], k=1), top_share([5, 1, 3, 1], k=2), top_share([5, 1], k=10)
    (0.5, 0.8, 1.0)
    """
    x = _values(values)
    total = x.sum()
    if total == 0:
        return 0.0
    k = min(int(k), x.size)
    return float(np.partition(x, x.size - k)[x.size - k:].sum() / total) if k > 0 else 0.0


def gini(values) -> float:
    """Gini coefficient: 0 when all values are equal, (n-1)/n when one holds everything.

    Computed as the mean absolute difference over all ordered pairs divided by
    twice the mean, G = sum_i (2i - n - 1) x_(i) / (n sum x) with x sorted
    ascending. Zeros count (channels nobody watched are part of the market).

    Examples
    --------
    >>> gini([1, 1, 1, 1]), gini([0, 0, 0, 4]), round(gini([1, 2, 3, 4]), 3)
    (0.0, 0.75, 0.25)

    References
    ----------
    Gini, C. (1912). Variabilità e mutabilità.
    """
    x = np.sort(_values(values))
    n, total = x.size, x.sum()
    if n == 0 or total == 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float(max(0.0, ((2 * i - n - 1) * x).sum() / (n * total)))  # no -1e-17 from rounding


def hhi(values) -> float:
    """Herfindahl–Hirschman index: the sum of squared shares, in (0, 1] (0 when the total is 0).

    1/n for n equal channels, 1 for a monopoly. (Antitrust practice multiplies by
    10,000; here shares are fractions.)

    Examples
    --------
    >>> hhi([1, 1, 1, 1]), hhi([7, 0, 0]), hhi([3, 1])
    (0.25, 1.0, 0.625)

    References
    ----------
    Hirschman, A. O. (1964). The paternity of an index. American Economic Review 54(5).
    """
    x = _values(values)
    total = x.sum()
    if total == 0:
        return 0.0
    s = x / total
    return float((s * s).sum())


def effective_number(values) -> float:
    """Effective number of channels, 1 / HHI (0 when nothing was watched).

    Examples
    --------
    >>> effective_number([1, 1, 1, 1]), effective_number([9, 0, 0]), round(effective_number([3, 1]), 2)
    (4.0, 1.0, 1.6)

    References
    ----------
    Laakso, M. & Taagepera, R. (1979). "Effective" number of parties. Comparative Political Studies 12(1).
    """
    h = hhi(values)
    return 1.0 / h if h > 0 else 0.0


def duplication_matrix(audiences) -> np.ndarray:
    """Duplication ratios D_ij = P(i and j) / (P(i) P(j)) between the columns of an audience matrix.

    Parameters
    ----------
    audiences : array-like of bool, shape (people, channels)
        ``audiences[v, i]`` is True when person v is in the audience of channel i.

    Returns
    -------
    numpy.ndarray, shape (channels, channels)
        D_ij; 1 means the two audiences overlap as much as two independent draws
        would, > 1 that they share viewers (a niche), < 1 that they avoid each
        other. The diagonal and pairs with an empty audience are NaN.

    Examples
    --------
    >>> a = np.array([[1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1]], dtype=bool)
    >>> duplication_matrix(a)
    array([[nan,  1.,  1.],
           [ 1., nan,  0.],
           [ 1.,  0., nan]])

    References
    ----------
    Goodhardt, G. J., Ehrenberg, A. S. C. & Collins, M. A. (1975). The Television Audience.
    Webster, J. G. & Ksiazek, T. B. (2012). The dynamics of audience fragmentation. J. Communication 62(1).
    """
    a = np.asarray(audiences, dtype=bool)
    if a.ndim != 2:
        raise ValueError(f"audiences must be a 2-D (people, channels) array; got shape {a.shape}")
    n = a.shape[0]
    f = a.astype(np.float64)
    both = f.T @ f
    size = both.diagonal().copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        d = n * both / np.outer(size, size)
    d[~np.isfinite(d)] = np.nan
    np.fill_diagonal(d, np.nan)
    return d


def duplication_mean(matrix, pairs=None) -> float:
    """Mean duplication ratio over the off-diagonal pairs (i < j) of a duplication matrix.

    ``pairs`` (bool matrix of the same shape), if given, selects the pairs to average.
    NaN entries are skipped; NaN when no pair is left.

    Examples
    --------
    >>> d = np.array([[np.nan, 2.0, 0.5], [2.0, np.nan, 1.0], [0.5, 1.0, np.nan]])
    >>> round(duplication_mean(d), 4)
    1.1667
    """
    d = np.asarray(matrix, dtype=np.float64)
    keep = np.triu(np.ones(d.shape, dtype=bool), k=1)
    if pairs is not None:
        keep &= np.asarray(pairs, dtype=bool)
    vals = d[keep]
    vals = vals[np.isfinite(vals)]
    return float(vals.mean()) if vals.size else float("nan")


def ccdf(values) -> tuple[np.ndarray, np.ndarray]:
    """Empirical complementary CDF: the distinct positive values x and P(X >= x).

    Zeros are dropped (a log–log plot cannot show them); the probabilities are
    over the positive values.

    Examples
    --------
    >>> x, p = ccdf([1, 1, 2, 4, 0])
    >>> x.tolist(), p.tolist()
    ([1.0, 2.0, 4.0], [1.0, 0.5, 0.25])
    """
    v = _values(values)
    v = np.sort(v[v > 0])
    if v.size == 0:
        return v, v.copy()
    x, first = np.unique(v, return_index=True)
    return x, (v.size - first) / v.size


class Slope(NamedTuple):
    """A straight-line fit of log10 P(X >= x) against log10 x."""

    slope: float
    intercept: float
    r2: float
    lo: float
    hi: float
    n_points: int


def ccdf_slope(values, lo: float | None = None, decades: float = 2.0) -> Slope:
    """Slope of the log–log CCDF over ``decades`` decades from ``lo``, by least squares.

    A power-law tail P(X >= x) ~ x^-a is a straight line of slope -a on log–log
    axes; a thin (e.g. exponential) tail bends down. ``lo`` defaults to the
    median of the positive values. The fit uses the CCDF's distinct points in
    [lo, lo 10^decades] (``hi`` is capped at the largest value). This is a
    descriptive slope, not a maximum-likelihood exponent (Clauset et al. 2009
    explain the bias of log–log regression); ``r2`` says how straight the
    line is.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = (1 - rng.random(20000)) ** (-1 / 1.5)   # Pareto, P(X >= x) = x^-1.5
    >>> fit = ccdf_slope(x, lo=1.0, decades=2)
    >>> round(fit.slope, 1), fit.r2 > 0.99
    (-1.5, True)

    References
    ----------
    Clauset, A., Shalizi, C. R. & Newman, M. E. J. (2009). Power-law distributions in empirical data.
    SIAM Review 51(4).
    """
    x, p = ccdf(values)
    if x.size == 0:
        return Slope(float("nan"), float("nan"), float("nan"), float("nan"), float("nan"), 0)
    if lo is None:
        v = _values(values)
        lo = float(np.median(v[v > 0]))
    hi = min(float(lo) * 10.0 ** decades, float(x[-1]))
    keep = (x >= lo) & (x <= hi)
    n_points = int(keep.sum())
    if n_points < 3:
        return Slope(float("nan"), float("nan"), float("nan"), float(lo), hi, n_points)
    lx, lp = np.log10(x[keep]), np.log10(p[keep])
    slope, intercept = np.polyfit(lx, lp, 1)
    resid = lp - (slope * lx + intercept)
    ss = ((lp - lp.mean()) ** 2).sum()
    r2 = 1.0 - (resid ** 2).sum() / ss if ss > 0 else 1.0
    return Slope(float(slope), float(intercept), float(r2), float(lo), hi, n_points)
