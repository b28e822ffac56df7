"""Never lose a user's file: the overwrite policy of sim.outputs, tried as a hostile user would.

Every command that writes (run, compare, validate, animate) is pointed at
paths holding precious files: next to the output, inside it, behind a link,
at the current folder. Each refused case must leave every precious file as it
was, write nothing, and say one line; each accepted case must replace only our
own earlier output.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sim import cli, outputs
from sim.errors import ConfigError

PRECIOUS = "precious: the only copy of a thesis\n"
TINY = ["--set", "network.n=200", "--set", "run.steps=5", "--no-plots"]

# command -> (argv before --out, the kind of folder it writes)
COMMANDS = {
    "run": (["run", "bass", *TINY], "run folder"),
    "compare": (["compare", "bass", "--set", "wom.q=0.5", "--base", "network.n=200", "--steps", "5",
                 "--replicates", "2", "--no-plots"], "comparison folder"),
    "validate": (["validate", "--quick", "--check", "granovetter_riot"], "validation report"),
}


def bouche(argv, capsys):
    """Run the command in this process; (exit status, stderr)."""
    status = cli.main(argv)
    return status, capsys.readouterr().err


def snapshot(root: Path) -> dict:
    """Every file under ``root`` (links as their target text) -> content."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out


def plant(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(PRECIOUS)


def leftovers(parent: Path) -> list[str]:
    """Temporary or set-aside folders a command left beside its output."""
    return sorted(p.name for p in parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


# --- refused: a folder that is not ours -------------------------------------------------------------

def _their_marker_file(folder: Path, command: str) -> None:
    """The file that earlier versions took for 'an earlier output of ours'."""
    name = {"run": "config.json", "compare": "comparison.json", "validate": "validation.json"}[command]
    (folder / name).write_text("{}")


FOREIGN = {
    # the issue's own example: a project folder holding config.json next to a thesis
    "old marker file next to a thesis": lambda f, c: (_their_marker_file(f, c), plant(f, "thesis.tex", "src/a.py")),
    "one precious file": lambda f, c: plant(f, "thesis.tex"),
    "a hidden precious file": lambda f, c: plant(f, ".env"),
    "an empty sub-folder of the user": lambda f, c: (f / "keep").mkdir(),
    "our marker plus a planted file": lambda f, c: (outputs.write_marker(f, COMMANDS[c][1], files=[]),
                                                    plant(f, "thesis.tex")),
    "our marker of another kind": lambda f, c: outputs.write_marker(f, "sweep notes", files=[]),
    "a damaged marker": lambda f, c: ((f / outputs.MARKER).write_text('{"bouche": '), plant(f, "x.csv")),
    "a marker listing ../ paths": lambda f, c: ((f / outputs.MARKER).write_text(
        json.dumps({"bouche": COMMANDS[c][1], "files": ["../outside.txt"]})), plant(f, "y.txt")),
    "a marker that is a link": lambda f, c: (os.symlink("/etc/hostname", f / outputs.MARKER)),
    "a growing folder's marker (a sweep)": lambda f, c: outputs.write_marker(f, COMMANDS[c][1], files=None),
}


@pytest.mark.parametrize("case", list(FOREIGN))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_folder_that_is_not_ours_is_refused_and_untouched(tmp_path, capsys, monkeypatch, command, case):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "myapp"
    target.mkdir()
    plant(tmp_path, "next_to.txt")
    FOREIGN[case](target, command)
    before = snapshot(tmp_path)
    argv, _ = COMMANDS[command]
    status, err = bouche([*argv, "--out", "myapp"], capsys)
    assert status == 2, err
    assert err.startswith("bouche: error: --out must be") and err.count("\n") == 1, err
    assert "myapp" in err
    assert snapshot(tmp_path) == before  # nothing deleted, nothing written
    assert leftovers(tmp_path) == []


# --- accepted: new, empty, or our own earlier output --------------------------------------------------

@pytest.mark.parametrize("command", list(COMMANDS))
def test_our_own_earlier_output_is_replaced_and_nothing_else_moves(tmp_path, capsys, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    plant(tmp_path, "next_to.txt", "out.txt")  # a sibling whose name starts like the output's
    argv, kind = COMMANDS[command]
    assert bouche([*argv, "--out", "out"], capsys)[0] in (0, 1)  # validate: 1 if a check failed
    first = outputs.read_marker(tmp_path / "out")
    assert first["bouche"] == kind and first["files"]
    assert set(first["files"]) == outputs.owned_files(tmp_path / "out")[0]
    assert bouche([*argv, "--out", "out"], capsys)[0] in (0, 1)  # the second time replaces the first
    assert outputs.read_marker(tmp_path / "out")["files"] == first["files"]
    assert (tmp_path / "next_to.txt").read_text() == PRECIOUS
    assert (tmp_path / "out.txt").read_text() == PRECIOUS
    assert leftovers(tmp_path) == []


def test_an_empty_folder_is_used(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    assert bouche([*COMMANDS["run"][0], "--out", "empty"], capsys)[0] == 0
    assert (tmp_path / "empty" / "summary.json").is_file()


def test_a_run_into_another_kind_of_our_folders_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert bouche([*COMMANDS["compare"][0], "--out", "cmp"], capsys)[0] == 0
    before = snapshot(tmp_path)
    status, err = bouche([*COMMANDS["run"][0], "--out", "cmp"], capsys)
    assert status == 2 and "holds a comparison folder, not a run folder" in err
    assert snapshot(tmp_path) == before


def test_a_file_planted_inside_our_output_after_it_was_written_is_kept(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = COMMANDS["run"][0]
    assert bouche([*argv, "--out", "out"], capsys)[0] == 0
    plant(tmp_path / "out", "notes.md")
    before = snapshot(tmp_path)
    status, err = bouche([*argv, "--out", "out"], capsys)
    assert status == 2 and "holds files bouche did not write (notes.md)" in err
    assert snapshot(tmp_path) == before


# --- links, the current folder, files ---------------------------------------------------------------

def test_out_through_a_link_replaces_the_target_and_keeps_the_link(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = COMMANDS["run"][0]
    (tmp_path / "real").mkdir()
    os.symlink("real", tmp_path / "latest")
    assert bouche([*argv, "--out", "latest"], capsys)[0] == 0
    assert bouche([*argv, "--out", "latest", "--seed", "3"], capsys)[0] == 0
    assert (tmp_path / "latest").is_symlink() and os.readlink(tmp_path / "latest") == "real"
    assert json.loads((tmp_path / "real" / "config.json").read_text())["seed"] == 3
    assert leftovers(tmp_path) == []


def test_a_link_to_a_user_folder_or_to_nothing_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plant(tmp_path, "home/thesis.tex")
    os.symlink("home", tmp_path / "to_home")
    os.symlink("missing", tmp_path / "dangling")
    before = snapshot(tmp_path)
    for out in ("to_home", "dangling"):
        status, err = bouche([*COMMANDS["run"][0], "--out", out], capsys)
        assert status == 2 and err.startswith("bouche: error: --out") and err.count("\n") == 1, err
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("out", [".", "..", "./", "sub/..", "/"])
def test_the_current_folder_and_its_parents_are_refused(tmp_path, capsys, monkeypatch, out):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    plant(tmp_path, "sub/thesis.tex", "up.txt")
    before = snapshot(tmp_path)
    status, err = bouche([*COMMANDS["run"][0], "--out", out], capsys)
    assert status == 2 and err.startswith("bouche: error: --out must"), err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_file_at_out_or_in_its_path_is_refused(tmp_path, capsys, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    plant(tmp_path, "thesis.tex")
    before = snapshot(tmp_path)
    for out in ("thesis.tex", "thesis.tex/run"):
        status, err = bouche([*COMMANDS[command][0], "--out", out], capsys)
        assert status == 2 and err.startswith("bouche: error: --out") and err.count("\n") == 1, err
    assert snapshot(tmp_path) == before


# --- animations: files are never overwritten --------------------------------------------------------

ANIMATE = ["animate", "bass", "--set", "network.n=60", "--steps", "3", "--dpi", "20", "--fps", "2"]


def test_animate_refuses_an_existing_file_a_link_and_a_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plant(tmp_path, "pic.gif", "target.gif")
    os.symlink("target.gif", tmp_path / "link.gif")
    (tmp_path / "dir.gif").mkdir()
    before = snapshot(tmp_path)
    for out in ("pic.gif", "link.gif", "dir.gif"):
        status, err = bouche([*ANIMATE, "--out", out], capsys)
        assert status == 2 and "must be a new file" in err and err.count("\n") == 1, err
    assert snapshot(tmp_path) == before


def test_animate_writes_a_new_file_and_leaves_nothing_beside_it(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert bouche([*ANIMATE, "--out", "new/pic.gif"], capsys)[0] == 0
    assert (tmp_path / "new" / "pic.gif").read_bytes()[:3] == b"GIF"
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["pic.gif"]


def test_atomic_file_never_replaces_a_file_that_appears_meanwhile(tmp_path):
    out = tmp_path / "a.gif"
    with pytest.raises(ConfigError, match="must be a new file"):
        with outputs.atomic_file(out) as tmp:
            tmp.write_bytes(b"ours")
            out.write_text(PRECIOUS)  # someone else writes there while we work
    assert out.read_text() == PRECIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gif"]


# --- replacing: only the files our marker lists are deleted -----------------------------------------

def test_a_file_that_appears_in_the_old_folder_while_we_write_stops_the_replacement(tmp_path):
    out = tmp_path / "out"
    with outputs.atomic_folder(out, kind="run folder") as tmp:
        (tmp / "a.csv").write_text("1")
    with pytest.raises(ConfigError, match="late.txt"):  # checked again just before the rename
        with outputs.atomic_folder(out, kind="run folder") as tmp:
            (tmp / "a.csv").write_text("2")
            plant(out, "late.txt")  # a user's file lands in the earlier folder meanwhile
    assert (out / "a.csv").read_text() == "1" and (out / "late.txt").read_text() == PRECIOUS
    assert leftovers(tmp_path) == []


def test_remove_listed_deletes_only_the_listed_files(tmp_path):
    folder = tmp_path / "old"
    plant(folder, "a.csv", "figs/b.png", "late.txt")
    assert outputs._remove_listed(folder, ["a.csv", "figs/b.png"]) is False  # late.txt keeps the folder
    assert sorted(outputs.owned_files(folder)[0]) == ["late.txt"]


# --- file-system errors: one line, nothing half-written ---------------------------------------------

def _tmpfs(path: Path, options: str) -> bool:
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


@pytest.mark.parametrize("options,words", [("size=48k", "No space left on device"),
                                           ("ro", "Read-only file system")])
@pytest.mark.slow
def test_a_full_disk_or_a_read_only_folder_is_one_line_and_leaves_nothing(tmp_path, options, words):
    mnt = tmp_path / "mnt"
    if not _tmpfs(mnt, options):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        done = subprocess.run([sys.executable, "-m", "sim", "run", "bass", "--set", "network.n=3000",
                               "--out", str(mnt / "run")], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("bouche: error: --out could not be written: " + words), done.stderr
        assert done.stderr.count("\n") == 1
        assert list(mnt.iterdir()) == []
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


@pytest.mark.slow
def test_a_file_size_limit_mid_write_is_one_line_and_leaves_nothing(tmp_path):
    def limit():  # the run's files outgrow 20 kB: the write fails part-way, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    done = subprocess.run([sys.executable, "-m", "sim", "run", "bass", "--set", "network.n=2000", "--out", "run"],
                          capture_output=True, text=True, cwd=tmp_path, preexec_fn=limit)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("bouche: error: --out could not be written: File too large"), done.stderr
    assert list(tmp_path.iterdir()) == []


# -- run folders get the user's umask --------------------------------------------------------------------------------

@pytest.mark.parametrize("umask, mode", [(0o022, 0o755), (0o002, 0o775), (0o077, 0o700)])
def test_output_folders_get_the_users_umask(tmp_path, monkeypatch, umask, mode):
    monkeypatch.chdir(tmp_path)
    old = os.umask(umask)
    try:
        assert cli.main(["run", "bass", "--set", "network.n=200", "--no-plots", "--out", "run"]) == 0
        with outputs.atomic_folder(tmp_path / "other", kind="demo folder") as tmp:
            (tmp / "a.txt").write_text("x")
    finally:
        os.umask(old)
    assert (tmp_path / "run").stat().st_mode & 0o777 == mode
    assert (tmp_path / "other").stat().st_mode & 0o777 == mode
    assert (tmp_path / "run" / "summary.json").stat().st_mode & 0o777 == mode & 0o666
