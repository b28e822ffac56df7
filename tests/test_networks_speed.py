"""Tests for the fast CSR builders in sim.networks: blocked Barabási–Albert resolution,
symmetrisation by one key sort, streaming counts, and the memory they use.

The fast code is checked against plain definitions (a sequential loop for BA, scipy for
the symmetric CSR) and with its block sizes shrunk so that every block boundary, the
in-block back-references of BA and the in-place interleave of ``_symmetric`` are hit at
sizes a test can afford.
"""

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import scipy as sp
import scipy.sparse  # noqa: F401

from sim import networks as nw
from sim.networks import csr, generators

ROOT = Path(__file__).resolve().parents[1]


def sym_reference(n, rows, cols):
    """Symmetric CSR (sorted rows) of the undirected edges rows[k]--cols[k], by scipy."""
    r = np.concatenate([rows, cols]).astype(np.int64)
    c = np.concatenate([cols, rows]).astype(np.int64)
    A = sp.sparse.coo_array((np.ones(r.size, dtype=bool), (r, c)), shape=(n, n)).tocsr()
    A.sum_duplicates()
    A.sort_indices()
    return A.indptr.astype(np.int64), A.indices.astype(np.int32)


def lower_csr(n, rows, cols, shuffle_rng=None):
    """Lower-triangle CSR (row v lists u < v); rows shuffled within when shuffle_rng is given."""
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order].astype(np.int32)
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
    if shuffle_rng is not None:
        for v in range(n):
            shuffle_rng.shuffle(cols[ptr[v]:ptr[v + 1]])
    return ptr, cols


def random_lower(n, E, rng):
    """E distinct random pairs u < v among n nodes, plus a hub row and a hub column."""
    v = rng.integers(1, n, E)
    u = (rng.random(E) * v).astype(np.int64)
    v = np.concatenate([v, np.full(n - 1, n - 1), np.arange(1, n)])  # row n-1 lists all
    u = np.concatenate([u, np.arange(n - 1), np.zeros(n - 1, np.int64)])  # column 0 in all
    key = np.unique(v * n + u)
    return key // n, key % n


@pytest.fixture
def tiny_blocks(monkeypatch):
    """Shrink the block sizes so that small graphs cross many block boundaries."""
    monkeypatch.setattr(csr, "_BLOCK", 16)
    monkeypatch.setattr(csr, "_ROWS", 3)


# ---------------------------------------------------------------- symmetrisation

@pytest.mark.parametrize("n, E, seed", [(2, 1, 0), (7, 5, 1), (50, 300, 2), (400, 5000, 3)])
@pytest.mark.parametrize("sorted_rows", [True, False])
@pytest.mark.parametrize("blocks", ["default", "tiny"])
def test_symmetric_equals_scipy(n, E, seed, sorted_rows, blocks, monkeypatch):
    if blocks == "tiny":
        monkeypatch.setattr(csr, "_BLOCK", 16)
        monkeypatch.setattr(csr, "_ROWS", 3)
    rng = np.random.default_rng(seed)
    rows, cols = random_lower(n, E, rng)
    ptr, idx = lower_csr(n, rows, cols, None if sorted_rows else rng)
    got = csr._symmetric(n, ptr, idx, sorted_rows=sorted_rows)
    want = sym_reference(n, rows, cols)
    assert got[0].dtype == np.int64 and got[1].dtype == np.int32
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def test_symmetric_of_nothing():
    ptr, idx = csr._symmetric(5, np.zeros(6, np.int64), np.zeros(0, np.int32))
    assert ptr.tolist() == [0] * 6 and idx.size == 0
    ptr, idx = csr._symmetric(1, np.zeros(2, np.int64), np.zeros(0, np.int32))
    assert ptr.tolist() == [0, 0] and idx.size == 0


@pytest.mark.parametrize("bad", [[0, 2], [1, 1], [-1, 0]])
def test_symmetric_refuses_entries_outside_the_lower_triangle(bad):
    # rows 1 and 2 list bad[0] and bad[1]; the in-place interleave needs u < v throughout
    with pytest.raises(ValueError, match="lower triangle"):
        csr._symmetric(3, np.array([0, 0, 1, 2]), np.array(bad, dtype=np.int32))


def test_sorted_counts_equals_bincount(tiny_blocks):
    rng = np.random.default_rng(4)
    for n, size in ((1, 3), (10, 100), (1000, 777)):
        keys = np.sort(rng.integers(0, n, size)).astype(np.int32)
        assert np.array_equal(csr._sorted_counts(keys, n), np.bincount(keys, minlength=n))
        shifted = (keys.astype(np.int64) << 32) | rng.integers(0, 2**31, size)
        assert np.array_equal(csr._sorted_counts(shifted, n, 32), np.bincount(keys, minlength=n))


@pytest.mark.parametrize("m", [1, 2, 5, 16, 17, 23])
def test_distinct_rows_are_sorted_sets(m):
    rng = np.random.default_rng(m)
    t = rng.integers(0, 2 * m, (300, m)).astype(np.int32)
    counts, values = generators._distinct_rows(t)
    want = [sorted(set(row)) for row in t.tolist()]
    assert counts.tolist() == [len(w) for w in want]
    assert values.tolist() == [x for w in want for x in w]


# ---------------------------------------------------------------- Barabási–Albert

def ba_sequential(n, m, seed):
    """The BA rule, one edge at a time: an edge's pick names an endpoint of an earlier edge.

    Edge e < m is the star edge (e+1) -> 0; node m+1+r adds edges m(r+1) .. m(r+2)-1. Its
    pick is uniform among the 2m(r+1) endpoints before its batch: position 2e' is edge e''s
    source, 2e'+1 its target. Returns the undirected edges (targets < sources).
    """
    rng = np.random.default_rng(seed)
    ne = (n - m - 1) * m
    u = rng.random(ne).reshape(-1, m)
    u *= (2.0 * m) * np.arange(1, n - m, dtype=np.float64)[:, None]
    pick = u.astype(np.int64).ravel().tolist()
    src = list(range(1, m + 1)) + [m + 1 + r for r in range(n - m - 1) for _ in range(m)]
    tgt = [0] * m
    for p in pick:
        tgt.append(tgt[p >> 1] if p & 1 else src[p >> 1])
    return np.array(src), np.array(tgt)


@pytest.mark.parametrize("n, m, seed", [(2, 1, 0), (3, 2, 1), (40, 1, 2), (500, 3, 3),
                                        (300, 20, 4), (3000, 5, 5)])
@pytest.mark.parametrize("blocks", ["default", "tiny"])
def test_ba_matches_the_sequential_rule(n, m, seed, blocks, monkeypatch):
    if blocks == "tiny":
        monkeypatch.setattr(csr, "_BLOCK", 16)
        monkeypatch.setattr(csr, "_ROWS", 3)
    src, tgt = ba_sequential(n, m, seed)
    g = nw.barabasi_albert(n, m, np.random.default_rng(seed))
    ptr, idx = sym_reference(n, src, tgt)
    assert np.array_equal(g.in_indptr, ptr) and np.array_equal(g.in_indices, idx)


@pytest.mark.slow
def test_ba_matches_the_sequential_rule_across_real_blocks():
    # 1.25e6 edges: fixed-size resolution blocks, then growing ones, each with in-block picks
    n, m, seed = 250_000, 5, 6
    src, tgt = ba_sequential(n, m, seed)
    g = nw.barabasi_albert(n, m, np.random.default_rng(seed))
    ptr, idx = sym_reference(n, src, tgt)
    assert np.array_equal(g.in_indptr, ptr) and np.array_equal(g.in_indices, idx)


# ---------------------------------------------------------------- Erdős–Rényi

def er_reference(n, d, seed):
    """G(n, p) edges from the same geometric gaps, unranked with exact integer square roots."""
    rng = np.random.default_rng(seed)
    L, p = n * (n - 1) // 2, (d / (n - 1) if n > 1 else 0.0)
    pos = np.concatenate(list(generators._skip_positions(L, p, rng)) or [np.zeros(0, np.int64)])
    j = np.array([(math.isqrt(8 * x + 1) + 1) // 2 for x in pos.tolist()], dtype=np.int64)
    return j, pos - j * (j - 1) // 2


@pytest.mark.parametrize("n, d, seed", [(1, 0, 0), (2, 1, 1), (300, 4, 2), (2000, 10, 3), (60, 59, 4)])
def test_er_matches_unranked_gaps(n, d, seed, tiny_blocks):
    j, i = er_reference(n, d, seed)
    g = nw.erdos_renyi(n, d, np.random.default_rng(seed))
    ptr, idx = sym_reference(n, j, i)
    assert np.array_equal(g.in_indptr, ptr) and np.array_equal(g.in_indices, idx)


# ---------------------------------------------------------------- time and memory at scale

SCALE = textwrap.dedent("""
    import json, resource, sys
    import numpy as np
    from sim import networks
    n, kind = int(sys.argv[1]), sys.argv[2]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if kind == "ba":
        g = networks.barabasi_albert(n, 5, np.random.default_rng(1))
    else:
        g = networks.erdos_renyi(n, 10, np.random.default_rng(1))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"extra_kib": peak - before, "graph_kib": g.memory_bytes / 1024}))
""")


@pytest.mark.parametrize("kind", ["ba", "er"])
@pytest.mark.slow
def test_build_at_a_million_is_lean(kind):
    """A fresh process builds 10^6 people, mean degree 10 (10^7 arcs).

    The extra peak memory is about 1.6 times the graph's own arrays (the output, the
    lower triangle and two row-pointer arrays); the old scipy-based build needed about 4
    times. Bound: 2.6 times the graph. Speed is measured by ``python -m benchmarks scale``,
    not here.
    """
    proc = subprocess.run([sys.executable, "-c", SCALE, str(10**6), kind], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"})
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["extra_kib"] < 2.6 * r["graph_kib"], r
