"""Figures without pyplot: no backend switch, no global list of open figures.

Every figure Bouche draws is a :class:`matplotlib.figure.Figure` made here,
never through :mod:`matplotlib.pyplot`. So importing a module of Bouche, or
drawing with it, leaves matplotlib's backend as it was (a notebook's inline
backend stays inline), nothing waits in pyplot to be shown twice or closed,
and the figures work on servers without a display.

Figure functions return the Figure: a notebook shows it; :func:`save` writes it.
In IPython, the first figure made here teaches IPython to show Figure objects
as PNG pictures when nothing has yet (pyplot does the same when it is imported
in a notebook); a display of one's own (``%matplotlib svg``, ipympl) is left alone.

Examples
--------
>>> import matplotlib
>>> before = matplotlib.get_backend()
>>> fig, (left, right) = subplots(1, 2, figsize=(6, 3))
>>> _ = left.plot([0, 1], [0, 1])
>>> type(fig).__name__, matplotlib.get_backend() == before
('Figure', True)
>>> fig2, ax = target(None, figsize=(4, 3))
>>> target(ax)[0] is fig2
True
"""

from __future__ import annotations

import sys
from pathlib import Path

from matplotlib import colormaps
from matplotlib.figure import Figure

__all__ = ["colours", "figure", "pick", "save", "subplots", "target"]


def figure(**kwargs) -> Figure:
    """A new Figure (constrained layout unless ``layout`` says otherwise)."""
    kwargs.setdefault("layout", "constrained")
    kwargs.pop("constrained_layout", None)
    _teach_ipython()
    return Figure(**kwargs)


def subplots(nrows: int = 1, ncols: int = 1, *, figsize=None, gridspec_kw=None, **kwargs):
    """``(Figure, axes)`` as :func:`matplotlib.pyplot.subplots` gives them, on a Figure of its own."""
    layout = {k: kwargs.pop(k) for k in ("layout", "constrained_layout") if k in kwargs}
    fig = figure(figsize=figsize, **layout)
    return fig, fig.subplots(nrows, ncols, gridspec_kw=gridspec_kw, **kwargs)


def target(ax=None, n: int = 1, **kwargs):
    """``(Figure, axes)`` to draw ``n`` panels on: the ``ax`` given (one Axes, or a sequence of ``n``),
    or a new figure of ``n`` panels side by side (``kwargs`` go to :func:`subplots`)."""
    if ax is None:
        fig, axes = subplots(1, n, **kwargs)
        return fig, axes
    axes = list(ax) if isinstance(ax, (list, tuple)) or getattr(ax, "ndim", 0) else [ax]
    if len(axes) != n:
        raise ValueError(f"ax must be {'one Axes' if n == 1 else f'{n} Axes'} for this figure; got {len(axes)}")
    return axes[0].figure, (axes[0] if n == 1 else axes)


def save(fig: Figure, path, dpi: int = 110) -> Path:
    """Write ``fig`` to ``path`` (the format from its suffix); returns the path."""
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    return path


def pick(figures: dict, kind: str | None, ax=None):
    """The drawing function ``figures[kind]`` (the first one when ``kind`` is None) of a model whose figures
    draw their own panels (``ax`` must be None); one-line ConfigError for an unknown kind.

    Examples
    --------
    >>> pick({"a": len, "b": max}, None).__name__, pick({"a": len, "b": max}, "b").__name__
    ('len', 'max')
    >>> pick({"a": len}, "c")
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: kind must be one of a; got 'c'
    """
    from sim.errors import ConfigError

    if ax is not None:
        raise ConfigError("ax", "must be None: these figures lay out their own panels")
    if kind is None:
        return next(iter(figures.values()))
    if kind not in figures:
        raise ConfigError("kind", f"must be one of {', '.join(figures)}; got {kind!r}")
    return figures[kind]


def colours(name: str, values):
    """RGBA colours of the colormap ``name`` at ``values`` (in [0, 1]), as ``plt.cm.NAME(values)`` gives them."""
    return colormaps[name](values)


def _teach_ipython() -> None:
    """In IPython, show Figure objects as PNG when no display of Figures is set up yet (as pyplot's
    inline backend does once pyplot is imported); else nothing."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    if any(Figure in getattr(f, "type_printers", {}) for f in formatters.values()):
        return  # the user's own display (inline, svg, retina, ipympl) is in charge
    from IPython.core.pylabtools import print_figure

    formatters["image/png"].for_type(Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))
