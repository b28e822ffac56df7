"""Measures of a cultural market (Salganik, Dodds & Watts 2006): pure functions over download counts.

Rows are worlds, columns products. The market share of product i in world j
is m_ij = d_ij / sum_k d_kj.

- :func:`shares` — market shares (a world without downloads has shares 0);
- :func:`gini_by_world` — inequality of success, the Gini coefficient of each
  world's shares, G = sum_i sum_k |m_i - m_k| / (2 n sum_k m_k)
  (:func:`sim.attention.concentration.gini`);
- :func:`unpredictability` — Salganik's U: for each product the mean absolute
  difference of its market share over all pairs of worlds, averaged over
  products, U = (1/n) sum_i sum_{j<k} |m_ij - m_ik| / C(W, 2);
- :func:`quality_correlation` — Spearman's rank correlation of appeal and
  market share in each world;
- :func:`extremes` — whether the best products never did badly and the worst
  never did well in each world (quintiles, as the paper's Figure 3 reads).

:data:`SALGANIK_2006` holds the paper's own values, for the scenario page, the
report and the validation.

Examples
--------
>>> d = np.array([[6, 2, 2, 0], [2, 6, 2, 0]])
>>> shares(d).tolist()
[[0.6, 0.2, 0.2, 0.0], [0.2, 0.6, 0.2, 0.0]]
>>> round(unpredictability(shares(d)), 3)      # products 1 and 2 differ by 0.4, the others not at all
0.2
>>> [round(g, 3) for g in gini_by_world(d)]
[0.45, 0.45]

References
----------
Salganik, M. J., Dodds, P. S. & Watts, D. J. (2006). Experimental study of inequality and
unpredictability in an artificial cultural market. Science 311(5762), 854–856.
"""

from __future__ import annotations

import numpy as np

from sim.attention.concentration import gini

__all__ = ["SALGANIK_2006", "shares", "gini_by_world", "unpredictability", "quality_correlation", "extremes",
           "quintile"]

# The paper's values (Figures 1 and 2, read from the plots; experiment 1 showed the songs in a grid
# in random order, experiment 2 in one column ranked by downloads). Gini: the independent world and
# the mean of the eight social-influence worlds; U: the independent condition (split in two halves)
# and the social-influence worlds.
SALGANIK_2006 = {
    "grid": {"experiment": 1, "gini_independent": 0.26, "gini_social": 0.34,
             "unpredictability_independent": 0.0045, "unpredictability_social": 0.0084},
    "ranked": {"experiment": 2, "gini_independent": 0.20, "gini_social": 0.50,
               "unpredictability_independent": 0.0061, "unpredictability_social": 0.0125},
}


def shares(downloads: np.ndarray) -> np.ndarray:
    """Market shares of each row (world); a row without downloads has shares 0."""
    d = np.asarray(downloads, dtype=np.float64)
    total = d.sum(axis=-1, keepdims=True)
    return np.divide(d, total, out=np.zeros_like(d), where=total > 0)


def gini_by_world(downloads: np.ndarray) -> list[float]:
    """The Gini coefficient of each row's downloads (0 for a row without downloads)."""
    return [gini(row) for row in np.atleast_2d(downloads)]


def unpredictability(market_shares: np.ndarray) -> float:
    """Salganik's U over the rows (worlds) of ``market_shares``: 0 for fewer than two worlds."""
    m = np.atleast_2d(np.asarray(market_shares, dtype=np.float64))
    w = m.shape[0]
    if w < 2:
        return 0.0
    j, k = np.triu_indices(w, 1)
    return float(np.abs(m[j] - m[k]).mean())


def _ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (1 = the smallest) of each row; ties share their mean rank, as Spearman's correlation needs.

    Examples
    --------
    >>> _ranks(np.array([[0.5, 0.0, 0.5, 0.2]])).tolist()
    [[3.5, 1.0, 3.5, 2.0]]
    """
    x = np.atleast_2d(x)
    out = np.empty(x.shape)
    for i, row in enumerate(x):
        s = np.sort(row)
        out[i] = (np.searchsorted(s, row, "left") + np.searchsorted(s, row, "right") + 1) / 2
    return out


def quality_correlation(quality: np.ndarray, market_shares: np.ndarray) -> list[float]:
    """Spearman's rank correlation of ``quality`` with each row of ``market_shares`` (0 where either is constant).

    Examples
    --------
    >>> quality_correlation(np.array([0.9, 0.5, 0.1]), np.array([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]]))
    [1.0, -1.0]
    """
    q = _ranks(np.asarray(quality, dtype=np.float64))[0]
    r = _ranks(market_shares)
    qc = q - q.mean()
    rc = r - r.mean(axis=1, keepdims=True)
    den = np.sqrt((qc ** 2).sum() * (rc ** 2).sum(axis=1))
    return [float(x) for x in np.divide(rc @ qc, den, out=np.zeros(len(r)), where=den > 0)]


def quintile(n: int) -> int:
    """Products in a fifth of ``n`` (at least one)."""
    return max(1, n // 5)


def extremes(quality: np.ndarray, market_shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: whether no product of the top appeal quintile ranks in the bottom share quintile,
    and whether no product of the bottom appeal quintile ranks in the top share quintile.

    Ranks break ties by product index (the best appeal first; the largest share first).

    Examples
    --------
    >>> q = np.arange(10, 0, -1) / 10                    # product 0 is the best, 9 the worst
    >>> m = np.array([[9, 8, 7, 6, 5, 4, 3, 2, 1, 0], [0, 8, 7, 6, 5, 4, 3, 2, 1, 9]]) / 45
    >>> [a.tolist() for a in extremes(q, m)]
    [[True, False], [True, False]]
    """
    q = np.asarray(quality, dtype=np.float64)
    m = np.atleast_2d(market_shares)
    n = q.size
    k = quintile(n)
    by_quality = np.argsort(-q, kind="stable")
    best, worst = by_quality[:k], by_quality[n - k:]
    place = np.argsort(np.argsort(-m, axis=1, kind="stable"), axis=1)  # 0 = the largest share
    best_ok = ~(place[:, best] >= n - k).any(axis=1)
    worst_ok = ~(place[:, worst] < k).any(axis=1)
    return best_ok, worst_ok
