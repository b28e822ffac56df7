"""One page for the boss: ``bouche report FOLDER`` turns any Bouche output folder into a self-contained HTML page.

A page says the question, the assumptions in plain words with their units
(``run.time_unit``), the answer with its confidence interval, the figure, how
much the answer moves when the uncertain parameters move, and how to reproduce
it (command, seed, versions). The folder's marker (``.bouche.json``) says its
kind; :data:`PAGES` maps each kind to the function that reads such a folder and
returns a :class:`~sim.onepage.page.Page` (:mod:`sim.onepage.kinds` for runs,
comparisons, sweeps and fits; :mod:`sim.onepage.calibration_page`,
:mod:`sim.onepage.optimize_page` and :mod:`sim.onepage.discovery_page`), so a new kind of output adds one entry; what
moves the answer is measured by :mod:`sim.onepage.sensitivity`. The page embeds its figures, so it can be mailed
as one file; it is written into a ``report page`` folder (``report.html``) under
the output rules of :mod:`sim.outputs`.

Examples
--------
>>> len(PAGES), sorted(PAGES)[:3]
(7, ['calibration folder', 'comparison folder', 'discovery folder'])
"""

from sim.onepage.page import PAGES, Page, build, write_page

__all__ = ["PAGES", "Page", "build", "write_page"]
