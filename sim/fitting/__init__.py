"""Fitting diffusion models to real adoption data: the Bass model by three estimators (:func:`fit`).

``sim.fit(DATA)`` reads a series of new adoptions per period
(:mod:`sim.fitting.data`), fits m, p and q by Bass's regression (``ols``), the
density (``nls``) and the period's sales (``interval``, Srinivasan & Mason 1986,
the default) (:mod:`sim.fitting.bass`), and forecasts the next periods with a
prediction band. :meth:`BassFit.write` writes the fit folder (``fit.json``,
``forecast.csv``, ``fit.png``); ``bouche fit`` is :mod:`sim.fitting.command`.

Examples
--------
>>> f = fit("room_air_conditioners", horizon=3)
>>> round(f.estimates["ols"]["m"]), round(f.estimates["ols"]["q"], 3)
(17091, 0.405)
>>> f.forecast.columns.tolist()[:4]
['method', 'period', 't', 'observed']
"""

from sim.fitting.result import BassFit, fit

__all__ = ["BassFit", "fit"]
