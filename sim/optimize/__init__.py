"""Spending a budget: how to split it between media and seeding for the most adopters (:func:`optimize`).

``sim.optimize("broadcast-vs-seeding", budget=24000)`` tries every split of the
budget on a grid between the scenario's media (their cost per contact buys
steps on air) and seeding (``seeding.cost_per_seed`` buys seeds, placed at
random, on the best-connected or on friends of random people), each with the
same replicate seeds, and reports the best plans with 95 % intervals and the
response curve of each channel (:mod:`sim.optimize.plans`,
:mod:`sim.optimize.search`). ``bouche optimize`` is :mod:`sim.optimize.command`.
"""

from sim.optimize.search import OBJECTIVES, Optimization, optimize

__all__ = ["OBJECTIVES", "Optimization", "optimize"]
