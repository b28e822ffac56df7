"""Granovetter's (1978) threshold model of collective behaviour.

Person i joins once at least x_i others have: the exact final head count for
given thresholds, the mean-field equilibrium for normally distributed
thresholds, and the threshold spread at which that equilibrium jumps from a
few participants to nearly everyone.  Thresholds and results are head counts.

References
----------
Granovetter, M. (1978). Threshold models of collective behavior.
American J. Sociology 83(6), 1420-1443.
"""

import math

import numpy as np

__all__ = ["granovetter_equilibrium", "granovetter_normal", "granovetter_critical_sd"]


def granovetter_equilibrium(thresholds):
    """Final number participating in Granovetter's threshold model.

    Person i joins once at least x_i others participate.  From
    r_0 = #{x_i <= 0}, r <- #{x_i <= r} rises to the smallest fixed point.

    Parameters
    ----------
    thresholds : array_like
        Thresholds x_i, as head counts.

    Returns
    -------
    int
        Equilibrium number of participants.

    References
    ----------
    Granovetter, M. (1978). Threshold models of collective behavior.
    American J. Sociology 83(6), 1420-1443.

    Examples
    --------
    >>> x = np.arange(100)
    >>> granovetter_equilibrium(x)
    100
    >>> x[1] = 2
    >>> granovetter_equilibrium(x)
    1
    """
    x = np.sort(np.asarray(thresholds, dtype=float).ravel())
    r, nxt = -1, int(np.searchsorted(x, 0.0, side="right"))
    while nxt != r:
        r, nxt = nxt, int(np.searchsorted(x, nxt, side="right"))
    return r


def _iterate_normal(mean, sd, n, tol, max_iter, stop_above=math.inf):
    r = 0.0
    for _ in range(int(max_iter)):
        nxt = n * 0.5 * math.erfc((mean - r) / (sd * math.sqrt(2.0)))
        if abs(nxt - r) < tol or nxt > stop_above:
            return nxt
        r = nxt
    raise RuntimeError(f"no convergence in {max_iter} iterations (sd={sd})")


def granovetter_normal(mean, sd, n=100, tol=1e-12, max_iter=100000):
    """Mean-field Granovetter equilibrium for normally distributed thresholds.

    Iterates r <- n Phi((r - mean)/sd) from r = 0 until a step is below ``tol``.

    Parameters
    ----------
    mean, sd : float
        Mean and standard deviation (> 0) of the thresholds, in head counts.
    n : float, default 100
        Population size.
    tol, max_iter : float, int
        Stop when a step is below tol; RuntimeError after max_iter steps.

    Returns
    -------
    float
        Equilibrium number of participants, unrounded.

    References
    ----------
    Granovetter, M. (1978). American J. Sociology 83(6), 1420-1443.

    Examples
    --------
    >>> round(granovetter_normal(25, 12.0), 2)
    4.02
    >>> granovetter_normal(25, 12.3) > 99
    True
    """
    if not sd > 0:
        raise ValueError(f"sd must be > 0; got {sd}")
    return _iterate_normal(mean, sd, n, tol, max_iter)


def granovetter_critical_sd(mean=25.0, n=100, tol=1e-7):
    """Threshold spread sigma_c at which the normal-threshold equilibrium jumps.

    The map r <- n Phi((r - mean)/sd) is increasing, so iterated from 0 it
    stalls below ``mean`` while a low fixed point exists and passes ``mean``
    otherwise.  From sd = mean/1000 (low equilibrium) sd is doubled until the
    iteration passes ``mean``; that bracket is then bisected.

    Parameters
    ----------
    mean, n : float, default 25 and 100
        Mean threshold (0 < mean < n/2) and population size.
    tol : float, default 1e-7
        Width of the final bracket on sd.

    Returns
    -------
    float

    References
    ----------
    Granovetter, M. (1978). American J. Sociology 83(6), 1420-1443.

    Examples
    --------
    >>> round(granovetter_critical_sd(25, 100), 3)
    12.222
    """
    if not 0 < mean < n / 2:
        raise ValueError(f"mean must be in (0, n/2); got {mean} with n={n}")

    def high(sd):
        return _iterate_normal(mean, sd, n, 1e-13, 10**7, stop_above=mean) > mean

    lo = mean / 1000.0
    if high(lo):
        raise ValueError("equilibrium already high at the smallest sd tried")
    hi = 2.0 * lo
    while not high(hi):
        lo, hi = hi, 2.0 * hi
        if hi > 1e6 * mean:
            raise ValueError("no jump of the equilibrium found")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if high(mid) else (mid, hi)
    return 0.5 * (lo + hi)
