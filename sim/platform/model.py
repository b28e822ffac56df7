"""Campaign measurement on a platform: what a dashboard shows beside what a campaign changed.

A platform shows a campaign (the scenario's medium) and counts what it can
see: impressions, likes and the adoptions of people who saw the ad before they
adopted ("last-touch" attribution). None of these is the campaign's effect.

- **Likes** come from people who saw the ad, with a probability that depends
  on their affinity for the brand: its fans (followers of its page, most of
  them existing customers) like far more often than anyone else. A like is
  drawn whether or not the ad persuaded anybody, from its own random stream.
- **Last-touch attribution** credits the campaign with every adopter who saw
  it at or before adopting (within ``measurement.window`` steps), including
  people word of mouth would have won anyway, and people who saw it after
  the decisive conversation.
- **The true effect** is the difference from a twin run with the campaign off
  under common random numbers (same seed, every other draw identical):
  ``sim.compare(scenario, change=campaign_off(scenario))``.

:class:`PlatformModel` (``model = "platform"`` in a scenario) is the adoption
model with a :class:`Dashboard` observer attached; the dashboard works with any
:class:`~sim.model.DiffusionModel` through :meth:`Dashboard.attach`.

Examples
--------
>>> import sim
>>> r = sim.run("measurement", seed=4, overrides={"network.n": 3000, "measurement.impressions": 150})
>>> s = r.summary
>>> s["impressions"] == int(r.timeseries["media_contacts"].sum()), s["likes"] <= s["impressions"]
(True, True)
>>> 0 < s["engagement_rate"] < 1, s["attributed_adoptions"] <= s["final_adopters"]
(True, True)
"""

from __future__ import annotations

import sys
from dataclasses import fields

import numpy as np

from sim.errors import ConfigError
from sim.mechanisms.media import Medium
from sim.model import DiffusionModel

__all__ = ["PlatformModel", "Dashboard", "TrackedMedium", "draw_fans", "like_draws", "campaign_off",
           "DASHBOARD_KEYS"]

DASHBOARD_KEYS = ("fans", "impressions", "people_reached", "impressions_on_adopters", "likes", "engagement_rate",
                  "attributed_adoptions", "cost_per_attributed")


def draw_fans(customers: np.ndarray, share_customers: float, share_others: float,
              rng: np.random.Generator) -> np.ndarray:
    """Who follows the brand: each customer with one probability, everyone else with another.

    One uniform per person is drawn, so the fans are the same in twin runs.

    Examples
    --------
    >>> fans = draw_fans(np.array([True] * 500 + [False] * 500), 1.0, 0.0, np.random.default_rng(0))
    >>> int(fans[:500].sum()), int(fans[500:].sum())
    (500, 0)
    """
    u = rng.random(len(customers))
    return np.where(customers, u < share_customers, u < share_others)


def like_draws(contacted: np.ndarray, u: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Indices of the contacted people who like the ad: ``u_i < rate_i``.

    ``u`` holds one uniform per person (drawn every step for everyone, so twin
    runs stay aligned); ``rate`` each person's like probability.

    Examples
    --------
    >>> like_draws(np.array([0, 2, 3]), np.array([0.01, 0.0, 0.5, 0.02]), np.array([0.05, 0.05, 0.05, 0.01]))
    array([0])
    """
    return contacted[u[contacted] < rate[contacted]]


def campaign_off(spec) -> dict:
    """Overrides that switch a platform scenario's campaign off and change nothing else.

    With ``measurement.impressions`` set, buy no impressions; otherwise set every
    medium's reach to zero. Media draws come from their own streams, so word of
    mouth, seeding and fans draw the same numbers in both twins.

    Examples
    --------
    >>> from sim import config
    >>> campaign_off(config.load("measurement"))
    {'measurement.impressions': 0}
    """
    if spec.model == "platform" and spec.get("measurement.impressions") is not None:
        return {"measurement.impressions": 0}
    if len(spec.media) == 1:
        return {"media.reach": 0.0}
    return {f"media.{m['name']}.reach": 0.0 for m in spec.media}


class TrackedMedium(Medium):
    """A medium that remembers whom it contacted in its latest step (``contacted``, indices).

    It delegates the draws to :meth:`Medium.contact`, so a tracked medium draws
    exactly what the plain one draws; contacts are recorded even when ``p = 0``
    (an ad that persuades nobody is still seen, liked and credited).
    """

    contacted: np.ndarray = np.empty(0, dtype=np.int64)

    @classmethod
    def wrap(cls, medium: Medium) -> "TrackedMedium":
        tracked = cls(**{f.name: getattr(medium, f.name) for f in fields(medium)})
        tracked.rng = medium.rng
        return tracked

    def contact(self, media_term: np.ndarray, rng: np.random.Generator) -> int:
        scratch = np.zeros(len(media_term), dtype=np.float64)
        p, self.p = self.p, 1.0
        try:
            n_contacts = super().contact(scratch, rng)
        finally:
            self.p = p
        self.contacted = np.flatnonzero(scratch)
        media_term[self.contacted] += p
        return n_contacts


class Dashboard:
    """Observer that counts what a platform shows: impressions, likes, last-touch attributions.

    Each step it reads whom the tracked media contacted (a person reached by
    several media in one step counts once), draws one uniform per person from
    the likes stream, and credits the step's new adopters whose last contact
    before adopting lies within the window.

    Parameters
    ----------
    fan : ndarray of bool
        Who follows the brand.
    like_fan, like_other : float
        Probability that a fan (anyone else) who sees the ad likes it.
    window : int or None
        Attribution window in steps (None: any earlier contact counts).
    rng : numpy.random.Generator
        The likes stream (one uniform per person per step).
    steps : int
        Most steps the run can record.
    """

    def __init__(self, fan: np.ndarray, like_fan: float, like_other: float, window: int | None,
                 rng: np.random.Generator, steps: int):
        n = len(fan)
        self.fan = fan
        self.rate = np.where(fan, like_fan, like_other)
        self.window = window
        self.rng = rng
        self.last_seen = np.full(n, -1, dtype=np.int64)  # last contact at or before adoption
        self.seen = np.zeros(n, dtype=bool)
        self.impressions_on_adopters = 0
        self.likes = np.zeros(steps + 1, dtype=np.int64)
        self.attributed = np.zeros(steps + 1, dtype=np.int64)

    @classmethod
    def attach(cls, model: DiffusionModel, **kw) -> "Dashboard":
        """Track the model's media and add a dashboard to its observers."""
        model.media = [m if isinstance(m, TrackedMedium) else TrackedMedium.wrap(m) for m in model.media]
        board = cls(steps=model.max_steps, **kw)
        model.observers.append(board)
        return board

    def __call__(self, model, step, media_term, new_media, new_wom) -> None:
        u = self.rng.random(len(self.fan))  # every step, for everyone: twins stay aligned
        parts = [m.contacted for m in model.media if isinstance(m, TrackedMedium) and m.is_on(step)]
        contacted = np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
        for m in model.media:
            if isinstance(m, TrackedMedium):
                m.contacted = np.empty(0, dtype=np.int64)
        at = model.state.adopted_at[contacted]
        before = (at >= 0) & (at < step)
        self.impressions_on_adopters += int(np.count_nonzero(before))
        self.last_seen[contacted[~before]] = step
        self.seen[contacted] = True
        self.likes[step] = len(like_draws(contacted, u, self.rate))
        new = np.concatenate((new_media, new_wom))
        seen_at = self.last_seen[new]
        credited = (seen_at >= 0) if self.window is None else (seen_at >= 0) & (step - seen_at <= self.window)
        self.attributed[step] = int(np.count_nonzero(credited))

    def summary(self, ts) -> dict:
        """The dashboard numbers of a run (``ts``: its time series, for impressions and cost)."""
        impressions = int(ts["media_contacts"].sum())
        likes = int(self.likes.sum())
        attributed = int(self.attributed.sum())
        cost = float(ts["cost"].iloc[1:].sum())  # campaign spend (step 0 is seeding)
        return {
            "fans": int(np.count_nonzero(self.fan)),
            "impressions": impressions,
            "people_reached": int(np.count_nonzero(self.seen)),
            "impressions_on_adopters": self.impressions_on_adopters,
            "likes": likes,
            "engagement_rate": likes / impressions if impressions else None,
            "attributed_adoptions": attributed,
            "cost_per_attributed": cost / attributed if attributed else None,
        }


class PlatformModel(DiffusionModel):
    """The adoption model with a campaign dashboard (``model = "platform"``).

    Reads the ``measurement`` section: who the fans are, how likely each group
    is to like the ad, whom the platform shows it to (``target``: all, fans,
    non_fans, within the medium's own audience), how many impressions are bought
    per step and the attribution window. The campaign is the scenario's one
    medium (or none).
    """

    def __init__(self, scenario="measurement", seed: int | None = None, overrides: dict | None = None):
        super().__init__(scenario, seed=seed, overrides=overrides)
        ms = self.spec.section("measurement")
        if len(self.media) > 1:
            names = ", ".join(m.name for m in self.media)
            raise ConfigError("media", f"must hold at most one medium (the campaign) when model = platform; "
                                       f"got {len(self.media)} ({names})")
        customers = self.state.adopted_at == 0
        self.fan = draw_fans(customers, ms["fans_customers"], ms["fans_others"],
                             self.streams.get("measurement", "fans"))
        for medium in self.media:
            self._aim(medium, ms["target"], ms["impressions"])
        self.dashboard = Dashboard.attach(self, fan=self.fan, like_fan=ms["like_fan"], like_other=ms["like_other"],
                                          window=ms["window"], rng=self.streams.get("measurement", "likes"))

    def _aim(self, medium: Medium, target: str, impressions: int | None) -> None:
        """Restrict the medium's audience to the targeted group and buy ``impressions`` per step."""
        if target != "all":
            everyone = np.arange(self.n) if medium.audience is None else medium.audience
            keep = self.fan[everyone] if target == "fans" else ~self.fan[everyone]
            medium.audience = everyone[keep].astype(np.int64)
        if impressions is not None:
            size = medium.audience_size(self.n)
            if impressions > size:
                raise ConfigError("measurement.impressions", f"must be <= the campaign's audience ({size:,} people, "
                                                             f"target = {target}); got {impressions}")
            medium.reach = impressions / size if size else 0.0

    def summary(self) -> dict:
        """The run's summary (:func:`sim.metrics.summarize`) plus the dashboard numbers."""
        from sim.metrics import summarize

        ts = self.timeseries()
        out = summarize(ts, self.n, self.state.by_channel())
        out.update(self.dashboard.summary(ts))
        return out

    def timeseries(self):
        """The adoption time series plus ``likes`` and ``attributed`` (last-touch) per step."""
        df = super().timeseries()
        k = len(df)
        df["likes"] = self.dashboard.likes[:k]
        df["attributed"] = self.dashboard.attributed[:k]
        return df

    def describe(self, result, file=None) -> None:
        """Print the adoption summary and what the dashboard shows."""
        file = file or sys.stdout
        s = result.summary
        ch = s["adopters_by_channel"]
        print(f"{self.spec.name}: {s['final_adopters']:,} of {self.n:,} people adopted "
              f"({100 * s['final_fraction']:.1f} %) in {s['steps_run']} steps", file=file)
        print(f"  by channel: seed {ch['seed']:,}, media {ch['media']:,}, word of mouth {ch['wom']:,}", file=file)
        rate = "n/a" if s["engagement_rate"] is None else f"{100 * s['engagement_rate']:.2f} %"
        print(f"  dashboard: {s['impressions']:,} impressions to {s['people_reached']:,} people "
              f"({s['impressions_on_adopters']:,} to existing adopters), {s['likes']:,} likes, "
              f"engagement rate {rate}", file=file)
        per = "" if s["cost_per_attributed"] is None else f", {s['cost_per_attributed']:,.2f} each"
        print(f"  last-touch attributed adoptions: {s['attributed_adoptions']:,}{per}", file=file)
        off = " ".join(f"--set {k}={v}" for k, v in campaign_off(self.spec).items())
        print(f"  what did the campaign change? bouche compare {self.spec.name} {off}", file=file)
