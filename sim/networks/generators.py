"""The synthetic graph families: complete, Erdős–Rényi, stochastic block, ring, small world, BA.

Parameters are checked here (a bad one raises :class:`~sim.errors.ConfigError`
with key ``network.<name>``); the random families take ``rng:
numpy.random.Generator``. The CSR arrays are built with vectorised numpy, so
graphs of 10^6..10^7 people build in seconds: random pairs by geometric
skipping over the linearised upper triangle, preferential attachment by
resolving endpoint picks block by block. The complete graph is implicit.
"""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np

from sim import compiled
from sim.arrays import compact_indptr, drain
from sim.errors import ConfigError
from sim.networks import csr, memory  # csr._BLOCK: the block size every streaming pass shares
from sim.networks.csr import _sorted_counts, _symmetric, from_edges
from sim.networks.graph import Graph

__all__ = ["complete", "erdos_renyi", "stochastic_block", "equal_sizes", "ring", "watts_strogatz",
           "barabasi_albert", "communities"]

_CHUNK = 1 << 22  # geometric gaps drawn per chunk (32 MiB of int64)


def _require(ok: bool, key: str, allowed: str, got) -> None:
    if not ok:
        raise ConfigError(f"network.{key}", f"must be {allowed}; got {got!r}")


def _skip_gaps(L: int, p: float, rng: np.random.Generator):
    """Chunks of geometric gaps between the slots in range(L) kept with probability p each, from slot -1.

    The last chunk is not cut at L (:func:`_skip_positions` cuts it;
    :func:`sim.compiled.pair_degrees` stops there). A chunk may be changed in place once yielded.
    """
    last = -1
    while p > 0 and last < L - 1:
        mu = (L - 1 - last) * p
        g = rng.geometric(p, int(min(_CHUNK, mu + 6 * math.sqrt(mu) + 16)))
        step = int(g.sum())
        yield g
        last += step


def _skip_positions(L: int, p: float, rng: np.random.Generator):
    """Yield sorted chunks of the slots in range(L) kept with probability p each (the draws of :func:`_skip_gaps`)."""
    last = -1
    for g in _skip_gaps(L, p, rng):
        pos = np.cumsum(g, out=g)
        pos += last
        if pos[-1] >= L:
            yield pos[:np.searchsorted(pos, L)]
            return
        last = int(pos[-1])
        yield pos


def _unrank_pairs(l: np.ndarray):
    """Map linear upper-triangle indices to pairs (i < j), l = j(j-1)/2 + i."""
    x = l * 8.0  # x = (sqrt(8l + 1) + 1) / 2, in place
    x += 1.0
    np.sqrt(x, out=x)
    x += 1.0
    x *= 0.5
    j = x.astype(np.int64)  # floor; off by one at most, fixed exactly below
    i = j - 1
    i *= j
    i >>= 1
    np.subtract(l, i, out=i)
    bad = np.flatnonzero((i < 0) | (i >= j))
    if bad.size:
        j[bad] += np.where(i[bad] < 0, -1, 1)
        i[bad] = l[bad] - j[bad] * (j[bad] - 1) // 2
    return i, j


def complete(n: int) -> Graph:
    """The implicit complete graph on n people.

    Examples
    --------
    >>> complete(4).count_adopted(np.array([True, False, True, False]))
    array([1, 2, 1, 2], dtype=int32)
    """
    _require(isinstance(n, Integral) and n >= 1, "n", "an integer >= 1", n)
    return Graph(n, complete=True)


def erdos_renyi(n: int, mean_degree: float, rng: np.random.Generator) -> Graph:
    """Exact G(n, p) with p = mean_degree / (n - 1), by geometric skipping.

    Gaps between kept pairs of the linearised upper triangle are geometric, so
    the edges come out sorted without a sort: about 0.35 s for n = 10^6, mean
    degree 10 (one core); n = 10^7 takes a few seconds and peaks near 0.8 GB,
    1.6 times the graph it returns.

    Examples
    --------
    >>> g = erdos_renyi(2000, 6, np.random.default_rng(1))
    >>> bool(abs(g.in_degree.mean() - 6) < 0.5)
    True
    """
    _require(isinstance(n, Integral) and n >= 1, "n", "an integer >= 1", n)
    _require(0 <= mean_degree <= n - 1, "mean_degree", f"a number in [0, n-1 = {n - 1}]",
             mean_degree)
    n = int(n)
    L, p = n * (n - 1) // 2, (mean_degree / (n - 1) if n > 1 else 0.0)
    if compiled.use(n):
        return _erdos_renyi_counted(n, L, p, rng)
    mu = L * p
    cap = int(min(L, mu + 8 * math.sqrt(mu * (1 - p)) + 64))
    lo, k = np.empty(cap, np.int32), 0
    lo_ptr = np.zeros(n + 1, np.int64)  # pairs come sorted by (j, i): the lower triangle
    for pos in _skip_positions(L, p, rng):
        if k + pos.size > lo.size:  # beyond 8 standard deviations: grow
            lo = np.concatenate([lo[:k], np.empty(pos.size + k // 4 + 1, np.int32)])
        for s in range(0, pos.size, csr._BLOCK):  # cache-sized blocks
            i, j = _unrank_pairs(pos[s:s + csr._BLOCK])
            lo[k:k + i.size] = i
            k += i.size
            _sorted_counts(j, n, out=lo_ptr[1:])
    np.cumsum(lo_ptr, out=lo_ptr)
    indptr, indices = _symmetric(n, lo_ptr, lo[:k])
    return Graph(n, indptr, indices)


def _erdos_renyi_counted(n: int, L: int, p: float, rng: np.random.Generator) -> Graph:
    """:func:`erdos_renyi` by a counting sort in two passes over the same draws (compiled; the same graph).

    The first pass counts each person's contacts, the second writes every
    pair into both of its rows: pairs come in the order (j, i) of the lower
    triangle, so each row receives its smaller contacts (when its own j comes)
    before its larger ones (each at its j), both in increasing order, which is
    the sorted CSR. The first pass's draws are kept for the second where
    memory allows it (4 bytes a pair; 4 s of 37 at 6.8e7 people), else the
    generator is wound back and they are drawn again; either way it ends
    where one pass leaves it. Peak memory: the graph, 4 bytes a person more
    while counting, and one chunk of draws (or the kept draws, let go while the rows fill).
    """
    state = rng.bit_generator.state
    kept = [] if memory.fits_now(12 * (L * p + n)) else None  # the draws beside the graph's 12 bytes a pair, a person
    degree = compiled.pair_degrees(_skip_gaps(L, p, rng), n, L, kept)
    size = int(degree.sum(dtype=np.int64))
    kind = np.int32 if size < 2**31 - 1 else np.int64  # row pointers in 32 bits where every position fits
    ptr = np.zeros(n + 1, kind)
    np.cumsum(degree[:-1], dtype=kind, out=ptr[2:])  # ptr[v + 1] = row v's start: the cursor, advanced to its end
    indices = np.empty(size, np.int32)
    del degree
    if kept:
        chunks = drain(kept)  # the generator is where one pass leaves it
    else:
        rng.bit_generator.state = state
        chunks = _skip_gaps(L, p, rng)
    compiled.pair_fill(chunks, ptr[1:], indices, L)
    ptr = compact_indptr(ptr)
    return Graph(n, ptr[:n + 1], indices)


def equal_sizes(n: int, communities: int) -> list[int]:
    """Split ``n`` people into ``communities`` near-equal blocks (the first ones one larger).

    Examples
    --------
    >>> equal_sizes(10, 3)
    [4, 3, 3]
    """
    base, extra = divmod(int(n), int(communities))
    return [base + (1 if b < extra else 0) for b in range(int(communities))]


def stochastic_block(sizes, p_in: float, p_out: float, rng: np.random.Generator) -> Graph:
    """Stochastic block model; ``segments`` are the block ids.

    Examples
    --------
    >>> g = stochastic_block([50, 50], 0.2, 0.01, np.random.default_rng(1))
    >>> g.n, g.segment_names, np.bincount(g.segments).tolist()
    (100, ['0', '1'], [50, 50])
    """
    ok = len(sizes) >= 1 and all(isinstance(s, Integral) and s >= 1 for s in sizes)
    _require(ok, "sizes", "a non-empty list of integers >= 1", sizes)
    _require(0 <= p_in <= 1, "p_in", "a probability in [0, 1]", p_in)
    _require(0 <= p_out <= 1, "p_out", "a probability in [0, 1]", p_out)
    sizes = [int(s) for s in sizes]
    offs = np.concatenate([[0], np.cumsum(sizes)])
    src, dst = [], []
    for b, s in enumerate(sizes):
        for pos in _skip_positions(s * (s - 1) // 2, p_in, rng):
            i, j = _unrank_pairs(pos)
            src.append((i + offs[b]).astype(np.int32))
            dst.append((j + offs[b]).astype(np.int32))
        for c in range(b + 1, len(sizes)):
            for pos in _skip_positions(s * sizes[c], p_out, rng):
                src.append((pos // sizes[c] + offs[b]).astype(np.int32))
                dst.append((pos % sizes[c] + offs[c]).astype(np.int32))

    def cat(a):
        return np.concatenate(a) if a else np.zeros(0, np.int32)

    seg = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    return from_edges(int(offs[-1]), cat(src), cat(dst), False, seg,
                      segment_names=[str(b) for b in range(len(sizes))], simple=True)


def _lattice(n: int, k: int):
    _require(isinstance(n, Integral) and n >= 3, "n", "an integer >= 3", n)
    _require(isinstance(k, Integral) and k >= 2 and k % 2 == 0 and k < n, "k",
             f"an even integer with 2 <= k < n = {n}", k)
    n, k = int(n), int(k)
    u = np.tile(np.arange(n, dtype=np.int64), k // 2)
    return u, (u + np.repeat(np.arange(1, k // 2 + 1), n)) % n


def ring(n: int, k: int) -> Graph:
    """Ring lattice: everyone linked to the k/2 nearest people on each side.

    Examples
    --------
    >>> ring(6, 2).in_neighbours(0)
    array([1, 5], dtype=int32)
    """
    u, v = _lattice(n, k)
    return from_edges(n, u, v, simple=True)


def watts_strogatz(n: int, k: int, rewire: float, rng: np.random.Generator,
                   max_rounds: int = 100) -> Graph:
    """Small world: each ring edge (u, u+d) moves to (u, w), w uniform, w.p. ``rewire``.

    Follows Watts & Strogatz (1998) in distribution, not networkx's sequential
    order: all edges are rewired at once, proposals that make a self-loop or an
    existing edge (including any original lattice edge) are redrawn, and
    after ``max_rounds`` the rest keep their original edge. n*k/2 edges always.

    Examples
    --------
    >>> g = watts_strogatz(100, 4, 0.3, np.random.default_rng(1))
    >>> g.n_edges, int(g.in_degree.min()) >= 2
    (200, True)
    """
    _require(0 <= rewire <= 1, "rewire", "a probability in [0, 1]", rewire)
    u, v = _lattice(n, k)
    todo = np.flatnonzero(rng.random(u.size) < rewire)
    taken = np.sort(np.minimum(u, v) * n + np.maximum(u, v))
    for _ in range(max_rounds):
        if todo.size == 0:
            break
        uu, w = u[todo], rng.integers(0, n, todo.size)
        key = np.minimum(uu, w) * n + np.maximum(uu, w)
        at = np.minimum(np.searchsorted(taken, key), taken.size - 1)
        cand = np.flatnonzero((w != uu) & (taken[at] != key))
        first = cand[np.unique(key[cand], return_index=True)[1]]  # one per new edge
        v[todo[first]] = w[first]
        taken = np.sort(np.concatenate([taken, key[first]]), kind="stable")
        todo = np.delete(todo, first)
    return from_edges(n, u, v, simple=True)


def _distinct_rows(t: np.ndarray):
    """Sorted distinct values of each short row of ``t`` (R x m).

    Returns the number kept per row and the kept values, row after row.

    Examples
    --------
    >>> _distinct_rows(np.array([[3, 1, 3], [2, 0, 1]]))
    (array([2, 3]), array([1, 3, 0, 1, 2]))
    """
    m = t.shape[1]
    if m > 16:
        t = np.sort(t, axis=1)
        keep = np.ones(t.shape, dtype=bool)
        np.not_equal(t[:, 1:], t[:, :-1], out=keep[:, 1:])
        return keep.sum(axis=1), t[keep]
    c = np.ascontiguousarray(t.T)  # one contiguous row per column: fast whole-column steps
    for rnd in range(m):  # odd-even transposition sorting network
        for j in range(rnd % 2, m - 1, 2):
            lo = np.minimum(c[j], c[j + 1])
            np.maximum(c[j], c[j + 1], out=c[j + 1])
            c[j] = lo
    keep = np.ones(c.shape, dtype=bool)
    np.not_equal(c[1:], c[:-1], out=keep[1:])
    return keep.sum(axis=0), c.T[keep.T]


def barabasi_albert(n: int, m: int, rng: np.random.Generator) -> Graph:
    """Preferential attachment: each new person links to m earlier ones.

    Starts from a star on m+1 nodes (centre 0). Vectorised with an endpoint
    list (positions 2e, 2e+1 = source, target of edge e): each edge of node t
    picks a uniform position among the endpoints of edges created before t's
    batch; an even pick is that edge's source, an odd pick its target. Edges
    are resolved front to back in blocks, so most picks land on an edge whose
    target is already known; picks inside the block are followed back first.
    Repeated picks within one batch collapse, so the mean degree is slightly
    under 2m for small n. n = 10^7, m = 5 builds in a few seconds (one core)
    and peaks near 0.8 GB, 1.7 times the graph it returns.

    Examples
    --------
    >>> g = barabasi_albert(1000, 3, np.random.default_rng(1))
    >>> bool(5.5 < g.in_degree.mean() <= 6), int(g.in_degree.max()) > 30
    (True, True)
    """
    _require(isinstance(m, Integral) and m >= 1, "m", "an integer >= 1", m)
    _require(isinstance(n, Integral) and n > m, "n", f"an integer > m = {m}", n)
    n, m = int(n), int(m)
    batches = n - m - 1  # node m+1+r adds edges m(r+1) .. m(r+2)-1, all from itself
    it = np.int32 if 2 * m * (batches + 1) < 2**31 else np.int64
    tgt = np.zeros(m * (batches + 1), np.int32)  # target of every edge; star edge e: e+1 -> 0
    r0 = 0
    while r0 < batches:
        first = m * (r0 + 1)  # block = batches r0..r1-1 = edges first..last-1
        r1 = min(batches, r0 + max(1, min(max(first // 8, csr._BLOCK // 4), csr._BLOCK * 4) // m))
        last = m * (r1 + 1)
        # node m+1+r picks among the 2m(r+1) endpoints before its batch; u*h < h exactly
        u = rng.random(last - first).reshape(-1, m)
        u *= (2.0 * m) * np.arange(r0 + 1, r1 + 1, dtype=np.float64)[:, None]
        pos = u.astype(it).ravel()
        del u
        inner = np.flatnonzero((pos >= 2 * first) & ((pos & 1) == 1))
        if inner.size:  # targets of edges in this block: follow their picks back
            pick = pos.copy()
            while inner.size:
                pos[inner] = pick[(pos[inner] >> 1) - first]
                inner = inner[(pos[inner] >= 2 * first) & ((pos[inner] & 1) == 1)]
        odd = np.flatnonzero(pos & 1)
        pos >>= 1  # the edge picked
        out = pos // m
        out += m  # even pick: the edge's source (node m + e // m for e >= m)
        out[odd] = tgt[pos[odd]]
        star = np.flatnonzero(pos < m)
        star = star[out[star] != 0]  # even picks of star edges (odd ones hit the centre 0)
        out[star] = pos[star] + 1
        tgt[first:last] = out
        r0 = r1
    # sort and deduplicate each batch, compacting tgt in place into the lower triangle
    lo_ptr = np.zeros(n + 1, np.int64)
    lo_ptr[2:m + 2] = 1  # star leaves list the centre; tgt[:m] is already 0
    w = m
    step = max(1, csr._BLOCK // m)
    for r0 in range(0, batches, step):
        r1 = min(batches, r0 + step)
        lo_ptr[m + 2 + r0:m + 2 + r1], kept = _distinct_rows(
            tgt[m * (r0 + 1):m * (r1 + 1)].reshape(-1, m))
        tgt[w:w + kept.size] = kept  # a copy: w <= the block's start
        w += kept.size
    np.cumsum(lo_ptr, out=lo_ptr)
    indptr, indices = _symmetric(n, lo_ptr, tgt[:w])
    return Graph(n, indptr, indices)


def _ranks(u: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Ranks 0..size-1 drawn with weight 1/sqrt(rank + 1), from uniforms ``u`` (overwritten).

    The inverse of the continuous weight's distribution: rank = (1 + u (sqrt(size + 1) - 1))² - 1, rounded
    down (a square and no power, so a draw costs a few operations).

    Examples
    --------
    >>> _ranks(np.array([0.0, 0.5, 0.999999]), np.array([100, 100, 100])).tolist()
    [0, 29, 99]
    """
    u *= np.sqrt(size + 1.0) - 1.0
    u += 1.0
    u *= u
    u -= 1.0
    return np.minimum(u.astype(np.int64), size - 1)


def communities(n: int, count: int, mean_degree: float, mixing: float, rng: np.random.Generator) -> Graph:
    """Communities with heavy-tailed degrees: a degree-corrected block model (Karrer & Newman 2011).

    People are split into ``count`` near-equal communities of consecutive ids
    (:func:`equal_sizes`; ``segments`` are the community ids). Within its
    community, the person of rank k (k = 0 for the community's first id) has
    an expected degree proportional to 1/sqrt(k + 1): a degree distribution
    with a power-law tail of exponent 3, as under preferential attachment,
    with a few hubs in every community. Each community draws
    ``round(size × mean_degree × (1 - mixing) / 2)`` links inside it (both
    ends drawn by weight) and ``round(size × mean_degree × mixing / 2)`` to a
    uniformly chosen other community (the far end drawn by weight there), so
    a share ``mixing`` of everyone's links leave their community. Repeated
    links are merged and self-loops dropped, so the mean degree comes out a
    little under ``mean_degree`` (hubs pair up more than once).

    Links are drawn community by community, so most of a build's writes stay
    within a few communities' rows: with Numba, the arrays are filled by a
    counting sort in two passes over the same draws (:func:`sim.compiled.edges_csr`)
    and peak memory is the graph and one chunk of draws; without it, every
    link is held at once (:func:`sim.networks.from_edges`). Same graph either way.

    Examples
    --------
    >>> g = communities(20_000, 20, 10, 0.2, np.random.default_rng(1))
    >>> bool(9 < g.in_degree.mean() <= 10), int(g.in_degree.max()) > 100, g.segment_names[:2]
    (True, True, ['0', '1'])
    >>> same = (g.segments[np.repeat(np.arange(g.n), g.in_degree)] == g.segments[g.in_indices]).mean()
    >>> bool(0.75 < same < 0.85)
    True
    """
    _require(isinstance(n, Integral) and n >= 2, "n", "an integer >= 2", n)
    _require(isinstance(count, Integral) and 1 <= count <= n // 2, "communities",
             f"an integer in [1, n/2 = {n // 2}] (two people or more each)", count)
    _require(0 <= mean_degree <= 1000, "mean_degree", "a number in [0, 1000]", mean_degree)
    _require(0 <= mixing <= 1, "mixing", "a share in [0, 1]", mixing)
    n, count = int(n), int(count)
    sizes = np.array(equal_sizes(n, count), dtype=np.int64)
    offs = np.zeros(count + 1, np.int64)
    np.cumsum(sizes, out=offs[1:])
    mix = mixing if count > 1 else 0.0
    inner = np.rint(sizes * (mean_degree * (1 - mix) / 2)).astype(np.int64)
    outer = np.rint(sizes * (mean_degree * mix / 2)).astype(np.int64)
    per = max(1, csr._BLOCK * 16 // max(1, int(inner[0] + outer[0])))  # communities per chunk of draws
    state = rng.bit_generator.state
    fast = compiled.use(n)

    def pairs(own, u, far):
        if fast:  # one compiled pass, the same arithmetic
            a, b = np.empty(own.size, np.int32), np.empty(own.size, np.int32)
            compiled.kernel("block_pairs")(own, u, offs, sizes, count, far, a, b)
            return a, b
        a = (offs[own] + _ranks(u[0], sizes[own])).astype(np.int32)
        if not far:
            return a, (offs[own] + _ranks(u[1], sizes[own])).astype(np.int32)
        other = (own + 1 + (u[1] * (count - 1)).astype(np.int64)) % count
        return a, (offs[other] + _ranks(u[2], sizes[other])).astype(np.int32)

    def chunks():
        rng.bit_generator.state = state
        for c0 in range(0, count, per):
            c = np.arange(c0, min(count, c0 + per))
            own = np.repeat(c, inner[c])
            yield pairs(own, rng.random((2, own.size)), False)
            own = np.repeat(c, outer[c])
            yield pairs(own, rng.random((3, own.size)), True)

    seg = np.repeat(np.arange(count, dtype=np.int32), sizes)
    names = [str(b) for b in range(count)]
    if fast:
        drawn = int(inner.sum() + outer.sum())  # kept between the passes (8 bytes each) where memory allows it
        indptr, indices = compiled.edges_csr(chunks, n, keep=memory.fits_now(16 * drawn + 12 * n))
        return Graph(n, indptr, indices, segments=seg, segment_names=names)
    drawn = list(chunks())
    src = np.concatenate([a for a, _ in drawn]) if drawn else np.zeros(0, np.int32)
    dst = np.concatenate([b for _, b in drawn]) if drawn else np.zeros(0, np.int32)
    return from_edges(n, src, dst, False, seg, segment_names=names)
