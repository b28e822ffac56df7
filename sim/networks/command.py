"""The command ``bouche graph``: build a graph once into a ``.bgraph`` file, describe it, verify it.

``bouche graph build [SCENARIO] --set network.kind=... --set network.n=... --out FILE``
builds the graph the scenario's ``network`` section describes, from the
stream a run of that scenario and seed draws it from (so a run on the file
is the run that builds it), and writes it (:mod:`sim.networks.store`). Runs
and sweeps then open it with ``--set network.kind=file --set
network.path=FILE``, by memory map. ``bouche graph info FILE`` prints its
header; ``bouche graph verify FILE`` rereads every byte against its hash.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sim.errors import ConfigError

__all__ = ["add_arguments", "command"]


def add_arguments(p) -> None:
    """Arguments of ``bouche graph``."""
    p.description = ("Build a scenario's graph once into a .bgraph file that runs and sweeps open by memory map "
                     "(--set network.kind=file --set network.path=FILE), or describe or verify such a file.")
    p.add_argument("action", choices=("build", "info", "verify"), help="build a file, print one's header, or "
                                                                        "reread one against its hash")
    p.add_argument("target", nargs="?", help="build: a scenario name or .toml file (default: bass, whose network "
                                             "the --set options change); info, verify: the .bgraph file")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override a network parameter, e.g. --set network.n=68000000")
    p.add_argument("--seed", type=int, help="root seed (default: the scenario's); network.seed fixes the graph alone")
    p.add_argument("--out", help="build: the new .bgraph file (never replaces a file)")


def command(args) -> int:
    """Run ``bouche graph``; bad input raises ConfigError (one line, exit status 2)."""
    from sim.networks import store
    from sim.networks.memory import format_bytes

    if args.action == "build":
        return _build(args)
    if not args.target:
        raise ConfigError("FILE", f"bouche graph {args.action} needs a .bgraph file; got none")
    if args.action == "info":
        head = store.header(args.target)
        arrays = ", ".join(f"{k} {v['dtype']}×{v['shape'][0]:,}" for k, v in head["arrays"].items())
        print(f"{args.target}: {head['n']:,} people, {head['n_edges']:,} "
              f"{'arcs' if head['directed'] else 'edges'}, {format_bytes(Path(args.target).stat().st_size)}")
        print(f"  arrays: {arrays}")
        print(f"  sha256 {head['sha256']}")
        built = head.get("built") or {}
        if built:
            print(f"  built from {built}")
        return 0
    t = time.perf_counter()
    sha = store.verify(args.target)
    print(f"{args.target}: intact (sha256 {sha}; reread in {time.perf_counter() - t:.1f} s)")
    return 0


def _build(args) -> int:
    from sim import config, networks
    from sim.cli import _overrides
    from sim.model import network_stream
    from sim.networks import store
    from sim.networks.memory import format_bytes
    from sim.version import __version__

    if not args.out:
        raise ConfigError("--out", "must name the new .bgraph file; got none")
    if args.seed is not None and args.seed < 0:
        raise ConfigError("--seed", f"must be an integer >= 0; got {args.seed}")
    sets = _overrides(args.sets)
    stray = sorted(k for k in sets if not k.startswith("network."))
    if stray:
        raise ConfigError(stray[0], "is not a network parameter; bouche graph build takes network.* only")
    spec = config.load(args.target or "bass", overrides=sets, seed=args.seed)
    section = spec.section("network")
    if section.get("kind") in ("complete", "file"):
        raise ConfigError("network.kind", f"must be a family that builds arrays (not complete or file); "
                                          f"got {section.get('kind')!r}")
    if os.path.lexists(args.out):  # before the build: a refusal should not cost its time
        raise ConfigError("--out", f"{args.out} exists; Bouche never replaces a file: choose a new name or remove it")
    t = time.perf_counter()
    g = networks.build(section, network_stream(spec))
    built_s = time.perf_counter() - t
    keep = _own_keys(section)
    sha = store.save(g, args.out, built={"network": keep, "seed": spec.seed, "scenario": spec.name,
                                         "bouche": __version__})
    print(f"{args.out}: {g.n:,} people, {g.n_edges:,} {'arcs' if g.directed else 'edges'}, "
          f"{format_bytes(Path(args.out).stat().st_size)}; built in {built_s:.1f} s, written in "
          f"{time.perf_counter() - t - built_s:.1f} s")
    print(f"  sha256 {sha}")
    print(f"  run on it: --set network.kind=file --set network.path={args.out}")
    return 0



def _own_keys(section: dict) -> dict:
    """The network parameters its kind reads (the others keep their defaults and say nothing)."""
    from sim.config.schema import PARAMS

    def used(key: str) -> bool:
        p = PARAMS.get(f"network.{key}")
        return p is None or not p.used_by or section["kind"] in [u.strip() for u in p.used_by.split(",")]

    return {k: v for k, v in section.items() if v is not None and used(k)}
