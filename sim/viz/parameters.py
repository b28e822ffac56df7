"""The app's parameters: what the sliders and selectors show, and how they map onto the scenario.

:func:`controls` gives Mesa's ``model_params`` entries for the key parameters
of a scenario; :func:`overrides_for` turns the values a teacher sets back into
scenario overrides, relative to the scenario as loaded, so the starting values
reproduce the scenario exactly.

Examples
--------
>>> from sim import config
>>> base = config.load("bass")
>>> ctl = controls(base)
>>> overrides_for(base, **{k: v["value"] for k, v in ctl.items()})
{}
"""

from __future__ import annotations

from sim import rules

__all__ = ["controls", "overrides_for"]

_KINDS = ("erdos_renyi", "watts_strogatz", "barabasi_albert", "stochastic_block", "communities", "ring", "complete")
_STRATEGIES = ("none", "random", "top_degree", "friend_of_random")


def _degree(base) -> int:
    """Contacts per person implied by the scenario's network parameters."""
    v = base.values
    kind = v["network.kind"]
    if kind in ("erdos_renyi", "communities"):
        return max(1, int(round(v["network.mean_degree"])))
    if kind in ("ring", "watts_strogatz"):
        return int(v["network.k"])
    if kind == "barabasi_albert":
        return 2 * int(v["network.m"])
    if kind == "stochastic_block":
        sizes = _sizes(base, v["network.n"])
        s, n = sizes[0], sum(sizes)
        return max(1, int(round(v["network.p_in"] * (s - 1) + v["network.p_out"] * (n - s))))
    return 10


def _sizes(base, n: int) -> list[int]:
    sizes = base.values["network.sizes"]
    if sizes and sum(sizes) == n:
        return list(sizes)
    c = max(1, min(int(base.values["network.communities"]), n))
    return [n // c + (1 if i < n % c else 0) for i in range(c)]


def _medium_prefix(base) -> str | None:
    if not base.media:
        return None
    return "media." if len(base.media) == 1 else f"media.{base.media[0]['name']}."


def _seed_percent(base) -> float:
    s = base.section("seeding")
    if s["strategy"] == "none":
        return 0.0
    if s["fraction"] is not None:
        return round(100 * s["fraction"], 2)
    n = base.values["network.n"]
    return round(100 * (s["count"] or 0) / max(n, 1), 2)


def _step(value: float, default: float) -> float:
    """A slider step on whose grid ``value`` lies (a browser slider snaps its value to the grid).

    Examples
    --------
    >>> _step(0.38, 0.01), _step(0.003, 0.005), _step(0.0375, 0.01)
    (0.01, 0.001, 0.0001)
    """
    if value is None or isinstance(value, list):
        return default
    for decimals in range(0, 7):
        if abs(round(value, decimals) - value) < 1e-12:
            return min(default, 10.0 ** -decimals)
    return min(default, 1e-6)


def controls(base, start_n: int | None = None) -> dict[str, dict]:
    """Mesa ``model_params`` entries (sliders, selectors) for the key parameters of ``base``.

    Keys are :class:`ClassroomModel` keyword arguments; each value is a dict
    with ``type``, ``value``, ``label`` and a range or choices. Parameters the
    scenario does not use (a word-of-mouth rule's other knobs) are left out.
    """
    v = base.values
    out: dict[str, dict] = {}
    model = base.model
    if model in ("adoption", "platform"):
        if v["network.kind"] != "file":
            kinds = _KINDS if v["network.kind"] in _KINDS else (*_KINDS, v["network.kind"])
            out["network_kind"] = {"type": "Select", "value": v["network.kind"], "values": list(kinds),
                                   "label": "network"}
            n = v["network.n"] if start_n is None else start_n
            out["n"] = {"type": "SliderInt", "value": n, "min": 50, "max": max(20000, n), "step": 50,
                        "label": "people (n)"}
            out["degree"] = {"type": "SliderInt", "value": _degree(base), "min": 2, "max": 40, "step": 2,
                             "label": "contacts per person"}
        m = base.media[0] if base.media else None
        label = m["name"] if m else "media"
        if not rules.get(v["wom.rule"]).media_each:  # rules that read media apart take no persuasion p
            out["media_p"] = {"type": "SliderFloat", "value": m["p"] if m else 0.0, "min": 0.0, "max": 0.2,
                              "step": _step(m["p"] if m else 0.0, 0.005), "label": f"{label} p, per contact"}
        out["media_reach"] = {"type": "SliderFloat", "value": m["reach"] if m else 1.0, "min": 0.0, "max": 1.0,
                              "step": _step(m["reach"] if m else 1.0, 0.05), "label": f"{label} reach, per step"}
        for key, ctl in rules.get(v["wom.rule"]).controls(v).items():  # the rule's own knobs
            ctl = dict(ctl)
            if ctl["type"] == "SliderFloat":
                ctl["step"] = _step(ctl["value"], ctl["step"])
            out[key.split(".", 1)[1]] = ctl
        strategy = v["seeding.strategy"]
        strategies = _STRATEGIES if strategy in _STRATEGIES else (*_STRATEGIES, strategy)
        out["seeding_strategy"] = {"type": "Select", "value": strategy, "values": list(strategies),
                                   "label": "seeding: who adopts at step 0"}
        out["seeding_percent"] = {"type": "SliderFloat", "value": _seed_percent(base), "min": 0.0, "max": 50.0,
                                  "step": _step(_seed_percent(base), 0.5), "label": "seeds (% of people)"}
    elif model == "attention":
        a = base.section("attention")
        n = v["network.n"] if start_n is None else start_n
        out["n"] = {"type": "SliderInt", "value": n, "min": 200, "max": max(20000, n), "step": 100,
                    "label": "people (n)"}
        out["producers"] = {"type": "SliderFloat", "value": a["producers"], "min": 0.01, "max": 1.0,
                            "step": _step(a["producers"], 0.01), "label": "publishers (share)"}
        out["attention_k"] = {"type": "SliderInt", "value": a["k"], "min": 1, "max": 50, "step": 1,
                              "label": "attention k (items per step)"}
        out["homophily"] = {"type": "SliderFloat", "value": a["homophily"], "min": 0.0, "max": 1.0,
                            "step": _step(a["homophily"], 0.05), "label": "homophily"}
        out["broadcast_share"] = {"type": "SliderFloat", "value": a["broadcast_share"], "min": 0.0, "max": 0.95,
                                  "step": _step(a["broadcast_share"], 0.05), "label": "broadcast share"}
    return out


def overrides_for(base, **values) -> dict:
    """Scenario overrides that turn ``base`` into the model the controls describe.

    Only what differs from ``base`` is overridden, so the starting values
    reproduce the scenario exactly. ``values`` are :class:`ClassroomModel`
    keyword arguments (None = as the scenario says).

    Examples
    --------
    >>> from sim import config
    >>> base = config.load("bass")
    >>> overrides_for(base, network_kind="ring", n=500, degree=7, q=0.5)
    {'network.kind': 'ring', 'network.n': 500, 'network.k': 8, 'wom.q': 0.5}
    >>> overrides_for(base, media_p=0.0)
    {'media.p': 0.0}
    """
    v = base.values
    ov: dict = {}

    def given(name):
        return values.get(name) is not None

    if base.model == "attention":
        if given("n") and values["n"] != v["network.n"]:
            ov["network.n"] = int(values["n"])
        for name, key in (("producers", "attention.producers"), ("attention_k", "attention.k"),
                          ("homophily", "attention.homophily"), ("broadcast_share", "attention.broadcast_share")):
            if given(name) and values[name] != v[key]:
                ov[key] = values[name]
        return ov

    kind = values["network_kind"] if given("network_kind") else v["network.kind"]
    n = int(values["n"]) if given("n") else v["network.n"]
    if kind != v["network.kind"]:
        ov["network.kind"] = kind
    if n != v["network.n"]:
        ov["network.n"] = n
    degree = int(values["degree"]) if given("degree") else _degree(base)
    if kind != v["network.kind"] or degree != _degree(base) or (kind == "stochastic_block" and "network.n" in ov):
        if kind in ("erdos_renyi", "communities"):
            ov["network.mean_degree"] = float(min(degree, max(n - 1, 1)))
        elif kind in ("ring", "watts_strogatz"):
            ov["network.k"] = int(min(degree + degree % 2, max(2, n - 1 - (n - 1) % 2)))
        elif kind == "barabasi_albert":
            ov["network.m"] = int(max(1, min(round(degree / 2), n - 1)))
        elif kind == "stochastic_block":
            sizes = _sizes(base, n)
            s = sizes[0]
            ratio = v["network.p_out"] / v["network.p_in"] if v["network.p_in"] > 0 else 0.02
            p_in = min(1.0, degree / max((s - 1) + ratio * (n - s), 1e-9))
            ov.update({"network.sizes": sizes, "network.p_in": round(p_in, 6),
                       "network.p_out": round(min(1.0, ratio * p_in), 8)})
    if kind == "stochastic_block" and "network.sizes" not in ov and not v["network.sizes"]:
        ov["network.sizes"] = _sizes(base, n)
    if kind == "communities" and v["network.communities"] > n // 2:  # two people or more each
        ov["network.communities"] = max(1, n // 2)

    prefix = _medium_prefix(base)
    if prefix is None:
        if given("media_p") and values["media_p"] > 0:
            ov["media.p"] = values["media_p"]
            ov["media.reach"] = values["media_reach"] if given("media_reach") else 1.0
    else:
        m = base.media[0]
        for name, key in (("media_p", "p"), ("media_reach", "reach")):
            if given(name) and values[name] != m[key]:
                ov[prefix + key] = values[name]

    for key in rules.params():  # the rules' knobs: control "q" is wom.q
        name = key.split(".", 1)[1]
        if key != "wom.rule" and given(name) and values[name] != v[key]:
            ov[key] = values[name]

    strategy = values["seeding_strategy"] if given("seeding_strategy") else v["seeding.strategy"]
    if (strategy == "none" and given("seeding_percent") and values["seeding_percent"] > 0
            and values["seeding_percent"] != _seed_percent(base)):
        strategy = "random"  # the teacher moved the seeds slider: seed people at random
    if strategy != v["seeding.strategy"]:
        ov["seeding.strategy"] = strategy
    if given("seeding_percent") and (values["seeding_percent"] != _seed_percent(base)
                                     or strategy != v["seeding.strategy"]):
        ov["seeding.fraction"] = float(values["seeding_percent"]) / 100
        ov["seeding.count"] = None
    return ov
