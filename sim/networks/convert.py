"""Graphs of one's own: :func:`as_graph` and :func:`edges_sha256`.

:func:`as_graph` turns a networkx graph, a SciPy sparse adjacency matrix or a
:class:`~sim.networks.graph.Graph` into the graph a run steps on. It builds
through the same code as the file readers (:func:`~sim.networks.readers.from_networkx`,
:func:`~sim.networks.csr.from_edges`), so a graph given in Python and the same
graph read from a file are the same arrays: self-loops are dropped, repeated
edges merged, node labels kept, a ``segment`` (or ``community``) node attribute
becomes the segments, and a graph with no edge besides self-loops is refused.
Bad input raises one-line :class:`~sim.errors.ConfigError` with key ``graph``.

:func:`edges_sha256` names a graph by its edges, for ``config.json``.

Examples
--------
>>> import networkx as nx
>>> g = as_graph(nx.karate_club_graph())
>>> g.n, g.n_edges, g.directed
(34, 78, False)
>>> as_graph(g) is g
True
>>> edges_sha256(g) == edges_sha256(as_graph(nx.to_scipy_sparse_array(nx.karate_club_graph())))
True
"""

from __future__ import annotations

import hashlib
import math
import weakref
from numbers import Real

import networkx as nx
import numpy as np
import scipy as sp
import scipy.sparse  # noqa: F401  (makes sp.sparse available)

from sim.errors import ConfigError
from sim.networks.csr import from_edges
from sim.networks.graph import Graph
from sim.networks.memory import MAX_PEOPLE, graph_bytes, require_memory
from sim.networks.readers import from_networkx

__all__ = ["as_graph", "edges_sha256"]

_ACCEPTED = "a networkx graph, a SciPy sparse adjacency matrix or a sim.networks.Graph"
_SHA: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # graph -> its edges_sha256
_HASH_BLOCK = 1 << 22  # row pointers hashed at a time


def as_graph(obj, directed: bool | None = None) -> Graph:
    """The :class:`~sim.networks.graph.Graph` of a networkx graph, a sparse matrix or a Graph.

    Parameters
    ----------
    obj : networkx.Graph, networkx.DiGraph (or a multigraph), scipy.sparse array or matrix, or Graph
        A networkx graph keeps its node order (``list(G.nodes)``) and labels;
        parallel edges are merged; edge weights are not used, but must be
        numbers > 0 where given. A square sparse matrix ``A`` has an edge
        ``u -> v`` (u influences v) wherever ``A[u, v] != 0``; its entries must
        be finite and >= 0. A Graph is used as it is.
    directed : bool, optional
        None: as the object says (a networkx graph's kind; a matrix is
        undirected exactly when its pattern of non-zeros is symmetric).
        True on an undirected graph adds both arcs of every edge; False
        makes every arc an undirected edge.

    Returns
    -------
    Graph

    Raises
    ------
    ConfigError
        One line with key ``graph``: another type, a matrix that is not
        square, negative or NaN weights, no nodes or no edges (self-loops
        aside), more people than 32-bit ids hold, or more memory than this
        machine has.

    Examples
    --------
    >>> star = nx.DiGraph([("hub", "a"), ("hub", "b")])
    >>> g = as_graph(star)
    >>> g.labels.tolist(), g.out_neighbours(0), g.in_neighbours(0)
    (['hub', 'a', 'b'], array([1, 2], dtype=int32), array([], dtype=int32))
    >>> A = sp.sparse.csr_array(np.array([[0, 1, 0], [1, 0, 2], [0, 2, 0]]))
    >>> as_graph(A)
    Graph(n=3, n_edges=2, undirected)
    >>> as_graph(A, directed=True)
    Graph(n=3, n_edges=4, directed)
    >>> as_graph([[0, 1], [1, 0]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: graph must be a networkx graph, a SciPy sparse adjacency matrix or ...; got list
    """
    if directed is not None and not isinstance(directed, (bool, np.bool_)):
        raise ConfigError("directed", f"must be true, false or none; got {directed!r}")
    if isinstance(obj, Graph):
        if directed is not None and bool(directed) != obj.directed:
            raise ConfigError("graph", f"is a sim.networks.Graph, used as it is; got directed={bool(directed)} "
                                       f"for {'a directed' if obj.directed else 'an undirected'} one")
        return obj
    if isinstance(obj, nx.Graph):
        g = _from_networkx(obj, directed)
    elif sp.sparse.issparse(obj):
        g = _from_matrix(obj, directed)
    else:
        raise ConfigError("graph", f"must be {_ACCEPTED}; got {type(obj).__name__}")
    if g.n_edges == 0:
        raise ConfigError("graph", f"must have at least one edge; got {g.n:,} nodes and "
                                   f"{'no edges besides self-loops' if g.n > 1 else 'no edges'}")
    return g


def _check_size(n: int, links: int, what: str) -> None:
    """Refuse no people, more people than int32 ids hold, or more memory than this machine has."""
    if n < 1:
        raise ConfigError("graph", f"must have at least one node; got {what} with none")
    if n > MAX_PEOPLE:
        raise ConfigError("graph", f"must have at most {MAX_PEOPLE:,} nodes (people are numbered with 32-bit "
                                   f"integers); got {what} with {n:,}")
    require_memory("graph", f"= {what} with {n:,} nodes and {links:,} links", graph_bytes(n, links))


def _bad_weight(w) -> bool:
    return isinstance(w, bool) or not isinstance(w, Real) or math.isnan(w) or not 0 < w < math.inf


def _from_networkx(G: nx.Graph, directed: bool | None) -> Graph:
    what = f"a networkx {type(G).__name__}"
    _check_size(G.number_of_nodes(), 2 * G.number_of_edges(), what)
    bad = next(((u, v, w) for u, v, w in G.edges(data="weight") if w is not None and _bad_weight(w)), None)
    if bad is not None:
        u, v, w = bad
        w = w.item() if isinstance(w, np.generic) else w
        raise ConfigError("graph", f"edge weights must be numbers > 0 (weights are not used, each edge is one "
                                   f"contact; remove edges of weight 0); got {w!r} on the edge ({u!r}, {v!r}) "
                                   f"of {what}")
    return from_networkx(G, directed)


def _from_matrix(A, directed: bool | None) -> Graph:
    what = f"a {A.shape[0]} x {A.shape[1]} sparse matrix" if A.ndim == 2 else f"a sparse array of shape {A.shape}"
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ConfigError("graph", f"must be a square adjacency matrix (A[u, v] != 0: u influences v); got {what}")
    if A.dtype.kind not in "biuf":
        raise ConfigError("graph", f"must hold real numbers (edge weights); got {what} of {A.dtype}")
    n = int(A.shape[0])
    _check_size(n, int(A.nnz), what)
    C = sp.sparse.coo_array(A)
    C.sum_duplicates()  # one entry per (u, v): a weight written in two parts counts as its sum, as in A itself
    w = C.data
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0)) if w.dtype.kind == "f" else np.flatnonzero(w < 0)
    if bad.size:
        i = int(bad[0])
        raise ConfigError("graph", f"entries must be finite numbers >= 0 (edge weights; 0 is no edge); got "
                                   f"{w[i].item()!r} at [{int(C.coords[0][i])}, {int(C.coords[1][i])}] of {what}")
    keep = w != 0
    src, dst = C.coords[0][keep], C.coords[1][keep]
    if directed is None:
        P = sp.sparse.csr_array((np.ones(src.size, dtype=bool), (src, dst)), shape=(n, n))
        directed = (P != P.T).nnz > 0
    return from_edges(n, src, dst, bool(directed))


def edges_sha256(graph: Graph) -> str:
    """Hex SHA-256 of a graph's edges: its size, direction and incoming CSR arrays.

    The arrays are hashed as little-endian ``int64`` row pointers and ``int32``
    column indices, whatever their type in memory, so equal graphs (one given in
    Python, one read from a file, one built from a scenario) hash equally. Worked
    out once per graph (kept while the graph lives). The implicit complete graph
    hashes its size alone.

    Examples
    --------
    >>> from sim.networks import ring
    >>> edges_sha256(ring(6, 2)) == edges_sha256(as_graph(nx.cycle_graph(6)))
    True
    >>> edges_sha256(ring(6, 2)) == edges_sha256(as_graph(nx.cycle_graph(6), directed=True))
    False
    """
    if graph in _SHA:
        return _SHA[graph]
    h = hashlib.sha256(f"bouche graph n={graph.n} directed={int(graph.directed)} "
                       f"complete={int(graph.complete)}\n".encode("ascii"))
    if not graph.complete:
        ptr = graph.in_indptr
        for s in range(0, len(ptr), _HASH_BLOCK):  # as little-endian int64 in pieces: no 64-bit copy of it all
            h.update(np.ascontiguousarray(ptr[s:s + _HASH_BLOCK], dtype="<i8"))
        h.update(np.ascontiguousarray(graph.in_indices, dtype="<i4"))
    _SHA[graph] = digest = h.hexdigest()
    return digest
