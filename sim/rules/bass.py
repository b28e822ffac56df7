"""Bass imitation: each contact who adopted adds ``q / k_i`` to a person's hazard.

The adoption decision follows the Bass convention: a non-adopter's
probability in a step is ``min(1, (media_term + wom_term) * dt)``; one uniform
draw ``u`` decides, and the credit goes to media or to word of mouth in
proportion to the two terms (``u`` below the media share of the probability
means media).

Bass, F. M. (1969). A new product growth for model consumer durables.
Management Science 15(5), 215–227.

Every function takes NumPy or CuPy arrays and returns arrays of the same kind,
so the GPU runs the code the CPU tests check; with dense pushes the decision
is one code per person (:func:`bass_codes`; on a GPU the fused kernel
:data:`BASS_KERNEL`).

Examples
--------
>>> import sim
>>> r = sim.run("bass", seed=1, overrides={"network.n": 500, "run.steps": 5})
>>> int(r.timeseries["new_by_wom"].sum()) > 0
True
"""

from __future__ import annotations

import functools
import weakref

import numpy as np

from sim import compiled
from sim.arrays import array_namespace
from sim.params import Param
from sim.rules.base import Rule

__all__ = ["Bass", "Q", "engine_decision", "q_control", "bass_hazard", "refresh_hazard", "bass_decision",
           "bass_adopters", "bass_codes",
           "BASS_KERNEL", "MEDIA_CODE", "WOM_CODE"]

Q = Param("wom.q", "float", 0.38, "imitation coefficient: per-step probability q x (adopted fraction of contacts)",
          lo=0.0)


def bass_hazard(counts: np.ndarray, degree: np.ndarray, q: float) -> np.ndarray:
    """Word-of-mouth hazard ``q * a_i / k_i`` (zero for people without contacts).

    Examples
    --------
    >>> bass_hazard(np.array([1, 0, 2]), np.array([4, 0, 2]), 0.4)
    array([0.1, 0. , 0.4])
    """
    xp = array_namespace(counts)
    rate = counts * float(q)  # float64; 0 wherever the degree is 0 (no contacts, none adopted)
    rate /= xp.maximum(degree, 1)
    return rate


def refresh_hazard(term, counts, weight, moved=None) -> None:
    """Bring the word-of-mouth hazard ``term = counts * weight`` up to date, in place.

    ``weight`` is ``q/k_i`` (:func:`bass_hazard` of a count of 1; NaN for
    adopters, whose hazard then stays NaN). ``moved`` holds the people whose
    count moved (repeats allowed), or is None to refresh everyone.

    Examples
    --------
    >>> term, weight = np.zeros(3), np.array([0.1, 0.2, np.nan])
    >>> refresh_hazard(term, np.array([1, 2, 3]), weight, np.array([1, 1]))
    >>> term
    array([0. , 0.4, 0. ])
    >>> refresh_hazard(term, np.array([1, 2, 3]), weight)
    >>> term
    array([0.1, 0.4, nan])
    """
    xp = array_namespace(term)
    if moved is None:
        xp.multiply(counts, weight, out=term)  # no fresh n floats
        return
    moved = moved.astype(xp.int64)  # int64 indexes about 2x faster than the int32 hits
    term[moved] = counts[moved] * weight[moved]


def bass_decision(u: np.ndarray, media_term: np.ndarray | None, wom_term: np.ndarray,
                  dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Who adopts via media and who via word of mouth, from one uniform draw each (the plain statement).

    Parameters
    ----------
    u : ndarray
        One uniform in [0, 1) per person.
    media_term, wom_term : ndarray
        Per-person rates (``p * contacted`` summed over media; ``q * a/k``).
        ``media_term`` may be ``None`` when no medium is on.
    dt : float
        Step length.

    Returns
    -------
    by_media, by_wom : ndarray of bool
        Disjoint masks (callers exclude people who already adopted).

    Examples
    --------
    >>> u = np.array([0.05, 0.2, 0.9])
    >>> bass_decision(u, np.array([0.1, 0.1, 0.1]), np.array([0.2, 0.2, 0.2]), 1.0)
    (array([ True, False, False]), array([False,  True, False]))
    """
    xp = array_namespace(u)
    if media_term is None:
        return xp.zeros(len(u), dtype=bool), u < xp.minimum(1.0, wom_term * dt)
    total = media_term + wom_term
    prob = xp.minimum(1.0, total * dt)
    adopt = u < prob
    with np.errstate(invalid="ignore", divide="ignore"):
        media_cut = xp.where(total > 0, prob * (media_term / total), 0.0)
    by_media = adopt & (u < media_cut)
    return by_media, adopt & ~by_media


def bass_adopters(u: np.ndarray, media_term: np.ndarray | None, wom_term: np.ndarray, dt: float,
                  adopted: np.ndarray, among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The non-adopters that :func:`bass_decision` makes adopt, by channel, as sorted indices.

    The same decision, bit for bit, in fewer passes over the population: since
    ``u < 1``, ``u < min(1, r)`` holds exactly when ``u < r``, so one comparison
    finds the adopters, and the media share is worked out for them alone.
    ``among`` (sorted indices that include every non-adopter) restricts the
    passes to those people: late in a run, when few are left, that is much
    less than everyone. The arithmetic per person is the same either way.

    Examples
    --------
    >>> u = np.array([0.05, 0.2, 0.9, 0.01])
    >>> media, wom_term = np.array([0.1, 0.1, 0.1, 0.1]), np.array([0.2, 0.2, 0.2, 0.2])
    >>> bass_adopters(u, media, wom_term, 1.0, np.array([False, False, False, True]))
    (array([0]), array([1]))
    """
    xp = array_namespace(u)
    if among is not None:  # the same passes over the people ``among`` only
        u, wom_term, adopted = u.take(among), wom_term.take(among), adopted.take(among)
        if media_term is not None and xp.ndim(media_term):
            media_term = media_term.take(among)
    total = wom_term if media_term is None else media_term + wom_term
    rate = total if dt == 1.0 else total * dt
    who = xp.flatnonzero(u < rate)
    # take and compress rather than fancy and boolean indexing: several times faster on NumPy 2.4
    who = xp.compress(~adopted.take(who), who)
    person = who if among is None else among.take(who)
    if media_term is None:
        return person[:0], person
    prob = xp.minimum(1.0, rate.take(who))
    media_who = media_term if xp.ndim(media_term) == 0 else media_term.take(who)  # one number, or an array
    by_media = u.take(who) < prob * (media_who / total.take(who))  # total > 0 wherever u < rate
    return xp.compress(by_media, person), xp.compress(~by_media, person)


MEDIA_CODE, WOM_CODE = 1, 2  # codes of bass_codes (0: no adoption)

# The same decision as bass_codes, one CUDA thread per person (compiled by _kernel on first use).
BASS_KERNEL = """
    double total = m + w;
    double rate = total * dt;
    code = 0;
    if (!adopted && u < rate) {
        double prob = rate < 1.0 ? rate : 1.0;
        code = (u < prob * (m / total)) ? 1 : 2;
    }
"""


def bass_codes(u: np.ndarray, media_term, wom_term: np.ndarray, dt: float,
               adopted: np.ndarray) -> np.ndarray:
    """:func:`bass_adopters` as one code per person: 0 none, 1 media, 2 word of mouth (int8).

    The element-wise form of the decision, which a GPU evaluates in one pass
    (:data:`BASS_KERNEL`, the same operations in the same order); this NumPy
    version is its reference. ``media_term`` may be an array, a number or None.

    Examples
    --------
    >>> u = np.array([0.05, 0.2, 0.9, 0.01])
    >>> bass_codes(u, np.full(4, 0.1), np.full(4, 0.2), 1.0, np.array([False, False, False, True]))
    array([1, 2, 0, 0], dtype=int8)
    """
    xp = array_namespace(u)
    m = 0.0 if media_term is None else media_term
    total = m + wom_term
    rate = total * dt
    adopt = (u < rate) & ~adopted
    with np.errstate(invalid="ignore", divide="ignore"):
        by_media = u < xp.minimum(1.0, rate) * (m / total)
    return xp.where(adopt, xp.where(by_media, MEDIA_CODE, WOM_CODE), 0).astype(xp.int8)


@functools.lru_cache(maxsize=None)
def _kernel():
    """The fused Bass decision on CuPy (compiled once, on first use)."""
    import cupy as cp

    return cp.ElementwiseKernel("float64 u, float64 w, float64 m, bool adopted, float64 dt", "int8 code",
                                BASS_KERNEL, "bouche_bass_decision")


def engine_decision(eng, u, media_term, term, among=None, hazard=None):
    """The Bass decision of one engine step, by channel: index arrays on the CPU, one code per person
    (the fused kernel on a GPU) with dense pushes. ``among``: as for :func:`bass_adopters`; ``hazard``,
    in place of ``term`` on the compiled path: as for :func:`sim.compiled.bass_decide`."""
    if not eng.be.dense:
        if compiled.use(eng.size) and eng.be.device == "cpu":  # one compiled pass, the same adopters
            return compiled.bass_decide(u, media_term, term, eng.dt, eng.adopted, among, hazard=hazard)
        return bass_adopters(u, media_term, term, eng.dt, eng.adopted, among)
    m = 0.0 if media_term is None else media_term
    if eng.be.device == "gpu":
        code = _kernel()(u, term, m, eng.adopted, float(eng.dt))
    else:
        code = bass_codes(u, m, term, eng.dt, eng.adopted)
    return eng.xp.flatnonzero(code == MEDIA_CODE), eng.xp.flatnonzero(code == WOM_CODE)


def q_control(values: dict) -> dict:
    """The browser app's slider of ``wom.q`` (shared by the rules that read it)."""
    q = values["wom.q"]
    return {"wom.q": {"type": "SliderFloat", "value": q, "min": 0.0, "max": max(1.0, q), "step": 0.01,
                      "label": "word of mouth q"}}


_WEIGHTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # graph -> {q: q/k_i}


def bass_weight(graph, q: float) -> np.ndarray:
    """A fresh copy of ``q/k_i`` for ``graph`` (what one adopted contact adds to the Bass hazard).

    Worked out once per graph and q, and kept while the graph lives: replicates
    that share a graph (:mod:`sim.batch`) then copy it rather than divide again.
    """
    memo = _WEIGHTS.setdefault(graph, {})
    key = (float(q), bass_hazard)  # the function too, so that a replaced one is not served a stale weight
    if key not in memo:
        memo[key] = bass_hazard(np.ones(graph.n, dtype=np.int32), graph.in_degree, q)
    return memo[key].copy()


class Bass(Rule):
    """Bass imitation: hazard ``q × (adopted contacts) / (contacts)``, decided with the media by one draw.

    Its state: the hazard ``term`` and the weight ``q/k_i`` of one adopted
    contact (the hazard is one product ``a_i × (q/k_i)``, which differs from
    ``q a_i / k_i`` by an ulp at most). An adopter's weight, and so its
    hazard, is NaN: ``u < NaN`` is false, so the decision's one comparison
    passes over adopters without a mask (late in a run most people are
    adopters, and many of them would pass ``u < p + q a/k``).

    On the CPU with Numba (:func:`sim.compiled.use`) it keeps no state: the
    compiled decision works the same product out from the counts as it reads
    each non-adopter (:func:`sim.compiled.bass_decide`), so a push only moves
    counts. That spares 16 bytes a person and the hazard's upkeep (marking
    adopters, refreshing those hit: 3.6 of 25 s at 6.8 × 10^7 people).
    """

    name = "bass"
    label = "Bass imitation"
    params = (Q,)
    draws = 1
    lazy_draws = True  # late in a run, the draws of the few people left alone (the same numbers)
    adopter_counts = False  # an adopter's hazard is never read
    lean = False  # whether the hazard is worked out as the decision reads it (set by setup)

    @property
    def push_watch(self) -> tuple:
        # the compiled push refreshes the kept hazard itself; without one, it only counts
        return ("count",) if self.lean else ("term", "term", "weight")

    @classmethod
    def detail(cls, values: dict) -> str:
        return f"q = {values['wom.q']:g}"

    @classmethod
    def controls(cls, values: dict) -> dict:
        return q_control(values)

    def setup(self, model, target) -> dict:
        self.lean = (compiled.use(model.n) and target.device == "cpu" and not target.dense
                     and not target.uses_matrix)
        if self.lean:
            return {}
        return {"term": np.zeros(model.n, dtype=np.float64), "weight": bass_weight(model.graph, self.values["q"])}

    def pushed(self, eng, new, moved, edges) -> None:
        if self.lean or not len(new):
            return
        st = eng.data
        st["weight"][new] = st["term"][new] = np.nan
        refresh_hazard(st["term"], eng.counts, st["weight"], moved)

    def _hazard(self, eng):
        """What the compiled decision works the hazard out from, when it is not kept (else None)."""
        if not self.lean:
            return None
        degree = eng.graph.in_degree
        per_k = eng.data.get("per_k")
        if per_k is None:  # q/k for every number of contacts k: bass_weight's numbers, one per degree
            k = np.arange(int(degree.max(initial=0)) + 1)
            per_k = eng.data["per_k"] = bass_hazard(np.ones(len(k), dtype=np.int32), k, self.values["q"])
        return eng.counts, degree, per_k, eng.n

    def _left(self, eng):
        """Sorted indices that hold every non-adopter, once they are under a third of everyone; else None.

        The decision then passes over them alone (``among``). Adopters may
        linger in the list (their hazard is NaN, so they never pass); it is
        compacted when they make up half of it.
        """
        left = eng.size - int(eng.n_adopted.sum())
        if left * 3 >= eng.size:
            return None
        among = eng.data.get("among")
        if among is None:
            among = eng.xp.flatnonzero(~eng.adopted)
        elif len(among) > 2 * left:
            among = eng.xp.compress(~eng.adopted.take(among), among)
        eng.data["among"] = among
        return among

    def decide(self, eng, u, media_term):
        if u is None:
            return eng.nobody, eng.nobody
        among = None if eng.be.dense else self._left(eng)
        hazard = self._hazard(eng)
        if hasattr(u, "at"):  # drawn lazily (lazy_draws): only the people left, once they are few
            if among is not None:
                return compiled.bass_decide(u.at(among), media_term, eng.data.get("term"), eng.dt, eng.adopted,
                                            among, compact=True, hazard=hazard)
            rng = u.stream() if hazard is not None and np.ndim(media_term) == 0 else None
            if rng is not None:  # everyone's draws, made as the compiled pass reads each person
                return compiled.bass_decide(rng, media_term, None, eng.dt, eng.adopted, hazard=hazard)
            u = u.everyone()
        return engine_decision(eng, u, media_term, eng.data.get("term"), among, hazard)

    def may_change(self, eng, n_new):
        if self.values["q"] <= 0:
            return np.zeros(eng.R, dtype=bool)
        return eng.per_replicate_any((eng.counts > 0) & ~eng.adopted)
