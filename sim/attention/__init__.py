"""Content and limited attention: why social media are not mass media.

Everyone can publish. People follow accounts on a directed follow graph built
from interest communities (homophily) and popularity; each step active
producers post items, each person sees at most ``k`` items from what the
accounts they follow posted or reshared (limited attention), reshares some of
them to their own followers, and the broadcast channels (mass media) compete
for the same attention. Each item keeps its *channel* (the account that first
posted it, or a broadcast channel), so the run measures per channel its views
and its unique reach, the concentration of attention, the long tail of
audiences and the overlap between audiences.

The mechanism of one step ``t`` (synchronous, vectorised; no loop over people):

1. **Posts.** Each active producer posts a new item with probability
   ``post_rate`` (one uniform per person per step, so runs with more producers
   share the draws of runs with fewer).
2. **Feeds.** Each item posted at ``t`` or reshared at ``t - 1`` is offered to
   every follower of its sharer (an item offered twice counts once). Offers
   not seen this step are gone.
3. **Attention.** Each person has ``k`` slots. A watcher of the broadcast
   channels gives each slot to broadcast with probability pull / (pull + m),
   where m is the number of social items on offer and the pull is set by
   ``broadcast_share`` s (:func:`broadcast_pull`): facing exactly ``k``
   social items, a watcher of every broadcast channel gives them a share s;
   facing more, less. Social slots beyond what the feed offers go to
   broadcast as well (:func:`broadcast_slots`). The social slots pick distinct
   items uniformly from the feed (:func:`choose`); the broadcast slots are
   shared among the channels the person watches (:func:`split_slots`).
4. **Reshares.** Each social item seen is reshared with probability
   ``reshare``; it is offered to the resharer's followers at ``t + 1``.

A user channel is a producer's own posts, wherever they travel; a view is one
item seen by one person in one step (a person may see an item again later if
another followee reshares it); the reach of a channel is the number of
distinct people who saw at least one of its items.

Modules: :mod:`~sim.attention.following` (the follow graph),
:mod:`~sim.attention.slots` (the attention slots), :mod:`~sim.attention.model`
(:class:`AttentionModel`), :mod:`~sim.attention.concentration` (the
concentration and overlap measures) and :mod:`~sim.attention.plots` (its
figures).

Random streams (:class:`sim.streams.Streams`): ``network`` (follow graph),
``attention.producers`` (who publishes: a fixed random order, the first
``producers x n`` do, so the sets are nested), ``attention.watchers``,
``attention.posts``, ``attention.broadcast``, ``attention.feeds``,
``attention.reshares``.

Examples
--------
>>> m = AttentionModel("fragmentation", seed=1, overrides={"network.n": 2000, "run.steps": 10}).run()
>>> s = m.summary()
>>> s["producers"], s["steps_run"], int(m.timeseries()["views"].sum()) == s["views"]
(400, 10, True)
>>> 0.85 < s["broadcast_reach"] < 0.95      # 90 % watch the broadcast channel
True

References
----------
Weng, L., Flammini, A., Vespignani, A. & Menczer, F. (2012). Competition among memes in a world with
limited attention. Scientific Reports 2:335.
Webster, J. G. & Ksiazek, T. B. (2012). The dynamics of audience fragmentation: public attention in an
age of digital media. Journal of Communication 62(1).
Ehrenberg, A. S. C., Goodhardt, G. J. & Barwise, T. P. (1990). Double jeopardy revisited. Journal of
Marketing 54(3).
"""

from sim.attention.following import follow_graph
from sim.attention.model import SHIPPED_RANGES, TIMESERIES_COLUMNS, AttentionModel
from sim.attention.slots import broadcast_pull, broadcast_slots, choose, split_slots

__all__ = ["AttentionModel", "follow_graph", "broadcast_pull", "broadcast_slots", "choose", "split_slots",
           "SHIPPED_RANGES", "TIMESERIES_COLUMNS"]
