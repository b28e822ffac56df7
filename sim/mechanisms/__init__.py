"""Mechanisms: pure functions over arrays that the model composes each step.

- :mod:`sim.mechanisms.wom` — word-of-mouth rules (Bass imitation, thresholds,
  complex contagion, independent cascade) and the one-draw adoption decision;
- :mod:`sim.mechanisms.media` — mass media contacts, targeting and cost;
- :mod:`sim.mechanisms.seeding` — who adopts at step 0.

They take arrays and a :class:`numpy.random.Generator` and return arrays; none
of them needs Mesa, so each can be tested and reused on its own.
"""

from sim.mechanisms import media, seeding, wom

__all__ = ["media", "seeding", "wom"]
