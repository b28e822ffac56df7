"""Building CSR arrays from edges: :func:`from_edges` and its vectorised kernels.

Every builder that stores arrays ends here: edges become ``int64`` row
pointers and ``int32`` column indices with sorted rows, by scipy's C counting
sort or by one in-place sort of int64 keys (:func:`_symmetric` turns the lower
triangle into the symmetric CSR inside the output's own memory). Long passes
stream in blocks of ``_BLOCK`` entries or ``_ROWS`` rows so that temporaries
stay in cache; the builders in :mod:`sim.networks.generators` read ``_BLOCK``
from here, so one setting sizes every block.
"""

from __future__ import annotations

import numpy as np
import scipy as sp
import scipy.sparse  # noqa: F401  (makes sp.sparse available)

from sim.networks.graph import Graph

__all__ = ["from_edges"]

_BLOCK = 1 << 18  # entries per block of streaming passes (temporaries stay in cache)
_ROWS = 1 << 15  # CSR rows per block when packing or interleaving rows
_LOW = np.int64(0xFFFFFFFF)  # low 32 bits of an int64 key


def _index_dtype(n: int, nnz: int):
    return np.int32 if max(n, nnz) < 2**31 - 1 else np.int64


def _indptr(counts: np.ndarray) -> np.ndarray:
    out = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def _arrays(A):
    return A.indptr.astype(np.int64), A.indices.astype(np.int32, copy=False)


def _csr(n: int, rows, cols):
    """CSR arrays (rows sorted) of distinct pairs via scipy's C counting sort."""
    it = _index_dtype(n, rows.size)
    return _arrays(sp.sparse.coo_array((np.ones(rows.size, dtype=bool), (
        rows.astype(it, copy=False), cols.astype(it, copy=False))), shape=(n, n)).tocsr())


def _sparse(n: int, indptr, indices) -> sp.sparse.csr_array:
    it = _index_dtype(n, indices.size)
    return sp.sparse.csr_array((np.ones(indices.size, dtype=bool), indices.astype(it, copy=False),
                                indptr.astype(it, copy=False)), shape=(n, n))


def _transpose(n: int, indptr, indices):
    return _arrays(_sparse(n, indptr, indices).T.tocsr())  # C counting sort, rows sorted


def _sorted_counts(keys: np.ndarray, n: int, shift: int = 0, out=None) -> np.ndarray:
    """Occurrences of each value in range(n) among the sorted ``keys >> shift``.

    ``np.bincount`` on sorted input without its full int64 copy of the keys:
    block by block, each block counted into the short range it spans.

    Examples
    --------
    >>> _sorted_counts(np.array([1, 1, 3], dtype=np.int32), 5)
    array([0, 2, 0, 1, 0])
    """
    counts = np.zeros(n, np.int64) if out is None else out
    for s in range(0, keys.size, _BLOCK):
        v = keys[s:s + _BLOCK] >> shift if shift else keys[s:s + _BLOCK]
        first = int(v[0])
        counts[first:int(v[-1]) + 1] += np.bincount(v - first)
    return counts


def _pack(ptr: np.ndarray, idx: np.ndarray, key: np.ndarray, index_high: bool) -> None:
    """Fill ``key`` with ``idx << 32 | row`` (index_high) or ``row << 32 | idx`` per CSR entry.

    Checks the lower-triangle promise ``idx < row`` that :func:`_symmetric` relies on.
    """
    n = ptr.size - 1
    for a in range(0, n, _ROWS):
        b = min(n, a + _ROWS)
        s, e = int(ptr[a]), int(ptr[b])
        if s == e:
            continue
        rows = np.repeat(np.arange(a, b, dtype=np.int64), np.diff(ptr[a:b + 1]))
        k = key[s:e]
        if index_high:
            k[:] = idx[s:e]
            if not (k < rows).all() or k.min() < 0:
                raise ValueError("the lower triangle must list 0 <= u < v in row v")
            k <<= 32
            k |= rows
        else:
            np.left_shift(rows, 32, out=k)
            k |= idx[s:e]


def _symmetric(n: int, lo_ptr, lo_idx, sorted_rows: bool = True):
    """Symmetric CSR (rows sorted) from the lower triangle (row v lists distinct u < v).

    Row v of the result is row v of the lower triangle followed by row v of its
    transpose: every u < v precedes every w > v, so sorted halves need no merge.
    The transpose is one in-place sort of the int64 keys ``u << 32 | v`` (which
    lists each column's entries in row order), done inside the output's own
    memory: rows are then written front to back, and the writes never pass the
    keys still to be read (row v's output starts at int32 offset lo_ptr[v] +
    up_ptr[v], its keys at int64 offset up_ptr[v], and lo_ptr[v] <= up_ptr[v]
    since every entry in rows before v lies in a column before v). Peak memory
    is the output plus the input. ``sorted_rows=False`` first sorts the lower
    rows the same way.

    Examples
    --------
    >>> lo_ptr, lo_idx = np.array([0, 0, 1, 3, 4]), np.array([0, 1, 0, 2], dtype=np.int32)
    >>> ptr, idx = _symmetric(4, lo_ptr, lo_idx, sorted_rows=False)  # row 2 lists 1, 0
    >>> ptr.tolist(), idx.tolist()
    ([0, 2, 4, 7, 8], [1, 2, 0, 2, 0, 1, 3, 2])
    """
    lo_ptr = np.asarray(lo_ptr, dtype=np.int64)
    E = int(lo_ptr[-1])
    out = np.empty(2 * E, np.int32)
    key = out.view(np.int64)
    if not sorted_rows and E:
        _pack(lo_ptr, lo_idx, key, index_high=False)  # row << 32 | u: sorts each row
        key.sort()
        lo_idx = (key & _LOW).astype(np.int32)
    _pack(lo_ptr, lo_idx, key, index_high=True)  # u << 32 | v: the transpose in row order
    key.sort()
    ptr = np.zeros(n + 1, np.int64)  # upper-row pointers, turned into the result's in place
    if E:
        _sorted_counts(key, n, 32, out=ptr[1:])
    np.cumsum(ptr, out=ptr)
    side = np.zeros(2 * _ROWS, dtype=bool)
    side[0::2] = True  # the lower half of a row first, then the upper half
    lens = np.empty(2 * _ROWS, np.int64)
    for a in range(0, n, _ROWS):
        b = min(n, a + _ROWS)
        r = 2 * (b - a)
        up = ptr[a:b + 1].copy()
        upper = key[up[0]:up[-1]] & _LOW  # read before this block's writes
        np.subtract(lo_ptr[a + 1:b + 1], lo_ptr[a:b], out=lens[0:r:2])
        np.subtract(up[1:], up[:-1], out=lens[1:r:2])
        lower = np.repeat(side[:r], lens[:r])
        seg = out[lo_ptr[a] + up[0]:lo_ptr[b] + up[-1]]
        seg[lower] = lo_idx[lo_ptr[a]:lo_ptr[b]]
        seg[np.logical_not(lower, out=lower)] = upper
        ptr[a:b] += lo_ptr[a:b]
    ptr[n] += lo_ptr[n]
    return ptr, out


def from_edges(n, src, dst, directed=False, segments=None, labels=None, *,
               segment_names=None, simple=False) -> Graph:
    """Build a graph from edge arrays ``src[k] -> dst[k]``.

    Self-loops are dropped and repeated edges merged. ``simple=True`` promises
    that the input has neither (builders) and skips the deduplicating sort.

    Examples
    --------
    >>> g = from_edges(4, [0, 1, 1, 2, 3], [1, 0, 2, 2, 1])
    >>> g.n_edges, g.in_neighbours(1)
    (3, array([0, 2, 3], dtype=int32))
    """
    n = int(n)
    src, dst = np.asarray(src).ravel(), np.asarray(dst).ravel()
    lo, hi = (min(src.min(), dst.min()), max(src.max(), dst.max())) if src.size else (0, 0)
    if src.shape != dst.shape or not 1 <= n < 2**31 - 1 or lo < 0 or hi >= n:
        raise ValueError(f"need 1 <= n < 2**31-1 and equal-length src, dst in [0, n); got n={n}, "
                         f"{src.size} sources, {dst.size} targets, range [{lo}, {hi}]")
    if not simple:
        keep = src != dst
        src, dst = src[keep].astype(np.int64), dst[keep].astype(np.int64)
    # rows: listeners (directed) or the larger end (undirected: lower triangle)
    r, c = (dst, src) if directed else (np.maximum(src, dst), np.minimum(src, dst))
    if simple:
        ptr, idx = _csr(n, r, c)
    else:  # sorted unique keys (r, c) are already the CSR in row order
        key = np.unique(r * n + c)
        ptr, idx = _indptr(np.bincount(key // n, minlength=n)), (key % n).astype(np.int32)
    out = _transpose(n, ptr, idx) if directed else (None, None)
    ptr, idx = (ptr, idx) if directed else _symmetric(n, ptr, idx)
    return Graph(n, ptr, idx, *out, directed=directed,
                 segments=segments, segment_names=segment_names, labels=labels)
