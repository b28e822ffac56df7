"""Where Bouche writes, and the one rule it follows there: never touch what is not ours.

**The overwrite policy**, the same for every command:

- An output *folder* (``bouche run``, ``compare``, ``validate``; ``--out``) may be
  new, empty, or an earlier output of the same kind that Bouche verifiably wrote:
  it holds our marker file :data:`MARKER`, whose content we check, and nothing
  that the marker does not list. Such a folder is replaced as a whole; anything
  else (a folder holding one file we did not write, a folder of another kind, a
  file, the current folder or one of its parents) is refused with one line, and
  nothing is written.
- A stored sweep (``bouche sweep --out``) is never replaced: it is resumed, or
  refused (see :mod:`sim.experiments.store`).
- An output *file* (``bouche animate --out pic.gif``) is never overwritten: a
  path that exists is refused.
- ``--out`` through a symbolic link writes where the link points and keeps the link.
- When an earlier folder is replaced, only the files its marker lists are
  deleted; if anything else appeared meanwhile, the old folder is kept beside
  the new one and a line says where.

A folder is assembled under a temporary name beside its destination and renamed
when complete, so a failed or interrupted command never leaves a folder that
looks finished; file-system errors (a read-only folder, a file in the path, a
full disk) become one line naming ``--out``.

Examples
--------
>>> import pathlib, tempfile
>>> out = pathlib.Path(tempfile.mkdtemp()) / "demo"
>>> with atomic_folder(out, kind="demo folder") as tmp:
...     _ = (tmp / "done.txt").write_text("ok")
>>> sorted(p.name for p in out.iterdir())
['.bouche.json', 'done.txt']
>>> read_marker(out)["files"]
['done.txt']
>>> _ = (out / "thesis.tex").write_text("precious")
>>> check_out(out, kind="demo folder")
Traceback (most recent call last):
...
sim.errors.ConfigError: --out must be a new folder, an empty one or an earlier demo folder ... (thesis.tex)
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import secrets
import shutil
import tempfile
from pathlib import Path

from sim.errors import ConfigError

__all__ = ["MARKER", "atomic_file", "atomic_folder", "check_new_file", "check_out", "fresh_folder", "fs_error",
           "owned_files", "read_marker", "write_marker"]

MARKER = ".bouche.json"  # written last into every folder Bouche owns
_MARKER_MAX_BYTES = 1 << 22  # a marker listing every file of a large validation report is far smaller
# errors that say the output path cannot be written (as opposed to a bug while writing)
_FS_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EEXIST,
              errno.EISDIR, errno.ENAMETOOLONG, errno.ELOOP, errno.EXDEV, errno.EBUSY, errno.EMLINK, errno.EIO,
              errno.EFBIG}


def read_marker(folder: str | Path) -> dict | None:
    """The marker of a folder Bouche wrote (``{"bouche": KIND, "files": [...], ...}``), or None.

    None for anything that is not a well-formed marker: missing, a link, not a
    regular file, too large, not JSON, or without a string ``bouche`` kind and a
    list of relative file names (``files`` may be null for folders that grow,
    such as a stored sweep).
    """
    path = Path(folder) / MARKER
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > _MARKER_MAX_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("bouche"), str):
        return None
    files = data.get("files")
    if files is not None and not (isinstance(files, list) and all(_is_relative(f) for f in files)):
        return None
    return data


def _is_relative(name) -> bool:
    return (isinstance(name, str) and name != "" and not name.startswith("/") and "\\" not in name
            and ".." not in name.split("/") and name != MARKER)


def write_marker(folder: str | Path, kind: str, files: list[str] | None = ()) -> Path:
    """Write the marker of ``folder``: its kind, and the files it holds (every file under it by default;
    None for a folder that grows, whose own code checks what it opens)."""
    from sim.version import __version__

    folder = Path(folder)
    listed = None if files is None else sorted(files) if files != () else sorted(owned_files(folder)[0])
    record = {"bouche": kind, "version": __version__, "files": listed}
    path = folder / MARKER
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return path


def owned_files(folder: Path) -> tuple[set[str], set[str]]:
    """``(files, folders)`` under ``folder`` as relative POSIX paths, the marker left out.

    Links are listed as files and never followed.
    """
    files, dirs = set(), set()

    def walk(path: Path, prefix: str) -> None:
        with os.scandir(path) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    dirs.add(rel)
                    walk(Path(entry.path), rel + "/")
                elif rel != MARKER:
                    files.add(rel)

    walk(folder, "")
    return files, dirs


def _parents(names) -> set[str]:
    out = set()
    for name in names:
        parts = name.split("/")[:-1]
        out.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return out


def _foreign(folder: Path, kind: str) -> str | None:
    """Why ``folder`` (an existing directory) may not be replaced by a ``kind``, or None if it may."""
    files, dirs = owned_files(folder)
    if not files and not dirs and not (folder / MARKER).exists():
        return None  # empty
    marker = read_marker(folder)
    if marker is not None and marker["bouche"] != kind:
        return f"which holds a {marker['bouche']}, not a {kind}"
    listed = set(marker["files"] or ()) if marker is not None else set()
    strange_dirs = dirs - _parents(listed)
    strangers = sorted({d + "/" for d in strange_dirs if not _parents([d]) & strange_dirs}
                       | {f for f in files - listed if not _parents([f]) & strange_dirs})
    shown = ", ".join(strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
    if marker is None:
        return f"which holds files bouche did not write ({shown or MARKER}) and no valid {MARKER} marker"
    if marker["files"] is None:
        return f"which holds a {kind} that grows (it is not replaced)"
    if strangers:
        return f"which holds files bouche did not write ({shown})"
    return None


def _resolve(out: str | Path) -> Path:
    """The real destination of ``out`` (through links), refusing the current folder and its parents."""
    out = Path(out)
    if str(out) == "" or out.name in ("", ".", ".."):
        raise ConfigError("--out", f"must name a new folder, not the current folder or a parent; got {str(out)!r}")
    if out.is_symlink() and not out.exists():
        raise ConfigError("--out", f"is a link to nothing; got {str(out)!r} (-> {os.readlink(out)!r})")
    real = Path(os.path.realpath(out))
    cwd = Path(os.path.realpath(os.getcwd()))
    if real == cwd or real in cwd.parents:
        raise ConfigError("--out", f"must not be the current folder or one of its parents; got {str(out)!r}")
    return real


def check_out(out: str | Path, kind: str, marker: str | None = None) -> Path:
    """The real path to write ``out`` at, if it is new, empty or an earlier ``kind`` we wrote; else ConfigError.

    ``marker`` is accepted for callers written before the marker file existed, and ignored.
    """
    real = _resolve(out)
    reason = None
    if real.exists() or real.is_symlink():
        if not real.is_dir():
            reason = "which is a file"
        else:
            try:
                reason = _foreign(real, kind)
            except OSError as exc:
                reason = f"which cannot be read ({exc.strerror})"
    if reason:
        raise ConfigError("--out", f"must be a new folder, an empty one or an earlier {kind} written by bouche; "
                                   f"got {str(out)!r}, {reason}")
    return real


def check_new_file(out: str | Path, key: str = "--out") -> Path:
    """``out`` as a Path if nothing exists there (output files are never overwritten); else ConfigError."""
    out = Path(out)
    if out.is_symlink() or out.exists():
        what = "a folder" if out.is_dir() else "a file"
        raise ConfigError(key, f"must be a new file (bouche never overwrites one); got {str(out)!r}, which is "
                               f"{what} already: choose another name or remove it")
    return out


def fs_error(exc: OSError, out, key: str = "--out") -> ConfigError | None:
    """A one-line ConfigError for a file-system error writing ``out`` (full disk, read-only, ...), or None."""
    if exc.errno not in _FS_ERRNOS:
        return None
    return ConfigError(key, f"could not be written: {exc.strerror or type(exc).__name__}; got {str(out)!r} "
                            f"(nothing was written)")


def _remove_listed(folder: Path, listed: list[str]) -> bool:
    """Delete the listed files and the marker, then the folders left empty; True if ``folder`` is gone."""
    for name in [*listed, MARKER]:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            (folder / name).unlink()
    for d in sorted(_parents(listed), key=lambda s: -s.count("/")):
        with contextlib.suppress(OSError):
            (folder / d).rmdir()
    try:
        folder.rmdir()
    except OSError:
        return False
    return True


def fresh_folder(parent: Path, prefix: str) -> Path:
    """A new empty folder in ``parent``, named ``prefix`` and random letters, made with the user's umask.

    :func:`tempfile.mkdtemp` makes folders only their owner may read (mode 0700), and the rename keeps
    that mode: a run folder would be closed to colleagues who read the user's other folders.
    """
    for _ in range(100):
        path = Path(parent) / f"{prefix}{secrets.token_hex(4)}"
        try:
            path.mkdir()  # mode 0777, less the umask
            return path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(parent))


@contextlib.contextmanager
def atomic_folder(out: str | Path, kind: str, marker: str | None = None):
    """Yield a temporary folder beside ``out``; on success it replaces ``out``, on error it is removed.

    The marker listing every file written is added last. ``marker`` is ignored
    (see :func:`check_out`).
    """
    shown = out
    real = check_out(out, kind)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        tmp = fresh_folder(real.parent, f".{real.name}.tmp-")
    except OSError as exc:
        raise (fs_error(exc, shown) or exc) from None
    try:
        yield tmp
        write_marker(tmp, kind)
        old = None
        if real.exists():
            old_marker = read_marker(real)
            check_out(out, kind)  # again: it may have changed while we worked
            if any(real.iterdir()):
                old = real.with_name(f".{real.name}.old-{os.getpid()}")
                real.rename(old)
            else:
                real.rmdir()
        tmp.rename(real)
        if old is not None and not _remove_listed(old, old_marker["files"]):
            logging.getLogger(__name__).warning("kept the earlier %s in %s (files appeared in it while this one "
                                                "was written)", kind, old)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)  # our own temporary folder (fresh_folder): nobody else writes in it
        if isinstance(exc, OSError) and fs_error(exc, shown) is not None:
            raise fs_error(exc, shown) from None
        raise


@contextlib.contextmanager
def atomic_file(out: str | Path, key: str = "--out"):
    """Yield a temporary path beside ``out`` (same suffix); on success it becomes ``out``, never overwriting.

    ``out`` must not exist (:func:`check_new_file`), and is checked again at the
    end: the finished file is hard-linked into place, which fails rather than
    replace a file that appeared meanwhile.
    """
    out = check_new_file(out, key)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp_dir = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise (fs_error(exc, out, key) or exc) from None
    tmp = tmp_dir / f"file{out.suffix.lower()}"
    try:
        yield tmp
        check_new_file(out, key)
        try:
            os.link(tmp, out)  # fails with EEXIST instead of overwriting
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                raise check_new_file(out, key) from None
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            os.rename(tmp, out)  # a file system without hard links: checked just above
    except OSError as exc:
        raise (fs_error(exc, out, key) or exc) from None
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
