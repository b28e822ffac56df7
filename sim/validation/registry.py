"""The check registry and the record each check returns, with the helpers every check shares.

:class:`Check` is what one check compared and with what result;
:data:`CHECKS` maps each check's name to its function, in report order (the
check modules register themselves on import: :mod:`~sim.validation.bass`,
:mod:`~sim.validation.thresholds`, :mod:`~sim.validation.seeding`,
:mod:`~sim.validation.friendship`, :mod:`~sim.validation.market`); :func:`run_check` and :func:`run_checks`
run them. The shared pieces: the root seed and a run's seed from its content
(:func:`_seed`), the tolerance in standard errors (:func:`z_limit`), engine runs
without media (:func:`_run`, :func:`_model`) and figure saving (:func:`_save`).
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["Check", "CHECKS", "FIGURES", "REF", "ROOT_SEED", "P", "Q", "run_check", "run_checks", "z_limit"]

ROOT_SEED = 2011  # Rand & Rust
FIGURES = "validation"  # the figures' folder, beside validation.md
P, Q = 0.03, 0.38  # Bass: Sultan, Farley & Lehmann (1990) means
REF = {
    "bass": "Bass (1969), Management Science 15(5); p, q: Sultan, Farley & Lehmann (1990); "
            "discrete vs continuous time: Rand & Rust (2011), IJRM 28(3)",
    "granovetter": "Granovetter (1978), American J. Sociology 83(6)",
    "watts": "Watts (2002), PNAS 99(9); cascade size and trigger probability: Gleeson & Cahalane (2007), "
             "Phys. Rev. E 75, 056103",
    "centola": "Centola & Macy (2007), American J. Sociology 113(3); Centola (2010), Science 329",
    "greedy": "Kempe, Kleinberg & Tardos (2003), KDD; CELF: Leskovec et al. (2007), KDD; "
              "Zachary (1977), J. Anthropological Research 33(4)",
    "seeding": "Kim et al. (2015), The Lancet 386(9989); Kempe, Kleinberg & Tardos (2003), KDD",
    "friendship": "Feld (1991), American J. Sociology 96(6); Newman, Strogatz & Watts (2001), Phys. Rev. E 64",
    "bhw": "Bikhchandani, Hirshleifer & Welch (1992), J. Political Economy 100(5)",
    "voter": "Castellano, Fortunato & Loreto (2009), Rev. Mod. Phys. 81; Holley & Liggett (1975), Ann. Probab. 3",
    "bounded": "Deffuant, Neau, Amblard & Weisbuch (2000), Adv. Complex Syst. 3; Fortunato (2004), IJMPC 15; "
               "Fortunato (2005), IJMPC 16; Sîrbu, Pedreschi, Giannotti & Kertész (2019), PLoS ONE 14(3)",
}


@dataclass
class Check:
    """The record of one check: what was compared, with what result."""

    name: str
    title: str
    reference: str
    setting: str
    expected: str
    simulated: str
    uncertainty: str
    tolerance: str
    passed: bool
    figure: str | None = None  # path relative to the report (validation/NAME.png)
    values: dict = field(default_factory=dict)  # the numbers, machine-readable
    seconds: float = 0.0


CHECKS: dict[str, Callable[..., Check]] = {}


def _register(fn):
    CHECKS[fn.__name__.removeprefix("check_")] = fn
    return fn


def z_limit(m: int = 1) -> float:
    """Standard errors allowed for each of ``m`` values tested at once (2.5 for one; Bonferroni).

    Examples
    --------
    >>> round(z_limit(1), 2), round(z_limit(8), 2)
    (2.5, 3.16)
    """
    from scipy import stats

    alpha = 2 * stats.norm.sf(2.5)
    return float(stats.norm.isf(alpha / (2 * max(int(m), 1))))


def _seed(*names) -> int:
    """A run's seed from the root seed and the run's content (never its position in a list)."""
    from sim.streams import stream_key

    return int(np.random.SeedSequence(ROOT_SEED, spawn_key=stream_key(*map(str, names))).generate_state(1)[0])


def _run(overrides: dict, seed: int):
    from sim.runs import run

    return run("bass", seed=seed, overrides={"media": [], **overrides}, adoptions=False)


def _model(overrides: dict, seed: int):
    from sim.model import DiffusionModel

    return DiffusionModel("bass", seed=seed, overrides={"media": [], **overrides})


def _mean_se(x) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else 0.0


def _save(fig, folder: Path, name: str) -> str:
    from sim.figures.canvas import save

    folder.mkdir(parents=True, exist_ok=True)
    save(fig, folder / f"{name}.png", dpi=100)
    return f"{FIGURES}/{name}.png"


def run_check(name: str, folder: str | Path | None = None, quick: bool = False) -> Check:
    """Run one check of :data:`CHECKS`; figures go to ``folder`` (a temporary one if None)."""
    if name not in CHECKS:
        raise KeyError(f"no check {name!r}; checks: {', '.join(CHECKS)}")
    t0 = time.perf_counter()
    if folder is None:
        with tempfile.TemporaryDirectory() as tmp:
            rec = CHECKS[name](Path(tmp), quick)
    else:
        rec = CHECKS[name](Path(folder), quick)
    rec.seconds = time.perf_counter() - t0
    return rec


def run_checks(folder: str | Path, quick: bool = False, names=None, progress=None, report=None) -> list[Check]:
    """Run the checks ``names`` (default: all, in order), figures into ``folder``.

    ``progress``: a progress bar over the checks (None: on a terminal or in a notebook, see
    :mod:`sim.progress`; True or False); ``report(check)`` is called as each check ends, for lines of
    one's own (print them with the bar's ``write``: see :func:`sim.validation.cli.command`).
    """
    from sim.progress import progress_bar

    names = list(names or CHECKS)
    out = []
    with progress_bar(len(names), "validation", show=progress, unit="check") as bar:
        for name in names:
            bar.set_postfix_str(name, refresh=True)
            rec = run_check(name, folder, quick)
            out.append(rec)
            bar.update()
            if report:
                report(rec)
    return out
