"""Calibrating the agent model to real adoption data by simulation (:func:`calibrate`).

``sim.calibrate(DATA, "bass", free=["media.p=0.005:0.1", "wom.q=0.1:0.8"])``
reads new adoptions per period as ``bouche fit`` does (:mod:`sim.fitting.data`),
runs the scenario for every candidate with the same replicate seeds (common
random numbers), and minimises the squared error between the data and the
replicates' mean new adopters per period (:mod:`sim.calibration.search`). It
reports each parameter with a standard error and a 95 % interval, the
calibrated scenario (:mod:`sim.calibration.toml`) and a forecast band from the
replicates; ``bouche calibrate`` is :mod:`sim.calibration.command`.
"""

from sim.calibration.result import Calibration, calibrate
from sim.calibration.search import Free, parse_free

__all__ = ["Calibration", "calibrate", "Free", "parse_free"]
