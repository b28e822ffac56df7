"""The follow graph of the attention model: interest communities and popular accounts.

Who sees whose posts. An edge u -> v means v follows u; people follow mostly
inside their interest community (homophily) and prefer attractive accounts, so
follower counts have a Pareto tail. A pure function of its arguments and
``rng`` (the ``network`` stream of :class:`sim.streams.Streams`).
"""

from __future__ import annotations

import numpy as np

from sim import networks
from sim.arrays import sorted_distinct

__all__ = ["follow_graph"]


def follow_graph(n: int, follows: int, homophily: float, communities: int, exponent: float,
                 rng: np.random.Generator) -> networks.Graph:
    """Directed follow graph with interest communities and popular accounts.

    People are split at random into ``communities`` equal interest
    communities. Each account has an attractiveness a ~ Pareto (density
    proportional to a^-exponent, a >= 1). Each person makes ``follows`` draws
    of an account to follow, with probability proportional to a: a share
    ``homophily`` of the draws inside their own community, the rest among
    everyone. A draw that repeats a follow or picks oneself is drawn again (up
    to 30 rounds; what still clashes is dropped, which only happens when a
    community is too small, or one account holds nearly all its
    attractiveness). Follower counts inherit the Pareto tail.

    An edge u -> v means v follows u (v sees what u posts): "u influences v".

    Parameters
    ----------
    n, follows, communities : int
    homophily : float
        0 = follows ignore communities; 1 = everyone follows inside their community.
    exponent : float
        Tail exponent (> 1) of attractiveness; follower counts ~ k^-exponent.
    rng : numpy.random.Generator

    Returns
    -------
    sim.networks.Graph
        Directed; ``segments`` holds each person's community.

    Examples
    --------
    >>> g = follow_graph(1000, 20, 1.0, 10, 2.5, np.random.default_rng(0))
    >>> g.directed, int(g.in_degree.min()), int(g.in_degree.max())
    (True, 20, 20)
    >>> src = np.repeat(np.arange(g.n), g.out_degree)
    >>> bool((g.segments[src] == g.segments[g.out_indices]).all())   # all follows inside
    True
    """
    community = (rng.permutation(n) % communities).astype(np.int32)
    attract = (1.0 - rng.random(n)) ** (-1.0 / (exponent - 1.0))
    order = np.argsort(community, kind="stable")
    cum = np.cumsum(attract[order])
    sizes = np.bincount(community, minlength=communities)
    end = cum[np.cumsum(sizes) - 1]
    start = np.concatenate(([0.0], end[:-1]))

    follower = np.repeat(np.arange(n, dtype=np.int64), follows)
    inside = rng.random(follower.size) < homophily
    c = community[follower]
    lo = np.where(inside, start[c], 0.0)
    width = np.where(inside, end[c] - start[c], cum[-1])
    followee = np.empty(follower.size, dtype=np.int64)
    redraw = np.arange(follower.size)
    rows = np.arange(n)
    for _ in range(30):  # redraw repeated follows and self-follows (few, fewer each round)
        pos = np.searchsorted(cum, lo[redraw] + rng.random(redraw.size) * width[redraw], side="right")
        followee[redraw] = order[np.minimum(pos, n - 1)]
        mine = followee.reshape(n, follows)[rows]  # the follows of the people who had a clash
        sort = np.argsort(mine, axis=1, kind="stable")
        ranked = np.take_along_axis(mine, sort, axis=1)
        clash = np.zeros(mine.shape, dtype=bool)
        np.put_along_axis(clash, sort[:, 1:], ranked[:, 1:] == ranked[:, :-1], axis=1)
        r, col = np.nonzero(clash | (mine == rows[:, None]))
        if r.size == 0:
            break
        redraw = rows[r] * follows + col
        rows = sorted_distinct(rows[r])
    keep = np.ones(follower.size, dtype=bool)
    keep[redraw if r.size else []] = False  # clashes left after the last round
    names = [f"interest {i + 1}" for i in range(communities)]
    return networks.from_edges(n, followee[keep], follower[keep], directed=True, segments=community,
                               segment_names=names, simple=True)
