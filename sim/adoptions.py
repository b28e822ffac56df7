"""Who adopted, when, through which channel, and from whom: the adoptions table and its diffusion trees.

:class:`AdoptionLog` is an observer (:attr:`sim.model.DiffusionModel.observers`):
after each step it notes the step's adopters and, for each word-of-mouth
adoption, the contact it is credited to, which the word-of-mouth rule decides
(:meth:`sim.rules.base.Rule.credit`: for independent cascades the contact whose
push succeeded; for the other rules the contact who adopted last before the
step, the lowest index on a tie). Observers only read, so a run logged gives
the numbers of a run that is not. :func:`table` is the log as a DataFrame, one
row per adoption (people named by their labels: a file's own ids, a graph's
node names), which ``bouche run`` writes as ``adoptions.parquet`` (or ``.csv``).

:func:`tree_measures` reads the diffusion trees the credits draw: every
seeded or media adoption (and a word-of-mouth one credited to nobody) starts
a tree, every credited one hangs below its source. Their size, depth and
structural virality, the mean distance between two people of a tree (Goel,
Anderson, Hofman & Watts 2016): about 2 for a broadcast, where one source
reaches everyone directly, and growing with the length of the chains of
person-to-person spreading.

The log is kept by :func:`sim.run` for runs of at most :data:`MAX_PEOPLE`
people unless told otherwise (``adoptions=True`` or ``False``; ``bouche run
--adoptions``): above that, the table of a large run is a file of many
megabytes and its credits take a noticeable share of the run.

References
----------
Goel, S., Anderson, A., Hofman, J. & Watts, D. J. (2016). The structural
virality of online diffusion. Management Science 62(1), 180–196.

Examples
--------
>>> import sim
>>> r = sim.run("bass", seed=1, overrides={"network.kind": "erdos_renyi", "network.n": 500, "run.steps": 30})
>>> r.adoptions.columns.tolist()
['person', 'step', 'channel', 'source']
>>> int((r.adoptions["channel"] == "wom").sum()) == r.summary["adopters_by_channel"]["wom"]
True
>>> sorted(r.trees)[:3]
['credited', 'largest_tree', 'max_depth']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.population import CHANNELS, MEDIA, SEED, WOM

__all__ = ["MAX_PEOPLE", "AdoptionLog", "attach", "table", "tree_measures", "wanted"]

MAX_PEOPLE = 100_000  # sim.run keeps the adoptions table for runs of at most this many people, unless told


class AdoptionLog:
    """An observer noting each adoption of a single run: person, step, channel and credited source (flat indices).

    Attach it before the first step (:func:`attach`): the seeds of step 0 are read from the state then.
    """

    def __init__(self, model):
        st = model.state
        seeds = np.flatnonzero(st.channel == SEED).astype(np.int64)
        self.parts = [(seeds, np.zeros(len(seeds), dtype=np.int64), np.full(len(seeds), SEED, dtype=np.int8),
                       np.full(len(seeds), -1, dtype=np.int64))]
        self.pushers = seeds  # the people whose adoption reached their contacts at the end of the last step

    @classmethod
    def of(cls, person, step, channel, source) -> "AdoptionLog":
        """A log holding the given adoptions (arrays of equal length; channel codes of :mod:`sim.population`)."""
        log = cls.__new__(cls)
        log.parts = [tuple(np.asarray(a, dtype=d) for a, d in zip((person, step, channel, source),
                                                                  (np.int64, np.int64, np.int8, np.int64)))]
        log.pushers = np.zeros(0, dtype=np.int64)
        return log

    def __call__(self, model, t, media_term, new_media, new_wom) -> None:
        new_media, new_wom = np.asarray(new_media, dtype=np.int64), np.asarray(new_wom, dtype=np.int64)
        people = np.concatenate((new_media, new_wom))
        if len(people):
            source = model.rule.credit(model.engine, new_wom, t, self.pushers)
            channel = np.concatenate((np.full(len(new_media), MEDIA, dtype=np.int8),
                                      np.full(len(new_wom), WOM, dtype=np.int8)))
            self.parts.append((people, np.full(len(people), t, dtype=np.int64), channel,
                               np.concatenate((np.full(len(new_media), -1, dtype=np.int64), source))))
        self.pushers = np.sort(people)  # who reached their contacts at the end of this step

    def arrays(self) -> tuple[np.ndarray, ...]:
        """``(person, step, channel code, source)`` of every adoption so far, in step order."""
        return tuple(np.concatenate(cols) for cols in zip(*self.parts))


def wanted(model, asked: bool | None) -> bool:
    """Whether :func:`sim.run` keeps the adoptions table: as ``asked``, else for adoption models of at most
    :data:`MAX_PEOPLE` people. Models without people on a graph (``model = attention``, ``market``) have none."""
    if not hasattr(model, "observers") or not hasattr(model, "engine"):
        return False
    return model.n <= MAX_PEOPLE if asked is None else bool(asked)


def attach(model) -> AdoptionLog:
    """Start logging the adoptions of ``model`` (a single run, before its first step; CPU only)."""
    if getattr(getattr(model, "backend", None), "device", "cpu") != "cpu":
        from sim.errors import ConfigError

        raise ConfigError("adoptions", "are recorded on the CPU only (device = cpu); got device = gpu")
    log = AdoptionLog(model)
    model.observers.append(log)
    return log


def table(log: AdoptionLog, labels=None) -> pd.DataFrame:
    """The adoptions of ``log``: one row per adoption, in step order: ``person``, ``step``, ``channel``
    (seed, media, wom) and ``source`` (the credited contact of a word-of-mouth adoption, else empty).
    People are named by ``labels`` (the graph's node labels) where given, else by index."""
    person, step, code, source = log.arrays()
    names = np.arange(int(max(person.max(initial=-1), source.max(initial=-1))) + 1) if labels is None else labels
    channel = pd.Categorical.from_codes(code.astype(np.int64), categories=list(CHANNELS))
    has, known = source >= 0, names[np.maximum(source, 0)] if len(names) else source
    if names.dtype.kind in "iu":  # integer names: a nullable integer column
        src = pd.array(known.astype(np.int64), dtype="Int64")
        src[~has] = pd.NA
    else:
        src = pd.Series(known, dtype=object).where(has, None)
    return pd.DataFrame({"person": names[person], "step": step, "channel": channel, "source": src})


def tree_measures(log: AdoptionLog) -> dict:
    """Summary measures of the diffusion trees of a run's adoptions (see the module notes).

    ``trees`` (how many; a person nobody is credited with starts one), ``credited`` (word-of-mouth
    adoptions credited to a contact), ``largest_tree`` (people in it), ``max_depth`` and ``mean_depth``
    (steps of credit from a tree's root: 0 for the root), ``structural_virality`` (of the largest tree)
    and ``mean_structural_virality`` (over the trees of two people or more; None when there are none).

    Examples
    --------
    >>> chain = AdoptionLog.of(range(4), range(4), [SEED, WOM, WOM, WOM], [-1, 0, 1, 2])  # 0 -> 1 -> 2 -> 3
    >>> m = tree_measures(chain)
    >>> m["trees"], m["largest_tree"], m["max_depth"], round(m["structural_virality"], 4)
    (1, 4, 3, 1.6667)
    """
    person, step, _, source = log.arrays()
    return _measures(_parents(person, step, source))


def _parents(person: np.ndarray, step: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Each adoption's parent: the row of its source's latest adoption before it (-1: a root). People who
    adopt again (rules where adopters may leave) are one row, one node, per adoption."""
    m = len(person)
    parent = np.full(m, -1, dtype=np.int64)
    has = np.flatnonzero(source >= 0)
    if not len(has):
        return parent
    span = int(step.max()) + 2
    key = person * span + step  # rows by person, then step
    order = np.argsort(key, kind="stable")
    at = np.searchsorted(key[order], source[has] * span + step[has], side="left") - 1
    ok = at >= 0
    rows = order[np.maximum(at, 0)]
    ok &= person[rows] == source[has]
    parent[has[ok]] = rows[ok]
    return parent


def _measures(parent: np.ndarray) -> dict:
    m = len(parent)
    if m == 0:
        return {"trees": 0, "credited": 0, "largest_tree": 0, "max_depth": 0, "mean_depth": 0.0,
                "structural_virality": None, "mean_structural_virality": None}
    roots = np.flatnonzero(parent < 0)
    child = np.flatnonzero(parent >= 0)
    kids_of = np.bincount(parent[child], minlength=m)
    indptr = np.concatenate(([0], np.cumsum(kids_of)))
    by_parent = child[np.argsort(parent[child], kind="stable")]
    depth = np.zeros(m, dtype=np.int64)
    root = np.arange(m)
    levels, frontier = [], roots
    while True:  # level by level from the roots: the depth and the root of each node
        kids = by_parent[_rows(indptr, frontier)]
        if not len(kids):
            break
        depth[kids] = depth[parent[kids]] + 1
        root[kids] = root[parent[kids]]
        levels.append(kids)
        frontier = kids
    size = np.ones(m, dtype=np.int64)  # people in each node's subtree, leaves first
    for kids in reversed(levels):
        size += np.bincount(parent[kids], weights=size[kids], minlength=m).astype(np.int64)
    total = size[root]  # the size of each node's tree
    # Wiener index of each tree: each edge is on the path of size below x size above pairs
    wiener = np.bincount(root[child], weights=(size[child] * (total[child] - size[child])).astype(float), minlength=m)
    sizes = size[roots]
    pairs = sizes * (sizes - 1) / 2
    virality = np.divide(wiener[roots], pairs, out=np.full(len(roots), np.nan), where=pairs > 0)
    big = int(np.argmax(sizes))
    multi = sizes >= 2
    return {"trees": int(len(roots)), "credited": int(len(child)), "largest_tree": int(sizes[big]),
            "max_depth": int(depth.max()), "mean_depth": float(depth.mean()),
            "structural_virality": None if sizes[big] < 2 else float(virality[big]),
            "mean_structural_virality": float(virality[multi].mean()) if multi.any() else None}


def _rows(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The positions of the CSR rows ``rows``, concatenated."""
    from sim.arrays import row_positions

    return row_positions(np, indptr, rows)
