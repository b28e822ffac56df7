"""Closed-form and mean-field results the agent models are docked against.

Deterministic and cheap: the Bass (1969) curve and its discrete-time
recursion, Granovetter's (1978) threshold equilibrium, the Watts (2002) cascade
condition and window on Erdős–Rényi graphs, the Gleeson & Cahalane (2007)
cascade size, and the friendship-paradox mean neighbour degree.  Quantities
are population fractions unless stated; p, q are the Bass innovation and
imitation coefficients, z a mean degree, phi a fractional threshold, k a degree.
"""

import math

import numpy as np
from scipy import optimize, special, stats

__all__ = ["bass_cdf", "bass_pdf", "bass_peak", "bass_discrete", "granovetter_equilibrium",
           "granovetter_normal", "granovetter_critical_sd", "watts_cascade_condition",
           "watts_window", "gleeson_cascade", "mean_neighbour_degree", "er_mean_neighbour_degree"]

_TOL = 1e-9  # the project's threshold slack: "x >= phi" means x >= phi - 1e-9


def _check_pq(p, q):
    if not (p > 0 and q >= 0):
        raise ValueError(f"need p > 0 and q >= 0; got p={p}, q={q}")


def bass_cdf(t, p, q):
    """Cumulative adopted fraction F(t) of the Bass model.

    Solves dF/dt = (p + qF)(1 - F), F(0) = 0:
    F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}); F = 0 for t < 0.

    Parameters
    ----------
    t : float or array_like
        Time, in the unit p and q are rates per.
    p, q : float
        Coefficients of innovation (> 0) and imitation (>= 0).

    Returns
    -------
    float or ndarray
        F(t) in [0, 1).

    References
    ----------
    Bass, F. M. (1969). A new product growth for model consumer durables.
    Management Science 15(5), 215-227.

    Examples
    --------
    >>> round(bass_cdf(10, 0.03, 0.38), 4)
    0.8128
    >>> bass_cdf([0, 5], 0.03, 0.38).round(4).tolist()
    [0.0, 0.3312]
    """
    _check_pq(p, q)
    t = np.maximum(np.asarray(t, dtype=float), 0.0)
    out = -np.expm1(-(p + q) * t) / (1.0 + (q / p) * np.exp(-(p + q) * t))
    return out if out.ndim else float(out)


def bass_pdf(t, p, q):
    """Adoption density f(t) = dF/dt = (p + qF)(1 - F) of the Bass model.

    f(t) = ((p+q)^2/p) e^{-(p+q)t} / (1 + (q/p) e^{-(p+q)t})^2; f = 0 for t < 0.

    Parameters
    ----------
    t : float or array_like
        Time.
    p, q : float
        Coefficients of innovation (> 0) and imitation (>= 0).

    Returns
    -------
    float or ndarray
        Adopters per unit time as a fraction of the market.

    References
    ----------
    Bass, F. M. (1969). Management Science 15(5), 215-227.

    Examples
    --------
    >>> F = bass_cdf(4.0, 0.03, 0.38)
    >>> bool(np.isclose(bass_pdf(4.0, 0.03, 0.38), (0.03 + 0.38 * F) * (1 - F)))
    True
    """
    _check_pq(p, q)
    t = np.asarray(t, dtype=float)
    e = np.exp(-(p + q) * np.maximum(t, 0.0))
    out = np.where(t < 0, 0.0, (p + q) ** 2 / p * e / (1.0 + (q / p) * e) ** 2)
    return out if out.ndim else float(out)


def bass_peak(p, q):
    """Time, cumulative fraction and density at the Bass adoption peak.

    t* = ln(q/p)/(p+q), F(t*) = 1/2 - p/(2q), f(t*) = (p+q)^2/(4q).  When
    q <= p the density only falls and the peak is at t = 0: (0, 0, p).

    Parameters
    ----------
    p, q : float
        Coefficients of innovation (> 0) and imitation (>= 0).

    Returns
    -------
    tuple of float
        ``(t_star, F_star, f_star)``.

    References
    ----------
    Bass, F. M. (1969). Management Science 15(5), 215-227.
    Sultan, F., Farley, J. U. & Lehmann, D. R. (1990). J. Marketing Research
    27(1), 70-77 (mean p = 0.03, q = 0.38).

    Examples
    --------
    >>> [round(v, 6) for v in bass_peak(0.03, 0.38)]
    [6.192619, 0.460526, 0.110592]
    >>> bass_peak(0.2, 0.1)
    (0.0, 0.0, 0.2)
    """
    _check_pq(p, q)
    if q <= p:
        return 0.0, 0.0, float(p)
    return math.log(q / p) / (p + q), 0.5 - p / (2.0 * q), (p + q) ** 2 / (4.0 * q)


def bass_discrete(p, q, steps, dt=1.0):
    """Discrete-time Bass recursion, the law of a stepped agent model.

    F_0 = 0, F_{k+1} = F_k + min(1, (p + q F_k) dt) (1 - F_k): each step a
    non-adopter adopts with probability (p + qF) dt, clipped at 1.  Fractions
    only (no market size m); entry k is the state at time k dt.  The gap to
    :func:`bass_cdf` shrinks roughly in proportion to dt.

    Parameters
    ----------
    p, q : float
        Coefficients of innovation (> 0) and imitation (>= 0), per unit time.
    steps : int
        Number of steps, >= 0.
    dt : float, default 1.0
        Step length, > 0.

    Returns
    -------
    ndarray
        F_0 ... F_steps (length ``steps + 1``).

    References
    ----------
    Bass, F. M. (1969). Management Science 15(5), 215-227.
    Rand, W. & Rust, R. T. (2011). Int. J. Research in Marketing 28(3), 181-193.

    Examples
    --------
    >>> bass_discrete(0.03, 0.38, 2).round(4).tolist()
    [0.0, 0.03, 0.0702]
    >>> round(bass_cdf(7, 0.03, 0.38) - float(bass_discrete(0.03, 0.38, 7)[7]), 3)
    0.071
    """
    _check_pq(p, q)
    if int(steps) < 0 or not dt > 0:
        raise ValueError(f"need steps >= 0 and dt > 0; got steps={steps}, dt={dt}")
    F = np.zeros(int(steps) + 1)
    for k in range(int(steps)):
        F[k + 1] = F[k] + min(1.0, (p + q * F[k]) * dt) * (1.0 - F[k])
    return F


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


def mean_neighbour_degree(degrees):
    """Mean degree of a random edge end, <k^2>/<k> (friendship paradox).

    Parameters
    ----------
    degrees : array_like
        Node degrees, not all zero.

    Returns
    -------
    float

    References
    ----------
    Feld, S. L. (1991). Why your friends have more friends than you do.
    American J. Sociology 96(6), 1464-1477.
    Kim, D. A. et al. (2015). The Lancet 386(9989), 145-153.

    Examples
    --------
    >>> mean_neighbour_degree([1, 1, 1, 3])
    2.0
    """
    k = np.asarray(degrees, dtype=float)
    if k.size == 0 or not k.sum() > 0:
        raise ValueError("degrees must contain at least one positive value")
    return float(np.mean(k**2) / np.mean(k))


def er_mean_neighbour_degree(z):
    """<k^2>/<k> for Poisson(z) degrees: z + 1.

    Parameters
    ----------
    z : float or array_like
        Mean degree.

    Returns
    -------
    float or ndarray

    References
    ----------
    Newman, M. E. J., Strogatz, S. H. & Watts, D. J. (2001). Random graphs
    with arbitrary degree distributions. Phys. Rev. E 64, 026118.

    Examples
    --------
    >>> er_mean_neighbour_degree(4.0)
    5.0
    """
    return np.asarray(z, dtype=float) + 1.0 if np.ndim(z) else float(z) + 1.0
