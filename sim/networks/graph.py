"""The social graph: :class:`Graph`, CSR arrays with the propagation kernels.

An edge ``u -> v`` means *u influences v*: v hears about the product from u.
Row ``v`` of the *incoming* CSR lists the people v listens to; row ``u`` of
the *outgoing* CSR lists the people u talks to. Undirected graphs share one
pair of arrays for both; the complete graph is implicit (no arrays).
:func:`gather_rows` is the one row gather that spreading news relies on.
"""

from __future__ import annotations

from functools import cached_property

import networkx as nx
import numpy as np
import scipy as sp
import scipy.sparse  # noqa: F401  (makes sp.sparse available)

from sim.arrays import compact_indptr, gather_rows  # the one row gather (SciPy's C loop where types allow)

__all__ = ["Graph", "gather_rows"]


def _lengths(indptr: np.ndarray) -> np.ndarray:
    """Row lengths of CSR row pointers as int32, without a 64-bit copy of everyone.

    Examples
    --------
    >>> _lengths(np.array([0, 2, 2, 5]))
    array([2, 0, 3], dtype=int32)
    """
    out = np.empty(len(indptr) - 1, dtype=np.int32)
    np.subtract(indptr[1:], indptr[:-1], out=out, casting="unsafe")
    return out


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
    >>> from sim.networks import from_edges
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
        self.source = None  # a stored graph's file: {"path", "sha256", "built"} (sim.networks.store)

    def __repr__(self) -> str:
        kind = "complete" if self.complete else ("directed" if self.directed else "undirected")
        return f"Graph(n={self.n}, n_edges={self.n_edges}, {kind})"

    @cached_property
    def in_degree(self) -> np.ndarray:
        """Number of people each person listens to (int32: 4 bytes a person; nobody has 2^31 contacts)."""
        if self.complete:
            return np.full(self.n, self.n - 1, dtype=np.int32)
        return _lengths(self.in_indptr)

    @cached_property
    def out_degree(self) -> np.ndarray:
        """Number of people each person talks to (int32)."""
        if self.complete or not self.directed:
            return self.in_degree
        return _lengths(self.out_indptr)

    @cached_property
    def out_rows(self) -> tuple:
        """``(out_indptr, out_indices)`` as runs step them: row pointers in int32 where they fit.

        Built once per graph, so replicates that share a graph share these too
        (``(None, None)`` for the implicit complete graph). Arrays mapped from a
        file stay mapped (64-bit row pointers are copied to 32 bits where they
        fit): a push reads them as quickly as a copy, which would cost 4 bytes a
        person and, at 6.8 × 10^7 people, 0.3 to 0.6 s to make.
        """
        if self.complete:
            return None, None
        return compact_indptr(self.out_indptr), self.out_indices

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
