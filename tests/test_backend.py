"""Array backends and their strategies: mat-vec and dense pushes, binary-search gathers, device streams."""

import subprocess
import sys

import numpy as np
import pytest
import scipy as sp
import scipy.sparse  # noqa: F401
from sweep_reference import (  # noqa: F401
    BA,
    CASES,
    COMPLETE,
    ER,
    LATE_MEDIA,
    QUIET,
    RING,
    SBM,
    WS,
    assert_same_as_sweep,
    sweep_run,
    triggered_decision,
)

import sim
from sim import backend as backend_mod
from sim import networks
from sim.backend import Backend, get_backend

# -- backends ---------------------------------------------------------------------------------

MATVEC = Backend("cpu", np, sp.sparse, matvec_from=0.0)  # pushes by mat-vec only
# the GPU's way, on NumPy, with the host's streams: dense pushes, mat-vec past 1/8 of the edges
GPU_LIKE = Backend("cpu", np, sp.sparse, pushes="dense", matvec_from=1 / 8)
DEVICE_STREAMS = backend_mod.emulated_gpu()


@pytest.mark.parametrize("name", ["threshold-ba-sd", "complex-sbm-media", "cascade-media", "bass-ba-dt",
                                  "threshold-complete", "cascade-complete"])
def test_matvec_and_gpu_pushes_give_the_same_numbers(name):
    assert_same_as_sweep(CASES[name], 4, device=MATVEC)
    assert_same_as_sweep(CASES[name], 4, device=GPU_LIKE)


def test_search_gather_is_repeat_gather():
    rng = np.random.default_rng(3)
    deg = rng.integers(0, 9, 500)
    indptr = np.concatenate(([0], np.cumsum(deg)))
    indices = rng.integers(0, 500, indptr[-1]).astype(np.int32)
    search = Backend("cpu", np, sp.sparse, pushes="dense")  # gathers by binary search
    for rows in (rng.choice(500, 300, replace=False), np.array([], dtype=np.int64), np.flatnonzero(deg == 0)[:3],
                 np.array([int(np.argmax(deg))])):
        np.testing.assert_array_equal(search.gather(indptr, indices, rows),
                                      networks.gather_rows(indptr, indices, rows))
        np.testing.assert_array_equal(search.positions(indptr, rows), get_backend("cpu").positions(indptr, rows))
    assert GPU_LIKE.gather(indptr, indices, np.arange(500)) is None  # every edge: auto multiplies instead


@pytest.mark.parametrize("name", ["threshold-er", "complex-ring", "cascade-er"])
def test_device_streams_change_nothing_without_per_step_draws(name):
    """Deterministic rules without media draw nothing per step: the GPU path gives identical numbers."""
    assert_same_as_sweep(CASES[name], 5, device=DEVICE_STREAMS)


def test_device_streams_give_statistically_the_same_bass_curve():
    ov = {"network.kind": "erdos_renyi", "network.n": 40_000, "network.mean_degree": 10, "run.steps": 25,
          "run.stop": "steps", "wom.rule": "bass"}
    cpu = sim.run("bass", seed=6, overrides=ov).timeseries["adopted_fraction"].to_numpy()
    dev = sim.DiffusionModel("bass", seed=6, overrides=ov, device=DEVICE_STREAMS).run().timeseries()
    dev = dev["adopted_fraction"].to_numpy()
    assert not np.array_equal(cpu, dev)  # other draws...
    # ...same law: the sd of a fraction of 40,000 people is at most 0.0025; the feedback of word of
    # mouth widens it a few times, so 0.02 is loose enough to be certain and tight enough to matter
    # (the curve spans 0.03 -> 0.99 over these steps).
    assert np.abs(cpu - dev).max() < 0.02


def test_gpu_without_cupy_is_one_line_error():
    if backend_mod.gpu_problem() is None:
        pytest.skip("a usable GPU is present here")
    with pytest.raises(sim.ConfigError, match=r"^device = gpu needs CuPy and a working NVIDIA GPU .*; here "):
        get_backend("gpu")
    with pytest.raises(sim.ConfigError, match="device = gpu needs CuPy"):
        sim.run("bass", seed=1, overrides={"network.n": 100}, device="gpu")
    with pytest.raises(sim.ConfigError, match=r"^device must be cpu or gpu; got 'tpu'$"):
        sim.DiffusionModel("bass", device="tpu")


@pytest.mark.slow
def test_cli_device_gpu_without_gpu_exits_2_and_writes_nothing(tmp_path):
    if backend_mod.gpu_problem() is None:
        pytest.skip("a usable GPU is present here")
    out = tmp_path / "run"
    p = subprocess.run([sys.executable, "-m", "sim", "run", "bass", "--device", "gpu", "--out", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and not out.exists() and not list(tmp_path.iterdir())
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bouche: error: --device = gpu needs CuPy")


@pytest.mark.slow
def test_cpu_path_does_not_import_cupy():
    code = ("import sys, sim; sim.run('bass', seed=1, overrides={'network.n': 300}); "
            "print('cupy' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.strip() == "False"
