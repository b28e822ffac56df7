"""The classroom app: ``bouche viz SCENARIO`` runs a scenario live in the browser.

It is Mesa's SolaraViz app (the ``viz`` extra: ``pip install 'bouche[viz]'``)
around a :class:`ClassroomModel`, with

* sliders and selectors for the scenario's key parameters (network kind and
  size, contacts per person, the medium's p and reach, word of mouth q,
  threshold, count or beta, seeding strategy and share), Mesa's step / play /
  reset buttons and a random-seed box; a changed parameter takes effect at
  the next Reset, as in NetLogo's ``setup``;
* a live network view, people coloured by state and channel (not yet
  adopted, seeded, mass media, word of mouth), on a layout computed once per
  network (:mod:`sim.netplot`), drawn as a random sample above 3,000 people
  (the view says so);
* a live adoption curve split by channel, the running summary (adopters,
  cost, cost per adopter) and the scenario's own explanation;
* for the fragmentation scenario (``model = "attention"``), the audiences of
  the channels ranked by size (the long tail), live.

The module imports neither solara nor Mesa's visualisation until the app is
built, so ``bouche --help`` stays fast and works without the extra; without
it ``bouche viz`` prints one line and exits with status 2.

Parameters a teacher sets map onto scenario overrides (:func:`overrides_for`)
relative to the scenario as loaded, so the app's starting model is the
scenario itself, apart from its size: an adoption scenario starts at 1,000 people
(unless ``--set network.n=...`` says otherwise; other models keep the scenario's size).

Examples
--------
>>> from sim import config
>>> base = config.load("bandwagon")
>>> ctl = controls(base, start_n=1000)
>>> ctl["n"]["value"], ctl["seeding_percent"]["value"], "q" in ctl, ctl["threshold"]["value"]
(1000, 10.0, False, 0.35)
>>> overrides_for(base, n=1000, degree=10, threshold=0.35, seeding_strategy="random", seeding_percent=10.0)
{'network.n': 1000}
>>> m = ClassroomModel("bandwagon", n=400, seeding_percent=12.0)
>>> m.sim.n, m.sim.state.n_adopted
(400, 48)
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import sys
import threading
import time

import mesa
import numpy as np

from sim import config
from sim.errors import ConfigError

__all__ = ["ClassroomModel", "controls", "overrides_for", "make_page", "NEEDS_EXTRA", "START_N", "add_arguments",
           "command"]

NEEDS_EXTRA = "bouche viz needs the viz extra: pip install 'bouche[viz]'"
START_N = 1000  # the app starts with at most this many people
_ENV = "BOUCHE_VIZ_APP"  # set by `bouche viz` for its own server process: the app's settings (JSON)
_KINDS = ("erdos_renyi", "watts_strogatz", "barabasi_albert", "stochastic_block", "ring", "complete")
_STRATEGIES = ("none", "random", "top_degree", "friend_of_random")


# ---------------------------------------------------------------------------
# parameters: what the sliders show and how they map onto the scenario


def _degree(base) -> int:
    """Contacts per person implied by the scenario's network parameters."""
    v = base.values
    kind = v["network.kind"]
    if kind == "erdos_renyi":
        return max(1, int(round(v["network.mean_degree"])))
    if kind in ("ring", "watts_strogatz"):
        return int(v["network.k"])
    if kind == "barabasi_albert":
        return 2 * int(v["network.m"])
    if kind == "stochastic_block":
        sizes = _sizes(base, v["network.n"])
        s, n = sizes[0], sum(sizes)
        return max(1, int(round(v["network.p_in"] * (s - 1) + v["network.p_out"] * (n - s))))
    return 10


def _sizes(base, n: int) -> list[int]:
    sizes = base.values["network.sizes"]
    if sizes and sum(sizes) == n:
        return list(sizes)
    c = max(1, min(int(base.values["network.communities"]), n))
    return [n // c + (1 if i < n % c else 0) for i in range(c)]


def _medium_prefix(base) -> str | None:
    if not base.media:
        return None
    return "media." if len(base.media) == 1 else f"media.{base.media[0]['name']}."


def _seed_percent(base) -> float:
    s = base.section("seeding")
    if s["strategy"] == "none":
        return 0.0
    if s["fraction"] is not None:
        return round(100 * s["fraction"], 2)
    n = base.values["network.n"]
    return round(100 * (s["count"] or 0) / max(n, 1), 2)


def _step(value: float, default: float) -> float:
    """A slider step on whose grid ``value`` lies (a browser slider snaps its value to the grid).

    Examples
    --------
    >>> _step(0.38, 0.01), _step(0.003, 0.005), _step(0.0375, 0.01)
    (0.01, 0.001, 0.0001)
    """
    if value is None or isinstance(value, list):
        return default
    for decimals in range(0, 7):
        if abs(round(value, decimals) - value) < 1e-12:
            return min(default, 10.0 ** -decimals)
    return min(default, 1e-6)


def controls(base, start_n: int | None = None) -> dict[str, dict]:
    """Mesa ``model_params`` entries (sliders, selectors) for the key parameters of ``base``.

    Keys are :class:`ClassroomModel` keyword arguments; each value is a dict
    with ``type``, ``value``, ``label`` and a range or choices. Parameters the
    scenario does not use (a word-of-mouth rule's other knobs) are left out.
    """
    v = base.values
    out: dict[str, dict] = {}
    model = base.model
    if model in ("adoption", "platform"):
        if v["network.kind"] != "file":
            kinds = _KINDS if v["network.kind"] in _KINDS else (*_KINDS, v["network.kind"])
            out["network_kind"] = {"type": "Select", "value": v["network.kind"], "values": list(kinds),
                                   "label": "network"}
            n = v["network.n"] if start_n is None else start_n
            out["n"] = {"type": "SliderInt", "value": n, "min": 50, "max": max(20000, n), "step": 50,
                        "label": "people (n)"}
            out["degree"] = {"type": "SliderInt", "value": _degree(base), "min": 2, "max": 40, "step": 2,
                             "label": "contacts per person"}
        m = base.media[0] if base.media else None
        label = m["name"] if m else "media"
        out["media_p"] = {"type": "SliderFloat", "value": m["p"] if m else 0.0, "min": 0.0, "max": 0.2,
                          "step": _step(m["p"] if m else 0.0, 0.005), "label": f"{label} p, per contact"}
        out["media_reach"] = {"type": "SliderFloat", "value": m["reach"] if m else 1.0, "min": 0.0, "max": 1.0,
                              "step": _step(m["reach"] if m else 1.0, 0.05), "label": f"{label} reach, per step"}
        rule = v["wom.rule"]
        if rule == "bass":
            out["q"] = {"type": "SliderFloat", "value": v["wom.q"], "min": 0.0, "max": max(1.0, v["wom.q"]),
                        "step": _step(v["wom.q"], 0.01), "label": "word of mouth q"}
        elif rule == "threshold" and not isinstance(v["wom.threshold"], list):
            out["threshold"] = {"type": "SliderFloat", "value": v["wom.threshold"], "min": 0.0, "max": 1.0,
                                "step": _step(v["wom.threshold"], 0.01), "label": "threshold (share)"}
            out["threshold_sd"] = {"type": "SliderFloat", "value": v["wom.threshold_sd"], "min": 0.0,
                                   "max": 0.3, "step": _step(v["wom.threshold_sd"], 0.01),
                                   "label": "threshold spread (sd)"}
        elif rule == "complex" and not isinstance(v["wom.count"], list):
            out["count"] = {"type": "SliderInt", "value": v["wom.count"], "min": 1, "max": 10, "step": 1,
                            "label": "contacts needed (count)"}
        elif rule == "cascade":
            out["beta"] = {"type": "SliderFloat", "value": v["wom.beta"], "min": 0.0, "max": 0.5,
                           "step": _step(v["wom.beta"], 0.01), "label": "cascade beta"}
        strategy = v["seeding.strategy"]
        strategies = _STRATEGIES if strategy in _STRATEGIES else (*_STRATEGIES, strategy)
        out["seeding_strategy"] = {"type": "Select", "value": strategy, "values": list(strategies),
                                   "label": "seeding: who adopts at step 0"}
        out["seeding_percent"] = {"type": "SliderFloat", "value": _seed_percent(base), "min": 0.0, "max": 50.0,
                                  "step": _step(_seed_percent(base), 0.5), "label": "seeds (% of people)"}
    elif model == "attention":
        a = base.section("attention")
        n = v["network.n"] if start_n is None else start_n
        out["n"] = {"type": "SliderInt", "value": n, "min": 200, "max": max(20000, n), "step": 100,
                    "label": "people (n)"}
        out["producers"] = {"type": "SliderFloat", "value": a["producers"], "min": 0.01, "max": 1.0,
                            "step": _step(a["producers"], 0.01), "label": "publishers (share)"}
        out["attention_k"] = {"type": "SliderInt", "value": a["k"], "min": 1, "max": 50, "step": 1,
                              "label": "attention k (items per step)"}
        out["homophily"] = {"type": "SliderFloat", "value": a["homophily"], "min": 0.0, "max": 1.0,
                            "step": _step(a["homophily"], 0.05), "label": "homophily"}
        out["broadcast_share"] = {"type": "SliderFloat", "value": a["broadcast_share"], "min": 0.0, "max": 0.95,
                                  "step": _step(a["broadcast_share"], 0.05), "label": "broadcast share"}
    return out


def overrides_for(base, **values) -> dict:
    """Scenario overrides that turn ``base`` into the model the controls describe.

    Only what differs from ``base`` is overridden, so the starting values
    reproduce the scenario exactly. ``values`` are :class:`ClassroomModel`
    keyword arguments (None = as the scenario says).

    Examples
    --------
    >>> from sim import config
    >>> base = config.load("bass")
    >>> overrides_for(base, network_kind="ring", n=500, degree=7, q=0.5)
    {'network.kind': 'ring', 'network.n': 500, 'network.k': 8, 'wom.q': 0.5}
    >>> overrides_for(base, media_p=0.0)
    {'media.p': 0.0}
    """
    v = base.values
    ov: dict = {}

    def given(name):
        return values.get(name) is not None

    if base.model == "attention":
        if given("n") and values["n"] != v["network.n"]:
            ov["network.n"] = int(values["n"])
        for name, key in (("producers", "attention.producers"), ("attention_k", "attention.k"),
                          ("homophily", "attention.homophily"), ("broadcast_share", "attention.broadcast_share")):
            if given(name) and values[name] != v[key]:
                ov[key] = values[name]
        return ov

    kind = values["network_kind"] if given("network_kind") else v["network.kind"]
    n = int(values["n"]) if given("n") else v["network.n"]
    if kind != v["network.kind"]:
        ov["network.kind"] = kind
    if n != v["network.n"]:
        ov["network.n"] = n
    degree = int(values["degree"]) if given("degree") else _degree(base)
    if kind != v["network.kind"] or degree != _degree(base) or (kind == "stochastic_block" and "network.n" in ov):
        if kind == "erdos_renyi":
            ov["network.mean_degree"] = float(min(degree, max(n - 1, 1)))
        elif kind in ("ring", "watts_strogatz"):
            ov["network.k"] = int(min(degree + degree % 2, max(2, n - 1 - (n - 1) % 2)))
        elif kind == "barabasi_albert":
            ov["network.m"] = int(max(1, min(round(degree / 2), n - 1)))
        elif kind == "stochastic_block":
            sizes = _sizes(base, n)
            s = sizes[0]
            ratio = v["network.p_out"] / v["network.p_in"] if v["network.p_in"] > 0 else 0.02
            p_in = min(1.0, degree / max((s - 1) + ratio * (n - s), 1e-9))
            ov.update({"network.sizes": sizes, "network.p_in": round(p_in, 6),
                       "network.p_out": round(min(1.0, ratio * p_in), 8)})
    if kind == "stochastic_block" and "network.sizes" not in ov and not v["network.sizes"]:
        ov["network.sizes"] = _sizes(base, n)

    prefix = _medium_prefix(base)
    if prefix is None:
        if given("media_p") and values["media_p"] > 0:
            ov["media.p"] = values["media_p"]
            ov["media.reach"] = values["media_reach"] if given("media_reach") else 1.0
    else:
        m = base.media[0]
        for name, key in (("media_p", "p"), ("media_reach", "reach")):
            if given(name) and values[name] != m[key]:
                ov[prefix + key] = values[name]

    for name, key in (("q", "wom.q"), ("threshold", "wom.threshold"), ("threshold_sd", "wom.threshold_sd"),
                      ("count", "wom.count"), ("beta", "wom.beta")):
        if given(name) and values[name] != v[key]:
            ov[key] = values[name]

    strategy = values["seeding_strategy"] if given("seeding_strategy") else v["seeding.strategy"]
    if (strategy == "none" and given("seeding_percent") and values["seeding_percent"] > 0
            and values["seeding_percent"] != _seed_percent(base)):
        strategy = "random"  # the teacher moved the seeds slider: seed people at random
    if strategy != v["seeding.strategy"]:
        ov["seeding.strategy"] = strategy
    if given("seeding_percent") and (values["seeding_percent"] != _seed_percent(base)
                                     or strategy != v["seeding.strategy"]):
        ov["seeding.fraction"] = float(values["seeding_percent"]) / 100
        ov["seeding.count"] = None
    return ov


# ---------------------------------------------------------------------------
# the model the app drives


class ClassroomModel(mesa.Model):
    """The model behind the browser app: a scenario's model plus what the views need.

    Mesa's app rebuilds the model at each Reset by calling this class with the
    current slider values, so every parameter is a keyword argument.

    Parameters
    ----------
    source : str
        Shipped scenario name or TOML path.
    fixed : tuple of (key, value) pairs
        Overrides given on the command line (``--set``); they define the base.
    seed : int or str, optional
        Root seed (default: the scenario's).
    network_kind, n, degree, media_p, media_reach, q, threshold, threshold_sd, count, beta, \
seeding_strategy, seeding_percent, producers, attention_k, homophily, broadcast_share
        Control values (see :func:`controls` and :func:`overrides_for`); None = as the scenario says.
    max_drawn : int
        People drawn at most in the network view.

    Attributes
    ----------
    sim : the scenario's model (a :class:`sim.model.DiffusionModel` or another model class)
    error : str or None
        Why the requested parameters were refused (the model then runs the base scenario).
    """

    def __init__(self, source: str = "bass", fixed: tuple = (), seed: int | str | None = None,
                 network_kind: str | None = None, n: int | None = None, degree: int | None = None,
                 media_p: float | None = None, media_reach: float | None = None, q: float | None = None,
                 threshold: float | None = None, threshold_sd: float | None = None, count: int | None = None,
                 beta: float | None = None, seeding_strategy: str | None = None,
                 seeding_percent: float | None = None, producers: float | None = None,
                 attention_k: int | None = None, homophily: float | None = None,
                 broadcast_share: float | None = None, max_drawn: int = 3000):
        from sim import runs

        base = config.load(source, overrides=dict(fixed))
        self.error = None
        try:
            root = base.seed if seed in (None, "") else _seed(seed)
            base = base.replace({}, seed=root)
            spec = base.replace(overrides_for(base, **{k: v for k, v in locals().items() if k in _CONTROL_NAMES}))
            inner = runs.model_class(spec.model)(spec)
        except ConfigError as exc:
            self.error = str(exc)
            spec = base
            inner = runs.model_class(spec.model)(spec)
        super().__init__(rng=spec.seed)
        self.sim = inner
        self.spec = spec  # not "scenario": reserved by Mesa 3.5
        self.max_drawn = int(max_drawn)
        self.running = bool(getattr(inner, "running", True))
        self._views: dict = {}
        self.reach_history: list[tuple[int, float, float, float]] = []  # attention models, see audiences()
        self._drawn_step = None  # the step the live view last drew (None: no live view)
        self._lag = 1  # steps the model may run ahead of the view
        self._render_context = None  # the app's render context (reacton), when drawn in the app

    def drawn(self) -> None:
        """Note that the live view has just drawn the current step (called while rendering)."""
        self._drawn_step = self.current_step
        if self._render_context is None:
            try:
                import reacton.core

                self._render_context = reacton.core.get_render_context(required=False)
            except Exception:  # not in an app, or another reacton
                self._render_context = False

    def _wait_for_view(self, timeout: float = 0.5) -> None:
        """Let the live view catch up before the next step.

        When the play interval is shorter than a frame, the thread that handled
        the click on play can keep the render lock, re-render in a loop as the
        stepping thread keeps asking for frames, and send nothing to the browser
        until the run ends. So a step waits until no render is in progress and
        the view has drawn the step before (at most ``timeout`` seconds); then
        the stepping thread renders each step itself. When frames come only every
        few steps (Mesa's render interval), the wait times out once and the
        allowed lag doubles.
        """
        if self._drawn_step is None:
            return
        deadline = time.monotonic() + timeout
        rc = self._render_context or None
        while (self.current_step - self._drawn_step >= self._lag
               or (rc is not None and getattr(rc, "_is_rendering", False))):
            if time.monotonic() > deadline:
                if self.current_step - self._drawn_step >= self._lag:
                    self._lag *= 2
                return
            time.sleep(0.002)

    def step(self) -> None:
        """Advance the scenario's model one step (nothing once it has stopped)."""
        self._wait_for_view()
        if self.sim.running:
            self.sim.step()
            if hasattr(self.sim, "measure"):
                self.audiences()
        self.running = bool(self.sim.running)

    def audiences(self) -> dict:
        """Attention models: the audiences (people reached) of the user channels ranked by size,
        the broadcast channels' reach, and the history of the largest and median reach (shares of n)."""
        m = self.sim.measure()
        n = self.sim.n
        users = np.sort(m["reach"][m["users"]])[::-1]
        broadcast = m["reach"][n:]
        t = self.current_step
        if not self.reach_history or self.reach_history[-1][0] != t:
            self.reach_history.append((t, float(broadcast.max()) / n if broadcast.size else 0.0,
                                       float(users[0]) / n if users.size else 0.0,
                                       float(np.median(users)) / n if users.size else 0.0))
        return {"users": users, "broadcast": broadcast, "n": n}

    @property
    def current_step(self) -> int:
        """Steps run so far."""
        return int(getattr(self.sim, "steps_run", 0))

    @property
    def adoption(self) -> bool:
        """Whether the model has people with an adoption state (network view, adoption curve)."""
        return hasattr(self.sim, "state") and hasattr(self.sim.state, "channel") and hasattr(self.sim, "graph")

    def view(self, name: str, make):
        """A drawing object kept for the model's lifetime (made on first use)."""
        if name not in self._views:
            self._views[name] = make()
        return self._views[name]


_CONTROL_NAMES = ("network_kind", "n", "degree", "media_p", "media_reach", "q", "threshold", "threshold_sd",
                  "count", "beta", "seeding_strategy", "seeding_percent", "producers", "attention_k", "homophily",
                  "broadcast_share")


def _seed(value) -> int:
    try:
        seed = int(str(value).strip())
    except ValueError:
        raise ConfigError("seed", f"must be an integer >= 0; got {value!r}") from None
    if seed < 0:
        raise ConfigError("seed", f"must be an integer >= 0; got {seed}")
    return seed


# ---------------------------------------------------------------------------
# drawing: the adoption curve (the network view is sim.netplot.NetworkCanvas)


class CurveCanvas:
    """Fast frames of the adoption curve split by channel (fixed axes, blitted areas).

    The x axis grows by half when the run passes its end, which redraws the background.
    """

    def __init__(self, n: int, max_steps: int, width_px: int = 560, height_px: int = 420):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Polygon

        from sim.plots import CHANNEL_COLOURS, CHANNEL_LABELS

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
    from sim import netplot

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
    ['erdos_renyi network of 300 people, 10.2 contacts on average', 'threshold 0.35 (sd 0.1)', 'no media',
     'seeds: random, 30', 'seed 1978']
    """
    v = model.spec.values
    if model.spec.model == "attention":
        a = model.spec.section("attention")
        return (f"{v['network.n']:,} people following {a['follows']} accounts each, {100 * a['producers']:g} % of "
                f"them publish | attention: {a['k']} items per step, homophily {a['homophily']:g} | broadcast wins "
                f"{100 * a['broadcast_share']:g} % of attention | seed {model.spec.seed}")
    sim = model.sim
    net = f"{v['network.kind']} network of {sim.n:,} people"
    if not sim.graph.complete:
        net += f", {float(np.mean(sim.graph.in_degree)):.1f} contacts on average"
    rule = v["wom.rule"]
    wom = {"bass": f"word of mouth q {v['wom.q']:g}",
           "threshold": (f"threshold {v['wom.threshold']:g} (sd {v['wom.threshold_sd']:g})"
                         if not isinstance(v["wom.threshold"], list) else "thresholds per person"),
           "complex": (f"contacts needed {v['wom.count']}" if not isinstance(v["wom.count"], list)
                       else "counts per person"),
           "cascade": f"cascade beta {v['wom.beta']:g}", "none": "no word of mouth"}[rule]
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


# ---------------------------------------------------------------------------
# the app


_CSS = """
.vue-grid-item > div { height: 100%; }
.bouche-view { height: 100%; overflow: hidden; }
.bouche-view > div:first-child { flex: 1 1 0; min-height: 0; }
img.bouche-fit { width: 100% !important; height: 100% !important; object-fit: contain; }
.bouche-text { height: 100%; overflow-y: auto; padding-right: 6px; }
.bouche-text p { margin-bottom: 0.5em; }
"""


def _html(text: str) -> str:
    import html

    return html.escape(text)


def make_page(source: str = "bass", fixed: tuple = (), seed: int | None = None, interval: int = 200,
              max_drawn: int = 3000):
    """Build the Solara page component of the app (needs the ``viz`` extra).

    Each browser session gets its own :class:`ClassroomModel`.
    """
    import solara
    from mesa.visualization import SolaraViz

    from sim.plots import CHANNEL_LABELS

    fixed = tuple(tuple(p) for p in fixed)
    base = config.load(source, overrides=dict(fixed), seed=seed)
    start_n = None
    if base.model == "adoption" and not any(k == "network.n" for k, _ in fixed):  # others keep their size
        start_n = min(base.values["network.n"], START_N)
    params = {"source": source, "fixed": fixed, "max_drawn": max_drawn,
              "seed": {"type": "InputText", "value": str(base.seed), "label": "random seed"}}
    params.update(controls(base, start_n=start_n))
    start = {k: (v["value"] if isinstance(v, dict) and "type" in v else v) for k, v in params.items()}
    ClassroomModel(**start)  # fail now, with the one-line error, rather than in the browser

    def picture(frame: bytes, css_class: str, note: str | None = None):
        with solara.Column(gap="0px", classes=["bouche-view"]) as col:
            solara.Image(frame, format="jpeg", classes=["bouche-fit", css_class])
            if note:
                solara.Text(note, style={"font-size": "0.85em", "color": "#555"}, classes=[css_class + "-note"])
        return col

    def network_view(model: ClassroomModel):
        if not model.adoption:
            return reach_view(model)
        frame, note = network_frame(model)
        return picture(frame, "bouche-network", f"Network: {note}.")

    def curve_view(model: ClassroomModel):
        if not model.adoption:
            return long_tail_view(model)
        return picture(curve_frame(model), "bouche-curve")

    def long_tail_view(model: ClassroomModel):
        frame = _jpeg(long_tail_rgba(model.audiences()))
        model.drawn()
        return picture(frame, "bouche-longtail",
                       "Each user channel is a person who publishes; its audience is everyone who saw "
                       "at least one of its items.")

    def reach_view(model: ClassroomModel):
        model.audiences()
        return picture(_jpeg(reach_rgba(model.reach_history, int(model.spec.get("run.steps")))), "bouche-reach")

    def attention_summary(model: ClassroomModel):
        s = model.sim.summary()
        solara.Text(f"Step {model.current_step}" + ("" if model.sim.running else " (finished)"),
                    style={"font-size": "1.3em"}, classes=["bouche-step"])
        solara.Text(f"Broadcast reached {100 * s['broadcast_reach']:.0f} % of people; the largest user channel "
                    f"{100 * s['largest_user_reach']:.1f} %, the median one {100 * s['median_user_reach']:.2f} %",
                    style={"font-size": "1.15em", "font-weight": "bold"}, classes=["bouche-reach-text"])
        solara.Text(f"{s['views']:,} views of {s['items_posted']:,} items by {s['producers']:,} producers; "
                    f"broadcast took {100 * s['broadcast_attention_share']:.0f} % of all attention; "
                    f"effective number of channels {s['effective_channels']:.1f}", classes=["bouche-views"])

    def summary_view(model: ClassroomModel):
        with solara.Column(gap="4px", classes=["bouche-text"]) as col:
            if model.error:
                solara.Error(f"Parameters refused, running the scenario as loaded: {model.error}")
            if not model.adoption and hasattr(model.sim, "measure"):
                attention_summary(model)
            if model.adoption:
                s = summary_lines(model)
                share = 100 * s["adopters"] / max(s["n"], 1)
                solara.Text(f"Step {s['step']}" + ("" if s["running"] else " (finished)"),
                            style={"font-size": "1.3em"}, classes=["bouche-step"])
                solara.Text(f"Adopters: {s['adopters']:,} of {s['n']:,} ({share:.1f} %)",
                            style={"font-size": "1.3em", "font-weight": "bold"}, classes=["bouche-adopters"])
                by = s["by_channel"]
                solara.HTML(tag="div", unsafe_innerHTML=" &middot; ".join(
                    f"{CHANNEL_LABELS[c]} <b>{by[c]:,}</b>" for c in ("seed", "media", "wom")))
                per = "n/a" if s["cost_per_adopter"] is None else f"{s['cost_per_adopter']:,.3f}"
                solara.Text(f"Cost: {s['cost']:,.2f} in all; {per} per adopter", classes=["bouche-cost"])
            solara.Text(f"This run: {run_description(model)}.",
                        style={"font-size": "0.85em", "color": "#555"}, classes=["bouche-run"])
        return col

    def about_view(model: ClassroomModel):
        spec = model.spec
        paras = [p.replace("\n", " ") for p in (spec.description or "").strip().split("\n\n")]
        body = "".join(f"<p>{_html(p)}</p>" for p in paras if p)
        how = ("<p><b>How to use.</b> Change a parameter on the left, press <b>Reset</b> to build the new model, "
               "then <b>&#9654;</b> to play or <b>Step</b> to advance one step.")
        how += (" People are coloured by how they adopted: grey not (yet), purple seeded, orange mass media, "
                "blue word of mouth.</p>" if model.adoption else "</p>")
        return solara.HTML(tag="div", unsafe_innerHTML=f"<h3>{_html(spec.title or spec.name)}</h3>{body}{how}",
                           classes=["bouche-text"])

    components = [(network_view, 0), (curve_view, 0), (summary_view, 0), (about_view, 0)]
    title = f"Bouche: {base.title or base.name}"

    @solara.component
    def Page():
        model = solara.use_memo(lambda: ClassroomModel(**start), [])
        solara.Style(_CSS)
        SolaraViz(model, components=components, model_params=params, name=title, play_interval=interval)

    return Page


def _install_page_from_env() -> None:
    settings = json.loads(os.environ[_ENV])
    globals()["Page"] = make_page(**settings)


# ---------------------------------------------------------------------------
# the command


def add_arguments(p) -> None:
    """Arguments of ``bouche viz``."""
    p.add_argument("scenario", nargs="?", default="bass", help="a shipped scenario name or a .toml file (default bass)")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter before the app starts (repeatable)")
    p.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any free port)")
    p.add_argument("--interval", type=int, default=200, metavar="MS",
                   help="milliseconds between steps when playing (default 200; a slider in the app too)")
    p.add_argument("--max-drawn", type=int, default=3000, metavar="N",
                   help="draw a random sample of N people above this size (default 3000)")
    p.add_argument("--open", action="store_true", help="open the app in the default web browser")


def _have_viz() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("solara", "uvicorn", "altair"))


def _free_port(host: str, port: int) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will (TIME_WAIT is fine)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise ConfigError("--port", f"must be a free port on {host}; {port} is not ({exc.strerror})") from None
        return s.getsockname()[1]


def command(args) -> int:
    """Run ``bouche viz``: start the app on ``--host``:``--port`` and serve until interrupted."""
    if not _have_viz():
        print(NEEDS_EXTRA, file=sys.stderr)
        return 2
    if args.seed is not None and args.seed < 0:
        raise ConfigError("--seed", f"must be an integer >= 0; got {args.seed}")
    if args.interval < 1:
        raise ConfigError("--interval", f"must be an integer >= 1 (milliseconds); got {args.interval}")
    if args.max_drawn < 10:
        raise ConfigError("--max-drawn", f"must be an integer >= 10; got {args.max_drawn}")
    fixed = [list(config.parse_assignment(text)) for text in args.sets]
    config.load(args.scenario, overrides=dict(fixed), seed=args.seed)  # bad input: one line, exit 2
    port = _free_port(args.host, args.port)
    settings = {"source": str(args.scenario), "fixed": fixed, "seed": args.seed, "interval": args.interval,
                "max_drawn": args.max_drawn}
    os.environ[_ENV] = json.dumps(settings)
    os.environ["SOLARA_APP"] = "sim.viz"
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_CHECK_HOOKS", "off")  # Mesa 3.3.1's hook warning is not for teachers
    os.environ.setdefault("MPLBACKEND", "Agg")
    import warnings

    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    _install_page_from_env()

    import uvicorn

    server = uvicorn.Server(uvicorn.Config("solara.server.starlette:app", host=args.host, port=port,
                                           log_level="warning", lifespan="on"))
    url = f"http://{'localhost' if args.host in ('127.0.0.1', '0.0.0.0') else args.host}:{port}/"

    def announce():
        while not server.started:
            if getattr(server, "should_exit", False):
                return
            time.sleep(0.05)
        print(f"bouche viz: {args.scenario} is live at {url} (Ctrl-C to stop)", flush=True)
        if args.open:
            import webbrowser

            webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    server.run()
    return 0


if os.environ.get(_ENV):  # the app's server process (re)importing this module
    _install_page_from_env()
