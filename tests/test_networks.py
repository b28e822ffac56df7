"""Tests for sim.networks: builders, CSR invariants, propagation kernels, files."""

import math

import networkx as nx
import numpy as np
import pytest
import scipy as sp
import scipy.sparse  # noqa: F401
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import networks as nw
from sim.backend import get_backend
from sim.errors import ConfigError
from sim.networks import generators


def rng(seed=0):
    return np.random.default_rng(seed)


def check_csr(g):
    """Structural invariants every non-complete graph must satisfy."""
    for ptr, idx in ((g.in_indptr, g.in_indices), (g.out_indptr, g.out_indices)):
        assert ptr.dtype == np.int64 and idx.dtype == np.int32
        assert ptr[0] == 0 and ptr[-1] == idx.size and np.all(np.diff(ptr) >= 0)
        rows = np.repeat(np.arange(g.n), np.diff(ptr))
        assert not np.any(rows == idx), "self-loop"
        # rows strictly increasing within each row: sorted and no duplicates
        same_row = rows[1:] == rows[:-1]
        assert np.all(idx[1:][same_row] > idx[:-1][same_row]), "unsorted or duplicate"
    A = g.incoming_csr()
    out = sp.sparse.csr_array((np.ones(g.out_indices.size, np.float32), g.out_indices,
                               g.out_indptr), shape=(g.n, g.n))
    assert (A != out.T).nnz == 0, "out CSR is not the transpose of in CSR"
    if not g.directed:
        assert g.out_indices is g.in_indices and g.out_indptr is g.in_indptr
        assert (A != A.T).nnz == 0, "undirected graph not symmetric"


def edge_set(g, labels=True):
    rows = np.repeat(np.arange(g.n), np.diff(g.in_indptr))
    lab = g.labels if labels and g.labels is not None else np.arange(g.n)
    pairs = {(lab[u], lab[v]) for u, v in zip(g.in_indices.tolist(), rows.tolist())}
    return pairs if g.directed else {frozenset(p) for p in pairs}


# ---------------------------------------------------------------- Erdős–Rényi

def test_er_edge_count_within_binomial_error():
    n, d = 20_000, 8.0
    g = nw.erdos_renyi(n, d, rng(1))
    L, p = n * (n - 1) // 2, d / (n - 1)
    sd = math.sqrt(L * p * (1 - p))
    # 4 standard errors: a false alarm about once in 16,000 seeds
    assert abs(g.n_edges - L * p) < 4 * sd
    assert abs(g.in_degree.mean() - d) < 4 * 2 * sd / n
    check_csr(g)


def test_er_degrees_are_roughly_poisson():
    n, lam = 50_000, 6.0
    deg = nw.erdos_renyi(n, lam, rng(2)).in_degree
    freq = np.bincount(deg, minlength=20)[:16] / n
    pmf = np.array([math.exp(-lam) * lam**k / math.factorial(k) for k in range(16)])
    # each frequency has standard error <= sqrt(0.25/n) = 0.0022; 0.01 is > 4 SE
    assert np.max(np.abs(freq - pmf)) < 0.01
    # Poisson variance equals the mean; the sample variance is within ~1% here
    assert abs(deg.var() / deg.mean() - 1) < 0.05


def test_er_edge_cases():
    full = nw.erdos_renyi(40, 39, rng())  # p = 1: every pair
    assert full.n_edges == 40 * 39 // 2 and np.all(full.in_degree == 39)
    empty = nw.erdos_renyi(40, 0, rng())
    assert empty.n_edges == 0 and not empty.count_adopted(np.ones(40, bool)).any()
    assert nw.erdos_renyi(1, 0, rng()).n == 1
    check_csr(full)


def test_unrank_pairs_exact_at_triangle_boundaries():
    j = np.arange(1, 2_000_000, dtype=np.int64)
    tri = j * (j - 1) // 2
    for l in (tri, tri + j - 1, np.array([0, 1, 2, 49_999_995_000_000 - 1])):
        i, jj = generators._unrank_pairs(l.astype(np.int64))
        assert np.all((0 <= i) & (i < jj)) and np.array_equal(jj * (jj - 1) // 2 + i, l)


# ------------------------------------------------------------- propagation

def random_graphs():
    r = rng(3)
    src, dst = r.integers(0, 300, 3000), r.integers(0, 300, 3000)
    yield nw.from_edges(300, src, dst, directed=True)
    yield nw.from_edges(300, src, dst, directed=False)
    yield nw.erdos_renyi(500, 5, r)
    yield nw.barabasi_albert(500, 3, r)
    yield nw.stochastic_block([100, 150], 0.1, 0.01, r)
    yield nw.watts_strogatz(400, 6, 0.2, r)
    yield nw.from_edges(50, [3, 4], [4, 5], directed=True)  # mostly isolated nodes


@pytest.mark.parametrize("g", list(random_graphs()), ids=repr)
def test_count_and_push_match_matvec(g):
    check_csr(g)
    r = rng(4)
    for share in (0.02, 0.3, 0.9):  # small pushes take the unique path, big ones bincount
        adopted = r.random(g.n) < share
        expect = (g.incoming_csr() @ adopted.astype(np.float32)).astype(np.int32)
        assert np.array_equal(g.count_adopted(adopted), expect)
        counts = np.zeros(g.n, np.int32)
        get_backend("cpu").add_hits(counts, *g.out_rows, np.flatnonzero(adopted))
        assert np.array_equal(counts, expect)
        before = counts.copy()
        get_backend("cpu").add_hits(counts, *g.out_rows, np.array([], dtype=np.int64))
        assert np.array_equal(counts, before)


def test_gather_rows_matches_loop():
    g = nw.erdos_renyi(200, 4, rng(5))
    rows = rng(6).integers(0, 200, 50)
    loop = np.concatenate([g.out_neighbours(u) for u in rows])
    assert np.array_equal(nw.gather_rows(g.out_indptr, g.out_indices, rows), loop)
    assert nw.gather_rows(g.out_indptr, g.out_indices, []).size == 0


def test_complete_graph_matches_networkx():
    n = 30
    imp, exp = nw.complete(n), nw.from_networkx(nx.complete_graph(n))
    assert imp.n_edges == exp.n_edges and np.array_equal(imp.in_degree, exp.in_degree)
    adopted = rng(7).random(n) < 0.4
    assert np.array_equal(imp.count_adopted(adopted), exp.count_adopted(adopted))
    assert np.array_equal(imp.in_neighbours(3), exp.in_neighbours(3))
    with pytest.raises(ValueError):
        imp.incoming_csr()
    assert nx.is_isomorphic(imp.to_networkx(), nx.complete_graph(n))


# ------------------------------------------------------- lattices and others

def test_ring_degrees_and_neighbours():
    g = nw.ring(101, 6)
    assert np.all(g.in_degree == 6) and g.n_edges == 303
    assert g.in_neighbours(0).tolist() == [1, 2, 3, 98, 99, 100]
    check_csr(g)


def test_watts_strogatz_limits():
    ring = nw.ring(500, 8)
    ws0 = nw.watts_strogatz(500, 8, 0.0, rng(8))
    assert np.array_equal(ws0.in_indptr, ring.in_indptr)
    assert np.array_equal(ws0.in_indices, ring.in_indices)
    ws1 = nw.watts_strogatz(500, 8, 1.0, rng(8))
    check_csr(ws1)  # no duplicates, no self-loops
    assert ws1.n_edges == 500 * 8 // 2  # a merged duplicate would lose an edge
    kept = len(edge_set(ws1) & edge_set(ring))
    assert kept == 0  # existing edges, originals included, are never drawn


def test_barabasi_albert_heavy_tail():
    n, m = 20_000, 4
    g = nw.barabasi_albert(n, m, rng(9))
    check_csr(g)
    mean = g.in_degree.mean()
    # collapsed repeat picks remove a few edges: well under 1% at this size
    assert 2 * m * 0.99 < mean <= 2 * m
    assert g.in_degree.max() > 10 * mean  # heavy tail (expected max ~ m*sqrt(n) = 560)
    assert g.in_degree.min() >= 1
    assert g.in_degree[:50].mean() > 5 * g.in_degree[-5000:].mean()  # the old get rich
    assert nw.barabasi_albert(3, 2, rng()).n_edges == 2  # the bare star
    # every newcomer links to between 1 and m older people
    rows = np.repeat(np.arange(n), g.in_degree)
    older = np.bincount(rows[g.in_indices < rows], minlength=n)[m + 1:]
    assert older.min() >= 1 and older.max() <= m


def test_barabasi_albert_matches_analytic_degree_law():
    n, m = 20_000, 4
    freq = np.bincount(nw.barabasi_albert(n, m, rng(14)).in_degree) / n
    for k in range(m, m + 4):  # P(k) = 2m(m+1) / (k(k+1)(k+2)) for large n
        law = 2 * m * (m + 1) / (k * (k + 1) * (k + 2))
        # SE <= 0.0034; 0.015 leaves room for finite-size bias and collapsed picks
        assert abs(freq[k] - law) < 0.015, k


def test_stochastic_block_densities():
    sizes, p_in, p_out = [300, 200, 500], 0.05, 0.004
    g = nw.stochastic_block(sizes, p_in, p_out, rng(10))
    check_csr(g)
    assert g.segment_names == ["0", "1", "2"]
    assert np.array_equal(np.bincount(g.segments), sizes)
    rows = np.repeat(np.arange(g.n), g.in_degree)
    same = g.segments[rows] == g.segments[g.in_indices]
    within_pairs = sum(s * (s - 1) // 2 for s in sizes)
    between_pairs = (sum(sizes) ** 2 - sum(s * s for s in sizes)) // 2
    cases = ((same.sum(), within_pairs, p_in), ((~same).sum(), between_pairs, p_out))
    for arcs, pairs, p in cases:
        edges = arcs // 2
        assert abs(edges - pairs * p) < 4 * math.sqrt(pairs * p * (1 - p))  # 4 SE


@pytest.mark.parametrize("make", [
    lambda r: nw.erdos_renyi(3000, 5, r),
    lambda r: nw.watts_strogatz(3000, 6, 0.3, r),
    lambda r: nw.barabasi_albert(3000, 3, r),
    lambda r: nw.stochastic_block([1000, 2000], 0.01, 0.001, r),
])
def test_same_seed_same_graph(make):
    a, b, c = make(rng(11)), make(rng(11)), make(rng(12))
    assert np.array_equal(a.in_indptr, b.in_indptr) and np.array_equal(a.in_indices, b.in_indices)
    assert not np.array_equal(a.in_indices[:200], c.in_indices[:200])


@pytest.mark.parametrize("kind,spec", [
    ("complete", {"n": 10}), ("erdos_renyi", {"n": 100, "mean_degree": 4}),
    ("watts_strogatz", {"n": 100, "k": 4, "rewire": 0.1}), ("ring", {"n": 100, "k": 4}),
    ("barabasi_albert", {"n": 100, "m": 2}),
    ("stochastic_block", {"sizes": [50, 50], "p_in": 0.1, "p_out": 0.01}),
])
def test_build_dispatch(kind, spec):
    assert kind in nw.KINDS
    g = nw.build({"kind": kind, **spec}, rng())
    assert g.n in (10, 100) and g.n_edges > 0


@pytest.mark.parametrize("call,key", [
    (lambda: nw.build({"kind": "lattice"}, rng()), "network.kind"),
    (lambda: nw.ring(10, 3), "network.k"),
    (lambda: nw.ring(10, 10), "network.k"),
    (lambda: nw.erdos_renyi(10, 20, rng()), "network.mean_degree"),
    (lambda: nw.erdos_renyi(0, 1, rng()), "network.n"),
    (lambda: nw.barabasi_albert(3, 3, rng()), "network.n"),
    (lambda: nw.barabasi_albert(10, 0, rng()), "network.m"),
    (lambda: nw.watts_strogatz(10, 2, 1.5, rng()), "network.rewire"),
    (lambda: nw.stochastic_block([], 0.1, 0.1, rng()), "network.sizes"),
    (lambda: nw.stochastic_block([5], 0.1, -0.1, rng()), "network.p_out"),
])
def test_bad_parameters(call, key):
    with pytest.raises(ConfigError) as err:
        call()
    assert err.value.key == key and "got" in str(err.value) and "\n" not in str(err.value)


# ------------------------------------------------------- edges and networkx

def test_from_edges_drops_loops_and_merges_repeats():
    g = nw.from_edges(4, [0, 1, 2, 2, 3, 0], [1, 0, 2, 3, 2, 1])
    assert g.n_edges == 2 and edge_set(g) == {frozenset((0, 1)), frozenset((2, 3))}
    d = nw.from_edges(4, [0, 1, 2, 0], [1, 0, 2, 1], directed=True)
    assert d.n_edges == 2 and d.in_neighbours(1).tolist() == [0]
    assert d.out_neighbours(1).tolist() == [0] and d.in_degree.tolist() == [1, 1, 0, 0]
    check_csr(d)
    with pytest.raises(ValueError):
        nw.from_edges(3, [0], [3])


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)),
                                    max_size=80), st.booleans())
def test_from_edges_agrees_with_networkx(n, edges, directed):
    edges = [(u % n, v % n) for u, v in edges]
    G = (nx.DiGraph() if directed else nx.Graph())
    G.add_nodes_from(range(n))
    G.add_edges_from((u, v) for u, v in edges if u != v)
    src = np.array([u for u, _ in edges], dtype=np.int64)
    dst = np.array([v for _, v in edges], dtype=np.int64)
    g = nw.from_edges(n, src, dst, directed)
    check_csr(g)
    assert g.n_edges == G.number_of_edges()
    for v in range(n):
        expect = sorted(G.predecessors(v) if directed else G.neighbors(v))
        assert g.in_neighbours(v).tolist() == expect


def test_networkx_round_trip_keeps_segments_and_labels():
    g = nw.stochastic_block([20, 30], 0.3, 0.05, rng(13))
    h = nw.from_networkx(g.to_networkx())
    assert np.array_equal(h.in_indices, g.in_indices) and np.array_equal(h.segments, g.segments)
    assert h.segment_names == g.segment_names and h.labels.tolist() == list(range(50))
    G = nx.DiGraph([("x", "y"), ("y", "z")])
    nx.set_node_attributes(G, {"x": "north", "y": "south", "z": "north"}, "community")
    d = nw.from_networkx(G)
    assert d.directed and d.segment_names == ["north", "south"]
    assert d.segments.tolist() == [0, 1, 0] and d.in_neighbours(2).tolist() == [1]
    assert nw.from_networkx(G, directed=False).n_edges == 2
    assert g.memory_bytes > 0 and "undirected" in repr(g)


# ---------------------------------------------------------------- files

def write(path, text):
    path.write_text(text)
    return path


def test_csv_with_and_without_header(tmp_path):
    body = "0,1\n1,2\n2,0\n2,3\n"
    plain = nw.from_file(write(tmp_path / "a.csv", body))
    weighted = "source,target,weight\n" + body.replace("\n", ",1\n")
    head = nw.from_file(write(tmp_path / "b.csv", weighted))
    other = nw.from_file(write(tmp_path / "c.csv", "from,to\n" + body))  # non-numeric header
    swapped = nw.from_file(write(tmp_path / "d.csv", "target,source\n1,0\n2,1\n0,2\n3,2\n"))
    for g in (plain, head, other, swapped):
        assert not g.directed and g.n == 4 and g.labels.tolist() == [0, 1, 2, 3]
        assert edge_set(g) == {frozenset(e) for e in [(0, 1), (1, 2), (2, 0), (2, 3)]}


def test_string_labels_tsv_txt_edges(tmp_path):
    expect = {frozenset(e) for e in [("ann", "bob"), ("bob", "cy"), ("cy", "ann")]}
    paths = [
        write(tmp_path / "s.csv", "ann, bob\nbob,cy\ncy,ann\n"),
        write(tmp_path / "s.tsv", "source\ttarget\nann\tbob\nbob\tcy\ncy\tann\n"),
        write(tmp_path / "s.txt", "# a comment\nann bob\n\nbob   cy\n# another\ncy\tann\n"),
        write(tmp_path / "s.edges", "ann bob 3\nbob cy 1\ncy ann 2\nann bob 5\n"),
    ]
    for p in paths:
        g = nw.from_file(p)
        assert g.labels.tolist() == ["ann", "bob", "cy"] and edge_set(g) == expect, p.name
        check_csr(g)


def test_integer_labels_keep_their_values(tmp_path):
    g = nw.from_file(write(tmp_path / "big.txt", "100 7\n7 3000\n"))
    assert g.labels.tolist() == [7, 100, 3000] and g.labels.dtype == np.int64
    assert edge_set(g) == {frozenset((100, 7)), frozenset((7, 3000))}


def test_directed_edge_list(tmp_path):
    p = write(tmp_path / "d.csv", "source,target\na,b\nb,c\na,c\n")
    g = nw.from_file(p, directed=True)
    assert g.directed and g.labels.tolist() == ["a", "b", "c"]
    assert g.in_neighbours(1).tolist() == [0]  # a -> b lands in row b
    assert g.in_neighbours(2).tolist() == [0, 1] and g.in_neighbours(0).size == 0
    assert g.out_neighbours(0).tolist() == [1, 2]
    check_csr(g)


@pytest.mark.parametrize("ext,writer", [("graphml", nx.write_graphml), ("gexf", nx.write_gexf)])
def test_graphml_gexf_round_trip(tmp_path, ext, writer):
    G = nx.karate_club_graph()
    for v in G:
        G.nodes[v]["segment"] = "mr_hi" if G.nodes[v]["club"] == "Mr. Hi" else "officer"
    G.add_node(99, segment="officer", club="")  # an isolated node survives
    writer(G, tmp_path / f"k.{ext}")
    g = nw.from_file(tmp_path / f"k.{ext}")
    check_csr(g)
    assert not g.directed and g.n == 35 and g.n_edges == G.number_of_edges()
    assert g.segment_names == ["mr_hi", "officer"]
    seg = {g.labels[i]: g.segment_names[s] for i, s in enumerate(g.segments)}
    assert all(seg[str(v)] == G.nodes[v]["segment"] for v in G)
    assert edge_set(g) == {frozenset((str(u), str(v))) for u, v in G.edges}
    D = nx.DiGraph([(1, 2), (2, 3)])
    writer(D, tmp_path / f"d.{ext}")
    d = nw.from_file(tmp_path / f"d.{ext}")
    assert d.directed and d.in_neighbours(list(d.labels).index("2")).tolist() == [
        list(d.labels).index("1")]
    assert not nw.from_file(tmp_path / f"d.{ext}", directed=False).directed
    forced = nw.from_file(tmp_path / f"k.{ext}", directed=True)
    assert forced.directed and forced.n_edges == 2 * G.number_of_edges()


XML = '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
BAD_FILES = {
    "missing": None,
    "dir": "DIR",
    "g.json": '{"edges": []}',
    "empty.csv": "",
    "comments.txt": "# nothing\n# here\n",
    "onecol.csv": "a\nb\nc\n",
    "loops.csv": "a,a\nb,b\n",
    "hole.csv": "a,b\nc,\n",
    "ragged.csv": "a,b\nc,d,e,f\n",
    "broken.graphml": "<graphml><graph><node id='a'></graph>",
    "broken.gexf": "not xml at all",
    "nonodes.graphml": (XML + '<graph edgedefault="undirected"></graph></graphml>'),
    "noedges.graphml": (XML + '<graph edgedefault="undirected"><node id="a"/></graph></graphml>'),
    "binary.csv": b"\xff\xfe\x00\x01,\x80\n",
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_raise_config_error(tmp_path, name):
    content, path = BAD_FILES[name], tmp_path / name
    if content == "DIR":
        path = tmp_path / "folder.csv"
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError) as err:
        g = nw.from_file(path)
        print(g, g.labels)  # shown only if no error was raised
    msg = str(err.value)
    assert err.value.key == "network.path" and "\n" not in msg and path.name in msg
    assert msg.startswith("network.path must") and "; got " in msg


def test_build_file_kind(tmp_path):
    p = write(tmp_path / "e.csv", "a,b\nb,c\n")
    g = nw.build({"kind": "file", "path": str(p), "directed": True}, rng())
    assert g.directed and g.n_edges == 2


# -- compressed edge lists, GML, Matrix Market, Parquet ----------------------------------------------------------------

def _karate_files(folder):
    import bz2
    import gzip
    import lzma

    import pandas as pd
    import scipy.io

    G = nx.karate_club_graph()
    text = "".join(f"{u} {v}\n" for u, v in G.edges()).encode()
    files = {"k.txt.gz": gzip.compress(text), "k.edges.bz2": bz2.compress(text),
             "k.csv.xz": lzma.compress(text.replace(b" ", b","))}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    nx.write_gml(nx.relabel_nodes(G, {i: f"p{i}" for i in G}), folder / "k.gml")
    (folder / "k.gml.gz").write_bytes(gzip.compress((folder / "k.gml").read_bytes()))
    scipy.io.mmwrite(folder / "k.mtx", nx.to_scipy_sparse_array(G, nodelist=range(34)))
    pd.DataFrame(list(G.edges()), columns=["source", "target"]).to_parquet(folder / "k.parquet")
    pd.DataFrame(list(G.edges()), columns=["a", "b"]).to_parquet(folder / "k2.parquet")
    return G


@pytest.mark.parametrize("name, first", [("k.txt.gz", 0), ("k.edges.bz2", 0), ("k.csv.xz", 0), ("k.gml", "p0"),
                                         ("k.gml.gz", "p0"), ("k.mtx", 1), ("k.parquet", 0), ("k2.parquet", 0)])
def test_more_graph_files(tmp_path, name, first):
    G = _karate_files(tmp_path)
    g = nw.from_file(tmp_path / name)
    assert (g.n, g.n_edges, g.directed) == (34, G.number_of_edges(), False)
    assert g.labels[0] == first
    # the same graph as the plain edge list, up to the labels' order
    plain = nw.as_graph(G)
    assert sorted(g.in_degree.tolist()) == sorted(plain.in_degree.tolist())


def test_a_compressed_file_runs_from_the_command_line(tmp_path):
    from sim.cli import main

    _karate_files(tmp_path)
    out = tmp_path / "run"
    assert main(["run", "bass", "--set", "network.kind=file", "--set", f"network.path={tmp_path / 'k.txt.gz'}",
                 "--no-plots", "--out", str(out)]) == 0
    import json

    assert json.loads((out / "config.json").read_text())["graph"]["n"] == 34


@pytest.mark.parametrize("name, content", [("g.parquet.gz", b"x"), ("g.zip", b"x"), ("g.txt.gz", b"not gzip"),
                                           ("g.mtx", b"%%MatrixMarket matrix coordinate real general\n2 3 1\n1 2 1\n")])
def test_bad_new_files_are_one_line(tmp_path, name, content):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ConfigError, match="network.path must name an existing file") as info:
        nw.from_file(tmp_path / name)
    assert "\n" not in str(info.value)
