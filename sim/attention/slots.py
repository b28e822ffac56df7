"""Limited attention: how each person's ``k`` slots are shared between the feed and broadcast.

Pure array functions, vectorised over people (no loop over people): the pull
of broadcast (:func:`broadcast_pull`), how many slots go to broadcast this step
(:func:`broadcast_slots`), which feed items fill the social slots
(:func:`choose`), and how broadcast slots are shared among the channels a
person watches (:func:`split_slots`). Each takes ``rng`` where it draws.
"""

from __future__ import annotations

import numpy as np

__all__ = ["broadcast_pull", "broadcast_slots", "choose", "split_slots"]


def broadcast_pull(share: float, watched: np.ndarray, channels: int, k: int) -> np.ndarray:
    """Each person's pull of broadcast on attention, in units of social items.

    A person who watches all ``channels`` broadcast channels and is offered
    exactly ``k`` social items gives broadcast a share ``share`` of their
    attention: pull / (pull + k) = share, so pull = k·share / (1 - share).
    Watching fewer channels pulls proportionally less.

    Parameters
    ----------
    share : float
        ``attention.broadcast_share``, in [0, 1).
    watched : numpy.ndarray of int
        Number of broadcast channels each person watches.
    channels, k : int

    Examples
    --------
    >>> broadcast_pull(0.5, np.array([0, 1, 2]), 2, 10)
    array([ 0.,  5., 10.])
    """
    if channels == 0 or share == 0:
        return np.zeros(len(watched))
    return np.asarray(watched, dtype=np.float64) / channels * k * share / (1.0 - share)


def broadcast_slots(n_social: np.ndarray, pull: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """How many of their ``k`` attention slots each person gives to broadcast this step.

    Each slot goes to broadcast with probability pull / (pull + n_social), else
    to the social feed; social slots beyond the ``n_social`` items on offer go
    to broadcast too (a watcher with little in the feed watches more television).
    People with no pull (they watch no broadcast channel) give it nothing.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> broadcast_slots(np.array([0, 3, 10, 10]), np.array([0.0, 5.0, 0.0, 1e-9]), 5, rng).tolist()
    [0, 3, 0, 0]
    >>> slots = broadcast_slots(np.full(100000, 10), np.full(100000, 10 * 0.3 / 0.7), 10, rng)
    >>> round(float(slots.mean()) / 10, 2)    # share 0.3 against k = 10 social items
    0.3
    """
    n_social = np.asarray(n_social, dtype=np.int64)
    pull = np.asarray(pull, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(pull > 0, pull / (pull + n_social), 0.0)
    social = np.minimum(k - rng.binomial(k, p), n_social)
    return np.where(pull > 0, k - social, 0)


def choose(group: np.ndarray, limit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A uniform sample without replacement of at most ``limit[g]`` rows of each group g.

    Every row gets the key g + u with u uniform in [0, 1); one sort of the keys
    shuffles the rows within each group, and the first ``limit[g]`` of each
    group are chosen.

    Parameters
    ----------
    group : numpy.ndarray of int
        Group of each row (here: the person an item is offered to).
    limit : numpy.ndarray of int
        Most rows chosen per group, indexed by group.
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray of bool
        True for the chosen rows.

    Examples
    --------
    >>> chosen = choose(np.array([0, 0, 0, 1, 1, 2]), np.array([2, 5, 0]), np.random.default_rng(0))
    >>> int(chosen[:3].sum()), int(chosen[3:5].sum()), bool(chosen[5])
    (2, 2, False)
    """
    group = np.asarray(group, dtype=np.int64)
    chosen = np.zeros(group.size, dtype=bool)
    if group.size == 0:
        return chosen
    order = np.argsort(group + rng.random(group.size), kind="stable")  # much faster than a lexsort
    g = group[order]
    first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    rank = np.arange(g.size) - np.repeat(first, np.diff(np.r_[first, g.size]))
    chosen[order[rank < np.asarray(limit)[g]]] = True
    return chosen


def split_slots(slots: np.ndarray, watches: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Share each person's broadcast slots evenly at random among the channels they watch.

    Returns an int64 array (channels, people). A loop over the (few) channels,
    vectorised over people: each channel takes a binomial share of what is left.

    Examples
    --------
    >>> watches = np.array([[True, True, False], [True, False, False]])
    >>> x = split_slots(np.array([4, 3, 0]), watches, np.random.default_rng(0))
    >>> x.sum(axis=0).tolist(), int(x[1, 1])
    ([4, 3, 0], 0)
    """
    left = np.asarray(slots, dtype=np.int64).copy()
    ahead = watches.sum(axis=0)
    out = np.zeros(watches.shape, dtype=np.int64)
    for j in range(watches.shape[0]):
        w = watches[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(w, 1.0 / np.maximum(ahead, 1), 0.0)
        out[j] = rng.binomial(left, p)
        left -= out[j]
        ahead -= w
    return out
