"""Validation suite: the engine docked against published diffusion results.

``bouche validate`` runs each check below with the engine (:func:`sim.run`
with overrides; the analytic companions in :mod:`sim.analytic` give the
expected values) and writes a report, Markdown and HTML with its figures,
that states for each check the reference, the setting, the expected value, the
simulated value with its uncertainty, the tolerance and whether it passed. Any
failed check makes the command exit with status 1, after the report is written.
Rand & Rust (2011) ask agent-based marketing models to dock against the
aggregate models first; this report is that docking, rerun on every change.

Checks (the registry :data:`CHECKS`, in report order): the Bass model on the
complete graph against the discrete recursion (dt = 1) and the closed form
(small dt); Granovetter's riot and final size against the threshold spread
sigma; Watts's global cascades against the Gleeson–Cahalane trigger
probability, size and window; complex against simple contagion on rewired ring
lattices (Centola & Macy); greedy seeding against the brute-force optimum on
Zachary's karate club and the seeding strategies on a Barabási–Albert graph;
the friendship paradox on Erdős–Rényi and Barabási–Albert graphs; the
cultural market of Salganik, Dodds & Watts (inequality and unpredictability
under social influence) and the self-fulfilling prophecy of Salganik & Watts;
information cascades against Bikhchandani, Hirshleifer & Welch's closed forms;
the voter model's exit probability and consensus time, Deffuant's camps, the
Hegselmann–Krause threshold and the algorithmic bias.

Every stochastic check fixes its seeds (each run's seed derives from a root
seed and the run's content: check, setting, replicate) and allows about 2.5
standard errors; a check that tests m values at once allows z_m standard errors
each (Bonferroni: the same 1.2 % chance of a false alarm for the whole check).

Modules: :mod:`~sim.validation.registry` (the record :class:`Check`, the
registry :data:`CHECKS`, :func:`run_check`, :func:`z_limit` and the helpers
the checks share), the checks :mod:`~sim.validation.bass`,
:mod:`~sim.validation.thresholds` (Granovetter, Watts, complex contagion),
:mod:`~sim.validation.seeding`, :mod:`~sim.validation.friendship`, :mod:`~sim.validation.market` and
:mod:`~sim.validation.cascades`, :mod:`~sim.validation.opinions`,
:mod:`~sim.validation.report` (Markdown, HTML and JSON) and
:mod:`~sim.validation.cli` (``bouche validate``). The check modules are
imported here in report order, which is the order of :data:`CHECKS`.
:mod:`~sim.validation.reference` is the executable specification: the
threshold rule written the plain-Mesa way, one agent per person, which the
engine must match state for state (it is not imported here: it needs Mesa's
agents, and ``bouche validate`` does not).

References
----------
Rand, W. & Rust, R. T. (2011). Agent-based modeling in marketing: guidelines
for rigor. Int. J. Research in Marketing 28(3), 181–193.

Examples
--------
>>> rec = run_check("granovetter_riot", quick=True)
>>> rec.passed, rec.simulated
(True, '100 join; with 1 -> 2: 1 joins')
"""

from __future__ import annotations

# the check modules register their checks on import: this line sets the report order (keep it first)
from sim.validation import bass, thresholds, seeding, friendship, market, cascades, opinions  # noqa: F401  # isort: skip
from sim.validation.cli import add_arguments, command
from sim.validation.registry import CHECKS, FIGURES, Check, run_check, run_checks, z_limit
from sim.validation.report import write_report

__all__ = ["Check", "CHECKS", "FIGURES", "run_check", "run_checks", "write_report", "z_limit",
           "add_arguments", "command"]
