"""Animations for slides: ``bouche animate SCENARIO --out FILE.gif`` (or ``.mp4``).

A run of the scenario, replayed frame by frame: the network on the left,
people coloured by state and channel on a fixed layout (:mod:`sim.figures.network`),
and the adoption curve split by channel on the right, growing step by step; a
title names the scenario, its parameters and its seed, and both panels have
legends. A GIF is written with matplotlib's Pillow writer (Pillow comes with
matplotlib); an MP4 needs ``ffmpeg`` on the PATH. The file is written under a
temporary name beside the target and renamed when complete.

The run is done once; frames replay it from each person's adoption step and
channel, so the animation shows exactly the run that ``bouche run`` with the
same scenario, overrides and seed reports.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "bandwagon.gif"
>>> path = animate("bandwagon", out, overrides={"network.n": 200, "run.steps": 3}, fps=4, hold=1)
>>> path.name, path.read_bytes()[:6]
('bandwagon.gif', b'GIF89a')
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim import config
from sim.errors import ConfigError
from sim.outputs import atomic_file, check_new_file

__all__ = ["animate", "frame_steps", "can_write", "default_out", "FORMATS", "add_arguments", "command"]

FORMATS = (".gif", ".mp4")
MAX_FRAMES = 120  # steps shown at most; longer runs show every k-th step


def can_write(suffix: str) -> bool:
    """Whether this machine can write an animation with this file suffix (``.mp4`` needs ffmpeg)."""
    suffix = suffix.lower()
    if suffix == ".gif":
        return True
    if suffix == ".mp4":
        from matplotlib import animation

        return animation.writers.is_available("ffmpeg")
    return False


def frame_steps(steps_run: int, every: int | None = None, max_frames: int = MAX_FRAMES) -> list[int]:
    """The steps shown, always including the first (0) and the last.

    Examples
    --------
    >>> frame_steps(5)
    [0, 1, 2, 3, 4, 5]
    >>> frame_steps(300, max_frames=101)[:4], frame_steps(300, max_frames=101)[-1]
    ([0, 3, 6, 9], 300)
    """
    if every is None:
        every = max(1, int(np.ceil(steps_run / max(max_frames - 1, 1))))
    steps = list(range(0, steps_run + 1, every))
    if steps[-1] != steps_run:
        steps.append(steps_run)
    return steps


def _check_out(out) -> Path:
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError("--out", f"must end in .gif or .mp4; got {str(out)!r}")
    if not can_write(suffix):
        raise ConfigError("--out", f"an .mp4 needs ffmpeg on the PATH (not found); got {str(out)!r}: "
                                   "install ffmpeg or write a .gif")
    return check_new_file(out)  # an existing file is never overwritten (sim.outputs)


def animate(scenario="bass", out="animation.gif", seed: int | None = None, overrides: dict | None = None,
            fps: float = 4.0, every: int | None = None, hold: int | None = None, max_drawn: int | None = None,
            dpi: int = 80, result=None) -> Path:
    """Run a scenario and write its animation (network beside the adoption curve).

    Parameters
    ----------
    scenario : str, Path, dict or sim.config.Scenario
        What to run (ignored when ``result`` is given).
    out : str or Path
        ``.gif`` or ``.mp4`` file.
    seed, overrides
        As for :func:`sim.run`.
    fps : float
        Frames per second.
    every : int, optional
        Show every k-th step (default: enough to keep at most 120 frames).
    hold : int, optional
        Extra copies of the last frame, so the end stays on screen (default: two seconds).
    max_drawn : int, optional
        Draw a random sample of this many people on larger networks (default 3,000).
    dpi : int
        Resolution: the picture is 12 x 6 inches (960 x 480 pixels at 80 dpi).
    result : sim.runs.RunResult, optional
        Animate this finished run instead of running ``scenario``.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    from matplotlib import animation

    from sim.figures import network as netplot
    from sim.runs import run

    out = _check_out(out)
    if fps <= 0:
        raise ConfigError("--fps", f"must be a number > 0; got {fps}")
    if every is not None and every < 1:
        raise ConfigError("--every", f"must be an integer >= 1; got {every}")
    if result is None:
        spec = config.load(scenario, overrides=overrides, seed=seed)
        _check_model(spec)
        result = run(spec)
    model = result.model
    lay = netplot.cached_layout(model, max_nodes=max_drawn or netplot.MAX_DRAWN)
    steps = frame_steps(int(result.summary.get("steps_run", model.steps_run)), every)
    hold = int(round(2 * fps)) if hold is None else max(0, int(hold))
    fig, update = _figure(result, lay, dpi)
    if out.suffix.lower() == ".gif":
        writer = animation.PillowWriter(fps=fps)
    else:
        writer = animation.FFMpegWriter(fps=fps, codec="libx264", extra_args=["-pix_fmt", "yuv420p"])
    with atomic_file(out) as tmp, writer.saving(fig, str(tmp), dpi):
        for t in steps + [steps[-1]] * hold:
            update(t)
            writer.grab_frame()
    return out


def _check_model(spec) -> None:
    if spec.model not in ("adoption", "platform"):
        raise ConfigError("scenario", f"must be an adoption scenario (model = adoption or platform) to animate; "
                                      f"{spec.name} has model = {spec.model}")


def _figure(result, lay, dpi: int):
    """The figure and a function that draws the state after step t."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Polygon

    from sim.figures import network as netplot
    from sim.figures.adoption import CHANNEL_COLOURS, CHANNEL_LABELS, subtitle

    model = result.model
    spec = model.spec
    ts = result.timeseries
    n = model.n
    fig = Figure(figsize=(12, 6), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ax_net = fig.add_axes((0.01, 0.1, 0.47, 0.74))
    ax = fig.add_axes((0.57, 0.16, 0.40, 0.62))
    channel = np.asarray(model.state.channel)
    adopted_at = np.asarray(model.state.adopted_at)
    _, people = netplot.draw_network(ax_net, lay, netplot.state_codes(channel, adopted_at, 0), size_px=0.74 * 6 * dpi)
    fig.legend(handles=netplot.legend_handles(), loc="lower center", ncol=4, frameon=False, fontsize=9,
               columnspacing=1.0, handletextpad=0.2, bbox_to_anchor=(0.25, 0.0))
    if lay.note:
        ax_net.text(0.5, -0.02, lay.note, transform=ax_net.transAxes, ha="center", va="top", fontsize=8,
                    color="#555555")

    t_all = ts["step"].to_numpy()
    last = int(t_all[-1])
    ax.set(xlim=(0, max(last, 1)), ylim=(0, 100), xlabel="step", ylabel="people who adopted (% of n)")
    ax.set_title("Adoption by channel (stacked)", fontsize=11)
    ax.grid(alpha=0.3)
    cum = {c: 100 * ts[f"new_by_{c}"].cumsum().to_numpy() / n for c in ("seed", "media", "wom")}
    areas = {}
    for c in ("seed", "media", "wom"):
        areas[c] = Polygon(np.zeros((1, 2)), closed=True, facecolor=CHANNEL_COLOURS[c], alpha=0.85, edgecolor="none",
                           label=CHANNEL_LABELS[c])
        ax.add_patch(areas[c])
    now = ax.axvline(0, color="black", lw=1)
    ax.legend(loc="upper left", frameon=False, fontsize=9)
    status = ax.text(0.98, 0.97, "", transform=ax.transAxes, ha="right", va="top", fontsize=11,
                     bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    head = f"{spec.heading} (seed {spec.seed})"
    fig.suptitle(f"{head}\n{netplot._wrap(subtitle(spec, n), 150)}", fontsize=11, y=0.98, va="top")

    def update(t: int) -> None:
        people.set_facecolor(netplot.node_colours(netplot.state_codes(channel, adopted_at, t)[lay.nodes]))
        k = int(np.searchsorted(t_all, t, side="right"))
        x = t_all[:k].astype(float)
        bottom = np.zeros(k)
        for c in ("seed", "media", "wom"):
            top = bottom + cum[c][:k]
            areas[c].set_xy(np.concatenate([np.c_[x, top], np.c_[x[::-1], bottom[::-1]]]) if k else np.zeros((1, 2)))
            bottom = top
        now.set_xdata([t, t])
        adopters = int(ts["adopters"].iloc[k - 1]) if k else 0
        status.set_text(f"step {t}: {adopters:,} of {n:,} adopted ({100 * adopters / n:.0f} %)")

    return fig, update


# ---------------------------------------------------------------------------
# the command


def default_out(name: str, folder: str | Path = "runs") -> Path:
    """Where ``bouche animate`` writes without ``--out``: ``runs/NAME.gif``, or the first of
    ``runs/NAME-2.gif``, ``-3``... that does not exist (a file is never overwritten).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> default_out("bass", d).name
    'bass.gif'
    >>> _ = (d / "bass.gif").write_bytes(b"GIF89a")
    >>> default_out("bass", d).name
    'bass-2.gif'
    """
    folder = Path(folder)
    path, i = folder / f"{name}.gif", 1
    while path.exists() or path.is_symlink():
        i += 1
        path = folder / f"{name}-{i}.gif"
    return path


def add_arguments(p) -> None:
    """Arguments of ``bouche animate``."""
    p.add_argument("scenario", help="a shipped scenario name or a .toml file")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter (repeatable; see `bouche show`)")
    p.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    p.add_argument("--steps", type=int, help="maximum number of steps (run.steps)")
    p.add_argument("--out", help="the file to write: FILE.gif, or FILE.mp4 when ffmpeg is present (default: "
                                 "runs/SCENARIO.gif, or runs/SCENARIO-2.gif... when that file exists)")
    p.add_argument("--fps", type=float, default=4.0, help="frames per second (default 4)")
    p.add_argument("--every", type=int, help="show every k-th step (default: at most 120 frames)")
    p.add_argument("--max-drawn", type=int, default=None, metavar="N",
                   help="draw a random sample of N people on larger networks (default 3000)")
    p.add_argument("--dpi", type=int, default=80, help="resolution of the 12 x 6 inch picture (default 80)")


def command(args) -> int:
    """Run ``bouche animate``."""
    overrides = dict(config.parse_assignment(text) for text in args.sets)
    if args.steps is not None:
        overrides["run.steps"] = args.steps
    if args.seed is not None and args.seed < 0:
        raise ConfigError("--seed", f"must be an integer >= 0; got {args.seed}")
    if args.max_drawn is not None and args.max_drawn < 10:
        raise ConfigError("--max-drawn", f"must be an integer >= 10; got {args.max_drawn}")
    if not 20 <= args.dpi <= 300:
        raise ConfigError("--dpi", f"must be an integer in [20, 300]; got {args.dpi}")
    out = args.out or default_out(config.load(args.scenario, overrides=overrides).name)
    _check_out(out)
    path = animate(args.scenario, out, seed=args.seed, overrides=overrides, fps=args.fps, every=args.every,
                   max_drawn=args.max_drawn, dpi=args.dpi)
    print(f"  wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0
