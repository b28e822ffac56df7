"""The classroom app (sim/viz/): its controls, the model behind it, the speed of its
network view, the command's errors, and the app itself in a real headless Chromium."""

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from sim import config, viz
from sim.runs import run
from sim.viz import views

ROOT = Path(__file__).resolve().parents[1]
# A long Bass run on a sparse network: media and word of mouth both act for hundreds of steps.
LONG_BASS = ["--set", "network.kind=erdos_renyi", "--set", "media.p=0.003", "--set", "wom.q=0.15",
             "--set", "run.steps=400", "--set", "run.stop=steps"]


def _values(ctl: dict) -> dict:
    return {k: v["value"] for k, v in ctl.items()}


# ---------------------------------------------------------------------------
# no browser


@pytest.mark.parametrize("name", config.shipped_scenarios())
def test_the_starting_controls_reproduce_the_scenario(name):
    base = config.load(name)
    assert viz.overrides_for(base, **_values(viz.controls(base))) == {}


def test_controls_map_onto_the_network_the_slider_asks_for():
    base = config.load("bass")
    for kind, key in (("erdos_renyi", "network.mean_degree"), ("ring", "network.k"),
                      ("watts_strogatz", "network.k"), ("barabasi_albert", "network.m")):
        ov = viz.overrides_for(base, network_kind=kind, n=2000, degree=12)
        m = viz.ClassroomModel("bass", network_kind=kind, n=2000, degree=12)
        assert m.error is None and m.sim.n == 2000 and key in ov
        # ER: mean degree 12 has a standard error of about 0.1 at n = 2000; ring and BA are exact (BA: 2m
        # contacts per newcomer, minus the seed clique's shortfall)
        assert abs(float(np.mean(m.sim.graph.in_degree)) - 12) < 0.5, kind
    m = viz.ClassroomModel("bass", network_kind="stochastic_block", n=2000, degree=12)
    assert m.error is None and abs(float(np.mean(m.sim.graph.in_degree)) - 12) < 0.5
    assert viz.overrides_for(base, media_p=0.1, media_reach=0.5) == {"media.p": 0.1, "media.reach": 0.5}
    band = config.load("bandwagon")
    assert viz.overrides_for(band, media_p=0.0) == {}  # no medium, none added
    assert viz.overrides_for(band, media_p=0.02) == {"media.p": 0.02, "media.reach": 1.0}


def test_the_seed_slider_sets_the_share_of_people_seeded():
    m = viz.ClassroomModel("bandwagon", n=500, seeding_percent=13.0)
    assert m.sim.state.by_channel()["seed"] == 65
    m = viz.ClassroomModel("bass", n=500, seeding_strategy="top_degree", seeding_percent=2.0,
                           network_kind="barabasi_albert")
    seeds = np.flatnonzero(np.asarray(m.sim.state.adopted_at) == 0)
    deg = m.sim.graph.out_degree
    assert len(seeds) == 10 and deg[seeds].min() >= np.sort(deg)[-10]


def test_the_app_runs_the_same_model_as_bouche_run():
    m = viz.ClassroomModel("bandwagon", n=600)
    while m.running:
        m.step()
    r = run("bandwagon", overrides={"network.n": 600})
    assert m.sim.timeseries().equals(r.timeseries)


def test_refused_parameters_leave_a_message_and_a_working_model():
    m = viz.ClassroomModel("bass", fixed=(("network.n", 300),), seed="twelve")
    assert m.error == "seed must be an integer >= 0; got 'twelve'"
    assert m.sim.n == 300 and m.spec.seed == 1969
    m = viz.ClassroomModel("bass", fixed=(("network.n", 300),), network_kind="ring", degree=400)
    assert m.error is None and m.sim.graph.in_degree.max() < 300  # k is capped below n
    m.step()
    assert m.current_step == 1


@pytest.mark.slow
def test_a_live_step_at_1000_people_draws_both_views():
    """Server side: one live step (model step, network frame, curve frame) at 1,000 people.

    The target (5 frames per second) is measured by ``python -m benchmarks classroom``.
    """
    fixed = tuple((k.split("=")[0], config.parse_value(k.split("=")[1])) for k in LONG_BASS[1::2])
    m = viz.ClassroomModel("bass", fixed=fixed, n=1000)
    t = views.time_frames(m, steps=40)
    print(f"\nlive step at 1,000 people: {1000 * t['step']:.1f} ms model, {1000 * t['network']:.1f} ms network, "
          f"{1000 * t['curve']:.1f} ms curve -> {t['fps']:.0f} frames/s; first frame {t['first_frame']:.2f} s")
    assert t["steps"] == 40 and t["fps"] > 0  # the speed itself: python -m benchmarks classroom


def test_the_layout_is_made_once_per_network():
    m = viz.ClassroomModel("bandwagon", n=800)
    views.network_frame(m)
    lay = m.view("layout", lambda: None)
    again = viz.ClassroomModel("bandwagon", n=800)  # a Reset with the same parameters
    views.network_frame(again)
    assert again.view("layout", lambda: None) is lay


def _bouche(*args, **kw):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, **kw)


@pytest.mark.slow
def test_without_the_viz_extra_bouche_viz_says_so_in_one_line():
    code = ("import sys; sys.modules['solara'] = None; from sim.cli import main; "
            "sys.exit(main(['viz', 'bass']))")
    r = _bouche("-c", code)
    assert r.returncode == 2
    assert r.stderr.strip() == "bouche viz needs the viz extra: pip install 'bouche[viz]'"


@pytest.mark.slow
def test_bad_input_to_bouche_viz_is_one_line_and_exit_2():
    r = _bouche("-m", "sim", "viz", "bass", "--set", "wom.qq=1")
    assert r.returncode == 2 and r.stderr.strip() == "bouche: error: wom.qq is not a parameter; did you mean wom.q?"
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = _bouche("-m", "sim", "viz", "bass", "--port", str(port))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith(f"bouche: error: --port must be a free port on 127.0.0.1; {port} is not")


# ---------------------------------------------------------------------------
# the app in a real browser


def _chromium() -> str | None:
    for path in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium",
                 shutil.which("chromium-browser")):
        if path and os.path.exists(path):
            return path
    return None


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser_context():
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium browser on this machine: install Debian's chromium package "
                    "(apt-get install chromium; .ci/run does it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")
    pytest.importorskip("solara", reason="needs the viz extra: pip install 'bouche[viz]'")
    with sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(tempfile.mkdtemp(prefix="bouche-chromium-"), executable_path=exe,
                                                   headless=True, args=CHROMIUM_ARGS,
                                                   viewport={"width": 1400, "height": 1000})
        try:
            yield ctx
        finally:
            ctx.close()


class App:
    """`bouche viz ...` as a real process on a free local port."""

    def __init__(self, args, log: Path):
        self.log = log
        self.proc = subprocess.Popen([sys.executable, "-m", "sim", "viz", *args, "--port", "0"], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=log.open("w"), text=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in self.proc.stdout], daemon=True).start()
        deadline = time.time() + 90
        self.url = None
        while time.time() < deadline and self.url is None:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            if " is live at " in line:
                self.url = line.split(" is live at ")[1].split()[0]
        if self.url is None:
            self.stop()
            raise AssertionError(f"bouche viz did not start:\n{log.read_text()[-3000:]}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _open(ctx, app: App, marker: str):
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(app.url, timeout=60000)
    try:
        page.locator(marker).wait_for(timeout=60000)
    except Exception as exc:
        raise AssertionError(f"the app did not render {marker}; page errors: {errors[:8]}; "
                             f"server log: {app.log.read_text()[-2000:]}") from exc
    return page, errors


def _slider(page, label: str):
    return page.locator(".v-input", has_text=label).locator("[role=slider]")


def _count_frames(page, selector: str, seconds: float) -> tuple[int, float]:
    """Frames shown in the browser: distinct images displayed by ``selector``, polled at each animation frame."""
    page.evaluate("""(sel) => { window.__frames = []; let last = null;
        const tick = () => { const img = document.querySelector(sel); const src = img ? img.src : null;
          if (src !== last) { window.__frames.push(performance.now()); last = src; }
          if (window.__counting) requestAnimationFrame(tick); };
        window.__counting = true; requestAnimationFrame(tick); }""", selector)
    time.sleep(seconds)
    frames = page.evaluate("() => { window.__counting = false; return window.__frames; }")
    return len(frames), (frames[-1] - frames[0]) / 1000 if len(frames) > 1 else 0.0


def _save(page, path: Path):
    page.screenshot(path=str(path))
    keep = os.environ.get("BOUCHE_ARTIFACTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    print(f"\nscreenshot: {path}")


@pytest.mark.slow
def test_the_app_in_a_browser_slider_reset_play(browser_context, tmp_path):
    app = App(["bass", "--set", "network.n=900", *LONG_BASS, "--interval", "1"], tmp_path / "server.log")
    try:
        page, errors = _open(browser_context, app, ".bouche-adopters")
        adopters = page.locator(".bouche-adopters")
        assert adopters.inner_text() == "Adopters: 0 of 900 (0.0 %)"

        people = _slider(page, "people (n)")
        assert people.get_attribute("aria-valuenow") == "900"
        people.focus()
        page.keyboard.press("ArrowRight")  # the slider moves by 50 people per press
        page.keyboard.press("ArrowRight")
        page.get_by_role("button", name="Reset").click()
        page.wait_for_function("document.querySelector('.bouche-adopters').innerText.includes('of 1,000')",
                               timeout=30000)
        assert page.locator(".bouche-network-note").inner_text() == "Network: all 1,000 people drawn."
        assert adopters.inner_text() == "Adopters: 0 of 1,000 (0.0 %)"

        page.get_by_role("button", name="▶").click()
        frames, seconds = _count_frames(page, "img.bouche-network", 4.0)
        pause = page.get_by_role("button", name="❚❚")
        if pause.is_enabled():
            pause.click()
        time.sleep(0.5)
        fps = (frames - 1) / seconds if seconds else 0.0
        step = int(page.locator(".bouche-step").inner_text().split()[1])
        shown = adopters.inner_text()
        print(f"\nbrowser: {frames} network frames in {seconds:.1f} s ({fps:.1f} frames/s) at 1,000 people; "
              f"step {step}; {shown}")
        assert step > 0 and shown != "Adopters: 0 of 1,000 (0.0 %)" and shown.endswith("%)")
        assert frames >= 2, "the network view did not change while playing"  # its speed: benchmarks classroom
        _save(page, tmp_path / "viz-bass.png")
        assert not [e for e in errors if not e.startswith("404")], errors
    finally:
        app.stop()


@pytest.mark.skipif(config.MODELS.get("attention") is None, reason="no attention model")
@pytest.mark.slow
def test_the_fragmentation_app_shows_its_long_tail_live(browser_context, tmp_path):
    app = App(["fragmentation", "--set", "network.n=4000", "--interval", "50"], tmp_path / "server.log")
    try:
        page, _ = _open(browser_context, app, ".bouche-reach-text")
        page.locator("img.bouche-longtail").wait_for()
        first = page.locator("img.bouche-longtail").get_attribute("src")
        page.get_by_role("button", name="▶").click()
        page.wait_for_function("parseInt(document.querySelector('.bouche-step').innerText.split(' ')[1]) >= 5",
                               timeout=30000)
        assert page.locator("img.bouche-longtail").get_attribute("src") != first
        text = page.locator(".bouche-reach-text").inner_text()
        assert text.startswith("Broadcast reached") and "the largest user channel" in text
        _save(page, tmp_path / "viz-fragmentation.png")
    finally:
        app.stop()


@pytest.mark.slow
def test_the_cascade_app_shows_people_deciding_one_by_one(browser_context, tmp_path):
    app = App(["cascades", "--interval", "50"], tmp_path / "server.log")
    try:
        page, errors = _open(browser_context, app, ".bouche-adopters")
        page.locator("img.bouche-rule").wait_for()
        first = page.locator("img.bouche-rule").get_attribute("src")
        assert page.locator(".v-input", has_text="show private hints").count() == 1
        page.get_by_role("button", name="▶").click()
        page.wait_for_function("parseInt(document.querySelector('.bouche-step').innerText.split(' ')[1]) >= 8",
                               timeout=30000)
        assert page.locator("img.bouche-rule").get_attribute("src") != first
        assert page.locator(".bouche-network").count() == 0  # the row of people takes the network's place
        _save(page, tmp_path / "viz-cascades.png")
        assert not [e for e in errors if not e.startswith("404")], errors
    finally:
        app.stop()


@pytest.mark.slow
def test_the_echo_chambers_app_shows_opinions_and_its_sliders(browser_context, tmp_path):
    app = App(["echo-chambers", "--set", "network.n=300", "--interval", "50"], tmp_path / "server.log")
    try:
        page, errors = _open(browser_context, app, ".bouche-adopters")
        page.locator("img.bouche-rule").wait_for()
        first = page.locator("img.bouche-rule").get_attribute("src")
        for label in ("confidence bound epsilon", "feed bias gamma"):
            assert _slider(page, label).count() == 1, label
        page.get_by_role("button", name="▶").click()
        page.wait_for_function("parseInt(document.querySelector('.bouche-step').innerText.split(' ')[1]) >= 4",
                               timeout=30000)
        assert page.locator("img.bouche-rule").get_attribute("src") != first
        _save(page, tmp_path / "viz-echo-chambers.png")
        assert not [e for e in errors if not e.startswith("404")], errors
    finally:
        app.stop()
