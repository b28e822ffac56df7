"""Hostile input: sizes nothing could hold, values that break types, deep or huge files, unsafe names.

Each must give one line (the key, what is allowed, what was given), exit status 2
from the command, no traceback and nothing written.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim import config, model, networks, records
from sim.errors import ConfigError
from sim.networks import memory
from sim.viz import cli as viz_cli

TOO_BIG = "needs about"
NAME_RULE = "name must be an identifier (letters, digits, _ - .; not starting with .); got "


def bouche(*args, cwd=None):
    """The real ``bouche`` command (the installed script, else ``python -m sim``)."""
    script = Path(sys.executable).with_name("bouche")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "sim"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# files the command-line cases read, made in tmp_path (FILE:name in an argument)
FILES = {
    "deep.toml": "a = " + "[" * 1000 + "]" * 1000 + "\n",
    "deep_tables.toml": "a = " + "{b = " * 1000 + "1" + "}" * 1000 + "\n",
    "docker.toml": 'name = "../.docker"\n[network]\nkind = "complete"\nn = 10\n',
    "wide.csv": ",".join(str(i) for i in range(200_000)) + "\n",
}


@pytest.mark.parametrize("args, line", [
    (["run", "bass", "--set", "network.n=1000000000000"],
     "network.n = 1000000000000 needs about 12.7 TiB of memory for the graph and state; this machine has "),
    (["run", "bass", "--set", "network.kind=stochastic_block", "--set", "network.sizes=[1000000000000]"],
     "network.sizes = [1000000000000] needs about "),
    (["run", "bass", "--set", "network.n=1e308"],
     "network.n must be an integer >= 1; got 1e+308 (too large to be an exact integer)"),
    (["run", "bass", "--set", "run.steps=1e308"], "run.steps must be an integer in [1, 2147483647]; got 1e+308"),
    (["run", "bass", "--set", "model=[1]"], "model must be one of adoption, attention, platform, market; got [1]"),
    (["run", "FILE:deep.toml"], "deep.toml' nests tables or arrays more than 16 levels deep"),
    (["run", "FILE:deep_tables.toml"], "deep_tables.toml' nests tables or arrays more than 16 levels deep"),
    (["run", "bass", "--set", "network.kind=file", "--set", "network.path=FILE:wide.csv"],
     "wide.csv' (line 1 is longer than 65536 bytes"),
    (["run", "FILE:docker.toml"], NAME_RULE + "'../.docker'"),
    (["viz", "--port", "70000"], "--port must be an integer in 0..65535 (0 = any free port); got 70000"),
    (["viz", "--host", "999.1.1.1"], "--host must be an IP address or a host name of this machine; got '999.1.1.1'"),
])
@pytest.mark.slow
def test_the_command_refuses_in_one_line_with_status_2_and_writes_nothing(tmp_path, args, line):
    for name, text in FILES.items():
        write(tmp_path / name, text)
    args = [a.replace("FILE:", f"{tmp_path}/") for a in args]
    out = tmp_path / "out"
    r = bouche(*args, *(["--out", str(out)] if args[0] == "run" else []), cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("bouche: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert line in r.stderr and "Traceback" not in r.stderr
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)


# -- sizes nothing could hold ------------------------------------------------------------------

@pytest.mark.parametrize("overrides, line", [
    ({"network.kind": "erdos_renyi", "network.n": 10**12},
     "network.n = 1000000000000 (network.mean_degree = 10.0) needs about "),
    ({"network.kind": "erdos_renyi", "network.n": 10**7, "network.mean_degree": 10**5},
     "network.n = 10000000 (network.mean_degree = 100000.0) needs about 3.64 TiB"),
    ({"network.kind": "barabasi_albert", "network.n": 10**11}, "network.n = 100000000000 (network.m = 3) needs"),
    ({"network.kind": "ring", "network.n": 10**11}, "network.n = 100000000000 (network.k = 10) needs about"),
    ({"network.kind": "stochastic_block", "network.n": 10**9, "network.communities": 2},
     "network.n = 1000000000 (network.p_in = 0.05) needs about"),
    ({"network.kind": "stochastic_block", "network.sizes": [10**6] * 10},
     "network.sizes = [10 sizes summing to 10000000] needs about 2.15 TiB"),
    ({"network.kind": "complete", "network.n": 10**15}, "network.n = 1000000000000000 needs about 12.4 PiB"),
])
def test_a_graph_too_big_for_the_machine_is_refused_before_anything_is_allocated(overrides, line):
    with pytest.raises(ConfigError) as err:
        sim.run("bass", overrides=overrides)
    msg = str(err.value)
    assert msg.startswith(line) and "of memory for the graph and state; this machine has " in msg, msg
    assert err.value.key in ("network.n", "network.sizes") and "\n" not in msg


def test_the_sizes_this_project_runs_are_not_refused():
    # README and benchmarks/scale.py: 10^7 people at mean degree 10; a 10^8-person Erdős–Rényi graph at
    # mean degree 10 keeps about 7 GB, so a 24 GiB machine must let it through
    for spec in ({"kind": "erdos_renyi", "n": 10**8, "mean_degree": 10},
                 {"kind": "barabasi_albert", "n": 10**8, "m": 5},
                 {"kind": "erdos_renyi", "n": 10**7, "mean_degree": 10}):
        assert memory.needed_bytes(spec) < 8 * 2**30
    have = memory.machine_bytes()
    if have is not None and have[0] >= 8 * 2**30:
        networks.check_memory({"kind": "erdos_renyi", "n": 10**8, "mean_degree": 10})
    assert memory.needed_bytes({"kind": "file", "path": "g.csv"}) is None  # unknown until read: not refused


def test_more_people_than_int32_numbers_is_one_line():
    with pytest.raises(ConfigError, match=r"^network.n must be an integer in \[1, 2147483646\] \(people are "
                                          r"numbered with 32-bit integers\); got 3000000000$"):
        networks.check_people({"kind": "ring", "n": 3 * 10**9})
    networks.check_people({"kind": "ring", "n": 2**31 - 2})


def test_huge_run_steps_does_not_preallocate_per_step_arrays():
    m = model.DiffusionModel("bass", overrides={"network.n": 50, "run.steps": 2**31 - 1})
    assert max(a.size for a in m.engine.rec.values()) <= records.FIRST_ROWS
    m.run()
    assert m.timeseries()["adopters"].iloc[-1] == 50


def test_per_step_arrays_grow_as_steps_run(monkeypatch):
    over = {"network.n": 300, "run.steps": 40, "run.stop": "steps"}
    whole = model.DiffusionModel("bass", seed=4, overrides=over).run().timeseries()
    monkeypatch.setattr(records, "FIRST_ROWS", 4)
    grown = model.DiffusionModel("bass", seed=4, overrides=over)
    assert grown.engine.rec["adopters"].size == 4
    grown.run()
    assert grown.engine.rec["adopters"].size == 41
    assert grown.timeseries().equals(whole)


def test_per_step_arrays_of_replicate_blocks_grow_as_steps_run(monkeypatch):
    from sim.batch import run_replicates

    over = {"network.kind": "ring", "network.n": 500, "network.k": 6, "run.steps": 40, "run.stop": "steps"}
    whole = run_replicates("bass", [1, 2, 3], overrides=over)
    monkeypatch.setattr(records, "FIRST_ROWS", 4)
    grown = run_replicates("bass", [1, 2, 3], overrides=over)
    for (ts, summary), (ts_grown, summary_grown) in zip(whole, grown):
        assert ts_grown.equals(ts) and summary_grown == summary and len(ts) == 41


# -- values that break types --------------------------------------------------------------------

@pytest.mark.parametrize("overrides, line", [
    ({"network.n": 1e308}, "network.n must be an integer >= 1; got 1e+308 (too large to be an exact integer)"),
    ({"network.n": 2.0**60}, "(too large to be an exact integer)"),
    ({"network.n": 10**20}, "network.n must be an integer >= 1; got 100000000000000000000 (too large: at most"),
    ({"network.seed": 10**30}, "network.seed must be an integer >= 0 (or none); got 10000000"),
    ({"run.steps": 2**31}, "run.steps must be an integer in [1, 2147483647]; got 2147483648"),
    ({"run.steps": 1e308}, "run.steps must be an integer in [1, 2147483647]; got 1e+308"),
    ({"wom.count": 10**20}, "wom.count must be an integer (or a list of integers, one per person) in [0, 2147483647]"),
    ({"network.kind": "stochastic_block", "network.sizes": [1e308]}, "network.sizes must be a list of integers >= 1"),
    ({"wom.q": 10**400}, "wom.q must be a number >= 0; got 1000000"),
    ({"model": [1]}, "model must be one of adoption, attention, platform, market; got [1]"),
    ({"model": {"a": 1}}, "model must be one of adoption, attention, platform, market; got {'a': 1}"),
    ({"report": [1]}, "report must be a string; got [1]"),
    ({"name": ["x"]}, "name must be a string; got ['x']"),
    ({"wom.threshold": [[[[[[1]]]]]]}, "wom.threshold must be a number (or a list of numbers, one per person)"),
    ({"network.sizes": "[" * 50}, "network.sizes must be a list of integers >= 1 (or none); got '[[[[["),
])
def test_values_that_break_types_are_one_line(overrides, line):
    with pytest.raises(ConfigError) as err:
        config.load("bass", overrides=overrides)
    msg = str(err.value)
    assert msg.startswith(line) or line in msg, msg
    assert "\n" not in msg and len(msg) < 400


def test_deep_values_are_refused_without_recursion_errors():
    deep = 1
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ConfigError, match=r"^wom.threshold must be nested at most 16 levels deep; got \[\[\["):
        config.load("bass", overrides={"wom.threshold": deep})
    with pytest.raises(ConfigError, match="^scenario must nest tables and arrays at most 16 levels deep"):
        config.load({"network": {"n": 10}, "wom": {"threshold": deep}})
    with pytest.raises(ConfigError, match=r"^--set takes values nested at most 16 levels deep; got '\[\[\["):
        config.parse_assignment("wom.threshold=" + "[" * 3000 + "]" * 3000)
    with pytest.raises(ConfigError, match=r"^overrides must map dotted parameter names to values; got the key 3"):
        config.load("bass").replace({3: 1})


@pytest.mark.parametrize("text", [
    "a = " + "[" * 1000 + "]" * 1000,
    "a = " + "{b = " * 1000 + "1" + "}" * 1000,
    "[network]\nn = " + "[" * 20 + "1" + "]" * 20,  # parses, but no scenario nests so deep
])
def test_a_deep_toml_file_is_refused_naming_the_file(tmp_path, text):
    f = write(tmp_path / "deep.toml", text + "\n")
    with pytest.raises(ConfigError) as err:
        config.load(f)
    assert str(err.value) == (f"scenario file {str(f.resolve())!r} nests tables or arrays more than 16 levels "
                              f"deep (a scenario needs 5 at most)")


# -- graph files ----------------------------------------------------------------------------------

def test_a_line_too_long_for_an_edge_list_is_refused_before_parsing(tmp_path):
    f = write(tmp_path / "long.txt", "1 2\n2 3\n" + "4 " * 40_000 + "\n5 6\n")
    with pytest.raises(ConfigError, match=r"got '.*long.txt' \(line 3 is longer than 65536 bytes, more than an "
                                          r"edge list's line holds\)$"):
        networks.from_file(f)
    f = write(tmp_path / "tail.csv", "1,2\n" + "9" * 70_000)  # no newline at the end
    with pytest.raises(ConfigError, match=r"\(line 2 is longer than 65536 bytes"):
        networks.from_file(f)
    ok = write(tmp_path / "ok.csv", "1,2\n" + "x" * 60_000 + ",3\n")
    assert networks.from_file(ok).n == 4


def test_node_ids_beyond_int64_stay_distinct(tmp_path):
    f = write(tmp_path / "huge.txt", "99999999999999999999 99999999999999999998\n99999999999999999998 7\n")
    g = networks.from_file(f)
    assert g.n == 3 and g.n_edges == 2
    assert g.labels.tolist() == ["99999999999999999999", "99999999999999999998", "7"]
    near = write(tmp_path / "near.txt", "9007199254740993 9007199254740992\n1.0 2\n")  # floats would merge them
    assert networks.from_file(near).n == 4
    edge = write(tmp_path / "edge.txt", f"{2**63 - 1} 1\n{-2**63} 1\n")
    assert networks.from_file(edge).labels.tolist() == [-2**63, 1, 2**63 - 1]


# -- bouche viz ------------------------------------------------------------------------------------

@pytest.mark.parametrize("host, port, line", [
    ("127.0.0.1", 70000, "--port must be an integer in 0..65535 (0 = any free port); got 70000"),
    ("127.0.0.1", -1, "--port must be an integer in 0..65535 (0 = any free port); got -1"),
    ("999.1.1.1", 8765, "--host must be an IP address or a host name of this machine; got '999.1.1.1' ("),
    ("no such host", 8765, "--host must be an IP address or a host name of this machine; got 'no such host' ("),
])
def test_bad_viz_addresses_blame_the_right_option(host, port, line):
    with pytest.raises(ConfigError) as err:
        viz_cli.check_address(host, port)
    assert str(err.value).startswith(line) and "\n" not in str(err.value)


def test_an_address_of_another_machine_blames_host():
    with pytest.raises(ConfigError, match=r"^--host must be an address of this machine; got '192.0.2.1'"):
        viz_cli._free_port("192.0.2.1", 0)  # TEST-NET-1: never this machine's


def test_serving_beyond_this_machine_warns_in_one_line():
    for host in ("127.0.0.1", "localhost", "127.0.0.2"):
        assert viz_cli.check_address(host, 0)[1] is None
    warning = viz_cli.check_address("0.0.0.0", 0)[1]
    assert warning.startswith("bouche viz: warning: --host 0.0.0.0 serves the app, without a password, to every "
                              "machine that can reach this one") and "\n" not in warning


# -- paths and names from scenario files ------------------------------------------------------------

@pytest.mark.slow
def test_network_path_in_a_file_is_relative_to_the_file_and_overrides_to_the_current_folder(tmp_path, monkeypatch):
    write(tmp_path / "sub" / "g.csv", "a,b\nb,c\nc,a\n")
    write(tmp_path / "here.csv", "a,b\nb,c\nc,d\nd,a\n")
    spec = write(tmp_path / "sub" / "net.toml",
                 '[network]\nkind = "file"\npath = "g.csv"\n[run]\nsteps = 3\n'
                 '[variants.other.network]\npath = "g.csv"\n')
    monkeypatch.chdir(tmp_path)
    loaded = config.load("sub/net.toml")
    graph = (tmp_path / "sub" / "g.csv").resolve()
    assert Path(loaded.get("network.path")).resolve() == graph
    assert Path(loaded.variants["other"]["network.path"]).resolve() == graph
    assert sim.run("sub/net.toml").model.n == 3
    assert sim.run("sub/net.toml", overrides={"network.path": "here.csv"}).model.n == 4  # from the current folder
    absolute = write(tmp_path / "abs.toml", f'[network]\nkind = "file"\npath = "{tmp_path / "here.csv"}"\n')
    assert config.load(absolute).get("network.path") == str(tmp_path / "here.csv")
    assert config.load({"network": {"kind": "file", "path": "here.csv"}}).get("network.path") == "here.csv"
    # the command line: the file's own path from elsewhere, an override from the current folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = bouche("run", str(spec), "--out", str(tmp_path / "a"), "--no-plots", cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    r = bouche("run", str(spec), "--set", "network.path=../here.csv", "--out", str(tmp_path / "b"), "--no-plots",
               cwd=elsewhere)
    assert r.returncode == 0 and "of 4 people" in r.stdout, r.stderr


@pytest.mark.parametrize("name", ["../.docker", "/etc", "a/b", "a\\b", "..", ".hidden", "", "a..b", "x" * 101,
                                  "ok\n", "C:x", "a b"])
def test_unsafe_names_are_refused(name):
    with pytest.raises(ConfigError) as err:
        config.load("bass", overrides={"name": name})
    msg = str(err.value)
    assert msg.startswith(NAME_RULE) or msg.startswith("name must be an identifier of at most 100 characters")
    assert "\n" not in msg


def test_names_that_are_identifiers_pass_and_file_names_become_safe_defaults(tmp_path):
    for name in ("bass", "broadcast-vs-seeding", "v1.2_final", "x" * 100):
        assert config.load("bass", overrides={"name": name}).name == name
    for name, path in config.shipped_scenarios().items():
        assert config.load(path).name == name
    assert config.load(write(tmp_path / "my scenario (2).toml", "seed = 1\n")).name == "my_scenario__2_"
    assert config.load(write(tmp_path / "..toml", "seed = 1\n")).name == "scenario"


def test_the_reader_refuses_a_file_it_cannot_read(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    f = write(tmp_path / "locked.toml", "seed = 1\n")
    f.chmod(0)
    with pytest.raises(ConfigError, match="locked.toml' cannot be read"):
        config.load(f)


def test_a_float_that_is_an_exact_integer_still_counts():
    assert config.load("bass", overrides={"network.n": 2e3}).get("network.n") == 2000
    assert isinstance(config.load("bass", overrides={"run.steps": 50.0}).get("run.steps"), int)
    assert np.iinfo(np.int32).max == config.PARAMS["run.steps"].hi


@pytest.mark.parametrize("argv, line", [
    (["fragmentation", "--set", "network.n=1000000000000"], "network.n = 1000000000000 needs about"),
    (["bandwagon", "--set", "network.n=50", "--set", "seeding.strategy=greedy",
      "--set", "seeding.greedy_samples=1000000000000"], "seeding.greedy_samples = 1000000000000 needs about"),
])
@pytest.mark.slow
def test_other_models_and_mechanisms_check_memory_before_allocating(tmp_path, argv, line):
    done = subprocess.run([sys.executable, "-m", "sim", "run", *argv, "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.startswith("bouche: error: " + line), done.stderr
    assert done.stderr.count("\n") == 1 and "of memory" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_network_paths_in_a_sweep_file_are_relative_to_the_file(tmp_path, monkeypatch):
    from sim.experiments.spec import load_spec

    write(tmp_path / "sweeps" / "g3.csv", "a,b\nb,c\nc,a\n")
    write(tmp_path / "sweeps" / "g4.csv", "a,b\nb,c\nc,d\nd,a\n")
    write(tmp_path / "here.csv", "a,b\nb,c\nc,d\nd,e\ne,a\n")
    sweep = write(tmp_path / "sweeps" / "s.toml",
                  'scenario = "bass"\n[set]\n"network.kind" = "file"\n"network.path" = "g3.csv"\n"run.steps" = 2\n'
                  '[vary]\n"network.path" = ["g3.csv", "g4.csv"]\n')
    monkeypatch.chdir(tmp_path)
    spec = load_spec(str(sweep))
    assert [Path(p["network.path"]).name for p in spec.points] == ["g3.csv", "g4.csv"]
    assert all(Path(p["network.path"]).is_file() for p in spec.points)
    res = sim.sweep(str(sweep), workers=1)
    assert res.runs["final_adopters"].le(4).all() and (res.runs["status"] == "ok").all()
    fixed = load_spec(str(sweep), vary={"wom.q": [0.1]}, overrides={"network.path": "here.csv"})
    assert fixed.scenario["network"]["path"] == "here.csv"  # the command line's: from the current folder


@pytest.mark.parametrize("overrides, line", [
    ({"network.communities": 100_000, "network.n": 200_000},
     "network.communities must be an integer in [1, 1,000] (at most n, and 1,000: the block model's build time"),
    ({"network.sizes": [2] * 1001}, "network.sizes must list at most 1,000 communities"),
])
def test_too_many_communities_are_refused_before_a_quadratic_build(overrides, line):
    with pytest.raises(ConfigError) as err:
        config.load("bass", overrides={"network.kind": "stochastic_block", **overrides})
    assert str(err.value).startswith(line)
    assert config.load("bass", overrides={"network.kind": "stochastic_block", "network.communities": 1000,
                                          "network.n": 2000}).get("network.communities") == 1000
