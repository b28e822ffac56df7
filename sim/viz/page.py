"""The app's page: the Solara component that ``bouche viz`` serves (:func:`make_page`).

``bouche viz`` hands this module to solara (``SOLARA_APP=sim.viz.page``) with the
app's settings in the environment variable ``BOUCHE_VIZ_APP``; importing the
module then builds ``Page``, the component solara renders. A plain module (not
the package) keeps solara to one page at ``/``: given a package, solara would
make a route of each of its modules.

Solara and Mesa's visualisation are imported inside :func:`make_page`.
"""

from __future__ import annotations

import json
import os

from sim import config, rules
from sim.viz.classroom import ClassroomModel
from sim.viz.parameters import controls
from sim.viz.views import _jpeg, curve_frame, long_tail_rgba, network_frame, reach_rgba, run_description, summary_lines

__all__ = ["START_N", "make_page"]

START_N = 1000  # the app starts with at most this many people
_ENV = "BOUCHE_VIZ_APP"  # set by `bouche viz` for its own server process: the app's settings (JSON)
_title = "Viz"  # the browser tab's title (solara names the page after its module otherwise)


_CSS = """
.vue-grid-item > div { height: 100%; }
.bouche-view { height: 100%; overflow: hidden; }
.bouche-view > div:first-child { flex: 1 1 0; min-height: 0; }
img.bouche-fit { width: 100% !important; height: 100% !important; object-fit: contain; }
.bouche-text { height: 100%; overflow-y: auto; padding-right: 6px; }
.bouche-text p { margin-bottom: 0.5em; }
"""


def _html(text: str) -> str:
    import html

    return html.escape(text)


def make_page(source: str = "bass", fixed: tuple = (), seed: int | None = None, interval: int = 200,
              max_drawn: int = 3000):
    """Build the Solara page component of the app (needs the ``viz`` extra).

    Each browser session gets its own :class:`ClassroomModel`.
    """
    import solara
    from mesa.visualization import SolaraViz

    from sim.figures.adoption import CHANNEL_LABELS

    fixed = tuple(tuple(p) for p in fixed)
    base = config.load(source, overrides=dict(fixed), seed=seed)
    start_n = None
    if base.model == "adoption" and not any(k == "network.n" for k, _ in fixed):  # others keep their size
        start_n = min(base.values["network.n"], START_N)
    params = {"source": source, "fixed": fixed, "max_drawn": max_drawn,
              "seed": {"type": "InputText", "value": str(base.seed), "label": "random seed"}}
    params.update(controls(base, start_n=start_n))
    hidden = rules.get(base.get("wom.rule")).reveals if base.model == "adoption" else ""
    if hidden:  # the rule's picture hides something until asked
        params["show_hints"] = {"type": "Checkbox", "value": False, "label": f"show {hidden}"}
    start = {k: (v["value"] if isinstance(v, dict) and "type" in v else v) for k, v in params.items()}
    ClassroomModel(**start)  # fail now, with the one-line error, rather than in the browser

    def picture(frame: bytes, css_class: str, note: str | None = None):
        with solara.Column(gap="0px", classes=["bouche-view"]) as col:
            solara.Image(frame, format="jpeg", classes=["bouche-fit", css_class])
            if note:
                solara.Text(note, style={"font-size": "0.85em", "color": "#555"}, classes=[css_class + "-note"])
        return col

    def network_view(model: ClassroomModel):
        if not model.adoption:
            return reach_view(model)
        own = model.rule_picture()
        if own is not None:
            model.drawn()
            note = f"Tick 'show {hidden}' and press Reset to see them during the run; they show at the end anyway."
            return picture(_jpeg(own), "bouche-rule", note if hidden else None)
        frame, note = network_frame(model)
        return picture(frame, "bouche-network", f"Network: {note}.")

    def curve_view(model: ClassroomModel):
        if not model.adoption:
            return long_tail_view(model)
        return picture(curve_frame(model), "bouche-curve")

    def long_tail_view(model: ClassroomModel):
        frame = _jpeg(long_tail_rgba(model.audiences()))
        model.drawn()
        return picture(frame, "bouche-longtail",
                       "Each user channel is a person who publishes; its audience is everyone who saw "
                       "at least one of its items.")

    def reach_view(model: ClassroomModel):
        model.audiences()
        return picture(_jpeg(reach_rgba(model.reach_history, int(model.spec.get("run.steps")))), "bouche-reach")

    def attention_summary(model: ClassroomModel):
        s = model.sim.summary()
        solara.Text(f"Step {model.current_step}" + ("" if model.sim.running else " (finished)"),
                    style={"font-size": "1.3em"}, classes=["bouche-step"])
        solara.Text(f"Broadcast reached {100 * s['broadcast_reach']:.0f} % of people; the largest user channel "
                    f"{100 * s['largest_user_reach']:.1f} %, the median one {100 * s['median_user_reach']:.2f} %",
                    style={"font-size": "1.15em", "font-weight": "bold"}, classes=["bouche-reach-text"])
        solara.Text(f"{s['views']:,} views of {s['items_posted']:,} items by {s['producers']:,} producers; "
                    f"broadcast took {100 * s['broadcast_attention_share']:.0f} % of all attention; "
                    f"effective number of channels {s['effective_channels']:.1f}", classes=["bouche-views"])

    def summary_view(model: ClassroomModel):
        with solara.Column(gap="4px", classes=["bouche-text"]) as col:
            if model.error:
                solara.Error(f"Parameters refused, running the scenario as loaded: {model.error}")
            if not model.adoption and hasattr(model.sim, "measure"):
                attention_summary(model)
            if model.adoption:
                s = summary_lines(model)
                share = 100 * s["adopters"] / max(s["n"], 1)
                solara.Text(f"Step {s['step']}" + ("" if s["running"] else " (finished)"),
                            style={"font-size": "1.3em"}, classes=["bouche-step"])
                solara.Text(f"Adopters: {s['adopters']:,} of {s['n']:,} ({share:.1f} %)",
                            style={"font-size": "1.3em", "font-weight": "bold"}, classes=["bouche-adopters"])
                by = s["by_channel"]
                solara.HTML(tag="div", unsafe_innerHTML=" &middot; ".join(
                    f"{CHANNEL_LABELS[c]} <b>{by[c]:,}</b>" for c in ("seed", "media", "wom")))
                per = "n/a" if s["cost_per_adopter"] is None else f"{s['cost_per_adopter']:,.3f}"
                solara.Text(f"Cost: {s['cost']:,.2f} in all; {per} per adopter", classes=["bouche-cost"])
            solara.Text(f"This run: {run_description(model)}.",
                        style={"font-size": "0.85em", "color": "#555"}, classes=["bouche-run"])
        return col

    def about_view(model: ClassroomModel):
        spec = model.spec
        paras = [p.replace("\n", " ") for p in (spec.description or "").strip().split("\n\n")]
        body = "".join(f"<p>{_html(p)}</p>" for p in paras if p)
        how = ("<p><b>How to use.</b> Change a parameter on the left, press <b>Reset</b> to build the new model, "
               "then <b>&#9654;</b> to play or <b>Step</b> to advance one step.")
        how += (" People are coloured by how they adopted: grey not (yet), purple seeded, orange mass media, "
                "blue word of mouth.</p>" if model.adoption else "</p>")
        return solara.HTML(tag="div", unsafe_innerHTML=f"<h3>{_html(spec.title or spec.name)}</h3>{body}{how}",
                           classes=["bouche-text"])

    components = [(network_view, 0), (curve_view, 0), (summary_view, 0), (about_view, 0)]
    title = f"Bouche: {base.title or base.name}"

    @solara.component
    def Page():
        model = solara.use_memo(lambda: ClassroomModel(**start), [])
        solara.Style(_CSS)
        SolaraViz(model, components=components, model_params=params, name=title, play_interval=interval)

    return Page


def _install_page_from_env() -> None:
    settings = json.loads(os.environ[_ENV])
    globals()["Page"] = make_page(**settings)


if os.environ.get(_ENV):  # the app's server process (re)importing this module
    _install_page_from_env()
