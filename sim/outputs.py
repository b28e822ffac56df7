"""Output folders written atomically.

A folder is assembled under a temporary name beside its destination and renamed
when complete, so a failed or interrupted command never leaves a folder that
looks finished. An earlier folder of the same kind (recognised by its marker
file, e.g. ``config.json`` for a run) is replaced; any other non-empty folder
is refused with a one-line :class:`~sim.errors.ConfigError`.

Examples
--------
>>> import pathlib, tempfile
>>> out = pathlib.Path(tempfile.mkdtemp()) / "demo"
>>> with atomic_folder(out, marker="done.txt", kind="demo folder") as tmp:
...     _ = (tmp / "done.txt").write_text("ok")
>>> sorted(p.name for p in out.iterdir())
['done.txt']
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from sim.errors import ConfigError

__all__ = ["atomic_folder", "check_out"]


def check_out(out: str | Path, marker: str, kind: str) -> Path:
    """``out`` as a Path if it is new, empty or an earlier ``kind`` (holding ``marker``); else ConfigError."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / marker).exists())):
        raise ConfigError("--out", f"must be a new folder or an earlier {kind}; got {str(out)!r}, "
                                   f"which holds other files")
    return out


@contextlib.contextmanager
def atomic_folder(out: str | Path, marker: str, kind: str):
    """Yield a temporary folder beside ``out``; on success it replaces ``out``, on error it is removed."""
    out = check_out(out, marker, kind)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
