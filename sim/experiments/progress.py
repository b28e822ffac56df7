"""A small progress bar with an ETA, drawn on stderr only when stderr is a terminal.

Examples
--------
>>> import io
>>> bar = Progress(10, label="demo", stream=io.StringIO(), enabled=True)
>>> bar.update(ok=4, failed=1)
>>> "5/10 runs" in bar.line() and "1 failed" in bar.line()
True
>>> bar.close()
"""

from __future__ import annotations

import math
import sys
import time

__all__ = ["Progress", "clock"]


def clock(seconds: float) -> str:
    """``3725`` -> ``'1:02:05'``; ``65`` -> ``'1:05'``.

    Examples
    --------
    >>> clock(3725), clock(65), clock(float("nan"))
    ('1:02:05', '1:05', '?')
    """
    if math.isnan(seconds) or math.isinf(seconds):
        return "?"
    s = round(seconds)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Runs done out of ``total``, failures, elapsed time and ETA, redrawn at most 10 times a second."""

    def __init__(self, total: int, label: str = "", stream=None, enabled: bool | None = None, width: int = 28):
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.width = width
        self.ok = self.failed = 0
        self.start = time.monotonic()
        self._drawn = 0.0

    def line(self) -> str:
        done = self.ok + self.failed
        frac = done / self.total if self.total else 1.0
        filled = round(frac * self.width)
        elapsed = time.monotonic() - self.start
        eta = elapsed / done * (self.total - done) if done else float("nan")
        fail = f", {self.failed} failed" if self.failed else ""
        return (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} runs{fail}"
                f"  {clock(elapsed)} elapsed, ETA {clock(eta)}")

    def update(self, ok: int = 0, failed: int = 0) -> None:
        self.ok += ok
        self.failed += failed
        now = time.monotonic()
        if self.enabled and (now - self._drawn > 0.1 or self.ok + self.failed == self.total):
            self._drawn = now
            self.stream.write("\r" + self.line() + "\033[K")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + self.line() + "\033[K\n")
            self.stream.flush()
