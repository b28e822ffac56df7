"""Closed-form and mean-field results the agent models are docked against.

Deterministic and cheap: the Bass (1969) curve and its discrete-time
recursion, Granovetter's (1978) threshold equilibrium, the Watts (2002) cascade
condition and window on Erdős–Rényi graphs, the Gleeson & Cahalane (2007)
cascade size, and the friendship-paradox mean neighbour degree.  Quantities
are population fractions unless stated; p, q are the Bass innovation and
imitation coefficients, z a mean degree, phi a fractional threshold, k a degree.

One module per family of results, all re-exported here (``sim.analytic.X``):

* :mod:`sim.analytic.bass`: ``bass_cdf``, ``bass_pdf``, ``bass_peak``,
  ``bass_discrete``;
* :mod:`sim.analytic.granovetter`: ``granovetter_equilibrium``,
  ``granovetter_normal``, ``granovetter_critical_sd``;
* :mod:`sim.analytic.cascades`: ``watts_cascade_condition``,
  ``watts_window``, ``gleeson_cascade``;
* :mod:`sim.analytic.friendship`: ``mean_neighbour_degree``,
  ``er_mean_neighbour_degree``.

References
----------
Bass, F. M. (1969). Management Science 15(5), 215-227.
Granovetter, M. (1978). American J. Sociology 83(6), 1420-1443.
Watts, D. J. (2002). PNAS 99(9), 5766-5771.
Gleeson, J. P. & Cahalane, D. J. (2007). Phys. Rev. E 75, 056103.
Feld, S. L. (1991). American J. Sociology 96(6), 1464-1477.
"""

from sim.analytic.bass import bass_cdf, bass_discrete, bass_pdf, bass_peak
from sim.analytic.cascades import gleeson_cascade, watts_cascade_condition, watts_window
from sim.analytic.friendship import er_mean_neighbour_degree, mean_neighbour_degree
from sim.analytic.granovetter import granovetter_critical_sd, granovetter_equilibrium, granovetter_normal

__all__ = ["bass_cdf", "bass_pdf", "bass_peak", "bass_discrete", "granovetter_equilibrium",
           "granovetter_normal", "granovetter_critical_sd", "watts_cascade_condition",
           "watts_window", "gleeson_cascade", "mean_neighbour_degree", "er_mean_neighbour_degree"]
