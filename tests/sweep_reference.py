"""The synchronous sweep, written plainly: the reference the engine is checked against.

The event-driven engine (sim/engine.py) must give exactly what the plain
synchronous sweep gives: every person re-evaluated every step, adopted-contact
counts recomputed from scratch, the same named random streams. The sweep is
written out here, independently of the engine; tests compare both person by
person (adoption step and channel) and step by step (the time series). Shared by
tests/test_engine.py, tests/test_backend.py, tests/test_batch.py and
tests/test_gpu_ways.py, with the scenarios they use (:data:`CASES`).
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy as sp
import scipy.sparse  # noqa: F401
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim import backend as backend_mod
from sim import coins, config, networks
from sim.backend import Backend, get_backend
from sim.batch import Replicates, batchable, run_replicates, shares_graph
from sim.population import MEDIA, WOM
from sim.rules import bass
from sim.rules.threshold import threshold_met, threshold_need
from sim.streams import Streams

# -- the synchronous sweep, written plainly -------------------------------------------


def triggered_decision(u, media_term, fired, dt):
    """Deterministic rules: word of mouth wins where the rule fired; media decide elsewhere."""
    if media_term is None or u is None:
        return np.zeros(len(fired), dtype=bool), fired
    return ~fired & (u < np.minimum(1.0, media_term * dt)), fired


def sweep_run(overrides: dict, seed: int, scenario="bass"):
    """Run the scenario by full synchronous sweeps; returns (adopted_at, channel, rows).

    The engine's model is only used for the set-up (graph, thresholds, seeds,
    media audiences); every step below recomputes everyone's state from scratch.
    """
    m = sim.DiffusionModel(scenario, seed=seed, overrides=overrides)
    spec, g, n = m.spec, m.graph, m.n
    streams = Streams(spec.seed)
    adopted, at, ch = m.state.adopted.copy(), m.state.adopted_at.copy(), m.state.channel.copy()
    rule, dt, q, beta = spec.get("wom.rule"), spec.get("run.dt"), spec.get("wom.q"), spec.get("wom.beta")
    degree = g.in_degree
    media = [(md, streams.get("media", md.name)) for md in m.media]
    u_rng = streams.get("wom")
    draw_u = rule == "bass" or bool(media)
    live = None
    if rule == "cascade":
        stream = streams.get("wom", "edges")
        if g.complete:
            edge_rng = stream
        else:
            mask = coins.live(coins.coin_key(stream), np.arange(len(g.out_indices)), beta)
            src = np.repeat(np.arange(n), g.out_degree)[mask]
            dst = g.out_indices[mask]
            live = sp.sparse.csr_array((np.ones(len(src)), (dst, src)), shape=(n, n))  # row v: live u -> v
    last_new = np.flatnonzero(at == 0)
    rows = []
    for t in range(1, spec.get("run.steps") + 1):
        counts = g.count_adopted(adopted)
        media_term, contacts = None, 0
        for md, rng in media:
            if md.is_on(t):
                media_term = np.zeros(n) if media_term is None else media_term
                contacts += md.contact(media_term, rng)
        u = u_rng.random(n) if draw_u else None
        if rule == "bass":
            hazard = np.zeros(n)
            np.divide(q * counts, degree, out=hazard, where=degree > 0)
            by_media, by_wom = bass.bass_decision(u, media_term, hazard, dt)
        else:
            if rule == "threshold":
                fired = threshold_met(counts, degree, m.thresholds)
            elif rule == "complex":
                fired = counts >= m.thresholds
            elif rule == "cascade" and g.complete:
                fired = edge_rng.random(n) < 1.0 - (1.0 - beta) ** len(last_new)
            elif rule == "cascade":
                x = np.zeros(n)
                x[last_new] = 1
                fired = live @ x > 0
            else:
                fired = np.zeros(n, dtype=bool)
            by_media, by_wom = triggered_decision(u, media_term, fired, dt)
        new_media = np.flatnonzero(by_media & ~adopted)
        new_wom = np.flatnonzero(by_wom & ~adopted)
        for idx, code in ((new_media, MEDIA), (new_wom, WOM)):
            adopted[idx], at[idx], ch[idx] = True, t, code
        last_new = np.concatenate((new_media, new_wom))
        rows.append((int(adopted.sum()), len(new_media), len(new_wom), contacts))
        if spec.get("run.stop") == "quiescent" and not _can_change(adopted, rule, q, g, media, t, len(last_new)):
            break
    return at, ch, rows


def _can_change(adopted, rule, q, g, media, t, n_new):
    if adopted.all():
        return False
    if any(md.may_act_after(t) and (md.audience is None or not adopted[md.audience].all()) for md, _ in media):
        return True
    if rule == "bass":
        return q > 0 and bool(((g.count_adopted(adopted) > 0) & ~adopted).any())
    return rule in ("threshold", "complex", "cascade") and n_new > 0


def assert_same_as_sweep(overrides, seed, device="cpu"):
    model = sim.DiffusionModel("bass", seed=seed, overrides=overrides, device=device)
    model.run()
    at, ch, rows = sweep_run(overrides, seed)
    np.testing.assert_array_equal(model.state.adopted_at, at)
    np.testing.assert_array_equal(model.state.channel, ch)
    ts = model.timeseries().iloc[1:]
    got = list(zip(ts["adopters"], ts["new_by_media"], ts["new_by_wom"], ts["media_contacts"]))
    assert got == rows
    return model



# -- event-driven == synchronous ---------------------------------------------------------

ER = {"network.kind": "erdos_renyi", "network.n": 1500, "network.mean_degree": 8}
BA = {"network.kind": "barabasi_albert", "network.n": 1500, "network.m": 4}
RING = {"network.kind": "ring", "network.n": 600, "network.k": 6}
WS = {"network.kind": "watts_strogatz", "network.n": 800, "network.k": 6, "network.rewire": 0.1}
SBM = {"network.kind": "stochastic_block", "network.sizes": [400, 300], "network.p_in": 0.03,
       "network.p_out": 0.002}
COMPLETE = {"network.kind": "complete", "network.n": 300}
QUIET = {"media": [], "seeding.strategy": "random", "seeding.fraction": 0.02, "run.steps": 300}
LATE_MEDIA = {"media": [{"name": "tv", "p": 0.02, "reach": 0.4, "start": 3, "stop": 6},
                        {"name": "web", "p": 0.05, "reach": 0.2, "start": 5, "target": "top_degree"}]}

CASES = {
    "threshold-er": {**ER, **QUIET, "wom.rule": "threshold", "wom.threshold": 0.18},
    "threshold-ba-sd": {**BA, **QUIET, "wom.rule": "threshold", "wom.threshold": 0.2, "wom.threshold_sd": 0.1},
    "threshold-ring-exact": {**RING, **QUIET, "wom.rule": "threshold", "wom.threshold": 1 / 3},
    "threshold-ws-uniform": {**WS, **QUIET, "wom.rule": "threshold", "wom.threshold_dist": "uniform",
                             "wom.threshold_high": 0.4},
    "threshold-zero": {**ER, **QUIET, "wom.rule": "threshold", "wom.threshold": 0.0, "seeding.fraction": 0.0},
    "threshold-complete": {**COMPLETE, **QUIET, "wom.rule": "threshold", "wom.threshold": 0.05,
                           "wom.threshold_sd": 0.05},
    "threshold-media": {**ER, **QUIET, **LATE_MEDIA, "wom.rule": "threshold", "wom.threshold": 0.3},
    "complex-ring": {**RING, **QUIET, "wom.rule": "complex", "wom.count": 2, "seeding.fraction": 0.05},
    "complex-instigators": {**ER, **QUIET, "wom.rule": "complex", "wom.count": [0] * 10 + [2] * 1490,
                            "seeding.fraction": 0.0},
    "complex-sbm-media": {**SBM, **QUIET, **LATE_MEDIA, "wom.rule": "complex", "wom.count": 3},
    "complex-complete": {**COMPLETE, **QUIET, "wom.rule": "complex", "wom.count": 5},
    "cascade-er": {**ER, **QUIET, "wom.rule": "cascade", "wom.beta": 0.2},
    "cascade-ba-certain": {**BA, **QUIET, "wom.rule": "cascade", "wom.beta": 1.0, "seeding.count": 1,
                           "seeding.fraction": None},
    "cascade-media": {**WS, **QUIET, **LATE_MEDIA, "wom.rule": "cascade", "wom.beta": 0.15},
    "cascade-complete": {**COMPLETE, **QUIET, "wom.rule": "cascade", "wom.beta": 0.002},
    "bass-er": {**ER, "wom.rule": "bass", "run.steps": 40},
    "bass-ba-dt": {**BA, "wom.rule": "bass", "run.dt": 0.5, "wom.q": 0.6, "media.reach": 0.3, "run.steps": 60},
    "bass-wom-only": {**RING, **QUIET, "wom.rule": "bass", "wom.q": 0.5},
    "bass-late-media": {**SBM, **LATE_MEDIA, "wom.rule": "bass", "run.steps": 30, "run.stop": "steps"},
    "bass-complete": {**COMPLETE, "wom.rule": "bass", "run.steps": 30},
    "none-media": {**ER, **LATE_MEDIA, "wom.rule": "none", "run.steps": 12},
}
