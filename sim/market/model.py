"""The cultural market (scenario ``model = market``): social-influence worlds beside an independent one.

:class:`MarketModel` orchestrates and records; the consumer's choice is made
of the array functions in :mod:`sim.market.choice` and the measures are those
of :mod:`sim.market.measures`. The mechanism is described in :mod:`sim.market`.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

from sim import config, networks, records
from sim.errors import ConfigError
from sim.market import measures
from sim.market.choice import appeals, choose, display_order, invert_counts, visibility
from sim.streams import Streams

__all__ = ["MarketModel", "TIMESERIES_COLUMNS", "RECORDS"]

TIMESERIES_COLUMNS = ("step", "downloads_social", "downloads_independent", "gini_social", "gini_independent",
                      "unpredictability_social", "unpredictability_independent")
RECORDS = 100  # rows of the time series at most (every consumers / 100 arrivals, and the last)


class MarketModel(mesa.Model):
    """Products, consumers and download counts in several worlds (scenario ``model = market``).

    Parameters
    ----------
    scenario : str, Path, dict or sim.config.Scenario
        Shipped scenario name (``"hits"``), TOML file, dict or resolved scenario.
    seed : int, optional
        Root seed (overrides the scenario's).
    overrides : dict, optional
        Dotted parameter overrides, e.g. ``{"market.influence": 0.0}``.

    Attributes
    ----------
    quality : numpy.ndarray
        Each product's appeal: the probability that a consumer who samples it downloads it.
    downloads : numpy.ndarray of int64, shape (worlds + 2, products)
        Real downloads: the social worlds, then the two halves of the independent world.
    shown : numpy.ndarray, shape (worlds + 2, products)
        The downloads each world shows its consumers: the real ones, plus promoted products' fake
        downloads, inverted once if ``market.invert`` says so (the independent halves show none).
    """

    def __init__(self, scenario="hits", seed: int | None = None, overrides: dict | None = None):
        spec = config.load(scenario, overrides=overrides, seed=seed)
        if spec.model != "market":
            raise ConfigError("model", f"must be market to run MarketModel; scenario {spec.name!r} "
                                       f"has model = {spec.model}")
        super().__init__(rng=spec.seed)
        self.spec = spec  # not "scenario": reserved by Mesa 3.5
        self.streams = Streams(spec.seed)
        m = spec.section("market")
        self.n_products = s = m["products"]
        self.n_worlds = w = m["worlds"]
        self.consumers = m["consumers"]
        self.listens = m["listens"]
        self.n = (w + 2) * self.consumers  # every consumer of every world
        rows = w + 2
        networks.require_memory("market.products", f"= {s} in {w} + 1 worlds", 64.0 * rows * s,
                                "the worlds' download counts and choices")
        self.quality = appeals(s, m["appeal"], m["appeal_a"], m["appeal_b"], self.streams.get("market", "appeal"))
        self.quality_rank = np.empty(s, dtype=np.int64)  # 1 = the best appeal
        self.quality_rank[np.argsort(-self.quality, kind="stable")] = np.arange(1, s + 1)
        social = np.arange(rows) < w
        # a ranked list is social information too: without influence it is a random order, as the independent world's
        self._by_count = social & (m["display"] == "ranked") & (m["influence"] > 0)
        self._influence = np.where(social, m["influence"], 0.0)[:, None]
        self._log_vis = np.log(visibility(s, m["display"], m["position_bias"]))
        self.promoted = np.isin(self.quality_rank, m["promote"] or [])
        self.invert_at = m["invert"]
        self.downloads = np.zeros((rows, s), dtype=np.int64)
        self.shown = np.zeros((rows, s))
        self.shown[:w, self.promoted] = m["promote_downloads"]
        self._display_rng = self.streams.get("market", "display")
        self._sampling_rng = self.streams.get("market", "sampling")
        self._download_rng = self.streams.get("market", "downloads")
        self._rows = np.arange(rows)[:, None]
        self.every = max(1, math.ceil(self.consumers / RECORDS))
        self._rec = records.new_records(dict.fromkeys(TIMESERIES_COLUMNS, np.float64), RECORDS + 1)
        self._n_rec = 0
        self.steps_run = 0
        self.running = True

    # -- dynamics ---------------------------------------------------------------

    def step(self) -> None:
        """One consumer arrives in every social world and in each half of the independent world."""
        t = self.steps
        if self.invert_at is not None and t == self.invert_at + 1:
            self.shown[:self.n_worlds] = invert_counts(self.shown[:self.n_worlds])
        u = self._display_rng.random(self.shown.shape)
        order = display_order(self.shown, self._by_count, u)
        pull = self._log_vis + np.log1p(self._influence * np.take_along_axis(self.shown, order, 1))
        product = np.take_along_axis(order, choose(pull, self.listens, self._sampling_rng), 1)
        got = self._download_rng.random(product.shape) < self.quality[product]
        self.downloads[self._rows, product] += got  # a consumer samples distinct products: no index repeats
        self.shown[self._rows, product] += got
        self.steps_run = t
        if t % self.every == 0 or t == self.consumers:
            self._record(t)
        if t >= self.consumers:
            self.running = False

    def run(self) -> "MarketModel":
        """Let ``market.consumers`` consumers arrive in every world."""
        while self.running:
            self.step()
        return self

    # -- measurement --------------------------------------------------------------

    def _record(self, t: int) -> None:
        w, d = self.n_worlds, self.downloads
        r, i = self._rec, self._n_rec
        r["step"][i] = t
        r["downloads_social"][i] = d[:w].sum() / (w * t)
        r["downloads_independent"][i] = d[w:].sum() / (2 * t)
        r["gini_social"][i] = np.mean(measures.gini_by_world(d[:w]))
        r["gini_independent"][i] = measures.gini_by_world(d[w:].sum(axis=0))[0]
        r["unpredictability_social"][i] = measures.unpredictability(measures.shares(d[:w]))
        r["unpredictability_independent"][i] = measures.unpredictability(measures.shares(d[w:]))
        self._n_rec = i + 1

    def timeseries(self) -> pd.DataFrame:
        """One row every ``consumers / 100`` arrivals: downloads per consumer, Gini and U so far.

        ``step`` counts the consumers who arrived in each social world (twice as
        many arrived in the independent world, one in each half).
        """
        k = self._n_rec
        df = pd.DataFrame({col: self._rec[col][:k] for col in TIMESERIES_COLUMNS})
        df["step"] = df["step"].astype(np.int64)
        return df

    def market_shares(self) -> tuple[np.ndarray, np.ndarray]:
        """``(social, independent)``: the social worlds' shares (worlds x products) and the independent world's."""
        w = self.n_worlds
        return measures.shares(self.downloads[:w]), measures.shares(self.downloads[w:].sum(axis=0))

    def summary(self) -> dict:
        """Inequality (Gini) and unpredictability (U), social against independent; quality and success."""
        m = self.spec.section("market")
        w, d = self.n_worlds, self.downloads
        social, independent = self.market_shares()
        gini_worlds = measures.gini_by_world(d[:w])
        corr = measures.quality_correlation(self.quality, social)
        best_ok, worst_ok = measures.extremes(self.quality, social)
        t = max(self.steps_run, 1)
        promoted = bool(self.promoted.any())
        return {
            "products": self.n_products,
            "worlds": w,
            "consumers": self.consumers,
            "independent_consumers": 2 * self.consumers,
            "display": m["display"],
            "influence": m["influence"],
            "downloads_social": float(d[:w].sum() / (w * t)),
            "downloads_independent": float(d[w:].sum() / (2 * t)),
            "gini_social": float(np.mean(gini_worlds)),
            "gini_social_min": float(np.min(gini_worlds)),
            "gini_social_max": float(np.max(gini_worlds)),
            "gini_independent": measures.gini_by_world(d[w:].sum(axis=0))[0],
            "unpredictability_social": measures.unpredictability(social),
            "unpredictability_independent": measures.unpredictability(measures.shares(d[w:])),
            "top_share_social": float(social.max(axis=1).mean()),
            "top_share_independent": float(independent.max()),
            "quality_correlation_social": float(np.mean(corr)),
            "quality_correlation_independent": measures.quality_correlation(self.quality, independent)[0],
            "best_never_bottom": float(best_ok.mean()),
            "worst_never_top": float(worst_ok.mean()),
            "promoted_share_social": float(social[:, self.promoted].sum(axis=1).mean()) if promoted else None,
            "promoted_share_independent": float(independent[self.promoted].sum()) if promoted else None,
            "gini_by_world": [float(g) for g in gini_worlds],
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """``shares.csv``: one row per product (appeal, rank, promoted), its share in each world."""
        social, independent = self.market_shares()
        df = pd.DataFrame({"product": np.arange(1, self.n_products + 1), "appeal": self.quality,
                           "appeal_rank": self.quality_rank, "promoted": self.promoted,
                           "independent": independent})
        for j in range(self.n_worlds):
            df[f"world_{j + 1}"] = social[j]
        return {"shares.csv": df}

    # -- output -----------------------------------------------------------------------

    def figures(self, result, folder) -> list[Path]:
        """The run's figures: success against appeal in every world, inequality and unpredictability over time."""
        from sim.market import plots

        return plots.all_figures(self, result.summary, Path(folder))

    def plot(self, result, kind: str | None = None, ax=None):
        """One figure of the run as a matplotlib Figure: ``kind`` is success or inequality (default: success)."""
        from sim.figures.canvas import pick
        from sim.market import plots

        return pick(plots.FIGURES, kind, ax)(self, result.summary)

    def describe(self, result, file=None) -> None:
        """Print a short human summary of the run."""
        file = file or sys.stdout  # the stream of the moment (a test's or a notebook's own)
        s = result.summary
        print(f"{self.spec.name}: {s['products']} products, {s['worlds']} social worlds of {s['consumers']:,} "
              f"consumers and an independent world of {s['independent_consumers']:,} ({s['display']} display, "
              f"influence {s['influence']:g})", file=file)
        print(f"  downloads per consumer: {s['downloads_social']:.2f} social, {s['downloads_independent']:.2f} "
              f"independent", file=file)
        print(f"  inequality (Gini): {s['gini_social']:.2f} in the social worlds ({s['gini_social_min']:.2f} to "
              f"{s['gini_social_max']:.2f}), {s['gini_independent']:.2f} in the independent world", file=file)
        print(f"  unpredictability (U): {s['unpredictability_social']:.4f} social, "
              f"{s['unpredictability_independent']:.4f} independent", file=file)
        print(f"  appeal and success (Spearman): {s['quality_correlation_social']:.2f} social, "
              f"{s['quality_correlation_independent']:.2f} independent; best fifth never in the bottom fifth in "
              f"{100 * s['best_never_bottom']:.0f} % of social worlds, worst fifth never in the top fifth in "
              f"{100 * s['worst_never_top']:.0f} %", file=file)
        if s["promoted_share_social"] is not None:
            print(f"  promoted products: {100 * s['promoted_share_social']:.1f} % of real downloads in the social "
                  f"worlds, {100 * s['promoted_share_independent']:.1f} % in the independent world", file=file)
