"""Graphs from elsewhere: networkx graphs and edge-list, GraphML or GEXF files.

Node labels are kept in ``Graph.labels`` and a ``segment`` (or ``community``)
node attribute becomes ``Graph.segments``. Bad files raise one-line
:class:`~sim.errors.ConfigError` with key ``network.path``.
"""

from __future__ import annotations

from numbers import Integral
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.networks.csr import from_edges
from sim.networks.graph import Graph

__all__ = ["from_networkx", "from_file"]

_EXTS = (".csv", ".tsv", ".txt", ".edges", ".graphml", ".gexf")
LINE_MAX = 1 << 16  # bytes in one line of an edge list (two node ids and a few attributes need far fewer)
_CHUNK = 1 << 20  # bytes read at a time when looking for a line that is too long


def _labels(values) -> np.ndarray:
    """Node labels as int64 when all are integers int64 holds, else as objects (distinct ids stay distinct)."""
    if all(isinstance(v, Integral) and not isinstance(v, bool) and -2**63 <= v < 2**63 for v in values):
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


def _long_line(path: Path, limit: int = LINE_MAX) -> int | None:
    """Number (from 1) of the first line of ``path`` longer than ``limit`` bytes, or None.

    One pass over the file in chunks, so a file that is one huge line is refused
    before a parser tries to hold it.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "g.csv")
    ...     _ = open(p, "w").write("a,b\\n" + "x" * 100 + "\\nc,d\\n")
    ...     _long_line(Path(p), limit=50), _long_line(Path(p), limit=100)
    (2, None)
    """
    line, run = 1, 0  # run: bytes of the current line so far
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)  # newlines
            if ends.size:
                lengths = np.diff(ends, prepend=-1) - 1  # of the lines ending in this chunk
                lengths[0] += run
                over = np.flatnonzero(lengths > limit)
                if over.size:
                    return line + int(over[0])
                line += ends.size
                run = len(chunk) - 1 - int(ends[-1])
            else:
                run += len(chunk)
            if run > limit:
                return line
    return None


def _integer_ids(vals: np.ndarray) -> np.ndarray | None:
    """The node ids as int64 when every one is an integer that int64 holds exactly; else None (labels)."""
    nums = pd.to_numeric(pd.Series(vals), errors="coerce")
    if not nums.notna().all():
        return None
    if nums.dtype.kind == "i":
        return nums.to_numpy(dtype=np.int64)
    if nums.dtype.kind == "f" and bool((nums % 1 == 0).all()) and bool((nums.abs() < 2**53).all()):
        return nums.to_numpy().astype(np.int64)  # "3.0" is node 3; beyond 2**53 a float merges distinct ids
    return None  # uint64 beyond int64, or floats: keep the ids as written


def _read_edge_list(path: Path, directed: bool) -> Graph:
    sep = {".csv": ",", ".tsv": "\t"}.get(path.suffix.lower(), r"\s+")
    long = _long_line(path)
    if long is not None:
        raise _bad(path, f"line {long} is longer than {LINE_MAX} bytes, more than an edge list's line holds")
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
    ids = _integer_ids(vals)
    numeric = ids is not None
    if numeric:
        vals = ids
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
