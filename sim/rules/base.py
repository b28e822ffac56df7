"""The protocol every word-of-mouth rule follows.

A rule is a class. The engine (:mod:`sim.engine`) makes one instance per run
or replicate block from the scenario's ``wom`` section and calls it at fixed
points of the synchronous step, over the flat state of R replicates (person i
of replicate r is entry ``r * n + i`` of every array). What a rule declares:

``name``, ``label``
    Its value of ``wom.rule`` and its name in figures and the browser app.
``params``
    Its :class:`~sim.params.Param` entries (keys ``wom.*``). ``bouche show``,
    validation and the sweep designs read them from the registry
    (:mod:`sim.rules`). Two rules may share a parameter by listing the same
    ``Param`` object.
``monotone``
    Whether adoption is for good. Monotone rules are event-driven: a person
    can only start to qualify when a contact has just adopted, so only those
    are re-evaluated. A non-monotone rule may also name people who leave
    (:meth:`Rule.leavers`); the time series then gains ``new_leavers`` and
    ``leavers`` columns.
``draws``
    Uniforms per person and step that the engine draws for the rule from
    each replicate's ``wom`` stream (0 or 1), handed to :meth:`Rule.decide`
    as ``u``. Rules needing more draw from their own named streams
    (:meth:`Rule.setup`).
``wants_edges``
    Whether :meth:`Rule.pushed` needs the positions of the edges each push
    went along (independent cascades draw one coin per edge).
``orders``
    The values of ``run.order`` it can run under (``"synchronous"``: everyone
    may decide in every step; ``"sequential"``: one person per step). The
    rule reads the order from ``eng.order``.
``push_watch``
    What the engine's compiled push (the CPU with Numba, :mod:`sim.compiled`)
    hands to :meth:`Rule.pushed` as ``moved`` instead of every hit:
    ``("need", key)``, only the non-adopters whose count just reached their
    need ``state[key]`` (the count rules); ``("term", term, weight)``, no one,
    having kept ``state[term] = counts × state[weight]`` up to date for every
    person hit (Bass in replicate blocks of small graphs); ``("count",)``, no
    one, the rule reading the counts as it decides (Bass on the CPU with
    Numba). Rules must give the same result either way: without Numba, on a
    GPU and for their own counts, ``moved`` is every hit.
``adopter_counts``
    Whether the rule reads the counts of people who have adopted (default
    True). Monotone rules that read only non-adopters' counts (the count
    rules, Bass) say False: with one replicate on the CPU with Numba, once
    a push would cost more than recounting the non-adopters, the engine
    recounts those alone, reading only their rows, and the adopters' counts
    lag until someone asks for them (:meth:`sim.engine.Engine.exact_counts`,
    which the model's ``counts`` calls). A subclass that reads adopters'
    counts must say True.
``lazy_draws``
    Whether :meth:`Rule.decide` takes its uniforms lazily: on the CPU with
    Numba and one replicate, ``u`` is then a :class:`sim.engine.LazyDraws`,
    whose ``at(people)`` draws only those people's numbers (the same as
    everyone's draw would give them; Bass, once few are left), whose
    ``stream()`` hands over the generator itself to a compiled pass that makes
    everyone's draws as it reads each person (Bass, while many are left), and
    which behaves as everyone's draws when used as an array.
``media_each``
    Whether it reads each medium apart: :meth:`Rule.decide` then gets, in
    place of the summed persuasion, one entry per medium (None while it is
    off, else a flat array with 1.0 for the people it reached this step),
    the engine draws no uniforms for media persuasion, and whether the run
    can still change is the rule's say alone (:meth:`Rule.may_change`).
``replicate_state``
    Entries of its state that hold a fixed number of values per replicate
    (not one per person), joined end to end like the rest.
``columns``, ``column_types``
    Per-step values it adds to the time series, from :meth:`Rule.counted`:
    counts by default (names starting ``new_`` also get their running total,
    named without the prefix), or the dtype ``column_types`` gives.

What a rule does, in the order the engine calls it:

:meth:`setup`
    Per replicate, on the host, before seeding: its per-person state (arrays
    of n entries, joined end to end across replicates) and per-replicate
    values (random streams, keys; kept as lists).
:meth:`pushed`
    After each step's adopters (and the seeds) reached their contacts:
    update its state from the people whose count of adopted contacts moved.
:meth:`decide`
    Who adopts this step, by media and by word of mouth (sorted flat
    indices), from the state at the end of the last step.
:meth:`leavers`
    Non-monotone rules: who drops out this step.
:meth:`may_change`
    Per replicate, whether word of mouth can still change anything (the
    ``quiescent`` stop rule).
:meth:`credit`
    Only while the adoptions table is recorded (:mod:`sim.adoptions`; one
    replicate, on the host, after the step): the contact each word-of-mouth
    adopter of the step is credited to. The default is the contact who
    adopted last before the step (:func:`latest_contact`); independent cascades
    credit the contact whose push succeeded. It never changes the run.

Every method gets the engine, whose arrays are NumPy or CuPy alike
(``eng.xp``); with dense pushes (``eng.be.dense``, the GPU's way) a rule should
prefer element-wise passes to sorts. See ``docs/extending.md`` for a worked
example.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sim.arrays import row_positions
from sim.params import Param

__all__ = ["Rule", "joined", "latest_contact"]


def joined(parts: list, xp, n: int, offset: bool = False):
    """The replicates' pieces of one piece of state, end to end.

    Arrays of n entries are concatenated (a single replicate's array is used
    as is); with ``offset``, arrays of indices are shifted by ``r * n`` first;
    anything else becomes a list of the replicates' values.

    Examples
    --------
    >>> joined([np.array([1, 2]), np.array([3, 4])], np, 2)
    array([1, 2, 3, 4])
    >>> joined([np.array([1]), np.array([0])], np, 2, offset=True)
    array([1, 2])
    >>> joined([7, 8], np, 2), joined([[7], [8, 9]], np, 2)
    ([7, 8], [7, 8, 9])
    """
    if not parts or parts[0] is None:
        return None
    if isinstance(parts[0], list):  # per-replicate values of blocks already joined
        return [v for p in parts for v in p]
    if not hasattr(parts[0], "dtype") or not getattr(parts[0], "ndim", 0):
        return list(parts)
    if len(parts) == 1:
        return parts[0]
    if offset:
        return xp.concatenate([p + r * n for r, p in enumerate(parts)])
    return xp.concatenate(parts)


def latest_contact(graph, adopted_at: np.ndarray, people: np.ndarray, t: int) -> np.ndarray:
    """For each of ``people`` (who adopted in step ``t``): the contact who adopted last before step ``t``
    (ties: the lowest index), or -1 when no contact had adopted.

    The default credit of a word-of-mouth adoption (:meth:`Rule.credit`): among the contacts who had
    adopted by the end of the previous step, whom any rule's decision could read, the most recent one,
    which for a threshold is the one that tipped the person over. ``adopted_at`` is -1 for people who
    have not adopted (or left).

    Examples
    --------
    >>> from sim.networks import ring
    >>> at = np.array([0, 3, -1, 1, 5, 2])  # ring of 6, two contacts each: i-1 and i+1
    >>> latest_contact(ring(6, 2), at, np.array([2, 4]), 5).tolist()  # 2: 1 (at 3), 3 (at 1); 4: 3 (1), 5 (2)
    [1, 5]
    """
    people = np.asarray(people, dtype=np.int64)
    out = np.full(len(people), -1, dtype=np.int64)
    if not len(people):
        return out
    if graph.complete:  # everyone's contacts: the last adopters before t, the lowest index among them
        before = np.flatnonzero((adopted_at >= 0) & (adopted_at < t))
        if len(before):
            last = adopted_at[before].max()
            out[:] = before[adopted_at[before] == last][0]
        return out
    n = graph.n
    contact = graph.in_indices[row_positions(np, graph.in_indptr, people)].astype(np.int64)
    if not len(contact):
        return out
    at = adopted_at[contact].astype(np.int64)
    # one key per contact, largest for the latest adoption and then the lowest index; -1 for the others
    key = np.where((at >= 0) & (at < t), at * n + (n - 1 - contact), -1)
    lens = (graph.in_indptr[people + 1] - graph.in_indptr[people]).astype(np.int64)
    has = lens > 0
    starts = np.cumsum(lens) - lens  # each person's contacts lie together, in the order of people
    best = np.full(len(people), -1, dtype=np.int64)
    best[has] = np.maximum.reduceat(key, starts[has])
    found = best >= 0
    out[found] = n - 1 - best[found] % n
    return out


class Rule:
    """Base class of word-of-mouth rules; see the module notes for the protocol."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    monotone: ClassVar[bool] = True
    draws: ClassVar[int] = 0
    wants_edges: ClassVar[bool] = False
    orders: ClassVar[tuple[str, ...]] = ("synchronous",)
    media_each: ClassVar[bool] = False
    push_watch: ClassVar[tuple] = ()  # () every hit; ("need", key); ("term", term key, weight key); ("count",)
    lazy_draws: ClassVar[bool] = False  # decide may get a sim.engine.LazyDraws for u (see the module's summary)
    adopter_counts: ClassVar[bool] = True  # whether it reads adopters' counts (False lets them lag: see above)
    # state entries holding flat indices (shifted by r*n when replicates are joined)
    index_state: ClassVar[tuple[str, ...]] = ()
    replicate_state: ClassVar[tuple[str, ...]] = ()
    reveals: ClassVar[str] = ""  # what the app's picture hides until asked (e.g. "private hints")
    columns: ClassVar[tuple[str, ...]] = ()
    column_types: ClassVar[dict] = {}  # column -> dtype of the rule's own columns (default int64 counts)

    def __init__(self, values: dict):
        """``values``: the scenario's ``wom`` section (every ``wom.*`` key, without the prefix)."""
        self.values = values

    # -- description ----------------------------------------------------------

    @classmethod
    def detail(cls, values: dict) -> str:
        """The rule's settings in a few words, for figure subtitles (``values``: dotted keys)."""
        return ""

    @classmethod
    def controls(cls, values: dict) -> dict:
        """Sliders of the browser app: ``{dotted key: Solara user-parameter dict}`` (``values``: dotted keys)."""
        return {}

    # -- set-up (per replicate, on the host) ------------------------------------

    def setup(self, model, target) -> dict:
        """The rule's state for one replicate: ``{name: array of n entries, or any per-replicate value}``.

        ``model`` is the :class:`~sim.model.DiffusionModel` being built (its
        ``graph``, ``n``, ``degree`` and named ``streams``); ``target`` the
        backend the run will use (for device generators:
        ``target.generator(model.streams.get("wom", "mine"))``).
        """
        return {}

    def holders(self, state: dict):
        """People (host indices of one replicate) who hold the adopted state before step 0, beside the
        campaign's seeds (opinion rules: those whose opinion starts above 1/2); None for nobody."""
        return None

    def thresholds(self, state: dict):
        """Each person's threshold, for :attr:`sim.model.Person.threshold` (None if the rule has none)."""
        return None

    # -- dynamics (all replicates at once) --------------------------------------

    def pushed(self, eng, new, moved, edges) -> None:
        """The people ``new`` (flat, distinct) just reached their contacts; ``eng.counts`` is up to date.

        ``moved``: the people whose count moved (unsorted, repeats allowed),
        or None when everyone may have moved. ``edges``: ``(positions,
        offsets)`` of the edges pushed along (offsets ``r * n`` of each edge's
        replicate, or None for one replicate) when :attr:`wants_edges`, else None.
        """

    def decide(self, eng, u, media_term):
        """``(new_by_media, new_by_wom)``: sorted flat indices of the non-adopters who adopt this step.

        ``u`` holds this step's uniforms when the rule draws or a medium is on
        (None once everyone has adopted); ``media_term`` the media's
        persuasion (None, one number for everyone, or an array of R·n).
        """
        return eng.media_only(u, media_term, eng.nobody)

    def leavers(self, eng, t: int):
        """Non-monotone rules: sorted flat indices of the adopters who leave this step."""
        return eng.nobody

    def may_change(self, eng, n_new: np.ndarray) -> np.ndarray:
        """Per replicate (host bool array of R), whether word of mouth may still change the state.

        ``n_new``: each replicate's number of new adopters this step.
        """
        return np.zeros(eng.R, dtype=bool)

    def credit(self, eng, new_wom, t: int, pushers) -> np.ndarray:
        """The contact each of ``new_wom`` (word-of-mouth adopters of step ``t``, flat, sorted) is credited
        to: flat indices, -1 for none. ``pushers``: the people who adopted in step ``t - 1`` (the seeds for
        step 1), whose adoption reached their contacts at its end.

        Called only while the adoptions table is recorded (one replicate, on the host, after the step),
        so it may take its time; it must change nothing. Default: :func:`latest_contact`.
        """
        return latest_contact(eng.graph, eng.adopted_at, new_wom, t)

    def counted(self, eng) -> dict:
        """This step's value of each of :attr:`columns`: an int per column for one replicate, else a host array of R."""
        return {}

    # -- results (per replicate, on the host) -----------------------------------

    def describe(self, summary: dict) -> list[str]:
        """Lines ``bouche run`` prints about the keys :meth:`summary` added (none by default)."""
        return []

    def picture(self, model, reveal: bool = False):
        """A live picture of the rule's own state for the browser app (RGBA pixels, drawn in place of the
        network), or None (the default: the network). ``reveal``: show what the class is meant to guess
        (what :attr:`reveals` names; the app then offers a box to show it during the run)."""
        return None

    def summary(self, state: dict, model) -> dict:
        """Keys the rule adds to ``summary.json``, from one replicate's ``state`` after its run
        (:meth:`sim.engine.Engine.rule_state`: its own slice of each entry, indices its own)."""
        return {}
