"""Progress bars for long work: sweeps, comparisons, validation checks, scenario reports.

:func:`progress_bar` is :func:`tqdm.auto.tqdm`: a text bar on a terminal, a
widget in a Jupyter notebook. ``show=None`` (the default everywhere) draws it
in a notebook and on a terminal, not when the output goes to a file or a pipe
(tqdm's own rule); ``True`` and ``False`` force it. This module imports
nothing else from :mod:`sim`.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> with progress_bar(3, "demo", show=True, file=out) as bar:
...     bar.update(3)
>>> "3/3" in out.getvalue()
True
>>> with progress_bar(3, "quiet", show=None, file=io.StringIO()) as bar:  # not a terminal: no bar
...     bar.disable
True
"""

from __future__ import annotations

import math

__all__ = ["clock", "progress_bar"]


def progress_bar(total: int | None, label: str = "", show: bool | None = None, unit: str = "run", **kwargs):
    """A :func:`tqdm.auto.tqdm` bar over ``total`` units named ``label`` (see the module notes for ``show``)."""
    from tqdm.auto import tqdm

    # no monitor thread: a sweep's parent must stay single-threaded, so its workers can be forked with the
    # engine already imported (sim.experiments.executors)
    tqdm.monitor_interval = 0
    return tqdm(total=total, desc=label or None, unit=unit, disable=None if show is None else not show,
                dynamic_ncols=True, **kwargs)


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
