"""Where runs execute: serial, a local process pool, or Dask distributed.

All three are :class:`concurrent.futures.Executor` objects, so the sweep loop
is the same for each; any other executor (an ``mpi4py`` pool, a Dask client
you made yourself) can be passed to :func:`sim.sweep` as ``executor=``.

- ``workers=1``: :class:`SerialExecutor`, in this process;
- ``workers=W`` (default: the number of cores): a :class:`LocalPool` of
  worker processes, forked from this process on Linux when it runs a single
  thread (they start at once, the engine already imported); elsewhere
  ``forkserver`` with the worker module preloaded (``spawn`` where there is
  none);
- ``scheduler="tcp://host:8786"``: an existing Dask cluster (``dask-scheduler``,
  ``dask-jobqueue`` on Slurm/PBS...); ``scheduler="local"``: a Dask
  ``LocalCluster`` of W single-threaded worker processes, with no dashboard.

**Workers die with their parent.** Each local worker asks the kernel to kill it
when its parent dies (Linux: ``prctl(PR_SET_PDEATHSIG, SIGKILL)``, then checks
that the parent did not die first); a worker started by a fork server, and
every worker where that is not possible, has a thread that ends it when the
sweep's process ends (a pidfd on Linux; elsewhere polled twice a second). A worker ignores Ctrl-C: the sweep stops it.
When the sweep stops for any reason other than success (Ctrl-C, SIGTERM, an
error), the pool's workers are killed rather than left to finish their tasks.

Examples
--------
>>> with open_executor(workers=1) as (ex, label, width):
...     ex.submit(pow, 2, 10).result(), label, width
(1024, 'this process (serial)', 1)
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import signal
import socket
import sys
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from urllib.parse import urlparse

from sim.errors import ConfigError

__all__ = ["WORKER_MODULE", "LocalPool", "SerialExecutor", "default_workers", "forks", "open_executor"]

WORKER_MODULE = "sim.experiments.worker"


class SerialExecutor(Executor):
    """Runs each task when it is submitted, in the calling thread; returns a finished Future."""

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            if not isinstance(exc, Exception):
                raise
            future.set_exception(exc)
        return future


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _context():
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        # Workers forked from this single-threaded parent start at once, with the engine
        # already imported (about 1.4 s of imports saved per worker). The pool forks them all
        # at its first submit, from this thread (runner.execute). Native pools (OpenBLAS's
        # threads) still make Python 3.12+ warn that the process is multi-threaded; they
        # quiesce across fork, and the workers never touch pyarrow, whose pool does not.
        import sim.experiments.worker  # noqa: F401  (imported before the fork)

        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([WORKER_MODULE])
        return ctx
    return multiprocessing.get_context("spawn")


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def _kill_on_parent_death() -> bool:
    """Linux: ask the kernel to SIGKILL this process when its parent process dies; False if not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    """End this process when ``parent`` ends: a thread waits on a pidfd (Linux), or polls each half second."""
    try:
        fd = os.pidfd_open(parent)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):
        fd = None
    first = os.getppid()

    def watch():
        if fd is not None:
            select.select([fd], [], [])  # readable once the process has ended
            os._exit(1)
        while True:
            time.sleep(0.5)
            if os.getppid() != first or not _alive(parent):
                os._exit(1)

    threading.Thread(target=watch, name="bouche-parent-watch", daemon=True).start()


def _die_with_parent(parent: int, parent_is_ppid: bool) -> None:
    """Make this worker end when the sweep process ``parent`` dies, however it dies.

    ``parent_is_ppid``: the worker was forked or spawned by ``parent`` itself.
    Otherwise a fork server started it, and the server outlives the sweep
    while its workers live (each holds the server's keep-alive pipe): then a
    thread watches ``parent``.
    """
    if _kill_on_parent_death() and parent_is_ppid:
        if os.getppid() != parent:  # the parent died before the prctl: nothing would ever kill us
            os._exit(1)
        return
    _watch(parent)


def _init_worker(parent: int, parent_is_ppid: bool) -> None:
    """The initializer of each local worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the sweep stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker inherits the sweep's own handler
    _die_with_parent(parent, parent_is_ppid)


def _peak_kib(pid: int) -> int | None:
    """The peak resident memory of a process so far, in KiB (Linux), or None."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _death(processes: dict, peaks: dict) -> tuple[int | None, str]:
    """``(exit code, words)`` of the worker whose death broke a pool (a signal N gives -N)."""
    codes = {pid: p.exitcode for pid, p in processes.items()}
    # once one worker has died, the pool terminates the others (SIGTERM): those are not the story
    dead = [pid for pid, c in codes.items() if c not in (None, 0, -signal.SIGTERM)] \
        or [pid for pid, c in codes.items() if c == -signal.SIGTERM]
    if not dead:
        return None, "how it ended is unknown; memory unknown"
    pid = dead[0]
    code = codes[pid]
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "?"
        how = f"signal {-code} {name}" + (", as the out-of-memory killer sends" if -code == signal.SIGKILL else "")
    else:
        how = f"exit status {code}"
    peak = peaks.get(pid)
    mem = f"peak memory {peak / 1024:,.0f} MiB or more" if peak else "memory unknown"
    return code, f"{how}; {mem}"


class LocalPool(Executor):
    """A local process pool whose workers die with this process, started afresh after one dies.

    Parameters
    ----------
    workers : int
        Worker processes.

    Notes
    -----
    A worker killed while it runs (the out-of-memory killer, a signal) breaks
    a :class:`~concurrent.futures.ProcessPoolExecutor` for good: every task in
    flight fails with ``BrokenProcessPool``. :meth:`restart` replaces it and
    says how the worker ended. The pool's worker processes are read from its
    private ``_processes`` attribute, defensively: without it, the dead
    worker's signal and memory are reported as unknown.
    """

    def __init__(self, workers: int):
        self.workers = workers
        self._start()

    def _start(self) -> None:
        ctx = _context()
        self.start_method = ctx.get_start_method()
        self.bouche_forks = self.start_method == "fork"  # read by forks()
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_init_worker,
                                         initargs=(os.getpid(), self.start_method != "forkserver"))
        self._peaks: dict[int, int] = {}

    def submit(self, fn, /, *args, **kwargs):
        return self._pool.submit(fn, *args, **kwargs)

    def _processes(self) -> dict:
        return dict(getattr(self._pool, "_processes", None) or {})

    def sample_memory(self) -> None:
        """Note each worker's peak resident memory so far (reported if it dies)."""
        for pid in self._processes():
            kib = _peak_kib(pid)
            if kib:
                self._peaks[pid] = max(kib, self._peaks.get(pid, 0))

    def restart(self) -> tuple[int | None, str]:
        """Replace a broken pool by a new one; return how its dead worker ended: ``(exit code, words)``."""
        processes = self._processes()
        self._pool.shutdown(wait=True, cancel_futures=True)
        peaks = self._peaks
        self._start()
        return _death(processes, peaks)

    def stop(self) -> None:
        """Kill the workers now (the sweep stops: what they run is not wanted any more)."""
        for process in self._processes().values():
            with contextlib.suppress(Exception):
                process.kill()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _check_reachable(address: str, timeout: float) -> None:
    """Fail fast, in one line, when nothing listens at a tcp:// scheduler address."""
    url = urlparse(address if "://" in address else f"tcp://{address}")
    if url.scheme not in ("tcp", "tls", "ws", "wss") or not url.hostname:
        raise ConfigError("--scheduler", f"must be 'local' or an address like tcp://host:8786; got {address!r}")
    try:
        port = url.port or 8786
    except ValueError:
        raise ConfigError("--scheduler", f"must be 'local' or an address like tcp://host:8786; got {address!r}") \
            from None
    try:
        socket.create_connection((url.hostname, port), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError("--scheduler", f"must be a reachable Dask scheduler; got {address!r} ({reason})") from None


@contextlib.contextmanager
def _dask(scheduler: str, workers: int, timeout: float):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("--scheduler", "needs Dask: pip install 'bouche[dask]'; got " + repr(scheduler)) from None
    cluster = None
    if scheduler == "local":
        # dashboard_address=None alone still serves HTTP on port 8787 (distributed 2026.8): the scheduler's
        # HTTP server always starts. Here it gets an ephemeral loopback port, and no dashboard.
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None,
                               scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
        client = Client(cluster)
        label = f"a Dask LocalCluster of {workers} worker processes"
    else:
        _check_reachable(scheduler, timeout)
        try:
            client = Client(scheduler, timeout=f"{timeout}s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError("--scheduler", f"must be a reachable Dask scheduler; got {scheduler!r} "
                                             f"({type(exc).__name__})") from None
        label = f"the Dask scheduler at {scheduler}"
    try:
        # tasks kept in flight: the cluster's threads now, or W if more (a dask-jobqueue cluster may
        # still be starting its workers)
        width = max(workers, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
        yield client.get_executor(), label, width
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def forks(executor) -> bool:
    """Whether ``executor`` is a local pool whose workers are forked from this process.

    Such a pool must start its workers from this thread while it is the only
    one: a fork while another thread runs can deadlock the child (Python 3.12
    warns). The first submit of a fork pool starts every worker at once.
    """
    return bool(getattr(executor, "bouche_forks", False))


@contextlib.contextmanager
def open_executor(workers: int | None = None, scheduler: str | None = None, connect_timeout: float = 10.0):
    """Open the executor a sweep runs on; yields ``(executor, label, width)``.

    ``width`` is how many tasks can run at once (workers, or the Dask
    cluster's threads), used to size the window of tasks in flight.
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ConfigError("--workers", f"must be an integer >= 1; got {workers!r}")
    workers = workers or default_workers()
    if scheduler:
        with _dask(scheduler, workers, connect_timeout) as opened:
            yield opened
        return
    if workers == 1:
        yield SerialExecutor(), "this process (serial)", 1
        return
    pool = LocalPool(workers)
    try:
        yield pool, f"{workers} local processes", workers
    except BaseException:
        pool.stop()  # Ctrl-C, SIGTERM or an error: the tasks in flight are not wanted any more
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
