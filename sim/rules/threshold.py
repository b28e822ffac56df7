"""Fractional thresholds: adopt when the adopted share of one's contacts reaches φ_i.

Granovetter, M. (1978). Threshold models of collective behavior. AJS 83(6).
Watts, D. J. (2002). A simple model of global cascades on random networks. PNAS 99(9).

People without contacts never adopt by word of mouth (Watts 2002).

Examples
--------
>>> import sim
>>> r = sim.run("bass", seed=1, overrides={"network.n": 500, "wom.rule": "threshold", "media": [],
...             "seeding.strategy": "random", "seeding.fraction": 0.2})
>>> int(r.summary["final_adopters"]) > 100
True
"""

from __future__ import annotations

import numpy as np

from sim.arrays import array_namespace
from sim.errors import ConfigError
from sim.params import Param, prob
from sim.rules.counting import NEVER, CountRule

__all__ = ["Threshold", "TOLERANCE", "threshold_met", "threshold_need", "fractional_thresholds", "per_person"]

TOLERANCE = 1e-9
_BLOCK = 1 << 20  # people at a time when turning thresholds into counts

PARAMS = (
    Param("wom.threshold", "number_or_list", 0.18, "adopt when the adopted fraction of contacts >= threshold",
          lo=0.0, hi=1.0),
    Param("wom.threshold_sd", "float", 0.0, "spread of thresholds (normal, clipped to [0, 1])", lo=0.0),
    Param("wom.threshold_dist", "choice", "normal", "threshold distribution", choices=("normal", "uniform")),
    prob("wom.threshold_low", 0.0, "lower end of uniform thresholds"),
    prob("wom.threshold_high", 1.0, "upper end of uniform thresholds"),
)


def threshold_met(counts: np.ndarray, degree: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Fractional threshold: the adopted fraction of contacts is ≥ φ_i (tolerance 1e-9).

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
    get :data:`~sim.rules.counting.NEVER`.

    Examples
    --------
    >>> threshold_need(np.array([5, 6, 0, 10]), np.array([0.2, 0.2, 0.0, 0.0]))
    array([         1,          2, 2147483647,          0], dtype=int32)
    """
    xp = array_namespace(degree)
    if xp is np and len(degree) > _BLOCK and np.ndim(phi) == 1 and phi.strides == (0,):  # one φ for all
        table = threshold_need(np.arange(int(degree.max()) + 1, dtype=degree.dtype), phi[:1])
        return table[degree]  # a count per number of contacts, looked up (take would copy degree to intp first)
    if xp is not np or len(degree) <= _BLOCK:
        need = xp.ceil((phi - TOLERANCE) * degree)
        return xp.where(degree > 0, need, NEVER).astype(xp.int32)
    out = np.empty(len(degree), dtype=np.int32)  # block by block: no float64 temporaries of everyone
    for s in range(0, len(degree), _BLOCK):
        out[s:s + _BLOCK] = threshold_need(degree[s:s + _BLOCK], phi[s:s + _BLOCK])
    return out


def per_person(value, n: int, key: str, dtype) -> np.ndarray | None:
    """``value`` as one entry per person when it is a list (of exactly n), else None.

    Examples
    --------
    >>> per_person([1, 2], 2, "wom.count", np.int32)
    array([1, 2], dtype=int32)
    >>> per_person(3, 2, "wom.count", np.int32) is None
    True
    """
    if isinstance(value, list):
        if len(value) != n:
            raise ConfigError(key, f"must be one value or a list of {n} values (one per person); "
                                   f"got a list of {len(value)}")
        return np.asarray(value, dtype=dtype)
    return None


def fractional_thresholds(wom: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """Each person's adoption threshold φ_i (fraction of contacts), float64.

    ``wom.threshold`` may be a list of ``n`` values; otherwise ``threshold_dist``
    is ``normal`` (mean ``threshold``, sd ``threshold_sd``, clipped to [0, 1];
    sd 0 gives everyone the same φ) or ``uniform`` on [``threshold_low``,
    ``threshold_high``].

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> fractional_thresholds({"threshold": 0.2, "threshold_sd": 0.0, "threshold_dist": "normal"}, 3, rng)
    array([0.2, 0.2, 0.2])
    """
    given = per_person(wom["threshold"], n, "wom.threshold", np.float64)
    if given is not None:
        return given
    if wom["threshold_dist"] == "uniform":
        return rng.uniform(wom["threshold_low"], wom["threshold_high"], size=n)
    if wom["threshold_sd"] == 0:  # one value for everyone: a read-only view of it, no bytes per person
        return np.broadcast_to(float(wom["threshold"]), n)
    return np.clip(rng.normal(wom["threshold"], wom["threshold_sd"], size=n), 0.0, 1.0)


class Threshold(CountRule):
    """Adopt when the adopted share of one's contacts reaches one's threshold φ_i (drawn once, stream
    ``population``)."""

    name = "threshold"
    label = "thresholds"
    params = PARAMS

    @classmethod
    def detail(cls, values: dict) -> str:
        if isinstance(values["wom.threshold"], list):
            return "φ = per person"
        if values["wom.threshold_dist"] == "uniform":
            return f"φ = uniform on [{values['wom.threshold_low']:g}, {values['wom.threshold_high']:g}]"
        sd = values["wom.threshold_sd"]
        return f"φ = {values['wom.threshold']:g}" + (f" ± {sd:g}" if sd else "")

    @classmethod
    def controls(cls, values: dict) -> dict:
        if isinstance(values["wom.threshold"], list):
            return {}
        return {"wom.threshold": {"type": "SliderFloat", "value": values["wom.threshold"], "min": 0.0, "max": 1.0,
                                  "step": 0.01, "label": "threshold (share)"},
                "wom.threshold_sd": {"type": "SliderFloat", "value": values["wom.threshold_sd"], "min": 0.0,
                                     "max": 0.3, "step": 0.01, "label": "threshold spread (sd)"}}

    def needs(self, model):
        phi = fractional_thresholds(self.values, model.n, model.streams.get("population"))
        return phi, threshold_need(model.degree, phi)
