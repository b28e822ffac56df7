"""Summary metrics of a run, computed from its time series.

Examples
--------
>>> import pandas as pd
>>> ts = pd.DataFrame({"step": [0, 1, 2], "time": [0.0, 1.0, 2.0], "adopters": [1, 5, 10],
...                    "adopted_fraction": [0.1, 0.5, 1.0], "new_adopters": [1, 4, 5],
...                    "cost": [2.0, 1.0, 1.0]})
>>> s = summarize(ts, n=10, by_channel={"seed": 1, "media": 3, "wom": 6})
>>> s["time_to_50"], s["peak_time"], s["cost_per_adopter"]
(1.0, 2.0, 0.4)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["summarize", "time_to_fraction", "SUMMARY_KEYS"]

SUMMARY_KEYS = ("final_fraction", "final_adopters", "adopters_by_channel", "time_to_10", "time_to_50",
                "time_to_90", "peak_time", "peak_new_adopters", "total_cost", "cost_per_adopter", "steps_run")


def time_to_fraction(ts: pd.DataFrame, fraction: float) -> float | None:
    """First time at which the adopted fraction reaches ``fraction`` (None if never).

    Examples
    --------
    >>> ts = pd.DataFrame({"time": [0.0, 0.5, 1.0], "adopted_fraction": [0.0, 0.4, 0.6]})
    >>> time_to_fraction(ts, 0.5), time_to_fraction(ts, 0.9)
    (1.0, None)
    """
    hit = np.flatnonzero(ts["adopted_fraction"].to_numpy() >= fraction - 1e-12)
    return None if len(hit) == 0 else float(ts["time"].iloc[hit[0]])


def summarize(ts: pd.DataFrame, n: int, by_channel: dict[str, int]) -> dict:
    """The summary of a run: final size, channel credit, speed, peak and cost.

    ``peak_time`` is the time of the step with the most new adopters after
    seeding (the first such step; None if nobody adopted after step 0).
    ``cost_per_adopter`` is the total cost over all adopters (None if none).
    """
    adopters, new, time = (ts[c].to_numpy() for c in ("adopters", "new_adopters", "time"))
    final = int(adopters[-1])
    peak = int(new[1:].max()) if len(new) > 1 else 0
    peak_time = float(time[1 + int(np.argmax(new[1:]))]) if peak > 0 else None
    total_cost = float(ts["cost"].to_numpy().sum())
    return {
        "final_fraction": final / n,
        "final_adopters": final,
        "adopters_by_channel": dict(by_channel),
        "time_to_10": time_to_fraction(ts, 0.10),
        "time_to_50": time_to_fraction(ts, 0.50),
        "time_to_90": time_to_fraction(ts, 0.90),
        "peak_time": peak_time,
        "peak_new_adopters": peak,
        "total_cost": total_cost,
        "cost_per_adopter": total_cost / final if final else None,
        "steps_run": int(ts["step"].iloc[-1]),
    }
