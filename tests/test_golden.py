"""Golden numbers: refactors of the engine keep every output byte for byte.

``tests/data/golden.json`` holds the SHA-256 of ``timeseries.csv`` and
``summary.json`` (as :func:`sim.runs.write_run` writes them) for every shipped
scenario at its own seed, and for replicate blocks of every word-of-mouth rule
on an Erdős–Rényi graph, a Barabási–Albert graph and a ring lattice (each
replicate hashed on its own). A change that moves one number fails here.

Every number must match to 12 significant digits everywhere (the ``rounded``
hash), and within the numerical environment recorded in the file (the
versions of Python, NumPy, SciPy, pandas and Mesa) every ``timeseries.csv``
byte for byte too. ``summary.json`` holds one least-squares fit (the
fragmentation scenario's tail exponent), whose last bit LAPACK may move from
one CPU to another even with the same versions (measured: two machines, one
wheel), so its bytes are recorded but only its rounded numbers are compared.

Record the file again only for a change that is *meant* to move numbers, and say
so in its commit: ``python tests/test_golden.py --write``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "data" / "golden.json"
SCENARIO_SEEDS = None  # each shipped scenario at its own seed
BLOCK_SEEDS = (1, 2, 3)
RULES = ("bass", "threshold", "complex", "cascade", "none", "forgetting", "observational", "voter", "deffuant",
         "hegselmann_krause", "algorithmic_bias")
NETWORKS = {
    "erdos_renyi": {"network.kind": "erdos_renyi", "network.mean_degree": 8, "network.seed": 11},
    "barabasi_albert": {"network.kind": "barabasi_albert", "network.m": 3, "network.seed": 11},
    "ring": {"network.kind": "ring", "network.k": 6},
}
# the rules' own settings, chosen so that every rule spreads in a few dozen steps
RULE_SETTINGS = {
    "bass": {"wom.q": 0.4, "media.p": 0.01},
    "threshold": {"wom.threshold": 0.15, "wom.threshold_sd": 0.05, "seeding.strategy": "random",
                  "seeding.count": 40, "media.p": 0.002},
    "complex": {"wom.count": 2, "seeding.strategy": "random", "seeding.count": 60, "media.p": 0.0},
    "cascade": {"wom.beta": 0.2, "seeding.strategy": "random", "seeding.count": 10, "media.p": 0.0},
    "none": {"media.p": 0.05},
    "forgetting": {"wom.q": 0.5, "wom.forget": 0.1, "media.p": 0.01},
    # contacts seen, everyone who has seen a choice deciding at once: waves from ten planted adopters
    "observational": {"wom.observe": "contacts", "media.signal_precision": 0.8, "seeding.strategy": "random",
                      "seeding.count": 10},
    # opinions, with the medium as a stubborn voice at 0.8; 20 steps (each of n random interactions)
    "voter": {"run.order": "random_sequential", "media.opinion": 1.0, "wom.zealots": 0.02, "run.steps": 20},
    "deffuant": {"run.order": "random_sequential", "wom.epsilon": 0.3, "media.opinion": 0.8, "run.steps": 20},
    "hegselmann_krause": {"wom.epsilon": 0.2, "media.opinion": 0.8, "run.steps": 20},
    "algorithmic_bias": {"run.order": "random_sequential", "wom.epsilon": 0.3, "wom.gamma": 1.0,
                         "media.opinion": 0.8, "run.steps": 20},
}


def _rounded(value):
    """``value`` with every float at 12 significant digits (lists and dicts walked)."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    return float(f"{value:.12g}") if isinstance(value, float) else value


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _hash_run(ts, summary) -> dict:
    """The SHA-256 of the run's files as written, and of the same with numbers rounded."""
    from sim.runs import _json_default

    js = json.dumps(summary, indent=2, default=_json_default) + "\n"
    rounded = ts.to_csv(index=False, float_format="%.12g") + json.dumps(_rounded(summary), default=_json_default)
    return {"timeseries.csv": _sha(ts.to_csv(index=False)), "summary.json": _sha(js), "rounded": _sha(rounded)}


def environment() -> dict:
    """The versions that decide the last bits of the numbers."""
    import platform
    from importlib import metadata

    return {"python": platform.python_version().rsplit(".", 1)[0],
            **{d: metadata.version(d) for d in ("numpy", "scipy", "pandas", "mesa")}}


def _same(got, want) -> bool:
    """Rounded hashes everywhere; exact time series too in the recorded environment."""
    keys = ("rounded", "timeseries.csv") if _golden()["environment"] == environment() else ("rounded",)
    strip = (lambda runs: [{k: r[k] for k in keys} for r in runs]) if isinstance(got, list) else \
        (lambda named: {name: {k: v[k] for k in keys} for name, v in named.items()})
    return strip(got) == strip(want)


def block_overrides(rule: str, network: str) -> dict:
    return {"network.n": 3000, "run.steps": 60, "wom.rule": rule, **NETWORKS[network], **RULE_SETTINGS[rule]}


def scenario_hashes() -> dict:
    import sim
    from sim import config

    return {name: _hash_run(r.timeseries, r.summary) for name in config.shipped_scenarios()
            for r in [sim.run(name)]}


def block_hashes(rule: str, network: str) -> list[dict]:
    from sim.batch import run_replicates

    return [_hash_run(ts, s) for ts, s in run_replicates("bass", BLOCK_SEEDS, overrides=block_overrides(rule,
                                                                                                         network))]


def _golden() -> dict:
    if not GOLDEN.exists():
        pytest.fail(f"{GOLDEN} is missing: record it with python tests/test_golden.py --write")
    return json.loads(GOLDEN.read_text())


@pytest.mark.parametrize("network", list(NETWORKS))
@pytest.mark.parametrize("rule", RULES)
def test_replicate_blocks_keep_their_numbers(rule, network):
    assert _same(block_hashes(rule, network), _golden()["blocks"][f"{rule}/{network}"])


def test_shipped_scenarios_keep_their_numbers():
    assert _same(scenario_hashes(), _golden()["scenarios"])


def test_the_blocks_run_as_blocks_and_spread():
    """The golden blocks exercise what they claim: one n x R block, and dynamics that move."""
    from sim import config
    from sim.batch import batchable, build_model, shares_graph

    for rule in RULES:
        for network in NETWORKS:
            spec = config.load("bass", overrides=block_overrides(rule, network), seed=1)
            assert shares_graph(spec) and batchable(build_model(spec, graphs={}))
    ts, summary = __import__("sim.batch").batch.run_replicates("bass", [1], overrides=block_overrides(
        "threshold", "erdos_renyi"))[0]
    assert summary["final_adopters"] > 1000


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    record = {"environment": environment(), "scenarios": scenario_hashes(),
              "blocks": {f"{r}/{n}": block_hashes(r, n) for r in RULES for n in NETWORKS}}
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}: {len(record['scenarios'])} scenarios, {len(record['blocks'])} blocks")
