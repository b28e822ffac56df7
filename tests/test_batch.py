"""Replicate blocks: R runs stepped as one state give the numbers of R runs one by one."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
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
from sim import config
from sim.batch import Replicates, batchable, run_replicates, shares_graph

# -- replicate batching -------------------------------------------------------------------------


def assert_batch_is_one_by_one(scenario, seeds, overrides):
    batch = run_replicates(scenario, seeds, overrides=overrides)
    assert len(batch) == len(seeds)
    for seed, (ts, summary) in zip(seeds, batch):
        one = sim.run(scenario, seed=seed, overrides=overrides)
        assert ts.equals(one.timeseries) and summary == one.summary


@pytest.mark.parametrize("overrides", [
    {**RING, **QUIET, "wom.rule": "threshold", "wom.threshold": 0.3, "wom.threshold_sd": 0.1},
    {**RING, "wom.rule": "bass", "run.steps": 30},
    {**COMPLETE, **QUIET, "wom.rule": "cascade", "wom.beta": 0.01},
    {**ER, **LATE_MEDIA, "wom.rule": "complex", "wom.count": 2, "seeding.strategy": "random",
     "seeding.count": 40},
])
def test_replicates_batched_equal_one_by_one(overrides):
    assert_batch_is_one_by_one("bass", [3, 1, 4, 1, 5], overrides)


BLOCK_CASES = [name for name, ov in CASES.items() if ov["network.kind"] != "complete"]


def block_lengths(overrides: dict, seeds=(5, 6, 9, 2), device="cpu") -> set:
    """Run the replicates as one n x R block; assert each is its own run, person by person; the stop steps."""
    ov = {**overrides, "network.seed": 21}  # one graph for every replicate
    specs = [config.load("bass", overrides=ov, seed=s) for s in seeds]
    first = sim.DiffusionModel(specs[0], device=device)
    models = [first] + [sim.DiffusionModel(sp, graph=first.graph, device=device) for sp in specs[1:]]
    assert batchable(first)
    Replicates(models).run()
    lengths = set()
    for spec, m in zip(specs, models):
        alone = sim.DiffusionModel(spec, device=device).run()
        assert m.timeseries().equals(alone.timeseries())
        np.testing.assert_array_equal(m.state.adopted_at, alone.state.adopted_at)
        np.testing.assert_array_equal(m.state.channel, alone.state.channel)
        np.testing.assert_array_equal(m.counts, alone.counts)
        lengths.add(m.steps_run)
    return lengths


@pytest.mark.parametrize("name", BLOCK_CASES)
def test_one_block_of_replicates_is_each_run_alone(name):
    block_lengths(CASES[name])


@pytest.mark.parametrize("name", ["threshold-ba-sd", "cascade-media", "bass-ba-dt", "bass-late-media", "complex-ring"])
def test_a_block_on_the_gpu_ways_is_each_run_alone(name):
    """The block on the GPU's code path (binary-search gathers, scatter-adds, coded Bass, device streams)."""
    block_lengths(CASES[name], device=backend_mod.emulated_gpu())


def test_replicates_that_stop_at_different_steps():
    ov = {"network.kind": "ring", "network.n": 4000, "network.k": 10, "wom.rule": "threshold",
          "wom.threshold": 0.18, "wom.threshold_sd": 0.05, "seeding.fraction": 0.01, "media": [],
          "run.steps": 1000, "run.stop": "quiescent"}
    lengths = block_lengths(ov, seeds=range(1, 9))
    assert len(lengths) > 1 and max(lengths) > 100  # some cascades die at once, others run for hundreds of steps


def test_sweep_batches_replicates_with_the_numbers_of_single_runs():
    from sim.experiments.worker import flatten_metrics

    ov = {**RING, **QUIET, "wom.rule": "threshold", "wom.threshold": 0.3, "wom.threshold_sd": 0.1}
    res = sim.sweep("bass", vary={"wom.threshold": [0.25, 0.3]}, replicates=4, workers=1, overrides=ov)
    assert (res.runs["status"] == "ok").all() and len(res.runs) == 8
    for _, row in res.runs.iterrows():
        one = sim.run("bass", seed=int(row["seed"]), overrides={**ov, "wom.threshold": row["wom.threshold"]})
        for k, v in flatten_metrics(one.summary).items():
            assert row[k] == v or (v != v and row[k] != row[k]), k


@pytest.mark.slow
def test_sweep_on_gpu_without_one_is_one_line_exit_2(tmp_path):
    if backend_mod.gpu_problem() is None:
        pytest.skip("a usable GPU is present here")
    out = tmp_path / "sw"
    p = subprocess.run([sys.executable, "-m", "sim", "sweep", "bass", "--vary", "wom.q=0.2,0.3", "--set",
                        "network.n=200", "--device", "gpu", "--out", str(out)], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 2 and not out.exists()
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bouche: error: --device = gpu needs CuPy"), p.stderr


def test_file_graphs_are_shared_and_other_models_fall_back(tmp_path):
    path = tmp_path / "g.txt"
    rng = np.random.default_rng(2)
    path.write_text("".join(f"{u} {v}\n" for u, v in rng.integers(0, 300, (1200, 2))))
    ov = {"network.kind": "file", "network.path": str(path), **QUIET, "wom.rule": "threshold",
          "wom.threshold": 0.2}
    assert shares_graph(config.load("bass", overrides=ov))
    assert_batch_is_one_by_one("bass", [7, 8], ov)
    assert run_replicates("bass", [], overrides=ov) == []


def test_fixed_network_seed_shares_the_graph():
    ov = {**ER, **QUIET, "network.seed": 11, "wom.rule": "threshold", "wom.threshold": 0.2}
    assert shares_graph(config.load("bass", overrides=ov))
    a, b = (sim.DiffusionModel("bass", seed=s, overrides=ov) for s in (1, 2))
    assert np.array_equal(a.graph.in_indices, b.graph.in_indices)  # one graph whatever the run's seed...
    assert not np.array_equal(a.state.adopted, b.state.adopted)  # ...and other seeds, thresholds, draws
    free = sim.DiffusionModel("bass", seed=1, overrides={**ov, "network.seed": None})
    assert not np.array_equal(free.graph.in_indices, a.graph.in_indices)
    assert_batch_is_one_by_one("bass", [1, 2, 3], ov)


@pytest.mark.slow
def test_gpu_check_script_runs_on_the_emulated_gpu_and_refuses_without_one():
    """benchmarks/gpu_check.py, end to end on NumPy (its checks must pass; its timings mean nothing)."""
    run = [sys.executable, "-m", "benchmarks.gpu_check", "--n", "30000"]
    root = Path(__file__).resolve().parents[1]  # benchmarks/ is not installed: run from the checkout
    p = subprocess.run([*run, "--emulate"], capture_output=True, text=True, timeout=300, cwd=root)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "PASS: adoption step of every person identical: yes" in p.stdout
    assert "PASS: largest gap in adopted fraction" in p.stdout
    if backend_mod.gpu_problem() is not None:
        p = subprocess.run(run, capture_output=True, text=True, timeout=300, cwd=root)
        assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
