"""A cultural market: how social influence makes hits unequal and unpredictable.

Salganik, Dodds & Watts (2006) let 14,341 people listen to and download 48
unknown songs. A fifth of them chose independently; the others were split into
eight "worlds", each seeing how often the songs had been downloaded *in its own
world*. Social influence made success more unequal (a higher Gini coefficient
of market shares) and less predictable (the same song's share differed more
from world to world), more so when the songs were listed by download count
(experiment 2) than in a grid in random order (experiment 1).

The model (scenario ``model = market``, :class:`MarketModel`) rebuilds that
design. ``market.worlds`` social-influence worlds and one independent world
(influence 0) offer the same ``market.products`` products; ``market.consumers``
consumers arrive one by one in each social world and twice as many in the
independent world, which is split into two halves so that its
unpredictability is measured between two worlds of the same size, as the
paper did (20 % of its subjects chose independently, 10 % went to each social
world). A consumer arriving in a world:

1. **sees the products in some order** (:func:`~sim.market.choice.display_order`):
   with ``display = "ranked"``, a social world lists them by the downloads it
   shows, most first (ties at random); the grid, and the independent world
   under either display, list them in a fresh random order for each consumer;
2. **samples** ``market.listens`` distinct products, one after another, each
   with probability proportional to its pull v_p · (1 + influence · D_i)
   (:func:`~sim.market.choice.choose`): v_p = rank^-``position_bias`` is the
   visibility of its position (rank = position in the ranked list, row of 3
   in the grid: :func:`~sim.market.choice.visibility`) and D_i the downloads
   the world shows. ``market.influence`` is what one download adds to a
   product's pull, relative to a product nobody downloaded (0: independent
   choice). This is the trial-offer model of Krumme et al. (2012) and Abeliuk
   et al. (2015), v_p (a_i + λ d_i), with the same sampling appeal a_i for
   every product: the bands were unknown, so a consumer knows only where a
   song is listed and how often it was downloaded;
3. **downloads** each sampled product with probability equal to its appeal
   q_i (drawn once per run from Beta(``appeal_a``, ``appeal_b``); ``appeal =
   "equal"`` gives every product the same). Krumme et al. found that social
   information moves the first step only.

The self-fulfilling prophecy of Salganik & Watts (2008): ``market.promote``
lists products by appeal rank (1 = the best) that start every social world
with ``market.promote_downloads`` fake downloads (shown, never counted as
success), and ``market.invert`` inverts each social world's shown counts
once, after that many consumers (the most downloaded product then shows the
count of the least downloaded, and so on), as their experiment did.

Measures (:mod:`~sim.market.measures`): market shares, the Gini coefficient
of each world, Salganik's unpredictability U (the mean over products of the
mean absolute difference of a product's share over all pairs of worlds: the
eight social worlds, or the two halves of the independent world), Spearman's
correlation of appeal and share, and whether the best fifth of products never
fell into the bottom fifth of shares (and the worst never into the top).

Modules: :mod:`~sim.market.choice` (the consumer's choice, pure functions over
arrays), :mod:`~sim.market.measures`, :mod:`~sim.market.model`
(:class:`MarketModel`), :mod:`~sim.market.plots` (its figures) and
:mod:`~sim.market.report` (the ``hits`` report).

Random streams (:class:`sim.streams.Streams`): ``market.appeal`` (the products'
appeal), ``market.display`` (display orders and ties), ``market.sampling``
(which products are sampled), ``market.downloads`` (whether a sample becomes a
download). Every step draws the same numbers whatever the influence, display
or promotion, so runs that differ in those are paired (common random numbers).

Examples
--------
>>> m = MarketModel("hits", seed=1, overrides={"market.consumers": 200}).run()
>>> s = m.summary()
>>> s["worlds"], s["independent_consumers"], m.downloads.shape
(8, 400, (10, 48))
>>> s["gini_social"] > s["gini_independent"] and s["unpredictability_social"] > s["unpredictability_independent"]
True

References
----------
Salganik, M. J., Dodds, P. S. & Watts, D. J. (2006). Experimental study of inequality and
unpredictability in an artificial cultural market. Science 311(5762), 854–856.
Salganik, M. J. & Watts, D. J. (2008). Leading the herd astray: an experimental study of
self-fulfilling prophecies in an artificial cultural market. Social Psychology Quarterly 71(4), 338–355.
Krumme, C., Cebrian, M., Pickard, G. & Pentland, S. (2012). Quantifying social influence in an
online cultural market. PLoS ONE 7(5): e33785.
Abeliuk, A., Berbeglia, G., Cebrian, M. & Van Hentenryck, P. (2015). The benefits of social
influence in optimized cultural markets. PLoS ONE 10(4): e0121934.
"""

from sim.market.choice import APPEALS, DISPLAYS, appeals, choose, display_order, invert_counts, visibility
from sim.market.measures import SALGANIK_2006, extremes, gini_by_world, quality_correlation, shares, unpredictability
from sim.market.model import TIMESERIES_COLUMNS, MarketModel

__all__ = ["MarketModel", "APPEALS", "DISPLAYS", "SALGANIK_2006", "TIMESERIES_COLUMNS", "appeals", "choose",
           "display_order", "invert_counts", "visibility", "extremes", "gini_by_world", "quality_correlation",
           "shares", "unpredictability"]
