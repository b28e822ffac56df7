"""Compiled loops for country-sized populations, where Numba is installed (``pip install 'bouche[fast]'``).

Each kernel here does in one pass what the NumPy code of the same name does
in several, with the same result bit for bit: the NumPy code stays the
reference (and the way without Numba), and the tests compare the two.

- :func:`pair_degrees` and :func:`pair_fill` build a symmetric CSR straight
  from the sorted pair positions of an Erdős–Rényi draw (a counting sort:
  each row's entries arrive in increasing order, so no sort is needed);
- :func:`edges_csr` does the same for any pairs given in chunks (the
  community graph), then sorts each row and drops repeats and self-loops;
- :func:`push` adds a push to the counts of the contacts of new adopters and
  reports the people whose count reached their need (the count rules), or
  refreshes a hazard ``counts × weight`` (Bass), or hands back every hit;
- :func:`pull` recounts everyone's adopted contacts in one sequential pass
  over the edges, which is cheaper than pushing once a step's adopters reach
  a fifth of them (a direction-optimising step, as in Beamer et al.'s
  breadth-first search, SC 2012), or the non-adopters' alone, reading only
  their rows (for rules that never read an adopter's count);
- :func:`bass_decide` is the Bass decision in one pass, with the hazard
  kept or worked out from the counts as it is read;
- :func:`draws_at` gives the uniforms ``rng.random(n)`` would give a few
  people, skipping the others in NumPy's PCG64 stream (a Bass step late in
  a run, when few are left to decide).

At country scale most of the time goes in waiting for memory read at
random (a contact's count, a row of the graph): the push, the pull and the
builders ask for what they will read a few iterations ahead (LLVM's
prefetch, :func:`_prefetch_intrinsic`), which makes them 1.2 to 2 times quicker.

:data:`AVAILABLE` says whether Numba can be imported. Kernels are compiled on
first use and cached on disk (a second or two the first time).
"""

from __future__ import annotations

import importlib.util
import math

import numpy as np

from sim.arrays import compact_indptr, drain

__all__ = ["AVAILABLE", "FROM", "use", "kernel", "pair_degrees", "pair_fill", "edges_csr", "push", "pull",
           "bass_decide", "draws_at", "PUSH_HITS", "PUSH_NEED", "PUSH_TERM", "PUSH_COUNT", "PULL_FROM",
           "PULL_LEFT"]

AVAILABLE = importlib.util.find_spec("numba") is not None and importlib.util.find_spec("llvmlite") is not None
FROM = 100_000  # people from which the compiled paths are taken (below, NumPy is as quick and Numba's import is not)
_KERNELS: dict = {}
# compiled helpers the kernels call
_rank_jit = _unrank_gaps_jit = _mulhi_jit = _muladd_jit = _jump_jit = _credit_jit = None
_pcg_double_jit = _pcg_step_jit = None
_prefetch = None  # _prefetch(array, i): ask for array[i]'s cache line now (set by kernel: an LLVM intrinsic)
_AHEAD_ROW, _AHEAD_HITS = 32, 8  # how far ahead the push fetches rows and their hits (best of 16/4, 32/8, 64/16)
_AHEAD_BITS = 128  # how many edges ahead the pull fetches a contact's bit (128: 1.8 s a pull at 6.8e7, 32: 2.1 s)

# what :func:`push` does besides counting: list every hit, list who reached their need, refresh a hazard, nothing
PUSH_HITS, PUSH_NEED, PUSH_TERM, PUSH_COUNT = 0, 1, 2, 3
PULL_FROM = 1 / 5  # share of all edges a step's pushes reach from which recounting everyone (pull) is cheaper
# recounting the non-adopters alone is cheaper than a push once their edges are fewer than PULL_LEFT times the
# push's hits (at 6.8e7 people, their rows lie apart: 5-12 ns an edge read, against 15-21 ns a count pushed)
PULL_LEFT = 2


def use(n: int) -> bool:
    """Whether to take the compiled path for a population of ``n`` (Numba installed and n >= :data:`FROM`).

    Either path gives the same numbers; below :data:`FROM` people the NumPy code is about as quick, and a
    short run would spend more on importing Numba (about half a second) than it saves.
    """
    return AVAILABLE and n >= FROM


def kernel(name: str):
    """The compiled kernel ``name`` (all of this module's kernels compile on the first call)."""
    if not _KERNELS:
        import numba

        jit = numba.njit(cache=True, nogil=True)
        global _rank_jit, _prefetch, _unrank_gaps_jit, _mulhi_jit, _jump_jit, _credit_jit
        global _muladd_jit, _pcg_double_jit, _pcg_step_jit
        _rank_jit, _prefetch, _unrank_gaps_jit = jit(_rank), _prefetch_intrinsic(), jit(_unrank_gaps)
        _mulhi_jit = _mulhi_intrinsic()
        _muladd_jit = jit(_muladd)
        _pcg_double_jit = jit(_pcg_double)
        _pcg_step_jit = jit(_pcg_step)
        _jump_jit = jit(_jump)
        _credit_jit = jit(_credit)
        _KERNELS.update(block_pairs=jit(_block_pairs), pair_degrees=jit(_pair_degrees), pair_fill=jit(_pair_fill),
                        push=jit(_push), pull=jit(_pull), pull_left=jit(_pull_left),
                        edge_degrees=jit(_edge_degrees), edge_fill=jit(_edge_fill), rows_distinct=jit(_rows_distinct),
                        bass=jit(_bass), bass_lean=jit(_bass_lean), draws_at=jit(_draws_at))
    return _KERNELS[name]


def _prefetch_intrinsic():
    """``prefetch(array, i)`` for compiled code: LLVM's prefetch of ``array[i]`` (a hint: it reads nothing)."""
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic

    @intrinsic
    def prefetch(typingctx, array, i):
        def codegen(context, builder, signature, args):
            kind = signature.args[0]
            data = context.make_array(kind)(context, builder, args[0])
            at = cgutils.get_item_pointer(context, builder, kind, data, [args[1]], wraparound=False,
                                          boundscheck=False)
            byte, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
            fn = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.VoidType(), [byte, i32, i32, i32]), "llvm.prefetch.p0")
            builder.call(fn, [builder.bitcast(at, byte), i32(0), i32(3), i32(1)])  # read, keep, data
            return context.get_dummy_value()

        return types.void(array, i), codegen

    return prefetch


def _unrank_gaps(gaps, L, last, j, s, I, J):
    # the pairs of one chunk of geometric gaps: positions last + gaps[0], + gaps[1], ... while below L, as sorted
    # linear upper-triangle indices l = s_j + i (s_j = j(j-1)/2, i < j); (j, s) the row of the last pair seen:
    # positions only grow, so the row is found by stepping forward (no square roots). Returns how many were used
    m = 0
    for k in range(len(gaps)):
        last += gaps[k]
        if last >= L:
            break
        while last >= s + j:
            s += j
            j += 1
        I[k] = last - s
        J[k] = j
        m += 1
    return m, last, j, s


def _pair_degrees(gaps, L, last, j, s, cnt, I, J, keep, keeping):
    m, last, j, s = _unrank_gaps_jit(gaps, L, last, j, s, I, J)
    fits = True
    if keeping:  # the gaps for the second pass, as uint32
        for k in range(m):
            g = gaps[k]
            fits = fits and g < 4294967296
            keep[k] = g
    for k in range(m):  # the smaller ends are anywhere: fetched ahead
        if k + _AHEAD_HITS < m:
            _prefetch(cnt, I[k + _AHEAD_HITS])
        cnt[I[k]] += 1
        cnt[J[k]] += 1
    return m, last, j, s, fits


def _pair_fill(gaps, L, last, j, s, cursor, out, I, J):
    m, last, j, s = _unrank_gaps_jit(gaps, L, last, j, s, I, J)
    for k in range(m):  # each smaller end's cursor fetched ahead, then where it points
        if k + 2 * _AHEAD_HITS < m:
            _prefetch(cursor, I[k + 2 * _AHEAD_HITS])
        if k + _AHEAD_HITS < m:
            _prefetch(out, cursor[I[k + _AHEAD_HITS]])
        i, jj = I[k], J[k]
        out[cursor[jj]] = i
        cursor[jj] += 1
        out[cursor[i]] = jj
        cursor[i] += 1
    return last, j, s


def _push(indptr, indices, new, n, counts, sign, mode, need, adopted, term, weight, out):
    # new: sorted flat people (replicate r's person i is r*n + i); rows of the shared graph. Random reads wait on
    # memory, so each adopter's row is fetched AHEAD_ROW adopters ahead, and what its hits touch AHEAD_HITS ahead.
    # One replicate (counts of n) needs no r*n: three integer divisions an adopter spared, 15 % of the push
    k = 0
    last = len(new)
    one = len(counts) == n
    for a in range(last):
        if a + _AHEAD_ROW < last:
            f = new[a + _AHEAD_ROW]
            _prefetch(indices, indptr[f if one else f - (f // n) * n])
        if a + _AHEAD_HITS < last:
            f = new[a + _AHEAD_HITS]
            b = 0 if one else (f // n) * n
            for e in range(indptr[f - b], indptr[f - b + 1]):
                v = b + indices[e]
                _prefetch(counts, v)
                if mode == 1:
                    _prefetch(need, v)
                elif mode == 2:
                    _prefetch(term, v)
                    _prefetch(weight, v)
        flat = new[a]
        base = 0 if one else (flat // n) * n
        row = flat - base
        for e in range(indptr[row], indptr[row + 1]):
            v = base + indices[e]
            c = counts[v] + sign
            counts[v] = c
            if mode == 0:
                out[k] = v
                k += 1
            elif mode == 1:
                if c == need[v] and not adopted[v]:
                    out[k] = v
                    k += 1
            elif mode == 2:
                term[v] = c * weight[v]
    return k


def _pull(indptr, indices, n, bits, counts):
    # counts[r*n + v] = the adopted in-contacts of v in replicate r; bits: adopted, packed (little bit order)
    # (the bit of the contact _AHEAD_BITS edges on is fetched ahead: twice as quick at 6.8e7 people)
    R = len(counts) // n
    last = indptr[n]
    for r in range(R):
        base = r * n
        for v in range(n):
            c = 0
            for e in range(indptr[v], indptr[v + 1]):
                if e + _AHEAD_BITS < last:
                    _prefetch(bits, (base + indices[e + _AHEAD_BITS]) >> 3)
                u = base + indices[e]
                c += (bits[u >> 3] >> (u & 7)) & 1
            counts[base + v] = c


def _pull_left(indptr, indices, n, bits, counts):
    # _pull for the non-adopters alone (adopters' counts left as they are). Their rows lie apart, so a scan
    # runs ahead listing the next ones (a ring of 64): each row is fetched _AHEAD_ROW non-adopters ahead, and
    # the bits its contacts hold _AHEAD_HITS ahead (without it, a row's wait for memory costs ten times the row)
    ring = np.empty(64, np.int64)
    R = len(counts) // n
    for r in range(R):
        base = r * n
        head = tail = scan = 0
        while True:
            while tail - head < _AHEAD_ROW and scan < n:
                at = base + scan
                if at & 7 == 0 and bits[at >> 3] == 255 and scan + 8 <= n:  # eight adopters: skipped at once
                    scan += 8
                    continue
                if not (bits[at >> 3] >> (at & 7)) & 1:
                    ring[tail & 63] = scan
                    tail += 1
                    _prefetch(indices, indptr[scan])
                scan += 1
            if head == tail:
                break
            v = ring[head & 63]
            head += 1
            if head + _AHEAD_HITS <= tail:
                w = ring[(head + _AHEAD_HITS - 1) & 63]
                for e in range(indptr[w], indptr[w + 1]):
                    _prefetch(bits, (base + indices[e]) >> 3)
            c = 0
            for e in range(indptr[v], indptr[v + 1]):
                u = base + indices[e]
                c += (bits[u >> 3] >> (u & 7)) & 1
            counts[base + v] = c


def pull(indptr, indices, n: int, adopted, counts, left_only: bool = False) -> None:
    """Recount everyone's adopted contacts from ``adopted`` along the incoming rows (one sequential pass).

    The same counts as pushing every adoption so far, found by reading each
    edge once in order against a bit per person (an eighth of a byte, so the
    people's bits stay in cache): cheaper than a push once a step's pushes
    reach a fifth of the edges (:data:`PULL_FROM`: a push moves a count at random, a
    pull reads an edge in order and a bit at random: 17-21 against 2.6-2.9 ns an edge at 6.8e7 people).
    ``left_only`` recounts the non-adopters alone, reading only their rows (:data:`PULL_LEFT`).
    """
    kernel("pull_left" if left_only else "pull")(indptr, indices, n, np.packbits(adopted, bitorder="little"), counts)


def _edge_degrees(u, v, cnt):
    for k in range(len(u)):
        cnt[u[k]] += 1
        cnt[v[k]] += 1


def _edge_fill(u, v, cursor, out):
    for k in range(len(u)):
        a, b = u[k], v[k]
        out[cursor[a]] = b
        cursor[a] += 1
        out[cursor[b]] = a
        cursor[b] += 1


def _rank(u, size):  # as sim.networks.generators._ranks, one draw
    x = u * (math.sqrt(size + 1.0) - 1.0) + 1.0
    x = x * x - 1.0
    k = np.int64(x)
    return k if k < size - 1 else size - 1


def _block_pairs(own, u, offs, sizes, count, far, a, b):
    # the pairs of sim.networks.generators.communities for one chunk: inside (far False) or to another community
    for e in range(len(own)):
        c = own[e]
        a[e] = offs[c] + _rank_jit(u[0, e], sizes[c])
        if far:
            d = (c + 1 + np.int64(u[1, e] * (count - 1))) % count
            b[e] = offs[d] + _rank_jit(u[2, e], sizes[d])
        else:
            b[e] = offs[c] + _rank_jit(u[1, e], sizes[c])


def _rows_distinct(ptr, out):
    # sort each row, drop repeats and the row's own id, close the gaps (writes never pass the reads)
    n = len(ptr) - 1
    w = 0
    start = ptr[0]
    for r in range(n):
        end = ptr[r + 1]
        row = out[start:end]
        if end - start <= 32:  # insertion sort: most rows are short
            for i in range(1, end - start):
                x = row[i]
                j = i - 1
                while j >= 0 and row[j] > x:
                    row[j + 1] = row[j]
                    j -= 1
                row[j + 1] = x
        else:
            row.sort()
        first = w
        for k in range(end - start):
            x = row[k]
            if x != r and (w == first or out[w - 1] != x):
                out[w] = x
                w += 1
        ptr[r] = first
        start = end
    ptr[n] = w
    return w


def edges_csr(chunks, n: int, keep: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The symmetric CSR (rows sorted, no repeats, no self-loops) of the pairs an iterable yields.

    ``chunks`` is a function returning a fresh iterator of ``(u, v)`` arrays,
    the same pairs each time (walked twice: counting, then filling; once if
    ``keep``, which holds the pairs for the second pass instead of drawing them again).
    The same arrays as :func:`sim.networks.from_edges` on all the pairs at once,
    without holding them: peak memory is the graph with its repeats, and one
    chunk (or every pair, 8 bytes each, if ``keep``).
    """
    cnt = np.zeros(n, np.int32)
    kept = [] if keep else None
    for u, v in chunks():
        kernel("edge_degrees")(u, v, cnt)
        if keep:
            kept.append((u, v))
    size = int(cnt.sum(dtype=np.int64))
    kind = np.int32 if size < 2**31 - 1 else np.int64  # row pointers in 32 bits where every position fits
    ptr = np.zeros(n + 1, kind)
    np.cumsum(cnt[:-1], dtype=kind, out=ptr[2:])
    out = np.empty(size, np.int32)
    del cnt
    for u, v in (drain(kept) if keep else chunks()):
        kernel("edge_fill")(u, v, ptr[1:], out)
    w = kernel("rows_distinct")(ptr, out)
    return compact_indptr(ptr), (out[:w].copy() if w < 0.9 * len(out) else out[:w])


def _bass(u, media, media_each, term, dt, adopted, among, use_among, by_media, by_wom, compact):
    # sim.rules.bass.bass_adopters in one pass: the same operations on each person, in the same order
    # (compact: u[a] is the draw of among[a], as from draws_at, rather than u[i] of everyone's)
    k_m = k_w = 0
    count = len(among) if use_among else len(u)
    for a in range(count):
        i = among[a] if use_among else a
        x = u[a] if compact else u[i]
        m = media[i] if media_each else media[0]
        total = m + term[i]
        rate = total if dt == 1.0 else total * dt
        if x < rate and not adopted[i]:
            k_m, k_w = _credit_jit(i, x, m, total, rate, by_media, by_wom, k_m, k_w)
    return k_m, k_w


def _credit(i, x, m, total, rate, by_media, by_wom, k_m, k_w):
    # adopter i, whose draw x passed rate (= total * dt), goes to media if x is below the media share of the
    # probability min(1, rate), as sim.rules.bass.bass_adopters has it, else to word of mouth
    prob = rate if rate < 1.0 else 1.0
    if m != 0.0 and x < prob * (m / total):
        by_media[k_m] = i
        return k_m + 1, k_w
    by_wom[k_w] = i
    return k_m, k_w + 1


def _bass_lean(u, media, me, dt, adopted, among, use_among, by_media, by_wom, compact, counts, degree, per_k, n,
               pcg):
    # _bass with the hazard worked out as it is read, counts[i] * per_k[k_i] (per_k[k] = q / max(k, 1), looked
    # up rather than divided). Who adopts is found without a branch (each position written at the end of
    # by_wom, which moves on only for an adopter: a coin-flip branch costs more than the rest of the pass),
    # then the few adopters are split between the channels. media[i * me]: one number (me = 0) or one per
    # person (me = 1). The rate is total * dt even for dt = 1 (the same number). The two common cases (one
    # replicate, one media number: everyone, or the few left with their own draws) get loops of their own:
    # flags tested inside the loop make it two to three times slower. pcg: empty, or the (high, low) state and
    # increment of NumPy's PCG64 whose next n doubles are everyone's draws: they are then made here (u[k]
    # keeps the draw of the k-th adopter) and pcg left where rng.random(n) leaves it
    k = 0
    m0 = media[0]
    one = len(counts) == n
    drawn = len(pcg) > 0
    if drawn:
        hi, lo, ihi, ilo = pcg[0], pcg[1], pcg[2], pcg[3]
        for i in range(n):
            hi, lo, x = _pcg_step_jit(hi, lo, ihi, ilo)
            rate = (m0 + counts[i] * per_k[degree[i]]) * dt
            by_wom[k] = i
            u[k] = x
            k += (x < rate) & (not adopted[i])
        pcg[0], pcg[1] = hi, lo
    elif one and me == 0 and not use_among:
        for i in range(n):
            rate = (m0 + counts[i] * per_k[degree[i]]) * dt
            by_wom[k] = i
            k += (u[i] < rate) & (not adopted[i])
    elif one and me == 0 and compact:
        for a in range(len(among)):
            i = among[a]
            rate = (m0 + counts[i] * per_k[degree[i]]) * dt
            by_wom[k] = a
            k += (u[a] < rate) & (not adopted[i])
    else:
        base = 0
        for a in range(len(among) if use_among else len(u)):
            i = among[a] if use_among else a
            while i >= base + n:
                base += n
            rate = (media[i * me] + counts[i] * per_k[degree[i - base]]) * dt
            by_wom[k] = a
            k += ((u[a] if compact else u[i]) < rate) & (not adopted[i])
    k_m = k_w = 0
    base = 0
    for j in range(k):
        a = by_wom[j]
        i = among[a] if use_among else a
        while i >= base + n:
            base += n
        m = media[i * me]
        total = m + counts[i] * per_k[degree[i - base]]
        x = u[j] if drawn else u[a] if compact else u[i]
        k_m, k_w = _credit_jit(i, x, m, total, total * dt, by_media, by_wom, k_m, k_w)
    return k_m, k_w


def bass_decide(u, media_term, term, dt: float, adopted, among=None, compact: bool = False, hazard=None):
    """:func:`sim.rules.bass.bass_adopters` in one compiled pass: the same adopters by channel, bit for bit.

    ``compact``: ``u`` holds the draws of the people ``among`` only, in their order (:func:`draws_at`).
    ``hazard``: ``(counts, degree, per_k, n)`` in place of ``term``: the hazard ``counts × per_k[k]`` is
    worked out for each non-adopter as it is read (``degree``: each of the n people's, replicates end to
    end in ``counts``; ``per_k[k]``: one adopted contact's weight for k contacts), rather than kept up to date
    at every push (``term`` is then None).
    ``u`` may also be NumPy's PCG64 generator (with ``hazard``, one replicate, one media number, everyone):
    the pass then makes everyone's draws ``u.random(n)`` itself as it reads each person, and leaves the
    generator where that leaves it: no array of draws (8 bytes a person, written and read back).
    """
    rng = u if isinstance(u, np.random.Generator) else None
    size = (len(u) if among is None else len(among)) if rng is None else hazard[3]
    media = np.zeros(1) if media_term is None else np.atleast_1d(np.asarray(media_term, dtype=np.float64))
    by_media, by_wom = np.empty(size, np.int64), np.empty(size, np.int64)
    among_or_none = np.zeros(1, np.int64) if among is None else among
    if hazard is None:
        k_m, k_w = kernel("bass")(u, media, media.size > 1, term, float(dt), adopted, among_or_none,
                                  among is not None, by_media, by_wom, compact)
        return by_media[:k_m].copy(), by_wom[:k_w].copy()
    counts, degree, per_k, n = hazard
    pcg = np.zeros(0, np.uint64)
    if rng is not None:
        if among is not None or media.size > 1 or len(counts) != n:
            raise ValueError("bass_decide draws for itself only for everyone in one replicate, one media number")
        state = rng.bit_generator.state
        s, inc = state["state"]["state"], state["state"]["inc"]
        pcg = np.array([s >> 64, s & _M64, inc >> 64, inc & _M64], dtype=np.uint64)
        u = np.empty(n)  # the adopters' draws, written from the front
    k_m, k_w = kernel("bass_lean")(u, media, int(media.size > 1), float(dt), adopted, among_or_none,
                                   among is not None, by_media, by_wom, compact, counts, degree, per_k, int(n), pcg)
    if rng is not None:
        state["state"]["state"] = int(pcg[0]) << 64 | int(pcg[1])
        rng.bit_generator.state = state
    return by_media[:k_m].copy(), by_wom[:k_w].copy()


# -- NumPy's PCG64 stream, skipping ahead ------------------------------------------------------------------------
# rng.random(n) steps PCG64's 128-bit state n times (s -> s·A + inc, mod 2^128) and turns each state into a
# double. d steps at once are s -> A^d·s + C_d·inc, so the doubles of a few positions cost one jump each
# instead of one draw for everyone: the same numbers, and the generator left where rng.random(n) leaves it.
# The 128-bit numbers are (high, low) pairs of uint64.

_PCG_MULT = (2549297995355413924 << 64) + 4865540595714422341  # PCG64's multiplier, as in NumPy
_PCG_HI, _PCG_LO = np.uint64(_PCG_MULT >> 64), np.uint64(_PCG_MULT & ((1 << 64) - 1))
_M64 = (1 << 64) - 1
_JUMPS: list = []  # (A^d, C_d) for d < 64, as uint64 (high, low) rows: built on first use


def _mulhi_intrinsic():
    """``mulhi(a, b)`` for compiled code: the high 64 bits of the uint64 product (LLVM's 128-bit multiply)."""
    from llvmlite import ir
    from numba.core import types
    from numba.extending import intrinsic

    @intrinsic
    def mulhi(typingctx, a, b):
        def codegen(context, builder, signature, args):
            wide = ir.IntType(128)
            product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
            return builder.trunc(builder.lshr(product, wide(64)), ir.IntType(64))

        return types.uint64(types.uint64, types.uint64), codegen

    return mulhi


def _muladd(hi, lo, mh, ml, ah, al):
    # (hi, lo)·(mh, ml) + (ah, al), mod 2^128
    nl = ml * lo
    nh = _mulhi_jit(ml, lo) + mh * lo + ml * hi
    lo = nl + al
    return nh + ah + (np.uint64(1) if lo < nl else np.uint64(0)), lo


def _pcg_step(hi, lo, ihi, ilo):
    # PCG64's next state, s·A + inc (mod 2^128), and the double rng.random() makes of it (XSL-RR output)
    hi, lo = _muladd_jit(hi, lo, _PCG_HI, _PCG_LO, ihi, ilo)
    return hi, lo, _pcg_double_jit(hi, lo)


def _pcg_double(hi, lo):
    x = hi ^ lo
    rot = hi >> np.uint64(58)
    out = (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))
    return np.float64(out >> np.uint64(11)) * (1.0 / 9007199254740992.0)


def _jump(hi, lo, ihi, ilo, d, mult, plus):
    # the state d steps on (d >= 0), in jumps of at most len(mult) - 1 steps
    size = len(mult)
    while d > 0:
        e = d if d < size else size - 1
        zero = np.uint64(0)
        th, tl = _muladd_jit(ihi, ilo, plus[e, 0], plus[e, 1], zero, zero)  # C_d·inc
        hi, lo = _muladd_jit(hi, lo, mult[e, 0], mult[e, 1], th, tl)  # A^d·s + C_d·inc
        d -= e
    return hi, lo


def _draws_at(hi, lo, ihi, ilo, at, n, mult, plus, u):
    # u[k]: the double position at[k] (sorted, distinct, < n) of rng.random(n) gets; returns the state after n
    pos = 0
    for k in range(len(at)):
        hi, lo = _jump_jit(hi, lo, ihi, ilo, at[k] - pos + 1, mult, plus)  # to at[k], and its own step
        u[k] = _pcg_double_jit(hi, lo)
        pos = at[k] + 1
    return _jump_jit(hi, lo, ihi, ilo, n - pos, mult, plus)


def draws_at(rng: np.random.Generator, at: np.ndarray, n: int) -> np.ndarray:
    """``rng.random(n)[at]`` without drawing the others, and ``rng`` left where ``rng.random(n)`` leaves it.

    ``at``: sorted distinct positions in range(n). About 8 ns a position
    against 2 to 3 ns a draw for everyone: cheaper when ``at`` holds under a
    third of the positions (late in a Bass run, the few non-adopters). Only
    NumPy's PCG64 (``np.random.default_rng``) can skip; ``at`` is drawn in full otherwise.

    Examples
    --------
    >>> a, b = np.random.default_rng(5), np.random.default_rng(5)
    >>> bool((draws_at(a, np.array([2, 7]), 10) == b.random(10)[[2, 7]]).all()), a.random() == b.random()
    (True, True)
    """
    bitgen = rng.bit_generator
    if type(bitgen) is not np.random.PCG64:
        return rng.random(n)[at]
    if not _JUMPS:
        mult, plus = np.zeros((64, 2), np.uint64), np.zeros((64, 2), np.uint64)
        a, c = 1, 0
        for d in range(64):
            mult[d], plus[d] = (a >> 64, a & _M64), (c >> 64, c & _M64)
            a, c = a * _PCG_MULT & (1 << 128) - 1, (c * _PCG_MULT + 1) & (1 << 128) - 1
        _JUMPS.extend((mult, plus))
    state = bitgen.state
    s, inc = state["state"]["state"], state["state"]["inc"]
    u = np.empty(len(at))
    hi, lo = kernel("draws_at")(np.uint64(s >> 64), np.uint64(s & _M64), np.uint64(inc >> 64),
                                np.uint64(inc & _M64), np.asarray(at, dtype=np.int64), int(n), *_JUMPS, u)
    state["state"]["state"] = int(hi) << 64 | int(lo)
    bitgen.state = state
    return u


def pair_degrees(chunks, n: int, L: int, keep: list | None = None) -> np.ndarray:
    """Each person's number of pairs (int32), from chunks of the geometric gaps between kept pair positions.

    Positions start at -1 and stop below ``L``; position ``l = j(j-1)/2 + i``
    is the pair i < j (as :func:`sim.networks.generators._unrank_pairs`).
    ``keep``, a list, receives each chunk's gaps as uint32 for :func:`pair_fill`
    (it is emptied if a gap does not fit in 32 bits).
    """
    cnt, at, scratch = np.zeros(n, np.int32), (-1, 1, 0), None
    for gaps in chunks:
        scratch = _scratch(scratch, len(gaps))
        kept = np.empty(len(gaps), np.uint32) if keep is not None else scratch[0][:1].view(np.uint32)
        m, *at, fits = kernel("pair_degrees")(gaps, L, *at, cnt, scratch[0][:len(gaps)], scratch[1][:len(gaps)],
                                              kept, keep is not None)
        if keep is not None:
            if not fits:
                keep.clear()
                keep = None
            else:
                keep.append(kept[:m] if m == len(gaps) else kept[:m].copy())
    return cnt


def _scratch(have, size: int):
    """Two int32 arrays of at least ``size`` (a chunk's pairs, unranked), reused while large enough."""
    return have if have is not None and len(have[0]) >= size else (np.empty(size, np.int32), np.empty(size, np.int32))


def pair_fill(chunks, cursor: np.ndarray, out: np.ndarray, L: int) -> None:
    """Write each pair of ``chunks`` (gaps, as for :func:`pair_degrees`) into both of its rows at ``cursor``
    (row starts, advanced in place)."""
    at, scratch = (-1, 1, 0), None
    for gaps in chunks:
        scratch = _scratch(scratch, len(gaps))
        at = kernel("pair_fill")(gaps, L, *at, cursor, out, scratch[0][:len(gaps)], scratch[1][:len(gaps)])


def push(indptr, indices, new, n: int, counts, sign: int, mode: int, need=None, adopted=None, term=None,
         weight=None, out=None) -> int:
    """Add ``sign`` to ``counts[v]`` for every contact v of the people ``new``; see the module's summary.

    ``mode`` is :data:`PUSH_HITS` (``out`` receives every hit, in the order
    :func:`sim.arrays.gather_rows` lists them), :data:`PUSH_NEED` (``out``
    receives the non-adopters whose count just became ``need[v]``) or
    :data:`PUSH_TERM` (``term[v] = counts[v] * weight[v]`` after each hit) or
    :data:`PUSH_COUNT` (nothing more).
    Returns how many entries of ``out`` were written.

    (Sorting the hits into bins of 2^17 people first, so that each bin's
    counts are added while in cache, was measured at 6.8e7 people: Bass 5 %
    quicker on Erdős–Rényi, 10 % slower on communities, whose contacts are
    already near in memory, for 5 bytes a person more. Not kept.)
    """
    none_i, none_b, none_f = np.zeros(1, np.int32), np.zeros(1, np.bool_), np.zeros(1, np.float64)
    return kernel("push")(indptr, indices, new, n, counts, counts.dtype.type(sign), mode,
                          none_i if need is None else need, none_b if adopted is None else adopted,
                          none_f if term is None else term, none_f if weight is None else weight,
                          np.zeros(1, np.int64) if out is None else out)
