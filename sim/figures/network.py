"""Pictures of the network: fixed layouts and people coloured by state and channel.

A :class:`Layout` is computed once per network and then reused for every
frame: Mesa's own network drawing recomputes a spring layout each frame (about
3 s at 1,000 people), which rules out a live view. Layouts come from the
graph's shape and the run's seed:

* ring lattices and small worlds (``ring``, ``watts_strogatz``) sit on a
  circle in index order, so the rewired shortcuts show as chords;
* the complete graph has no edges worth drawing: people fill a disc
  (a sunflower pattern) and the note says so;
* every other graph gets a force-directed (Fruchterman-Reingold) layout,
  vectorised with numpy (:func:`spring_positions`; 0.2 s for 1,000 people,
  about 2 s for 3,000 on one core, where networkx's ``spring_layout`` takes
  5-9 s and 25-37 s), started from positions drawn from the ``layout`` stream
  of the run's seed, so the same seed gives the same picture.

Above :data:`MAX_DRAWN` people a uniform random sample is drawn (with the
links among the sampled people) and the layout's ``note`` says so.

People are coloured by their state: not yet adopted (light grey) or adopted,
by the channel credited with the adoption (seeded, mass media, word of mouth;
the colours of :mod:`sim.figures.adoption`). :class:`NetworkCanvas` renders frames fast
(the edges are drawn once; each frame redraws only the people), which the
browser app (:mod:`sim.viz`) and the animations (:mod:`sim.figures.animate`) use;
:func:`snapshot_figure` writes the end-of-run picture of ``bouche run``.

References
----------
Fruchterman, T. M. J. & Reingold, E. M. (1991). Graph drawing by
force-directed placement. Software: Practice and Experience 21(11), 1129-1164.

Examples
--------
>>> from sim.model import DiffusionModel
>>> m = DiffusionModel("bandwagon", overrides={"network.n": 300}).run()
>>> lay = model_layout(m)
>>> lay.method, len(lay.nodes), lay.xy.shape
('spring', 300, (300, 2))
>>> bool((lay.xy >= 0).all() and (lay.xy <= 1).all())
True
>>> png = NetworkCanvas(lay, size_px=200).png(m.state.channel)
>>> png[:4] == b"\\x89PNG"
True
"""

from __future__ import annotations

import io
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.figures.adoption import CHANNEL_COLOURS, CHANNEL_LABELS
from sim.networks import edges_sha256
from sim.population import CHANNELS
from sim.streams import Streams

__all__ = [
    "MAX_DRAWN", "MAX_EDGES", "SNAPSHOT_MAX_N", "STATE_COLOURS", "STATE_LABELS", "Layout", "spring_positions",
    "circle_positions", "sunflower_positions", "layout", "model_layout", "cached_layout", "state_codes",
    "node_colours", "state_counts", "legend_handles", "draw_network", "NetworkCanvas", "snapshot_figure",
    "wants_snapshot",
]

MAX_DRAWN = 3000  # people drawn at most; larger networks are sampled
MAX_EDGES = 20000  # links drawn at most; more are sampled
SNAPSHOT_MAX_N = 3000  # `bouche run` draws the network snapshot up to this many people

# State codes used for drawing: -1 not yet adopted, else the channel code (sim.population).
STATES = ("unaware",) + CHANNELS
STATE_COLOURS = {"unaware": "#d0d0d0", **CHANNEL_COLOURS}
STATE_LABELS = {"unaware": "not (yet) adopted", **CHANNEL_LABELS}
_RGBA = np.array([to_rgba(STATE_COLOURS[s]) for s in STATES])  # row 0 = unaware, row 1 + code = channel
EDGE_COLOUR = "#9a9a9a"


@dataclass(frozen=True)
class Layout:
    """Where each drawn person sits, computed once per network.

    Attributes
    ----------
    n : int
        People in the network.
    nodes : numpy.ndarray
        Indices of the people drawn (all of them, or a sorted random sample).
    xy : numpy.ndarray
        ``(len(nodes), 2)`` positions in the unit square.
    edges : numpy.ndarray
        ``(m, 2)`` links drawn, as positions into ``nodes``.
    method : str
        ``"spring"``, ``"circle"`` or ``"sunflower"``.
    note : str
        What the picture leaves out (a sample, links not drawn), or ``""``.
    """

    n: int
    nodes: np.ndarray
    xy: np.ndarray
    edges: np.ndarray
    method: str
    note: str = ""

    @property
    def sampled(self) -> bool:
        """Whether only a sample of the people is drawn."""
        return len(self.nodes) < self.n


def spring_positions(n: int, src: np.ndarray, dst: np.ndarray, rng: np.random.Generator,
                     iterations: int = 60, gravity: float = 1.0, block: int = 256) -> np.ndarray:
    """Force-directed positions (Fruchterman & Reingold 1991), vectorised.

    Every pair of people repels with force k^2/d and every link attracts with
    force d^2/k, k = 1/sqrt(n), and a weak pull towards the centre (``gravity``
    times the distance) keeps isolated people and small components close to the
    rest; each iteration moves a person at most by a temperature that cools
    linearly from 0.1 to 0. Repulsion is computed in
    blocks of ``block`` rows (O(n^2) work, O(block * n) memory).

    Parameters
    ----------
    n : int
        Number of people.
    src, dst : numpy.ndarray
        Endpoints of the links (each undirected link once).
    rng : numpy.random.Generator
        Draws the starting positions.
    iterations : int
        Number of cooling steps.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` positions rescaled into [0.02, 0.98]^2.

    Examples
    --------
    >>> xy = spring_positions(4, np.array([0, 1, 2]), np.array([1, 2, 3]), np.random.default_rng(0))
    >>> xy.shape, bool(np.linalg.norm(xy[0] - xy[1]) < np.linalg.norm(xy[0] - xy[3]))
    ((4, 2), True)
    """
    f32 = np.float32
    start = rng.random((n, 2))
    x, y = start[:, 0].astype(f32), start[:, 1].astype(f32)
    if n < 2:
        return _rescale(np.c_[x, y])
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    k2 = f32(1.0 / n)
    k = np.sqrt(k2)
    temp, cool = 0.1, 0.1 / (iterations + 1)
    gravity = f32(gravity)
    fx, fy = np.empty(n, f32), np.empty(n, f32)
    for _ in range(iterations):
        for s in range(0, n, block):
            dx = x[s:s + block, None] - x[None, :]
            dy = y[s:s + block, None] - y[None, :]
            w = dx * dx
            w += dy * dy
            np.maximum(w, f32(1e-6), out=w)
            np.divide(k2, w, out=w)
            dx *= w
            dy *= w
            fx[s:s + block] = dx.sum(axis=1)
            fy[s:s + block] = dy.sum(axis=1)
        if src.size:
            ex, ey = x[src] - x[dst], y[src] - y[dst]
            d = np.sqrt(ex * ex + ey * ey) / k
            ex *= d
            ey *= d
            fx -= np.bincount(src, ex, minlength=n).astype(f32)
            fx += np.bincount(dst, ex, minlength=n).astype(f32)
            fy -= np.bincount(src, ey, minlength=n).astype(f32)
            fy += np.bincount(dst, ey, minlength=n).astype(f32)
        fx -= gravity * (x - x.mean())  # keeps isolated people and small components near the rest
        fy -= gravity * (y - y.mean())
        length = np.maximum(np.sqrt(fx * fx + fy * fy), f32(1e-9))
        step = np.minimum(length, f32(temp)) / length
        x += fx * step
        y += fy * step
        temp -= cool
    return _rescale(np.c_[x, y].astype(np.float64))


def circle_positions(n: int) -> np.ndarray:
    """People on a circle in index order (ring lattices, small worlds).

    Above 300 people, consecutive people alternate between three close
    circles, so that neighbours on the ring stay side by side without hiding
    each other.

    Examples
    --------
    >>> circle_positions(4).round(2).tolist()
    [[0.98, 0.5], [0.5, 0.98], [0.02, 0.5], [0.5, 0.02]]
    """
    i = np.arange(n)
    a = 2 * np.pi * i / max(n, 1)
    r = 0.48 - (0.025 * (i % 3) if n > 300 else 0.0)
    return 0.5 + np.c_[r * np.cos(a), r * np.sin(a)]


def sunflower_positions(n: int) -> np.ndarray:
    """People evenly spread over a disc (Vogel's sunflower spiral), for graphs without drawn links.

    Examples
    --------
    >>> xy = sunflower_positions(500)
    >>> bool(np.hypot(*(xy - 0.5).T).max() <= 0.48 + 1e-12)
    True
    """
    i = np.arange(n) + 0.5
    r = 0.48 * np.sqrt(i / max(n, 1))
    a = i * np.pi * (3 - np.sqrt(5))
    return 0.5 + np.c_[r * np.cos(a), r * np.sin(a)]


def _rescale(xy: np.ndarray) -> np.ndarray:
    """Fit positions into [0.02, 0.98]^2, keeping the aspect ratio; the few
    farthest outliers (isolated people) are pulled onto the border."""
    if len(xy) > 100:
        lo, hi = np.percentile(xy, 0.5, axis=0), np.percentile(xy, 99.5, axis=0)
        pad = 0.05 * (hi - lo)
        xy = np.clip(xy, lo - pad, hi + pad)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = float(max((hi - lo).max(), 1e-12))
    centred = (xy - (lo + hi) / 2) / span  # keeps the aspect ratio
    return 0.5 + 0.96 * centred


def _undirected_edges(graph) -> tuple[np.ndarray, np.ndarray]:
    rows = np.repeat(np.arange(graph.n, dtype=np.int64), graph.out_degree)
    cols = graph.out_indices.astype(np.int64)
    a, b = np.minimum(rows, cols), np.maximum(rows, cols)
    key = np.unique(a[a != b] * graph.n + b[a != b])
    return key // graph.n, key % graph.n


def layout(graph, rng: np.random.Generator, kind: str | None = None, max_nodes: int = MAX_DRAWN,
           max_edges: int = MAX_EDGES) -> Layout:
    """A fixed layout of ``graph`` (a :class:`sim.networks.Graph`).

    Parameters
    ----------
    graph : sim.networks.Graph
        The network.
    rng : numpy.random.Generator
        Draws the sample (if any) and the starting positions.
    kind : str, optional
        The network kind (``network.kind``): ``ring`` and ``watts_strogatz`` go on a circle.
    max_nodes, max_edges : int
        Above these, a uniform random sample of people (and of their links) is drawn.

    Examples
    --------
    >>> from sim import networks
    >>> lay = layout(networks.ring(5000, 4), np.random.default_rng(1), kind="ring")
    >>> lay.method, len(lay.nodes), lay.note
    ('circle', 3000, 'a random sample of 3,000 of 5,000 people is drawn')
    """
    n = graph.n
    notes = []
    if n > max_nodes:
        nodes = np.sort(rng.choice(n, size=max_nodes, replace=False))
        notes.append(f"a random sample of {max_nodes:,} of {n:,} people is drawn")
    else:
        nodes = np.arange(n)
    m = len(nodes)
    if graph.complete:
        notes.append("everyone hears from everyone (complete graph): links not drawn")
        return Layout(n, nodes, sunflower_positions(m), np.zeros((0, 2), np.int64), "sunflower", "; ".join(notes))
    src, dst = _undirected_edges(graph)
    if m < n:  # keep the links among the sampled people, renumbered
        where = np.full(n, -1, dtype=np.int64)
        where[nodes] = np.arange(m)
        src, dst = where[src], where[dst]
        keep = (src >= 0) & (dst >= 0)
        src, dst = src[keep], dst[keep]
    if kind in ("ring", "watts_strogatz"):
        xy, method = circle_positions(m), "circle"
        if m < n:
            xy = circle_positions(n)[nodes]
    else:
        xy, method = spring_positions(m, src, dst, rng), "spring"
    if len(src) > max_edges:
        pick = np.sort(rng.choice(len(src), size=max_edges, replace=False))
        notes.append(f"{max_edges:,} of {len(src):,} links drawn")
        src, dst = src[pick], dst[pick]
    return Layout(n, nodes, xy, np.c_[src, dst].astype(np.int64), method, "; ".join(notes))


def model_layout(model, max_nodes: int = MAX_DRAWN) -> Layout:
    """The layout of a model's network, drawn from the ``layout`` stream of its seed.

    The model's own streams are left untouched (the layout is not part of the run).
    """
    rng = Streams(model.streams.seed).get("layout")
    kind = model.spec.values.get("network.kind") if hasattr(model.spec, "values") else None
    return layout(model.graph, rng, kind=kind, max_nodes=max_nodes)


_CACHE: OrderedDict = OrderedDict()


def cached_layout(model, max_nodes: int = MAX_DRAWN, size: int = 8) -> Layout:
    """:func:`model_layout`, remembered per network (its parameters, seed and edges), so that
    rebuilding the same network (a reset) reuses the layout, and another graph given under the
    same parameters (``network.kind = graph``) does not."""
    spec = model.spec
    net = tuple(sorted((k, repr(v)) for k, v in spec.values.items() if k.startswith("network.")))
    key = (net, spec.seed, spec.model, max_nodes, edges_sha256(model.graph))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    lay = model_layout(model, max_nodes)
    _CACHE[key] = lay
    while len(_CACHE) > size:
        _CACHE.popitem(last=False)
    return lay


def state_codes(channel: np.ndarray, adopted_at: np.ndarray | None = None, step: int | None = None) -> np.ndarray:
    """Drawing state of each person: -1 not adopted, else the channel code.

    With ``adopted_at`` and ``step``, the state as it was at the end of ``step``
    (a finished run replayed frame by frame).

    Examples
    --------
    >>> state_codes(np.array([-1, 2, 1]), np.array([-1, 4, 1]), step=2).tolist()
    [-1, -1, 1]
    """
    codes = np.asarray(channel, dtype=np.int8)
    if adopted_at is not None and step is not None:
        codes = np.where((adopted_at >= 0) & (adopted_at <= step), codes, -1).astype(np.int8)
    return codes


def node_colours(codes: np.ndarray) -> np.ndarray:
    """RGBA colours (``(k, 4)`` floats) for drawing states ``codes``."""
    return _RGBA[np.asarray(codes, dtype=np.int64) + 1]


def state_counts(codes: np.ndarray) -> dict[str, int]:
    """People in each drawing state (``unaware``, ``seed``, ``media``, ``wom``)."""
    c = np.bincount(np.asarray(codes, dtype=np.int64) + 1, minlength=len(STATES))
    return {s: int(v) for s, v in zip(STATES, c)}


def legend_handles(counts: dict[str, int] | None = None, n: int | None = None) -> list[Line2D]:
    """Legend entries for the states, optionally with counts (and shares of ``n``)."""
    out = []
    for s in STATES:
        label = STATE_LABELS[s]
        if counts is not None:
            label += f": {counts[s]:,}" + (f" ({100 * counts[s] / n:.0f} %)" if n else "")
        out.append(Line2D([], [], ls="", marker="o", ms=8, mfc=STATE_COLOURS[s], mec="#555555", mew=0.4,
                          label=label))
    return out


def _node_size(m: int, size_px: float) -> float:
    """Marker area (points^2) so that m markers fill a fair share of a size_px square."""
    side_pt = size_px * 72 / 100
    return float(np.clip(0.2 * side_pt * side_pt / max(m, 1), 2.0, 80.0))


def draw_network(ax, lay: Layout, codes: np.ndarray, size_px: float | None = None, animated: bool = False):
    """Draw a layout on matplotlib axes, people coloured by drawing state.

    ``codes`` holds the state of every person in the network (``state_codes``);
    only ``lay.nodes`` are drawn. Returns ``(links, people)``: the
    :class:`~matplotlib.collections.LineCollection` and the scatter collection.
    """
    if size_px is None:
        w, h = ax.figure.get_size_inches() * ax.figure.dpi
        size_px = min(w * ax.get_position().width, h * ax.get_position().height)
    m = len(lay.nodes)
    lw = float(np.clip(30 / np.sqrt(max(len(lay.edges), 1)), 0.2, 1.0))
    alpha = float(np.clip(15 / np.sqrt(max(len(lay.edges), 1)), 0.05, 0.5))
    links = LineCollection(lay.xy[lay.edges] if len(lay.edges) else np.zeros((0, 2, 2)), colors=EDGE_COLOUR,
                           linewidths=lw, alpha=alpha, zorder=1)
    ax.add_collection(links)
    people = ax.scatter(lay.xy[:, 0], lay.xy[:, 1], s=_node_size(m, size_px),
                        c=node_colours(np.asarray(codes)[lay.nodes]), linewidths=0.3 if m <= 300 else 0,
                        edgecolors="#666666", zorder=2, animated=animated)
    ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal")
    ax.set_axis_off()
    return links, people


class NetworkCanvas:
    """Fast PNG frames of a fixed layout: links drawn once, people redrawn per frame.

    Parameters
    ----------
    lay : Layout
        The fixed layout.
    size_px : int
        Width of the square picture in pixels (a legend strip is added below).
    legend : bool
        Draw the state legend under the network.

    Notes
    -----
    The background (links, legend) is rendered once with matplotlib's Agg
    canvas and kept as a pixel buffer; each frame restores it, sets the
    people's colours and draws only them (blitting), then encodes the buffer
    as PNG with the fastest zlib level.
    """

    def __init__(self, lay: Layout, size_px: int = 560, legend: bool = True):
        self.layout = lay
        strip = 0.09 if legend else 0.0
        dpi = 100
        self.fig = Figure(figsize=(size_px / dpi, size_px * (1 + strip) / dpi), dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes((0.0, strip / (1 + strip), 1.0, 1 / (1 + strip)))
        codes = np.full(lay.n, -1, dtype=np.int8)
        self.links, self.people = draw_network(self.ax, lay, codes, size_px=size_px, animated=True)
        if legend:
            self.fig.legend(handles=legend_handles(), loc="lower center", ncol=4, frameon=False, fontsize=10,
                            handletextpad=0.2, columnspacing=1.0, bbox_to_anchor=(0.5, 0.0))
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)

    def render(self, codes: np.ndarray) -> np.ndarray:
        """Draw the people in states ``codes`` (one per person in the network); returns the RGBA pixels."""
        self.canvas.restore_region(self._background)
        self.people.set_facecolor(node_colours(np.asarray(codes)[self.layout.nodes]))
        self.ax.draw_artist(self.people)
        return np.asarray(self.canvas.buffer_rgba())

    def png(self, codes: np.ndarray) -> bytes:
        """One frame as PNG bytes."""
        from PIL import Image

        rgba = self.render(codes)
        buf = io.BytesIO()
        Image.fromarray(rgba[..., :3]).save(buf, format="PNG", compress_level=1)
        return buf.getvalue()


def wants_snapshot(model) -> bool:
    """Whether ``bouche run`` draws a network snapshot for this model: an adoption model
    (state by channel) on an explicit network of at most :data:`SNAPSHOT_MAX_N` people."""
    graph = getattr(model, "graph", None)
    state = getattr(model, "state", None)
    return (graph is not None and state is not None and hasattr(state, "channel") and not graph.complete
            and 0 < graph.n <= SNAPSHOT_MAX_N)


def snapshot_figure(result, path=None, ax=None):
    """The network at the end of a run: people coloured by state, with a legend and counts.

    Returns the matplotlib Figure (drawn on ``ax`` when one is given, else on a figure of its own);
    given a ``path``, writes it there too.
    """
    from sim.figures.adoption import subtitle
    from sim.figures.canvas import save

    model = result.model
    lay = cached_layout(model)
    codes = state_codes(model.state.channel)
    counts = state_counts(codes)
    if ax is None:
        fig = Figure(figsize=(7.2, 7.9), dpi=110, facecolor="white")
        FigureCanvasAgg(fig)
        target = fig.add_axes((0.02, 0.1, 0.96, 0.78))
        fig.legend(handles=legend_handles(counts, model.n), loc="lower center", ncol=2, frameon=False, fontsize=9)
        spec = model.spec
        steps = result.summary.get("steps_run", getattr(model, "steps_run", None))
        lines = [f"{spec.heading} (seed {spec.seed}): the network after {steps} steps",
                 _wrap(subtitle(spec, model.n), 95)]
        if lay.note:
            lines.append(lay.note)
        fig.suptitle("\n".join(lines), fontsize=9, y=0.99, va="top")
    else:
        fig, target = ax.figure, ax
        ax.legend(handles=legend_handles(counts, model.n), loc="lower center", frameon=False, fontsize=8)
    draw_network(target, lay, codes)
    if path is not None:
        save(fig, path)
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))

