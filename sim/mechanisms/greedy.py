"""Greedy influence maximisation under the independent cascade (CELF).

Choose ``k`` seeds that maximise the expected number of people an
independent cascade reaches (Kempe, Kleinberg & Tardos 2003): each new
adopter gets one chance to convert each contact, with probability ``beta``.
The expected spread sigma(S) is monotone and submodular, so adding, ``k``
times, the person with the largest marginal gain reaches at least
(1 - 1/e) of the best possible spread of ``k`` seeds.

Spread is estimated on Monte Carlo *live-edge samples* drawn once (one
stream, :class:`LiveEdgeSamples`): in sample s each tie transmits or not, and
the people a seed set reaches are those connected to it by live ties. Every
candidate is scored on the same samples (common random numbers), so the
comparison between candidates is not blurred by sampling noise, and the
sample-average spread is itself monotone submodular: the (1 - 1/e) bound holds
exactly for it. Lazy evaluation (CELF, Leskovec et al. 2007) re-scores a
candidate only when its stale gain, an upper bound by submodularity, tops the
queue.

Undirected graphs use one coin per tie: each tie is tried at most once, by
whichever end adopts first, so a seed set reaches exactly the union of the
connected components of its seeds in the live graph (bond percolation), and
marginal gains are sums of component sizes. Directed graphs use one coin per
arc and a breadth-first search over the samples stacked into one graph.

References
----------
Kempe, D., Kleinberg, J. & Tardos, É. (2003). Maximizing the spread of
influence through a social network. KDD, 137–146.
Leskovec, J., Krause, A., Guestrin, C., Faloutsos, C., VanBriesen, J. &
Glance, N. (2007). Cost-effective outbreak detection in networks. KDD, 420–429.
Nemhauser, G. L., Wolsey, L. A. & Fisher, M. L. (1978). An analysis of
approximations for maximizing submodular set functions. Math. Programming 14.

Examples
--------
>>> import numpy as np
>>> from sim import networks
>>> star = networks.from_edges(6, [0, 0, 0, 0, 5], [1, 2, 3, 4, 4])
>>> samples = LiveEdgeSamples(star, beta=1.0, n_samples=10, rng=np.random.default_rng(0))
>>> seeds, gains = greedy_seeds(samples, 1)
>>> seeds.tolist(), gains.tolist()
([0], [6.0])
"""

from __future__ import annotations

import heapq
import itertools
import math

import numpy as np
import scipy as sp
import scipy.sparse  # noqa: F401
import scipy.sparse.csgraph  # noqa: F401

from sim import networks

__all__ = ["LiveEdgeSamples", "greedy_seeds", "best_seeds", "choose"]


class LiveEdgeSamples:
    """Monte Carlo live-edge samples of the independent cascade on a graph.

    Parameters
    ----------
    graph : sim.networks.Graph
        The social graph (an edge u -> v means v hears from u).
    beta : float
        Probability that a tie transmits, in [0, 1].
    n_samples : int
        Number of samples R (>= 1); the standard error of a spread estimate
        falls as 1/sqrt(R).
    rng : numpy.random.Generator
        The stream the coins come from; all coins are drawn here, once.

    Attributes
    ----------
    n, n_samples, directed : int, int, bool
    labels : ndarray, shape (R, n)
        Undirected graphs: the live component of each person in each sample
        (labels are unique across samples).
    sizes : ndarray
        Undirected graphs: size of each component label.

    Examples
    --------
    >>> from sim import networks
    >>> g = networks.ring(10, 2)
    >>> s = LiveEdgeSamples(g, beta=0.0, n_samples=4, rng=np.random.default_rng(1))
    >>> s.spread([0, 5])
    2.0
    """

    def __init__(self, graph: networks.Graph, beta: float, n_samples: int, rng: np.random.Generator):
        if not 0.0 <= beta <= 1.0:
            raise ValueError(f"beta must be in [0, 1]; got {beta}")
        if int(n_samples) < 1:
            raise ValueError(f"n_samples must be >= 1; got {n_samples}")
        if graph.complete:
            raise ValueError("the complete graph is implicit; every seed set of a given size spreads alike")
        self.n, self.n_samples, self.directed = graph.n, int(n_samples), bool(graph.directed)
        n, R = self.n, self.n_samples
        links = graph.out_indices.size if self.directed else graph.in_indices.size // 2
        networks.require_memory("seeding.greedy_samples", f"= {R}", 8.0 * n * R + 17.0 * beta * links * R,
                                "the live-edge samples")  # a low estimate: row pointers, and each live edge
        if self.directed:  # one coin per arc u -> v (out CSR)
            src = np.repeat(np.arange(n, dtype=np.int64), graph.out_degree)
            dst = graph.out_indices.astype(np.int64)
        else:  # one coin per tie (lower triangle of the symmetric CSR)
            rows = np.repeat(np.arange(n, dtype=np.int64), graph.in_degree)
            lower = graph.in_indices < rows
            src, dst = rows[lower], graph.in_indices[lower].astype(np.int64)
        rows_per_chunk = max(1, (1 << 22) // max(1, src.size))  # coins drawn 4 M at a time, same stream order
        parts = []
        for a in range(0, R, rows_per_chunk):
            w, e = np.nonzero(rng.random((min(rows_per_chunk, R - a), src.size)) < beta)
            parts.append((w + a, e))
        which = np.concatenate([w for w, _ in parts]).astype(np.int64)
        edge = np.concatenate([e for _, e in parts]).astype(np.int64)
        offset = which * n
        A = sp.sparse.csr_array((np.ones(edge.size, dtype=np.int8), (offset + src[edge], offset + dst[edge])),
                                shape=(n * R, n * R))
        if self.directed:
            A.sum_duplicates()
            self._indptr, self._indices = A.indptr.astype(np.int64), A.indices.astype(np.int64)
            self.labels = self.sizes = None
        else:
            _, lab = sp.sparse.csgraph.connected_components(A, directed=False)
            self.labels = lab.reshape(R, n).astype(np.int64)
            self.sizes = np.bincount(lab).astype(np.int64)

    # -- spread of a fixed seed set -------------------------------------------

    def reached(self, seeds) -> np.ndarray:
        """Number of people the seed set reaches in each sample (int64, length R)."""
        seeds = np.unique(np.asarray(seeds, dtype=np.int64))
        if seeds.size == 0:
            return np.zeros(self.n_samples, dtype=np.int64)
        if not self.directed:
            lab = np.sort(self.labels[:, seeds], axis=1)
            first = np.ones(lab.shape, dtype=bool)
            first[:, 1:] = lab[:, 1:] != lab[:, :-1]
            return (self.sizes[lab] * first).sum(axis=1)
        seen = np.zeros(self.n * self.n_samples, dtype=bool)
        return self._bfs(seeds, seen)[0]

    def spread(self, seeds) -> float:
        """Sample-average number of people the seed set reaches (seeds included)."""
        return float(self.reached(seeds).mean())

    def spread_of_sets(self, sets: np.ndarray) -> np.ndarray:
        """Sample-average spread of each row of ``sets`` (shape (M, k)), vectorised.

        Undirected graphs only (component sizes); rows must hold distinct people.
        """
        if self.directed:
            return np.array([self.spread(s) for s in sets])
        sets = np.asarray(sets, dtype=np.int64)
        out = np.zeros(len(sets))
        chunk = max(1, 2_000_000 // max(1, self.n_samples * sets.shape[1]))
        for a in range(0, len(sets), chunk):
            lab = np.sort(self.labels[:, sets[a:a + chunk]], axis=2)  # (R, m, k)
            first = np.ones(lab.shape, dtype=bool)
            first[:, :, 1:] = lab[:, :, 1:] != lab[:, :, :-1]
            out[a:a + chunk] = (self.sizes[lab] * first).sum(axis=2).mean(axis=0)
        return out

    # -- reachability over the stacked samples (directed graphs) ---------------

    def _bfs(self, people: np.ndarray, seen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mark in ``seen`` everyone newly reached from ``people`` in every sample.

        Returns the number newly reached per sample and their stacked indices.
        """
        n, R = self.n, self.n_samples
        start = (np.arange(R, dtype=np.int64)[:, None] * n + people[None, :]).ravel()
        frontier = start[~seen[start]]
        seen[frontier] = True
        new = [frontier]
        while frontier.size:
            nxt = np.unique(networks.gather_rows(self._indptr, self._indices, frontier))
            frontier = nxt[~seen[nxt]]
            seen[frontier] = True
            new.append(frontier)
        hits = np.concatenate(new)
        return np.bincount(hits // n, minlength=R).astype(np.int64), hits


class _Coverage:
    """What the chosen seeds reach in each sample, and the marginal gain of a candidate."""

    def __init__(self, samples: LiveEdgeSamples):
        self.s = samples
        if samples.directed:
            self.seen = np.zeros(samples.n * samples.n_samples, dtype=bool)
        else:
            self.covered = np.zeros(samples.sizes.size, dtype=bool)

    def all_gains(self) -> np.ndarray:
        """Gain of every person on an empty seed set (sigma({v}))."""
        s = self.s
        if not s.directed:
            return s.sizes[s.labels].mean(axis=0)
        return np.array([self.gain(v) for v in range(s.n)])

    def gain(self, v: int) -> float:
        s = self.s
        if not s.directed:
            lab = s.labels[:, v]
            return float((s.sizes[lab] * ~self.covered[lab]).mean())
        counts, hits = s._bfs(np.array([v]), self.seen)
        self.seen[hits] = False  # undo: only add() keeps what a seed reaches
        return float(counts.mean())

    def add(self, v: int) -> None:
        s = self.s
        if s.directed:
            s._bfs(np.array([v]), self.seen)
        else:
            self.covered[s.labels[:, v]] = True


def greedy_seeds(samples: LiveEdgeSamples, k: int, candidates=None) -> tuple[np.ndarray, np.ndarray]:
    """CELF greedy: ``k`` seeds in the order chosen, and each one's marginal gain.

    Ties are broken by the lower index. The gains sum to the sample-average
    spread of the chosen set.

    Parameters
    ----------
    samples : LiveEdgeSamples
        The Monte Carlo samples every candidate is scored on.
    k : int
        Budget of seeds (0 <= k <= number of candidates).
    candidates : array_like, optional
        People who may be seeded (default: everyone).

    Returns
    -------
    seeds : ndarray of int64
        In the order chosen.
    gains : ndarray of float
        Marginal gain (people) of each seed when added.

    Examples
    --------
    >>> from sim import networks
    >>> g = networks.from_edges(7, [0, 0, 0, 4, 4], [1, 2, 3, 5, 6])  # two stars
    >>> s = LiveEdgeSamples(g, beta=1.0, n_samples=3, rng=np.random.default_rng(0))
    >>> seeds, gains = greedy_seeds(s, 2)
    >>> seeds.tolist(), gains.tolist()
    ([0, 4], [4.0, 3.0])
    """
    cand = np.arange(samples.n) if candidates is None else np.unique(np.asarray(candidates, dtype=np.int64))
    if not 0 <= k <= cand.size:
        raise ValueError(f"k must be in [0, {cand.size}]; got {k}")
    cover = _Coverage(samples)
    first = cover.all_gains()[cand] if not samples.directed or candidates is None else \
        np.array([cover.gain(v) for v in cand])
    # max-heap on gain, then lower index: entries (-gain, index, round the gain was computed in)
    heap = [(-float(g), int(v), 0) for g, v in zip(first, cand)]
    heapq.heapify(heap)
    seeds, gains = [], []
    while len(seeds) < k:
        neg, v, when = heapq.heappop(heap)
        if when == len(seeds):  # fresh: by submodularity no stale bound can beat it
            seeds.append(v)
            gains.append(-neg)
            cover.add(v)
        else:
            heapq.heappush(heap, (-cover.gain(v), v, len(seeds)))
    return np.array(seeds, dtype=np.int64), np.array(gains, dtype=np.float64)


def best_seeds(samples: LiveEdgeSamples, k: int) -> tuple[np.ndarray, float]:
    """Brute force: the k-set with the largest sample-average spread, and that spread.

    Tries all C(n, k) sets (ties: the first in lexicographic order); only for
    small graphs and budgets.

    Examples
    --------
    >>> from sim import networks
    >>> g = networks.from_edges(7, [0, 0, 0, 4, 4], [1, 2, 3, 5, 6])
    >>> s = LiveEdgeSamples(g, beta=1.0, n_samples=3, rng=np.random.default_rng(0))
    >>> best_seeds(s, 2)
    (array([0, 4]), 7.0)
    """
    n = samples.n
    if math.comb(n, k) > 5_000_000:
        raise ValueError(f"C({n}, {k}) = {math.comb(n, k):,} sets is too many to try")
    sets = np.array(list(itertools.combinations(range(n), k)), dtype=np.int64).reshape(-1, k)
    spreads = samples.spread_of_sets(sets)
    i = int(np.argmax(spreads))
    return sets[i], float(spreads[i])


def choose(graph: networks.Graph, count: int, beta: float, n_samples: int,
           rng: np.random.Generator) -> np.ndarray:
    """Seeds for ``seeding.strategy = greedy`` (sorted indices).

    On the complete graph everyone is alike, so the first ``count`` people are
    as good as any.

    Examples
    --------
    >>> from sim import networks
    >>> choose(networks.ring(12, 2), 2, 1.0, 5, np.random.default_rng(0)).size
    2
    """
    if count == 0:
        return np.empty(0, dtype=np.int64)
    if graph.complete:
        return np.arange(count, dtype=np.int64)
    seeds, _ = greedy_seeds(LiveEdgeSamples(graph, beta, n_samples, rng), count)
    return np.sort(seeds)
