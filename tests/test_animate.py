"""Animations (sim/figures/animate.py) and network pictures (sim/figures/network.py): real files, read back."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sim import networks
from sim.cli import main
from sim.figures import animate
from sim.figures import network as netplot
from sim.runs import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_gif_has_one_frame_per_step_and_shows_the_run(tmp_path):
    out = tmp_path / "bw.gif"
    ov = {"network.n": 300, "seeding.fraction": 0.12}
    assert main(["animate", "bandwagon", "--set", "network.n=300", "--set", "seeding.fraction=0.12", "--fps", "5",
                 "--out", str(out)]) == 0
    r = run("bandwagon", overrides=ov)
    im = Image.open(out)
    steps = r.summary["steps_run"]
    assert im.n_frames == steps + 1  # steps 0..last (Pillow folds the repeated last frame into one...)
    im.seek(steps)
    assert im.info["duration"] >= 2000  # ...that stays two seconds on screen
    assert im.size == (960, 480)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bw.gif"]  # no temporary left behind
    # the network half gets bluer (word of mouth) from the first frame to the last, as the run says
    blue = np.array([43, 131, 186])

    def blue_pixels(i):
        im.seek(i)
        px = np.asarray(im.convert("RGB"))[:, :470].astype(int)
        return int((np.abs(px - blue).sum(axis=2) < 60).sum())

    assert r.summary["adopters_by_channel"]["wom"] > 0
    # the legend's word-of-mouth swatch is blue in every frame (~60 pixels); the people add thousands
    assert blue_pixels(steps) > blue_pixels(0) + 1000


@pytest.mark.skipif(not animate.can_write(".mp4"), reason="ffmpeg is not installed (MP4 needs it)")
def test_mp4_when_ffmpeg_is_present(tmp_path):
    out = tmp_path / "bass.mp4"
    animate.animate("bass", out, overrides={"network.n": 200, "network.kind": "ring", "network.k": 4,
                                            "run.steps": 6}, hold=0)
    probe = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries",
                            "stream=codec_name,width,height,nb_read_frames", "-of", "json", str(out)],
                           capture_output=True, text=True)
    stream = json.loads(probe.stdout)["streams"][0]
    assert stream["codec_name"] == "h264" and (stream["width"], stream["height"]) == (960, 480)
    assert int(stream["nb_read_frames"]) == 7


@pytest.mark.slow
def test_bad_output_is_refused_in_one_line_before_running(tmp_path):
    r = subprocess.run([sys.executable, "-m", "sim", "animate", "bass", "--out", str(tmp_path / "x.avi")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and r.stderr.strip() == f"bouche: error: --out must end in .gif or .mp4; got " \
                                                     f"'{tmp_path / 'x.avi'}'"
    assert main(["animate", "fragmentation", "--out", str(tmp_path / "f.gif")]) == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_layouts_are_fixed_by_the_seed_and_sample_large_networks():
    g = networks.erdos_renyi(500, 6.0, np.random.default_rng(3))
    a = netplot.layout(g, np.random.default_rng(9))
    b = netplot.layout(g, np.random.default_rng(9))
    assert np.array_equal(a.xy, b.xy) and a.method == "spring" and not a.sampled
    # linked people sit closer than random pairs: the layout shows the network's structure
    d_links = np.linalg.norm(a.xy[a.edges[:, 0]] - a.xy[a.edges[:, 1]], axis=1).mean()
    pairs = np.random.default_rng(0).integers(0, 500, size=(2000, 2))
    d_random = np.linalg.norm(a.xy[pairs[:, 0]] - a.xy[pairs[:, 1]], axis=1).mean()
    assert d_links < 0.7 * d_random
    big = netplot.layout(networks.erdos_renyi(8000, 6.0, np.random.default_rng(3)), np.random.default_rng(1))
    assert big.sampled and len(big.nodes) == netplot.MAX_DRAWN and "3,000 of 8,000" in big.note
    assert big.edges.max() < netplot.MAX_DRAWN
    full = netplot.layout(networks.complete(50), np.random.default_rng(1))
    assert full.method == "sunflower" and len(full.edges) == 0 and "links not drawn" in full.note


SMALL = """
name = "small"
seed = 5
[network]
kind = "erdos_renyi"
n = 600
mean_degree = 6
[wom]
rule = "threshold"
threshold = 0.2
[seeding]
strategy = "random"
fraction = 0.1
"""


@pytest.mark.slow
def test_bouche_run_draws_the_network_up_to_a_few_thousand_people(tmp_path):
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL)
    assert main(["run", str(scenario), "--out", str(tmp_path / "small")]) == 0
    png = tmp_path / "small" / "network.png"
    assert png.exists() and Image.open(png).size[0] > 600
    assert main(["run", str(scenario), "--set", f"network.n={netplot.SNAPSHOT_MAX_N + 1}",
                 "--out", str(tmp_path / "big")]) == 0
    assert not (tmp_path / "big" / "network.png").exists()
    assert main(["run", str(scenario), "--set", "network.kind=complete", "--out", str(tmp_path / "complete")]) == 0
    assert not (tmp_path / "complete" / "network.png").exists()  # everyone linked to everyone: nothing to see


@pytest.mark.slow
def test_without_out_it_writes_into_runs_like_run_and_compare(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    args = ["animate", "bandwagon", "--set", "network.n=200", "--steps", "3", "--dpi", "30"]
    assert main(args) == 0 and main(args) == 0  # the second never overwrites the first
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["bandwagon-2.gif", "bandwagon.gif"]
    assert "wrote runs/bandwagon-2.gif" in capsys.readouterr().out
