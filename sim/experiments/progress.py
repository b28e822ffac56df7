"""A sweep's progress bar: runs done out of the total, failures, elapsed time and ETA (tqdm).

:class:`Progress` counts runs that succeeded and failed on a
:func:`sim.progress.progress_bar`: a terminal bar, or a widget in a notebook;
off when the output is neither (a file, a pipe) unless asked for.

Examples
--------
>>> import io
>>> bar = Progress(10, label="demo", stream=io.StringIO(), enabled=True)
>>> bar.update(ok=4, failed=1)
>>> "5/10" in bar.line() and "1 failed" in bar.line()
True
>>> bar.close()
"""

from __future__ import annotations

from sim.progress import clock, progress_bar

__all__ = ["Progress", "clock"]


class Progress:
    """Runs done out of ``total``, failures, elapsed time and ETA; ``enabled=None``: tqdm's own rule."""

    def __init__(self, total: int, label: str = "", stream=None, enabled: bool | None = None):
        self.ok = self.failed = 0
        self.bar = progress_bar(total, label, show=enabled, **({"file": stream} if stream is not None else {}))

    def line(self) -> str:
        return str(self.bar)

    def update(self, ok: int = 0, failed: int = 0) -> None:
        self.ok += ok
        self.failed += failed
        if failed:
            self.bar.set_postfix_str(f"{self.failed} failed", refresh=False)
        self.bar.update(ok + failed)

    def close(self) -> None:
        self.bar.close()
