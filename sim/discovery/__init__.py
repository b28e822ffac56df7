"""Scenario discovery on a stored sweep (:func:`discover`): PRIM boxes and feature scores.

``sim.discover("runs/sweeps/NAME", where="final_fraction >= 0.5")`` asks in
which region of the varied parameters the condition holds: the PRIM peeling
trajectory (coverage against density), the box chosen with its restricted
parameters, and each parameter's importance (:mod:`sim.discovery.prim`,
through EMA Workbench: ``pip install 'bouche[discover]'``). ``bouche
discover`` is :mod:`sim.discovery.command`.
"""

from sim.discovery.prim import Discovery, discover, find_box

__all__ = ["Discovery", "discover", "find_box"]
