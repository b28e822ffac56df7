"""The ``bouche`` command.

Subcommands: ``run`` a scenario and write a run folder, list the shipped
``scenarios``, ``show`` every parameter of a scenario with its default, meaning
and allowed range, print the ``schema`` of the scenario file; the others live
in their own modules (:data:`PLUGGED`). Bad input prints one line and exits
with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import textwrap
from pathlib import Path

from sim.errors import ConfigError
from sim.version import __version__

__all__ = ["main"]


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command's parser, with the arguments of ``command`` alone (of none when it is None).

    A plugged command's module, and what it imports, loads only when that command is named, which
    keeps ``bouche --help`` quick (tests/test_cli.py times it).
    """
    p = argparse.ArgumentParser(prog="bouche", description="Word of mouth against mass media on social graphs.")
    p.add_argument("--version", action="version", version=f"bouche {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    r = sub.add_parser("run", help="run a scenario and write a run folder")
    r.add_argument("scenario", help="a shipped scenario name (see `bouche scenarios`) or a .toml file")
    r.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter, e.g. --set wom.q=0.5 (repeatable; see `bouche show`)")
    r.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    r.add_argument("--steps", type=int, help="maximum number of steps (run.steps)")
    r.add_argument("--out", help="output folder (default: runs/SCENARIO)")
    r.add_argument("--no-plots", action="store_true", help="skip the PNG figures")
    r.add_argument("--adoptions", default="auto", choices=("auto", "parquet", "csv", "off"),
                   help="the adoptions table (who adopted when, by which channel, credited to whom) and its "
                        "diffusion trees: auto (default) writes adoptions.parquet for runs of at most 100,000 "
                        "people; parquet or csv always; off never")
    r.add_argument("--device", default="cpu", metavar="{cpu,gpu}",
                   help="where the dynamics run: cpu (default) or gpu (needs CuPy and an NVIDIA GPU)")

    sub.add_parser("scenarios", help="list the shipped scenarios")

    sub.add_parser("schema", help="print a JSON Schema of the scenario file (for editors and checks)")

    s = sub.add_parser("show", help="print every parameter of a scenario with its default and allowed range")
    s.add_argument("scenario", help="a shipped scenario name or a .toml file")
    s.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")

    for name, (module, help_text) in PLUGGED.items():
        plugged = sub.add_parser(name, help=help_text)
        if command == name:
            importlib.import_module(module).add_arguments(plugged)
    for name, parser in sub.choices.items():
        if name != "scenarios" and command == name:
            parser.add_argument("--rules", action="append", default=[], metavar="MODULE",
                                 help="import word-of-mouth rules of your own first: a module name or a .py file "
                                      "(repeatable; see docs/extending.md)")
    return p


# Commands that live in their own module: NAME -> (module, help). Each module
# provides add_arguments(parser) and command(args) -> exit status, and raises
# ConfigError for bad input.
PLUGGED: dict[str, tuple[str, str]] = {
    "compare": ("sim.compare", "run paired twins (with and without a change) and report the differences"),
    "sweep": ("sim.experiments.command", "run a parameter sweep (design x replicates), resumable, local or on Dask"),
    "validate": ("sim.validation", "reproduce published diffusion results and write a validation report"),
    "viz": ("sim.viz", "run a scenario live in the browser (Mesa SolaraViz app; needs the viz extra)"),
    "animate": ("sim.figures.animate", "animate a run (network beside the adoption curve) as a GIF or MP4"),
    "report": ("sim.onepage.command", "one self-contained page for the boss (HTML and PDF) from any output folder"),
    "fit": ("sim.fitting.command", "fit the Bass model (m, p, q) to an adoption series and forecast it"),
    "calibrate": ("sim.calibration.command", "fit a scenario's free parameters to an adoption series by simulation"),
    "optimize": ("sim.optimize.command", "split a budget between media and seeding for the most adopters"),
    "discover": ("sim.discovery.command", "scenario discovery on a stored sweep: PRIM boxes and feature scores"),
    "graph": ("sim.networks.command", "build a graph once into a .bgraph file that runs open by memory map"),
}


def _overrides(sets: list[str]) -> dict:
    from sim import config

    return dict(config.parse_assignment(text) for text in sets)


def _command_of(argv: list[str]) -> str | None:
    """The command ``argv`` names (its first word that is not an option), or None."""
    words = [a for a in argv if not a.startswith("-")]
    return words[0] if words else None


def cmd_run(args) -> int:
    from sim import config, outputs, runs

    overrides = _overrides(args.sets)
    if args.steps is not None:
        overrides["run.steps"] = args.steps
    if args.seed is not None and args.seed < 0:
        raise ConfigError("--seed", f"must be an integer >= 0; got {args.seed}")
    spec = config.load(args.scenario, overrides=overrides, seed=args.seed)
    if args.device != "cpu":
        from sim.backend import get_backend

        get_backend(args.device, key="--device")  # before any work: one line if no GPU is usable
    out = args.out or f"runs/{spec.name}"
    outputs.check_out(out, kind="run folder")  # before the run: a refusal should not cost its time
    result = runs.run(spec, device=args.device, adoptions={"auto": None, "off": False}.get(args.adoptions, True))
    runs.write_run(result, out, plots=not args.no_plots, adoptions="csv" if args.adoptions == "csv" else "parquet")
    runs.describe(result)
    from sim.reports import notes  # the analytic cascade window, the report's variants

    for line in notes(spec):
        print(f"  {line}")
    files = sorted(p.name for p in Path(out).iterdir() if not p.name.startswith("."))
    print(f"  wrote {out}/ ({', '.join(files)})")
    return 0


def first_sentence(text: str) -> str:
    """The first sentence of a description, its lines joined.

    Examples
    --------
    >>> first_sentence("What if we spend the budget on influencers\\ninstead of broadcast? Each world budget")
    'What if we spend the budget on influencers instead of broadcast?'
    """
    import re

    flat = " ".join(text.split())
    found = re.match(r"(.+?[.?!])(\s|$)", flat)
    return found.group(1) if found else flat


def cmd_scenarios(args) -> int:
    import shutil

    from sim import config

    width = max(60, shutil.get_terminal_size((100, 24)).columns)
    for name in config.shipped_scenarios():
        spec = config.load(name)
        lines = textwrap.wrap(first_sentence(spec.description), width - 23) or [""]
        print(f"{name:<22} {lines[0]}")
        for line in lines[1:]:
            print(f"{'':<22} {line}")
    return 0


def cmd_schema(args) -> int:
    """Print the JSON Schema of the scenario file (:mod:`sim.config.json_schema`)."""
    import json

    from sim.config.json_schema import scenario_schema

    print(json.dumps(scenario_schema(), indent=2))
    return 0


def cmd_show(args) -> int:
    from sim import config

    spec = config.load(args.scenario, overrides=_overrides(args.sets))
    print(f"{spec.name}  (seed {spec.seed}; from {spec.source})")
    if spec.description:
        print(textwrap.indent(spec.description, "  "))
    from sim.reports import notes  # the analytic cascade window, the report's variants

    for line in notes(spec):
        print(f"  {line}")
    print()
    rows = [(key, spec.values[key], param) for key, param in config.PARAMS.items()
            if config.applies(key, spec.model)]  # only what this scenario's model reads
    for i, m in enumerate(spec.media):
        prefix = f"media.{m['name']}." if len(spec.media) > 1 else "media."
        rows += [(prefix + key.split(".", 1)[1], m[key.split(".", 1)[1]], param)
                 for key, param in config.MEDIUM_PARAMS.items()]
    if not spec.media and config.applies("media", spec.model):
        rows.append(("media", "none", None))
    width = max(len(k) for k, _, _ in rows) + 2
    section = None
    for key, value, param in rows:
        head = key.split(".")[0]
        if head != section:
            section = head
            print(f"[{head}]")
        if param is None:
            print(f"  {key:<{width}}{'none':<14} (add one with --set media.p=... or a [[media]] table)")
            continue
        shown = _short(value)
        mark = "" if value == param.default or param.key == "media.name" else " *"
        note = f" (for {param.used_by})" if param.used_by else ""
        print(f"  {key:<{width}}{shown + mark:<14} {param.help}{note}")
        print(f"  {'':<{width}}{'':<14} allowed: {param.allowed()}; default {_short(param.default)}")
    print("\n* differs from the default")
    return 0


def _short(value) -> str:
    if isinstance(value, list) and len(value) > 6:
        return f"[{len(value)} values]"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Stderr(logging.StreamHandler):
    """Log records as ``bouche: message`` lines on the standard error of the moment (tests swap it): the
    library's warnings, and what a scenario's report is about to run (``sim.reports``, INFO)."""

    def __init__(self):
        super().__init__()
        self.setFormatter(logging.Formatter("bouche: %(message)s"))

    def filter(self, record) -> bool:
        return record.levelno >= logging.WARNING or record.name == "sim.reports"

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):  # StreamHandler sets it; the property reads the current one instead
        pass


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``bouche`` command; returns the exit status.

    While it runs, the library's warnings (logger ``sim``: a damaged stored part, a worker that died) and
    what a scenario's report runs are printed as ``bouche: ...`` lines on the standard error.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser(_command_of(argv)).parse_args(argv)
    handlers = {"run": cmd_run, "scenarios": cmd_scenarios, "schema": cmd_schema, "show": cmd_show}
    handler = handlers.get(args.command) or importlib.import_module(PLUGGED[args.command][0]).command
    log, shown = logging.getLogger("sim"), _Stderr()
    level = log.level
    log.setLevel(min(level or logging.WARNING, logging.INFO))  # INFO records reach the handler, which filters
    log.addHandler(shown)
    try:
        if getattr(args, "rules", None):
            from sim import rules

            rules.load_modules(args.rules, key="--rules")
        return handler(args)
    except ConfigError as exc:
        print(f"bouche: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bouche: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        log.removeHandler(shown)
        log.setLevel(level)


if __name__ == "__main__":
    sys.exit(main())
