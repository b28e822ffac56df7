"""Rules of one's own, as docs/extending.md shows them: both examples run, by name, on every executor.

The examples are the documentation's own files (docs/examples/), run as users
run them: as scripts, through ``bouche --rules``, in sweeps on a local process
pool and on a Dask LocalCluster, and from an installed package's entry point.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim import rules

ROOT = Path(__file__).resolve().parents[1]
GOSSIP, STUBBORN = ROOT / "docs" / "examples" / "gossip.py", ROOT / "docs" / "examples" / "stubborn.py"
SMALL = ["--set", "network.kind=erdos_renyi", "--set", "network.n=400", "--set", "network.mean_degree=6",
         "--set", "report=", "--set", "seeding.strategy=random", "--set", "seeding.count=5"]


def _bouche(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


@pytest.fixture
def gossip():
    rules.load_modules([str(GOSSIP)])
    if "gossip" not in rules.names():
        rules.register(sys.modules["bouche_rules_gossip"].Gossip)
    yield rules.get("gossip")
    rules.unregister("gossip")


@pytest.mark.slow
@pytest.mark.parametrize("example", [GOSSIP, STUBBORN])
def test_the_examples_run_as_scripts(example):
    p = subprocess.run([sys.executable, str(example)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "adopted" in p.stdout and p.stderr == ""


def test_a_registered_rule_runs_by_name_and_validates(gossip):
    ov = {"network.kind": "ring", "network.n": 300, "network.k": 4, "media": [], "wom.rule": "gossip",
          "seeding.strategy": "random", "seeding.count": 3, "run.steps": 50}
    a, b = sim.run("bass", seed=3, overrides=ov), sim.run("bass", seed=3, overrides=ov)
    assert a.timeseries.equals(b.timeseries) and a.summary["adopters_by_channel"]["wom"] > 0
    assert "gossip" in sim.config.PARAMS["wom.rule"].choices and "wom.gossip" in sim.config.PARAMS
    with pytest.raises(sim.ConfigError, match=r"^wom.gossip must be a number in \[0, 1\]; got 2"):
        sim.run("bass", overrides={**ov, "wom.gossip": 2})
    # replicate blocks run it too, with the numbers of one-by-one runs
    from sim.batch import run_replicates

    for (ts, summary), seed in zip(run_replicates("bass", [1, 2, 3], overrides=ov), (1, 2, 3)):
        one = sim.run("bass", seed=seed, overrides=ov)
        assert ts.equals(one.timeseries) and summary == one.summary


def test_a_rule_per_agent_gives_the_vectorised_rules_numbers():
    """A Person whose decide() is the threshold rule takes the built-in rule's decisions, person by person."""
    from sim.model import Person

    class Fixed(Person):
        def decide(self):
            k = len(self.contacts)
            return k > 0 and self.adopted_contacts >= (0.2 - 1e-9) * k

    rules.register(rules.person_rule(Fixed, "fixed_share"))
    try:
        ov = {"network.kind": "erdos_renyi", "network.n": 600, "network.mean_degree": 6, "media.p": 0.01,
              "seeding.strategy": "random", "seeding.count": 30, "run.steps": 40, "report": ""}
        vec = sim.run("bass", seed=2, overrides={**ov, "wom.rule": "threshold", "wom.threshold": 0.2})
        per = sim.run("bass", seed=2, overrides={**ov, "wom.rule": "fixed_share"})
        assert per.timeseries.equals(vec.timeseries)
        assert (per.model.state.adopted_at == vec.model.state.adopted_at).all()
        assert isinstance(per.model.person(0), Fixed) and vec.summary["adopters_by_channel"]["wom"] > 50
    finally:
        rules.unregister("fixed_share")


@pytest.mark.slow
def test_bouche_run_and_show_take_rules_from_a_file(tmp_path):
    p = _bouche("run", "bass", "--rules", GOSSIP, "--set", "wom.rule=gossip", *SMALL, "--out", "g", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    cfg = json.loads((tmp_path / "g" / "config.json").read_text())
    assert cfg["scenario"]["wom"]["rule"] == "gossip"
    assert "gossip" in p.stdout or (tmp_path / "g" / "adoption.png").exists()
    show = _bouche("show", "bass", "--rules", STUBBORN, cwd=tmp_path)
    assert show.returncode == 0 and "wom.stubborn" in show.stdout
    bad = _bouche("run", "bass", "--rules", "no_such_module_here", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("bouche: error: --rules could not import 'no_such_module_here'")
    unknown = _bouche("run", "bass", "--set", "wom.rule=gossip", cwd=tmp_path)  # not registered: one line
    assert unknown.returncode == 2 and "wom.rule must be one of" in unknown.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["g"]


@pytest.mark.slow
@pytest.mark.parametrize("where", [["--workers", "2"], ["--workers", "2", "--scheduler", "local"]],
                         ids=["process-pool", "dask"])
def test_sweeps_run_a_users_rule_on_their_workers(tmp_path, where):
    p = _bouche("sweep", "bass", "--rules", GOSSIP, "--set", "wom.rule=gossip", *SMALL, "--vary",
                "wom.gossip=0.02,0.2", "--replicates", "3", *where, "--out", "sw", "--no-plots", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    runs = pd.read_csv(tmp_path / "sw" / "runs.csv")
    assert len(runs) == 6 and (runs["status"] == "ok").all()
    # the same numbers as runs in this process
    rules.load_modules([str(GOSSIP)])
    if "gossip" not in rules.names():  # imported by an earlier test, which unregistered it
        rules.register(sys.modules["bouche_rules_gossip"].Gossip)
    try:
        for _, row in runs.iterrows():
            over = {"wom.rule": "gossip", "wom.gossip": row["wom.gossip"], **_small()}
            assert sim.run("bass", seed=int(row["seed"]), overrides=over).summary["final_adopters"] == \
                row["final_adopters"]
    finally:
        rules.unregister("gossip")


def _small() -> dict:
    return {SMALL[i + 1].split("=")[0]: sim.config.parse_value(SMALL[i + 1].split("=", 1)[1])
            for i in range(0, len(SMALL), 2)}


@pytest.mark.slow
def test_an_installed_packages_rule_is_found_through_its_entry_point(tmp_path):
    pkg = tmp_path / "site" / "bouche_gossip_plugin"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(GOSSIP.read_text().replace("register(Gossip)\n", ""))
    info = tmp_path / "site" / "bouche_gossip_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bouche-gossip-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[bouche.rules]\ngossip = bouche_gossip_plugin:Gossip\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    p = _bouche("run", "bass", "--set", "wom.rule=gossip", *SMALL, "--out", "e", cwd=tmp_path, env=env)
    assert p.returncode == 0, p.stderr
    assert json.loads((tmp_path / "e" / "config.json").read_text())["scenario"]["wom"]["rule"] == "gossip"
