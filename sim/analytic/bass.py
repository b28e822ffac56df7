"""The Bass (1969) diffusion curve: closed form, peak and discrete-time recursion.

Adoption from innovation (p, e.g. mass media) and imitation (q, word of
mouth): dF/dt = (p + qF)(1 - F).  Quantities are population fractions; p and q
are rates per unit time, p > 0 and q >= 0.

References
----------
Bass, F. M. (1969). A new product growth for model consumer durables.
Management Science 15(5), 215-227.
Sultan, F., Farley, J. U. & Lehmann, D. R. (1990). A meta-analysis of
applications of diffusion models. J. Marketing Research 27(1), 70-77.
Rand, W. & Rust, R. T. (2011). Agent-based modeling in marketing: guidelines
for rigor. Int. J. Research in Marketing 28(3), 181-193.
"""

import math

import numpy as np

__all__ = ["bass_cdf", "bass_pdf", "bass_peak", "bass_discrete"]


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
