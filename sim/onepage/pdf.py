"""A page printed to PDF by a headless Chromium (or Google Chrome) found on this machine.

The browser that shows the HTML page also prints it: the same layout, the
page's ``@media print`` rules (A4, figures and table rows kept whole), the
fonts of the system, and no Python dependency. The browser runs headless with
a throw-away profile (nothing of the user's browser is read or changed), is
given a time limit, and it and its child processes are ended with the command.
``BOUCHE_CHROMIUM`` names a browser to use instead of the first of
:data:`NAMES` on the PATH.

Examples
--------
>>> NAMES[0]
'chromium'
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from sim.errors import ConfigError

__all__ = ["NAMES", "NO_BROWSER", "browser", "require", "print_pdf", "TIMEOUT_S"]

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
NO_BROWSER = ("found no Chromium or Google Chrome to print it (apt-get install chromium, or set "
              "BOUCHE_CHROMIUM to a browser)")
TIMEOUT_S = 120


def browser() -> str | None:
    """The browser to print with: ``$BOUCHE_CHROMIUM``, else the first of :data:`NAMES` on the PATH; or None."""
    named = os.environ.get("BOUCHE_CHROMIUM")
    if named:
        return shutil.which(named) or (named if os.access(named, os.X_OK) and Path(named).is_file() else None)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require() -> str:
    """:func:`browser`, or ConfigError (one line) when there is none."""
    exe = browser()
    if exe is None:
        raise ConfigError("--pdf", f"needs a browser: {NO_BROWSER}; or use --no-pdf")
    return exe


def _arguments(exe: str, html: Path, pdf: Path, profile: str) -> list[str]:
    args = [exe, "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox
    return [*args, html.resolve().as_uri()]


def print_pdf(html: Path, pdf: Path, exe: str, timeout: float = TIMEOUT_S) -> Path:
    """Print ``html`` to ``pdf`` with the browser ``exe``; ConfigError (one line) when that fails."""
    html, pdf = Path(html), Path(pdf)
    with tempfile.TemporaryDirectory(prefix="bouche-chromium-") as profile:
        proc = subprocess.Popen(_arguments(exe, html, pdf.resolve(), profile), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ConfigError("--pdf", f"could not be printed: {Path(exe).name} did not finish in "
                                       f"{timeout:g} s") from None
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # the browser's own children too (its own session)
            proc.wait()
    ok = pdf.is_file() and pdf.stat().st_size > 0 and pdf.read_bytes()[:5] == b"%PDF-"
    if proc.returncode != 0 or not ok:
        lines = [x for x in log.decode("utf-8", "replace").splitlines() if x.strip()]
        why = lines[-1].strip()[:200] if lines else "no output"
        raise ConfigError("--pdf", f"could not be printed: {Path(exe).name} exited with status {proc.returncode} "
                                   f"({why})")
    return pdf
