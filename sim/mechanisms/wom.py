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
"""

from __future__ import annotations

import numpy as np

__all__ = ["TOLERANCE", "bass_hazard", "threshold_met", "count_met", "live_edge_mask",
           "bass_decision", "triggered_decision"]

TOLERANCE = 1e-9


def bass_hazard(counts: np.ndarray, degree: np.ndarray, q: float) -> np.ndarray:
    """Word-of-mouth hazard ``q * a_i / k_i`` (zero for people without contacts).

    Examples
    --------
    >>> bass_hazard(np.array([1, 0, 2]), np.array([4, 0, 2]), 0.4)
    array([0.1, 0. , 0.4])
    """
    out = np.zeros(len(counts), dtype=np.float64)
    np.multiply(counts, q, out=out)
    np.divide(out, degree, out=out, where=degree > 0)
    return out


def threshold_met(counts: np.ndarray, degree: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Fractional threshold: the adopted fraction of contacts is ≥ φ_i (tolerance 1e-9).

    People without contacts never adopt by word of mouth (Watts 2002).

    Examples
    --------
    >>> threshold_met(np.array([1, 1, 0]), np.array([5, 6, 0]), np.array([0.2, 0.2, 0.0]))
    array([ True, False, False])
    """
    return (degree > 0) & (counts >= (phi - TOLERANCE) * degree)


def count_met(counts: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Complex contagion: at least ``need_i`` contacts have adopted.

    Examples
    --------
    >>> count_met(np.array([1, 2, 0]), np.array([2, 2, 0]))
    array([False,  True,  True])
    """
    return counts >= need


def live_edge_mask(n_edges: int, beta: float, rng: np.random.Generator) -> np.ndarray:
    """Pre-drawn coins of the independent cascade: edge e transmits with probability ``beta``.

    Each edge is tried at most once (when its source first adopts), so drawing its
    coin up front gives the same distribution as drawing it at that moment, and
    keeps draws aligned across twin runs (common random numbers).

    Examples
    --------
    >>> live_edge_mask(5, 1.0, np.random.default_rng(0)).all()
    np.True_
    """
    return rng.random(n_edges, dtype=np.float64) < beta


def bass_decision(u: np.ndarray, media_term: np.ndarray | None, wom_term: np.ndarray,
                  dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Who adopts via media and who via word of mouth, from one uniform draw each.

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
    if media_term is None:
        return np.zeros(len(u), dtype=bool), u < np.minimum(1.0, wom_term * dt)
    total = media_term + wom_term
    prob = np.minimum(1.0, total * dt)
    adopt = u < prob
    with np.errstate(invalid="ignore", divide="ignore"):
        media_cut = np.where(total > 0, prob * (media_term / total), 0.0)
    by_media = adopt & (u < media_cut)
    return by_media, adopt & ~by_media


def triggered_decision(u: np.ndarray | None, media_term: np.ndarray | None,
                       fired: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic rules: word of mouth wins where the rule fired; media decide elsewhere.

    Examples
    --------
    >>> triggered_decision(np.array([0.0, 0.0, 0.5]), np.array([1.0, 0.0, 1.0]),
    ...                    np.array([True, False, False]), 1.0)
    (array([False, False,  True]), array([ True, False, False]))
    """
    if media_term is None or u is None:
        return np.zeros(len(fired), dtype=bool), fired
    by_media = ~fired & (u < np.minimum(1.0, media_term * dt))
    return by_media, fired
