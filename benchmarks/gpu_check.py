"""GPU check: the same mechanisms on CuPy against one CPU core, at n = 10^7.

Run on a machine with an NVIDIA GPU and CuPy (``pip install 'bouche[gpu]'``),
from the repository root::

    python -m benchmarks.gpu_check              # n = 10^7, mean degree 10: a few minutes
    python -m benchmarks.gpu_check --n 1000000  # a quicker look

One Erdős–Rényi graph (mean degree 10, so 10^8 directed edges at n = 10^7) is
built on the CPU and shared by every model below. Two cases, each run once on
the CPU (NumPy, one core) and once on the GPU (CuPy):

1. **Threshold cascade** (φ = 0.18, 10 % random seeds, above the critical
   mass of about 8 %, so the cascade is global) to quiescence. The
   rule draws nothing per step, so the GPU must give *exactly* the CPU's
   adoption step for every person.
2. **Bass** (q = 0.38, one medium p = 0.03 reaching everyone), 50 steps.
   The GPU draws its per-step uniforms on the device, so the runs are
   statistically, not bitwise, identical: the adopted fraction and the share
   credited to media must agree within 8/√n at every step (0.0025 at
   n = 10^7). Between two independent runs the largest gap over the 50 steps
   averages about 2/√n (measured on the emulated path, 12 seed pairs at
   n = 10^5 and 4·10^5); a wrong rule moves the curve by 0.01 or more.

3. **Replicates**: 32 Bass runs of 10^5 people on one shared graph, one by
   one and as one n × R block (:class:`sim.batch.Replicates`), on each
   device: the throughput against one-by-one CPU runs, and a check that each
   replicate of a block is its own run (bit for bit, on each device).

Printed: the wall time per step on each device (GPU steps timed with a device
synchronisation after each), the ratio (target >= 100x), and the synchronous
floor on the CPU (one CSR mat-vec on the same graph). GPU kernels are compiled
on small warm-up models first (a first run on a fresh machine compiles them,
about 15 s, then CuPy caches them on disk), so the timings exclude compilation. Exit status:
0 when both checks pass, 1 when one fails, 2 when no usable GPU is found.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # the CPU side is one core
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

__all__ = ["main", "TOLERANCE", "TARGET"]

TOLERANCE = 8.0  # largest allowed gap between the CPU and GPU Bass curves, at any step, times sqrt(n)
TARGET = 100.0  # GPU per-step speed-up over one CPU core


def _overrides(rule: str, n: int) -> dict:
    net = {"network.kind": "erdos_renyi", "network.n": n, "network.mean_degree": 10}
    if rule == "threshold":
        return {**net, "wom.rule": "threshold", "wom.threshold": 0.18, "seeding.strategy": "random",
                "seeding.fraction": 0.10, "media": [], "run.steps": 1000, "run.stop": "quiescent"}
    return {**net, "wom.rule": "bass", "wom.q": 0.38, "run.steps": 50, "run.stop": "steps",
            "media": [{"name": "advertising", "p": 0.03, "reach": 1.0}]}


def _timed_run(model) -> list[float]:
    """Step to the end; the wall time of each step (device synchronised after each)."""
    times = []
    while model.running:
        t = time.perf_counter()
        model.step()
        if model.running:  # after the last step the state is already back on the host
            model.backend.sync()
        times.append(time.perf_counter() - t)
    return times


def _case(rule: str, n: int, seed: int, graph, gpu) -> dict:
    from sim.model import DiffusionModel

    out = {}
    for name, device in (("cpu", "cpu"), ("gpu", gpu)):
        t0 = time.perf_counter()
        model = DiffusionModel("bass", seed=seed, overrides=_overrides(rule, n), device=device, graph=graph)
        t1 = time.perf_counter()
        steps = _timed_run(model)
        out[name] = {"construct_s": t1 - t0, "step_s": steps, "model": model,
                       "ts": model.timeseries()}
        print(f"  {rule} on {name}: {len(steps)} steps, {sum(steps):.3f} s "
              f"(construction {t1 - t0:.2f} s)", flush=True)
    return out


def _per_step(times: list[float]) -> float:
    """Median step time; the first step is left out when there are more (warm caches)."""
    return statistics.median(times[1:] if len(times) > 2 else times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gpu_check", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="number of people (default 10^7)")
    parser.add_argument("--seed", type=int, default=42, help="root seed")
    parser.add_argument("--emulate", action="store_true",
                        help="run the GPU code path on NumPy (mat-vec pushes, device-seeded streams) to test this "
                             "script where there is no GPU; its timings mean nothing")
    parser.add_argument("--no-replicates", action="store_true", help="skip the replicate-batching check")
    args = parser.parse_args(argv)

    from benchmarks._proc import matvec_s
    from sim import networks
    from sim.backend import gpu_problem
    from sim.model import DiffusionModel
    from sim.streams import Streams

    if args.emulate:
        from sim.backend import emulated_gpu

        gpu = emulated_gpu()
        print("EMULATED: the GPU code path on NumPy; the 'GPU' timings below mean nothing")
    else:
        why = gpu_problem()
        if why:
            print(f"gpu_check: error: no usable GPU: {why} (needs CuPy and an NVIDIA GPU: "
                  f"pip install 'bouche[gpu]')", file=sys.stderr)
            return 2
        import cupy as cp

        gpu = "gpu"
        props = cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)
        gpu_name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
        print(f"GPU: {gpu_name}, CuPy {cp.__version__}; CPU side: one core, numpy {np.__version__}")

    print("warm-up: compiling GPU kernels on n = 100,000 ...", flush=True)
    from sim.batch import Replicates

    for rule in ("threshold", "bass"):
        DiffusionModel("bass", seed=1, overrides=_overrides(rule, 100_000), device=gpu).run()
        a = DiffusionModel("bass", seed=1, overrides=_overrides(rule, 10_000), device=gpu)
        Replicates([a, DiffusionModel("bass", seed=2, overrides=_overrides(rule, 10_000), device=gpu,
                                      graph=a.graph)]).run()

    n, seed = args.n, args.seed
    print(f"building the Erdős–Rényi graph, n = {n:,}, mean degree 10 ...", flush=True)
    t = time.perf_counter()
    graph = networks.erdos_renyi(n, 10, Streams(seed).get("network"))  # the stream the models would use
    print(f"  {graph.in_indices.size:,} directed edges in {time.perf_counter() - t:.1f} s", flush=True)

    floor_s = matvec_s(graph, repeats=3)

    ok = True
    rows = []
    th = _case("threshold", n, seed, graph, gpu)
    same = np.array_equal(th["cpu"]["model"].state.adopted_at, th["gpu"]["model"].state.adopted_at)
    ok &= bool(same)
    rows.append(("threshold", th, f"adoption step of every person identical: {'yes' if same else 'NO'}", same))
    del th

    bass = _case("bass", n, seed, graph, gpu)
    a, b = bass["cpu"]["ts"], bass["gpu"]["ts"]
    gap = float(np.abs(a["adopted_fraction"].to_numpy() - b["adopted_fraction"].to_numpy()).max())
    media_gap = float(np.abs(a["new_by_media"].cumsum().to_numpy() - b["new_by_media"].cumsum().to_numpy()).max() / n)
    tol = TOLERANCE / np.sqrt(n)
    close = len(a) == len(b) and gap <= tol and media_gap <= tol
    ok &= close
    rows.append(("bass", bass, f"largest gap in adopted fraction {gap:.5f}, in media share {media_gap:.5f} "
                               f"(tolerance 8/sqrt(n) = {tol:.4f})", close))

    print(f"\nn = {n:,}, mean degree 10; CPU: one core; CPU mat-vec floor {floor_s * 1e3:.1f} ms per step")
    print(f"{'case':<10} {'steps':>5} {'CPU ms/step':>12} {'GPU ms/step':>12} {'speed-up':>9}  target   check")
    for rule, res, check, passed in rows:
        cpu_s, gpu_s = _per_step(res["cpu"]["step_s"]), _per_step(res["gpu"]["step_s"])
        ratio = cpu_s / gpu_s
        print(f"{rule:<10} {len(res['cpu']['step_s']):>5} {cpu_s * 1e3:>12.2f} {gpu_s * 1e3:>12.3f} {ratio:>8.0f}x  "
              f">= {TARGET:g}x {'PASS' if ratio >= TARGET else 'MISS'}  {'PASS' if passed else 'FAIL'}: {check}")
        cpu_m, gpu_m = (statistics.fmean(res[d]["step_s"]) for d in ("cpu", "gpu"))
        print(f"{'':<10} {'mean':>5} {cpu_m * 1e3:>12.2f} {gpu_m * 1e3:>12.3f} {cpu_m / gpu_m:>8.0f}x  "
              f"(the whole run over its steps)")
        if rule == "threshold":
            print(f"{'':<10} {'':>5} {'floor':>12} {gpu_s * 1e3:>12.3f} {floor_s / gpu_s:>8.0f}x  "
                  f"(one synchronous CPU mat-vec against one GPU step)")
    print("(ms/step is the median step, the first left out. Late in a Bass run the CPU passes over the people "
          "left only, so its median step is cheaper than its mean; the GPU passes over everyone each step.)")
    if not args.no_replicates:
        ok &= _replicates(gpu, args.seed, 100_000 if n >= 1_000_000 else max(n // 10, 1000), 32)
    return 0 if ok else 1


def _replicates(gpu, seed: int, n: int, R: int) -> bool:
    """R Bass replicates on one shared graph: one by one against one n x R block, on each device."""
    from sim import config
    from sim.batch import Replicates
    from sim.model import DiffusionModel

    ov = {**_overrides("bass", n), "network.seed": seed}
    specs = [config.load("bass", overrides=ov, seed=seed + r) for r in range(R)]
    graph = DiffusionModel(specs[0]).graph
    print(f"\nreplicates: {R} Bass runs (50 steps) at n = {n:,} on one shared Erdős–Rényi graph", flush=True)
    times, curves = {}, {}
    for device in ("cpu", gpu):
        name = "cpu" if device == "cpu" else "gpu"
        for way in ("one by one", "one block"):
            models = [DiffusionModel(sp, device=device, graph=graph) for sp in specs]
            t = time.perf_counter()
            if way == "one block":
                Replicates(models).run()
            else:
                for m in models:
                    m.run()
            times[name, way] = time.perf_counter() - t
            curves[name, way] = [m.timeseries() for m in models]
            print(f"  {name}, {way}: {times[name, way]:.3f} s ({times[name, way] / R * 1e3:.1f} ms a run)",
                  flush=True)
    same = all(a.equals(b) for name in ("cpu", "gpu") for a, b in zip(curves[name, "one by one"],
                                                                     curves[name, "one block"]))
    base = times["cpu", "one by one"]
    print(f"  throughput against one by one on one CPU core: CPU block {base / times['cpu', 'one block']:.1f}x, "
          f"GPU one by one {base / times['gpu', 'one by one']:.1f}x, GPU block {base / times['gpu', 'one block']:.1f}x")
    print(f"  {'PASS' if same else 'FAIL'}: each replicate of a block is its own run, on each device")
    return same


if __name__ == "__main__":
    sys.exit(main())
