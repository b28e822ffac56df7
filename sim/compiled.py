"""Compiled loops for country-sized populations, where Numba is installed (``pip install 'bouche[fast]'``).

Each kernel here does in one pass what the NumPy code of the same name does
in several, with the same result bit for bit: the NumPy code stays the
reference (and the way without Numba), and the tests compare the two.

- :func:`pair_degrees` and :func:`pair_fill` build a symmetric CSR straight
  from the sorted pair positions of an Erdős–Rényi draw (a counting sort:
  each row's entries arrive in increasing order, so no sort is needed);
- :func:`edges_csr` does the same for any pairs given in chunks (the
  community graph), then sorts each row and drops repeats and self-loops;
- :func:`push` adds a push to the counts of the contacts of new adopters and
  reports the people whose count reached their need (the count rules), or
  refreshes a hazard ``counts × weight`` (Bass), or hands back every hit;
- :func:`pull` recounts everyone's adopted contacts in one sequential pass
  over the edges, which is cheaper than pushing once a step's adopters reach
  a fifth of them (a direction-optimising step, as in Beamer et al.'s
  breadth-first search, SC 2012).

:data:`AVAILABLE` says whether Numba can be imported. Kernels are compiled on
first use and cached on disk (a second or two the first time).
"""

from __future__ import annotations

import importlib.util
import math

import numpy as np

__all__ = ["AVAILABLE", "FROM", "use", "kernel", "pair_degrees", "pair_fill", "edges_csr", "push", "pull",
           "bass_decide", "narrow", "PUSH_HITS", "PUSH_NEED", "PUSH_TERM", "PUSH_COUNT", "PULL_FROM"]

AVAILABLE = importlib.util.find_spec("numba") is not None and importlib.util.find_spec("llvmlite") is not None
FROM = 100_000  # people from which the compiled paths are taken (below, NumPy is as quick and Numba's import is not)
_KERNELS: dict = {}
_rank_jit = None  # the compiled _rank, which _block_pairs calls (set by kernel)

# what :func:`push` does besides counting: list every hit, list who reached their need, refresh a hazard, nothing
PUSH_HITS, PUSH_NEED, PUSH_TERM, PUSH_COUNT = 0, 1, 2, 3
PULL_FROM = 1 / 5  # share of all edges a step's pushes reach from which recounting everyone (pull) is cheaper


def use(n: int) -> bool:
    """Whether to take the compiled path for a population of ``n`` (Numba installed and n >= :data:`FROM`).

    Either path gives the same numbers; below :data:`FROM` people the NumPy code is about as quick, and a
    short run would spend more on importing Numba (about half a second) than it saves.
    """
    return AVAILABLE and n >= FROM


def kernel(name: str):
    """The compiled kernel ``name`` (all of this module's kernels compile on the first call)."""
    if not _KERNELS:
        import numba

        jit = numba.njit(cache=True, nogil=True)
        global _rank_jit
        _rank_jit = jit(_rank)
        _KERNELS.update(block_pairs=jit(_block_pairs), pair_degrees=jit(_pair_degrees), pair_fill=jit(_pair_fill),
                        push=jit(_push), pull=jit(_pull), edge_degrees=jit(_edge_degrees), edge_fill=jit(_edge_fill),
                        rows_distinct=jit(_rows_distinct), bass=jit(_bass))
    return _KERNELS[name]


def _pair_degrees(pos, j, s, cnt):
    # pos: sorted linear upper-triangle indices l = s_j + i (s_j = j(j-1)/2, i < j); (j, s) the row of the
    # last pair seen: positions only grow, so the row is found by stepping forward (no square roots)
    for k in range(len(pos)):
        l = pos[k]
        while l >= s + j:
            s += j
            j += 1
        cnt[l - s] += 1
        cnt[j] += 1
    return j, s


def _pair_fill(pos, j, s, cursor, out):
    for k in range(len(pos)):
        l = pos[k]
        while l >= s + j:
            s += j
            j += 1
        i = l - s
        out[cursor[j]] = i
        cursor[j] += 1
        out[cursor[i]] = j
        cursor[i] += 1
    return j, s


def _push(indptr, indices, new, n, counts, sign, mode, need, adopted, term, weight, out):
    # new: sorted flat people (replicate r's person i is r*n + i); rows of the shared graph
    k = 0
    for a in range(len(new)):
        flat = new[a]
        base = (flat // n) * n
        row = flat - base
        for e in range(indptr[row], indptr[row + 1]):
            v = base + indices[e]
            c = counts[v] + sign
            counts[v] = c
            if mode == 0:
                out[k] = v
                k += 1
            elif mode == 1:
                if c == need[v] and not adopted[v]:
                    out[k] = v
                    k += 1
            elif mode == 2:
                term[v] = c * weight[v]
    return k


def _pull(indptr, indices, n, bits, counts):
    # counts[r*n + v] = the adopted in-contacts of v in replicate r; bits: adopted, packed (little bit order)
    R = len(counts) // n
    for r in range(R):
        base = r * n
        for v in range(n):
            c = 0
            for e in range(indptr[v], indptr[v + 1]):
                u = base + indices[e]
                c += (bits[u >> 3] >> (u & 7)) & 1
            counts[base + v] = c


def pull(indptr, indices, n: int, adopted, counts) -> None:
    """Recount everyone's adopted contacts from ``adopted`` along the incoming rows (one sequential pass).

    The same counts as pushing every adoption so far, found by reading each
    edge once in order against a bit per person (an eighth of a byte, so the
    people's bits stay in cache): cheaper than a push once a step's pushes
    reach a fifth of the edges (:data:`PULL_FROM`: a push moves a count at random, a
    pull reads an edge in order and a bit at random: 26 against 5.1 ns an edge at 6.8e7 people).
    """
    kernel("pull")(indptr, indices, n, np.packbits(adopted, bitorder="little"), counts)


def _edge_degrees(u, v, cnt):
    for k in range(len(u)):
        cnt[u[k]] += 1
        cnt[v[k]] += 1


def _edge_fill(u, v, cursor, out):
    for k in range(len(u)):
        a, b = u[k], v[k]
        out[cursor[a]] = b
        cursor[a] += 1
        out[cursor[b]] = a
        cursor[b] += 1


def _rank(u, size):  # as sim.networks.generators._ranks, one draw
    x = u * (math.sqrt(size + 1.0) - 1.0) + 1.0
    x = x * x - 1.0
    k = np.int64(x)
    return k if k < size - 1 else size - 1


def _block_pairs(own, u, offs, sizes, count, far, a, b):
    # the pairs of sim.networks.generators.communities for one chunk: inside (far False) or to another community
    for e in range(len(own)):
        c = own[e]
        a[e] = offs[c] + _rank_jit(u[0, e], sizes[c])
        if far:
            d = (c + 1 + np.int64(u[1, e] * (count - 1))) % count
            b[e] = offs[d] + _rank_jit(u[2, e], sizes[d])
        else:
            b[e] = offs[c] + _rank_jit(u[1, e], sizes[c])


def _rows_distinct(ptr, out):
    # sort each row, drop repeats and the row's own id, close the gaps (writes never pass the reads)
    n = len(ptr) - 1
    w = 0
    start = ptr[0]
    for r in range(n):
        end = ptr[r + 1]
        row = out[start:end]
        if end - start <= 32:  # insertion sort: most rows are short
            for i in range(1, end - start):
                x = row[i]
                j = i - 1
                while j >= 0 and row[j] > x:
                    row[j + 1] = row[j]
                    j -= 1
                row[j + 1] = x
        else:
            row.sort()
        first = w
        for k in range(end - start):
            x = row[k]
            if x != r and (w == first or out[w - 1] != x):
                out[w] = x
                w += 1
        ptr[r] = first
        start = end
    ptr[n] = w
    return w


def edges_csr(chunks, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The symmetric CSR (rows sorted, no repeats, no self-loops) of the pairs an iterable yields.

    ``chunks`` is a function returning a fresh iterator of ``(u, v)`` arrays,
    the same pairs each time (it is walked twice: counting, then filling).
    The same arrays as :func:`sim.networks.from_edges` on all the pairs at once,
    without holding them: peak memory is the graph with its repeats, and one chunk.
    """
    cnt = np.zeros(n, np.int32)
    for u, v in chunks():
        kernel("edge_degrees")(u, v, cnt)
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(cnt[:-1], dtype=np.int64, out=ptr[2:])
    out = np.empty(int(ptr[-1]) + int(cnt[-1]), np.int32)
    del cnt
    for u, v in chunks():
        kernel("edge_fill")(u, v, ptr[1:], out)
    w = kernel("rows_distinct")(ptr, out)
    return narrow(ptr), (out[:w].copy() if w < 0.9 * len(out) else out[:w])


def narrow(ptr: np.ndarray) -> np.ndarray:
    """Row pointers in int32 when every position fits (4 bytes a person instead of 8), else as they are.

    Examples
    --------
    >>> narrow(np.array([0, 3, 5])).dtype, narrow(np.array([0, 2**31])).dtype
    (dtype('int32'), dtype('int64'))
    """
    return ptr.astype(np.int32) if len(ptr) and int(ptr[-1]) < 2**31 - 1 else ptr


def _bass(u, media, media_each, term, dt, adopted, among, use_among, by_media, by_wom):
    # sim.rules.bass.bass_adopters in one pass: the same operations on each person, in the same order
    k_m = k_w = 0
    count = len(among) if use_among else len(u)
    for a in range(count):
        i = among[a] if use_among else a
        m = media[i] if media_each else media[0]
        total = m + term[i]
        rate = total if dt == 1.0 else total * dt
        if u[i] < rate and not adopted[i]:
            prob = rate if rate < 1.0 else 1.0
            if m != 0.0 and u[i] < prob * (m / total):
                by_media[k_m] = i
                k_m += 1
            else:
                by_wom[k_w] = i
                k_w += 1
    return k_m, k_w


def bass_decide(u, media_term, term, dt: float, adopted, among=None):
    """:func:`sim.rules.bass.bass_adopters` in one compiled pass: the same adopters by channel, bit for bit."""
    size = len(u) if among is None else len(among)
    media = np.zeros(1) if media_term is None else np.atleast_1d(np.asarray(media_term, dtype=np.float64))
    by_media, by_wom = np.empty(size, np.int64), np.empty(size, np.int64)
    k_m, k_w = kernel("bass")(u, media, media.size > 1, term, float(dt), adopted,
                              np.zeros(1, np.int64) if among is None else among, among is not None, by_media, by_wom)
    return by_media[:k_m].copy(), by_wom[:k_w].copy()


def pair_degrees(chunks, n: int) -> np.ndarray:
    """Each person's number of pairs (int32), from chunks of sorted linear upper-triangle indices.

    ``l = j(j-1)/2 + i`` is the pair i < j (as :func:`sim.networks.generators._unrank_pairs`).
    """
    cnt, row = np.zeros(n, np.int32), (1, 0)
    for pos in chunks:
        row = kernel("pair_degrees")(pos, row[0], row[1], cnt)
    return cnt


def pair_fill(chunks, cursor: np.ndarray, out: np.ndarray) -> None:
    """Write each pair of ``chunks`` into both of its rows at ``cursor`` (row starts, advanced in place)."""
    row = (1, 0)
    for pos in chunks:
        row = kernel("pair_fill")(pos, row[0], row[1], cursor, out)


def push(indptr, indices, new, n: int, counts, sign: int, mode: int, need=None, adopted=None, term=None,
         weight=None, out=None) -> int:
    """Add ``sign`` to ``counts[v]`` for every contact v of the people ``new``; see the module's summary.

    ``mode`` is :data:`PUSH_HITS` (``out`` receives every hit, in the order
    :func:`sim.arrays.gather_rows` lists them), :data:`PUSH_NEED` (``out``
    receives the non-adopters whose count just became ``need[v]``) or
    :data:`PUSH_TERM` (``term[v] = counts[v] * weight[v]`` after each hit) or
    :data:`PUSH_COUNT` (nothing more).
    Returns how many entries of ``out`` were written.
    """
    none_i, none_b, none_f = np.zeros(1, np.int32), np.zeros(1, np.bool_), np.zeros(1, np.float64)
    return kernel("push")(indptr, indices, new, n, counts, counts.dtype.type(sign), mode,
                          none_i if need is None else need, none_b if adopted is None else adopted,
                          none_f if term is None else term, none_f if weight is None else weight,
                          np.zeros(1, np.int64) if out is None else out)
