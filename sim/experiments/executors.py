"""Where runs execute: serial, a local process pool, or Dask distributed.

All three are :class:`concurrent.futures.Executor` objects, so the sweep loop
is the same for each; any other executor (an ``mpi4py`` pool, a Dask client
you made yourself) can be passed to :func:`sim.sweep` as ``executor=``.

- ``workers=1``: :class:`SerialExecutor`, in this process;
- ``workers=W`` (default: the number of cores): a process pool whose workers
  are forked from this process on Linux when it runs a single thread (they
  start at once, the engine already imported); elsewhere ``forkserver`` with
  the worker module preloaded (``spawn`` where there is none);
- ``scheduler="tcp://host:8786"``: an existing Dask cluster (``dask-scheduler``,
  ``dask-jobqueue`` on Slurm/PBS...); ``scheduler="local"``: a Dask
  ``LocalCluster`` of W single-threaded worker processes.

Examples
--------
>>> with open_executor(workers=1) as (ex, label, width):
...     ex.submit(pow, 2, 10).result(), label, width
(1024, 'this process (serial)', 1)
"""

from __future__ import annotations

import contextlib
import sys
import threading
import multiprocessing
import os
import socket
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from urllib.parse import urlparse

from sim.errors import ConfigError

__all__ = ["WORKER_MODULE", "SerialExecutor", "default_workers", "forks", "open_executor"]

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
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
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
    ctx = _context()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    pool.bouche_forks = ctx.get_start_method() == "fork"  # read by forks()
    try:
        yield pool, f"{workers} local processes", workers
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
