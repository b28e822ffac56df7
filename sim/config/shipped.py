"""Shipped data files: the scenarios and experiments that come with the package, and reading TOML.

Installed, they live under ``sim/_shipped/``; in a source checkout, in the
repository's ``scenarios/`` and ``experiments/`` folders.
"""

from __future__ import annotations

import copy
import difflib
import functools
import os
import tomllib
from pathlib import Path

from sim.config.values import MAX_DEPTH, default_name, too_deep
from sim.errors import ConfigError

__all__ = ["anchor_paths", "shipped_dir", "shipped_files", "scenario_dir", "shipped_scenarios"]



@functools.lru_cache(maxsize=None)
def shipped_dir(kind: str) -> Path:
    """Folder of shipped data (``scenarios``, ``experiments``): in the installed package, or the source tree."""
    here = Path(__file__).resolve().parents[1]  # the sim package folder
    for candidate in (here / "_shipped" / kind, here.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the shipped {kind} folder is missing from this installation")


def shipped_files(kind: str) -> dict[str, Path]:
    """Map each shipped file's name (without .toml) of ``kind`` to its path."""
    folder = shipped_dir(kind)
    return dict(_toml_files(str(folder), folder.stat().st_mtime_ns))


@functools.lru_cache(maxsize=8)
def _toml_files(folder: str, mtime_ns: int) -> tuple:
    """(name, path) of the .toml files in ``folder``, listed again whenever the folder changes."""
    return tuple((p.stem, p) for p in sorted(Path(folder).glob("*.toml")))


def scenario_dir() -> Path:
    """Folder of the shipped scenario files."""
    return shipped_dir("scenarios")


def shipped_scenarios() -> dict[str, Path]:
    """Map each shipped scenario name to its TOML file."""
    return shipped_files("scenarios")


def _read_toml(source: str | Path) -> tuple[dict, str]:
    text = str(source)
    path = Path(text)
    shipped = shipped_scenarios()
    if text in shipped and not path.suffix:
        path = shipped[text]
    elif not path.suffix and not path.exists():
        near = difflib.get_close_matches(text, list(shipped), n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise ConfigError("scenario", f"must be a shipped scenario ({', '.join(shipped)}) or a .toml file; "
                                      f"got {text!r}{hint}")
    if not path.is_file():
        raise ConfigError("scenario", f"must be a shipped scenario or an existing .toml file; got {text!r} (not found)")
    raw = copy.deepcopy(_parse_toml(str(path.resolve()), path.stat().st_mtime_ns))
    raw.setdefault("name", default_name(path.stem))
    anchor_paths(raw, Path(os.path.abspath(path)).parent)
    return raw, str(path)


def anchor_paths(raw: dict, folder: Path) -> None:
    """Make each relative ``network.path`` of a scenario file (its own, its variants') start from ``folder``.

    A file names its graph relative to itself, as sweep files do, wherever
    ``bouche`` runs from; overrides given on the command line stay relative to
    the current folder.
    """
    variants = raw.get("variants")
    tables = [raw, *(variants.values() if isinstance(variants, dict) else ())]
    for table in tables:
        if not isinstance(table, dict):
            continue
        network = table.get("network")
        for holder, key in ((network, "path"), (table, "network.path")):
            if isinstance(holder, dict) and isinstance(holder.get(key), str) and holder[key] \
                    and not os.path.isabs(holder[key]):
                holder[key] = str(folder / holder[key])


@functools.lru_cache(maxsize=64)
def _parse_toml(path: str, mtime_ns: int) -> dict:
    """Parsed TOML, cached while the file is unchanged (callers get a deep copy)."""
    deep = ConfigError("scenario", f"file {path!r} nests tables or arrays more than {MAX_DEPTH} levels deep "
                                   f"(a scenario needs 5 at most)")
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("scenario", f"file {path!r} is not valid TOML: {exc}") from None
    except RecursionError:
        raise deep from None
    except OSError as exc:
        raise ConfigError("scenario", f"file {path!r} cannot be read ({exc.strerror or type(exc).__name__})") from None
    if too_deep(raw):
        raise deep
    return raw
