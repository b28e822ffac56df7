"""Word-of-mouth rules and the adoption decision of one step.

All functions are vectorised over people. ``counts`` holds, for each person,
the number of their contacts (in-neighbours) who had adopted by the end of the
previous step; ``degree`` their number of contacts.

The adoption decision follows the Bass convention: a non-adopter's probability
in a step is ``min(1, (media_term + wom_term) * dt)``; one uniform draw ``u``
decides, and the credit goes to media or to word of mouth in proportion to the
two terms (``u`` below the media share of the probability means media).
Deterministic rules (thresholds, complex contagion, cascades) credit word of
mouth whenever the rule fires, since the person would have adopted anyway.

References
----------
Bass, F. M. (1969). A new product growth for model consumer durables.
Management Science 15(5), 215–227.
Granovetter, M. (1978). Threshold models of collective behavior. AJS 83(6).
Watts, D. J. (2002). A simple model of global cascades on random networks. PNAS 99(9).
Centola, D. & Macy, M. (2007). Complex contagions and the weakness of long ties. AJS 113(3).
Kempe, D., Kleinberg, J. & Tardos, É. (2003). Maximizing the spread of influence
through a social network. KDD.

Every function takes NumPy or CuPy arrays and returns arrays of the same kind
(see :mod:`sim.backend`), so the GPU runs the code the CPU tests check.
"""

from __future__ import annotations

import numpy as np

from sim.backend import array_namespace

__all__ = ["TOLERANCE", "NEVER", "bass_hazard", "refresh_hazard", "threshold_met", "threshold_need", "count_met",
           "bass_decision", "bass_adopters", "bass_codes", "BASS_KERNEL", "MEDIA_CODE", "WOM_CODE",
           "triggered_decision"]

TOLERANCE = 1e-9
NEVER = np.iinfo(np.int32).max  # a count of adopted contacts nobody reaches


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


def threshold_met(counts: np.ndarray, degree: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Fractional threshold: the adopted fraction of contacts is ≥ φ_i (tolerance 1e-9).

    People without contacts never adopt by word of mouth (Watts 2002).

    Examples
    --------
    >>> threshold_met(np.array([1, 1, 0]), np.array([5, 6, 0]), np.array([0.2, 0.2, 0.0]))
    array([ True, False, False])
    """
    return (degree > 0) & (counts >= (phi - TOLERANCE) * degree)


def threshold_need(degree: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """The fractional threshold as a count: the fewest adopted contacts that meet φ_i.

    ``counts >= threshold_need(degree, phi)`` is exactly ``threshold_met(counts,
    degree, phi)`` for integer counts (``c >= x`` iff ``c >= ceil(x)``), but it
    is one comparison of 32-bit integers per person instead of four float64
    operations, and 4 bytes per person instead of 16. People without contacts
    get :data:`NEVER`.

    Examples
    --------
    >>> threshold_need(np.array([5, 6, 0, 10]), np.array([0.2, 0.2, 0.0, 0.0]))
    array([         1,          2, 2147483647,          0], dtype=int32)
    """
    xp = array_namespace(degree)
    need = xp.ceil((phi - TOLERANCE) * degree)
    return xp.where(degree > 0, need, NEVER).astype(xp.int32)


def count_met(counts: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Complex contagion: at least ``need_i`` contacts have adopted.

    Examples
    --------
    >>> count_met(np.array([1, 2, 0]), np.array([2, 2, 0]))
    array([False,  True,  True])
    """
    return counts >= need


def bass_decision(u: np.ndarray, media_term: np.ndarray | None, wom_term: np.ndarray,
                  dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Who adopts via media and who via word of mouth, from one uniform draw each.

    Parameters
    ----------
    u : ndarray
        One uniform in [0, 1) per person.
    media_term, wom_term : ndarray
        Per-person rates (``p * contacted`` summed over media; ``q * a/k``).
        ``media_term`` may be ``None`` when no medium is on, or one number
        when it is everyone's.
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

# The same decision as bass_codes, one CUDA thread per person (see sim.backend.Backend.bass_adopters).
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


def triggered_decision(u: np.ndarray | None, media_term: np.ndarray | None,
                       fired: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic rules: word of mouth wins where the rule fired; media decide elsewhere.

    Examples
    --------
    >>> triggered_decision(np.array([0.0, 0.0, 0.5]), np.array([1.0, 0.0, 1.0]),
    ...                    np.array([True, False, False]), 1.0)
    (array([False, False,  True]), array([ True, False, False]))
    """
    xp = array_namespace(fired)
    if media_term is None or u is None:
        return xp.zeros(len(fired), dtype=bool), fired
    by_media = ~fired & (u < xp.minimum(1.0, media_term * dt))
    return by_media, fired
