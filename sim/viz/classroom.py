"""The model the classroom app drives: :class:`ClassroomModel`, a scenario's model plus what the views need.

Mesa's app rebuilds it at each Reset from the current slider values
(:mod:`sim.viz.parameters`); it keeps the drawing objects the views reuse and
paces the stepping thread so that the browser sees every step.
"""

from __future__ import annotations

import time

import mesa
import numpy as np

from sim import config
from sim.errors import ConfigError
from sim.viz.parameters import overrides_for

__all__ = ["ClassroomModel"]


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
    **kwargs
        The knobs of other word-of-mouth rules (a rule's ``controls``: ``forget`` is ``wom.forget``).
    max_drawn : int
        People drawn at most in the network view.
    show_hints : bool
        Rules with a live picture of their own (:meth:`rule_picture`): show what
        the class is meant to guess before the run ends.

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
                 broadcast_share: float | None = None, max_drawn: int = 3000, show_hints: bool = False,
                 **kwargs):
        from sim import runs

        base = config.load(source, overrides=dict(fixed))
        self.error = None
        try:
            root = base.seed if seed in (None, "") else _seed(seed)
            base = base.replace({}, seed=root)
            given = {k: v for k, v in locals().items() if k in _CONTROL_NAMES}
            spec = base.replace(overrides_for(base, **given, **kwargs))
            inner = runs.model_class(spec.model)(spec)
        except ConfigError as exc:
            self.error = str(exc)
            spec = base
            inner = runs.model_class(spec.model)(spec)
        super().__init__(rng=spec.seed)
        self.sim = inner
        self.spec = spec  # not "scenario": reserved by Mesa 3.5
        self.max_drawn = int(max_drawn)
        self.show_hints = bool(show_hints)  # rules with a picture of their own: show what the class guesses
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

    def rule_picture(self):
        """The rule's own live picture (RGBA pixels; :meth:`sim.rules.Rule.picture`), or None: the network.

        What the class is meant to guess (an information cascade's private hints)
        shows when ``show_hints`` is ticked, and once the run has ended.
        """
        rule = getattr(self.sim, "rule", None)
        if rule is None:
            return None
        return rule.picture(self.sim, reveal=self.show_hints or not self.sim.running)

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
