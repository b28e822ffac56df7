"""Docking: the array engine against the plain-Mesa reference (sim/validation/reference.py).

Each case builds a threshold model with :class:`sim.DiffusionModel`, then the
one-agent-per-person reference on the same graph (``model.graph.to_networkx()``),
the same per-person thresholds and the same seeds, runs both to quiescence and
requires the same final state and the same adoption step for every person.
"""

import networkx as nx
import numpy as np
import pytest

import sim
from sim.validation.reference import ThresholdReference

BASE = {"wom.rule": "threshold", "seeding.strategy": "random", "run.steps": 1000,
        "run.stop": "quiescent", "media": []}

CASES = {
    # name: (overrides, seed)
    "er-200-k4": ({"network.kind": "erdos_renyi", "network.n": 200, "network.mean_degree": 4,
                   "wom.threshold": 0.3, "seeding.fraction": 0.05}, 1),
    "er-300-k6": ({"network.kind": "erdos_renyi", "network.n": 300, "network.mean_degree": 6,
                   "wom.threshold": 0.18, "seeding.fraction": 0.03}, 2),
    "er-500-k10": ({"network.kind": "erdos_renyi", "network.n": 500, "network.mean_degree": 10,
                    "wom.threshold": 0.18, "seeding.fraction": 0.03}, 3),
    "er-400-k2-isolated": ({"network.kind": "erdos_renyi", "network.n": 400, "network.mean_degree": 2,
                            "wom.threshold": 0.34, "seeding.fraction": 0.05}, 4),
    "er-500-normal-sd": ({"network.kind": "erdos_renyi", "network.n": 500, "network.mean_degree": 8,
                          "wom.threshold": 0.2, "wom.threshold_sd": 0.1, "seeding.fraction": 0.02}, 5),
    "er-300-uniform": ({"network.kind": "erdos_renyi", "network.n": 300, "network.mean_degree": 6,
                        "wom.threshold_dist": "uniform", "wom.threshold_low": 0.0,
                        "wom.threshold_high": 0.5, "seeding.fraction": 0.02}, 6),
    "ws-400-k4": ({"network.kind": "watts_strogatz", "network.n": 400, "network.k": 4,
                   "network.rewire": 0.1, "wom.threshold": 0.25, "seeding.count": 3}, 7),
    "ws-400-k6-sd": ({"network.kind": "watts_strogatz", "network.n": 400, "network.k": 6,
                      "network.rewire": 0.2, "wom.threshold": 0.3, "wom.threshold_sd": 0.08,
                      "seeding.count": 4}, 8),
    # phi * k is an integer for every person: adoption at exactly a/k == phi (>= not >).
    "ring-300-k4-exact": ({"network.kind": "ring", "network.n": 300, "network.k": 4,
                           "wom.threshold": 0.25, "seeding.count": 2}, 9),
    "ring-300-k4-half": ({"network.kind": "ring", "network.n": 300, "network.k": 4, "wom.threshold": 0.5,
                          "seeding.strategy": "nodes", "seeding.nodes": [0, 1]}, 9),
    "er-400-phi0.2-exact": ({"network.kind": "erdos_renyi", "network.n": 400, "network.mean_degree": 10,
                             "wom.threshold": 0.2, "seeding.fraction": 0.05}, 10),
}


def _directed_overrides(tmp_path, seed: int) -> dict:
    """A random directed graph written as an edge list (u -> v: v listens to u)."""
    G = nx.gnp_random_graph(300, 0.02, seed=np.random.default_rng(seed), directed=True)
    path = tmp_path / "directed.csv"
    path.write_text("source,target\n" + "".join(f"{u},{v}\n" for u, v in G.edges()))
    return {"network.kind": "file", "network.path": str(path), "network.directed": True,
            "wom.threshold": 0.2, "seeding.fraction": 0.05}


def _dock(overrides: dict, seed: int):
    model = sim.DiffusionModel("bass", seed=seed, overrides={**BASE, **overrides})
    model.run()
    seeds = np.flatnonzero(model.state.adopted_at == 0)
    ref = ThresholdReference(model.graph.to_networkx(), model.thresholds, seeds, rng=seed)
    ref.run(max_steps=1000)
    return model, ref, seeds


def _assert_docked(model, ref, seeds) -> None:
    np.testing.assert_array_equal(ref.adopted, model.state.adopted)
    np.testing.assert_array_equal(ref.adopted_at, model.state.adopted_at)
    # A case where nothing spreads would dock trivially: require word-of-mouth adoptions.
    assert model.state.n_adopted > len(seeds) > 0


@pytest.mark.parametrize("name", list(CASES))
def test_engine_matches_mesa_reference(name):
    overrides, seed = CASES[name]
    _assert_docked(*_dock(overrides, seed))


@pytest.mark.parametrize("seed", [11, 12])
def test_engine_matches_mesa_reference_directed(tmp_path, seed):
    model, ref, seeds = _dock(_directed_overrides(tmp_path, seed), seed)
    assert model.graph.directed
    _assert_docked(model, ref, seeds)


def _tie_adoptions(model) -> int:
    """Word-of-mouth adopters whose adopted fraction of contacts was exactly φ when they adopted."""
    g, at, phi = model.graph, model.state.adopted_at, model.thresholds
    ties = 0
    for v in np.flatnonzero(at > 0):
        contacts = g.in_neighbours(int(v))
        before = np.count_nonzero((at[contacts] >= 0) & (at[contacts] < at[v]))
        ties += bool(before * 1.0 == phi[v] * len(contacts))
    return ties


@pytest.mark.parametrize("name", ["ring-300-k4-exact", "ring-300-k4-half", "er-400-phi0.2-exact"])
def test_exact_ties_adopt(name):
    """The integer cases really exercise a/k == φ (where ≥ and > part ways)."""
    overrides, seed = CASES[name]
    model, ref, seeds = _dock(overrides, seed)
    _assert_docked(model, ref, seeds)
    assert _tie_adoptions(model) > 0


def test_reference_directed_listens_to_predecessors():
    """u -> v means v listens to u: the cascade follows the arrows, not against them."""
    G = nx.DiGraph([(0, 1), (1, 2), (3, 2)])
    ref = ThresholdReference(G, [0.5, 0.5, 0.5, 0.5], seeds=[0]).run()
    assert ref.adopted_at.tolist() == [0, 1, 2, -1]
    back = ThresholdReference(G, [0.5] * 4, seeds=[2]).run()
    assert back.adopted.tolist() == [False, False, True, False]


def test_reference_accepts_sim_graph():
    model = sim.DiffusionModel("bass", seed=3, overrides={**BASE, **CASES["er-200-k4"][0]})
    model.run()
    seeds = np.flatnonzero(model.state.adopted_at == 0)
    ref = ThresholdReference(model.graph, model.thresholds, seeds).run()
    np.testing.assert_array_equal(ref.adopted_at, model.state.adopted_at)


def test_reference_rejects_wrong_threshold_count():
    with pytest.raises(ValueError, match="one threshold per node"):
        ThresholdReference(nx.path_graph(3), [0.5, 0.5], seeds=[0])
