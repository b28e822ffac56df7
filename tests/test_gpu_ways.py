"""The GPU's ways on NumPy: dense pushes (scatter-add, no sort) give the engine's numbers exactly.

A backend with dense pushes scatter-adds the hits of new adopters and
reports everyone as moved, so the model re-evaluates all people densely (the
GPU's way: elementwise passes instead of sorts). With the host's random
streams that must give the synchronous sweep's numbers person by person, for
every rule, with and without media; with device-seeded streams (the emulated
GPU) deterministic rules still must. Where a usable GPU is present the last
test runs the CuPy path itself against the sweep.
"""

import numpy as np
import pytest
import scipy as sp
import scipy.sparse  # noqa: F401
from hypothesis import given, settings
from hypothesis import strategies as st
from sweep_reference import CASES, assert_same_as_sweep  # the plainly written synchronous sweep

import sim
from sim import arrays
from sim import backend as backend_mod
from sim.arrays import sorted_distinct
from sim.backend import Backend, emulated_gpu, get_backend

# the GPU's pushes with the host's streams: every number must equal the CPU's, Bass and media included
DENSE = Backend("cpu", np, sp.sparse, pushes="dense", matvec_from=1 / 8)
# dense pushes that never multiply: huge steps go through the scatter-add too
DENSE_GATHER_ONLY = Backend("cpu", np, sp.sparse, pushes="dense")


def test_gpu_ways_include_dense_pushes_and_the_cpu_keeps_its_own():
    assert emulated_gpu().dense and backend_mod.GPU_WAYS["pushes"] == "dense"
    cpu = get_backend("cpu")
    assert not cpu.dense and cpu.pushes == "events" and cpu.streams == "host" and not cpu.uses_matrix
    with pytest.raises(ValueError, match="pushes must be one of"):
        Backend("cpu", np, sp.sparse, pushes="auto")


@pytest.mark.parametrize("name", ["threshold-er", "threshold-ba-sd", "threshold-media", "complex-instigators",
                                  "complex-sbm-media", "cascade-er", "cascade-media", "bass-er", "bass-ba-dt",
                                  "bass-late-media", "bass-wom-only", "none-media", "threshold-complete"])
def test_dense_pushes_give_the_sweeps_numbers(name):
    model = assert_same_as_sweep(CASES[name], 7, device=DENSE)
    assert model.backend is DENSE
    assert_same_as_sweep(CASES[name], 8, device=DENSE_GATHER_ONLY)


@pytest.mark.parametrize("name", ["threshold-ring-exact", "complex-ring", "cascade-ba-certain"])
def test_emulated_gpu_gives_the_sweeps_numbers_for_deterministic_rules(name):
    assert_same_as_sweep(CASES[name], 9, device=emulated_gpu())


def _csr(rng, n: int, max_degree: int):
    deg = rng.integers(0, max_degree + 1, n)
    deg[rng.random(n) < 0.2] = 0  # empty rows, at the ends too
    deg[0] = deg[-1] = 0
    indptr = np.concatenate(([0], np.cumsum(deg))).astype(np.int64)
    return indptr, rng.integers(0, n, int(indptr[-1])).astype(np.int32)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 400), st.integers(0, 12), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_dense_add_hits_counts_every_hit_once(n, max_degree, share, seed):
    """Repeated targets (two new adopters sharing a contact) each count: no hit is lost or doubled."""
    rng = np.random.default_rng(seed)
    indptr, indices = _csr(rng, n, max_degree)
    new = np.flatnonzero(rng.random(n) < share)
    start = rng.integers(0, 5, n).astype(np.int32)
    want = start + np.bincount(np.concatenate([indices[indptr[u]:indptr[u + 1]] for u in new] + [[]]).astype(int),
                               minlength=n).astype(np.int32)
    matrix = DENSE.adjacency(n, indptr, indices, transpose=True)  # the mat-vec takes over for big steps
    for be in (DENSE, DENSE_GATHER_ONLY):
        counts = start.copy()
        assert be.add_hits(counts, indptr, indices, new, matrix) is None  # everyone re-evaluated
        np.testing.assert_array_equal(counts, want)
        assert counts.dtype == np.int32
    counts = start.copy()  # the CPU's event-driven way: the same counts, and who moved (as hits, repeats kept)
    moved = get_backend("cpu").add_hits(counts, indptr, indices, new)
    np.testing.assert_array_equal(counts, want)
    if moved is not None:
        np.testing.assert_array_equal(sorted_distinct(moved), np.flatnonzero(want != start))
        assert len(moved) == (want - start).sum()  # one entry per hit


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(0, 2000), st.integers(0, 2**32 - 1))
def test_dense_distinct_is_unique(n, k, seed):
    hit = np.random.default_rng(seed).integers(0, n, k).astype(np.int32)
    got = DENSE.distinct(hit, n)
    np.testing.assert_array_equal(got, np.unique(hit))
    assert got.dtype == np.int64
    np.testing.assert_array_equal(get_backend("cpu").distinct(hit, n), got)


def test_search_gather_positions_match_repeat_on_long_rows():
    rng = np.random.default_rng(11)
    indptr, indices = _csr(rng, 3000, 40)
    search, plain = Backend("cpu", np, sp.sparse, pushes="dense"), get_backend("cpu")
    for rows in (np.arange(3000), rng.permutation(3000)[:700], np.array([0, 2999]), np.array([5, 5, 7])):
        got = search.positions(indptr, rows)
        np.testing.assert_array_equal(got, plain.positions(indptr, rows))
        np.testing.assert_array_equal(indices[got], np.concatenate([indices[indptr[u]:indptr[u + 1]] for u in rows]))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(0, 12), st.integers(0, 2**32 - 1))
def test_row_gather_is_the_positions_gather(n, max_degree, seed):
    """SciPy's C row gather gives the NumPy positions-and-take result, repeated and empty rows included."""
    if arrays.ROW_GATHER is None:
        pytest.skip("this SciPy has no csr_row_index: the NumPy gather is the only one")
    rng = np.random.default_rng(seed)
    indptr, indices = _csr(rng, n, max_degree)
    rows = np.sort(rng.integers(0, n, rng.integers(0, 2 * n)))
    want = indices.take(get_backend("cpu").positions(indptr, rows))
    got = get_backend("cpu").gather(arrays.compact_indptr(indptr), indices, rows)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.int32


@pytest.mark.parametrize("rule", ["threshold", "bass"])
def test_runs_without_the_row_gather_are_the_same(rule, monkeypatch):
    ov = {"network.kind": "barabasi_albert", "network.n": 3000, "network.m": 3, "wom.rule": rule,
          "wom.threshold": 0.2, "seeding.fraction": 0.02, "run.steps": 40}
    fast = sim.run("bass", seed=4, overrides=ov).timeseries
    monkeypatch.setattr(arrays, "ROW_GATHER", None)
    assert fast.equals(sim.run("bass", seed=4, overrides=ov).timeseries)
    assert fast["new_by_wom"].sum() > 100


def test_cpu_steps_stay_event_driven():
    """Small steps on the CPU still report who moved, so only they are re-evaluated."""
    rng = np.random.default_rng(2)
    indptr, indices = _csr(rng, 10_000, 10)
    counts = np.zeros(10_000, dtype=np.int32)
    moved = get_backend("cpu").add_hits(counts, indptr, indices, np.array([3, 17, 400]))
    assert moved is not None and len(sorted_distinct(moved)) == np.count_nonzero(counts)


@pytest.mark.skipif(backend_mod.gpu_problem() is not None, reason="needs CuPy and a usable NVIDIA GPU")
@pytest.mark.parametrize("name", ["threshold-er", "complex-ring", "cascade-er"])
def test_real_gpu_gives_the_sweeps_numbers_for_deterministic_rules(name):
    model = assert_same_as_sweep(CASES[name], 5, device="gpu")
    assert model.backend.dense and isinstance(model.state.adopted_at, np.ndarray)


@pytest.mark.skipif(backend_mod.gpu_problem() is not None, reason="needs CuPy and a usable NVIDIA GPU")
def test_real_gpu_bass_kernel_is_the_numpy_decision():
    import cupy as cp

    from sim.rules import bass

    rng = np.random.default_rng(8)
    n = 200_000
    u, adopted = rng.random(n), rng.random(n) < 0.3
    wom_term = np.where(rng.random(n) < 0.5, rng.random(n) * 2, 0.0)
    media_term = np.where(rng.random(n) < 0.5, rng.choice([0.02, 0.5, 1.5], n), 0.0)
    gpu = get_backend("gpu")
    for dt in (1.0, 0.5):
        for mt in (media_term, None):
            want = bass.bass_codes(u, mt, wom_term, dt, adopted)
            got = bass._kernel()(cp.asarray(u), cp.asarray(wom_term), 0.0 if mt is None else cp.asarray(mt),
                                 cp.asarray(adopted), float(dt))
            np.testing.assert_array_equal(cp.asnumpy(got), want)
            assert gpu.dense
