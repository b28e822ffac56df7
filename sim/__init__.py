"""Bouche: agent-based simulation of word of mouth against mass media on social graphs.

>>> import sim
>>> result = sim.run("bass", seed=1, overrides={"network.n": 500, "run.steps": 5})
>>> result.summary["steps_run"]
5
"""

from sim.version import __version__
from sim.config import Scenario, load  # noqa: E402
from sim.errors import ConfigError  # noqa: E402
from sim.model import DiffusionModel, Person  # noqa: E402
from sim.runs import RunResult, run  # noqa: E402
from sim.compare import Comparison, compare  # noqa: E402
from sim.experiments import SweepResult, sweep  # noqa: E402
from sim.fitting import BassFit, fit  # noqa: E402
from sim.calibration import Calibration, calibrate  # noqa: E402
from sim.optimize import Optimization, optimize  # noqa: E402
from sim.discovery import Discovery, discover  # noqa: E402

__all__ = ["BassFit", "Calibration", "calibrate", "Comparison", "ConfigError", "Discovery", "discover", "DiffusionModel", "Person", "RunResult", "Scenario", "compare", "fit", "load", "optimize", "Optimization", "run",
           "SweepResult", "sweep", "__version__"]
