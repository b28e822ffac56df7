"""``bouche sweep``: run a parameter sweep from a spec file, a shipped experiment or a scenario.

Exit status: 0 when every run succeeded, 1 when some runs failed (they are
stored with their error) or the executor broke, 2 for bad input (one line,
nothing written), 130 when stopped by Ctrl-C (SIGINT) and 143 when stopped by
SIGTERM (128 + the signal number, as shells report a process killed by it):
in both cases the runs done so far are kept and ``--resume`` continues.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim import config
from sim.errors import ConfigError

__all__ = ["add_arguments", "command"]

HELP = "run a parameter sweep (design x replicates), resumable, on local processes or Dask"


def add_arguments(p) -> None:
    """Arguments of ``bouche sweep`` (kept light: nothing heavy is imported here)."""
    p.description = ("Run a sweep: a base scenario x a design x replicates. SPEC is a shipped experiment "
                     "(see --list), a sweep .toml file, or a scenario to sweep with --vary.")
    p.add_argument("spec", nargs="?", metavar="SPEC|SCENARIO", help="experiment name, sweep .toml, or scenario")
    p.add_argument("--vary", action="append", default=[], metavar="KEY=VALUES",
                   help="a parameter to vary: a list (0.1,0.2 or [0.1, 0.2]), a range start:stop:step (stop "
                        "included) or, for sampling designs, bounds lo:hi (repeatable)")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="a fixed change to the base scenario (repeatable)")
    p.add_argument("--design", choices=("grid", "zip", "random", "lhs", "sobol"),
                   help="how the varied values combine (default: grid)")
    p.add_argument("--samples", type=int, metavar="N", help="points of a random or lhs design; N of a sobol design")
    p.add_argument("--replicates", type=int, metavar="R", help="runs per design point")
    p.add_argument("--seed", type=int, help="root seed (default: the spec's, else the scenario's)")
    p.add_argument("--streams", choices=("common", "independent"),
                   help="common: replicate r shares its random streams across design points (default); "
                        "independent: every run has its own")
    p.add_argument("--timeseries", action="store_true", default=None, help="also store each run's time series")
    p.add_argument("--every", type=int, metavar="K", help="store every K-th step of the time series")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="stop a run after this long (stored as failed)")
    p.add_argument("--size", metavar="NAME", help="a named size of the spec, e.g. small")
    p.add_argument("--workers", type=int, metavar="W", help="parallel workers (default: the number of cores)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on Dask: 'local' starts a LocalCluster of W workers; tcp://host:8786 uses a cluster")
    p.add_argument("--batch", type=int, metavar="N", help="runs per task (default: adaptive)")
    p.add_argument("--device", default="cpu", metavar="{cpu,gpu}",
                   help="where the dynamics run: cpu (default) or gpu (CuPy, NVIDIA; one worker unless --workers)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: runs/sweeps/NAME)")
    p.add_argument("--resume", action="store_true", help="continue the sweep stored in DIR, skipping stored runs")
    p.add_argument("--retry-failed", action="store_true", help="with --resume, run failed runs again")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG figures")
    p.add_argument("--dry-run", action="store_true", help="print what would run, run nothing")
    p.add_argument("--list", action="store_true", help="list the shipped experiments")


def _vary(texts: list[str]) -> dict:
    out = {}
    for text in texts:
        if "=" not in text:
            raise ConfigError("--vary", f"takes key=values (for example wom.q=0.1:0.5:0.1); got {text!r}")
        key, value = text.split("=", 1)
        out[key.strip()] = config.parse_value(value)
    return out


def _list() -> int:
    from sim.experiments.spec import load_spec, shipped_experiments

    for name in shipped_experiments():
        spec = load_spec(name)
        first = (spec.title or spec.description.splitlines()[0]) if (spec.title or spec.description) else ""
        print(f"{name:<24} {spec.n_runs:>6} runs  {first}")
    return 0


def command(args) -> int:
    """Run ``bouche sweep``; returns the exit status."""
    if args.list:
        return _list()
    if not args.spec:
        raise ConfigError("sweep", "needs SPEC: a shipped experiment (see --list), a sweep .toml or a scenario")
    from sim.experiments.runner import SweepAborted, SweepTerminated, sweep
    from sim.experiments.spec import load_spec

    spec = load_spec(args.spec, vary=_vary(args.vary) or None, design=args.design, samples=args.samples,
                     replicates=args.replicates, seed=args.seed,
                     overrides=dict(config.parse_assignment(t) for t in args.sets) or None, streams=args.streams,
                     timeseries=args.timeseries, every=args.every, timeout=args.timeout, size=args.size)
    out = Path(args.out or f"runs/sweeps/{spec.name}")
    if args.dry_run:
        return _dry_run(spec, out)
    try:
        res = sweep(spec, workers=args.workers, scheduler=args.scheduler, out=out, resume=args.resume,
                    retry_failed=args.retry_failed, batch=args.batch, plots=not args.no_plots,
                    device=args.device)
    except SweepAborted as exc:
        print(f"bouche: sweep stopped: {exc}; {_kept(out)}", file=sys.stderr)
        return 1
    except SweepTerminated:
        print(f"bouche: sweep stopped by SIGTERM; {_kept(out)}", file=sys.stderr)
        return 128 + 15
    except KeyboardInterrupt:
        print(f"bouche: sweep interrupted; {_kept(out)}", file=sys.stderr)
        return 130
    from sim.experiments.progress import clock

    failed = res.failures
    print(f"{spec.name}: {spec.n_runs} runs ({res.new} run now, {res.stored} already stored) on {res.executor} "
          f"in {clock(res.wall_s)}; {len(failed)} failed")
    files = sorted(p.name for p in out.iterdir() if p.is_file() and not p.name.startswith("."))
    print(f"  wrote {out}/ ({', '.join(files)}, parts/)")
    if len(failed):
        print(f"bouche: {len(failed)} of {len(res.runs)} runs failed; the first:", file=sys.stderr)
        for _, row in failed.head(5).iterrows():
            point = ", ".join(f"{k}={row[k]!r}" for k in spec.varied)
            print(f"  {point}, replicate {row['replicate']}: {row['error']}", file=sys.stderr)
        print(f"  (status, error and traceback of every run: {out}/runs.parquet)", file=sys.stderr)
        return 1
    return 0


def _kept(out: Path) -> str:
    if (out / "spec.json").exists():
        return f"the runs done so far are stored in {out}/: continue with --resume"
    return "nothing was stored"


def _dry_run(spec, out: Path) -> int:
    d = spec.design
    extra = f", {d['samples']} samples" if "samples" in d else ""
    print(f"{spec.name}: scenario {spec.scenario.get('name')}, {d['kind']} design{extra} over "
          f"{', '.join(spec.varied)}")
    print(f"  {len(spec.unique_points)} design points x {spec.replicates} replicates = {spec.n_runs} runs; "
          f"root seed {spec.root_seed}, {spec.streams} streams")
    if out.exists() or out.is_symlink():
        from sim.experiments.store import Store

        store = Store(out)
        store.check(spec, resume=True)  # refused as the sweep itself would be: one line, exit 2
        if not (out / "spec.json").exists():
            return 0
        keys = {r["key"] for r in spec.iter_runs()}
        stored = sum(1 for k, s in store.stored(set_aside=False).items() if k in keys and s == "ok")
        print(f"  {out}/ holds {stored} of them (--resume runs the other {spec.n_runs - stored})")
    return 0
