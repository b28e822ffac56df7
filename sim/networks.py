"""Social graphs stored as compressed sparse rows (CSR).

An edge ``u -> v`` means *u influences v*: v hears about the product from u.
Row ``v`` of the *incoming* CSR lists the people v listens to; row ``u`` of
the *outgoing* CSR lists the people u talks to. Undirected graphs share one
pair of arrays for both. Every builder produces the arrays with vectorised
numpy (``int64`` row pointers, ``int32`` column indices, rows sorted), so
graphs of 10^6..10^7 people build in seconds. The complete graph is implicit.
"""

from __future__ import annotations

import math
from functools import cached_property
from numbers import Integral
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import scipy as sp
import scipy.sparse  # noqa: F401  (makes sp.sparse available)

from sim.backend import get_backend  # its gather is the one row gather (SciPy's C loop where types allow)
from sim.errors import ConfigError

__all__ = [
    "KINDS", "Graph", "gather_rows", "from_edges", "from_networkx", "from_file",
    "complete", "erdos_renyi", "stochastic_block", "equal_sizes", "ring", "watts_strogatz",
    "barabasi_albert", "build",
]

KINDS = ("complete", "erdos_renyi", "watts_strogatz", "ring", "barabasi_albert",
         "stochastic_block", "file")
_EXTS = (".csv", ".tsv", ".txt", ".edges", ".graphml", ".gexf")
_CHUNK = 1 << 22  # geometric gaps drawn per chunk (32 MiB of int64)
_BLOCK = 1 << 18  # entries per block of streaming passes (temporaries stay in cache)
_ROWS = 1 << 15  # CSR rows per block when packing or interleaving rows
_LOW = np.int64(0xFFFFFFFF)  # low 32 bits of an int64 key


def gather_rows(indptr: np.ndarray, indices: np.ndarray, rows) -> np.ndarray:
    """Concatenate the CSR rows ``rows`` (vectorised, no loop over rows).

    Examples
    --------
    >>> gather_rows(np.array([0, 2, 2, 5]), np.array([1, 2, 0, 1, 2]), [2, 0, 1])
    array([0, 1, 2, 1, 2])
    """
    return get_backend("cpu").gather(indptr, indices, np.asarray(rows, dtype=np.int64).ravel())


class Graph:
    """A social graph stored as CSR arrays; edge u->v means v hears from u.

    Parameters
    ----------
    n : int
        Number of people.
    in_indptr, in_indices, out_indptr, out_indices : numpy.ndarray, optional
        Incoming CSR (row v lists the u with u->v) and outgoing CSR (row u
        lists the v); undirected graphs reuse the incoming arrays.
    directed, complete : bool
        ``complete=True`` is the implicit complete graph (no arrays).
    segments, segment_names, labels : optional
        Segment id per node (int32), segment names, original node labels.

    Examples
    --------
    >>> g = from_edges(3, [0, 1], [1, 2], directed=True)
    >>> g.in_neighbours(1), g.out_neighbours(1), g.n_edges
    (array([0], dtype=int32), array([2], dtype=int32), 2)
    >>> g.count_adopted(np.array([True, True, False]))
    array([0, 1, 1], dtype=int32)
    """

    def __init__(self, n, in_indptr=None, in_indices=None, out_indptr=None,
                 out_indices=None, *, directed=False, complete=False,
                 segments=None, segment_names=None, labels=None):
        self.n, self.directed, self.complete = int(n), bool(directed), bool(complete)
        self.in_indptr, self.in_indices = in_indptr, in_indices
        if not directed:
            out_indptr, out_indices = in_indptr, in_indices
        self.out_indptr, self.out_indices = out_indptr, out_indices
        if segments is not None:
            segments = np.asarray(segments, dtype=np.int32)
            if segment_names is None:
                segment_names = [str(s) for s in range(int(segments.max(initial=-1)) + 1)]
        self.segments, self.segment_names, self.labels = segments, segment_names, labels

    def __repr__(self) -> str:
        kind = "complete" if self.complete else ("directed" if self.directed else "undirected")
        return f"Graph(n={self.n}, n_edges={self.n_edges}, {kind})"

    @cached_property
    def in_degree(self) -> np.ndarray:
        """Number of people each person listens to (int64)."""
        if self.complete:
            return np.full(self.n, self.n - 1, dtype=np.int64)
        return np.diff(self.in_indptr)

    @cached_property
    def out_degree(self) -> np.ndarray:
        """Number of people each person talks to (int64)."""
        if self.complete or not self.directed:
            return self.in_degree
        return np.diff(self.out_indptr)

    @property
    def n_edges(self) -> int:
        """Undirected edges (undirected graphs) or arcs (directed graphs)."""
        if self.complete:
            return self.n * (self.n - 1) // 2
        return int(self.in_indices.size) // (1 if self.directed else 2)

    @property
    def memory_bytes(self) -> int:
        """Bytes held by the graph's arrays (shared arrays counted once)."""
        arrays = {id(a): a for a in (self.in_indptr, self.in_indices, self.out_indptr,
                                     self.out_indices, self.segments, self.labels)
                  if a is not None}
        return sum(a.nbytes for a in arrays.values())

    def count_adopted(self, adopted: np.ndarray) -> np.ndarray:
        """Number of adopted in-neighbours of every person (int32)."""
        adopted = np.asarray(adopted, dtype=bool)
        if self.complete:
            return (int(adopted.sum()) - adopted).astype(np.int32)
        vals = np.zeros(self.in_indices.size + 1, dtype=bool)
        np.take(adopted, self.in_indices, out=vals[:-1])
        out = np.add.reduceat(vals, self.in_indptr[:-1], dtype=np.int32)
        out[self.in_degree == 0] = 0
        return out

    def push(self, counts: np.ndarray, new) -> None:
        """Add to ``counts[v]`` the number of v's in-neighbours among ``new``.

        ``new`` holds the distinct indices of people who just adopted. The
        update is in place; small updates avoid the O(n) ``bincount``.
        """
        new = np.asarray(new, dtype=np.int64).ravel()
        if new.size == 0:
            return
        if self.complete:
            counts += new.size
            counts[new] -= 1
            return
        hit = gather_rows(self.out_indptr, self.out_indices, new)
        if hit.size * 8 < self.n:
            idx, c = np.unique(hit, return_counts=True)
            counts[idx] += c.astype(counts.dtype)
        else:
            counts += np.bincount(hit, minlength=self.n).astype(counts.dtype)

    def in_neighbours(self, v: int) -> np.ndarray:
        """People v listens to."""
        return self._row(self.in_indptr, self.in_indices, v)

    def out_neighbours(self, u: int) -> np.ndarray:
        """People u talks to."""
        return self._row(self.out_indptr, self.out_indices, u)

    def _row(self, indptr, indices, v):
        if self.complete:
            return np.delete(np.arange(self.n), v)
        return indices[indptr[v]:indptr[v + 1]]

    def incoming_csr(self) -> sp.sparse.csr_array:
        """Float32 adjacency with rows = listeners (cached); not for complete graphs."""
        if self.complete:
            raise ValueError("the complete graph is implicit and has no CSR arrays")
        if "_incoming" not in self.__dict__:
            data = np.ones(self.in_indices.size, dtype=np.float32)
            self._incoming = sp.sparse.csr_array(
                (data, self.in_indices, self.in_indptr), shape=(self.n, self.n))
        return self._incoming

    def to_networkx(self) -> nx.Graph | nx.DiGraph:
        """Build a networkx graph on nodes 0..n-1 (attributes label, segment)."""
        if self.complete:
            G = nx.complete_graph(self.n)
        else:
            G = nx.DiGraph() if self.directed else nx.Graph()
            G.add_nodes_from(range(self.n))
            rows = np.repeat(np.arange(self.n), self.out_degree)
            keep = slice(None) if self.directed else rows < self.out_indices
            G.add_edges_from(zip(rows[keep].tolist(), self.out_indices[keep].tolist()))
        if self.labels is not None:
            nx.set_node_attributes(G, dict(enumerate(self.labels.tolist())), "label")
        if self.segments is not None:
            names = [self.segment_names[c] for c in self.segments]
            nx.set_node_attributes(G, dict(enumerate(names)), "segment")
        return G


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


def _labels(values) -> np.ndarray:
    if all(isinstance(v, Integral) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.int64)
    return pd.Series(values, dtype=object).to_numpy()


def _factor(values):
    """Segment codes and sorted names for attribute values (None = 'unassigned')."""
    vals = pd.Series(["unassigned" if v is None else v for v in values], dtype=object)
    try:
        codes, uniq = pd.factorize(vals, sort=True)
    except TypeError:  # mixed types do not sort
        codes, uniq = pd.factorize(vals.astype(str), sort=True)
    return codes.astype(np.int32), [str(u) for u in uniq]


def from_networkx(G, directed: bool | None = None) -> Graph:
    """Convert a networkx graph; node order is ``list(G.nodes)``.

    ``directed=None`` keeps G's kind; True on an undirected G adds both arcs.
    Node labels are kept in ``labels``; a node attribute ``segment`` (or
    ``community``) becomes ``segments``.

    Examples
    --------
    >>> g = from_networkx(nx.path_graph(["a", "b", "c"]))
    >>> g.n_edges, g.labels.tolist(), g.in_neighbours(1)
    (2, ['a', 'b', 'c'], array([0, 2], dtype=int32))
    """
    nodes = list(G.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    m = G.number_of_edges()
    src = np.fromiter((index[u] for u, _ in G.edges()), dtype=np.int64, count=m)
    dst = np.fromiter((index[v] for _, v in G.edges()), dtype=np.int64, count=m)
    directed = G.is_directed() if directed is None else bool(directed)
    if directed and not G.is_directed():
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    segments = names = None
    for attr in ("segment", "community"):
        values = [G.nodes[v].get(attr) for v in nodes]
        if any(v is not None for v in values):
            segments, names = _factor(values)
            break
    return from_edges(len(nodes), src, dst, directed, segments, _labels(nodes),
                      segment_names=names)


def _bad(path, why: str) -> ConfigError:
    return ConfigError("network.path", f"must name an existing file ({', '.join(_EXTS)}) "
                       f"holding a graph with at least one edge; got {str(path)!r} ({why})")


def _numeric(values) -> bool:
    return bool(pd.to_numeric(pd.Series(np.ravel(values)), errors="coerce").notna().all())


def _read_edge_list(path: Path, directed: bool) -> Graph:
    sep = {".csv": ",", ".tsv": "\t"}.get(path.suffix.lower(), r"\s+")
    try:
        df = pd.read_csv(path, sep=sep, header=None, comment="#", dtype=str,
                         skipinitialspace=True, na_filter=False)
    except pd.errors.EmptyDataError:
        raise _bad(path, "empty file: no nodes") from None
    if df.shape[1] < 2:
        raise _bad(path, f"an edge list needs two columns (source, target); found {df.shape[1]}")
    head = [str(x).strip().lower() for x in df.iloc[0]]
    cols = [0, 1]
    if "source" in head and "target" in head:
        cols, df = [head.index("source"), head.index("target")], df.iloc[1:]
    elif len(df) > 1 and not _numeric(df.iloc[0, :2]) and _numeric(df.iloc[1:, :2].to_numpy()):
        df = df.iloc[1:]
    pairs = df.iloc[:, cols].to_numpy(dtype=object)
    if pairs.size == 0:
        raise _bad(path, "no edges")
    vals = pd.Series(pairs.T.ravel(), dtype=object).fillna("").astype(str).str.strip().to_numpy()
    if (vals == "").any():
        row = int(np.flatnonzero((vals == "").reshape(2, -1).any(axis=0))[0]) + 1
        raise _bad(path, f"edge {row} lacks a source or target")
    nums = pd.to_numeric(pd.Series(vals), errors="coerce")
    numeric = bool(nums.notna().all()) and bool((nums % 1 == 0).all())
    if numeric:
        vals = nums.to_numpy().astype(np.int64)
    codes, uniq = pd.factorize(vals, sort=numeric)
    labels = np.asarray(uniq, dtype=np.int64 if numeric else object)
    m = len(pairs)
    return from_edges(len(uniq), codes[:m], codes[m:], directed, labels=labels)


def from_file(path, directed: bool | None = None) -> Graph:
    """Read an edge list (.csv, .tsv, .txt, .edges), GraphML or GEXF file.

    Edge lists: ``#`` lines are comments; a header row is used if it names
    ``source`` and ``target`` columns, otherwise skipped when it alone is
    non-numeric; else the first two columns are the edge. Integer labels are
    numbered in sorted order, string labels in order of appearance; the labels
    are kept in ``labels``. ``directed=None`` means as the file says (edge
    lists: undirected). Bad files raise ConfigError with key ``network.path``.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "g.csv")
    ...     _ = open(p, "w").write("source,target\\nann,bob\\nbob,cat\\n")
    ...     g = from_file(p, directed=True)
    >>> g.labels.tolist(), g.in_neighbours(2)
    (['ann', 'bob', 'cat'], array([1], dtype=int32))
    """
    p = Path(path)
    ext = p.suffix.lower()
    if not p.exists() or not p.is_file():
        raise _bad(path, "not found" if not p.exists() else "not a file")
    if ext not in _EXTS:
        raise _bad(path, f"unknown extension {ext or '(none)'!r}")
    try:
        if ext in (".graphml", ".gexf"):
            G = (nx.read_graphml if ext == ".graphml" else nx.read_gexf)(p)
            if G.number_of_nodes() == 0:
                raise _bad(path, "no nodes")
            g = from_networkx(G, directed)
        else:
            g = _read_edge_list(p, bool(directed))
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001  (any parser failure becomes one line)
        reason = (str(exc).strip().splitlines() or [""])[0][:160]
        raise _bad(path, f"unreadable: {type(exc).__name__}: {reason}") from None
    if g.n_edges == 0:
        raise _bad(path, "no edges besides self-loops" if g.n > 1 else "no edges")
    return g


def _require(ok: bool, key: str, allowed: str, got) -> None:
    if not ok:
        raise ConfigError(f"network.{key}", f"must be {allowed}; got {got!r}")


def _skip_positions(L: int, p: float, rng: np.random.Generator):
    """Yield sorted chunks of the slots in range(L) kept with probability p each."""
    last = -1
    while p > 0 and last < L - 1:
        mu = (L - 1 - last) * p
        g = rng.geometric(p, int(min(_CHUNK, mu + 6 * math.sqrt(mu) + 16)))
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
    mu = L * p
    cap = int(min(L, mu + 8 * math.sqrt(mu * (1 - p)) + 64))
    lo, k = np.empty(cap, np.int32), 0
    lo_ptr = np.zeros(n + 1, np.int64)  # pairs come sorted by (j, i): the lower triangle
    for pos in _skip_positions(L, p, rng):
        if k + pos.size > lo.size:  # beyond 8 standard deviations: grow
            lo = np.concatenate([lo[:k], np.empty(pos.size + k // 4 + 1, np.int32)])
        for s in range(0, pos.size, _BLOCK):  # cache-sized blocks
            i, j = _unrank_pairs(pos[s:s + _BLOCK])
            lo[k:k + i.size] = i
            k += i.size
            _sorted_counts(j, n, out=lo_ptr[1:])
    np.cumsum(lo_ptr, out=lo_ptr)
    indptr, indices = _symmetric(n, lo_ptr, lo[:k])
    return Graph(n, indptr, indices)


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
    cat = (lambda a: np.concatenate(a) if a else np.zeros(0, np.int32))
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
        r1 = min(batches, r0 + max(1, min(max(first // 8, _BLOCK // 4), _BLOCK * 4) // m))
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
    step = max(1, _BLOCK // m)
    for r0 in range(0, batches, step):
        r1 = min(batches, r0 + step)
        lo_ptr[m + 2 + r0:m + 2 + r1], kept = _distinct_rows(
            tgt[m * (r0 + 1):m * (r1 + 1)].reshape(-1, m))
        tgt[w:w + kept.size] = kept  # a copy: w <= the block's start
        w += kept.size
    np.cumsum(lo_ptr, out=lo_ptr)
    indptr, indices = _symmetric(n, lo_ptr, tgt[:w])
    return Graph(n, indptr, indices)


def build(spec: dict, rng: np.random.Generator) -> Graph:
    """Build the graph a validated ``network`` spec describes.

    Examples
    --------
    >>> build({"kind": "ring", "n": 10, "k": 4}, np.random.default_rng(0)).n_edges
    20
    """
    s, kind = spec, spec.get("kind")
    makers = {
        "complete": lambda: complete(s["n"]),
        "erdos_renyi": lambda: erdos_renyi(s["n"], s["mean_degree"], rng),
        "watts_strogatz": lambda: watts_strogatz(s["n"], s["k"], s["rewire"], rng),
        "ring": lambda: ring(s["n"], s["k"]),
        "barabasi_albert": lambda: barabasi_albert(s["n"], s["m"], rng),
        "stochastic_block": lambda: stochastic_block(s.get("sizes") or equal_sizes(s["n"], s.get("communities", 1)),
                                                     s["p_in"], s["p_out"], rng),
        "file": lambda: from_file(s["path"], s.get("directed")),
    }
    if kind not in makers:
        raise ConfigError("network.kind", f"must be one of {', '.join(KINDS)}; got {kind!r}")
    return makers[kind]()
