"""Tests for benchmarks/partition.py: the partitioned cascade gives the unpartitioned run's adopters, step by
step, and its counts of edges cut, halo and bytes are the ones a brute-force count over the edges gives.

The partitioned run reads only each part's own rows and the messages it received; the reference
(``run_single``) is the project's global count and threshold test. A run whose messages are dropped must
differ, so the equality is not vacuous.
"""

import doctest
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import SUITES, partition
from benchmarks.partition import communities, order_people, run_partitioned, run_single, shuffled
from sim.networks import erdos_renyi, from_edges, ring

ROOT = Path(__file__).resolve().parents[1]


def _graphs():
    rng = np.random.default_rng(7)
    src, dst = rng.integers(0, 1500, 9000), rng.integers(0, 1500, 9000)
    keep = src != dst
    return {
        "erdos_renyi": erdos_renyi(3000, 8, rng),
        "communities": communities(3000, rng),
        "ring": ring(500, 4),
        "directed": from_edges(1500, src[keep], dst[keep], directed=True),
    }


GRAPHS = _graphs()


def _seeds(n, fraction=0.02, seed=3):
    return np.random.default_rng(seed).choice(n, size=max(1, int(fraction * n)), replace=False)


def _owner(parts, n):
    owner = np.empty(n, dtype=np.int64)
    for p in parts:
        owner[p.people] = p.index
    return owner


ORDERED = [(name, how) for name in sorted(GRAPHS) for how in partition.ORDERS
           if how != "community" or GRAPHS[name].segments is not None]


@pytest.mark.parametrize("name, how", ORDERED)
@pytest.mark.parametrize("k", [1, 2, 3, 5, 16])
def test_every_step_has_the_unpartitioned_adopters(name, how, k):
    graph = GRAPHS[name]
    order = order_people(graph, how, np.random.default_rng(1))
    phi = 0.3 if name == "ring" else 0.12
    seeds = _seeds(graph.n)
    reference = run_single(graph, seeds, phi=phi)
    assert reference.max() >= 3  # the cascade spreads over several steps, across parts
    run = run_partitioned(partition.partition(graph, order, k, phi=phi), seeds)
    np.testing.assert_array_equal(run["adopted_at"], reference)
    assert run["steps"] == reference.max()


def test_dropping_the_messages_changes_the_adopters(monkeypatch):
    graph = GRAPHS["erdos_renyi"]
    seeds = _seeds(graph.n)
    parts = partition.partition(graph, np.arange(graph.n), 4, phi=0.12)
    reference = run_single(graph, seeds, phi=0.12)
    np.testing.assert_array_equal(run_partitioned(parts, seeds)["adopted_at"], reference)
    real = partition._exchange

    def lost(parts, x, new):  # count as before, then forget every ghost update
        saved = [xi.copy() for xi in x]
        out = real(parts, x, new)
        for xi, si, p in zip(x, saved, parts):
            xi[p.n_own:] = si[p.n_own:]
        return out

    monkeypatch.setattr(partition, "_exchange", lost)
    assert not np.array_equal(run_partitioned(parts, seeds)["adopted_at"], reference)


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("k", [2, 5])
def test_cut_halo_and_send_lists_match_a_count_over_the_edges(name, k):
    graph = GRAPHS[name]
    order = np.random.default_rng(k).permutation(graph.n)
    parts = partition.partition(graph, order, k)
    owner = _owner(parts, graph.n)
    assert sorted(np.concatenate([p.people for p in parts]).tolist()) == list(range(graph.n))
    v = np.repeat(np.arange(graph.n), graph.in_degree)  # edge u -> v: v's row lists u
    u = graph.in_indices.astype(np.int64)
    remote = owner[u] != owner[v]
    assert sum(p.A.nnz for p in parts) == u.size
    assert sum(int(np.count_nonzero(p.A.indices >= p.n_own)) for p in parts) == int(remote.sum())
    pairs = {(int(a), int(b)) for a, b in zip(owner[v][remote], u[remote])}  # (reading part, remote person)
    assert sum(p.n_ghosts for p in parts) == len(pairs)
    sent = {(q, int(person)) for p in parts for q, s in p.send.items() for person in p.people[s]}
    assert sent == pairs
    for p in parts:  # every row holds the same contacts, in local numbering
        ghosts = {q: parts[q].people[parts[q].send[p.index]] for q in range(k) if p.index in parts[q].send}
        local_to_global = np.concatenate([p.people] + [ghosts.get(q, np.zeros(0, np.int32)) for q in range(k)])
        for i in (0, p.n_own // 2, p.n_own - 1):
            row = p.A.indices[p.A.indptr[i]:p.A.indptr[i + 1]]
            assert sorted(local_to_global[row].tolist()) == sorted(graph.in_neighbours(p.people[i]).tolist())


def test_bytes_are_the_cheaper_message_and_ids_count_each_adopted_ghost_once():
    graph = GRAPHS["communities"]
    seeds = _seeds(graph.n)
    parts = partition.partition(graph, np.arange(graph.n), 4, phi=0.12)
    run = run_partitioned(parts, seeds)
    assert run["sent"].sum() == run["received"].sum()
    sent = run["sent"].sum(axis=1)  # per step
    assert (sent <= np.minimum(run["ids_bytes"], run["bits_bytes"])).all()
    assert (sent < run["bits_bytes"]).any() and (sent < run["ids_bytes"]).any()  # both kinds of message used
    adopted = run["adopted_at"] >= 0
    adopted_ghosts = sum(int(adopted[p.people[s]].sum()) for p in parts for s in p.send.values())
    assert run["ids_bytes"].sum() == partition.ID_BYTES * adopted_ghosts  # a monotone cascade: once each
    per_step_bits = sum((s.size + 7) // 8 for p in parts for s in p.send.values())
    assert (run["bits_bytes"] == per_step_bits).all()


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 40), m=st.integers(0, 120), k=st.integers(1, 8), phi=st.floats(0, 1),
       directed=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_any_graph_any_order_any_k(n, m, k, phi, directed, seed):
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = src != dst
    graph = from_edges(n, src[keep], dst[keep], directed=directed)
    seeds = rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False)
    parts = partition.partition(graph, rng.permutation(n), k, phi=phi)
    np.testing.assert_array_equal(run_partitioned(parts, seeds)["adopted_at"], run_single(graph, seeds, phi=phi))


def test_shuffled_is_the_same_graph_renumbered():
    graph = GRAPHS["communities"]
    g = shuffled(graph, np.random.default_rng(5))
    assert g.n == graph.n and g.n_edges == graph.n_edges
    assert sorted(g.in_degree.tolist()) == sorted(graph.in_degree.tolist())
    assert np.bincount(g.segments).tolist() == np.bincount(graph.segments).tolist()
    # a person's community and its contacts' communities survive the renumbering
    old = np.repeat(graph.segments, graph.in_degree) * 1000 + graph.segments[graph.in_indices]
    new = np.repeat(g.segments, g.in_degree) * 1000 + g.segments[g.in_indices]
    assert np.array_equal(np.sort(old), np.sort(new))
    assert not np.array_equal(g.segments, graph.segments)


@pytest.mark.parametrize("how", partition.ORDERS)
def test_orders_list_everyone_once(how):
    graph = GRAPHS["communities"]
    order = order_people(graph, how, np.random.default_rng(2))
    assert np.array_equal(np.sort(order), np.arange(graph.n))
    if how == "community":
        assert (np.diff(graph.segments[order]) >= 0).all()
        assert order_people(GRAPHS["ring"], how, np.random.default_rng(2)) is None  # no communities: no order


def test_bad_order_is_refused():
    with pytest.raises(ValueError, match="every person exactly once"):
        partition.partition(GRAPHS["ring"], np.zeros(GRAPHS["ring"].n, dtype=np.int32), 2)


def test_the_module_examples_run():
    assert doctest.testmod(partition, optionflags=doctest.ELLIPSIS).failed == 0


def test_the_suite_is_registered():
    assert "partition" in SUITES


@pytest.mark.slow
def test_quick_run_passes_its_checks():
    res = subprocess.run([sys.executable, "-m", "benchmarks", "partition", "--quick", "--no-json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert " NO" not in res.stdout and "predicted seconds a step" in res.stdout
