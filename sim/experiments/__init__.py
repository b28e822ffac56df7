"""Experiments: parameter sweeps with replicates, resumable crash-safe storage, local or Dask execution.

A sweep is a base scenario × a design (grid, zip, random, Latin hypercube,
Sobol') × replicates. Each run is named by a hash of its content and seeded
from the root seed and its replicate (or design point and replicate), so a
sweep can be extended without changing a single earlier run. Runs go to a
:class:`concurrent.futures.Executor` (serial, a local process pool, or Dask)
in batches; each batch is stored as a Parquet part the moment it completes,
so a killed sweep resumes where it stopped. A sweep stores into a new or
empty folder, or one of its own (marked); its workers die with it; SIGTERM
stops it as Ctrl-C does; a run that kills its worker is stored as failed; a
damaged part is set aside and its runs run again.

Modules: :mod:`~sim.experiments.spec` (what a sweep is),
:mod:`~sim.experiments.design` (designs), :mod:`~sim.experiments.draws`
(the random design's draws, vectorised), :mod:`~sim.experiments.seeds`
(run keys and seeds), :mod:`~sim.experiments.worker` (the unit of work),
:mod:`~sim.experiments.executors`, :mod:`~sim.experiments.store`,
:mod:`~sim.experiments.runner` (:func:`sweep`), :mod:`~sim.experiments.sobol`,
:mod:`~sim.experiments.plots` and :mod:`~sim.experiments.command`
(``bouche sweep``).
"""

from sim.experiments.runner import SweepAborted, SweepResult, SweepTerminated, sweep
from sim.experiments.spec import SweepSpec, load_spec, shipped_experiments
from sim.experiments.worker import run_batch

__all__ = ["SweepAborted", "SweepResult", "SweepSpec", "SweepTerminated", "load_spec", "run_batch",
           "shipped_experiments", "sweep"]
