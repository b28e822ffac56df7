"""What the app's views show, made without solara: JPEG frames of the network and the
adoption curve (or, for attention models, the audiences and their reach) and the text
of the summary panel.

The network view itself is :class:`sim.netplot.NetworkCanvas`; matplotlib and
Pillow are imported when a frame is first drawn.
"""

from __future__ import annotations

import numpy as np

from sim import rules
from sim.viz.classroom import ClassroomModel

__all__ = ["CurveCanvas", "curve_frame", "long_tail_rgba", "network_frame", "reach_rgba", "run_description",
           "summary_lines", "time_frames"]


class CurveCanvas:
    """Fast frames of the adoption curve split by channel (fixed axes, blitted areas).

    The x axis grows by half when the run passes its end, which redraws the background.
    """

    def __init__(self, n: int, max_steps: int, width_px: int = 560, height_px: int = 420):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Polygon

        from sim.figures.adoption import CHANNEL_COLOURS, CHANNEL_LABELS

        self.n, self.max_steps = n, max_steps
        self.fig = Figure(figsize=(width_px / 100, height_px / 100), dpi=100, facecolor="white")
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = ax = self.fig.add_axes((0.12, 0.13, 0.84, 0.77))
        ax.set(xlabel="step", ylabel="people who adopted (% of n)", ylim=(0, 100))
        ax.set_title("Adoption by channel (stacked)", fontsize=11)
        ax.grid(alpha=0.3)
        self.areas = {}
        for c in ("seed", "media", "wom"):
            self.areas[c] = Polygon(np.zeros((1, 2)), closed=True, facecolor=CHANNEL_COLOURS[c], alpha=0.85,
                                    edgecolor="none", label=CHANNEL_LABELS[c], animated=True)
            ax.add_patch(self.areas[c])
        ax.legend(loc="upper left", frameon=False, fontsize=9)
        self._xmax = None
        self._background = None

    def _set_xmax(self, last: int) -> None:
        want = max(10, min(self.max_steps, 30))
        while want < last:
            want = int(np.ceil(want * 1.5))
        if want != self._xmax:
            self._xmax = want
            self.ax.set_xlim(0, want)
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)

    def render(self, ts) -> np.ndarray:
        """Draw the time series ``ts`` (a model's ``timeseries()``); returns the RGBA pixels."""
        t = ts["step"].to_numpy(dtype=float)
        self._set_xmax(int(t[-1]) if len(t) else 0)
        self.canvas.restore_region(self._background)
        bottom = np.zeros(len(t))
        for c in ("seed", "media", "wom"):
            top = bottom + 100 * ts[f"new_by_{c}"].cumsum().to_numpy() / self.n
            xy = np.concatenate([np.c_[t, top], np.c_[t[::-1], bottom[::-1]]]) if len(t) else np.zeros((1, 2))
            self.areas[c].set_xy(xy)
            self.ax.draw_artist(self.areas[c])
            bottom = top
        return np.asarray(self.canvas.buffer_rgba())


_BROADCAST, _USER = "#e66101", "#2b83ba"  # the colours of sim.attention_plots


def _figure(width_px: int = 560, height_px: int = 420):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_px / 100, height_px / 100), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())


def long_tail_rgba(aud: dict, width_px: int = 560, height_px: int = 420) -> np.ndarray:
    """Rank-size picture of the audiences (:meth:`ClassroomModel.audiences`): the long tail."""
    fig = _figure(width_px, height_px)
    ax = fig.add_axes((0.14, 0.13, 0.82, 0.77))
    n, users = aud["n"], aud["users"]
    reached = users[users > 0]
    if reached.size:
        ax.step(np.arange(1, reached.size + 1), reached, where="post", color=_USER, lw=1.6,
                label=f"user channels: {reached.size:,} reached someone")
    for i, b in enumerate(aud["broadcast"]):
        ax.axhline(b, color=_BROADCAST, lw=2, label=f"broadcast: {int(b):,} people ({100 * b / n:.0f} %)" if i == 0
                   else None)
    ax.set(xscale="log", yscale="log", xlim=(0.8, max(users.size, 10) * 1.2), ylim=(0.8, n * 1.5),
           xlabel="user channels ranked by audience (1 = largest)", ylabel="people reached so far")
    ax.set_title("Audiences: a few large, a long tail of small ones", fontsize=11)
    ax.grid(True, which="major", alpha=0.3)
    if reached.size or aud["broadcast"].size:
        ax.legend(loc="lower left", frameon=False, fontsize=9)
    return _pixels(fig)


def reach_rgba(history: list, max_steps: int, width_px: int = 560, height_px: int = 420) -> np.ndarray:
    """Reach over time (% of people): broadcast against the largest and the median user channel."""
    fig = _figure(width_px, height_px)
    ax = fig.add_axes((0.12, 0.13, 0.84, 0.77))
    h = np.array(history, dtype=float).reshape(-1, 4)
    ax.plot(h[:, 0], 100 * h[:, 1], color=_BROADCAST, lw=2, label="broadcast channel")
    ax.plot(h[:, 0], 100 * h[:, 2], color=_USER, lw=2, label="largest user channel")
    ax.plot(h[:, 0], 100 * h[:, 3], color=_USER, lw=1.5, ls="--", label="median user channel")
    ax.set(xlim=(0, max(max_steps, 1)), ylim=(0, 100), xlabel="step", ylabel="people reached so far (% of n)")
    ax.set_title("Reach: one broadcast channel against the many", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False, fontsize=9)
    return _pixels(fig)


def _jpeg(rgba: np.ndarray) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgba[..., :3]).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def network_frame(model: ClassroomModel) -> tuple[bytes, str]:
    """The live network picture (JPEG) and what it leaves out. The layout and the
    background are made on the model's first frame and reused."""
    from sim.figures import network as netplot

    sim = model.sim
    lay = model.view("layout", lambda: netplot.cached_layout(sim, max_nodes=model.max_drawn))
    canvas = model.view("network", lambda: netplot.NetworkCanvas(lay, size_px=520))
    frame = _jpeg(canvas.render(netplot.state_codes(sim.state.channel)))
    model.drawn()
    return frame, lay.note or f"all {sim.n:,} people drawn"


def curve_frame(model: ClassroomModel) -> bytes:
    """The live adoption curve (JPEG)."""
    sim = model.sim
    canvas = model.view("curve", lambda: CurveCanvas(sim.n, int(sim.spec.get("run.steps"))))
    return _jpeg(canvas.render(sim.timeseries()))


def time_frames(model: ClassroomModel, steps: int = 30) -> dict:
    """Measure what one live step costs on the server: the model's step, then the
    network and curve frames (drawing and JPEG encoding), in seconds per step.

    The first frame (layout, background) is timed apart as ``first_frame``.
    """
    import time

    t0 = time.perf_counter()
    network_frame(model)
    curve_frame(model)
    first = time.perf_counter() - t0
    cost = {"step": 0.0, "network": 0.0, "curve": 0.0}
    done = 0
    for _ in range(steps):
        if not model.running:
            break
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        network_frame(model)
        t2 = time.perf_counter()
        curve_frame(model)
        t3 = time.perf_counter()
        cost["step"] += t1 - t0
        cost["network"] += t2 - t1
        cost["curve"] += t3 - t2
        done += 1
    out = {k: v / max(done, 1) for k, v in cost.items()}
    out.update(first_frame=first, steps=done, fps=1.0 / max(sum(out[k] for k in ("step", "network", "curve")), 1e-9))
    return out


def run_description(model: ClassroomModel) -> str:
    """The parameters of the running model in one line (the sliders do not show their values).

    Examples
    --------
    >>> run_description(ClassroomModel("bandwagon", n=300)).split(" | ")  # doctest: +NORMALIZE_WHITESPACE
    ['erdos_renyi network of 300 people, 10.2 contacts on average', 'thresholds (φ = 0.35 ± 0.1)', 'no media',
     'seeds: random, 30', 'seed 1978']
    """
    v = model.spec.values
    if model.spec.model == "attention":
        a = model.spec.section("attention")
        return (f"{model.sim.n:,} people following {a['follows']} accounts each, {100 * a['producers']:g} % of "
                f"them publish | attention: {a['k']} items per step, homophily {a['homophily']:g} | broadcast wins "
                f"{100 * a['broadcast_share']:g} % of attention | seed {model.spec.seed}")
    sim = model.sim
    net = f"{v['network.kind']} network of {sim.n:,} people"
    if not sim.graph.complete:
        net += f", {float(np.mean(sim.graph.in_degree)):.1f} contacts on average"
    rule = rules.get(v["wom.rule"])
    detail = rule.detail(v)
    wom = rule.label + (f" ({detail})" if detail else "")
    media = "; ".join(f"{m['name']} p {m['p']:g}, reach {m['reach']:g}" for m in model.spec.media) or "no media"
    seeds = int(np.sum(np.asarray(sim.state.adopted_at) == 0))
    seeding = "no seeds" if v["seeding.strategy"] == "none" else f"seeds: {v['seeding.strategy']}, {seeds:,}"
    return f"{net} | {wom} | {media} | {seeding} | seed {model.spec.seed}"


def summary_lines(model: ClassroomModel) -> dict:
    """The numbers the summary panel shows (adoption models)."""
    sim = model.sim
    ts = sim.timeseries()
    adopters = int(ts["adopters"].iloc[-1])
    by = sim.state.by_channel()
    cost = float(ts["cost"].sum())
    return {"step": model.current_step, "adopters": adopters, "n": sim.n, "by_channel": by, "cost": cost,
            "cost_per_adopter": cost / adopters if adopters else None, "running": bool(sim.running)}
