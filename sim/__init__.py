"""Bouche: agent-based simulation of word of mouth against mass media on social graphs.

The public names below are imported on first use, so that ``import sim`` (and
``bouche --help``) stays quick: the engine, Mesa, pandas and SciPy load when a
name that needs them is first read.

>>> import sim
>>> result = sim.run("bass", seed=1, overrides={"network.n": 500, "run.steps": 5})
>>> result.summary["steps_run"]
5
"""

import importlib
import sys
import types

from sim.errors import ConfigError
from sim.version import __version__

# public name -> the module that defines it (imported on first use)
_LAZY = {
    "Scenario": "sim.config", "load": "sim.config",
    "DiffusionModel": "sim.model", "Person": "sim.model",
    "RunResult": "sim.runs", "run": "sim.runs",
    "Comparison": "sim.compare", "compare": "sim.compare",
    "SweepResult": "sim.experiments", "sweep": "sim.experiments",
    "BassFit": "sim.fitting", "fit": "sim.fitting",
    "Calibration": "sim.calibration", "calibrate": "sim.calibration",
    "Optimization": "sim.optimize", "optimize": "sim.optimize",
    "Discovery": "sim.discovery", "discover": "sim.discovery",
}

__all__ = ["BassFit", "Calibration", "calibrate", "Comparison", "ConfigError", "Discovery", "discover",
           "DiffusionModel", "Person", "RunResult", "Scenario", "compare", "fit", "load", "optimize", "Optimization",
           "run", "SweepResult", "sweep", "__version__"]


class _Package(types.ModuleType):
    """The ``sim`` package: public names resolved on first use.

    ``sim.compare`` names the function, while ``sim/compare.py`` is also a
    module: importing that module sets the package's attribute ``compare`` to
    it, which would hide the function. Such an assignment of a submodule over
    a public name is ignored here (``sys.modules`` still holds the module, so
    ``from sim.compare import Comparison`` works as ever).
    """

    def __getattr__(self, name: str):
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'sim' has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        super().__setattr__(name, value)
        return value

    def __setattr__(self, name: str, value) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)

    def __dir__(self):
        return sorted({*super().__dir__(), *_LAZY})


sys.modules[__name__].__class__ = _Package
