"""Counter-based coins: the uniform of item ``i`` of a stream, computed on demand.

The independent cascade tries each edge at most once, when its source first
adopts. Drawing every edge's coin up front (10^8 uniforms for a graph of 10^7
people) costs more than the whole cascade, which usually touches a small part
of the graph. Here the coin of edge ``e`` is a pure function of a 64-bit key
and ``e``, so it is computed only for the edges a cascade actually tries, in
any order, on the CPU or the GPU, with the same result:

- the key comes from the run's named stream ``wom.edges`` (one draw), so twin
  runs share their coins (common random numbers) and replicates differ;
- the uniform is SplitMix64 (Steele, Lea & Flood 2014) at counter ``e + 1``:
  the state ``key + (e + 1)·γ`` with γ = 0x9E3779B97F4A7C15 through its 64-bit
  finaliser, whose top 53 bits give a double in [0, 1). That is exactly the
  ``e + 1``-th output of a SplitMix64 generator seeded with ``key``, a
  generator that passes BigCrush;
- all arithmetic is on unsigned 64-bit integers, which wrap alike in NumPy and
  CuPy, so the GPU gives bit-identical coins.

References
----------
Steele, G. L., Lea, D. & Flood, C. H. (2014). Fast splittable pseudorandom number
generators. OOPSLA '14, 453–472.

Examples
--------
>>> key = coin_key(np.random.default_rng(1))
>>> u = uniforms(key, np.arange(5))
>>> bool(((0 <= u) & (u < 1)).all()), bool((uniforms(key, np.array([3])) == u[3]).all())
(True, True)
"""

from __future__ import annotations

import numpy as np

from sim.arrays import array_namespace

__all__ = ["coin_key", "uniforms", "live"]

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TWO_M53 = 2.0 ** -53


def coin_key(rng: np.random.Generator) -> int:
    """One 64-bit key drawn from ``rng`` (the run's ``wom.edges`` stream).

    Examples
    --------
    >>> coin_key(np.random.default_rng(0)) == coin_key(np.random.default_rng(0))
    True
    """
    return int(rng.integers(0, 2**64 - 1, dtype=np.uint64, endpoint=True))


def uniforms(key: int, positions) -> np.ndarray:
    """The uniforms in [0, 1) of ``positions`` (integers >= 0) under ``key``, as float64.

    Parameters
    ----------
    key : int or array of uint64
        From :func:`coin_key`; an array gives each position its own key.
    positions : array of int
        NumPy or CuPy; the result is of the same kind.

    Examples
    --------
    >>> u = uniforms(0, np.array([0]))  # SplitMix64 seeded with 0: first output 0xE220A8397B1DCDAF
    >>> int(u[0] * 2**53) == 0xE220A8397B1DCDAF >> 11
    True
    """
    xp = array_namespace(positions)
    z = positions.astype(xp.uint64)
    z += np.uint64(1)
    z *= _GAMMA
    z += np.uint64(key) if isinstance(key, int) else key
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    z >>= _S11
    return z.astype(xp.float64) * _TWO_M53


def live(key, positions, beta: float):
    """Boolean mask: which of ``positions`` transmit (their uniform is below ``beta``).

    Examples
    --------
    >>> live(5, np.arange(4), 1.0).tolist(), live(5, np.arange(4), 0.0).tolist()
    ([True, True, True, True], [False, False, False, False])
    """
    return uniforms(key, positions) < beta
