"""A word-of-mouth rule written per agent, the Mesa way: stubborn people.

Each person adopts once the share of their contacts who adopted reaches their
own stubbornness, which they pick once, at random, when first asked (from the
model's seeded random generator, so runs repeat exactly). The rule is a
subclass of the Person agent with a ``decide`` method; ``person_rule`` turns it
into a rule that the model, media, seeding, recording and outputs run like any
other. It is plain Python, one call per person and step: fine for a class of
a thousand people, slow for a million (``python -m benchmarks extending``).

    python docs/examples/stubborn.py
    bouche run bass --rules docs/examples/stubborn.py --set wom.rule=stubborn --set media=[] \
        --set seeding.strategy=random --set seeding.fraction=0.05 --out runs/stubborn
"""

import sim
from sim.model import Person
from sim.params import prob
from sim.rules import person_rule, register


class Stubborn(Person):
    """A person who adopts once enough of their contacts have."""

    def decide(self) -> bool:
        if not hasattr(self, "stubbornness"):
            top = self.model.rule.values["stubborn"]
            self.stubbornness = self.random.uniform(0.0, 2 * top)  # mean wom.stubborn
        k = len(self.contacts)
        return k > 0 and self.adopted_contacts / k >= self.stubbornness


register(person_rule(Stubborn, "stubborn", "stubborn people",
                     params=(prob("wom.stubborn", 0.3, "mean share of adopted contacts a stubborn person needs"),)))

if __name__ == "__main__":
    base = {"network.kind": "erdos_renyi", "network.n": 1000, "network.mean_degree": 8, "media": [],
            "wom.rule": "stubborn", "seeding.strategy": "random"}
    for seeds in (0.02, 0.10):
        r = sim.run("bass", seed=1, overrides={**base, "seeding.fraction": seeds})
        print(f"{seeds:.0%} seeded: {r.summary['final_adopters']:,} of 1,000 adopted in "
              f"{r.summary['steps_run']} steps")
