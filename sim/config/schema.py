"""The scenario schema: every parameter, its type, default, allowed range and meaning.

:data:`PARAMS` maps each dotted key (``"wom.q"``) to its :class:`Param`;
:data:`MEDIUM_PARAMS` does the same for the keys of one ``[[media]]`` table.
The registries beside them say which top-level keys a scenario may have
(:data:`TOP_KEYS`), which model class runs it (:data:`MODELS`), which
parameters each model reads (:data:`APPLIES_TO`) and which extra figures a
scenario may ask for (:data:`REPORTS`). The resolver in
:mod:`sim.config.scenario` reads these very dicts, so an entry added to one of
them at run time takes effect.

Examples
--------
>>> PARAMS["network.n"].allowed()
'an integer >= 1'
>>> MEDIUM_PARAMS["media.p"].allowed()
'a number in [0, 1]'
"""

from __future__ import annotations

import math

from sim import rules
from sim.params import Param, fmt, prob, shown

__all__ = [
    "Param",
    "PARAMS",
    "MEDIUM_PARAMS",
    "NETWORK_KINDS",
    "SEEDING_STRATEGIES",
    "MEDIA_TARGETS",
    "TOP_KEYS",
    "TEXT_KEYS",
    "MODELS",
    "ALTERNATIVES",
    "APPLIES_TO",
    "CHOSEN_BY",
    "REPORTS",
    "SECTIONS",
    "MARKET_DISPLAYS",
    "MARKET_APPEALS",
]

_INF = math.inf
_fmt, _shown, _prob = fmt, shown, prob

NETWORK_KINDS = ("complete", "erdos_renyi", "watts_strogatz", "ring", "barabasi_albert", "stochastic_block",
                 "communities", "file", "graph")
_SIZED = ", ".join(k for k in NETWORK_KINDS if k not in ("file", "graph"))  # a file or a given graph has its own n
SEEDING_STRATEGIES = ("none", "random", "top_degree", "friend_of_random", "nodes", "greedy")
MEDIA_TARGETS = ("all", "top_degree", "segment")
MARKET_DISPLAYS = ("ranked", "grid")  # how the cultural market lists its products (sim.market.choice)
MARKET_APPEALS = ("beta", "equal")  # how the products' appeal is drawn

PARAMS: dict[str, Param] = {p.key: p for p in [
    Param("network.kind", "choice", "erdos_renyi", "how the social graph is built (graph: one given in Python, "
          "sim.run(..., graph=G))", choices=NETWORK_KINDS),
    Param("network.n", "int", 1000, "number of people", lo=1, used_by=_SIZED),
    Param("network.mean_degree", "float", 10.0, "mean number of contacts per person",
          lo=0, lo_open=True, used_by="erdos_renyi, communities"),
    Param("network.k", "int", 10, "contacts per person on the ring lattice (even)", lo=2,
          used_by="ring, watts_strogatz"),
    Param("network.rewire", "prob", 0.1, "probability that a lattice edge is rewired at random",
          lo=0.0, hi=1.0, used_by="watts_strogatz"),
    Param("network.m", "int", 3, "edges each newcomer attaches (preferential attachment)", lo=1,
          used_by="barabasi_albert"),
    Param("network.sizes", "ints", None, "community sizes (their sum replaces n)", nullable=True,
          used_by="stochastic_block"),
    Param("network.communities", "int", 4, "number of equal communities (stochastic_block: when sizes is not "
          "given; communities: consecutive ids, two people or more each)", lo=1,
          used_by="stochastic_block, communities"),
    _prob("network.mixing", 0.2, "share of everyone's links that leave their community (kind communities: "
          "degrees heavy-tailed, exponent 3, within each community)", used_by="communities"),
    _prob("network.p_in", 0.05, "link probability within a community", used_by="stochastic_block"),
    _prob("network.p_out", 0.001, "link probability between communities", used_by="stochastic_block"),
    Param("network.path", "str", None, "graph file: edge list (.csv .tsv .txt .edges .parquet), .graphml, .gexf, "
          ".gml or .mtx; text files may be .gz, .bz2 or .xz; or a .bgraph file of `bouche graph build`, "
          "memory-mapped", nullable=True, used_by="file"),
    Param("network.directed", "bool", None, "treat edges u->v as one-way (u influences v); none = as the file says",
          nullable=True, used_by="file"),
    Param("network.seed", "int", None, "seed of the graph alone (none = from the run's seed); a fixed value "
          "keeps one network across replicates", lo=0, nullable=True),
    *rules.params().values(),  # wom.rule and each rule's parameters, from the registry (sim.rules)
    Param("seeding.strategy", "choice", "none", "who adopts at step 0", choices=SEEDING_STRATEGIES),
    Param("seeding.count", "int", None, "number of seeds", lo=0, nullable=True),
    _prob("seeding.fraction", None, "fraction of people seeded (instead of count)", nullable=True),
    Param("seeding.nodes", "ids", [], "explicit seed ids (strategy = nodes)"),
    Param("seeding.cost_per_seed", "float", 0.0, "cost of each seed", lo=0.0),
    Param("seeding.greedy_samples", "int", 200, "Monte Carlo cascade samples that score greedy seeds", lo=1,
          used_by="greedy"),
    _prob("seeding.greedy_beta", None, "cascade probability greedy seeds are chosen for (none = wom.beta)",
          nullable=True, used_by="greedy"),
    Param("run.steps", "int", 100, "maximum number of steps", lo=1, hi=2**31 - 1),  # int32 steps (adopted_at)
    Param("run.dt", "float", 1.0, "length of a step in time units (Bass rates are per unit time)",
          lo=0.0, hi=1.0, lo_open=True),
    Param("run.time_unit", "str", "step", "what one unit of time is, in words (day, week, month...): used in "
          "every figure and table of a report (a step lasts run.dt of it)"),
    Param("run.stop", "choice", "quiescent", "stop after run.steps, or earlier when nothing can change any more",
          choices=("steps", "quiescent")),
    Param("run.order", "choice", "synchronous", "who acts in a step: everyone at once (synchronous), one person "
          "per step in a random order (sequential), or n random people one after another (random_sequential); "
          "each rule says which it allows",
          choices=("synchronous", "sequential", "random_sequential")),
    Param("population.opinions", "choice", "auto", "people's opinions at the start (opinion rules): uniform in "
          "[0, 1], a split of 0s and 1s, or auto (split for the voter model, else uniform)",
          choices=("auto", "uniform", "split")),
    _prob("population.share", 0.5, "share of people holding opinion 1 at the start (population.opinions = split)"),
    # --- attention model (fragmentation): attention.* parameters go here ---
    Param("attention.producers", "prob", 0.2, "share of people who publish their own posts (active producers)",
          lo=0.0, hi=1.0, lo_open=True),
    _prob("attention.post_rate", 0.5, "probability that an active producer posts a new item each step"),
    Param("attention.k", "int", 5, "limited attention: most items a person sees per step", lo=1),
    _prob("attention.reshare", 0.005, "probability that a person reshares an item they saw (to their followers)"),
    Param("attention.follows", "int", 30, "accounts each person follows", lo=1),
    _prob("attention.homophily", 0.8, "share of follows chosen inside the person's interest community"),
    Param("attention.communities", "int", 20, "number of interest communities", lo=1),
    Param("attention.popularity_exponent", "float", 2.5,
          "tail exponent of how attractive accounts are to follow (followers ~ k^-exponent; larger = more equal)",
          lo=1.0, lo_open=True),
    Param("attention.broadcast_channels", "int", 1, "number of broadcast (mass media) channels", lo=0),
    Param("attention.broadcast_share", "prob", 0.3,
          "share of attention the broadcast channels win from a watcher whose feed offers k social items "
          "(more items: less)",
          lo=0.0, hi=1.0, hi_open=True),
    _prob("attention.broadcast_audience", 0.9, "share of people who watch each broadcast channel at all"),
    # --- campaign measurement (likes, engagement): measurement.* parameters go here ---
    _prob("measurement.fans_customers", 0.6, "share of existing customers (seeded at step 0) who follow the "
          "brand's page (fans)", used_by="model = platform"),
    _prob("measurement.fans_others", 0.02, "share of everyone else who follows the brand's page (fans)",
          used_by="model = platform"),
    _prob("measurement.like_fan", 0.05, "probability that a fan who sees the campaign likes it",
          used_by="model = platform"),
    _prob("measurement.like_other", 0.002, "probability that anyone else who sees the campaign likes it",
          used_by="model = platform"),
    Param("measurement.target", "choice", "all", "whom the platform shows the campaign to, within the medium's "
          "audience: all, its fans, or people who are not fans", choices=("all", "fans", "non_fans"),
          used_by="model = platform"),
    Param("measurement.impressions", "int", None, "impressions bought per step, spread over the targeted "
          "audience (sets the medium's reach; none = use media.reach)", lo=0, nullable=True,
          used_by="model = platform"),
    Param("measurement.window", "int", None, "last-touch attribution window: an adoption is credited to the "
          "campaign if the person saw it at most this many steps before (none = any time)", lo=0,
          nullable=True, used_by="model = platform"),
    # --- cultural market (hits): market.* parameters go here ---
    Param("market.products", "int", 48, "products on offer (songs)", lo=2),
    Param("market.worlds", "int", 8, "social-influence worlds, each showing its own download counts (one "
          "independent world runs beside them; unpredictability needs at least two worlds)", lo=2),
    Param("market.consumers", "int", 700, "consumers who arrive in each social world (the independent world "
          "gets twice as many, in two halves)", lo=1),
    Param("market.influence", "float", 0.06, "strength of social information: what one download adds to a "
          "product's pull, relative to a product nobody downloaded (0 = independent choice)", lo=0.0),
    Param("market.display", "choice", "ranked", "how products are listed: ranked by the downloads shown "
          "(one column), or a grid in random order", choices=MARKET_DISPLAYS),
    Param("market.position_bias", "float", 0.2, "visibility of a position falls as rank^-bias (rank: place in "
          "the ranked list, row of 3 in the grid)", lo=0.0),
    Param("market.listens", "int", 3, "distinct products each consumer samples", lo=1),
    Param("market.appeal", "choice", "beta", "products' appeal (probability that a sample becomes a download): "
          "drawn from Beta(appeal_a, appeal_b), or all equal to its mean", choices=MARKET_APPEALS),
    Param("market.appeal_a", "float", 2.0, "first shape parameter of the appeal's beta law", lo=0.0, lo_open=True,
          hi=1e6),
    Param("market.appeal_b", "float", 2.0, "second shape parameter of the appeal's beta law", lo=0.0,
          lo_open=True, hi=1e6),
    Param("market.promote", "ints", None, "products, by appeal rank (1 = the best), that start every social "
          "world with fake downloads (none = no promotion)", nullable=True),
    Param("market.promote_downloads", "int", 20, "fake downloads each promoted product shows at the start", lo=0),
    Param("market.invert", "int", None, "invert the download counts each social world shows after this many "
          "consumers (the best seller shows the worst count; none = never)", lo=0, nullable=True),
]}

rules.bind(PARAMS)  # a rule registered later adds its parameters here

MEDIUM_PARAMS: dict[str, Param] = {p.key: p for p in [
    Param("media.name", "str", "media", "name of the medium (used in overrides: media.NAME.p)"),
    _prob("media.p", 0.03, "probability that a contacted non-adopter adopts (Bass p when reach = 1)"),
    _prob("media.reach", 1.0, "fraction of the target audience contacted each step"),
    Param("media.start", "int", 1, "first step the medium is on", lo=1),
    Param("media.stop", "int", None, "last step the medium is on (none = to the end)", lo=0, nullable=True),
    Param("media.cost_per_contact", "float", 0.0, "cost of each contact", lo=0.0),
    Param("media.target", "choice", "all", "who the medium can reach", choices=MEDIA_TARGETS),
    Param("media.segment", "str", None, "segment (community) targeted when target = segment", nullable=True),
    Param("media.audience", "prob", 0.1, "fraction of people, by degree, in the top_degree audience",
          lo=0.0, hi=1.0, lo_open=True),
    Param("media.opinion", "prob", None, "the opinion the medium holds: a stubborn voice for the opinion rules",
          nullable=True),
    Param("media.signal_precision", "prob", None, "probability that the medium's message is right: a public "
          "signal for the rules that read one (wom.rule = observational)", lo=0.5, hi=1.0, lo_open=True,
          hi_open=True, nullable=True),
]}

TOP_KEYS = ("name", "description", "seed", "title", "model", "report", "variants")
TEXT_KEYS = ("name", "description", "title", "report")
# Model classes by the scenario's top-level ``model`` key: NAME -> "module:Class".
MODELS = {"adoption": "sim.model:DiffusionModel", "attention": "sim.attention:AttentionModel"}
# Parameters only some models read: a section ("wom") or a dotted key ("network.n", which
# overrides its section) -> the models that read it. Keys not listed apply to every model.
# Giving a key explicitly (file or override) for another model is an error.
APPLIES_TO = {
    "network": ("adoption",), "network.n": ("adoption", "attention"), "wom": ("adoption",),
    "seeding": ("adoption",), "media": ("adoption",), "run.dt": ("adoption",), "attention": ("attention",),
}
# model = platform (sim.measurement): the adoption model plus a campaign dashboard (likes,
# engagement, last-touch attribution); it reads what the adoption model reads and measurement.*.
# the order people act in, and their opinions at the start: the adoption model's rules read them
APPLIES_TO["run.order"] = APPLIES_TO["population"] = ("adoption",)
MODELS["platform"] = "sim.platform.model:PlatformModel"
APPLIES_TO = {k: (*v, "platform") if "adoption" in v else v for k, v in APPLIES_TO.items()}
APPLIES_TO["measurement"] = ("platform",)
# model = market (sim.market): the cultural market of Salganik, Dodds & Watts (2006); it reads market.* only.
MODELS["market"] = "sim.market:MarketModel"
APPLIES_TO["market"] = ("market",)
APPLIES_TO["run"] = ("adoption", "attention", "platform")  # consumers arrive; the market has no steps to set
# Keys that choose what reads the rest of their section: the ``used_by`` of the section's parameters
# names values of that key. A parameter given explicitly for a value that does not read it is an
# error, unless a layer above the one that gave it chose the value (docs/model.md, "Settings a
# network kind ignores").
CHOSEN_BY = {"network": "network.kind"}
# Parameters that are alternatives: set one of a group. Given in a higher layer (an override over the
# file, a variant over its base), one replaces the others of its group, which are reset to their default;
# given in the same layer, both are refused (sim.config.scenario._check_alternatives).
ALTERNATIVES = (("seeding.count", "seeding.fraction"),)
# Scenario reports (top-level ``report`` key): extra figures that show a scenario's point.
# NAME -> "module:function"; the function takes (result, folder) and returns the paths it wrote.
REPORTS: dict[str, str] = {
    "bass": "sim.reports:bass_report",
    "bandwagon": "sim.reports:bandwagon_report",
    "broadcast-vs-seeding": "sim.reports:broadcast_vs_seeding_report",
    "cascades": "sim.reports:cascades_report",
    "echo-chambers": "sim.reports:echo_chambers_report",
    "measurement": "sim.platform.report:measurement_report",
    "hits": "sim.market.report:hits_report",
    "organic-reach": "sim.reports.organic_reach:organic_reach_report",
}
SECTIONS = tuple(dict.fromkeys(k.split(".")[0] for k in PARAMS)) + ("media",)
