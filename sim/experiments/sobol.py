"""Sobol' sensitivity indices of a sweep run on a Saltelli (``sobol``) design, through SALib.

For each metric, the model output of each design row is the mean of its
successful replicates; SALib's estimator gives the first-order (S1) and total
(ST) index of each varied parameter with bootstrap 95 % confidence
half-widths. Metrics missing at some design point, or constant over the
design, have no indices and are left out.

References
----------
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output.
Design and estimator for the total sensitivity index. Computer Physics
Communications 181(2), 259-270.
Herman, J. & Usher, W. (2017). SALib: An open-source Python library for
sensitivity analysis. Journal of Open Source Software 2(9), 97.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments import seeds
from sim.experiments.design import sobol_problem
from sim.experiments.store import RUN_COLUMNS, _replace_atomically

__all__ = ["indices"]


def indices(spec, runs: pd.DataFrame, path: Path | None = None) -> pd.DataFrame:
    """First-order and total Sobol' indices of every metric; written to ``path`` as CSV if given.

    Returns
    -------
    pandas.DataFrame
        One row per (metric, parameter): ``S1``, ``S1_conf``, ``ST``, ``ST_conf``.
    """
    from SALib.analyze import sobol as salib_sobol

    problem = sobol_problem(spec.design["vary"])
    ok = runs[runs["status"] == "ok"]
    skip = set(RUN_COLUMNS) | set(spec.varied) | {"traceback"}
    metrics = [c for c in ok.columns if c not in skip and pd.api.types.is_numeric_dtype(ok[c])]
    means = ok.groupby("point")[metrics].mean()
    rows_ids = [seeds.point_id(p) for p in spec.points]
    seed = int(np.random.SeedSequence(spec.root_seed, spawn_key=(0x50B0,)).generate_state(1)[0])
    rows = []
    for m in metrics:
        y = means[m].reindex(rows_ids).to_numpy(dtype=float)
        if not np.isfinite(y).all() or np.ptp(y) == 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = salib_sobol.analyze(problem, y, calc_second_order=spec.design.get("second_order", False),
                                      seed=seed)
        for j, name in enumerate(problem["names"]):
            rows.append({"metric": m, "parameter": name, "S1": res["S1"][j], "S1_conf": res["S1_conf"][j],
                         "ST": res["ST"][j], "ST_conf": res["ST_conf"][j]})
    table = pd.DataFrame(rows, columns=["metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"])
    if path is not None:
        _replace_atomically(Path(path), lambda tmp: table.to_csv(tmp, index=False))
    return table
