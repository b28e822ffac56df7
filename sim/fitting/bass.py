"""The Bass model fitted to sales: three estimators, their standard errors and a forecast.

Given new adoptions S_1, ..., S_n in consecutive periods (t = 1, ..., n from the
launch), each estimator returns the market potential m, the coefficients of
innovation p and imitation q, their asymptotic standard errors and 95 %
intervals, the peak and a forecast:

- ``ols``: Bass's (1969) regression S_t = a + b·Y_{t-1} + c·Y_{t-1}² (Y cumulative
  sales), then m = (-b - sqrt(b² - 4ac)) / 2c, p = a/m, q = -m·c; standard errors
  by the delta method from the regression's covariance.
- ``nls``: non-linear least squares of S_t = m·f(t), the continuous Bass density
  at each period's t.
- ``interval``: Srinivasan & Mason (1986), S_t = m·(F(t) - F(t-1)), the sales of
  the whole period; the default, and the least biased.

The non-linear fits use :func:`scipy.optimize.curve_fit`, whose covariance is
the one R's ``nls`` reports (residual variance times (JᵀJ)⁻¹). Intervals are
estimate ± t(0.975, n - 3)·se. The forecast band of a future period is the
delta-method variance of the fitted sales plus the residual variance (a
prediction band, not only the curve's).

References
----------
Bass, F. M. (1969). A new product growth for model consumer durables.
Management Science 15(5), 215-227.
Srinivasan, V. & Mason, C. H. (1986). Nonlinear least squares estimation of
new product diffusion models. Marketing Science 5(2), 169-178.

Examples
--------
>>> import numpy as np
>>> t = np.arange(1, 16)
>>> sales = 1000 * (bass_F(t, 0.03, 0.38) - bass_F(t - 1, 0.03, 0.38))
>>> est = fit_bass(sales)
>>> [round(est["interval"][k], 3) for k in ("m", "p", "q")]
[1000.0, 0.03, 0.38]
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import optimize, stats

__all__ = ["METHODS", "bass_F", "bass_f", "fit_bass", "fit_method", "forecast"]

METHODS = ("ols", "nls", "interval")
DEFAULT = "interval"


def bass_F(t, p, q):
    """Cumulative adopted fraction F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p)e^{-(p+q)t}), 0 for t <= 0."""
    t = np.maximum(np.asarray(t, dtype=float), 0.0)
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + (q / p) * e)


def bass_f(t, p, q):
    """Density f(t) = dF/dt of the Bass model."""
    t = np.maximum(np.asarray(t, dtype=float), 0.0)
    e = np.exp(-(p + q) * t)
    return (p + q) ** 2 / p * e / (1 + (q / p) * e) ** 2


def _sales(method: str):
    if method == "nls":
        return lambda t, m, p, q: m * bass_f(t, p, q)
    return lambda t, m, p, q: m * (bass_F(t, p, q) - bass_F(np.asarray(t, dtype=float) - 1, p, q))


def _ols(sales: np.ndarray):
    """Bass's regression; (theta, cov, residual variance) with theta = (m, p, q)."""
    n = len(sales)
    y_prev = np.concatenate([[0.0], np.cumsum(sales)[:-1]])
    x = np.column_stack([np.ones(n), y_prev, y_prev ** 2])
    coef, *_ = np.linalg.lstsq(x, sales, rcond=None)
    resid = sales - x @ coef
    s2 = float(resid @ resid) / max(n - 3, 1)
    cov_abc = s2 * np.linalg.pinv(x.T @ x)

    def mpq(abc):
        a, b, c = abc
        disc = b * b - 4 * a * c
        if c >= 0 or disc < 0:
            return np.array([np.nan, np.nan, np.nan])
        m = (-b - math.sqrt(disc)) / (2 * c)
        return np.array([m, a / m, -m * c])

    theta = mpq(coef)
    jac = np.empty((3, 3))
    for j in range(3):  # central differences, step relative to each coefficient
        h = 1e-6 * max(abs(coef[j]), 1e-12)
        up, down = coef.copy(), coef.copy()
        up[j] += h
        down[j] -= h
        jac[:, j] = (mpq(up) - mpq(down)) / (2 * h)
    return theta, jac @ cov_abc @ jac.T, s2


def _start(sales: np.ndarray) -> list[float]:
    """Starting values: Bass's regression where it gives a sane answer, else a typical product."""
    total = float(np.sum(sales))
    try:
        theta, _, _ = _ols(sales)
        m, p, q = theta
        if np.all(np.isfinite(theta)) and m >= total and 0 < p < 1 and 0 <= q < 3:
            return [m, p, q]
    except (np.linalg.LinAlgError, ValueError):
        pass
    return [2 * total, 0.03, 0.38]


def _nonlinear(sales: np.ndarray, method: str):
    t = np.arange(1, len(sales) + 1, dtype=float)
    model = _sales(method)
    total = float(np.sum(sales))
    best = None
    starts = [_start(sales), [2 * total, 0.03, 0.38], [1.2 * total, 0.01, 0.5], [5 * total, 0.005, 0.3]]
    for p0 in starts:
        p0 = [max(p0[0], total * 1.0001), min(max(p0[1], 1e-4), 0.9), min(max(p0[2], 1e-3), 2.9)]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theta, cov = optimize.curve_fit(model, t, sales, p0=p0, bounds=([0, 1e-7, 0], [np.inf, 1, 5]),
                                                x_scale=[max(total, 1.0), 0.01, 0.1], max_nfev=20000)
        except (RuntimeError, ValueError, optimize.OptimizeWarning):
            continue
        sse = float(np.sum((sales - model(t, *theta)) ** 2))
        if best is None or sse < best[2]:
            best = (theta, cov, sse)
    if best is None:
        return np.full(3, np.nan), np.full((3, 3), np.nan), np.nan
    theta, cov, sse = best
    return theta, cov, sse / max(len(sales) - 3, 1)


def fit_method(sales, method: str = DEFAULT) -> dict:
    """Fit one estimator; a dict of m, p, q, se_*, ci_*_low/high, peak and goodness of fit.

    Parameters
    ----------
    sales : array_like
        New adoptions in consecutive periods, the first period being the launch's.
    method : {"ols", "nls", "interval"}

    Returns
    -------
    dict
        ``m``, ``p``, ``q``; ``se_m``, ``se_p``, ``se_q``; ``m_low``, ``m_high`` and
        the same for p and q (95 %); ``peak_time`` (periods after the launch, at
        the density's peak), ``peak_sales`` (sales per period there); ``sigma``
        (residual standard deviation), ``r2``, ``n``, ``cov`` (3 × 3).
    """
    sales = np.asarray(sales, dtype=float)
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    n = len(sales)
    if method == "ols":
        theta, cov, s2 = _ols(sales)
    else:
        theta, cov, s2 = _nonlinear(sales, method)
    m, p, q = (float(x) for x in theta)
    se = np.sqrt(np.clip(np.diag(cov), 0, None)) if np.all(np.isfinite(cov)) else np.full(3, np.nan)
    tq = float(stats.t.ppf(0.975, max(n - 3, 1)))
    out = {"method": method, "m": m, "p": p, "q": q}
    for name, value, s in zip("mpq", (m, p, q), se):
        out[f"se_{name}"] = float(s)
        out[f"{name}_low"] = float(value - tq * s)
        out[f"{name}_high"] = float(value + tq * s)
    ok = np.isfinite(m) and p > 0 and q >= 0
    if ok and q > p:
        out["peak_time"] = math.log(q / p) / (p + q)
        out["peak_sales"] = m * (p + q) ** 2 / (4 * q)
    else:
        out["peak_time"] = 0.0 if ok else math.nan
        out["peak_sales"] = m * p if ok else math.nan
    fitted = _fitted(method, m, p, q, n) if ok else np.full(n, np.nan)
    ss_res = float(np.sum((sales - fitted) ** 2))
    ss_tot = float(np.sum((sales - sales.mean()) ** 2))
    out["sigma"] = math.sqrt(s2) if np.isfinite(s2) else math.nan
    out["r2"] = 1 - ss_res / ss_tot if ss_tot > 0 else math.nan
    out["n"] = n
    out["cov"] = cov.tolist()
    return out


def _fitted(method: str, m: float, p: float, q: float, n: int, start: int = 1) -> np.ndarray:
    """Sales per period t = start, ..., n that a method's model gives (ols: the discrete recursion)."""
    t = np.arange(start, n + 1, dtype=float)
    if method != "ols":
        return _sales(method)(t, m, p, q)
    y, out = 0.0, []
    for _ in range(n):
        s = p * m + (q - p) * y - q / m * y * y
        out.append(s)
        y += s
    return np.asarray(out)[start - 1:]


def fit_bass(sales, methods=METHODS) -> dict:
    """Every estimator's :func:`fit_method` result, by method name."""
    return {method: fit_method(sales, method) for method in methods}


def forecast(est: dict, n_seen: int, horizon: int) -> dict:
    """Fitted and forecast sales for periods 1 .. n_seen + horizon with a 95 % prediction band.

    The band is fitted ± t(0.975, n - 3)·sqrt(gᵀ Σ g + σ²), with g the gradient of the
    period's sales in (m, p, q) (numerical), Σ the estimate's covariance and σ the
    residual standard deviation.
    """
    method, m, p, q = est["method"], est["m"], est["p"], est["q"]
    n = n_seen + horizon
    theta = np.array([m, p, q])
    mean = _fitted(method, m, p, q, n)
    cov = np.asarray(est["cov"], dtype=float)
    grad = np.empty((n, 3))
    for j in range(3):
        h = 1e-6 * max(abs(theta[j]), 1e-9)
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        grad[:, j] = (_fitted(method, *up, n) - _fitted(method, *down, n)) / (2 * h)
    var = np.einsum("ij,jk,ik->i", grad, cov, grad) + est["sigma"] ** 2
    tq = float(stats.t.ppf(0.975, max(est["n"] - 3, 1)))
    half = tq * np.sqrt(np.clip(var, 0, None))
    return {"t": np.arange(1, n + 1), "sales": mean, "low": np.maximum(mean - half, 0.0), "high": mean + half,
            "cumulative": np.cumsum(mean)}
