"""Random sequential interactions compiled with Numba, where it is installed (``pip install 'bouche[fast]'``).

The same ticks as :mod:`sim.rules.ticks` runs in NumPy batches, one after
another in compiled loops: the partner of each tick from the same pre-drawn
uniform, the same arithmetic, so the same opinions bit for bit
(``tests/test_opinions.py`` compares the two). :data:`AVAILABLE` says whether
Numba could be imported; the rules fall back on the NumPy batches without it.
Kernels are compiled on first use (about a second each) and cached on disk.
"""

from __future__ import annotations

import numpy as np

__all__ = ["AVAILABLE", "voter", "deffuant", "biased", "edges_settled"]

try:  # optional: the NumPy batches give the same numbers without it
    import numba
except ImportError:  # pragma: no cover - exercised where Numba is missing
    numba = None

AVAILABLE = numba is not None


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn) if AVAILABLE else None


def _partner(i, v, n, indptr, indices, complete):  # a uniform random contact, -1 for none
    if complete:
        return (i + 1 + int(v * (n - 1))) % n if n > 1 else -1
    start = indptr[i]
    deg = indptr[i + 1] - start
    if deg == 0:
        return -1
    k = int(v * deg)
    return indices[start + (k if k < deg - 1 else deg - 1)]


_partner_jit = _jit(_partner)


def _voter(x, zealot, actors, u, indptr, indices, complete):
    n = len(x)
    for t in range(len(actors)):
        i = actors[t]
        j = _partner_jit(i, u[t], n, indptr, indices, complete)
        if j >= 0 and not zealot[i]:
            x[i] = x[j]


def _meet(x, zealot, i, j, eps, mu):
    d = x[j] - x[i]
    if abs(d) < eps:
        step = d * mu
        if not zealot[i]:
            x[i] += step
        if not zealot[j]:
            x[j] -= step


_meet_jit = _jit(_meet)


def _deffuant(x, zealot, actors, u, indptr, indices, complete, eps, mu):
    n = len(x)
    for t in range(len(actors)):
        i = actors[t]
        j = _partner_jit(i, u[t], n, indptr, indices, complete)
        if j >= 0:
            _meet_jit(x, zealot, i, j, eps, mu)


def _weight(a, gamma):  # a ** -gamma as NumPy's ** computes it (a reciprocal for -1)
    if gamma == 1.0:
        return 1.0 / a
    return a ** (-gamma)


_weight_jit = _jit(_weight)


def _biased(x, zealot, actors, u, indptr, indices, complete, eps, mu, gamma, soft):
    n = len(x)
    w = np.empty(n if complete else max(1, int((indptr[1:] - indptr[:-1]).max()) if n else 1))
    for t in range(len(actors)):
        i = actors[t]
        if complete:
            count = 0
            for k in range(n):
                if k != i:
                    w[count] = _weight_jit(abs(x[i] - x[k]) + soft, gamma)
                    count += 1
        else:
            start = indptr[i]
            count = indptr[i + 1] - start
            for k in range(count):
                w[k] = _weight_jit(abs(x[i] - x[indices[start + k]]) + soft, gamma)
        if count == 0:
            continue
        total = 0.0
        for k in range(count):
            total += w[k]
            w[k] = total
        target = u[t] * total
        k = 0
        while k < count - 1 and w[k] <= target:  # searchsorted(..., side="right")
            k += 1
        if complete:
            j = k if k < i else k + 1
        else:
            j = indices[indptr[i] + k]
        _meet_jit(x, zealot, i, j, eps, mu)


voter, deffuant, biased = _jit(_voter), _jit(_deffuant), _jit(_biased)


def _edges_settled(x, rows, cols, gap, eps):  # every pair of contacts agrees (within gap) or is out of reach
    for e in range(len(rows)):
        d = abs(x[rows[e]] - x[cols[e]])
        if gap < d < eps:
            return False
    return True


edges_settled = _jit(_edges_settled)
