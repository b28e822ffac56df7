"""Array backends: NumPy on the CPU, CuPy on an NVIDIA GPU.

The model's hot path is written once against an array namespace ``xp`` (the
``numpy`` module or the ``cupy`` module) and a sparse namespace
(``scipy.sparse`` or ``cupyx.scipy.sparse``), so the CPU tests exercise the
very code the GPU runs. :func:`get_backend` picks the backend for a
``device`` ("cpu" or "gpu"); asking for the GPU without CuPy or without a
working NVIDIA GPU raises one :class:`~sim.errors.ConfigError` line.

A backend knows arrays, not rules. Two named strategies say how it works,
and both run on NumPy so the tests cover the GPU's ways too:

- **Pushes** (how new adopters reach their contacts, :meth:`Backend.add_hits`).
  ``"events"`` (the CPU's way) concatenates the out-rows of the new adopters
  by SciPy's compiled row gather, counts the hits with ``add.at`` and hands
  the hits back, so rules re-evaluate only the people they reached (sorting
  just the few who may fire), and rules decide by index arrays. ``"dense"``
  (the GPU's way) gathers rows by binary search, scatter-adds the hits and
  reports everyone as moved, marks rather than sorts, and rules decide by
  element-wise passes (one fused kernel where a rule has one): on a GPU a few
  element-wise passes over 10^7 people cost less than one sort. Either way a
  step whose new adopters hold more than ``matvec_from`` of all edges
  multiplies the sparse adjacency by the 0/1 vector of new adopters instead
  (one pass over every edge; the GPU's default is 1/8, the CPU's never). All
  give the same integers.
- **Streams** (per-step random numbers). On the CPU they come straight from the named
  :class:`numpy.random.Generator` streams (bit-for-bit reproducible, common
  random numbers). On the GPU drawing 10^7 uniforms on the host and copying them
  every step would cost more than the step itself, so each named stream seeds
  a device generator (:meth:`Backend.generator`): runs are reproducible on the
  same GPU and statistically identical to the CPU, not bit-for-bit identical.
  Everything drawn once (graph, thresholds, seeds) still comes from the host
  streams, and cascade coins are a hash of the edge (:mod:`sim.coins`), so
  deterministic rules, and cascades on graphs with explicit edges, give the very same numbers on
  both without media (on the implicit complete graph a cascade draws whom it hits from a device
  stream: the same law, other draws).

Examples
--------
>>> be = get_backend("cpu")
>>> be.device, be.xp.__name__, be.pushes, be.streams
('cpu', 'numpy', 'events', 'host')
>>> indptr, indices = np.array([0, 2, 3, 3]), np.array([1, 2, 0], dtype=np.int32)
>>> counts = np.zeros(3, dtype=np.int32)
>>> be.add_hits(counts, indptr, indices, np.array([0, 1]))  # None: "everyone may have moved"
>>> counts
array([1, 1, 1], dtype=int32)
>>> be.positions(indptr, np.array([2, 0]))  # row 2 is empty
array([0, 1])
>>> be.distinct(np.array([2, 0, 2]), n=3)
array([0, 2])
>>> get_backend("tpu")
Traceback (most recent call last):
...
sim.errors.ConfigError: device must be cpu or gpu; got 'tpu'
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np
import scipy as sp
import scipy.sparse  # noqa: F401  (makes sp.sparse available)

from sim.arrays import gather_rows, row_positions, sorted_distinct
from sim.errors import ConfigError

__all__ = ["DEVICES", "PUSHES", "STREAMS", "Backend", "get_backend", "emulated_gpu", "gpu_problem"]

DEVICES = ("cpu", "gpu")
PUSHES = ("events", "dense")
STREAMS = ("host", "device")


@dataclass(frozen=True)
class Backend:
    """Where the arrays live and how the hot path moves them.

    Attributes
    ----------
    device : {"cpu", "gpu"}
    xp : module
        ``numpy`` or ``cupy``.
    sparse : module
        ``scipy.sparse`` or ``cupyx.scipy.sparse``.
    pushes : {"events", "dense"}
        How new adopters reach their contacts, and how rules decide (see the
        module notes).
    streams : {"host", "device"}
        Whether per-step random numbers come from the named host streams
        (CPU) or from device generators seeded by them (GPU).
    matvec_from : float
        A step whose new adopters hold at least this share of all edges
        multiplies by the adjacency matrix instead of gathering rows
        (``inf``: never; ``0``: always).
    """

    device: str
    xp: ModuleType = field(repr=False)
    sparse: ModuleType = field(repr=False)
    pushes: str = "events"
    streams: str = "host"
    matvec_from: float = math.inf

    def __post_init__(self):
        if self.pushes not in PUSHES or self.streams not in STREAMS:
            raise ValueError(f"pushes must be one of {PUSHES} and streams one of {STREAMS}; "
                             f"got {self.pushes!r}, {self.streams!r}")

    @property
    def dense(self) -> bool:
        """Whether pushes are dense: everyone re-evaluated, element-wise decisions (the GPU's way)."""
        return self.pushes == "dense"

    @property
    def uses_matrix(self) -> bool:
        """Whether pushes may multiply by the adjacency matrix (which then must be built)."""
        return self.matvec_from != math.inf

    def asarray(self, a, dtype=None):
        """``a`` as an array of this backend (a copy to the device on the GPU)."""
        return self.xp.asarray(a, dtype=dtype)

    def to_host(self, a) -> np.ndarray:
        """``a`` as a NumPy array (a copy from the device on the GPU)."""
        return a.get() if hasattr(a, "get") and not isinstance(a, np.ndarray) else np.asarray(a)

    def move(self, arrays: dict, host: bool = False) -> dict:
        """The arrays of ``arrays`` (a name -> value dict) on this backend's device, or on the host.

        Values that are not arrays (None, numbers, generators) pass through
        unchanged. The one way state moves between devices.
        """
        put = self.to_host if host else self.asarray
        return {k: put(v) if _is_array(v) else v for k, v in arrays.items()}

    def generator(self, host: np.random.Generator):
        """The generator of per-step draws for the named stream ``host``.

        On the CPU that is ``host`` itself; with device streams, a device
        generator seeded by one 63-bit draw from ``host`` (so it is as
        reproducible as the stream it comes from).
        """
        if self.streams == "host":
            return host
        seed = int(host.integers(0, 2**63 - 1))
        if self.device == "gpu":
            import cupy as cp

            return cp.random.default_rng(seed)
        return np.random.default_rng(seed)

    def adjacency(self, n: int, indptr: np.ndarray, indices: np.ndarray, transpose: bool = False):
        """A 0/1 sparse matrix (float32; float64 if a row could exceed 2^24) on this backend.

        ``transpose=False`` gives the matrix whose row v lists the given row's
        entries, i.e. ``A @ x`` sums ``x`` over each row's ``indices``.
        """
        nnz = int(indices.size)
        it = np.int32 if max(n, nnz) < 2**31 - 1 else np.int64
        A = sp.sparse.csr_matrix((np.ones(nnz, dtype=np.float32), indices.astype(it, copy=False),
                                  indptr.astype(it, copy=False)), shape=(n, n))
        if transpose:
            A = A.T.tocsr()
        if nnz and np.diff(A.indptr).max() >= 2**24:  # float32 counts exactly up to 2^24
            A = A.astype(np.float64)
        if self.device == "gpu":
            return self.sparse.csr_matrix(A)
        return A

    def positions(self, indptr, rows, limit: int | None = None, sources: bool = False):
        """:func:`sim.arrays.row_positions` the way of this backend (binary search with dense pushes)."""
        return row_positions(self.xp, indptr, rows, limit, sources, search=self.dense)

    def gather(self, indptr, indices, rows):
        """Concatenate the CSR rows ``rows``, or None when a mat-vec is cheaper (``matvec_from``)."""
        # Where a mat-vec wins (n = 10^7, 10^8 edges, H200): one cuSPARSE SpMV reads every edge,
        # ~1.2 ms. Gathering k edges by binary search moves ~80 bytes an edge (int64 slots, search,
        # shift, add, take; ~0.3 ms for k = 10^8/8 at ~3.5 TB/s), and scatter-adding them costs
        # k random int32 atomics into the L2-resident counts, ~k / (10-20 G/s) (0.6-1.2 ms at
        # 10^8/8). Both cross near 1/8 of all edges (the GPU's matvec_from).
        if self.uses_matrix:
            pos = self.positions(indptr, rows, math.ceil(indices.size * self.matvec_from))
            return None if pos is None else indices.take(pos)
        if not self.dense:
            return gather_rows(indptr, indices, rows)
        return indices.take(self.positions(indptr, rows))

    def distinct(self, hit, n: int):
        """The distinct values of ``hit`` (integers in [0, n)), sorted, as int64."""
        xp = self.xp
        if self.dense:  # no sort, no reduction: mark (idempotent writes), then one compaction
            mark = xp.zeros(n, dtype=bool)
            mark[hit] = True
            return xp.flatnonzero(mark)
        if hit.size * 8 < n:
            return sorted_distinct(hit).astype(xp.int64)
        return xp.flatnonzero(xp.bincount(hit, minlength=n))

    def add_hits(self, counts, indptr, indices, new, matrix=None, sign: int = 1):
        """Add ``sign`` to ``counts[v]`` once for each of the people ``new`` that reach v along the CSR rows.

        Parameters
        ----------
        counts : array of int32
            Updated in place.
        indptr, indices : arrays
            Out-rows on this backend: row u lists the people u reaches.
        new : array of int
            Distinct people who just adopted (or, with ``sign = -1``, left).
        matrix : sparse matrix, optional
            The incoming adjacency (``matrix @ x`` sums x over each person's
            contacts); needed when ``matvec_from`` is finite.

        Returns
        -------
        array of int or None
            The people whose count moved, as the hits themselves (unsorted; a
            person reached by two new adopters is there twice), or None when
            so many moved that treating everyone as moved is as cheap (a dense
            update: a mat-vec, or hits numbering n/8 or more), and always None
            with dense pushes. Callers filter the hits before making them
            distinct (:func:`sim.arrays.sorted_distinct`): most land on people
            who cannot fire, and a sort of the few left is cheaper than one of them all.
        """
        hit = self.gather(indptr, indices, new)
        if hit is None:
            x = self.xp.zeros(counts.size, dtype=matrix.dtype)
            x[new] = 1
            step = (matrix @ x).astype(counts.dtype)
            if sign < 0:
                counts -= step
            else:
                counts += step
            return None
        return self.count_hits(counts, hit, sign)

    def count_hits(self, counts, hit, sign: int = 1):
        """Add ``sign`` to ``counts[v]`` for each time v is in ``hit``; the people moved, as :meth:`add_hits`."""
        self.scatter_add(counts, hit, sign)
        return hit if not self.dense and hit.size * 8 < counts.size else None

    def scatter_add(self, counts, hit, sign: int = 1) -> None:
        """``counts[v] += sign × (number of times v is in hit)``, exactly, without sorting ``hit``."""
        if self.device == "gpu":
            import cupyx

            # one int32 atomicAdd per hit (atomics keep repeated targets exact); the value is made on
            # the device and broadcast, rather than copied from the host on every call
            cupyx.scatter_add(counts, hit, self.xp.full((), sign, dtype=counts.dtype))
            return
        # add.at with a value of counts' type takes its fast path: 2-4 ns a hit, at every density faster
        # than a bincount over everyone (measured on one Xeon core, numpy 2.4: n = 10^5, 10^5 hits
        # 212 us against 280 us; n = 3.2 x 10^6, 5 x 10^4 hits 0.20 ms against 3.6 ms) and than a sort
        np.add.at(counts, hit, counts.dtype.type(sign))

    def sync(self) -> None:
        """Wait for queued device work (for honest timings); a no-op on the CPU."""
        if self.device == "gpu":
            import cupy as cp

            cp.cuda.Device().synchronize()


def _is_array(v) -> bool:
    return isinstance(v, np.ndarray) or type(v).__module__.split(".")[0] == "cupy"


def gpu_problem() -> str | None:
    """Why the GPU backend cannot run here (None when it can).

    Examples
    --------
    >>> isinstance(gpu_problem(), (str, type(None)))
    True
    """
    try:
        import cupy as cp
    except ImportError:
        return "CuPy is not installed"
    except Exception as exc:  # noqa: BLE001  (a broken CuPy install: say why, in one line)
        return f"CuPy does not import: {_first_line(exc)}"
    try:
        if cp.cuda.runtime.getDeviceCount() < 1:
            return "no NVIDIA GPU is visible"
        int(cp.arange(3).sum())  # fails here when the driver or toolkit is unusable
    except Exception as exc:  # noqa: BLE001
        return f"no usable NVIDIA GPU: {_first_line(exc)}"
    return None


def _first_line(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [""])[0][:160]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# The GPU's strategies: dense pushes, device streams, a mat-vec for steps over 1/8 of the edges.
GPU_WAYS = {"pushes": "dense", "streams": "device", "matvec_from": 1 / 8}


@functools.lru_cache(maxsize=None)
def _gpu() -> Backend:
    import cupy as cp
    import cupyx.scipy.sparse as cps

    return Backend("gpu", cp, cps, **GPU_WAYS)


def emulated_gpu() -> Backend:
    """The GPU backend's ways (pushes, gathers, device-seeded streams) on NumPy, for tests and dry runs.

    Examples
    --------
    >>> be = emulated_gpu()
    >>> be.xp.__name__, be.pushes, be.streams, be.dense
    ('numpy', 'dense', 'device', True)
    >>> be.distinct(np.array([2, 0, 2]), n=3)  # by marking, not sorting
    array([0, 2])
    """
    return Backend("cpu", np, sp.sparse, **GPU_WAYS)


_CPU = Backend("cpu", np, sp.sparse)


def get_backend(device: str | Backend | None = "cpu", key: str = "device") -> Backend:
    """The backend of ``device``: ``"cpu"`` (NumPy, SciPy) or ``"gpu"`` (CuPy, cupyx).

    Parameters
    ----------
    device : {"cpu", "gpu"} or Backend, optional
        ``None`` means the CPU; a :class:`Backend` is returned unchanged.
    key : str
        The name of the setting in error messages (``--device`` on the command line).

    Raises
    ------
    ConfigError
        For an unknown device, or ``gpu`` without CuPy or without a usable GPU.
    """
    if isinstance(device, Backend):
        return device
    if device is None or device == "cpu":
        return _CPU
    if device != "gpu":
        raise ConfigError(key, f"must be cpu or gpu; got {device!r}")
    why = gpu_problem()
    if why:
        raise ConfigError(key, f"= gpu needs CuPy and a working NVIDIA GPU (pip install 'bouche[gpu]'); "
                               f"here {why}")
    return _gpu()
