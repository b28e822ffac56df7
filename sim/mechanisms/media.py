"""Mass media: broadcast contacts to everyone or to a targeted audience, at a cost.

Each step a medium that is on contacts each member of its audience
independently with probability ``reach``; a contacted non-adopter then adopts
with probability ``p`` (see :mod:`sim.rules.bass` for the joint decision
with word of mouth). With ``reach = 1`` and the whole population as audience,
``p`` is Bass's coefficient of innovation. Every contact costs
``cost_per_contact``, adopters included: an impression is paid whether or not it
persuades.

Examples
--------
>>> import numpy as np
>>> m = Medium(name="tv", p=0.1, reach=0.5, start=1, stop=None, cost_per_contact=2.0, audience=None)
>>> term = np.zeros(1000)
>>> n_contacts = m.contact(term, np.random.default_rng(0))
>>> 400 < n_contacts < 600, float(term.max())
(True, 0.1)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.errors import ConfigError

__all__ = ["Medium", "audience", "uniform_term"]


@dataclass
class Medium:
    """One medium: its persuasion ``p``, ``reach`` per step, schedule, cost and audience."""

    name: str
    p: float
    reach: float
    start: int
    stop: int | None
    cost_per_contact: float
    audience: np.ndarray | None  # indices of people it can reach; None = everyone

    def is_on(self, step: int) -> bool:
        """Whether the medium runs in ``step`` (steps start at 1)."""
        return step >= self.start and (self.stop is None or step <= self.stop)

    def may_act_after(self, step: int) -> bool:
        """Whether it can still persuade anyone after ``step``."""
        return self.p > 0 and self.reach > 0 and (self.stop is None or self.stop > step)

    def audience_size(self, n: int) -> int:
        return n if self.audience is None else len(self.audience)

    def contact(self, media_term: np.ndarray, rng: np.random.Generator, value: float | None = None) -> int:
        """Draw this step's contacts, add ``p`` (or ``value``) to ``media_term`` of those contacted.

        One uniform per audience member is drawn every step the medium is on,
        so the stream stays aligned whatever happens elsewhere; none when
        ``reach >= 1``, since everyone is contacted whatever the draw (the
        medium's own stream is the only one that would move). Returns the number
        of contacts.
        """
        size = self.audience_size(len(media_term))
        add = self.p if value is None else value
        if self.reach >= 1.0:
            if self.audience is None:
                media_term += add
            else:
                media_term[self.audience] += add
            return size
        hit = rng.random(size) < self.reach
        if self.audience is None:
            media_term[hit] += add
        else:
            media_term[self.audience[hit]] += add
        return int(np.count_nonzero(hit))


def uniform_term(media: list, step: int, n: int):
    """``(media_term, contacts, cost)`` of ``step`` as numbers, when the media on reach everyone alike.

    Where every medium on in ``step`` is a plain :class:`Medium` with
    ``reach >= 1`` and no audience (Bass's innovation term), each of the
    ``n`` people gets the same persuasion, and :meth:`Medium.contact` draws
    nothing: the per-person array it would fill holds one number, the sum of
    the media's ``p`` (added in the same order, so the same float). None when
    some medium on reaches only some people; ``(None, 0, 0.0)`` when none is on.

    Examples
    --------
    >>> tv = Medium(name="tv", p=0.03, reach=1.0, start=1, stop=None, cost_per_contact=0.5, audience=None)
    >>> uniform_term([tv], 1, 1000)
    (0.03, 1000, 500.0)
    >>> uniform_term([tv], 0, 1000)
    (None, 0, 0.0)
    """
    term, contacts, cost = None, 0, 0.0
    for m in media:
        if not m.is_on(step):
            continue
        if type(m) is not Medium or m.reach < 1.0 or m.audience is not None:
            return None
        term = 0.0 + float(m.p) if term is None else term + float(m.p)
        contacts += n
        cost += n * m.cost_per_contact
    return term, contacts, cost


def audience(spec: dict, label: str, out_degree: np.ndarray, segments: np.ndarray | None,
             segment_names: list[str] | None) -> np.ndarray | None:
    """Indices of the people a medium can reach, from its ``target`` setting.

    ``all`` gives ``None`` (everyone); ``top_degree`` the ``audience`` fraction of
    people with the most contacts they influence (ties broken by index);
    ``segment`` the members of one community.

    Examples
    --------
    >>> audience({"target": "top_degree", "audience": 0.5}, "media", np.array([1, 5, 3, 5]), None, None)
    array([1, 3])
    """
    target = spec["target"]
    n = len(out_degree)
    if target == "all":
        return None
    if target == "top_degree":
        size = max(1, int(round(spec["audience"] * n)))
        order = np.argsort(-out_degree, kind="stable")[:size]
        return np.sort(order).astype(np.int64)
    if segments is None:
        raise ConfigError(f"{label}.target", "= segment needs a network with segments (stochastic_block, or a "
                                             "graph file with a 'segment' or 'community' node attribute); "
                                             "this network has none")
    names = segment_names or [str(i) for i in range(int(segments.max()) + 1)]
    wanted = str(spec["segment"])
    if wanted not in names:
        raise ConfigError(f"{label}.segment", f"must be one of the network's segments ({', '.join(names[:10])}"
                                              f"{', ...' if len(names) > 10 else ''}); got {spec['segment']!r}")
    return np.flatnonzero(segments == names.index(wanted))
