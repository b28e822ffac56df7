"""Array helpers shared by the engine, the rules and the graphs; NumPy or CuPy alike.

This module imports nothing else from :mod:`sim`, so any module may use it
without an import cycle. Every function takes NumPy or CuPy arrays and
returns arrays of the same kind.

Examples
--------
>>> indptr, indices = np.array([0, 2, 3, 3]), np.array([1, 2, 0], dtype=np.int32)
>>> row_positions(np, indptr, np.array([2, 0]))  # row 2 is empty
array([0, 1])
>>> sorted_distinct(np.array([2, 0, 2]))
array([0, 2])
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

__all__ = ["array_namespace", "sorted_distinct", "compact_indptr", "gather_rows", "row_positions",
           "ROW_GATHER", "drain"]


def array_namespace(a) -> ModuleType:
    """The array module of ``a``: ``cupy`` for CuPy arrays, else ``numpy``.

    Examples
    --------
    >>> array_namespace(np.zeros(2)).__name__
    'numpy'
    """
    if type(a) is np.ndarray:  # the common case, checked first (a step asks several times)
        return np
    if type(a).__module__.split(".")[0] == "cupy":
        import cupy

        return cupy
    return np


def sorted_distinct(a):
    """The distinct values of the 1-d integer array ``a``, sorted (``unique`` without its hashing path).

    NumPy 2.4's ``np.unique`` hashes integer arrays first, several times
    slower than one sort here.

    Examples
    --------
    >>> sorted_distinct(np.array([3, 1, 3, 2], dtype=np.int32))
    array([1, 2, 3], dtype=int32)
    """
    xp = array_namespace(a)
    if xp is not np:
        return xp.unique(a)
    a = np.sort(a)
    if a.size < 2:
        return a
    first = np.empty(a.size, dtype=bool)  # a boolean mask built in place (np.r_ costs ~10 us a call)
    first[0] = True
    np.not_equal(a[1:], a[:-1], out=first[1:])
    return a[first]


def compact_indptr(indptr: np.ndarray) -> np.ndarray:
    """``indptr`` as int32 when every position fits (the row gather's type; half the bytes), else as is.

    Examples
    --------
    >>> compact_indptr(np.array([0, 2, 5])).dtype
    dtype('int32')
    """
    if indptr.dtype == np.int32 or not len(indptr) or int(indptr[-1]) >= 2**31 - 1:
        return indptr
    return indptr.astype(np.int32)


def _row_gather():
    """SciPy's C gather of CSR rows (``csr_row_index``), checked once on a small case; None without it.

    It copies the rows' column indices in one pass, about 3x faster than
    positions then ``take`` (n = 10^5, 9,000 rows of mean degree 10: 128 us
    against 360 us). It lives in a private SciPy module, so anything amiss
    (absent, other signature, other result) leaves the NumPy way in charge.
    """
    try:
        from scipy.sparse import _sparsetools

        fn = _sparsetools.csr_row_index
        indptr, indices = np.array([0, 2, 2, 5], dtype=np.int32), np.array([4, 1, 0, 3, 2], dtype=np.int32)
        rows = np.array([2, 0, 2, 1], dtype=np.int32)
        out = np.empty(8, dtype=np.int32)
        fn(len(rows), rows, indptr, indices, indices, out, out)
        return fn if out.tolist() == [0, 3, 2, 4, 1, 0, 3, 2] else None
    except Exception:  # noqa: BLE001 - any failure means: do without it
        return None


ROW_GATHER = _row_gather()


def row_positions(xp, indptr, rows, limit: int | None = None, sources: bool = False, search: bool = False):
    """The positions in ``indices`` of the CSR rows ``rows``, concatenated.

    None when ``limit`` is given and the rows hold ``limit`` entries or more
    (the caller then takes a dense path). NumPy uses ``repeat``; with
    ``search`` (CuPy, whose ``repeat`` takes no array of counts) each output
    slot finds its row by a binary search over the running row ends. With
    ``sources``, also the index in ``rows`` of each position's row:
    ``(positions, sources)``.

    Examples
    --------
    >>> indptr = np.array([0, 2, 3, 5])
    >>> row_positions(np, indptr, np.array([2, 0]), sources=True)
    (array([3, 4, 0, 1]), array([0, 0, 1, 1]))
    >>> row_positions(np, indptr, np.array([2, 0]), search=True)
    array([3, 4, 0, 1])
    """
    starts = indptr.take(rows).astype(xp.int64, copy=False)  # int64 positions (a 32-bit indptr too)
    lens = indptr.take(rows + 1) - starts
    ends = xp.cumsum(lens)
    total = int(ends[-1]) if len(rows) else 0
    if limit is not None and total >= limit:
        return None
    if total == 0:
        none = xp.zeros(0, dtype=xp.int64)
        return (none, none) if sources else none
    if not search:
        shift = np.repeat(starts - (ends - lens), lens)
        shift += np.arange(total, dtype=shift.dtype)
        return (shift, np.repeat(np.arange(len(rows)), lens)) if sources else shift
    # slot s of row r sits at starts[r] + s - (ends[r] - lens[r]): fold the row terms into one
    # per-row shift first, so each of the (many) slots costs one gather and one add
    shift = starts - ends
    shift += lens
    slot = xp.arange(total, dtype=ends.dtype)
    src = xp.searchsorted(ends, slot, side="right")
    pos = shift[src]
    pos += slot
    return (pos, src) if sources else pos


def gather_rows(indptr, indices, rows):
    """Concatenate the CSR rows ``rows``: SciPy's C loop for int32 NumPy arrays, else positions and ``take``.

    Examples
    --------
    >>> indptr, indices = np.array([0, 2, 2, 5], dtype=np.int32), np.array([4, 1, 0, 3, 2], dtype=np.int32)
    >>> gather_rows(indptr, indices, np.array([2, 0]))
    array([0, 3, 2, 4, 1], dtype=int32)
    """
    xp = np if type(indices) is np.ndarray else array_namespace(indices)
    if type(rows) is not xp.ndarray or rows.ndim != 1:
        rows = xp.asarray(rows).ravel()
    if rows.dtype.kind not in "iu":  # e.g. an empty list
        rows = rows.astype(xp.int64)
    if xp is np and ROW_GATHER is not None and indptr.dtype == indices.dtype == np.int32:
        rows = rows.astype(np.int32, copy=False)
        starts = indptr.take(rows)
        total = int((indptr.take(rows + 1) - starts).sum(dtype=np.int64))
        out = np.empty(total, dtype=indices.dtype)  # exactly the rows' entries: the C loop writes no further
        ROW_GATHER(len(rows), rows, indptr, indices, indices, out, out)  # values go to both outputs: one array
        return out
    return indices.take(row_positions(xp, indptr, rows, search=xp is not np))


def drain(items: list):
    """Yield a list's items from its start, each let go of once yielded (the list ends empty).

    For passes over chunks held between two passes: each chunk's memory goes back as soon as it is used.

    Examples
    --------
    >>> held = [1, 2, 3]
    >>> list(drain(held)), held
    ([1, 2, 3], [])
    """
    items.reverse()
    while items:
        yield items.pop()
