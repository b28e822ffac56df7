"""Compiled loops for country-sized populations, where Numba is installed (``pip install 'bouche[fast]'``).

Each kernel here does in one pass what the NumPy code of the same name does
in several, with the same result bit for bit: the NumPy code stays the
reference (and the way without Numba), and the tests compare the two.

- :func:`pair_degrees` and :func:`pair_fill` build a symmetric CSR straight
  from the sorted pair positions of an Erdős–Rényi draw (a counting sort:
  each row's entries arrive in increasing order, so no sort is needed);
- :func:`push` adds a push to the counts of the contacts of new adopters and
  reports the people whose count reached their need (the count rules), or
  refreshes a hazard ``counts × weight`` (Bass), or hands back every hit.

:data:`AVAILABLE` says whether Numba can be imported. Kernels are compiled on
first use and cached on disk (a second or two the first time).
"""

from __future__ import annotations

import importlib.util

import numpy as np

__all__ = ["AVAILABLE", "kernel", "pair_degrees", "pair_fill", "push", "PUSH_HITS", "PUSH_NEED", "PUSH_TERM",
           "PUSH_COUNT"]

AVAILABLE = importlib.util.find_spec("numba") is not None and importlib.util.find_spec("llvmlite") is not None
_KERNELS: dict = {}

# what :func:`push` does besides counting: list every hit, list who reached their need, refresh a hazard, nothing
PUSH_HITS, PUSH_NEED, PUSH_TERM, PUSH_COUNT = 0, 1, 2, 3


def kernel(name: str):
    """The compiled kernel ``name`` (all of this module's kernels compile on the first call)."""
    if not _KERNELS:
        import numba

        jit = numba.njit(cache=True, nogil=True)
        _KERNELS.update(pair_degrees=jit(_pair_degrees), pair_fill=jit(_pair_fill), push=jit(_push))
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
