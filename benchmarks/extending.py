"""How much slower a rule written per agent (Mesa way) is than a vectorised rule, at n = 10^4.

The per-agent rule is docs/examples/stubborn.py's ``Stubborn`` person with a fixed
stubbornness equal to the threshold, so both rules take the same decisions;
the figure is the median wall time of a whole run, and their ratio.
"""

from __future__ import annotations

import statistics
import time

import sim
from sim.model import Person
from sim.rules import person_rule, register, unregister

N = 10_000
PHI = 0.15


class _Fixed(Person):
    def decide(self) -> bool:
        k = len(self.contacts)
        return k > 0 and self.adopted_contacts >= (PHI - 1e-9) * k


def _time(overrides, repeats: int) -> tuple[float, object]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = sim.run("bass", seed=1, overrides=overrides, adoptions=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), r


def main(quick: bool = False, repeats: int | None = 3, seed: int | None = 1, write_json: bool = True) -> int:
    repeats, seed = repeats or 3, 1 if seed is None else seed
    register(person_rule(_Fixed, "bench_per_agent"))
    try:
        base = {"network.kind": "erdos_renyi", "network.n": 1000 if quick else N, "network.mean_degree": 10,
                "network.seed": seed, "media": [], "seeding.strategy": "random", "seeding.fraction": 0.05,
                "run.steps": 100, "report": ""}
        vec, a = _time({**base, "wom.rule": "threshold", "wom.threshold": PHI}, repeats)
        per, b = _time({**base, "wom.rule": "bench_per_agent"}, max(1, repeats // 2))
        same = a.timeseries["adopters"].equals(b.timeseries["adopters"])
        print(f"extending: n = {base['network.n']:,}, threshold {PHI} on ER, {a.summary['steps_run']} steps")
        print(f"  vectorised rule   {vec * 1e3:9.1f} ms")
        print(f"  per-agent rule    {per * 1e3:9.1f} ms   ({per / vec:,.0f}x slower; same adopters: {same})")
        return 0 if same else 1
    finally:
        unregister("bench_per_agent")
