"""Random sequential updates, exactly, in vectorised batches.

Most published results on opinion dynamics assume *random sequential* updates:
at each tick one random person acts (with a partner), and n ticks make one
step (a "sweep"). Written as a Python loop that is about a microsecond of
interpreter per tick at best. :func:`run_ticks` gives the same result, tick for
tick, by applying ticks in batches in which no tick reads or writes anyone an
earlier tick of the same batch wrote: such ticks commute, so applying them at
once equals applying them in order. Each batch is the longest run of ticks
from where the last one ended that has no such conflict; with random actors on
n people batches hold about √n ticks (√(n/k) when a tick reads k contacts), so
a sweep costs a few thousand NumPy calls rather than n interpreter rounds.

A tick's random numbers are drawn beforehand for every tick (from the rule's
own stream), so a tick whose partner depends on the state (the algorithmic
bias) gets the same draw whether it lands at the end of one batch attempt or
the start of the next: partners are chosen from the state at the start of the
batch, which is the state the tick would see, because nothing it reads changed
in the batch before it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["run_ticks"]

_NONE = np.iinfo(np.int64).max


def run_ticks(n_people: int, n_ticks: int, choose, reads, writes, apply, window: int = 64) -> int:
    """Run ticks ``0 .. n_ticks - 1`` in order, exactly; returns the number of batches applied.

    Parameters
    ----------
    n_people : int
        People the ticks refer to (indices below it).
    n_ticks : int
        Ticks to run.
    choose : callable
        ``choose(ts) -> partner``: the partner of each tick in ``ts`` (an int64
        array of tick numbers, in order), from the current state; -1 for no
        interaction. It may read only what ``reads`` declares.
    reads, writes : callable
        ``reads(ts, partner) -> (people, owner)`` and the same for writes: the
        people each tick reads (its writes included) or writes, as two flat
        arrays, ``owner`` the position in ``ts`` of the tick.
    apply : callable
        ``apply(ts, partner)``: apply the ticks ``ts`` at once (they touch
        disjoint people, and none reads what another writes).
    window : int
        The first batch attempt's length (it adapts to the batches found).

    Examples
    --------
    A chain of copies: person t+1 copies person t, tick by tick; applied in
    order, everyone ends with person 0's value.

    >>> x = np.arange(6.0)
    >>> choose = lambda ts: ts  # tick t: person t+1 reads person t
    >>> rw = lambda ts, p: (np.concatenate([ts + 1, p]), np.concatenate([np.arange(len(ts))] * 2))
    >>> w = lambda ts, p: (ts + 1, np.arange(len(ts)))
    >>> def apply(ts, p):
    ...     x[ts + 1] = x[p]
    >>> run_ticks(6, 5, choose, rw, w, apply)
    5
    >>> x
    array([0., 0., 0., 0., 0., 0.])
    """
    first = np.full(n_people, _NONE, dtype=np.int64)  # first writer (position in the window) of each person
    t0 = batches = 0
    while t0 < n_ticks:
        ts = np.arange(t0, min(n_ticks, t0 + window), dtype=np.int64)
        partner = choose(ts)
        wp, wo = writes(ts, partner)
        rp, ro = reads(ts, partner)
        np.minimum.at(first, wp, wo)
        late = ro[first[rp] < ro]  # ticks that read (or write) someone an earlier tick wrote
        end = int(late.min()) if late.size else len(ts)
        first[wp] = _NONE
        apply(ts[:end], partner[:end])
        batches += 1
        t0 += end
        window = max(16, 2 * end) if end < len(ts) else 2 * window
    return batches
