"""Figures of an adoption run: the curve by channel, the network, the animation.

Modules (imported on demand: each pulls in matplotlib):

* :mod:`sim.figures.adoption` -- the adoption curve split by channel, the
  channels' colours and labels, the one-line subtitle of a scenario;
* :mod:`sim.figures.network` -- the network coloured by state and channel on a
  layout computed once (the end-of-run snapshot, frames for the app);
* :mod:`sim.figures.animate` -- ``bouche animate``: the network beside the
  adoption curve, as a GIF or MP4.

A model's own figures live with the model (:mod:`sim.attention.plots`), a
scenario's report with the report (:mod:`sim.reports`, :mod:`sim.platform.report`),
a sweep's with the sweep (:mod:`sim.experiments.plots`).
"""
