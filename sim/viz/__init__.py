"""The classroom app: ``bouche viz SCENARIO`` runs a scenario live in the browser.

It is Mesa's SolaraViz app (the ``viz`` extra: ``pip install 'bouche[viz]'``)
around a :class:`ClassroomModel`, with

* sliders and selectors for the scenario's key parameters (network kind and
  size, contacts per person, the medium's p and reach, word of mouth q,
  threshold, count or beta, seeding strategy and share), Mesa's step / play /
  reset buttons and a random-seed box; a changed parameter takes effect at
  the next Reset, as in NetLogo's ``setup``;
* a live network view, people coloured by state and channel (not yet
  adopted, seeded, mass media, word of mouth), on a layout computed once per
  network (:mod:`sim.figures.network`), drawn as a random sample above 3,000 people
  (the view says so);
* a live adoption curve split by channel, the running summary (adopters,
  cost, cost per adopter) and the scenario's own explanation;
* for the fragmentation scenario (``model = "attention"``), the audiences of
  the channels ranked by size (the long tail), live.

The package imports neither solara nor Mesa's visualisation until the app is
built, so ``bouche --help`` stays fast and works without the extra; without
it ``bouche viz`` prints one line and exits with status 2.

Parameters a teacher sets map onto scenario overrides (:func:`overrides_for`)
relative to the scenario as loaded, so the app's starting model is the
scenario itself, apart from its size: an adoption scenario starts at 1,000 people
(unless ``--set network.n=...`` says otherwise; other models keep the scenario's size).

The package's modules:

* :mod:`sim.viz.parameters` -- the sliders and how they map onto the scenario;
* :mod:`sim.viz.classroom` -- :class:`ClassroomModel`, the model the app drives;
* :mod:`sim.viz.views` -- what the views show: frames of the network and curves, the summary;
* :mod:`sim.viz.page` -- the Solara page (the module ``bouche viz`` hands to solara);
* :mod:`sim.viz.cli` -- the command ``bouche viz``.

The names in ``__all__`` are importable from here; the others from their module.

Examples
--------
>>> from sim import config
>>> base = config.load("bandwagon")
>>> ctl = controls(base, start_n=1000)
>>> ctl["n"]["value"], ctl["seeding_percent"]["value"], "q" in ctl, ctl["threshold"]["value"]
(1000, 10.0, False, 0.35)
>>> overrides_for(base, n=1000, degree=10, threshold=0.35, seeding_strategy="random", seeding_percent=10.0)
{'network.n': 1000}
>>> m = ClassroomModel("bandwagon", n=400, seeding_percent=12.0)
>>> m.sim.n, m.sim.state.n_adopted
(400, 48)
"""

from __future__ import annotations

from sim.viz import page as _page
from sim.viz.classroom import ClassroomModel
from sim.viz.cli import NEEDS_EXTRA, add_arguments, command
from sim.viz.page import START_N, make_page
from sim.viz.parameters import controls, overrides_for

__all__ = ["ClassroomModel", "controls", "overrides_for", "make_page", "NEEDS_EXTRA", "START_N", "add_arguments",
           "command"]


def __getattr__(name: str):
    """``sim.viz.Page``: the app's page component, once the server process has built it (in :mod:`sim.viz.page`)."""
    if name == "Page" and hasattr(_page, "Page"):
        return _page.Page
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
