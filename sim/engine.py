"""The step, written once: R replicates of one design point on one graph, as one flat state.

:class:`Engine` holds the state of R replicates end to end (person i of
replicate r is entry ``r * n + i`` of every array) and advances them all by
one synchronous step: media contacts, the word-of-mouth rule's decision
(:mod:`sim.rules`), adoptions (and, for non-monotone rules, people leaving),
pushes along the shared graph, observers, recording and the stop rule.
:class:`~sim.model.DiffusionModel` is the case R = 1; the replicate blocks of
:mod:`sim.batch` join R fresh models into one engine and only schedule. Each
replicate keeps its own random streams (its per-step uniforms are its own
draw, copied into its slice), its own stop step and its own record, so the
results are those of R separate runs, bit for bit.

Steps are synchronous: decisions in step t read the state at the end of step
t-1. Every adoption records its step and its channel (seed, media, word of
mouth). Pushes are event-driven: only the contacts of the step's new adopters
see their counts change (:meth:`sim.backend.Backend.add_hits`). The array
code is NumPy or CuPy alike (``xp``); the state moves between devices through
:meth:`Engine.move` alone.

Examples
--------
>>> import sim
>>> m = sim.DiffusionModel("bass", seed=1, overrides={"network.n": 300, "run.steps": 5})
>>> eng = m.engine
>>> (eng.R, eng.n, eng.rule.name, bool(np.shares_memory(eng.adopted, m.state.adopted)))  # the same arrays
(1, 300, 'bass', True)
"""

from __future__ import annotations

import numpy as np

from sim import compiled, records
from sim.arrays import compact_indptr
from sim.mechanisms.media import uniform_term
from sim.population import MEDIA, SEED, WOM
from sim.rules.base import joined

__all__ = ["Engine", "LazyDraws", "RECORD_COLUMNS"]

RECORD_COLUMNS = ("adopters", "new_adopters", "new_by_seed", "new_by_media", "new_by_wom", "media_contacts")
_STATE = ("adopted", "adopted_at", "channel", "counts")


class LazyDraws:
    """One replicate's uniforms of a step, drawn when the rule asks (rules with ``lazy_draws``, on the CPU).

    :meth:`everyone` draws them all, as the engine otherwise does;
    :meth:`at` only those of some people, by skipping ahead in the stream
    (:func:`sim.compiled.draws_at`): the same numbers either way, and the
    generator left in the same place (:meth:`settle` moves it there if the
    rule drew nothing). Used as an array, it is everyone's draws.
    """

    def __init__(self, eng):
        self._eng, self._all, self._drawn = eng, None, False

    def everyone(self) -> np.ndarray:
        """Everyone's uniforms (drawn on the first call)."""
        if self._all is None:
            self._take()
            self._all = self._eng.uniforms([self._eng.models[0].wom_rng.random])
        return self._all

    def at(self, positions) -> np.ndarray:
        """The uniforms of the people ``positions`` (sorted, distinct), in their order."""
        if self._all is not None:
            return self._all[positions]
        self._take()
        return compiled.draws_at(self._eng.models[0].wom_rng, positions, self._eng.n)

    def stream(self):
        """The generator whose next n doubles are everyone's draws, for a compiled pass that draws them as it
        reads each person (:func:`sim.compiled.bass_decide`); None if it cannot (not NumPy's PCG64). The
        caller must leave it where n draws leave it."""
        rng = self._eng.models[0].wom_rng
        if self._all is not None or type(rng.bit_generator) is not np.random.PCG64:
            return None
        self._take()
        return rng

    def settle(self) -> None:
        """Leave the generator where drawing everyone leaves it, if nothing was drawn."""
        if not self._drawn:
            self.at(np.zeros(0, dtype=np.int64))

    def _take(self) -> None:
        if self._drawn:
            raise RuntimeError("a step's uniforms are drawn once: keep what at() returned")
        self._drawn = True

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.everyone(), dtype=dtype)

    def __getitem__(self, key):
        return self.everyone()[key]

    def __len__(self) -> int:
        return self._eng.n


class Engine:
    """The state of R replicates and the one synchronous step that advances them.

    Build one with :meth:`single` (a model's own, R = 1) or :meth:`join`
    (a block of fresh models on one shared graph). Attributes the rules use:
    ``R``, ``n``, ``size`` (R·n), ``xp``, ``be`` (the backend), ``graph``,
    ``complete``, ``out`` (the out-rows on the device), ``dt``, the flat
    arrays ``adopted``, ``adopted_at``, ``channel``, ``counts`` (adopted
    contacts at the end of the last step; for rules whose
    :attr:`~sim.rules.base.Rule.adopter_counts` is False, only the
    non-adopters' are sure to be: :meth:`exact_counts` brings the others
    up to date, and the model's ``counts`` calls it), ``data`` (the rule's own state),
    ``n_adopted`` (host int64 per replicate) and ``nobody`` (no one, as an
    index array).
    """

    def __init__(self, models, rule, be, arrays: dict, data: dict, n_adopted, rec: dict):
        first = models[0]
        self.models, self.rule, self.be, self.xp = list(models), rule, be, be.xp
        self.R, self.n = len(models), first.n
        self.size = self.R * self.n
        self.graph, self.complete = first.graph, first.graph.complete
        self.dt, self.max_steps, self.stop_rule, self.order = first.dt, first.max_steps, first.stop_rule, first.order
        self.adopted, self.adopted_at, self.channel, self.counts = (arrays[k] for k in _STATE)
        self.data = data
        self.n_adopted = np.asarray(n_adopted, dtype=np.int64)
        self.rec = rec
        self.out = None if self.complete else self.graph.out_rows
        self.matrix = None
        self.nobody = be.xp.zeros(0, dtype=be.xp.int64)
        self.draw_u = rule.draws > 0 or (bool(first.media) and not rule.media_each)
        self.stopped_at = np.full(self.R, -1, dtype=np.int64)
        self.steps = 0
        self._none = np.zeros(self.R, dtype=np.int64)  # no seeds after step 0
        self._buffers: dict = {}
        # adopters' counts may lag behind (rules that read only non-adopters', one replicate, compiled pushes):
        # then the edges into non-adopters are kept, and _lagging says whether the adopters' counts lag now
        self._left_edges = None
        self._lagging = False
        if self.R == 1 and rule.monotone and not rule.adopter_counts and not self.complete:
            held = int(self.graph.in_degree[self.adopted].sum(dtype=np.int64)) if self.adopted.any() else 0
            self._left_edges = int(self.graph.in_indices.size) - held
        indices = None if self.complete else self.out[1]
        self.flat_type = (indices.dtype if indices is not None and self.size < np.iinfo(indices.dtype).max
                          else np.int64)

    # -- building ---------------------------------------------------------------------------------

    @classmethod
    def single(cls, model, rule, host, data: dict) -> "Engine":
        """A model's own engine (R = 1), on the host: the model's arrays, not copies."""
        st = model.state
        counts = np.empty(model.n, dtype=np.int32)
        counts.fill(0)  # its memory touched in order now (0.04 s at 6.8e7) rather than at random by the first push
        arrays = {"adopted": st.adopted, "adopted_at": st.adopted_at, "channel": st.channel, "counts": counts}
        cols = {**dict.fromkeys(RECORD_COLUMNS, np.int64), "cost": np.float64}
        if not rule.monotone:
            cols["new_leavers"] = np.int64
        cols.update({c: rule.column_types.get(c, np.int64) for c in rule.columns})
        rec = records.new_records(cols, model.max_steps, replicates=1)
        data = {k: joined([v], np, model.n) for k, v in data.items()}  # per-replicate values become lists of one
        eng = cls([model], rule, host, arrays, data, [st.n_adopted], rec)
        eng._hand_back()
        return eng

    @classmethod
    def join(cls, engines: list) -> "Engine":
        """One engine over the replicates of ``engines`` (fresh single engines, one graph, one device)."""
        first = engines[0]
        xp, n = first.xp, first.n
        for e in engines:
            e.exact_counts()
        arrays = {k: xp.concatenate([getattr(e, k) for e in engines]) for k in _STATE}
        data = {k: joined([e.data[k] for e in engines], xp, n, offset=k in first.rule.index_state)
                for k in first.data}
        rec = records.new_records({c: a.dtype for c, a in first.rec.items()}, first.max_steps,
                                  replicates=len(engines))
        for c, rows in rec.items():
            rows[:, 0] = [e.rec[c][0, 0] for e in engines]
        models = [m for e in engines for m in e.models]
        eng = cls(models, first.rule, first.be, arrays, data, np.concatenate([e.n_adopted for e in engines]), rec)
        eng._hand_back()
        return eng

    def move(self, target) -> None:
        """Put every array the steps touch on ``target``'s device (set-up runs on the host)."""
        self.exact_counts()  # (the seeds' push may have let adopters' counts lag: brought up to date here)
        self.be, self.xp = target, target.xp
        arrays = target.move({k: getattr(self, k) for k in _STATE})
        self.adopted, self.adopted_at, self.channel, self.counts = (arrays[k] for k in _STATE)
        self.data = target.move(self.data)
        self.nobody = target.asarray(self.nobody)
        if not self.complete:
            self.out = tuple(target.asarray(a) for a in self.graph.out_rows)
            if target.uses_matrix and self.R == 1:
                g = self.graph
                self.matrix = target.adjacency(self.n, g.in_indptr, g.in_indices)
        for m in self.models:
            for medium in m.media:
                medium.audience = None if medium.audience is None else target.asarray(medium.audience)
        self._hand_back()

    def _hand_back(self, host: bool = False) -> None:
        """Point each model's state at its slice of the block (copies on the host with ``host``)."""
        get = self.be.to_host if host else (lambda a: a)
        for r, m in enumerate(self.models):
            sl = slice(None) if self.R == 1 else slice(r * self.n, (r + 1) * self.n)
            st = m.state
            st.adopted, st.adopted_at = get(self.adopted[sl]), get(self.adopted_at[sl])
            st.channel = get(self.channel[sl])
            st.n_adopted = int(self.n_adopted[r])
            m.counts = get(self.counts[sl])
            if host:
                for medium in m.media:
                    medium.audience = None if medium.audience is None else get(medium.audience)

    # -- helpers for rules --------------------------------------------------------------------------

    def per_replicate(self, flat) -> np.ndarray:
        """How many of the flat people ``flat`` (sorted) each replicate has (host int64 array of R; an int for one)."""
        if self.R == 1:
            return len(flat)
        bounds = self.xp.arange(self.R + 1, dtype=self.xp.int64) * self.n
        return np.diff(self.be.to_host(self.xp.searchsorted(flat, bounds))).astype(np.int64)

    def per_replicate_any(self, mask) -> np.ndarray:
        """Per replicate (host bool array of R), whether ``mask`` (flat) holds anywhere in its slice."""
        if self.R == 1:
            return np.array([bool(self.xp.any(mask))])
        return self.be.to_host(mask.reshape(self.R, self.n).any(axis=1))

    def uniforms(self, draws, only=None):
        """Each replicate's own uniforms, end to end: ``draws[r](n)`` into replicate r's slice.

        ``only`` (host bool per replicate) skips the replicates that need no
        draw (their slice keeps stale values; the caller must not read it).
        With one replicate, its draw itself (None when skipped).
        """
        if self.R == 1 and not (only is None or only[0]):
            return None
        # a buffer per stream (its first generator), kept from step to step: NumPy draws into it, rather than
        # into fresh memory that the system must hand over page by page (8 bytes a person each step)
        source = getattr(draws[0], "__self__", None)
        into = self.xp is np and isinstance(source, np.random.Generator)
        if self.R == 1 and not into:
            return draws[0](self.n)
        key = ("uniforms", id(source) if into else id(draws[0]))
        buf = self._buffers.get(key)
        if buf is None:
            buf = self._buffers[key] = self.xp.empty(self.size)
        for r, draw in enumerate(draws):
            if only is None or only[r]:
                if into:
                    draw(out=buf[r * self.n:(r + 1) * self.n])  # the numbers of draw(n), in place
                else:
                    buf[r * self.n:(r + 1) * self.n] = draw(self.n)
        return buf

    def media_only(self, u, media_term, fired):
        """``(new_by_media, new_by_wom)`` for rules whose word of mouth is certain where it ``fired``.

        Word of mouth wins where the rule fired (the person would have adopted
        anyway); elsewhere media persuade a non-adopter with probability
        ``min(1, media_term × dt)``, decided by ``u``.
        """
        if media_term is None or u is None:
            return self.nobody, fired
        xp = self.xp
        mask = xp.zeros(self.size, dtype=bool)
        mask[fired] = True
        by_media = ~mask & (u < xp.minimum(1.0, media_term * self.dt))
        return xp.flatnonzero(by_media & ~self.adopted), fired

    # -- the step -------------------------------------------------------------------------------------

    def seed(self, seeds, cost: float) -> None:
        """Step 0: the seeds adopt (one replicate, on the host) and reach their contacts."""
        self._adopt(seeds, 0, SEED)
        self.n_adopted[0] += len(seeds)
        self._push(seeds)
        own = self.rule.counted(self) if self.rule.columns else None  # the rule's measures of the start
        self._record(0, len(seeds), 0, 0, None, 0, float(cost), own)
        self._hand_back()

    def step(self, t: int) -> None:
        """Advance every replicate by step ``t`` (stopped ones too: they cannot change)."""
        xp, rule = self.xp, self.rule
        media_term, contacts, cost = self._media(t)
        u = None
        if self.draw_u:  # each replicate's own draw, none once all adopted (a twin still drawing gets its own)
            if rule.lazy_draws and self.R == 1 and self.xp is np and compiled.use(self.size):
                u = LazyDraws(self) if self.n_adopted[0] < self.n else None
            else:
                u = self.uniforms([m.wom_rng.random for m in self.models], only=self.n_adopted < self.n)
        new_media, new_wom = rule.decide(self, u, media_term)
        if isinstance(u, LazyDraws):
            u.settle()
        left = None if rule.monotone else rule.leavers(self, t)  # from the state at the end of t-1
        self._adopt(new_media, t, MEDIA)
        self._adopt(new_wom, t, WOM)
        by_media, by_wom = self.per_replicate(new_media), self.per_replicate(new_wom)
        self.n_adopted += by_media + by_wom
        by_left = None
        if left is not None:
            by_left = self.per_replicate(left)
            self.n_adopted -= by_left
            self.adopted[left] = False
            self.adopted_at[left] = -1
            self.channel[left] = -1
        self._push(new_wom if not len(new_media) else new_media if not len(new_wom)
                   else xp.concatenate((new_media, new_wom)))
        if left is not None and len(left):
            self._push(left, sign=-1)
        self._observe(t, media_term, new_media, new_wom)
        self._record(t, 0 if self.R == 1 else self._none, by_media, by_wom, by_left, contacts, cost,
                     rule.counted(self) if rule.columns else None)
        self._stops(t, by_media + by_wom)

    def _media(self, t: int):
        """``(media_term, contacts, cost)`` of step t: the term None, one number or an R·n array.

        Contacts and cost per replicate: arrays of R, or numbers for one replicate.
        """
        R, n = self.R, self.n
        media = self.models[0].media
        if not media:
            return (None, 0, 0.0) if R == 1 else (None, np.zeros(R, dtype=np.int64), np.zeros(R))
        if self.rule.media_each:
            return self._media_each(t)
        uniform = uniform_term(media, t, n)  # media that draw nothing: the same for all
        if uniform is not None:
            if R == 1:
                return uniform
            term, c, k = uniform
            return term, np.full(R, c, dtype=np.int64), np.full(R, k, dtype=np.float64)
        contacts, cost = np.zeros(R, dtype=np.int64), np.zeros(R)
        term = None
        for j, medium in enumerate(media):
            if not medium.is_on(t):
                continue
            if term is None:
                term = self.xp.zeros(self.size, dtype=self.xp.float64)
            for r, m in enumerate(self.models):
                own = m.media[j]
                c = own.contact(term if R == 1 else term[r * n:(r + 1) * n], own.rng)
                contacts[r] += c
                cost[r] += c * medium.cost_per_contact
        return (term, contacts[0], cost[0]) if R == 1 else (term, contacts, cost)

    def _media_each(self, t: int):
        """:meth:`_media` for rules that read each medium apart (``media_each``): one entry per medium."""
        R, n = self.R, self.n
        terms, contacts, cost = [], np.zeros(R, dtype=np.int64), np.zeros(R)
        for j, medium in enumerate(self.models[0].media):
            if not medium.is_on(t):
                terms.append(None)
                continue
            term = self.xp.zeros(self.size, dtype=self.xp.float64)
            for r, m in enumerate(self.models):
                own = m.media[j]
                c = own.contact(term if R == 1 else term[r * n:(r + 1) * n], own.rng, value=1.0)
                contacts[r] += c
                cost[r] += c * medium.cost_per_contact
            terms.append(term)
        return (terms, int(contacts[0]), float(cost[0])) if R == 1 else (terms, contacts, cost)

    def _adopt(self, idx, t: int, channel: int) -> None:
        if len(idx):
            self.adopted[idx], self.adopted_at[idx], self.channel[idx] = True, t, channel

    def _push(self, new, sign: int = 1) -> None:
        """The people ``new`` (distinct) reach their contacts: counts move by ``sign``; the rule hears of adoptions."""
        edges = None
        if self.rule.wants_edges and not self.complete and len(new):
            edges, moved = self._push_edges(new, sign)
        else:
            moved = self.reach(self.counts, new, sign, self.rule.push_watch if sign > 0 else ())
        if sign > 0:
            self.rule.pushed(self, new, moved, edges)

    def reach(self, counts, new, sign: int = 1, watch: tuple = ()):
        """Add ``sign`` to ``counts`` (flat, R·n) of every contact of the people ``new`` (flat, distinct).

        Returns the people whose count moved (unsorted, repeats allowed), or
        None when everyone may have moved (see :meth:`sim.backend.Backend.add_hits`).
        The engine's own pushes go through it; rules may keep counts of their own with it.
        ``watch`` is the rule's :attr:`~sim.rules.base.Rule.push_watch`: on the CPU with
        Numba, the compiled push then hands back only the people it names (or no one).
        """
        be, n = self.be, self.n
        if not len(new):
            return None
        if self.complete:
            counts += sign * len(new)
            counts[new] -= sign
            return None
        indptr, indices = self.out
        if compiled.use(self.size) and be.device == "cpu" and not be.dense and self.matrix is None:
            return self._reach_compiled(counts, new, sign, watch)
        if self.R == 1:
            return be.add_hits(counts, indptr, indices, new, self.matrix, sign)
        rows = new % n
        # r*n of the replicate each gathered edge belongs to, in the indices' type while the flat
        # index fits (halves the bytes the hits move, and int32 sorts twice as fast)
        base = (new - rows).astype(self.flat_type)
        if be.dense:
            pos, src = be.positions(indptr, rows, sources=True)
            hits = indices[pos] + base[src]
        else:  # the rows in one gather, each row's offset repeated over its entries
            hits = be.gather(indptr, indices, rows).astype(self.flat_type, copy=False)
            hits += np.repeat(base, indptr.take(rows + 1) - indptr.take(rows))
        return be.count_hits(counts, hits, sign)

    def _reach_compiled(self, counts, new, sign: int, watch: tuple):
        """:meth:`reach` in one compiled pass over the edges (:func:`sim.compiled.push`): the same counts."""
        indptr, indices = self.out
        new = np.asarray(new, dtype=np.int64)
        rows = new if self.R == 1 else new % self.n
        # the hits to come, from the contacts' counts (in memory) rather than the row pointers (perhaps a file)
        total = int(self.graph.out_degree.take(rows).sum(dtype=np.int64))
        # (monotone rules only: a step's leavers are out of `adopted` before its adopters are pushed)
        mine = counts is self.counts and self.rule.monotone
        if mine and self._left_edges is not None:  # the edges into non-adopters, now that `new` adopted
            self._left_edges -= total if not self.graph.directed else int(
                self.graph.in_degree.take(rows).sum(dtype=np.int64))
            # recount the non-adopters alone when that reads fewer edges than PULL_LEFT times the push's hits (a
            # bit a person is read too), or a full recount would be due: it reads every edge
            if (self._left_edges + self.n // 2 < compiled.PULL_LEFT * total
                    or total >= compiled.PULL_FROM * indices.size):
                compiled.pull(*self._in_rows(), self.n, self.adopted, counts, left_only=True)
                self._lagging = True
                return None
        if mine and total >= compiled.PULL_FROM * self.R * indices.size:
            compiled.pull(*self._in_rows(), self.n, self.adopted, counts)  # recount everyone: cheaper
            self._lagging = False
            return None
        if total * 8 >= counts.size:  # as many hits as that: everyone may have moved (as add_hits)
            compiled.push(indptr, indices, new, self.n, counts, sign, compiled.PUSH_COUNT)
            return None
        if not watch:
            out = np.empty(total, dtype=indices.dtype if self.R == 1 else self.flat_type)
            compiled.push(indptr, indices, new, self.n, counts, sign, compiled.PUSH_HITS, out=out)
            return out
        if watch[0] == "count":  # the rule reads the counts when it decides
            compiled.push(indptr, indices, new, self.n, counts, sign, compiled.PUSH_COUNT)
            return self.nobody
        data = self.data
        if watch[0] == "need":
            out = np.empty(min(total, self.size), dtype=np.int64)
            k = compiled.push(indptr, indices, new, self.n, counts, sign, compiled.PUSH_NEED,
                              need=data[watch[1]], adopted=self.adopted, out=out)
            return out[:k]
        compiled.push(indptr, indices, new, self.n, counts, sign, compiled.PUSH_TERM,
                      term=data[watch[1]], weight=data[watch[2]])
        return self.nobody

    def exact_counts(self):
        """``counts``, with the adopters' brought up to date if they lag (one pull; see :attr:`Rule.adopter_counts`)."""
        if self._lagging:
            compiled.pull(*self._in_rows(), self.n, self.adopted, self.counts)
            self._lagging = False
        return self.counts

    def _in_rows(self):
        """The incoming rows (row v lists whom v hears) on the host, row pointers in int32 where they fit."""
        if not self.graph.directed:
            return self.out
        if "_in" not in self._buffers:
            self._buffers["_in"] = (compact_indptr(self.graph.in_indptr), self.graph.in_indices)
        return self._buffers["_in"]

    def _push_edges(self, new, sign: int):
        """:meth:`reach` for rules that want the edges' positions: ``((positions, offsets), moved)``."""
        be, indptr, indices = self.be, *self.out
        if self.R == 1:
            pos = be.positions(indptr, new)
            return (pos, None), be.count_hits(self.counts, indices[pos], sign)
        rows = new % self.n
        base = (new - rows).astype(self.flat_type)
        pos, src = be.positions(indptr, rows, sources=True)
        off = base[src]
        return (pos, off), be.count_hits(self.counts, indices[pos] + off, sign)

    def _observe(self, t: int, media_term, new_media, new_wom) -> None:
        """Call each model's observers with its own view: ``observer(model, t, media_term, new_media, new_wom)``."""
        n = self.n
        for r, m in enumerate(self.models):
            m.state.n_adopted = int(self.n_adopted[r])
            if not m.observers:
                continue
            if self.R == 1:
                own = (media_term, new_media, new_wom)
            else:
                lo, hi = r * n, (r + 1) * n
                cut = lambda a: a[int(self.xp.searchsorted(a, lo)):int(self.xp.searchsorted(a, hi))] - lo  # noqa: E731
                term = media_term[lo:hi] if getattr(media_term, "ndim", 0) else media_term
                own = (term, cut(new_media), cut(new_wom))
            for observer in m.observers:
                observer(m, t, *own)

    def _record(self, t, by_seed, by_media, by_wom, by_left, contacts, cost, extra=None) -> None:
        rec = records.ensure_row(self.rec, t, self.max_steps)
        r = 0 if self.R == 1 else slice(None)  # one replicate: numbers into a cell, no slices
        rec["adopters"][r, t] = self.n_adopted[r]
        rec["new_adopters"][r, t] = by_seed + by_media + by_wom
        rec["new_by_seed"][r, t] = by_seed
        rec["new_by_media"][r, t] = by_media
        rec["new_by_wom"][r, t] = by_wom
        rec["media_contacts"][r, t] = contacts
        rec["cost"][r, t] = cost
        if by_left is not None:
            rec["new_leavers"][r, t] = by_left
        if extra:
            for col, v in extra.items():
                rec[col][r, t] = v
        self.steps = t

    def _stops(self, t: int, n_new: np.ndarray) -> None:
        """Note the replicates whose run stops after step ``t``: at ``run.steps``, or when nothing can change."""
        if self.R == 1:  # the same rule, with numbers rather than arrays (a step's fixed cost)
            self._stop_one(t, n_new)
            return
        live = self.stopped_at < 0
        if t >= self.max_steps:
            self.stopped_at[live] = t
            return
        if self.stop_rule != "quiescent":
            return
        monotone = self.rule.monotone
        may = live & (self.n_adopted < self.n) if monotone else live.copy()
        left = np.zeros(self.R, dtype=bool)
        if may.any() and not self.rule.media_each:
            for medium in self.models[0].media:
                if medium.may_act_after(t):
                    aud = slice(None) if medium.audience is None else medium.audience
                    if self.R == 1:
                        left |= not bool(self.adopted[aud].all())
                    else:
                        left |= self.be.to_host((~self.adopted.reshape(self.R, self.n)[:, aud]).any(axis=1))
        if (may & ~left).any():
            left |= self.rule.may_change(self, n_new)
        self.stopped_at[may & ~left] = t
        if monotone:
            self.stopped_at[live & (self.n_adopted >= self.n)] = t

    def _stop_one(self, t: int, n_new: np.ndarray) -> None:
        """:meth:`_stops` for one replicate."""
        if self.stopped_at[0] >= 0:
            return
        if t >= self.max_steps:
            self.stopped_at[0] = t
            return
        if self.stop_rule != "quiescent":
            return
        if self.rule.monotone and self.n_adopted[0] >= self.n:
            self.stopped_at[0] = t
            return
        for medium in () if self.rule.media_each else self.models[0].media:
            if medium.may_act_after(t) and not bool(self.adopted[slice(None) if medium.audience is None
                                                                 else medium.audience].all()):
                return
        if not self.rule.may_change(self, np.array((n_new,)))[0]:
            self.stopped_at[0] = t

    def rule_state(self, r: int) -> dict:
        """Replicate r's own part of the rule's state, on the host: its slice of each per-person array
        (indices made its own), its values of the per-replicate entries (:attr:`Rule.replicate_state`)."""
        R, n, rule, out = self.R, self.n, self.rule, {}
        for k, v in self.data.items():
            if isinstance(v, list):
                out[k] = v[r] if len(v) == R else v
            elif getattr(v, "ndim", 0) == 1 and (k in rule.replicate_state or len(v) == self.size):
                m = len(v) // R
                own = self.be.to_host(v[r * m:(r + 1) * m])
                out[k] = own - r * n if k in rule.index_state and R > 1 else own
            else:
                out[k] = v
        return out

    def run(self) -> list:
        """Step until every replicate has stopped; hand each model its own results; returns the models."""
        while (self.stopped_at < 0).any():
            self.step(self.steps + 1)
        self.finish()
        return self.models

    def finish(self) -> None:
        """After the last step: each model gets its state on the host, its record and its step count."""
        self._hand_back(host=True)
        for r, m in enumerate(self.models):
            m.steps_run = int(self.stopped_at[r])
            m.running = False
            m.rule_state = self.rule_state(r)
            if self.R > 1:
                m.own_record({c: rows[r].copy() for c, rows in self.rec.items()})
