"""The ``network`` spec of a scenario: :data:`KINDS` and :func:`build`."""

from __future__ import annotations

import numpy as np

from sim.errors import ConfigError
from sim.networks.generators import (
    barabasi_albert,
    communities,
    complete,
    equal_sizes,
    erdos_renyi,
    ring,
    stochastic_block,
    watts_strogatz,
)
from sim.networks.graph import Graph
from sim.networks.memory import check_memory, check_people
from sim.networks.readers import from_file

__all__ = ["KINDS", "build"]

KINDS = ("complete", "erdos_renyi", "watts_strogatz", "ring", "barabasi_albert",
         "stochastic_block", "communities", "file", "graph")


def build(spec: dict, rng: np.random.Generator) -> Graph:
    """Build the graph a validated ``network`` spec describes.

    A size this machine cannot hold is refused in one line before anything is
    allocated (:func:`~sim.networks.memory.check_memory`).

    Examples
    --------
    >>> build({"kind": "ring", "n": 10, "k": 4}, np.random.default_rng(0)).n_edges
    20
    """
    s, kind = spec, spec.get("kind")
    makers = {
        "complete": lambda: complete(s["n"]),
        "erdos_renyi": lambda: erdos_renyi(s["n"], s["mean_degree"], rng),
        "watts_strogatz": lambda: watts_strogatz(s["n"], s["k"], s["rewire"], rng),
        "ring": lambda: ring(s["n"], s["k"]),
        "barabasi_albert": lambda: barabasi_albert(s["n"], s["m"], rng),
        "stochastic_block": lambda: stochastic_block(s.get("sizes") or equal_sizes(s["n"], s.get("communities", 1)),
                                                     s["p_in"], s["p_out"], rng),
        "communities": lambda: communities(s["n"], s["communities"], s["mean_degree"], s["mixing"], rng),
        "file": lambda: from_file(s["path"], s.get("directed")),
    }
    if kind == "graph":  # the graph object itself is given to the run (sim.networks.as_graph)
        raise ConfigError("network.kind", "= graph takes a graph given in Python (sim.run(..., graph=G)); "
                                          "got none: a scenario file cannot hold the graph itself")
    if kind not in makers:
        raise ConfigError("network.kind", f"must be one of {', '.join(KINDS)}; got {kind!r}")
    if kind != "file":
        check_memory(s)
        check_people(s)
    return makers[kind]()
