"""Campaigns on a platform: the adoption model with the dashboard a platform shows, and its report.

Modules: :mod:`~sim.platform.model` (:class:`PlatformModel`, ``model =
"platform"`` in a scenario, and the :class:`Dashboard` observer: impressions,
likes, last-touch attribution) and :mod:`~sim.platform.report` (the
``measurement`` report: what the dashboard shows against the true lift from
twin runs, for each campaign variant).
"""

from sim.platform.model import (
                                DASHBOARD_KEYS,
                                Dashboard,
                                PlatformModel,
                                TrackedMedium,
                                campaign_off,
                                draw_fans,
                                like_draws,
)

__all__ = ["PlatformModel", "Dashboard", "TrackedMedium", "draw_fans", "like_draws", "campaign_off",
           "DASHBOARD_KEYS"]
