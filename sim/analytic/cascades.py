"""Global cascades of threshold contagion on random graphs (Watts; Gleeson & Cahalane).

A node adopts once a fraction >= phi of its neighbours has (with the
project's slack: x >= phi - 1e-9).  Watts's (2002) condition for one seed to
trigger a global cascade, his window of Erdős–Rényi mean degree z in which that
happens, and the Gleeson & Cahalane (2007) trigger probability and cascade
size for a given seed fraction.  Quantities are population fractions; k is a
degree, pk a degree distribution.

References
----------
Watts, D. J. (2002). A simple model of global cascades on random
networks. PNAS 99(9), 5766-5771.
Gleeson, J. P. & Cahalane, D. J. (2007). Seed size strongly affects
cascades on random networks. Phys. Rev. E 75, 056103.
"""

import math

import numpy as np
from scipy import optimize, special, stats

__all__ = ["watts_cascade_condition", "watts_window", "gleeson_cascade"]

_TOL = 1e-9  # the project's threshold slack: "x >= phi" means x >= phi - 1e-9


def _vulnerable(k, phi):
    """rho_k: 1 where one adopted neighbour (fraction 1/k) meets phi, k >= 1."""
    k = np.asarray(k)
    return ((k >= 1) & (phi <= 1.0 / np.maximum(k, 1) + _TOL)).astype(float)


def watts_cascade_condition(pk, phi):
    """Watts' global-cascade condition, as sum_k k(k-1) rho_k p_k - z.

    z = sum_k k p_k and rho_k = 1 for k >= 1 with phi <= 1/k (+1e-9), else 0.
    Positive means the vulnerable nodes percolate: one seed can trigger a
    global cascade.

    Parameters
    ----------
    pk : array_like
        Degree distribution, ``pk[k]`` = P(degree = k).
    phi : float
        Uniform fractional threshold.

    Returns
    -------
    float

    References
    ----------
    Watts, D. J. (2002). A simple model of global cascades on random
    networks. PNAS 99(9), 5766-5771.

    Examples
    --------
    >>> pk = stats.poisson.pmf(np.arange(60), 3.0)
    >>> watts_cascade_condition(pk, 0.18) > 0, watts_cascade_condition(pk, 0.30) > 0
    (True, False)
    """
    pk = np.asarray(pk, dtype=float)
    k = np.arange(pk.size)
    return float(np.sum(k * (k - 1) * _vulnerable(k, phi) * pk) - np.sum(k * pk))


def watts_window(phi, kmax=None):
    """Interval of Erdős–Rényi mean degree z in which global cascades occur.

    With Poisson degrees and K* = floor(1/phi + 1e-9) the condition is
    g(z) = z e^{-z} sum_{j=0}^{K*-2} z^j/j! = z Q(K*-1, z) > 1 (Q = 1 - P, the
    regularised incomplete gamma).  g has one maximum; brentq finds the roots
    on each side, using g - 1 = (z - 1) - z P, exact near z = 1 for small phi.

    Parameters
    ----------
    phi : float
        Uniform fractional threshold, > 0.
    kmax : int, optional
        Cap on K*: only degrees up to kmax count as vulnerable.

    Returns
    -------
    tuple of float or None
        ``(z_lo, z_hi)``, or None without a window (phi > 1/4).

    References
    ----------
    Watts, D. J. (2002). PNAS 99(9), 5766-5771.

    Examples
    --------
    >>> [round(v, 3) for v in watts_window(0.18)]
    [1.021, 5.765]
    >>> watts_window(0.3) is None
    True
    """
    if not phi > 0:
        raise ValueError(f"phi must be > 0; got {phi}")
    kstar = math.floor(1.0 / phi + _TOL)
    if kmax is not None:
        kstar = min(kstar, int(kmax))
    if kstar < 2:
        return None
    a = kstar - 1

    def excess(z):  # g(z) - 1
        return (z - 1.0) - z * special.gammainc(a, z)

    def rising(z):  # g'(z) = Q(a, z) - z^a e^{-z}/(a-1)!
        return special.gammaincc(a, z) - math.exp(a * math.log(z) - z - special.gammaln(a))

    z_max = optimize.brentq(rising, 1e-12, a + 10.0 * math.sqrt(a) + 10.0, xtol=1e-14)
    if excess(z_max) <= 0:
        return None
    z_lo = optimize.brentq(excess, 0.0, z_max, xtol=1e-14, rtol=1e-15)
    hi = 2.0 * z_max
    while excess(hi) > 0:
        hi *= 2.0
    return z_lo, optimize.brentq(excess, z_max, hi, xtol=1e-14, rtol=1e-15)


def _smallest_root(fun, x0):
    """Smallest root in [x0, 1] of the vectorised ``fun``, given fun(x0) >= 0."""
    s = np.unique(np.concatenate([np.logspace(-14, 0, 281), np.linspace(0, 1, 2001)[1:],
                                  1.0 - np.logspace(-15, -3, 241)]))
    xs = x0 + (1.0 - x0) * s
    d = fun(xs)
    i = int(np.argmax(d <= 0))
    if d[i] >= 0:
        return float(xs[i]) if d[i] == 0 else 1.0
    a = x0 if i == 0 else float(xs[i - 1])
    if fun(np.array([a]))[0] <= 0:
        return a
    return optimize.brentq(lambda x: fun(np.array([x]))[0], a, float(xs[i]), xtol=1e-15)


def gleeson_cascade(z, phi, seed_fraction=None):
    """Analytic cascade statistics for the Watts model on Erdős–Rényi graphs.

    Large graph, Poisson(z) degrees (cut where the tail is below 1e-12), a
    node adopts when a fraction >= phi - 1e-9 of its neighbours has, degree-0
    nodes never adopt.

    * ``trigger_probability``: chance that ONE random seed starts a global
      cascade = share of nodes in the in-component of the giant vulnerable
      cluster, 1 - sum_k p_k u^k, with u (an edge does not lead into an
      infinite tree of vulnerable nodes) the smallest root of
      u = sum_k (k p_k/z)(1 - rho_k + rho_k u^{k-1}); 0 if the Watts condition fails.
    * ``cascade_size``: final adopted fraction rho0 + (1 - rho0) sum_k p_k
      P(Bin(k, q) >= k phi) at the Gleeson–Cahalane fixed point
      q = G(q) = rho0 + (1 - rho0) sum_k (k p_k/z) P(Bin(k-1, q) >= k phi),
      the limit of iterating q from rho0, i.e. the smallest root above rho0
      (found on a grid and refined by brentq; plain iteration crawls near the
      window edges).  ``seed_fraction=None`` gives the limit rho0 -> 0+: the
      size of a global cascade when one happens, 0 when q = 0 is stable.
      Mean final fraction from one seed ~ trigger_probability * cascade_size.

    Parameters
    ----------
    z, phi : float
        Mean degree and uniform fractional threshold, both > 0.
    seed_fraction : float, optional
        Initially adopted fraction rho0 in [0, 1); None for rho0 -> 0+.

    Returns
    -------
    dict
        ``trigger_probability``, ``cascade_size``, ``q`` (the fixed point) and
        ``seed_fraction`` (rho0 used; 0.0 for the limit).

    References
    ----------
    Gleeson, J. P. & Cahalane, D. J. (2007). Seed size strongly affects
    cascades on random networks. Phys. Rev. E 75, 056103.
    Watts, D. J. (2002). PNAS 99(9), 5766-5771.

    Examples
    --------
    >>> out = gleeson_cascade(3.0, 0.18)
    >>> round(out["trigger_probability"], 3), round(out["cascade_size"], 3)
    (0.873, 0.94)
    >>> out = gleeson_cascade(8.0, 0.18)
    >>> out["trigger_probability"], out["cascade_size"]
    (0.0, 0.0)
    """
    if not (z > 0 and phi > 0):
        raise ValueError(f"z and phi must be > 0; got z={z}, phi={phi}")
    rho0 = 0.0 if seed_fraction is None else float(seed_fraction)
    if not 0.0 <= rho0 < 1.0:
        raise ValueError(f"seed_fraction must be in [0, 1); got {seed_fraction}")
    k = np.arange(max(int(stats.poisson.isf(1e-12, z)) + 2, 3))
    pk = stats.poisson.pmf(k, z)
    pk /= pk.sum()
    w = k * pk / np.sum(k * pk)  # excess-degree weights; k = 0 gets weight 0
    rho = _vulnerable(k, phi)
    km1 = np.maximum(k - 1, 0)
    slope = float(np.sum(w * rho * km1))  # branching factor of vulnerable nodes

    trigger = 0.0
    if slope > 1.0:  # H(u) - u is convex, H(1) = 1, H'(1) = slope > 1
        u = _smallest_root(lambda u: (w * (1 - rho + rho * u[:, None] ** km1)).sum(1) - u, 0.0)
        trigger = 0.0 if u >= 1.0 else max(0.0, 1.0 - float(np.sum(pk * u**k)))

    need = np.maximum(np.ceil(k * (phi - _TOL)), 1.0)  # adopted neighbours needed

    def adopt(n_trials, x):  # P(Bin(n_trials, x) >= need), rows x, columns k
        return np.where(k >= 1, special.bdtrc(need - 1, n_trials, x[:, None]), 0.0)

    q = 0.0  # no seed, or rho0 -> 0+ with q = 0 stable (slope <= 1): nothing spreads
    if rho0 > 0 or (seed_fraction is None and slope > 1.0):
        q = _smallest_root(lambda x: rho0 + (1 - rho0) * (w * adopt(km1, x)).sum(1) - x, rho0)
        q = 0.0 if seed_fraction is None and q < 1e-12 else q
    size = rho0 + (1.0 - rho0) * float(np.sum(pk * adopt(k, np.array([q]))[0]))
    return {"trigger_probability": trigger, "cascade_size": size, "q": q, "seed_fraction": rho0}
