"""A vectorised word-of-mouth rule of your own: gossip.

Each step, every adopted contact of a non-adopter passes the news on with
probability ``wom.gossip``, independently, so a person with ``a`` adopted
contacts adopts with probability ``1 - (1 - gossip)^a``. Unlike Bass
imitation, the pull grows with the number of adopted contacts, not with
their share.

Importing this module registers the rule; then ``wom.rule = "gossip"``
works everywhere a built-in rule does:

    python docs/examples/gossip.py                                   # the demo below
    bouche run bass --rules docs/examples/gossip.py --set wom.rule=gossip --out runs/gossip
    bouche sweep bass --rules docs/examples/gossip.py --set wom.rule=gossip --vary wom.gossip=0.01,0.05
"""

import numpy as np

import sim
from sim.params import prob
from sim.rules import Rule, register


class Gossip(Rule):
    """Each adopted contact passes the news on with probability ``wom.gossip`` each step."""

    name = "gossip"
    label = "gossip"
    params = (prob("wom.gossip", 0.05, "probability that an adopted contact passes the news on, per step"),)

    @classmethod
    def detail(cls, values):
        return f"gossip = {values['wom.gossip']:g}"

    @classmethod
    def controls(cls, values):
        return {"wom.gossip": {"type": "SliderFloat", "value": values["wom.gossip"], "min": 0.0, "max": 0.5,
                               "step": 0.01, "label": "gossip, per contact and step"}}

    def setup(self, model, target):
        # a named stream of its own, per replicate: runs repeat exactly, and twins stay aligned
        return {"rng": target.generator(model.streams.get("wom", "gossip"))}

    def decide(self, eng, u, media_term):
        g = self.values["gossip"]
        v = eng.uniforms([rng.random for rng in eng.data["rng"]])  # each replicate's own draw
        heard = 1.0 - (1.0 - g) ** eng.counts
        fired = eng.xp.flatnonzero((v < heard) & ~eng.adopted)
        return eng.media_only(u, media_term, fired)  # media persuade the others

    def may_change(self, eng, n_new):
        if self.values["gossip"] <= 0:
            return np.zeros(eng.R, dtype=bool)
        return eng.per_replicate_any((eng.counts > 0) & ~eng.adopted)


register(Gossip)

if __name__ == "__main__":
    ring = {"network.kind": "ring", "network.n": 2000, "network.k": 6, "seeding.strategy": "random",
            "seeding.count": 5, "media": [], "wom.rule": "gossip"}
    for g in (0.02, 0.1):
        r = sim.run("bass", seed=1, overrides={**ring, "wom.gossip": g, "run.steps": 200})
        print(f"gossip {g:g}: {r.summary['final_adopters']:,} of 2,000 adopted in {r.summary['steps_run']} steps")
