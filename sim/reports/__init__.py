"""Scenario reports: the extra runs and figures that show each shipped scenario's point.

A scenario names its report with the top-level key ``report`` (registered in
:data:`sim.config.REPORTS`); ``bouche run`` calls it after the main run with
``(result, folder)`` and it returns the paths it wrote. Each report validates
that the scenario still fits it first and raises a one-line
:class:`~sim.errors.ConfigError` otherwise (``--set report=''`` skips it).

- ``bass``: the run against the closed-form Bass curve, and the same market on
  sparse networks, slower than Bass (Fibich & Gibori 2010).
- ``bandwagon``: final adoption against the seeded fraction over replicates,
  with the analytic curve and critical mass; Granovetter's crowd; the Watts
  cascade window.
- ``broadcast-vs-seeding``: one budget spent four ways in each world of the
  scenario's ``[variants]``, over paired replicates.
- ``cascades``: an information cascade person by person, and how a public
  review at each date changes how many runs end in a right or a wrong cascade.
- ``echo-chambers``: opinions over time with a neutral and a biased feed, camps
  against the feed's bias, and what a broadcaster changes, from twin runs.
- ``measurement``: what the dashboard shows against the true lift from twin
  runs, for each campaign variant; it lives with the platform model, in
  :mod:`sim.platform.report`.

Modules, one per report: :mod:`~sim.reports.bass`, :mod:`~sim.reports.bandwagon`,
:mod:`~sim.reports.broadcast_vs_seeding`, :mod:`~sim.reports.cascades` and
:mod:`~sim.reports.echo_chambers`; :mod:`~sim.reports.scenario_notes`
(the lines after a scenario in ``bouche show`` and ``bouche run``) and
:mod:`~sim.reports.common` (what the reports share). The names in ``__all__``
are importable from here, so ``sim.reports:bass_report`` and ``from
sim.reports import notes`` work as they name it.

References
----------
Bass, F. M. (1969). Management Science 15(5), 215–227.
Fibich, G. & Gibori, R. (2010). Aggregate diffusion dynamics in agent-based
models with a spatial structure. Operations Research 58(5), 1450–1468.
Granovetter, M. (1978). Threshold models of collective behavior. AJS 83(6).
Watts, D. J. (2002). A simple model of global cascades on random networks. PNAS 99(9).
Gleeson, J. P. & Cahalane, D. J. (2007). Seed size strongly affects cascades
on random networks. Phys. Rev. E 75, 056103.
Libai, B., Muller, E. & Peres, R. (2013). Decomposing the value of word-of-mouth
seeding programs. JMR 50(2), 161–176.

Examples
--------
>>> from sim import config
>>> from sim.reports import cascade_note
>>> print(cascade_note(config.load("bandwagon")).split(";")[0])
Watts (2002) cascade window for a uniform threshold of 0.35 on an Erdős–Rényi graph: none (no window above 1/4)
"""

from __future__ import annotations

import importlib

# each name, and the module it lives in: imported on first use (a run that writes no report loads none of them)
_HOME = {
    "bandwagon": ("bandwagon_report", "critical_mass", "crowd_runs", "threshold_cascade_size", "threshold_cdf",
                  "tipping_runs"),
    "bass": ("bass_report",),
    "broadcast_vs_seeding": ("STRATEGIES", "StrategyComparison", "broadcast_vs_seeding_report", "budget",
                             "strategy_arms", "strategy_comparison"),
    "cascades": ("cascades_report", "decision_trace", "review_runs"),
    "common": ("REPLICATES",),
    "echo_chambers": ("echo_chambers_report", "feed_runs"),
    "scenario_notes": ("cascade_note", "notes"),
}
_MODULE = {name: module for module, names in _HOME.items() for name in names}

__all__ = ["bass_report", "bandwagon_report", "broadcast_vs_seeding_report", "notes",
           "cascade_note", "threshold_cdf", "threshold_cascade_size", "critical_mass", "tipping_runs",
           "crowd_runs", "budget", "strategy_arms", "strategy_comparison", "StrategyComparison",
           "STRATEGIES", "REPLICATES", "cascades_report", "decision_trace", "review_runs",
           "echo_chambers_report", "feed_runs"]


def __getattr__(name: str):
    if name not in _MODULE:
        raise AttributeError(f"module 'sim.reports' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"sim.reports.{_MODULE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
