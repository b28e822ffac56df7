"""At home in a notebook: no global side effects at import, figures returned (and drawn on axes given),
short reprs, progress bars, logging; and a real Jupyter kernel doing what a new user does."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from matplotlib.figure import Figure

import sim

SMALL = {"network.kind": "erdos_renyi", "network.n": 400, "network.mean_degree": 6, "run.steps": 20}


@pytest.fixture(scope="module")
def small_run():
    return sim.run("bass", seed=3, overrides=SMALL)


@pytest.fixture(scope="module")
def small_comparison():
    return sim.compare("bass", change={"wom.q": 0.1}, replicates=3, overrides=SMALL, progress=False)


@pytest.fixture(scope="module")
def small_sweep():
    return sim.sweep("bass", vary={"wom.q": [0.1, 0.4]}, replicates=2, workers=1, overrides=SMALL, progress=False)


# -- no global side effects -------------------------------------------------------------------------------------

PROBE = """
import importlib, pkgutil, sys
import matplotlib
matplotlib.use("svg")  # a backend of the user's own, as a notebook's inline backend is
import sim
for mod in pkgutil.walk_packages(sim.__path__, "sim."):
    if mod.name != "sim.__main__":  # that one runs the command
        importlib.import_module(mod.name)
over = {"network.kind": "erdos_renyi", "network.n": 300, "run.steps": 10}
r = sim.run("bass", seed=1, overrides=over)
r.plot(); r.plot("network")
sim.compare("bass", change={"wom.q": 0.1}, replicates=2, overrides=over, progress=False).plot()
sim.sweep("bass", vary={"wom.q": [0.1, 0.4]}, workers=1, overrides=over, progress=False).plot()
from sim.runs import write_run
import tempfile, os
write_run(r, os.path.join(tempfile.mkdtemp(), "run"))
print(matplotlib.get_backend(), "matplotlib.pyplot" in sys.modules)
"""


@pytest.mark.slow
def test_importing_and_drawing_leave_the_backend_alone():
    res = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split()[-2:] == ["svg", "False"]  # not switched to Agg; pyplot never imported


def test_no_module_switches_the_backend_in_its_source():
    import pathlib

    root = pathlib.Path(sim.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if "matplotlib.use(" in p.read_text() or "import matplotlib.pyplot" in p.read_text()]
    assert offenders == []


# -- figures are returned, and drawn on the axes given ------------------------------------------------------------

def test_run_plot_returns_a_figure_and_draws_on_given_axes(small_run):
    fig = small_run.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    mine = Figure()
    ax = mine.subplots()
    assert small_run.plot(ax=ax) is mine and ax.get_title().startswith("Who has adopted")
    pair = Figure().subplots(1, 2)
    assert small_run.plot(ax=pair) is pair[0].figure and pair[1].get_title() == "New adopters per step"
    net = Figure().subplots()
    assert small_run.plot("network", ax=net) is net.figure and net.collections  # the people, drawn


def test_comparison_and_sweep_plots_return_figures(small_comparison, small_sweep):
    fig = small_comparison.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    pair = Figure().subplots(1, 2)
    assert small_comparison.plot(ax=pair) is pair[0].figure and pair[0].lines
    fig = small_sweep.plot()
    assert isinstance(fig, Figure) and fig.axes[0].get_xlabel().startswith("wom.q")
    ax = Figure().subplots()
    assert small_sweep.plot("line", x="wom.q", y="final_fraction", ax=ax) is ax.figure and ax.lines


def test_other_models_plot_their_own_figures():
    r = sim.run("fragmentation", overrides={"network.n": 600, "run.steps": 5})
    assert isinstance(r.plot(), Figure) and isinstance(r.plot("overlap"), Figure)
    with pytest.raises(sim.ConfigError, match="kind must be one of audiences"):
        r.plot("adoption")


def test_adoption_figure_shows_the_last_step_and_only_channels_with_adopters():
    r = sim.run("bandwagon", overrides={"network.n": 500, "run.steps": 6, "report": ""})  # no medium
    ax = r.plot().axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "mass media" not in labels and labels[:2] == ["seeded", "word of mouth"]
    t = r.timeseries["time"].to_numpy()
    assert ax.get_xlim()[1] == pytest.approx(t[-1] + (t[1] - t[0]))  # the last step is drawn over its length
    steps = ax.collections[0].get_paths()[0].vertices[:, 0]
    assert steps.max() == pytest.approx(t[-1] + 1)


# -- short reprs and HTML -----------------------------------------------------------------------------------------

def test_reprs_are_one_short_line_and_html_tables(small_run, small_comparison, small_sweep):
    for obj in (small_run, small_comparison, small_sweep):
        text = repr(obj)
        assert "\n" not in text and len(text) < 300, text
        page = obj._repr_html_()
        assert page.startswith('<div class="bouche-result">') and len(page) < 4000
    assert repr(small_run).startswith("<RunResult bass (seed 3): ") and "people adopted" in repr(small_run)
    assert "wom.q=0.1, 3 paired replicates; final_adopters" in repr(small_comparison)
    assert repr(small_sweep).startswith("<SweepResult bass: 4 runs (0 failed) over wom.q, 2 points × 2 replicates")
    print(f"\nrepr lengths: run {len(repr(small_run))}, comparison {len(repr(small_comparison))}, "
          f"sweep {len(repr(small_sweep))} characters")


# -- progress bars (tqdm) -----------------------------------------------------------------------------------------

def test_sweeps_comparisons_and_validation_show_progress(capsys):
    sim.sweep("bass", vary={"wom.q": [0.1, 0.2]}, replicates=2, workers=1, overrides=SMALL, progress=True)
    err = capsys.readouterr().err
    assert "bass" in err and "4/4" in err and "run" in err
    sim.compare("bass", change={"wom.q": 0.1}, replicates=2, overrides=SMALL, progress=True)
    err = capsys.readouterr().err
    assert "bass twins" in err and "4/4" in err
    from sim.validation.registry import run_checks

    run_checks(None, quick=True, names=["granovetter_riot"], progress=True)
    err = capsys.readouterr().err
    assert "validation" in err and "1/1" in err and "check" in err


def test_no_bar_when_the_output_is_not_a_terminal(capsys):
    sim.compare("bass", change={"wom.q": 0.1}, replicates=2, overrides=SMALL)  # progress=None: tqdm's rule
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_a_report_says_what_it_runs_and_how_to_skip_it(tmp_path, capsys):
    from sim.cli import main

    code = main(["run", "bandwagon", "--set", "network.n=30000", "--out", str(tmp_path / "bw"), "--adoptions", "off"])
    err = capsys.readouterr().err
    assert code == 0
    assert ("bouche: bandwagon report: 170 runs of final adoption against the share seeded, on 20,000 people "
            "(the run had 30,000), and 200 crowds of 100 (--set report='' skips it)") in err


# -- logging (logger sim), not prints ------------------------------------------------------------------------------

def test_sweeps_log_what_a_library_should(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="sim"):
        sim.sweep("bass", vary={"wom.q": [0.1, 0.4]}, workers=1, overrides=SMALL, out=tmp_path / "s", plots=False)
        sim.sweep("bass", vary={"wom.q": [0.1, 0.4, 0.5]}, workers=1, overrides=SMALL, out=tmp_path / "s",
                  resume=True, plots=False)
    text = [r.getMessage() for r in caplog.records if r.name.startswith("sim.")]
    assert "bass runs on this process (serial) (1 at a time)" in text
    assert "bass: 2 runs, 0 already stored, 2 to run" in text
    assert "bass: 3 runs, 2 already stored, 1 to run" in text


def test_a_damaged_part_is_a_warning_on_logger_sim(tmp_path, caplog, capsys):
    out = tmp_path / "s"
    sim.sweep("bass", vary={"wom.q": [0.1, 0.4]}, workers=1, overrides=SMALL, out=out, plots=False)
    part = next((out / "parts").glob("*.parquet"))
    part.write_bytes(b"not parquet")
    with caplog.at_level(logging.WARNING, logger="sim"):
        sim.sweep("bass", vary={"wom.q": [0.1, 0.4]}, workers=1, overrides=SMALL, out=out, resume=True, plots=False)
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warned and warned[0].name == "sim.experiments.store" and "set aside the damaged part" in warned[0].message
    assert "damaged" not in capsys.readouterr().out  # logged, not printed


# -- a real Jupyter kernel ----------------------------------------------------------------------------------------

NOTEBOOK = [
    "import matplotlib; backend = matplotlib.get_backend(); backend",
    "import sim\nr = sim.run('bass', seed=2, overrides={'network.kind': 'erdos_renyi', 'network.n': 500, "
    "'run.steps': 20})\nr",
    "r.plot()",
    "from sim.figures import network as netplot\nmatplotlib.get_backend() == backend",
    "c = sim.compare('bass', change={'wom.q': 0.1}, replicates=2, overrides={'network.n': 300, 'run.steps': 10})\nc",
    "import tempfile\nfrom sim.runs import write_run\n"
    "write_run(sim.run('bass', overrides={'network.n': 300}), tempfile.mkdtemp() + '/run')",  # the bass report
]


def _execute(client, code: str) -> list[dict]:
    msg_id = client.execute(code)
    outputs = []
    while True:
        msg = client.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind in ("execute_result", "display_data", "error", "stream"):
            outputs.append({"type": kind, **msg["content"]})
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            return outputs


@pytest.mark.slow
def test_a_new_user_in_a_real_notebook_kernel():
    jupyter_client = pytest.importorskip("jupyter_client")
    pytest.importorskip("ipykernel")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # a user's kernel: Jupyter's own backend
    km, client = jupyter_client.manager.start_new_kernel(kernel_name="python3", env=env)
    try:
        cells = [_execute(client, code) for code in NOTEBOOK]
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)
    errors = [o for cell in cells for o in cell if o["type"] == "error"]
    assert not errors, errors
    backend = cells[0][-1]["data"]["text/plain"]
    assert "inline" in backend  # the notebook's own backend...
    assert cells[3][-1]["data"]["text/plain"] == "True"  # ...is still in charge after bouche's figures
    run_out = cells[1][-1]["data"]
    assert "text/html" in run_out and "people adopted" in run_out["text/html"]
    assert len(run_out["text/plain"]) < 300
    figure = cells[2][-1]["data"]
    assert "image/png" in figure  # the returned Figure shows as a picture, without pyplot
    kinds = {k for o in cells[4] for k in o.get("data", {})}
    assert "application/vnd.jupyter.widget-view+json" in kinds  # the comparison's progress bar, as a widget
    assert "text/html" in cells[4][-1]["data"] and "wom.q=0.1" in cells[4][-1]["data"]["text/plain"]
    report = {k for o in cells[5] for k in o.get("data", {})}
    assert "application/vnd.jupyter.widget-view+json" in report  # a scenario report's progress bar
