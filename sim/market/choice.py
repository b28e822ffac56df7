"""How a consumer of the cultural market chooses: pure functions over arrays, one row per world.

A consumer sees the products listed in some order, samples (listens to) a few
of them and downloads each sampled product with probability equal to its
appeal. The pull of the product shown at position p is

    v_p · (1 + influence · D_i)

with v_p the visibility of position p (:func:`visibility`) and D_i the
downloads the world shows for product i; a consumer samples ``listens``
distinct products, each draw proportional to pull among the products not yet
drawn (:func:`choose`). This is the trial-offer model that Krumme et al. (2012)
and Abeliuk et al. (2015) fitted to the MusicLab data, v_p (a_i + d_i) with
an equal sampling appeal a_i = 1 / influence for every product: the bands were
unknown, so before listening a consumer knows only where a song is listed and,
in a social world, how often it was downloaded.

- :func:`appeals` — the products' appeal (download probability once sampled);
- :func:`visibility` — how visible each position is (ranked list or grid);
- :func:`display_order` — the products in display order: by downloads shown
  (ties at random) or at random, each consumer anew;
- :func:`choose` — positions sampled without replacement, proportional to pull;
- :func:`invert_counts` — the inverted download counts of Salganik & Watts (2008).

Examples
--------
>>> rng = np.random.default_rng(0)
>>> shown = np.array([[5.0, 0.0, 9.0, 1.0]])
>>> display_order(shown, np.array([True]), rng.random((1, 4))).tolist()
[[2, 0, 3, 1]]
>>> visibility(6, "grid", 1.0, columns=3).tolist()
[1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
>>> invert_counts(np.array([[5.0, 0.0, 9.0, 1.0]])).tolist()
[[1.0, 9.0, 0.0, 5.0]]

References
----------
Krumme, C., Cebrian, M., Pickard, G. & Pentland, S. (2012). Quantifying social influence in an
online cultural market. PLoS ONE 7(5): e33785.
Abeliuk, A., Berbeglia, G., Cebrian, M. & Van Hentenryck, P. (2015). The benefits of social
influence in optimized cultural markets. PLoS ONE 10(4): e0121934.
Salganik, M. J. & Watts, D. J. (2008). Leading the herd astray: an experimental study of
self-fulfilling prophecies in an artificial cultural market. Social Psychology Quarterly 71(4).
"""

from __future__ import annotations

import numpy as np

from sim.config.schema import MARKET_APPEALS as APPEALS
from sim.config.schema import MARKET_DISPLAYS as DISPLAYS

__all__ = ["APPEALS", "DISPLAYS", "GRID_COLUMNS", "appeals", "visibility", "display_order", "choose", "invert_counts"]

GRID_COLUMNS = 3  # the MusicLab grid (experiment 1): 16 rows of 3 songs


def appeals(n: int, kind: str, a: float, b: float, rng: np.random.Generator) -> np.ndarray:
    """The appeal of ``n`` products: the probability that a consumer who samples one downloads it.

    ``beta`` draws each from Beta(a, b); ``equal`` gives every product the mean
    a / (a + b), so that all differences in success are luck. ``n`` uniforms
    are drawn either way (common random numbers).

    Examples
    --------
    >>> appeals(3, "equal", 2.0, 6.0, np.random.default_rng(1)).tolist()
    [0.25, 0.25, 0.25]
    >>> q = appeals(10_000, "beta", 2.0, 2.0, np.random.default_rng(1))
    >>> bool(0 < q.min() and q.max() < 1), round(float(q.mean()), 2)
    (True, 0.5)
    """
    from scipy import special

    u = rng.random(n)
    if kind == "equal":
        return np.full(n, a / (a + b))
    return special.betaincinv(a, b, u)  # the beta quantile of u: other shapes keep the products' order


def visibility(n: int, display: str, bias: float, columns: int = GRID_COLUMNS) -> np.ndarray:
    """Visibility of each of ``n`` positions: ``rank^-bias``, rank 1 the most visible.

    In a ranked list (one column) the rank is the position; in a grid of
    ``columns`` products a row, the row, so visibility falls ``columns`` times
    more slowly down a grid than down a list (bias 0: every position alike).

    Examples
    --------
    >>> visibility(4, "ranked", 1.0).tolist()
    [1.0, 0.5, 0.3333333333333333, 0.25]
    >>> visibility(4, "ranked", 0.0).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    pos = np.arange(n)
    rank = pos + 1.0 if display == "ranked" else pos // columns + 1.0
    return rank ** -float(bias)


def display_order(shown: np.ndarray, by_count: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The products of each world in display order (row r, position p -> product).

    Rows where ``by_count`` is true list their products by the downloads
    ``shown``, most first, ties broken by the uniforms ``u`` (one per product);
    the other rows list them in the random order of ``u`` (a fresh order for
    every consumer: the grid, and every independent world).
    """
    key = u + np.where(by_count[:, None], shown, 0.0)
    return np.argsort(-key, axis=1)


def choose(log_pull: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` distinct columns of each row, drawn one after another proportionally to ``exp(log_pull)``.

    The Gumbel-top-k trick: the k largest of ``log_pull + Gumbel`` are a draw
    without replacement with probabilities proportional to the pull (one
    uniform per column). Returned in no particular order.

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> picks = np.concatenate([choose(np.log([[8.0, 1.0, 1.0]]), 1, rng)[0] for _ in range(5000)])
    >>> round(float((picks == 0).mean()), 1)
    0.8
    >>> sorted(choose(np.zeros((1, 5)), 5, rng)[0].tolist())
    [0, 1, 2, 3, 4]
    """
    g = log_pull - np.log(-np.log(rng.random(log_pull.shape)))
    if k >= log_pull.shape[1]:
        return np.broadcast_to(np.arange(log_pull.shape[1]), log_pull.shape).copy()
    return np.argpartition(-g, k - 1, axis=1)[:, :k]


def invert_counts(counts: np.ndarray) -> np.ndarray:
    """Each row's counts handed out in reverse rank order: the most downloaded product gets the
    count of the least, the second the count of the second least, and so on (ties by index).

    Salganik & Watts (2008) did this to the download counts of a social world
    mid-experiment, so that the best-selling song appeared the worst.
    """
    order = np.argsort(counts, axis=1, kind="stable")
    out = np.empty_like(counts)
    np.put_along_axis(out, order, np.take_along_axis(counts, order, 1)[:, ::-1], 1)
    return out
