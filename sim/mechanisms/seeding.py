"""Seeding: who adopts at step 0, and what it costs.

Strategies: ``random``; ``top_degree`` (the best-connected, ties broken by
index); ``friend_of_random`` (pick random people, seed a random contact of
each: by the friendship paradox these have more contacts than average, without
knowing the network, Kim et al. 2015); ``nodes`` (explicit ids or file labels);
``greedy`` (CELF influence maximisation under the independent cascade,
:mod:`sim.mechanisms.greedy`).

References
----------
Kim, D. A. et al. (2015). Social network targeting to maximise population
behaviour change. The Lancet 386(9989), 145–153.
Feld, S. L. (1991). Why your friends have more friends than you do. AJS 96(6).

Examples
--------
>>> import numpy as np
>>> choose("top_degree", 2, n=4, out_degree=np.array([1, 3, 3, 0]), rng=np.random.default_rng(0))
array([1, 2])
"""

from __future__ import annotations

import numpy as np

from sim.errors import ConfigError

__all__ = ["choose", "n_seeds"]


def n_seeds(count: int | None, fraction: float | None, n: int) -> int:
    """Number of seeds from a count or a fraction of ``n`` (rounded).

    Examples
    --------
    >>> n_seeds(None, 0.01, 1234), n_seeds(5, None, 10)
    (12, 5)
    """
    k = int(round(fraction * n)) if fraction is not None else int(count or 0)
    if k > n:
        raise ConfigError("seeding.count", f"must be <= the number of people ({n}); got {k}")
    return k


def choose(strategy: str, count: int, *, n: int, out_degree: np.ndarray, rng: np.random.Generator,
           friend_of=None, nodes=None, labels=None, greedy=None) -> np.ndarray:
    """Indices of the seeds (sorted, distinct).

    Parameters
    ----------
    strategy : str
        ``none``, ``random``, ``top_degree``, ``friend_of_random``, ``nodes`` or ``greedy``.
    count : int
        Number of seeds (ignored for ``nodes`` and ``none``).
    n : int
        Number of people.
    out_degree : ndarray
        Contacts each person influences.
    rng : numpy.random.Generator
        The seeding stream.
    friend_of : callable, optional
        ``friend_of(people, rng) -> contacts`` picks one random contact of each
        person (-1 where none); needed by ``friend_of_random``.
    nodes : list, optional
        Explicit ids (``nodes``): integer indices, or labels of a graph file.
    labels : ndarray, optional
        Node labels of a graph file, to resolve ``nodes`` by label.
    greedy : tuple, optional
        ``(graph, beta, n_samples)`` for ``greedy``: CELF influence maximisation
        under the independent cascade (:mod:`sim.mechanisms.greedy`).
    """
    if strategy == "none" or (count == 0 and strategy != "nodes"):
        return np.empty(0, dtype=np.int64)
    if strategy == "random":
        return np.sort(rng.choice(n, size=count, replace=False)).astype(np.int64)
    if strategy == "top_degree":
        return np.sort(np.argsort(-out_degree, kind="stable")[:count]).astype(np.int64)
    if strategy == "friend_of_random":
        return _friends_of_random(count, n, out_degree, rng, friend_of)
    if strategy == "nodes":
        return _explicit(nodes or [], n, labels)
    if strategy == "greedy":  # greedy = (graph, beta, n_samples): CELF under independent cascade
        from sim.mechanisms import greedy as greedy_mod

        graph, beta, n_samples = greedy
        return greedy_mod.choose(graph, count, beta, n_samples, rng)
    raise ConfigError("seeding.strategy", f"must be one of none, random, top_degree, friend_of_random, nodes, "
                                          f"greedy; got {strategy!r}")


def _friends_of_random(count, n, out_degree, rng, friend_of) -> np.ndarray:
    reachable = int(np.count_nonzero(out_degree > 0))
    if count > reachable:
        raise ConfigError("seeding.count", f"must be <= the number of people who are someone's contact "
                                           f"({reachable}) for friend_of_random; got {count}")
    chosen: list[np.ndarray] = []
    seen = np.zeros(n, dtype=bool)
    have = 0
    for _ in range(10_000):
        people = rng.integers(0, n, size=max(16, 2 * (count - have)))
        friends = friend_of(people, rng)
        friends = friends[friends >= 0]
        _, first = np.unique(friends, return_index=True)
        friends = friends[np.sort(first)]  # first occurrence, in draw order
        friends = friends[~seen[friends]][: count - have]
        seen[friends] = True
        chosen.append(friends)
        have += len(friends)
        if have == count:
            break
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def _explicit(nodes, n, labels) -> np.ndarray:
    if labels is not None:
        lookup = {str(label): i for i, label in enumerate(labels)}
        try:
            idx = [lookup[str(v)] for v in nodes]
        except KeyError as exc:
            raise ConfigError("seeding.nodes", f"must name nodes of the graph file; got {exc.args[0]!r}, "
                                               f"which is not a node") from None
    else:
        idx = list(nodes)
        bad = [v for v in idx if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < n]
        if bad:
            raise ConfigError("seeding.nodes", f"must be node ids in [0, {n - 1}]; got {bad[0]!r}")
    return np.unique(np.asarray(idx, dtype=np.int64))
