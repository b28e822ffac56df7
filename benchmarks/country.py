"""Country scale through the command line: 6.8 × 10^7 people (France), 10^8, and the United States.

Every case is one fresh ``bouche`` process timed by the wall clock, its
peak memory read from the kernel (``wait4``), as a user would run it:

- **build + run**: ``bouche run bass`` with the graph built in the run;
- **graph build**: ``bouche graph build ... --out FILE`` (a ``.bgraph`` file);
- **prebuilt**: the same run on ``--set network.kind=file --set network.path=FILE``,
  which maps the file instead of building the graph.

Graph families (mean degree 10): ``erdos_renyi``, and ``communities``
(communities of 10^4 people, 20 % of links between them, degrees with a
power-law tail of exponent 3 within each: :func:`sim.networks.communities`).
Workloads: ``threshold``, a global cascade (φ = 0.1, 1 % random seeds, to
quiescence; the run must end above 90 % adopted), and ``bass``, Bass
q = 0.38 with advertising p = 0.03 reaching everyone, 50 steps. Beside them,
the **floor**: one float32 CSR mat-vec on the stored graph, in this process
(a synchronous step reads every edge once: the run-only time is also given
in mat-vecs), and for Bass the **push floor**: every person's contacts told
once, in 20 sorted batches, by the compiled push (what an exact Bass run does
whatever else it does: :func:`benchmarks._proc.push_s`). Targets (one core): 6.8 × 10^7 within 45 s including the build
and 10 s prebuilt; 10^8 within 60 s and 10 GB including the build.

``--sweep`` adds a 2-worker sweep of 4 runs on the stored graph: the time per
run against one prebuilt run, and the memory of the whole sweep (the sum of
its processes' proportional set sizes, where the mapped graph's pages count
once however many processes map them). ``--us`` adds n = 3.35 × 10^8
(Erdős–Rényi, threshold): the file built, then the run on it. ``--size N``
sets n; ``--quick`` is n = 10^6, a smoke run whose targets are not judged.
Files go to ``--dir`` (default: a temporary folder, removed afterwards).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks._proc import ROOT, write_results

__all__ = ["TARGETS", "FAMILIES", "WORKLOADS", "network", "workload", "timed", "main"]

TARGETS = {"build_run_s": 45.0, "prebuilt_s": 10.0, "n8_build_run_s": 60.0, "n8_peak_gb": 10.0}
COMMUNITY = 10_000  # people per community
FAMILIES = ("erdos_renyi", "communities")
WORKLOADS = ("threshold", "bass")


def network(family: str, n: int) -> list[str]:
    """``--set`` options of a graph family at size n.

    Examples
    --------
    >>> network("communities", 10**6)[-2:]
    ['network.communities=100', 'network.mixing=0.2']
    """
    sets = [f"network.kind={family}", f"network.n={n}", "network.mean_degree=10"]
    if family == "communities":
        sets += [f"network.communities={max(1, n // COMMUNITY)}", "network.mixing=0.2"]
    return sets


def workload(name: str) -> list[str]:
    """``--set`` options of a workload."""
    if name == "threshold":
        return ["wom.rule=threshold", "wom.threshold=0.1", "media=[]", "seeding.strategy=random",
                "seeding.fraction=0.01", "run.stop=quiescent", "run.steps=1000"]
    return ["wom.rule=bass", "wom.q=0.38", 'media=[{name="advertising", p=0.03, reach=1.0}]', "run.stop=steps",
            "run.steps=50"]


def _sets(options: list[str]) -> list[str]:
    return [a for s in options for a in ("--set", s)]


def _pss(pids) -> tuple[int, int]:
    """Sum of proportional and resident set sizes (bytes) of ``pids``."""
    pss = rss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return pss, rss


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def timed(args: list[str], cwd: Path, watch: bool = False) -> dict:
    """Run ``bouche ARGS`` and return wall seconds, peak RSS (bytes), exit status and output.

    ``watch`` also samples the process tree's summed PSS every 0.2 s (``pss_peak``, ``rss_sum_peak``).
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    peaks = {"pss_peak": 0, "rss_sum_peak": 0}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=cwd, env=env, stdout=out, stderr=err,
                                text=True)
        done = threading.Event()

        def sample():
            while not done.is_set():
                pss, rss = _pss(_tree(proc.pid))
                peaks["pss_peak"] = max(peaks["pss_peak"], pss)
                peaks["rss_sum_peak"] = max(peaks["rss_sum_peak"], rss)
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True) if watch else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        if sampler:
            sampler.join()
        out.seek(0)
        err.seek(0)
        res = {"wall_s": wall, "peak_bytes": usage.ru_maxrss * 1024, "rc": proc.returncode, "stdout": out.read(),
               "stderr": err.read().strip()[-400:]}
    return {**res, **peaks} if watch else res


def _summary(folder: Path) -> dict:
    s = json.loads((folder / "summary.json").read_text())
    return {"final_share": s["final_fraction"], "steps": s["steps_run"], "final": s["final_adopters"]}


_FLOOR = """
import json, sys
from benchmarks._proc import matvec_s, push_s
from sim.networks import store
g = store.open_graph(sys.argv[1])
print(json.dumps({"s": matvec_s(g, repeats=3) if sys.argv[2] == "matvec" else push_s(g)}))
"""


def _floor(path: Path, kind: str = "matvec") -> float:
    """A floor (``matvec``: one CSR mat-vec; ``push``: :func:`benchmarks._proc.push_s`), measured in a child
    of its own: this process stays small, since a child started from it inherits its peak memory (Linux
    carries the peak across exec), which would then count in the child's."""
    out = subprocess.run([sys.executable, "-c", _FLOOR, str(path), kind], cwd=ROOT, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"},
                         check=False)
    return json.loads(out.stdout.strip().splitlines()[-1])["s"] if out.returncode == 0 else float("nan")


def _row(label, r, extra=""):
    peak = f"{r['peak_bytes'] / 2**30:6.2f} GiB"
    print(f"  {label:<44} {r['wall_s']:7.1f} s  {peak}  {extra}", flush=True)


def _case(family: str, n: int, folder: Path, report: dict, key: str, workloads=WORKLOADS) -> None:
    """Graph build, prebuilt runs and build + run for one family at one n."""
    path = folder / f"{family}-{n}.bgraph"
    if path.exists():
        path.unlink()
    r = timed(["graph", "build", *_sets(network(family, n)), "--out", str(path)], folder)
    if r["rc"]:
        report[key] = {"error": r["stderr"]}
        print(f"  {family}: graph build failed: {r['stderr']}")
        return
    size = path.stat().st_size
    _row(f"{family}: bouche graph build ({size / 2**30:.2f} GiB file)", r)
    floor = _floor(path)
    print(f"  {family}: floor, one CSR mat-vec: {floor:.3f} s", flush=True)
    report[key] = {"graph_build": {k: r[k] for k in ("wall_s", "peak_bytes")}, "file_bytes": size,
                   "matvec_s": floor}
    if "bass" in workloads:
        pushes = report[key]["push_s"] = _floor(path, "push")
        print(f"  {family}: floor of an exact Bass run, every person's contacts told once "
              f"(20 steps of compiled pushes): {pushes:.3f} s", flush=True)
    for name in workloads:
        for mode in ("prebuilt", "build+run"):
            out = folder / f"run-{family}-{name}-{mode.replace('+', '')}"
            shutil.rmtree(out, ignore_errors=True)
            net = ["network.kind=file", f"network.path={path}"] if mode == "prebuilt" else network(family, n)
            r = timed(["run", "bass", *_sets(net + workload(name)), "--no-plots", "--adoptions", "off",
                       "--out", str(out)], folder)
            if r["rc"]:
                print(f"  {family} {name} {mode}: failed: {r['stderr']}")
                report[key][f"{name} {mode}"] = {"error": r["stderr"]}
                continue
            s = _summary(out)
            ratio = f", {r['wall_s'] / floor:.1f} mat-vecs" if mode == "prebuilt" and floor > 0 else ""
            _row(f"{family}: {name}, {mode}", r, f"{s['final_share']:.1%} adopted in {s['steps']} steps{ratio}")
            report[key][f"{name} {mode}"] = {"wall_s": r["wall_s"], "peak_bytes": r["peak_bytes"], **s}


def _sweep(path: Path, folder: Path, report: dict) -> None:
    out = folder / "sweep"
    shutil.rmtree(out, ignore_errors=True)
    args = ["sweep", "bass", *_sets(["network.kind=file", f"network.path={path}"] + workload("threshold")),
            "--vary", "wom.threshold=0.1,0.11", "--replicates", "2", "--workers", "2", "--no-plots", "--out", str(out)]
    r = timed(args, folder, watch=True)
    if r["rc"]:
        print(f"  sweep failed: {r['stderr']}")
        report["sweep"] = {"error": r["stderr"]}
        return
    one = report.get("one_prebuilt_s")
    print(f"  2-worker sweep, 4 runs on {path.name}: {r['wall_s']:.1f} s ({r['wall_s'] / 4:.1f} s a run, "
          f"{2 * r['wall_s'] / 4:.1f} s of a worker per run against {one:.1f} s for one prebuilt run); "
          f"memory of all its processes {r['pss_peak'] / 2**30:.2f} GB (PSS; their RSS add up to "
          f"{r['rss_sum_peak'] / 2**30:.2f} GB, the mapped graph counted in each)", flush=True)
    report["sweep"] = {k: r[k] for k in ("wall_s", "pss_peak", "rss_sum_peak")}


def main(quick: bool = False, repeats: int | None = None, seed: int = 42, write_json: bool = True,
         size: int | None = None, families=FAMILIES, sweep: bool = False, us: bool = False,
         folder: str | None = None, workloads=WORKLOADS) -> int:
    """Run the country suite; returns 1 if a case failed, 0 otherwise (a missed target is reported)."""
    from benchmarks.core import _machine

    n = size or (10**6 if quick else 68_000_000)
    tmp = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="bouche-country-"))
    tmp.mkdir(parents=True, exist_ok=True)
    report: dict = {"machine": _machine(), "n": n, "targets": TARGETS}
    print(f"country scale, n = {n:,}, mean degree 10, one core; files in {tmp}", flush=True)
    failed = 0
    try:
        for family in families:
            _case(family, n, tmp, report, family, workloads)
            failed |= any("error" in v for v in report[family].values() if isinstance(v, dict))
        er = report.get("erdos_renyi", {})
        if "threshold prebuilt" in er and "wall_s" in er["threshold prebuilt"]:
            report["one_prebuilt_s"] = er["threshold prebuilt"]["wall_s"]
            if sweep:
                _sweep(tmp / f"erdos_renyi-{n}.bgraph", tmp, report)
        if not quick and n == 100_000_000 and "erdos_renyi" in report:
            b = report["erdos_renyi"].get("threshold build+run", {})
            if "wall_s" in b:
                ok = b["wall_s"] <= TARGETS["n8_build_run_s"] and b["peak_bytes"] <= TARGETS["n8_peak_gb"] * 1e9
                limits = f"≤ {TARGETS['n8_build_run_s']:g} s, ≤ {TARGETS['n8_peak_gb']:g} GB"
                print(f"  target 10^8 threshold, build + run: {b['wall_s']:.1f} s, {b['peak_bytes'] / 1e9:.2f} GB "
                      f"({limits}: {'met' if ok else 'MISSED'})")
        if not quick and n == 68_000_000:
            for fam in families:
                fr = report.get(fam, {})
                for w in workloads:
                    b, p = fr.get(f"{w} build+run", {}), fr.get(f"{w} prebuilt", {})
                    if "wall_s" in b:
                        print(f"  target {fam} {w}: build + run {b['wall_s']:.1f} s (≤ {TARGETS['build_run_s']:g}: "
                              f"{'met' if b['wall_s'] <= TARGETS['build_run_s'] else 'MISSED'}), prebuilt "
                              f"{p.get('wall_s', float('nan')):.1f} s (≤ {TARGETS['prebuilt_s']:g}: "
                              f"{'met' if p.get('wall_s', 1e9) <= TARGETS['prebuilt_s'] else 'MISSED'})")
        if us:
            _us(tmp, report)
    finally:
        if not folder:
            shutil.rmtree(tmp, ignore_errors=True)
    if write_json:
        write_results("country", report, quick)
    return 1 if failed else 0


def _us(folder: Path, report: dict) -> None:
    """n = 3.35 × 10^8: build the file, then run the threshold cascade on it."""
    n = 335_000_000
    path = folder / f"us-{n}.bgraph"
    if path.exists():
        path.unlink()
    r = timed(["graph", "build", *_sets(network("erdos_renyi", n)), "--out", str(path)], folder)
    if r["rc"]:
        print(f"  United States: graph build failed: {r['stderr']}")
        report["us"] = {"error": r["stderr"]}
        return
    _row(f"US: bouche graph build ({path.stat().st_size / 2**30:.1f} GiB file)", r)
    out = folder / "run-us"
    shutil.rmtree(out, ignore_errors=True)
    q = timed(["run", "bass", *_sets(["network.kind=file", f"network.path={path}"] + workload("threshold")),
               "--no-plots", "--adoptions", "off", "--out", str(out)], folder)
    if q["rc"]:
        print(f"  United States: run failed: {q['stderr']}")
        report["us"] = {"error": q["stderr"]}
        return
    s = _summary(out)
    _row("US: threshold on the mapped file", q, f"{s['final_share']:.1%} adopted in {s['steps']} steps")
    report["us"] = {"build": {k: r[k] for k in ("wall_s", "peak_bytes")}, "run": {
        k: q[k] for k in ("wall_s", "peak_bytes")}, **s, "file_bytes": path.stat().st_size}
