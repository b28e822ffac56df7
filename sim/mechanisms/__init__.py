"""Mechanisms: pure functions over arrays that the model composes each step.

- :mod:`sim.mechanisms.media` — mass media contacts, targeting and cost;
- :mod:`sim.mechanisms.seeding` — who adopts at step 0.

Word-of-mouth rules are plug-ins of their own (:mod:`sim.rules`). These take
arrays and a :class:`numpy.random.Generator` and return arrays; none of them
needs Mesa, so each can be tested and reused on its own.
"""

from sim.mechanisms import media, seeding

__all__ = ["media", "seeding"]
