"""Scenario notes: the lines ``bouche show`` and ``bouche run`` print after a scenario.

For a threshold scenario on an Erdős–Rényi graph, Watts's analytic cascade
window (:func:`sim.analytic.watts_window`) and whether the scenario's mean
degree lies inside it; for a scenario with ``[variants]``, the variants its
report runs beside the base.

References
----------
Watts, D. J. (2002). A simple model of global cascades on random networks. PNAS 99(9).

Examples
--------
>>> from sim import config
>>> print(cascade_note(config.load("bandwagon")).split(";")[0])
Watts (2002) cascade window for a uniform threshold of 0.35 on an Erdős–Rényi graph: none (no window above 1/4)
"""

from __future__ import annotations

import math

import numpy as np

from sim.reports.common import uses_rule
from sim.rules.threshold import Threshold

__all__ = ["cascade_note", "notes"]


def cascade_note(spec) -> str | None:
    """Watts's analytic cascade window for a threshold scenario on an Erdős–Rényi graph (else None).

    With thresholds that vary, the window is computed at their mean.
    """
    if not uses_rule(spec, Threshold) or spec.get("network.kind") != "erdos_renyi":
        return None
    from sim import analytic  # SciPy's optimisers: imported only for the scenarios that show the window

    phi = spec.get("wom.threshold")
    varied = isinstance(phi, list) or spec.get("wom.threshold_dist") == "uniform" or spec.get("wom.threshold_sd") > 0
    if isinstance(phi, list):
        phi = float(np.mean(phi))
    elif spec.get("wom.threshold_dist") == "uniform":
        phi = 0.5 * (spec.get("wom.threshold_low") + spec.get("wom.threshold_high"))
    z = spec.get("network.mean_degree")
    head = f"Watts (2002) cascade window for a uniform threshold of {phi:g} on an Erdős–Rényi graph: "
    window = analytic.watts_window(phi) if phi > 0 else (0.0, math.inf)
    if window is None:
        text = (head + f"none (no window above 1/4); one seed never starts a global cascade at any mean degree, "
                       f"so at z = {z:g} only a critical mass of seeds can")
    else:
        lo, hi = window
        inside = lo < z < hi
        text = head + (f"z in ({lo:.3f}, {hi:.3f}); this scenario's z = {z:g} is "
                       + ("inside: one seed can start a global cascade" if inside
                          else "outside: one seed cannot start a global cascade"))
    if varied:
        text += " (thresholds vary here; the window uses their mean)"
    return text


def notes(spec) -> list[str]:
    """Lines that `bouche show` and `bouche run` print after a scenario: the cascade window, the variants."""
    out = []
    note = cascade_note(spec)
    if note:
        out.append(note)
    if spec.variants:
        names = ", ".join(f"{k} ({v['title']})" if "title" in v else k for k, v in spec.variants.items())
        out.append(f"variants the report runs beside the base: {names}")
    return out
