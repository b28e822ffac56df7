"""The adoptions table (sim/adoptions.py, Rule.credit): who adopted, when, by which channel, credited to whom;
and the measures of its diffusion trees."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import sim
from sim import adoptions, coins
from sim.cli import main

ER = {"network.kind": "erdos_renyi", "network.n": 2000, "network.mean_degree": 6, "network.seed": 5}
CASCADE = {**ER, "wom.rule": "cascade", "wom.beta": 0.25, "media": [], "seeding.strategy": "random",
           "seeding.count": 10, "run.steps": 60}
THRESHOLD = {**ER, "wom.rule": "threshold", "wom.threshold": 0.2, "wom.threshold_sd": 0.05, "media.p": 0.002,
             "seeding.strategy": "random", "seeding.count": 40, "run.steps": 60}


def _edges(graph) -> set[tuple[int, int]]:
    """(u, v) for every edge u -> v (u influences v)."""
    indptr, indices = graph.out_rows
    src = np.repeat(np.arange(graph.n), np.diff(indptr))
    return set(zip(src.tolist(), indices.tolist()))


def test_the_table_counts_every_adoption_by_channel():
    r = sim.run("bass", seed=4, overrides={**ER, "run.steps": 40})
    table, s = r.adoptions, r.summary
    assert table.columns.tolist() == ["person", "step", "channel", "source"]
    assert len(table) == s["final_adopters"] and table["person"].is_unique
    assert table["channel"].value_counts().to_dict() == s["adopters_by_channel"]
    assert table["step"].is_monotonic_increasing
    assert table.loc[table["channel"] != "wom", "source"].isna().all()


def test_a_cascade_credits_the_contact_whose_push_succeeded():
    r = sim.run("bass", seed=7, overrides=CASCADE)
    m = r.model
    table = r.adoptions
    wom = table[table["channel"] == "wom"]
    assert len(wom) > 200 and wom["source"].notna().all()  # on a graph every cascade adoption has its pusher
    step = dict(zip(table["person"], table["step"]))
    edges = _edges(m.graph)
    indptr, indices = m.graph.out_rows
    key = m.rule_state["key"]  # the run's own coin key (one replicate's state)
    for person, t, source in zip(wom["person"], wom["step"], wom["source"].astype(int)):
        assert (source, person) in edges and step[source] == t - 1  # a contact who adopted the step before
        row = indices[indptr[source]:indptr[source + 1]]
        pos = indptr[source] + int(np.searchsorted(row, person))
        assert coins.live(key, np.array([pos]), 0.25)[0]  # whose edge came up live with the run's own coin
        # and no live pusher with a lower index was passed over
        for other in m.graph.in_neighbours(person):
            if other < source and step.get(int(other)) == t - 1:
                orow = indices[indptr[other]:indptr[other + 1]]
                opos = indptr[other] + int(np.searchsorted(orow, person))
                assert not coins.live(key, np.array([opos]), 0.25)[0]


def test_other_rules_credit_the_contact_who_adopted_last():
    r = sim.run("bass", seed=2, overrides=THRESHOLD)
    table = r.adoptions
    step = dict(zip(table["person"], table["step"]))
    wom = table[table["channel"] == "wom"]
    assert len(wom) > 100
    g = r.model.graph
    for person, t, source in zip(wom["person"], wom["step"], wom["source"]):
        before = {int(c): step[int(c)] for c in g.in_neighbours(person) if step.get(int(c), t) < t}
        latest = max(before.values())
        assert source == min(c for c, s in before.items() if s == latest)


def test_recording_changes_no_number():
    for over in (CASCADE, THRESHOLD, {**ER, "wom.rule": "forgetting", "wom.q": 0.5, "wom.forget": 0.1,
                                      "run.steps": 40}):
        on, off = sim.run("bass", seed=1, overrides=over, adoptions=True), sim.run("bass", seed=1, overrides=over,
                                                                                   adoptions=False)
        assert off.adoptions is None and on.adoptions is not None
        pd.testing.assert_frame_equal(on.timeseries, off.timeseries)
        assert on.summary == off.summary


def test_people_who_adopt_again_are_one_row_per_adoption():
    r = sim.run("bass", seed=1, overrides={**ER, "wom.rule": "forgetting", "wom.q": 0.6, "wom.forget": 0.2,
                                           "run.steps": 30})
    assert len(r.adoptions) == int(r.timeseries["new_adopters"].sum())  # readoptions included
    assert not r.adoptions["person"].is_unique
    assert r.trees["trees"] + r.trees["credited"] == len(r.adoptions)


def test_on_by_default_below_the_size_and_off_above(monkeypatch):
    assert sim.run("bass", overrides={"network.n": 300, "run.steps": 5}).adoptions is not None
    monkeypatch.setattr(adoptions, "MAX_PEOPLE", 299)
    assert sim.run("bass", overrides={"network.n": 300, "run.steps": 5}).adoptions is None
    assert sim.run("bass", overrides={"network.n": 300, "run.steps": 5}, adoptions=True).adoptions is not None
    assert sim.run("fragmentation", overrides={"network.n": 300, "run.steps": 2}).adoptions is None  # no graph


def test_the_run_folder_names_people_by_their_labels(tmp_path):
    path = tmp_path / "friends.csv"
    path.write_text("source,target\n" + "\n".join(f"p{i},p{j}" for i, j in nx.karate_club_graph().edges()) + "\n")
    out = tmp_path / "run"
    code = main(["run", "bass", "--set", "network.kind=file", "--set", f"network.path={path}",
                 "--set", "seeding.strategy=random", "--set", "seeding.count=3", "--set", "report=", "--seed", "2",
                 "--no-plots", "--out", str(out)])
    assert code == 0
    table = pd.read_parquet(out / "adoptions.parquet")
    seeds = table[table["channel"] == "seed"]
    assert len(seeds) == 3 and seeds["person"].str.startswith("p").all() and (seeds["step"] == 0).all()
    wom = table[table["channel"] == "wom"]
    assert len(wom) and wom["source"].str.startswith("p").all()
    trees = __import__("json").loads((out / "trees.json").read_text())
    assert trees["credited"] == len(wom) and trees["largest_tree"] >= 1
    out2 = tmp_path / "run2"
    assert main(["run", "bass", "--set", "network.n=300", "--adoptions", "csv", "--no-plots", "--out", str(out2)]) == 0
    assert pd.read_csv(out2 / "adoptions.csv").columns.tolist() == ["person", "step", "channel", "source"]
    out3 = tmp_path / "run3"
    assert main(["run", "bass", "--set", "network.n=300", "--adoptions", "off", "--no-plots", "--out", str(out3)]) == 0
    assert not (out3 / "adoptions.parquet").exists() and not (out3 / "trees.json").exists()


# -- the measures of the trees, against networkx on random forests ---------------------------------------------------

def _log(parent: list[int]) -> adoptions.AdoptionLog:
    """A log whose adoption i has parent ``parent[i]`` (-1: a root), each adoption one step after its parent."""
    n = len(parent)
    step = np.zeros(n, dtype=np.int64)
    for i, p in enumerate(parent):  # parents come first
        step[i] = step[p] + 1 if p >= 0 else 0
    return adoptions.AdoptionLog.of(np.arange(n), step, np.where(np.array(parent) >= 0, 2, 0), parent)


@pytest.mark.parametrize("seed", range(6))
def test_tree_measures_match_networkx(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 300))
    parent = [-1] + [int(rng.integers(0, i)) if rng.random() > 0.1 else -1 for i in range(1, n)]
    got = adoptions.tree_measures(_log(parent))
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from((i, p) for i, p in enumerate(parent) if p >= 0)
    trees = [G.subgraph(c) for c in nx.connected_components(G)]
    big = max(trees, key=len)
    sv = [nx.average_shortest_path_length(t) for t in trees if len(t) > 1]
    roots = [i for i, p in enumerate(parent) if p < 0]
    depth = [nx.shortest_path_length(G, i, next(r for r in roots if nx.has_path(G, i, r))) for i in range(n)]
    assert got["trees"] == len(trees) and got["largest_tree"] == len(big)
    assert got["credited"] == n - len(roots) and got["max_depth"] == max(depth)
    assert got["mean_depth"] == pytest.approx(np.mean(depth))
    if len(big) > 1:
        assert got["structural_virality"] == pytest.approx(nx.average_shortest_path_length(big))
        assert got["mean_structural_virality"] == pytest.approx(np.mean(sv))


def test_a_broadcast_is_about_two_and_a_chain_grows():
    star = adoptions.tree_measures(_log([-1] + [0] * 99))
    chain = adoptions.tree_measures(_log([-1] + list(range(99))))
    assert star["structural_virality"] == pytest.approx(2 * 99 / 100) and star["max_depth"] == 1
    assert chain["structural_virality"] == pytest.approx(101 / 3) and chain["max_depth"] == 99  # (n+1)/3
