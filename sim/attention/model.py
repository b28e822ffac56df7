"""The attention model (scenario ``model = attention``): posts, feeds, attention, reshares, broadcast.

:class:`AttentionModel` orchestrates and records; the mechanisms it calls are
pure array functions in :mod:`sim.attention.following` (the follow graph) and
:mod:`sim.attention.slots` (limited attention). The mechanism of a step is
described in :mod:`sim.attention`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

from sim import config, networks, records
from sim.arrays import sorted_distinct
from sim.attention import concentration
from sim.attention.following import follow_graph
from sim.attention.slots import broadcast_pull, broadcast_slots, choose, split_slots
from sim.errors import ConfigError
from sim.streams import Streams

__all__ = ["AttentionModel", "SHIPPED_RANGES", "TIMESERIES_COLUMNS", "OVERLAP_CHANNELS"]

TIMESERIES_COLUMNS = ("step", "posts", "offered", "views", "broadcast_views", "reshares", "broadcast_share",
                      "top1_share", "effective_channels", "broadcast_reach")
# The ranges over which the scenario page and tests claim monotone effects.
SHIPPED_RANGES = {
    "attention.producers": (0.02, 0.05, 0.1, 0.2, 0.5, 1.0),
    "attention.broadcast_share": (0.05, 0.1, 0.2, 0.3, 0.5, 0.7),
}
OVERLAP_CHANNELS = 30  # user channels (largest reach first) in the audience-overlap matrix


def _lower_quartile(values: np.ndarray) -> float | None:
    """Start of the long-tail fit: the lower quartile of the positive audiences."""
    v = values[values > 0]
    return float(np.percentile(v, 25)) if v.size else None


class AttentionModel(mesa.Model):
    """Posts, feeds, limited attention, reshares and broadcast channels (scenario ``model = attention``).

    Parameters
    ----------
    scenario : str, Path, dict or sim.config.Scenario
        Shipped scenario name (``"fragmentation"``), TOML file, dict or resolved scenario.
    seed : int, optional
        Root seed (overrides the scenario's).
    overrides : dict, optional
        Dotted parameter overrides, e.g. ``{"attention.k": 5}``.

    Attributes
    ----------
    graph : sim.networks.Graph
        The follow graph (u -> v: v follows u); ``graph.segments`` = interest community.
    producer : numpy.ndarray of bool
        Who publishes.
    watches : numpy.ndarray of bool, shape (broadcast channels, n)
        Who watches each broadcast channel.
    channel_views : numpy.ndarray of int64, shape (n + broadcast channels,)
        Views so far per channel: user channels 0..n-1 (a person's own posts),
        then the broadcast channels.
    """

    def __init__(self, scenario="fragmentation", seed: int | None = None, overrides: dict | None = None):
        spec = config.load(scenario, overrides=overrides, seed=seed)
        if spec.model != "attention":
            raise ConfigError("model", f"must be attention to run AttentionModel; scenario {spec.name!r} "
                                       f"has model = {spec.model}")
        super().__init__(rng=spec.seed)
        self.spec = spec  # not "scenario": reserved by Mesa 3.5
        self.streams = Streams(spec.seed)
        a = spec.section("attention")
        self.n = n = spec.get("network.n")
        self.k, self.post_rate, self.p_reshare = a["k"], a["post_rate"], a["reshare"]
        b = a["broadcast_channels"]  # a low estimate: the follow graph both ways, the watchers and the views
        networks.require_memory("network.n", f"= {n}", n * (16.0 + 8 + 2 * b) + 8.0 * n * a["follows"])
        self.graph = follow_graph(n, a["follows"], a["homophily"], a["communities"], a["popularity_exponent"],
                                  self.streams.get("network"))
        order = self.streams.get("attention", "producers").permutation(n)
        self.producer = np.zeros(n, dtype=bool)
        self.producer[order[:max(1, round(a["producers"] * n))]] = True
        self.n_broadcast = b = a["broadcast_channels"]
        self.watches = self.streams.get("attention", "watchers").random((b, n)) < a["broadcast_audience"]
        self.pull = broadcast_pull(a["broadcast_share"], self.watches.sum(axis=0), b, self.k)
        self._post_rng = self.streams.get("attention", "posts")
        self._feed_rng = self.streams.get("attention", "feeds")
        self._broadcast_rng = self.streams.get("attention", "broadcast")
        self._reshare_rng = self.streams.get("attention", "reshares")

        self.n_channels = n + b
        self.channel_views = np.zeros(self.n_channels, dtype=np.int64)
        self._item_channel = np.zeros(1024, dtype=np.int64)
        self.n_items = 0
        self._offer = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))  # reshares: (sharer, item)
        self._pairs: list[np.ndarray] = []  # viewer * n + user channel, distinct, consolidated now and then
        self._pairs_len = 0
        self.broadcast_audience = np.zeros((b, n), dtype=bool)  # who has seen each broadcast channel
        self.max_steps = spec.get("run.steps")
        self.stop_rule = spec.get("run.stop")
        self._rec = records.new_records(dict.fromkeys(TIMESERIES_COLUMNS[1:], np.float64), self.max_steps)
        self.steps_run = 0
        self._measured = None
        self.running = True

    # -- dynamics ---------------------------------------------------------------

    def _new_items(self, channels: np.ndarray) -> np.ndarray:
        need = self.n_items + channels.size
        if need > self._item_channel.size:
            grown = np.zeros(max(need, 2 * self._item_channel.size), dtype=np.int64)
            grown[:self.n_items] = self._item_channel[:self.n_items]
            self._item_channel = grown
        ids = np.arange(self.n_items, need, dtype=np.int64)
        self._item_channel[ids] = channels
        self.n_items = need
        return ids

    def _offers(self, posters: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (viewer, item) offered this step, once each, sorted by viewer."""
        g = self.graph
        sharer = np.concatenate((posters, self._offer[0]))
        item = np.concatenate((items, self._offer[1]))
        viewer = networks.gather_rows(g.out_indptr, g.out_indices, sharer).astype(np.int64)
        item = np.repeat(item, g.out_degree[sharer])
        width = max(self.n_items, 1)
        code = sorted_distinct(viewer * width + item)
        return code // width, code % width

    def step(self) -> None:
        """One synchronous step: posts, feeds, limited attention, reshares, recording."""
        t, n = self.steps, self.n
        u = self._post_rng.random(n)
        posters = np.flatnonzero(self.producer & (u < self.post_rate))
        viewer, item = self._offers(posters, self._new_items(posters))
        offered = np.bincount(viewer, minlength=n)
        slots = broadcast_slots(offered, self.pull, self.k, self._broadcast_rng)
        on_air = split_slots(slots, self.watches, self._broadcast_rng)
        seen = choose(viewer, self.k - slots, self._feed_rng)
        viewer, item = viewer[seen], item[seen]
        channel = self._item_channel[item]

        self.channel_views[:n] += np.bincount(channel, minlength=n)
        self.channel_views[n:] += on_air.sum(axis=1)
        self.broadcast_audience |= on_air > 0
        self._remember(viewer * n + channel)
        share = self._reshare_rng.random(viewer.size) < self.p_reshare
        self._offer = (viewer[share], item[share])

        views = self.channel_views
        total = views.sum()
        r = records.ensure_row(self._rec, t, self.max_steps)
        r["posts"][t] = posters.size
        r["offered"][t] = offered.sum()
        r["broadcast_views"][t] = slots.sum()
        r["views"][t] = viewer.size + slots.sum()
        r["reshares"][t] = share.sum()
        r["broadcast_share"][t] = r["broadcast_views"][t] / r["views"][t] if r["views"][t] else 0.0
        r["top1_share"][t] = views.max() / total if total else 0.0
        r["effective_channels"][t] = concentration.effective_number(views)
        r["broadcast_reach"][t] = self.broadcast_audience.any(axis=0).mean() if self.n_broadcast else 0.0
        self.steps_run = t
        if t >= self.max_steps or (self.stop_rule == "quiescent" and not self._can_change()):
            self.running = False

    def _can_change(self) -> bool:
        """Whether anything can still be seen after this step."""
        can_post = self.post_rate > 0 and self.producer.any()
        return bool(can_post or self._offer[0].size or self.pull.any())

    def _remember(self, codes: np.ndarray) -> None:
        """Keep who saw which user channel (codes viewer * n + channel), merging the parts when they grow."""
        self._pairs.append(sorted_distinct(codes))
        self._pairs_len += self._pairs[-1].size
        if self._pairs_len > 8 * self.n * self.k:
            self._pairs = [sorted_distinct(np.concatenate(self._pairs))]
            self._pairs_len = self._pairs[0].size

    def run(self) -> "AttentionModel":
        """Step until ``run.steps`` (or until nothing can change, with ``run.stop = quiescent``)."""
        while self.running:
            self.step()
        return self

    # -- measurement --------------------------------------------------------------

    def timeseries(self) -> pd.DataFrame:
        """One row per step: posts, offers, views, reshares, broadcast share, concentration so far."""
        k = self.steps_run + 1
        df = pd.DataFrame({"step": np.arange(1, k)})
        for col in TIMESERIES_COLUMNS[1:]:
            vals = self._rec[col][1:k]
            df[col] = vals.astype(np.int64) if col in ("posts", "offered", "views", "broadcast_views",
                                                       "reshares") else vals
        return df

    def user_audiences(self) -> np.ndarray:
        """Distinct (viewer, user channel) pairs seen so far, as two int64 columns.

        Broadcast audiences are in :attr:`broadcast_audience` (channels x people).
        """
        codes = sorted_distinct(np.concatenate(self._pairs)) if self._pairs else np.zeros(0, dtype=np.int64)
        self._pairs, self._pairs_len = [codes], codes.size
        return np.stack((codes // self.n, codes % self.n), axis=1)

    def measure(self) -> dict:
        """Arrays behind the summary and the figures (computed once per step count).

        ``reach`` (people reached per channel: users 0..n-1, then broadcast),
        ``users`` (producers' ids), ``channels`` (every channel that could be
        watched), ``overlap`` (the channels of the duplication matrix: broadcast,
        then the largest user channels grouped by community) and ``duplication``.
        """
        if self._measured is not None and self._measured["steps"] == self.steps_run:
            return self._measured
        n, b = self.n, self.n_broadcast
        pairs = self.user_audiences()
        reach = np.concatenate((np.bincount(pairs[:, 1], minlength=n), self.broadcast_audience.sum(axis=1)))
        users = np.flatnonzero(self.producer)
        top = users[np.argsort(-reach[users], kind="stable")[:OVERLAP_CHANNELS]]
        top = top[reach[top] > 0]
        top = top[np.lexsort((-reach[top], self.graph.segments[top]))]
        col = np.full(n, -1)
        col[top] = np.arange(b, b + top.size)
        keep = col[pairs[:, 1]] >= 0
        aud = np.zeros((n, b + top.size), dtype=bool)
        aud[:, :b] = self.broadcast_audience.T
        aud[pairs[keep, 0], col[pairs[keep, 1]]] = True
        self._measured = {"steps": self.steps_run, "reach": reach, "users": users,
                          "channels": np.concatenate((users, n + np.arange(b))),
                          "overlap": np.concatenate((n + np.arange(b), top)),
                          "duplication": concentration.duplication_matrix(aud)}
        return self._measured

    def summary(self) -> dict:
        """Concentration of attention, reach of broadcast against user channels, long tail, overlap."""
        m = self.measure()
        n, b = self.n, self.n_broadcast
        reach, users, views = m["reach"], m["users"], self.channel_views
        v = views[m["channels"]]
        total = int(views.sum())
        bviews = int(views[n:].sum())
        top_user = int(users[np.argmax(reach[users])])  # there is always at least one producer
        b_reach = int(reach[n:].max()) if b else 0
        u_reach = int(reach[top_user])
        q1 = _lower_quartile(reach[users])
        fit = concentration.ccdf_slope(reach[users], lo=q1)
        d = m["duplication"]
        seg = self.graph.segments[m["overlap"][b:]]
        same = np.zeros(d.shape, dtype=bool)
        same[b:, b:] = seg[:, None] == seg[None, :]
        user_pairs = np.zeros(d.shape, dtype=bool)
        user_pairs[b:, b:] = True
        out = {
            "people": n,
            "producers": int(users.size),
            "broadcast_channels": b,
            "steps_run": int(self.steps_run),
            "items_posted": int(self.n_items),
            "views": total,
            "reshares": int(self._rec["reshares"][1:self.steps_run + 1].sum()),
            "mean_item_views": float(views[:n].sum() / self.n_items) if self.n_items else 0.0,
            "broadcast_attention_share": bviews / total if total else 0.0,
            "top1_share": concentration.top_share(v, 1),
            "top10_share": concentration.top_share(v, 10),
            "gini": concentration.gini(v),
            "hhi": concentration.hhi(v),
            "effective_channels": concentration.effective_number(v),
            "effective_user_channels": concentration.effective_number(views[users]),
            "broadcast_reach": b_reach / n,
            "broadcast_views": int(views[n:].max()) if b else 0,
            "largest_user_channel": top_user,
            "largest_user_reach": u_reach / n,
            "largest_user_views": int(views[top_user]),
            "reach_ratio": u_reach / b_reach if b_reach else None,
            "median_user_reach": float(np.median(reach[users])) / n,
            "tail_decades": float(np.log10(reach[users].max() / q1)) if q1 else 0.0,
            "ccdf_slope": fit.slope,
            "ccdf_intercept": fit.intercept,
            "ccdf_r2": fit.r2,
            "ccdf_lo": fit.lo,
            "ccdf_hi": fit.hi,
            "duplication_mean": concentration.duplication_mean(d, user_pairs),
            "duplication_within": concentration.duplication_mean(d, same),
            "duplication_between": concentration.duplication_mean(d, user_pairs & ~same),
        }
        # undefined measures (too few channels or pairs) are None, which JSON can hold
        return {k: None if isinstance(x, float) and not np.isfinite(x) else x for k, x in out.items()}

    # -- output -----------------------------------------------------------------------

    def figures(self, result, folder) -> list[Path]:
        """The scenario's figures (rank–size, CCDF, attention share, audience overlap)."""
        from sim.attention import plots

        return plots.all_figures(self, result.summary, Path(folder))

    def plot(self, result, kind: str | None = None, ax=None):
        """One figure of the run as a matplotlib Figure: ``kind`` is audiences, long_tail, attention_share
        or overlap (default: audiences)."""
        from sim.attention import plots
        from sim.figures.canvas import pick

        return pick(plots.FIGURES, kind, ax)(self, result.summary)

    def describe(self, result, file=None) -> None:
        """Print a short human summary of the run."""
        file = file or sys.stdout  # the stream of the moment (a test's or a notebook's own)
        s = result.summary
        spec = self.spec
        pct = lambda x: f"{100 * x:.1f} %"  # noqa: E731
        b = s["broadcast_channels"]
        print(f"{spec.name}: {s['people']:,} people, {s['producers']:,} producers, "
              f"{b} broadcast channel{'' if b == 1 else 's'}, {s['steps_run']} steps", file=file)
        print(f"  {s['items_posted']:,} items posted, {s['views']:,} views, {s['reshares']:,} reshares; "
              f"broadcast won {pct(s['broadcast_attention_share'])} of attention", file=file)
        print(f"  concentration of views: top-1 {pct(s['top1_share'])}, top-10 {pct(s['top10_share'])}, "
              f"Gini {s['gini']:.2f}, HHI {s['hhi']:.3f}, effective number of channels "
              f"{s['effective_channels']:.1f}", file=file)
        ratio = "" if s["reach_ratio"] is None else f" ({s['reach_ratio']:.2f} x broadcast)"
        reach = f"broadcast {pct(s['broadcast_reach'])} of people" if b else "no broadcast channel"
        print(f"  reach: {reach}; largest user channel {pct(s['largest_user_reach'])}{ratio}; "
              f"median user channel {pct(s['median_user_reach'])}", file=file)
        if s["ccdf_slope"] is not None:
            print(f"  long tail: audiences span {s['tail_decades']:.1f} decades above the lower quartile; "
                  f"CCDF slope {s['ccdf_slope']:.2f} over {s['ccdf_lo']:,.0f}..{s['ccdf_hi']:,.0f} people "
                  f"(R^2 {s['ccdf_r2']:.2f})", file=file)
        num = lambda x: "n/a" if x is None else f"{x:.2f}"  # noqa: E731
        print(f"  audience overlap (duplication ratio, 1 = chance): mean {num(s['duplication_mean'])}; "
              f"same community {num(s['duplication_within'])}, different {num(s['duplication_between'])}",
              file=file)
