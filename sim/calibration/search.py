"""The calibration objective and its search: free parameters, common random numbers, least squares.

A candidate is one value per free parameter (``--free KEY=LOW:HIGH``). Its
loss is the sum over the data's periods of (data − s·ȳ)², where ȳ is the mean,
over R replicates, of the new adopters the model gives in each step (period t
is step t; people seeded at step 0 count in period 1), and s scales the
scenario's population to the data's market (:func:`scale_of`). Every
candidate runs the *same* replicate seeds (common random numbers), so the loss
is a deterministic function of the candidate and two candidates differ only by
what their parameters change, not by luck.

The search works in the unit cube (each range mapped to [0, 1]):

- ``grid`` (default): a coarse grid of ``grid`` points per parameter, then
  Nelder–Mead from each of the three best points (bounds clipped);
- ``nelder-mead``: Nelder–Mead from the centre of the ranges alone;
- ``de``: SciPy's differential evolution with a fixed seed, polished by
  L-BFGS-B off (the loss is flat between adoption events; gradients mislead).

Uncertainty (:func:`bootstrap`, the default) is a parametric bootstrap: data
sets drawn from the calibrated model are refitted, and the spread of the refits
is the standard error. The nonlinear least squares formula (:func:`uncertainty`,
Gauss–Newton, the Laplace approximation of a Gaussian likelihood: the Jacobian J
of the fitted curve by central differences of 2 % of each range, σ² = loss /
(T − k), cov = σ²(JᵀJ)⁻¹) is also reported; it treats the periods as
independent, which one diffusion series is not, and comes out too narrow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim import config
from sim.batch import iter_models
from sim.errors import ConfigError
from sim.runs import load_with_graph

__all__ = ["Free", "parse_free", "Objective", "search", "uncertainty", "bootstrap", "bootstrap_seeds", "SEARCHES",
           "SCALES", "STEP"]

SEARCHES = ("grid", "nelder-mead", "de")
SCALES = ("fit", "bass")
UNCERTAINTIES = ("bootstrap", "gauss-newton")
STARTS = 3  # Nelder-Mead runs from the best grid points: the loss has flat steps and local minima
STEP = 0.02  # central-difference step of the Jacobian, as a share of each range


@dataclass(frozen=True)
class Free:
    """One free parameter and the range searched."""

    key: str
    low: float
    high: float

    def value(self, u: float) -> float:
        return self.low + float(np.clip(u, 0.0, 1.0)) * (self.high - self.low)


def parse_free(text, key: str = "--free") -> Free:
    """``"media.p=0.005:0.1"`` -> Free; ConfigError (one line) for anything else.

    Examples
    --------
    >>> parse_free("wom.q=0.1:0.8")
    Free(key='wom.q', low=0.1, high=0.8)
    """
    if isinstance(text, Free):
        return text
    name, sep, rng = str(text).partition("=")
    lo, sep2, hi = rng.partition(":")
    try:
        low, high = float(lo), float(hi)
    except ValueError:
        low = high = math.nan
    if not sep or not sep2 or not name.strip() or not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise ConfigError(key, f"must be KEY=LOW:HIGH with numbers LOW < HIGH (e.g. wom.q=0.1:0.8); got {text!r}")
    return Free(name.strip(), low, high)


def check_free(spec: config.Scenario, free: list[Free]) -> None:
    """Every free key is a numeric parameter of the scenario that accepts both ends of its range."""
    if not free:
        raise ConfigError("--free", "must name at least one parameter to calibrate (KEY=LOW:HIGH); got none")
    keys = [f.key for f in free]
    if len(set(keys)) < len(keys):
        raise ConfigError("--free", f"must name each parameter once; got {', '.join(keys)}")
    for f in free:
        for v in (f.low, f.high):
            try:
                value = spec.replace({f.key: v}).get(f.key) if hasattr(spec, "get") else None
            except ConfigError as exc:
                raise ConfigError("--free", f"{f.key}={f.low:g}:{f.high:g} is not a range the scenario accepts: "
                                            f"{exc}") from None
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise ConfigError("--free", f"must name a numeric parameter; got {f.key}, which is {value!r}")


class Objective:
    """The loss of a candidate, with its runs cached (a candidate is run once)."""

    def __init__(self, spec, free, data, seeds, scale="fit", market=None, graph=None, steps=None, cache=None):
        if graph is not None and spec.get("network.kind") != "graph":
            spec, graph = load_with_graph(spec, {}, None, graph)  # a graph of one's own, converted once
        self.spec, self.free, self.data = spec, list(free), np.asarray(data, float)
        self.seeds, self.scale, self.market, self.graph = list(seeds), scale, market, graph
        self.steps = steps or len(self.data)
        self.evaluations = 0
        # runs per candidate, and the last seed-free graph built: shared by objectives on the same runs
        self._cache: dict = {"graphs": {}} if cache is None else cache

    def with_data(self, data) -> "Objective":
        """The same model runs (and cache) against other data: a bootstrap replicate."""
        return Objective(self.spec, self.free, data, self.seeds, self.scale, self.market, self.graph,
                         self.steps, self._cache)

    def overrides(self, u) -> dict:
        return {f.key: f.value(x) for f, x in zip(self.free, np.atleast_1d(u))}

    def runs(self, u, steps=None) -> np.ndarray:
        """New adopters per period, one row per replicate (R × steps)."""
        steps = steps or self.steps
        key = (tuple(np.round(np.clip(np.atleast_1d(u), 0, 1), 12)), steps)
        if key not in self._cache:
            base = self.spec.replace({**self.overrides(u), "run.steps": steps})
            specs = (base.replace(seed=int(s)) for s in self.seeds)
            out = np.zeros((len(self.seeds), steps))
            # the machinery of sim.batch.run_replicates (the numbers of one sim.run per seed), keeping the
            # graph between candidates when it does not depend on them, and only the column needed
            for r, model in enumerate(iter_models(specs, graphs=self._cache["graphs"], graph=self.graph)):
                new = model.timeseries()["new_adopters"].to_numpy(float)
                new[1:2] += new[0]  # the seeded (step 0) count in the first period
                got = new[1:steps + 1]
                out[r, :len(got)] = got
            self._cache[key] = out
            self.evaluations += 1
        return self._cache[key]

    def curve(self, u) -> np.ndarray:
        return self.runs(u).mean(axis=0)

    def scale_of(self, y) -> float:
        """People in the data per simulated person: fitted by least squares, or the market m / n."""
        if self.scale == "fit":
            yy = float(y @ y)
            return float(self.data @ y) / yy if yy > 0 else 0.0
        return float(self.market) / self.n

    @property
    def n(self) -> int:
        return int(self.spec.get("network.n"))

    def __call__(self, u) -> float:
        y = self.curve(u)
        r = self.data - self.scale_of(y) * y
        return float(r @ r)


def search(obj: Objective, method: str = "grid", grid: int = 5, seed: int = 0, maxiter: int = 200, start=None):
    """Minimise the loss over the unit cube; returns the best point (unit coordinates).

    ``start`` (unit coordinates) replaces the grid by one Nelder–Mead from there.
    """
    from scipy import optimize

    k = len(obj.free)
    if method == "de":
        res = optimize.differential_evolution(obj, [(0.0, 1.0)] * k, seed=seed, polish=False, tol=1e-6,
                                              maxiter=maxiter, popsize=10, init="sobol")
        return np.clip(res.x, 0, 1)
    if start is not None:
        starts = [np.asarray(start, float)]
    elif method == "grid":
        axes = [np.linspace(0.5 / grid, 1 - 0.5 / grid, grid)] * k
        points = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, k)
        losses = np.array([obj(x) for x in points])
        starts = [points[i] for i in np.argsort(losses, kind="stable")[:STARTS]]
    elif method == "nelder-mead":
        starts = [np.full(k, 0.5)]
    else:
        raise ConfigError("--search", f"must be one of {', '.join(SEARCHES)}; got {method!r}")
    size = 0.5 / grid if method == "grid" or start is not None else 0.25
    best = None
    for x0 in starts:
        simplex = [x0] + [np.clip(x0 + np.eye(k)[i] * (size if x0[i] + size <= 1 else -size), 0, 1)
                          for i in range(k)]
        res = optimize.minimize(lambda u: obj(np.clip(u, 0, 1)), x0, method="Nelder-Mead",
                                options={"initial_simplex": np.array(simplex), "xatol": 1e-3, "fatol": 1e-9,
                                         "maxfev": maxiter})
        for x in (np.clip(res.x, 0, 1), x0):
            if best is None or obj(x) < obj(best):
                best = x
    return best


def uncertainty(obj: Objective, u) -> dict:
    """Gauss–Newton standard errors of the free parameters (and of the scale when it is fitted)."""
    from scipy import stats

    u = np.clip(np.asarray(u, float), 0, 1)
    y = obj.curve(u)
    s = obj.scale_of(y)
    cols = []
    for i, f in enumerate(obj.free):
        lo, hi = u.copy(), u.copy()
        lo[i], hi[i] = max(0.0, u[i] - STEP), min(1.0, u[i] + STEP)
        width = (hi[i] - lo[i]) * (f.high - f.low)
        cols.append(s * (obj.curve(hi) - obj.curve(lo)) / width)
    if obj.scale == "fit":
        cols.append(y)
    J = np.column_stack(cols)
    resid = obj.data - s * y
    dof = max(len(obj.data) - J.shape[1], 1)
    sigma2 = float(resid @ resid) / dof
    try:
        cov = sigma2 * np.linalg.inv(J.T @ J)
    except np.linalg.LinAlgError:
        cov = np.full((J.shape[1],) * 2, np.nan)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    se[~np.isfinite(np.diag(cov)) | (np.diag(cov) < 0)] = np.nan
    t = float(stats.t.ppf(0.975, dof))
    return {"se": se, "cov": cov, "sigma": math.sqrt(sigma2), "dof": dof, "t975": t, "scale": s}


def bootstrap_seeds(root: int, n_boot: int, *part: int) -> list[int]:
    """Seeds of the bootstrap's data sets (``part`` empty) or of data set b's replicates (``part = (b,)``)."""
    from sim.streams import stream_key

    key = stream_key("calibration-bootstrap")[0]
    return [int(np.random.SeedSequence(int(root), spawn_key=(key, *part, i)).generate_state(1, np.uint32)[0])
            for i in range(n_boot)]


def bootstrap(obj: Objective, u, n_boot: int, root: int, grid: int = 5, maxiter: int = 200) -> np.ndarray:
    """Parametric bootstrap: refit data sets drawn from the calibrated model; one row per data set.

    Each data set is one run of the calibrated model with a seed of its own
    (scaled as the fit scales it); it is refitted from the estimate by
    Nelder–Mead against R replicates of its own (common random numbers within
    the refit, new seeds between refits), so the spread of the refits holds both
    the noise of the data and the Monte Carlo error of a mean over R runs. It
    includes what Gauss–Newton misses: a run that starts early stays early, so
    the residuals of one series are correlated in time. Columns: the free
    parameters, then the scale when it is fitted.
    """
    u = np.clip(np.asarray(u, float), 0, 1)
    s = obj.scale_of(obj.curve(u))
    draws = Objective(obj.spec, obj.free, obj.data, bootstrap_seeds(root, n_boot), obj.scale, obj.market,
                      obj.graph, obj.steps).runs(u)
    rows = []
    for i, data in enumerate(s * draws):
        b = Objective(obj.spec, obj.free, data, bootstrap_seeds(root, len(obj.seeds), i), obj.scale, obj.market,
                      obj.graph, obj.steps, {"graphs": obj._cache["graphs"]})
        best = search(b, grid=grid, maxiter=maxiter, start=u)
        fitted_scale = [b.scale_of(b.curve(best))] if obj.scale == "fit" else []
        rows.append([f.value(x) for f, x in zip(obj.free, best)] + fitted_scale)
        obj.evaluations += b.evaluations
    return np.array(rows)
