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

import importlib.util

# optional: the NumPy batches give the same numbers without it. Imported, and the kernels compiled, on first use
# (importing Numba costs about half a second, which every command and sweep worker would otherwise pay)
AVAILABLE = importlib.util.find_spec("numba") is not None
_KERNELS: dict = {}
_partner_jit = _meet_jit = _weight_jit = None  # the compiled helpers, set by _compiled


def _compiled(name: str):
    """The compiled kernel ``name`` (compiling every kernel on the first call)."""
    if not _KERNELS:
        import numba

        jit = numba.njit(cache=True, nogil=True)
        g = globals()  # the kernels call each other through these module names, resolved when compiled
        g["_partner_jit"], g["_meet_jit"], g["_weight_jit"] = jit(_partner), jit(_meet), jit(_weight)
        _KERNELS.update(voter=jit(_voter), deffuant=jit(_deffuant), biased=jit(_biased),
                        edges_settled=jit(_edges_settled))
    return _KERNELS[name]


def _partner(i, v, n, indptr, indices, complete):  # a uniform random contact, -1 for none
    if complete:
        return (i + 1 + int(v * (n - 1))) % n if n > 1 else -1
    start = indptr[i]
    deg = indptr[i + 1] - start
    if deg == 0:
        return -1
    k = int(v * deg)
    return indices[start + (k if k < deg - 1 else deg - 1)]


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


def voter(*args) -> None:
    """Voter-model ticks: ``(x, zealot, actors, u, indptr, indices, complete)``."""
    _compiled("voter")(*args)


def deffuant(*args) -> None:
    """Bounded-confidence ticks: ``(x, zealot, actors, u, indptr, indices, complete, eps, mu)``."""
    _compiled("deffuant")(*args)


def biased(*args) -> None:
    """Algorithmic-bias ticks: ``(x, zealot, actors, u, indptr, indices, complete, eps, mu, gamma, soft)``."""
    _compiled("biased")(*args)


def _edges_settled(x, rows, cols, gap, eps):  # every pair of contacts agrees (within gap) or is out of reach
    for e in range(len(rows)):
        d = abs(x[rows[e]] - x[cols[e]])
        if gap < d < eps:
            return False
    return True


def edges_settled(x, rows, cols, gap, eps) -> bool:
    """Whether every pair of contacts agrees (within ``gap``) or lies out of reach (``eps`` or more apart)."""
    return bool(_compiled("edges_settled")(x, rows, cols, gap, eps))
