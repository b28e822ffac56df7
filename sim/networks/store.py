"""Graph files built once and opened by memory map: the ``.bgraph`` format.

A ``.bgraph`` file holds one :class:`~sim.networks.graph.Graph` as its CSR
arrays, ready to be mapped into memory without reading or copying them:

====================  =============================================================================
bytes 0-15            ``b"BOUCHE-GRAPH\\x00v1\\x00"``
bytes 16-23           the header's length H, little-endian uint64
bytes 24 .. 24+H      the header, UTF-8 JSON (below)
then, each at a       the arrays the header lists, raw little-endian, C order
multiple of 4096
====================  =============================================================================

The header holds ``n``, ``directed``, ``n_edges``, ``sha256`` (the edges'
hash, :func:`sim.networks.edges_sha256`, which runs record in their
``config.json``), ``segment_names``, ``built`` (the network section, seed
and Bouche version it was built from) and ``arrays``: for each of
``indptr``, ``indices`` (the incoming CSR; directed graphs also
``out_indptr``, ``out_indices``), ``segments`` and ``labels`` when present,
its ``dtype`` (a NumPy type string), ``shape`` and byte ``offset``. Row
pointers are 32-bit when every position fits, 64-bit otherwise; column
indices are 32-bit. Any program that reads JSON and maps bytes can read it
(``numpy.memmap(path, dtype, "r", offset, shape)``).

:func:`open_graph` maps the arrays read-only: opening takes milliseconds
whatever the size, the pages are read from disk when first touched, and every
process that maps the file (the workers of a sweep) shares one copy in the
page cache. The structure is checked on opening (sizes, first and last row
pointer); :func:`verify` rereads every byte against the stored hash.

Examples
--------
>>> import tempfile, os
>>> from sim.networks import ring
>>> path = os.path.join(tempfile.mkdtemp(), "ring.bgraph")
>>> sha = save(ring(10, 4), path)
>>> g = open_graph(path)
>>> g.n, g.n_edges, g.in_neighbours(0).tolist(), verify(path) == sha
(10, 20, [1, 2, 8, 9], True)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from sim.errors import ConfigError
from sim.networks.graph import Graph

__all__ = ["MAGIC", "SUFFIX", "save", "open_graph", "header", "verify", "is_graph_file"]

MAGIC = b"BOUCHE-GRAPH\x00v1\x00"
SUFFIX = ".bgraph"
_ALIGN = 4096
_CHUNK = 1 << 26  # bytes hashed or written at a time
_HEADER_MAX = 1 << 24


def _align(x: int) -> int:
    return -(-x // _ALIGN) * _ALIGN


def _pointers(indptr: np.ndarray) -> np.ndarray:
    """Row pointers in 32 bits when every position fits, else 64 (little-endian)."""
    small = len(indptr) and int(indptr[-1]) < 2**31 - 1
    return np.asarray(indptr).astype("<i4" if small else "<i8", copy=False)


def _arrays(graph: Graph) -> dict:
    arrays = {"indptr": _pointers(graph.in_indptr), "indices": np.asarray(graph.in_indices).astype("<i4", copy=False)}
    if graph.directed:
        arrays["out_indptr"] = _pointers(graph.out_indptr)
        arrays["out_indices"] = np.asarray(graph.out_indices).astype("<i4", copy=False)
    if graph.segments is not None:
        arrays["segments"] = np.asarray(graph.segments).astype("<i4", copy=False)
    if graph.labels is not None:
        labels = np.asarray(graph.labels)
        arrays["labels"] = labels.astype("<i8") if labels.dtype.kind in "iu" else labels.astype(str)
    return arrays


def is_graph_file(path) -> bool:
    """Whether ``path`` starts like a ``.bgraph`` file."""
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def save(graph: Graph, path, built: dict | None = None) -> str:
    """Write ``graph`` to a new ``.bgraph`` file at ``path``; returns the edges' SHA-256.

    Never replaces a file: an existing ``path`` is refused in one line. The
    file is written under a temporary name beside it, flushed to disk, then
    given its name, so a reader never sees half a graph. ``built`` records
    how the graph was made (network section, seed).
    """
    from sim.networks.convert import edges_sha256

    if graph.complete:
        raise ConfigError("network.kind", "= complete is implicit (no arrays to store); store a graph with edges")
    path = Path(path)
    if os.path.lexists(path):
        raise ConfigError("--out", f"{path} exists; Bouche never replaces a file: choose a new name or remove it")
    arrays = _arrays(graph)
    sha = edges_sha256(graph)
    head = {"format": "bouche-graph", "version": 1, "n": graph.n, "directed": graph.directed,
            "n_edges": graph.n_edges, "sha256": sha, "segment_names": graph.segment_names,
            "built": built or {}, "arrays": {}}
    offset = 0  # relative to the first array; fixed below once the header's size is known
    for name, a in arrays.items():
        head["arrays"][name] = {"dtype": a.dtype.str, "shape": list(a.shape), "offset": offset}
        offset = _align(offset + a.nbytes)
    text = json.dumps(head).encode()
    start = _align(len(MAGIC) + 8 + len(text) + 64)  # room for the offsets' digits to grow
    for spec in head["arrays"].values():
        spec["offset"] += start
    text = json.dumps(head).encode()
    assert len(MAGIC) + 8 + len(text) <= start
    tmp = path.with_name(f".{path.name}.part-{os.getpid()}")
    try:
        with open(tmp, "xb") as f:
            f.write(MAGIC + len(text).to_bytes(8, "little") + text)
            for name, a in arrays.items():
                f.seek(head["arrays"][name]["offset"])
                flat = np.ascontiguousarray(a).reshape(-1)
                step = max(1, _CHUNK // max(1, flat.itemsize))
                for s in range(0, flat.size, step):
                    f.write(flat[s:s + step].tobytes())
            f.truncate(max([start] + [head["arrays"][k]["offset"] + a.nbytes for k, a in arrays.items()]))
            f.flush()
            os.fsync(f.fileno())
        taken = ConfigError("--out", f"{path} exists; Bouche never replaces a file: choose a new name or remove it")
        try:
            os.link(tmp, path)  # given its name only if the name is still free (a rename would replace)
        except FileExistsError:
            raise taken from None
        except OSError:  # a file system without hard links: check, then rename
            if os.path.lexists(path):
                raise taken from None
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return sha


def header(path) -> dict:
    """The header of a ``.bgraph`` file, checked against the file's size; bad files raise one line."""
    path = Path(path)
    bad = ConfigError
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            magic, length = f.read(len(MAGIC)), f.read(8)
            if magic != MAGIC:
                raise bad("network.path", f"{path} is not a Bouche graph file (no .bgraph signature)")
            length = int.from_bytes(length, "little")
            if not 2 <= length <= min(_HEADER_MAX, size):
                raise bad("network.path", f"{path} is damaged: header length {length} for a file of {size} bytes")
            head = json.loads(f.read(length).decode())
    except OSError as exc:
        raise bad("network.path", f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise bad("network.path", f"{path} is damaged: its header is not JSON") from None
    try:
        n, arrays = int(head["n"]), head["arrays"]
        ends = {name: int(spec["offset"]) + int(np.prod(spec["shape"])) * np.dtype(spec["dtype"]).itemsize
                for name, spec in arrays.items()}
        pointers = arrays["indptr"]["shape"]
        if "indices" not in ends:
            raise KeyError("indices")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise bad("network.path", f"{path} is damaged: its header lacks n or the arrays") from None
    for name, end in ends.items():
        if end > size:
            raise bad("network.path", f"{path} is damaged: array {name} ends at byte {end}, past the file's "
                                      f"end ({size} bytes; was it cut short?)")
    if pointers != [n + 1]:
        raise bad("network.path", f"{path} is damaged: {pointers} row pointers for {n} people")
    return head


def _map(path: Path, spec: dict) -> np.ndarray:
    shape = tuple(int(s) for s in spec["shape"])
    if int(np.prod(shape)) == 0:
        return np.zeros(shape, dtype=spec["dtype"])
    return np.memmap(path, dtype=np.dtype(spec["dtype"]), mode="r", offset=int(spec["offset"]), shape=shape)


def open_graph(path) -> Graph:
    """Map a ``.bgraph`` file read-only as a :class:`Graph` (milliseconds at any size; see the module notes)."""
    from sim.networks.convert import _SHA

    path = Path(path)
    head = header(path)
    a = {name: _map(path, spec) for name, spec in head["arrays"].items()}
    n, indptr, indices = int(head["n"]), a["indptr"], a["indices"]
    if int(indptr[0]) != 0 or int(indptr[-1]) != indices.size:
        raise ConfigError("network.path", f"{path} is damaged: row pointers run from {int(indptr[0])} to "
                                          f"{int(indptr[-1])} over {indices.size} entries")
    labels = a.get("labels")
    g = Graph(n, indptr, indices, a.get("out_indptr"), a.get("out_indices"), directed=bool(head["directed"]),
              segments=a.get("segments"), segment_names=head.get("segment_names"),
              labels=None if labels is None else np.asarray(labels))
    _SHA[g] = head["sha256"]  # the hash stored when it was written: `bouche graph verify` checks it
    g.source = {"path": str(path), "sha256": head["sha256"], "built": head.get("built", {})}
    return g


def verify(path) -> str:
    """Reread every array of a ``.bgraph`` file and return its edges' SHA-256; a mismatch raises one line."""
    from sim.networks.convert import _SHA, edges_sha256

    g = open_graph(path)
    stored = _SHA.pop(g)
    actual = edges_sha256(g)
    if actual != stored:
        raise ConfigError("network.path", f"{path} is damaged: its edges hash to {actual[:12]}…, "
                                          f"not the {stored[:12]}… stored when it was written")
    return actual
