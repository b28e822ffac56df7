"""Array backends: NumPy on the CPU, CuPy on an NVIDIA GPU.

The model's hot path is written once against an array namespace ``xp`` (the
``numpy`` module or the ``cupy`` module) and a sparse namespace
(``scipy.sparse`` or ``cupyx.scipy.sparse``), so the CPU tests exercise the
very code the GPU runs. :func:`get_backend` picks the backend for a
``device`` ("cpu" or "gpu"); asking for the GPU without CuPy or without a
working NVIDIA GPU raises one :class:`~sim.errors.ConfigError` line.

Two things differ between the backends, and both are switchable on NumPy so
the tests cover them:

- **How new adopters reach their contacts** (:meth:`Backend.add_hits`).
  ``"gather"`` concatenates the out-rows of the new adopters and counts the
  hits (cost: the edges touched; the CPU's way); ``"matvec"`` multiplies the
  sparse adjacency by the 0/1 vector of new adopters (one pass over every
  edge); ``"auto"`` (the GPU's way) gathers small steps, by binary search, and
  multiplies for big ones. All give the same integers. On the CPU the rows
  come from SciPy's compiled row gather, the counts from ``add.at``, and the
  hits go back to the caller, who re-evaluates only the people they reached
  (sorting just the few who may fire); with ``dense_push`` (the GPU's way) the
  hits are scatter-added and the caller re-evaluates everyone: on a GPU a few
  elementwise passes over 10^7 people cost less than one sort.
- **Per-step random numbers.** On the CPU they come straight from the named
  :class:`numpy.random.Generator` streams (bit-for-bit reproducible, common
  random numbers). On the GPU drawing 10^7 uniforms on the host and copying them
  every step would cost more than the step itself, so each named stream seeds
  a device generator (:meth:`Backend.generator`): runs are reproducible on the
  same GPU and statistically identical to the CPU, not bit-for-bit identical.
  Everything drawn once (graph, thresholds, seeds) still comes from the host
  streams, and cascade coins are a hash of the edge (:mod:`sim.coins`), so
  deterministic rules and cascades without media give the very same numbers on both.

Examples
--------
>>> be = get_backend("cpu")
>>> be.device, be.xp.__name__, be.push
('cpu', 'numpy', 'gather')
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
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np
import scipy as sp
import scipy.sparse  # noqa: F401  (makes sp.sparse available)

from sim.errors import ConfigError

__all__ = ["DEVICES", "Backend", "get_backend", "emulated_gpu", "array_namespace", "gpu_problem",
           "sorted_distinct", "compact_indptr"]

DEVICES = ("cpu", "gpu")


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
    return a[np.r_[True, a[1:] != a[:-1]]] if a.size else a


def compact_indptr(indptr: np.ndarray) -> np.ndarray:
    """``indptr`` as int32 when every position fits (the row gather's type; half the bytes), else as is."""
    return indptr.astype(np.int32) if len(indptr) and int(indptr[-1]) < 2**31 - 1 else indptr


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


_ROW_GATHER = _row_gather()


def _gather_rows(indptr: np.ndarray, indices: np.ndarray, rows) -> np.ndarray:
    """The CSR rows ``rows`` concatenated, by :data:`_ROW_GATHER` (int32 ``indptr`` and ``indices``)."""
    rows = np.asarray(rows).astype(np.int32, copy=False)
    starts = indptr.take(rows)
    total = int((indptr.take(rows + 1) - starts).sum(dtype=np.int64))
    out = np.empty(total, dtype=indices.dtype)  # exactly the rows' entries: the C loop writes no further
    _ROW_GATHER(len(rows), rows, indptr, indices, indices, out, out)  # values go to both outputs: one array
    return out


def array_namespace(a) -> ModuleType:
    """The array module of ``a``: ``cupy`` for CuPy arrays, else ``numpy``.

    Examples
    --------
    >>> array_namespace(np.zeros(2)).__name__
    'numpy'
    """
    if type(a).__module__.split(".")[0] == "cupy":
        import cupy

        return cupy
    return np


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
    push : {"gather", "matvec", "auto"}
        How new adopters reach their contacts (see the module notes); ``auto``
        gathers while the new adopters' edges are under 1/8 of all edges, and
        multiplies by the adjacency matrix beyond.
    search_gather : bool
        Gather rows by binary search rather than ``repeat`` (CuPy).
    device_streams : bool
        Whether per-step random numbers come from device generators seeded by
        the named host streams (GPU) or from the host streams themselves (CPU).
    dense_push : bool
        Whether :meth:`add_hits` scatter-adds gathered hits and reports
        everyone as moved (GPU: no sort; the caller re-evaluates all people
        with a few elementwise passes) rather than finding the people whose
        count moved (CPU: event-driven re-evaluation). :meth:`distinct` then
        marks a dense mask instead of sorting. Same integers either way.
    coded_bass : bool
        Whether :meth:`bass_adopters` takes the Bass decision as one code per
        person (:func:`sim.mechanisms.wom.bass_codes`; on the GPU one fused
        kernel instead of about fifteen launches and four syncs) rather than
        as index arrays (CPU: fewer passes when few people adopt).
    """

    device: str
    xp: ModuleType = field(repr=False)
    sparse: ModuleType = field(repr=False)
    push: str = "gather"
    search_gather: bool = False
    device_streams: bool = False
    dense_push: bool = False
    coded_bass: bool = False

    @property
    def uses_matrix(self) -> bool:
        """Whether pushes may multiply by the adjacency matrix (which then must be built)."""
        return self.push in ("matvec", "auto")

    def asarray(self, a, dtype=None):
        """``a`` as an array of this backend (a copy to the device on the GPU)."""
        return self.xp.asarray(a, dtype=dtype)

    def to_host(self, a) -> np.ndarray:
        """``a`` as a NumPy array (a copy from the device on the GPU)."""
        return a.get() if hasattr(a, "get") and not isinstance(a, np.ndarray) else np.asarray(a)

    def generator(self, host: np.random.Generator):
        """The generator of per-step draws for the named stream ``host``.

        On the CPU that is ``host`` itself; with device streams, a device
        generator seeded by one 63-bit draw from ``host`` (so it is as
        reproducible as the stream it comes from).
        """
        if not self.device_streams:
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
        """The positions in ``indices`` of the CSR rows ``rows``, concatenated.

        None when ``limit`` is given and the rows hold ``limit`` entries or more
        (the caller then takes a dense path). NumPy uses ``repeat``; with
        ``search_gather`` (CuPy, whose ``repeat`` takes no array of counts)
        each output slot finds its row by a binary search over the running
        row ends. With ``sources``, also the index in ``rows`` of each
        position's row: ``(positions, sources)``.
        """
        xp = self.xp
        starts = indptr.take(rows).astype(xp.int64, copy=False)  # int64 positions (a 32-bit indptr too)
        lens = indptr.take(rows + 1) - starts
        ends = xp.cumsum(lens)
        total = int(ends[-1]) if len(rows) else 0
        if limit is not None and total >= limit:
            return None
        if total == 0:
            none = xp.zeros(0, dtype=xp.int64)
            return (none, none) if sources else none
        if not self.search_gather:
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

    def gather(self, indptr, indices, rows):
        """Concatenate the CSR rows ``rows``, or None when ``auto`` finds a mat-vec cheaper."""
        # Where a mat-vec wins (n = 10^7, 10^8 edges, H200): one cuSPARSE SpMV reads every edge,
        # ~1.2 ms. Gathering k edges by binary search moves ~80 bytes an edge (int64 slots, search,
        # shift, add, take; ~0.3 ms for k = 10^8/8 at ~3.5 TB/s), and scatter-adding them costs
        # k random int32 atomics into the L2-resident counts, ~k / (10-20 G/s) (0.6-1.2 ms at
        # 10^8/8). Both cross near 1/8 of all edges; on the CPU "auto" is not used.
        limit = -(-indices.size // 8) if self.push == "auto" else None
        if limit is None and not self.search_gather and _ROW_GATHER is not None and \
                indptr.dtype == indices.dtype == np.int32:
            return _gather_rows(indptr, indices, rows)
        pos = self.positions(indptr, rows, limit)
        return None if pos is None else indices.take(pos)

    def distinct(self, hit, n: int):
        """The distinct values of ``hit`` (integers in [0, n)), sorted, as int64."""
        xp = self.xp
        if self.dense_push:  # no sort, no reduction: mark (idempotent writes), then one compaction
            mark = xp.zeros(n, dtype=bool)
            mark[hit] = True
            return xp.flatnonzero(mark)
        if hit.size * 8 < n:
            return sorted_distinct(hit).astype(xp.int64)
        return xp.flatnonzero(xp.bincount(hit, minlength=n))

    def add_hits(self, counts, indptr, indices, new, matrix=None):
        """Add to ``counts[v]`` how many of the people ``new`` reach v along the CSR rows.

        Parameters
        ----------
        counts : array of int32
            Updated in place.
        indptr, indices : arrays
            Out-rows on this backend: row u lists the people u reaches.
        new : array of int
            Distinct people who just adopted.
        matrix : sparse matrix, optional
            The incoming adjacency (``matrix @ x`` sums x over each person's
            contacts); needed by ``matvec`` and ``auto``.

        Returns
        -------
        array of int or None
            The people whose count moved, as the hits themselves (unsorted; a
            person reached by two new adopters is there twice), or None when
            so many moved that treating everyone as moved is as cheap (a dense
            update: a mat-vec, or hits numbering n/8 or more), and always None
            with ``dense_push``. Callers filter the hits before making them
            distinct (:func:`sorted_distinct`): most land on people who cannot
            fire, and a sort of the few left is cheaper than one of them all.
        """
        hit = None if self.push == "matvec" else self.gather(indptr, indices, new)
        if hit is None:
            counts += self._times(matrix, new, counts.size).astype(counts.dtype)
            return None
        return self.count_hits(counts, hit)

    def count_hits(self, counts, hit):
        """Add to ``counts[v]`` the number of times v is in ``hit``; the people moved, as :meth:`add_hits`."""
        self.scatter_add(counts, hit)
        return hit if not self.dense_push and hit.size * 8 < counts.size else None

    def scatter_add(self, counts, hit) -> None:
        """``counts[v] += (number of times v is in hit)``, exactly, without sorting ``hit``."""
        if self.device == "gpu":
            import cupyx

            # one int32 atomicAdd per hit (atomics keep repeated targets exact); the 1 is made on
            # the device and broadcast, rather than copied from the host on every call
            cupyx.scatter_add(counts, hit, self.xp.ones((), dtype=counts.dtype))
            return
        # add.at with a 1 of counts' type takes its fast path: 2-4 ns a hit, at every density faster
        # than a bincount over everyone (measured on one Xeon core, numpy 2.4: n = 10^5, 10^5 hits
        # 212 us against 280 us; n = 3.2 x 10^6, 5 x 10^4 hits 0.20 ms against 3.6 ms) and than a sort
        np.add.at(counts, hit, counts.dtype.type(1))

    def _times(self, matrix, new, n: int):
        x = self.xp.zeros(n, dtype=matrix.dtype)
        x[new] = 1
        return matrix @ x

    def bass_adopters(self, u, media_term, wom_term, dt: float, adopted, among=None):
        """The Bass decision of one step: (new by media, new by word of mouth), sorted indices.

        :func:`sim.mechanisms.wom.bass_adopters`, or with ``coded_bass`` the
        same decision as codes (:func:`~sim.mechanisms.wom.bass_codes`; on the
        GPU the fused kernel :data:`~sim.mechanisms.wom.BASS_KERNEL`), then one
        compaction per channel. ``among``: as for the function (codes ignore it).
        """
        from sim.mechanisms import wom

        if not self.coded_bass:
            return wom.bass_adopters(u, media_term, wom_term, dt, adopted, among)
        xp = self.xp
        m = 0.0 if media_term is None else media_term
        if self.device == "gpu":
            code = _bass_kernel()(u, wom_term, m, adopted, float(dt))
        else:
            code = wom.bass_codes(u, m, wom_term, dt, adopted)
        return xp.flatnonzero(code == wom.MEDIA_CODE), xp.flatnonzero(code == wom.WOM_CODE)

    def sync(self) -> None:
        """Wait for queued device work (for honest timings); a no-op on the CPU."""
        if self.device == "gpu":
            import cupy as cp

            cp.cuda.Device().synchronize()


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


_GPU_WAYS = {"push": "auto", "search_gather": True, "device_streams": True, "dense_push": True,
             "coded_bass": True}


@functools.lru_cache(maxsize=None)
def _bass_kernel():
    """The fused Bass decision on CuPy (compiled once, on first use)."""
    import cupy as cp

    from sim.mechanisms import wom

    return cp.ElementwiseKernel("float64 u, float64 w, float64 m, bool adopted, float64 dt", "int8 code",
                                wom.BASS_KERNEL, "bouche_bass_decision")


@functools.lru_cache(maxsize=None)
def _gpu() -> Backend:
    import cupy as cp
    import cupyx.scipy.sparse as cps

    return Backend("gpu", cp, cps, **_GPU_WAYS)


def emulated_gpu() -> Backend:
    """The GPU backend's ways (pushes, gathers, device-seeded streams) on NumPy, for tests and dry runs.

    Examples
    --------
    >>> be = emulated_gpu()
    >>> be.xp.__name__, be.push, be.device_streams, be.dense_push
    ('numpy', 'auto', True, True)
    >>> be.distinct(np.array([2, 0, 2]), n=3)  # by marking, not sorting
    array([0, 2])
    """
    return Backend("cpu", np, sp.sparse, **_GPU_WAYS)


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
