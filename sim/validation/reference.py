"""A plain-Mesa threshold model, written the way a Mesa user would write it.

This module exists for **docking and speed comparison**, not for production:
it is the textbook agent-based version of the fractional threshold rule
(Granovetter 1978; Watts 2002), one :class:`mesa.Agent` per person sitting on a
:class:`mesa.discrete_space.Network` cell, each agent looping over its contacts
in Python. The tests check that :class:`sim.DiffusionModel` (arrays, sparse
graph) ends in exactly the same state, person by person and step by step, and
``python -m benchmarks core`` times the two against each other.

The rule, with synchronous updates: every step, each non-adopter with k > 0
contacts looks at its contacts *as they were at the end of the previous step*
and decides to adopt when (adopted contacts) / k >= φ - 1e-9; all decisions
are then applied together. People without contacts never adopt; seeds adopt
at step 0. In a directed graph an edge u -> v means "v listens to u", so an
agent's contacts are its predecessors.

Examples
--------
>>> import networkx as nx
>>> G = nx.path_graph(5)                      # 0 - 1 - 2 - 3 - 4
>>> ref = ThresholdReference(G, thresholds=[0.5] * 5, seeds=[0]).run()
>>> ref.adopted_at.tolist()                   # one step per hop
[0, 1, 2, 3, 4]
>>> ThresholdReference(G, [0.6] * 5, seeds=[0]).run().adopted.tolist()
[True, False, False, False, False]

References
----------
Granovetter, M. (1978). Threshold models of collective behavior. AJS 83(6).
Watts, D. J. (2002). A simple model of global cascades on random networks. PNAS 99(9).
"""

from __future__ import annotations

import inspect

import mesa
import numpy as np
from mesa.discrete_space import FixedAgent, Network

__all__ = ["ThresholdPerson", "ThresholdReference", "TOLERANCE"]

TOLERANCE = 1e-9


def _network_space(G, random) -> Network:
    """Mesa's network space on ``G``, without the spring layout Mesa >= 3.4 computes by default."""
    if "layout" in inspect.signature(Network).parameters:  # Mesa >= 3.4 (3.3.1 has no such argument)
        return Network(G, capacity=1, random=random, layout=None)
    return Network(G, capacity=1, random=random)


class ThresholdPerson(FixedAgent):
    """One person: adopts once enough of its contacts have adopted.

    Parameters
    ----------
    model : ThresholdReference
        The model the person belongs to.
    cell : mesa.discrete_space.Cell
        The person's node; the cell's neighbours are the person's contacts.
    threshold : float
        φ, the adopted fraction of contacts needed to adopt.
    """

    def __init__(self, model: ThresholdReference, cell, threshold: float):
        super().__init__(model)
        self.cell = cell
        self.threshold = float(threshold)
        self.adopted = False
        self.adopted_at = -1
        self.will_adopt = False

    def decide(self) -> None:
        """Look at the contacts (nobody has changed yet this step) and decide."""
        if self.adopted:
            return
        contacts = list(self.cell.neighborhood.agents)
        if not contacts:
            return
        n_adopted = sum(1 for other in contacts if other.adopted)
        self.will_adopt = n_adopted / len(contacts) >= self.threshold - TOLERANCE

    def apply(self) -> None:
        """Carry out the decision taken in :meth:`decide`."""
        if self.will_adopt:
            self.adopted = True
            self.adopted_at = self.model.steps
            self.will_adopt = False


class ThresholdReference(mesa.Model):
    """Fractional threshold model with one Mesa agent per person (reference only).

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Who talks to whom; in a DiGraph the edge u -> v means v listens to u.
        A :class:`sim.networks.Graph` is accepted too (via ``to_networkx``).
    thresholds : array_like of float
        φ of each person, in the order of ``list(G.nodes)``.
    seeds : array_like of int
        Positions (in ``list(G.nodes)``) of the people who adopt at step 0.
    rng : int or numpy.random.Generator, optional
        Passed to :class:`mesa.Model`; the dynamics are deterministic, so it
        only matters to code that extends the model.

    Attributes
    ----------
    people : list of ThresholdPerson
        The agents, in node order.
    """

    def __init__(self, G, thresholds, seeds, rng=None):
        super().__init__(rng=rng)
        if hasattr(G, "to_networkx"):
            G = G.to_networkx()
        self.nodes = list(G.nodes)
        thresholds = np.asarray(thresholds, dtype=np.float64)
        if thresholds.shape != (len(self.nodes),):
            raise ValueError(f"need one threshold per node ({len(self.nodes)}); got shape {thresholds.shape}")
        # A cell's neighbours must be the people it listens to: predecessors in a DiGraph.
        listens_to = G.reverse(copy=False) if G.is_directed() else G
        self.grid = _network_space(listens_to, self.random)
        self.people = [ThresholdPerson(self, self.grid[node], phi)
                       for node, phi in zip(self.nodes, thresholds.tolist())]
        for i in np.asarray(seeds, dtype=np.int64).ravel().tolist():
            self.people[i].adopted = True
            self.people[i].adopted_at = 0
        self.n_new = 0

    def step(self) -> None:
        """One synchronous step: everyone decides, then every decision is applied."""
        self.agents.do("decide")
        self.n_new = sum(1 for person in self.people if person.will_adopt)
        self.agents.do("apply")
        self.running = self.n_new > 0

    def run(self, max_steps: int = 1000) -> ThresholdReference:
        """Step until a step changes nothing (quiescence) or ``max_steps``; returns the model."""
        while self.running and self.steps < max_steps:
            self.step()
        return self

    @property
    def adopted(self) -> np.ndarray:
        """Whether each person has adopted (bool array, node order)."""
        return np.array([person.adopted for person in self.people], dtype=bool)

    @property
    def adopted_at(self) -> np.ndarray:
        """The step each person adopted at, -1 for never (int32 array, node order)."""
        return np.array([person.adopted_at for person in self.people], dtype=np.int32)
