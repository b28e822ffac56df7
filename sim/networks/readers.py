"""Graphs from elsewhere: networkx graphs, and files of edge lists, GraphML, GEXF, GML, Matrix Market or Parquet.

Graph files Bouche wrote itself (``.bgraph``, :mod:`sim.networks.store`) are
memory-mapped rather than read.

Node labels are kept in ``Graph.labels`` and a ``segment`` (or ``community``)
node attribute becomes ``Graph.segments``. Text formats may come compressed
with gzip, bzip2 or xz (``graph.txt.gz``, as SNAP ships its datasets). Bad
files raise one-line :class:`~sim.errors.ConfigError` with key ``network.path``.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from numbers import Integral
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.networks import store
from sim.networks.csr import from_edges
from sim.networks.graph import Graph

__all__ = ["from_networkx", "from_file"]

_EDGE_LISTS = (".csv", ".tsv", ".txt", ".edges")
_EXTS = (*_EDGE_LISTS, ".graphml", ".gexf", ".gml", ".mtx", ".parquet")
# compressed text: the suffix after the format's own, and how to open it (read as bytes)
_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
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
    return ConfigError("network.path", f"must name an existing file ({', '.join(_EXTS)}; text ones may be "
                       f"{', '.join(_COMPRESSED)}) holding a graph with at least one edge; got {str(path)!r} ({why})")


def _format(path: Path) -> tuple[str, object]:
    """``(extension, opener)`` of a graph file: ``graph.txt.gz`` -> ``('.txt', gzip.open)``; plain files get
    :func:`open` (in binary).

    Examples
    --------
    >>> _format(Path("web-Google.txt.gz"))[0], _format(Path("g.GML"))[0], _format(Path("g.mtx.xz"))[1].__module__
    ('.txt', '.gml', 'lzma')
    """
    ext = path.suffix.lower()
    if ext in _COMPRESSED:
        return Path(path.stem).suffix.lower(), _COMPRESSED[ext]
    return ext, open


def _numeric(values) -> bool:
    return bool(pd.to_numeric(pd.Series(np.ravel(values)), errors="coerce").notna().all())


def _long_line(path: Path, limit: int = LINE_MAX, opener=open) -> int | None:
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
    with opener(path, "rb") as f:
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


def _read_edge_list(path: Path, directed: bool, ext: str, opener=open) -> Graph:
    sep = {".csv": ",", ".tsv": "\t"}.get(ext, r"\s+")
    long = _long_line(path, opener=opener)
    if long is not None:
        raise _bad(path, f"line {long} is longer than {LINE_MAX} bytes, more than an edge list's line holds")
    try:
        with opener(path, "rb") as f:
            df = pd.read_csv(f, sep=sep, header=None, comment="#", dtype=str,
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
    return _from_pairs(path, df.iloc[:, cols].to_numpy(dtype=object), directed)


def _read_parquet(path: Path, directed: bool) -> Graph:
    """A Parquet table of edges: its ``source`` and ``target`` columns, else its first two."""
    df = pd.read_parquet(path)
    if df.shape[1] < 2:
        raise _bad(path, f"an edge list needs two columns (source, target); found {df.shape[1]}")
    names = [str(c).strip().lower() for c in df.columns]
    cols = [names.index("source"), names.index("target")] if {"source", "target"} <= set(names) else [0, 1]
    pairs = df.iloc[:, cols].astype(object).where(df.iloc[:, cols].notna(), "").to_numpy(dtype=object)
    return _from_pairs(path, pairs, directed)


def _read_matrix_market(path: Path, directed: bool | None, opener=open) -> Graph:
    """A Matrix Market file: an edge u -> v wherever ``A[u, v] != 0`` (see :func:`sim.networks.as_graph`);
    people are labelled 1..n, as the file numbers them."""
    import scipy.io
    import scipy.sparse

    from sim.networks.convert import as_graph

    with opener(path, "rb") as f:
        matrix = scipy.io.mmread(f)
    try:
        g = as_graph(scipy.sparse.csr_array(matrix), directed)
    except ConfigError as exc:
        raise _bad(path, f"the matrix {exc.message}") from None
    g.labels = np.arange(1, g.n + 1, dtype=np.int64)
    return g


def _read_gml(f, directed: bool | None) -> Graph:
    """A GML file: nodes named by their ``label`` where every node has a distinct one, else by ``id``."""
    lines = f.read().decode("utf-8", errors="replace").splitlines()
    try:
        G = nx.parse_gml(lines, label="label")
    except (nx.NetworkXError, KeyError):
        G = nx.parse_gml(lines, label="id")
    return from_networkx(G, directed)


def _from_pairs(path: Path, pairs: np.ndarray, directed: bool) -> Graph:
    """The graph of an edge list's (source, target) rows, as node ids or labels (see :func:`from_file`)."""
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
    """Read a graph file: an edge list (.csv, .tsv, .txt, .edges, .parquet), GraphML, GEXF, GML or Matrix Market;
    or map a ``.bgraph`` file (:func:`sim.networks.store.open_graph`).

    Edge lists: ``#`` lines are comments; a header row is used if it names
    ``source`` and ``target`` columns, otherwise skipped when it alone is
    non-numeric; else the first two columns are the edge (a Parquet table:
    its ``source`` and ``target`` columns, else its first two). Integer labels
    are numbered in sorted order, string labels in order of appearance; the
    labels are kept in ``labels``. GML nodes are named by their ``label``
    (by ``id`` when labels are missing or repeated); Matrix Market has an
    edge u -> v wherever ``A[u, v] != 0``, people labelled 1..n as the file
    numbers them. Every text format may be compressed (``.gz``, ``.bz2``,
    ``.xz`` after its own extension). ``directed=None`` means as the file says
    (edge lists: undirected; a matrix: undirected when it is symmetric). Bad
    files raise ConfigError with key ``network.path``.

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
    ext, opener = _format(p)
    if not p.exists() or not p.is_file():
        raise _bad(path, "not found" if not p.exists() else "not a file")
    if ext == store.SUFFIX or store.is_graph_file(p):  # built once (`bouche graph build`): mapped, not read
        g = store.open_graph(p)
        if directed is not None and bool(directed) != g.directed:
            raise ConfigError("network.directed", f"must match the stored graph {p} "
                                                  f"({'directed' if g.directed else 'undirected'}); got {directed}")
        return g
    if ext not in _EXTS or (ext == ".parquet" and opener is not open):
        raise _bad(path, f"unknown extension {''.join(s.lower() for s in p.suffixes[-2:]) or '(none)'!r}")
    try:
        if ext in (".graphml", ".gexf", ".gml"):
            with opener(p, "rb") as f:
                if ext == ".gml":
                    g = _read_gml(f, directed)
                else:
                    G = (nx.read_graphml if ext == ".graphml" else nx.read_gexf)(f)
                    if G.number_of_nodes() == 0:
                        raise _bad(path, "no nodes")
                    g = from_networkx(G, directed)
        elif ext == ".mtx":
            g = _read_matrix_market(p, directed, opener)
        elif ext == ".parquet":
            g = _read_parquet(p, bool(directed))
        else:
            g = _read_edge_list(p, bool(directed), ext, opener)
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001  (any parser failure becomes one line)
        reason = (str(exc).strip().splitlines() or [""])[0][:160]
        raise _bad(path, f"unreadable: {type(exc).__name__}: {reason}") from None
    if g.n_edges == 0:
        raise _bad(path, "no edges besides self-loops" if g.n > 1 else "no edges")
    return g
