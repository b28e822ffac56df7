"""Uniform draws from many seed sequences at once, identical to numpy's, for large sampling designs.

A random design draws sample i from its own stream,
``Generator(PCG64(SeedSequence(seed, spawn_key=KEY + (i,)))).random(d)``, so
that asking for more samples keeps the earlier ones. Built one by one that
costs about 25 µs a sample (a million samples: half a minute). This module
computes the very same numbers for all samples together with numpy array
arithmetic: numpy's ``SeedSequence`` hash (32-bit words) and ``PCG64``
(128-bit state, XSL-RR output), spelled out from numpy's sources
(``numpy/random/bit_generator.pyx``, ``numpy/random/src/pcg64``), and checked
against numpy itself in the tests.

Examples
--------
>>> import numpy as np
>>> fast = uniform_rows(1969, (7, 11), np.arange(3), 2)
>>> slow = np.array([np.random.Generator(np.random.PCG64(np.random.SeedSequence(1969, spawn_key=(7, 11, i))))
...                  .random(2) for i in range(3)])
>>> bool((fast == slow).all())
True
"""

from __future__ import annotations

import numpy as np

__all__ = ["uniform_rows"]

_U32 = np.uint32
_U64 = np.uint64
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4
_M32 = 0xFFFFFFFF
_MULT_HI, _MULT_LO = _U64(2549297995355413924), _U64(4865540595714422341)  # PCG's default 128-bit multiplier
_CHUNK = 1 << 17


def _words(n: int) -> list[int]:
    """An integer >= 0 as little-endian 32-bit words (numpy's ``_int_to_uint32_array``)."""
    if n == 0:
        return [0]
    out = []
    while n > 0:
        out.append(n & _M32)
        n >>= 32
    return out


def _pools(entropy: list[np.ndarray]) -> list[np.ndarray]:
    """The 4-word pools of many SeedSequences, one entropy word (a column over the sequences) at a time.

    The hash constant evolves the same way for every sequence (it depends
    on the number of words only), so it is a Python int here.
    """
    const = _INIT_A

    def hashmix(value):
        nonlocal const
        value = value ^ _U32(const)
        const = (const * _MULT_A) & _M32
        value = value * _U32(const)
        return value ^ (value >> _U32(16))

    def mix(x, y):
        result = _U32(_MIX_L) * x - _U32(_MIX_R) * y
        return result ^ (result >> _U32(16))

    zero = np.zeros_like(entropy[0])
    pool = [hashmix(entropy[i] if i < len(entropy) else zero) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(entropy)):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(entropy[src]))
    return pool


def _state_words(pool: list[np.ndarray], n_words: int) -> list[np.ndarray]:
    """``SeedSequence.generate_state(n_words // 2, uint64)`` as 64-bit columns."""
    const = _INIT_B
    out32 = []
    for i in range(2 * n_words):
        value = pool[i % _POOL] ^ _U32(const)
        const = (const * _MULT_B) & _M32
        value = value * _U32(const)
        out32.append(value ^ (value >> _U32(16)))
    return [out32[2 * i].astype(_U64) | (out32[2 * i + 1].astype(_U64) << _U64(32)) for i in range(n_words)]


def _mulhi(a: np.ndarray, b: np.uint64) -> np.ndarray:
    """The high 64 bits of the 128-bit product of uint64 values."""
    m32 = _U64(_M32)
    a0, a1 = a & m32, a >> _U64(32)
    b0, b1 = b & m32, b >> _U64(32)
    p00, p01, p10, p11 = a0 * b0, a0 * b1, a1 * b0, a1 * b1
    mid = (p00 >> _U64(32)) + (p01 & m32) + (p10 & m32)
    return p11 + (p01 >> _U64(32)) + (p10 >> _U64(32)) + (mid >> _U64(32))


def _step(hi, lo, inc_hi, inc_lo):
    """One PCG step: state = state * multiplier + inc (mod 2^128)."""
    new_lo = lo * _MULT_LO
    new_hi = _mulhi(lo, _MULT_LO) + lo * _MULT_HI + hi * _MULT_LO
    out_lo = new_lo + inc_lo
    carry = (out_lo < new_lo).astype(_U64)
    return new_hi + inc_hi + carry, out_lo


def _output(hi, lo):
    """PCG64's XSL-RR output of a 128-bit state."""
    value = hi ^ lo
    rot = hi >> _U64(58)
    return (value >> rot) | (value << ((_U64(64) - rot) & _U64(63)))


def _rows(seed: int, key: tuple, index: np.ndarray, d: int) -> np.ndarray:
    run = _words(int(seed))
    run += [0] * (_POOL - len(run))  # numpy pads the entropy to the pool size when there is a spawn key
    fixed = run + [w for k in key for w in _words(int(k))]
    n = len(index)
    if (index >= 1 << 32).any():
        raise ValueError("sample indices must be < 2**32")
    entropy = [np.full(n, w, dtype=_U32) for w in fixed] + [index.astype(_U32)]
    with np.errstate(over="ignore"):
        s_hi, s_lo, i_hi, i_lo = _state_words(_pools(entropy), 4)
        inc_hi = (i_hi << _U64(1)) | (i_lo >> _U64(63))
        inc_lo = (i_lo << _U64(1)) | _U64(1)
        hi, lo = _step(np.zeros(n, _U64), np.zeros(n, _U64), inc_hi, inc_lo)
        lo_sum = lo + s_lo
        hi = hi + s_hi + (lo_sum < lo).astype(_U64)
        hi, lo = _step(hi, lo_sum, inc_hi, inc_lo)
        out = np.empty((n, d))
        for j in range(d):
            hi, lo = _step(hi, lo, inc_hi, inc_lo)
            out[:, j] = (_output(hi, lo) >> _U64(11)) * (1.0 / 9007199254740992.0)
    return out


def uniform_rows(seed: int, key: tuple, index: np.ndarray, d: int) -> np.ndarray:
    """Row i: ``Generator(PCG64(SeedSequence(seed, spawn_key=key + (index[i],)))).random(d)``.

    Parameters
    ----------
    seed : int
        Entropy of every sequence (an integer >= 0).
    key : tuple of int
        The spawn key they share, before the sample index.
    index : ndarray of int
        One sample index (>= 0, < 2**32) per row.
    d : int
        Draws per row.
    """
    index = np.asarray(index, dtype=np.int64)
    if (index < 0).any():
        raise ValueError("sample indices must be >= 0")
    parts = [_rows(seed, key, index[i:i + _CHUNK], d) for i in range(0, len(index), _CHUNK)]
    return np.concatenate(parts) if parts else np.empty((0, d))
