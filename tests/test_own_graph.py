"""Bring your own graph: sim.run(graph=G), sim.networks.as_graph, and the settings a network kind ignores."""

import json
import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy as sp
import scipy.sparse  # noqa: F401

import sim
from sim import config, networks
from sim.batch import iter_models, run_replicates
from sim.cli import main
from sim.errors import ConfigError
from sim.figures.adoption import subtitle
from sim.networks import memory

KARATE = nx.karate_club_graph()
# every mechanism on, so that the graph decides the numbers: media, word of mouth, random seeds
BASS = {"media.p": 0.02, "wom.q": 0.5, "seeding.strategy": "random", "seeding.count": 2, "run.steps": 40}
CASCADE = {"wom.rule": "cascade", "wom.beta": 1.0, "media": [], "seeding.strategy": "nodes", "run.steps": 10}


def test_karate_club_runs_with_its_own_size_everywhere(tmp_path):
    r = sim.run("bass", seed=3, graph=KARATE, overrides=BASS)
    assert r.model.n == 34 and r.summary["final_adopters"] <= 34
    assert r.config["scenario"]["network"] == {"kind": "graph", "seed": None}  # no n = 10,000 left over
    block = r.config["graph"]
    assert block == {"given": True, "n": 34, "edges": 78, "directed": False, "mean_contacts": pytest.approx(156 / 34),
                     "sha256": networks.edges_sha256(networks.as_graph(KARATE))}
    assert "graph, n = 34 |" in subtitle(r.model.spec, r.model.n)
    sim.runs.write_run(r, tmp_path / "run")
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["n"] == 34
    assert json.loads((tmp_path / "run" / "config.json").read_text())["graph"]["n"] == 34
    assert {"adoption.png", "network.png"} <= {p.name for p in (tmp_path / "run").iterdir()}


def test_a_file_run_shows_and_records_the_files_size(tmp_path):
    path = tmp_path / "karate.txt"
    nx.write_edgelist(KARATE, path, data=False)
    r = sim.run("bass", seed=3, overrides={"network.kind": "file", "network.path": str(path), **BASS})
    assert r.config["graph"]["n"] == 34 and not r.config["graph"]["given"]
    assert "n" not in r.config["scenario"]["network"]  # network.n = 10000 of the bass file is moot for a file
    assert "file, n = 34 |" in subtitle(r.model.spec, r.model.n)
    assert subtitle(config.load("bass")).startswith("complete, n = 10,000 |")  # a spec alone: its network.n


def test_direction_is_kept_a_star_only_influences_its_leaves():
    star = nx.DiGraph([("hub", leaf) for leaf in "abcd"])
    hub = sim.run("bass", graph=star, overrides={**CASCADE, "seeding.nodes": ["hub"]})
    leaf = sim.run("bass", graph=star, overrides={**CASCADE, "seeding.nodes": ["a"]})
    assert hub.summary["final_adopters"] == 5 and leaf.summary["final_adopters"] == 1
    assert hub.config["graph"]["directed"] and hub.config["graph"]["edges"] == 4
    both = sim.run("bass", graph=star.to_undirected(), overrides={**CASCADE, "seeding.nodes": ["a"]})
    assert both.summary["final_adopters"] == 5


def test_node_labels_and_segments_are_kept():
    G = nx.relabel_nodes(KARATE, {v: f"p{v}" for v in KARATE})
    nx.set_node_attributes(G, {v: d["club"] for v, d in G.nodes(data=True)}, "segment")
    r = sim.run("bass", seed=1, graph=G, overrides={**CASCADE, "wom.beta": 0.0, "seeding.nodes": ["p0", "p33"]})
    assert r.summary["adopters_by_channel"]["seed"] == 2
    assert np.flatnonzero(r.model.state.adopted).tolist() == [0, 33]
    assert r.model.graph.labels[33] == "p33" and r.model.graph.segment_names == ["Mr. Hi", "Officer"]
    with pytest.raises(ConfigError, match="^seeding.nodes must name nodes of the graph file; got 'p99'"):
        sim.run("bass", graph=G, overrides={**CASCADE, "seeding.nodes": ["p99"]})


@pytest.mark.parametrize("directed", [False, True])
def test_networkx_scipy_graph_and_file_give_the_same_numbers(tmp_path, directed):
    G = nx.gnp_random_graph(120, 0.05, seed=np.random.default_rng(4), directed=directed)
    ov = {**BASS, "wom.rule": "threshold", "wom.threshold": 0.2, "seeding.count": 6}
    want = sim.run("bass", seed=9, graph=G, overrides=ov)
    assert want.summary["final_adopters"] > 6  # word of mouth moved
    A = nx.to_scipy_sparse_array(G, nodelist=sorted(G))
    path = tmp_path / "g.csv"
    path.write_text("source,target\n" + "".join(f"{u},{v}\n" for u, v in G.edges()))
    others = {"scipy": sim.run("bass", seed=9, graph=A, overrides=ov),
              "Graph": sim.run("bass", seed=9, graph=networks.as_graph(G), overrides=ov),
              "file": sim.run("bass", seed=9, overrides={**ov, "network.kind": "file", "network.path": str(path),
                                                         "network.directed": directed})}
    for name, got in others.items():
        pd.testing.assert_frame_equal(got.timeseries, want.timeseries, obj=name)
        assert got.summary == want.summary, name
        assert got.config["graph"]["sha256"] == want.config["graph"]["sha256"], name


def test_replicates_share_the_graph_and_give_the_runs_numbers():
    g = networks.as_graph(KARATE)
    ov = {**BASS, "wom.rule": "threshold", "wom.threshold": 0.3}
    got = run_replicates("bass", [1, 2, 3], overrides=ov, graph=KARATE)
    for seed, (ts, summary) in zip([1, 2, 3], got):
        one = sim.run("bass", seed=seed, overrides=ov, graph=KARATE)
        pd.testing.assert_frame_equal(ts, one.timeseries)
        assert summary == one.summary
    spec = config.load("bass", overrides={**ov, "network.kind": "graph", "report": "", "variants": {}})
    models = list(iter_models([spec.replace(seed=s) for s in (1, 2, 3)], graph=g))
    assert all(m.graph is g for m in models)


def test_as_graph_conversions():
    g = networks.as_graph(KARATE)
    assert networks.as_graph(g) is g
    loops = nx.Graph([(0, 0), (0, 1), (1, 1), (1, 2), (1, 2)])
    assert networks.as_graph(loops).n_edges == 2  # self-loops dropped, repeated edges merged, as in a file
    multi = nx.MultiDiGraph([(0, 1), (0, 1), (1, 2)])
    assert networks.as_graph(multi).n_edges == 2
    A = sp.sparse.csr_array(np.array([[0, 2.5, 0], [0, 0, 1], [0, 0, 0]]))
    assert networks.as_graph(A).directed and networks.as_graph(A, directed=False).n_edges == 2
    assert not networks.as_graph(A + A.T).directed
    assert networks.as_graph(sp.sparse.coo_matrix(A)).n_edges == 2  # old-style matrices too
    up = networks.as_graph(KARATE, directed=True)
    assert up.directed and up.n_edges == 156
    weighted = nx.Graph()
    weighted.add_edge("a", "b", weight=0.5)
    assert networks.as_graph(weighted).n_edges == 1


def _nan_matrix():
    A = sp.sparse.lil_array((3, 3))
    A[0, 1] = np.nan
    return A.tocsr()


@pytest.mark.parametrize("obj, message", [
    ([[0, 1], [1, 0]], "graph must be a networkx graph, a SciPy sparse adjacency matrix or a sim.networks.Graph; "
                       "got list"),
    (np.eye(3), "got ndarray"),
    (sp.sparse.csr_array((3, 4)), "graph must be a square adjacency matrix"),
    (sp.sparse.csr_array(np.array([[0, -1], [1, 0]])), "graph entries must be finite numbers >= 0"),
    (_nan_matrix(), "graph entries must be finite numbers >= 0 (edge weights; 0 is no edge); got nan at [0, 1]"),
    (sp.sparse.csr_array(np.array([[0, 1j], [1j, 0]])), "graph must hold real numbers"),
    (nx.Graph([("a", "b", {"weight": -2})]), "graph edge weights must be numbers > 0"),
    (nx.Graph([("a", "b", {"weight": float("nan")})]), "got nan on the edge ('a', 'b')"),
    (nx.Graph([("a", "b", {"weight": 0})]), "remove edges of weight 0"),
    (nx.Graph(), "graph must have at least one node"),
    (nx.empty_graph(5), "graph must have at least one edge; got 5 nodes and no edges besides self-loops"),
    (nx.Graph([(1, 1)]), "got 1 nodes and no edges"),
    (sp.sparse.csr_array((0, 0)), "graph must have at least one node"),
])
def test_bad_graphs_give_one_line(obj, message):
    with pytest.raises(ConfigError) as err:
        sim.run("bass", graph=obj)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_graph_too_big_for_this_machine_is_refused_before_conversion(monkeypatch):
    monkeypatch.setattr(memory, "machine_bytes", lambda: (1000, "1000 B"))
    with pytest.raises(ConfigError, match=r"^graph = a networkx Graph with 34 nodes and 156 links needs about .* of "
                                          r"memory for the graph and state; this machine has 1000 B$"):
        networks.as_graph(KARATE)


@pytest.mark.parametrize("call, message", [
    (lambda: sim.run("fragmentation", graph=KARATE), "graph is taken by model = adoption only"),
    (lambda: sim.run("bass", graph=KARATE, overrides={"network.kind": "ring"}), "network.kind must be 'graph'"),
    (lambda: sim.run("bass", graph=KARATE, overrides={"network.n": 34}),
     "network.n is not used by network.kind = graph"),
    (lambda: sim.run("bandwagon", graph=KARATE, overrides={"network.mean_degree": 4}),
     "network.mean_degree is not used by network.kind = graph (it is read by erdos_renyi, communities)"),
    # bass: complete, which ignores it too
    (lambda: sim.run("bass", graph=KARATE, overrides={"network.mean_degree": 4}),
     "network.mean_degree is not used by network.kind = graph (it is read by erdos_renyi, communities)"),
    (lambda: sim.run("bass", graph=KARATE, overrides={"report": "bass"}), "report must be '' (or left out)"),
    (lambda: sim.run("bass", overrides={"network.kind": "graph"}), "network.kind = graph takes a graph given in"),
    (lambda: networks.as_graph(networks.as_graph(KARATE), directed=True), "graph is a sim.networks.Graph, used as"),
    (lambda: networks.as_graph(KARATE, directed="yes"), "directed must be true, false or none; got 'yes'"),
])
def test_graph_arguments_that_do_not_fit_give_one_line(call, message):
    with pytest.raises(ConfigError, match="^" + re.escape(message)):
        call()


def test_a_scenarios_network_settings_and_variants_make_way_for_a_graph():
    r = sim.run("broadcast-vs-seeding", seed=1, graph=KARATE, overrides={"seeding.count": 3, "media.stop": 5,
                                                                         "run.steps": 5})
    assert r.model.spec.variants == {} and r.model.spec.report == "" and r.model.n == 34


# -- settings the chosen network kind ignores ------------------------------------------------------------------


def test_cli_refuses_a_setting_the_kind_ignores(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "bass", "--set", "network.kind=complete", "--set", "network.mean_degree=4",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == ("bouche: error: network.mean_degree is not used by network.kind = complete (it is read by "
                   "erdos_renyi, communities); remove it or choose a kind that uses it\n")
    assert not out.exists()


@pytest.mark.parametrize("overrides, message", [
    ({"network.mean_degree": 4}, "network.mean_degree is not used by network.kind = complete"),  # bass: complete
    ({"network.kind": "ring", "network.mean_degree": 4}, "network.mean_degree is not used by network.kind = ring"),
    ({"network.kind": "file", "network.path": "g.csv", "network.n": 34}, "network.n is not used by network.kind"),
    ({"network.directed": True}, "network.directed is not used by network.kind = complete (it is read by file)"),
])
def test_settings_given_with_or_above_the_kind_are_refused(overrides, message):
    with pytest.raises(ConfigError, match="^" + re.escape(message)):
        config.load("bass", overrides=overrides)


def test_a_file_setting_made_moot_by_a_kind_change_above_it_is_dropped():
    # bandwagon.toml: kind = erdos_renyi, mean_degree = 10; an override changes the kind
    ring = config.load("bandwagon", overrides={"network.kind": "ring", "network.k": 4})
    assert "mean_degree" not in ring.to_dict()["network"] and ring.get("network.mean_degree") == 10.0  # the default
    assert config.load("bandwagon", overrides={"network.mean_degree": 4}).get("network.mean_degree") == 4.0
    back = ring.replace({"network.kind": "erdos_renyi"})
    assert back.get("network.mean_degree") == 10.0 and "k" not in back.to_dict()["network"]
    # a scenario file that gives a setting its own kind ignores is refused, as an override is
    with pytest.raises(ConfigError, match="^network.k is not used by network.kind = erdos_renyi"):
        config.load({"network": {"kind": "erdos_renyi", "k": 4}})


def test_variants_are_checked_against_the_kind_they_run_with():
    base = {"name": "v", "network": {"kind": "barabasi_albert", "n": 200, "m": 4}}
    ok = config.load({**base, "variants": {"sparse": {"network": {"m": 2}},
                                           "ring": {"network": {"kind": "ring", "k": 6}}}})
    assert ok.variants["ring"] == {"network.kind": "ring", "network.k": 6}
    with pytest.raises(ConfigError, match="^variants.bad.network.k is not used by network.kind = barabasi_albert"):
        config.load({**base, "variants": {"bad": {"network": {"k": 6}}}})
    # the file's variants are written for its kind: an override that changes the kind drops their settings for it
    moved = config.load({**base, "variants": {"sparse": {"network": {"m": 2}, "wom": {"q": 0.1}}}},
                        overrides={"network.kind": "complete"})
    assert moved.variants == {"sparse": {"wom.q": 0.1}}


def test_a_sweep_may_vary_the_kind_with_settings_for_each_kind():
    from sim.experiments.spec import load_spec

    sweep = {"scenario": "bass", "set": {"network.n": 100, "network.k": 4, "network.mean_degree": 3, "run.steps": 3},
             "vary": {"network.kind": ["ring", "erdos_renyi", "complete"]}}
    spec = load_spec(sweep)
    assert spec.scenario["network"]["k"] == 4 and spec.scenario["network"]["mean_degree"] == 3.0
    for point, degree in zip(spec.points, (4.0, 3.0, 99.0)):
        run = sim.run(spec.scenario, seed=1, overrides=point)
        assert run.config["graph"]["mean_contacts"] == pytest.approx(degree, rel=0.2)
    with pytest.raises(ConfigError, match="^network.k is not used by network.kind = complete or erdos_renyi"):
        load_spec({**sweep, "vary": {"network.kind": ["complete", "erdos_renyi"]}})
    with pytest.raises(ConfigError, match="^network.k is not used by network.kind = erdos_renyi"):  # one point
        load_spec({"scenario": "bass", "vary": {"network.kind, network.k": [["ring", 4], ["erdos_renyi", 4]]}})
    base = load_spec({"scenario": "bandwagon", "set": {"network.n": 100, "run.steps": 2},
                      "vary": {"network.kind": ["erdos_renyi", "ring"]}})
    assert [sim.run(base.scenario, seed=1, overrides=p).config["graph"]["mean_contacts"] > 0 for p in base.points] \
        == [True, True]  # the file's mean_degree serves erdos_renyi, and is dropped for ring


def test_shipped_scenarios_and_experiments_set_only_what_their_kind_reads():
    from sim.experiments.spec import experiment_dir, load_spec

    for name in config.shipped_scenarios():
        spec = config.load(name)
        for key in spec.to_dict().get("network", {}):
            assert config.reads(f"network.{key}", spec.values, spec.model)
    for path in sorted(experiment_dir().glob("*.toml")):
        load_spec(path)
