"""Information cascades: each person decides once, from a private signal and the choices they saw.

Bikhchandani, S., Hirshleifer, D. & Welch, I. (1992). A theory of fads,
fashion, custom, and cultural change as informational cascades. Journal of
Political Economy 100(5), 992-1026.

Adopting is either right or wrong (``wom.truth``). Each person holds a private
signal that points the right way with probability p
(``wom.signal_precision``), and decides by Bayes from the log-odds that
adopting is right: ``λ = ln p - ln(1 - p)`` for their own signal, one way or
the other, plus what they infer from the choices they saw, plus the messages
of the media that reached them. At log-odds exactly 0 they are indifferent and
follow ``wom.tie`` (BHW flip a coin).

What a person sees (``wom.observe``):

``all``
    Everyone who decided earlier, as in BHW. The public log-odds are kept
    exactly: each choice adds the log-likelihood ratio of that choice given
    what its maker knew, so a choice that any signal would have produced adds
    nothing. Once the public log-odds outweigh one signal, everyone after
    ignores their own signal: a cascade, right or wrong, that stays until
    something public moves the log-odds again.
``contacts``
    Only the earlier choices of their contacts on the graph (people whose
    choice reaches them along an edge). Exact Bayesian inference on a
    network has no closed form; here each adoption seen counts as one signal
    for adopting and each rejection as one against (the inference BHW's
    public would make before any cascade).

Seeds adopt at step 0, in a random order, before anyone decides; onlookers
take them for informed people (the planted early adopters of a launch).

Media carry a message, not persuasion: a medium's message is right with
probability ``media.signal_precision`` (drawn once per run) and every person
it reaches, in any step it is on, adds its log-odds to their own. A medium
that reaches everyone (``reach = 1``, no target) is a public signal: it moves
the public log-odds. Onlookers are taken to know whom a medium reached (exact
for a public signal). An adoption is credited to media when, without the
media's messages, the same person would not have adopted; every other one to
word of mouth (their own signal and what they saw).

``run.order = "sequential"`` (the BHW set-up): one person decides per step,
in a random order drawn from the seeding stream. ``"synchronous"``: in each
step everyone who has seen a choice decides at once (with ``observe = all``,
everyone at step 1); when nobody has chosen yet, everyone may.

Summary keys: ``cascade`` (``"adopt"``, ``"reject"`` or ``"none"``: the
cascade in force at the end), ``cascade_start`` (how many had decided when
it began; None without a cascade), ``correct_cascade``, ``wrong_cascade``, ``decided``,
``rejecters``, ``correct_share`` and ``herding_share`` (among those who
decided, seeds apart: the share who chose right, and who ignored their own
signal). With ``observe = all`` a cascade is in force when the public
log-odds make the next person ignore their signal; with ``contacts``, when
the last people to decide all ignored theirs and chose alike (the cascade
began with the first of them).

Examples
--------
>>> import sim
>>> r = sim.run("bass", seed=3, overrides={"network.kind": "complete", "network.n": 60, "media": [],
...             "wom.rule": "observational", "wom.signal_precision": 0.7, "run.order": "sequential",
...             "run.steps": 60, "seeding.count": 0})
>>> r.summary["decided"], r.summary["cascade"] in ("adopt", "reject", "none")
(60, True)
>>> int(r.timeseries["adopters"].iloc[-1] + r.timeseries["rejecters"].iloc[-1])
60
"""

from __future__ import annotations

import math

import numpy as np

from sim.errors import ConfigError
from sim.params import Param
from sim.population import SEED
from sim.rules.base import Rule

__all__ = ["Observational", "PRECISION", "TRUTH", "OBSERVE", "TIE", "p_no_cascade", "p_correct_cascade",
           "log_odds"]

PRECISION = Param("wom.signal_precision", "prob", 0.7, "probability that a person's private signal is right",
                  lo=0.5, hi=1.0, lo_open=True, hi_open=True)
TRUTH = Param("wom.truth", "choice", "adopt", "which choice is right: adopting or rejecting",
              choices=("adopt", "reject"))
OBSERVE = Param("wom.observe", "choice", "all", "whose earlier choices a person sees: everyone's (BHW) or "
                "their contacts'", choices=("all", "contacts"))
TIE = Param("wom.tie", "choice", "coin", "what an indifferent person does: flip a coin (BHW), follow their "
            "own signal, adopt, or reject", choices=("coin", "signal", "adopt", "reject"))

_TOL = 1e-9  # log-odds this close to 0 are a tie (sums of logs of the same numbers differ in the last bits)
_TIE_VALUE = {"adopt": 1, "reject": -1, "coin": 0}  # "signal": the person's own


def log_odds(p: float) -> float:
    """The log-odds one signal of precision p carries: ``ln p - ln(1 - p)``.

    Examples
    --------
    >>> round(log_odds(0.75), 6)
    1.098612
    """
    return math.log(p) - math.log(1.0 - p)


def p_no_cascade(p: float, n: int) -> float:
    """BHW: the probability that no cascade has started after n people (n even), ``(p - p²)^(n/2)``.

    Examples
    --------
    >>> p_no_cascade(0.6, 2)
    0.24
    """
    return (p - p * p) ** (n / 2)


def p_correct_cascade(p: float) -> float:
    """BHW: the probability that the cascade is the right one, as the number of people grows.

    ``p(p + 1) / (2(1 - p + p²))``; a wrong cascade has the rest of the probability.

    Examples
    --------
    >>> round(p_correct_cascade(0.6), 4)
    0.6316
    """
    return p * (p + 1) / (2 * (1 - p + p * p))


def _choose(xp, x, own, tie: str):
    """+1 (adopt), -1 (reject) or 0 (flip the coin) at log-odds ``x``; ``own``: the person's signal (+1/-1)."""
    c = xp.where(x > _TOL, 1, -1).astype(xp.int8)
    tied = xp.abs(x) <= _TOL
    if not bool(tied.any()):
        return c
    value = own if tie == "signal" else _TIE_VALUE[tie]
    return xp.where(tied, value, c).astype(xp.int8)


class Observational(Rule):
    """People decide once, in turn, by Bayes from a private signal and the choices they saw (BHW 1992)."""

    name = "observational"
    label = "information cascade"
    params = (PRECISION, TRUTH, OBSERVE, TIE)
    orders = ("sequential", "synchronous")
    media_each = True
    index_state = ("order",)
    replicate_state = ("belief", "public", "public_heard", "media_sign", "n_decided", "since", "cascade_dir",
                       "new_rejecters")
    columns = ("new_rejecters",)
    reveals = "private hints"

    def __init__(self, values: dict):
        super().__init__(values)
        self.p = values["signal_precision"]
        self.lam = log_odds(self.p)
        self.truth = 1 if values["truth"] == "adopt" else -1
        self.media_lam: list[float] = []

    @classmethod
    def detail(cls, values: dict) -> str:
        return (f"signals right {values['wom.signal_precision']:.0%} of the time, "
                f"{'everyone' if values['wom.observe'] == 'all' else 'contacts'} seen")

    @classmethod
    def controls(cls, values: dict) -> dict:
        return {"wom.signal_precision": {"type": "SliderFloat", "value": values["wom.signal_precision"],
                                         "min": 0.51, "max": 0.99, "step": 0.01, "label": "signal precision p"}}

    # -- set-up -------------------------------------------------------------------------------------

    def setup(self, model, target) -> dict:
        n = model.n
        rng = model.streams.get("wom", "signals")
        right = rng.random(n) < self.p
        signal = np.where(right, self.truth, -self.truth).astype(np.int8)
        coin = rng.random(n)  # an indifferent person's coin: adopt when below 1/2
        media = model.spec.media
        if len(media) > 31:
            raise ConfigError("media", f"must hold at most 31 media with wom.rule = observational; got {len(media)}")
        signs, self.media_lam = [], []
        for m in media:
            q = m.get("signal_precision")
            label = f"media.{m['name']}" if len(media) > 1 else "media"
            if q is None:
                raise ConfigError(f"{label}.signal_precision", "must be a number in (0.5, 1) with wom.rule = "
                                  "observational (how often the medium's message is right); got none")
            right_m = model.streams.get("media", m["name"], "signal").random() < q
            signs.append(self.truth if right_m else -self.truth)
            self.media_lam.append(log_odds(q))
        return {
            "signal": signal, "coin": coin,
            "order": model.streams.get("seeding", "order").permutation(n).astype(np.int64),
            "choice": np.zeros(n, dtype=np.int8),  # +1 adopted, -1 rejected, 0 not yet decided
            "herded": np.zeros(n, dtype=bool),  # chose what either signal would have made them choose
            "evidence": np.zeros(n),  # log-odds of the media messages that reached this person
            "heard": np.zeros(n, dtype=np.int32),  # bit j: medium j reached this person
            "rejected": np.zeros(n, dtype=np.int32),  # contacts who rejected (observe = contacts)
            "belief": np.zeros(1), "public": np.zeros(1), "public_heard": np.zeros(1, dtype=np.int64),
            "media_sign": np.array(signs, dtype=np.int8), "n_decided": np.zeros(1, dtype=np.int64),
            "since": np.full(1, -1, dtype=np.int64), "cascade_dir": np.zeros(1, dtype=np.int8),
            "new_rejecters": np.zeros(1, dtype=np.int64),
        }

    def _begin(self, eng) -> None:
        """Before step 1: the seeds go first in each replicate's order, and count as choices to adopt."""
        st, xp, R, n = eng.data, eng.xp, eng.R, eng.n
        order = st["order"].reshape(R, n)
        seeded = eng.adopted[order]
        order = xp.take_along_axis(order, xp.argsort(~seeded, axis=1, kind="stable"), axis=1)
        st["order"] = order.ravel()
        k = seeded.sum(axis=1).astype(xp.int64)
        st["choice"][eng.adopted] = 1
        if self.values["observe"] == "all":  # onlookers read the seeds' adoptions one at a time
            for j in range(int(k.max()) if R else 0):
                rows = xp.flatnonzero(k > j)
                base = st["belief"][rows] + st["public"][rows]
                st["belief"][rows] += self._llr(xp, base, xp.ones(len(rows), dtype=xp.int8))
        st["n_decided"][:] = k
        self._cascade_from_belief(eng)

    # -- the step -----------------------------------------------------------------------------------

    def decide(self, eng, u, media_term):
        st, xp, R, n = eng.data, eng.xp, eng.R, eng.n
        if eng.steps == 0:
            self._begin(eng)
        if media_term is not None:
            self._hear(eng, media_term)
            if self.values["observe"] == "all":  # public news may start or end a cascade before anyone decides
                self._cascade_from_belief(eng)
        who = self._deciders(eng)
        st["new_rejecters"][:] = 0
        if not len(who):
            return eng.nobody, eng.nobody
        r = who // n
        own = st["signal"][who]
        media = st["evidence"][who] + st["public"][r]
        if self.values["observe"] == "all":
            social = st["belief"][r]
        else:
            social = self.lam * (eng.counts[who] - st["rejected"][who]).astype(xp.float64)
        choice, herded = self._decision(xp, social + media, own, st["coin"][who])
        without, _ = self._decision(xp, social, own, st["coin"][who])
        st["choice"][who] = choice
        st["herded"][who] = herded
        if self.values["observe"] == "all":
            st["belief"] += xp.bincount(r, weights=self._llr(xp, social + media, choice), minlength=R)
        rejecting = choice < 0
        if self.values["observe"] == "contacts":
            eng.reach(st["rejected"], who[rejecting])
        n_before = st["n_decided"].copy()
        st["n_decided"] += xp.bincount(r, minlength=R)
        st["new_rejecters"][:] = xp.bincount(r[rejecting], minlength=R)
        if self.values["observe"] == "all":
            self._cascade_from_belief(eng)
        else:
            self._cascade_from_choices(eng, r, choice, herded, n_before)
        adopting = choice > 0
        by_media = adopting & (without <= 0)
        return who[by_media], who[adopting & ~by_media]

    def _decision(self, xp, base, own, coin):
        """Each person's choice (+1/-1) at social-and-media log-odds ``base``, and whether their signal mattered not."""
        hi, lo = _choose(xp, base + self.lam, 1, self.values["tie"]), _choose(xp, base - self.lam, -1,
                                                                              self.values["tie"])
        choice = xp.where(own > 0, hi, lo)
        choice = xp.where(choice == 0, xp.where(coin < 0.5, 1, -1), choice).astype(xp.int8)
        return choice, (hi == lo) & (hi != 0)

    def _llr(self, xp, base, choice):
        """Log-likelihood ratio (adopting right against wrong) of ``choice`` made at log-odds ``base``."""
        tie, p = self.values["tie"], self.p

        def chance(c):  # the chance of the choice made, given one signal
            return xp.where(c == choice, 1.0, xp.where(c == 0, 0.5, 0.0))

        hi, lo = chance(_choose(xp, base + self.lam, 1, tie)), chance(_choose(xp, base - self.lam, -1, tie))
        return xp.log(p * hi + (1 - p) * lo) - xp.log((1 - p) * hi + p * lo)

    def _hear(self, eng, terms) -> None:
        """Media messages reach people: a public one moves the public log-odds, others each person's own."""
        st, xp, R, n = eng.data, eng.xp, eng.R, eng.n
        signs = st["media_sign"].reshape(R, len(terms)).astype(xp.float64)
        for j, (term, medium) in enumerate(zip(terms, eng.models[0].media)):
            if term is None:
                continue
            weight = signs[:, j] * self.media_lam[j]
            bit = 1 << j
            if medium.reach >= 1.0 and medium.audience is None:
                fresh = (st["public_heard"] & bit) == 0
                st["public"] += xp.where(fresh, weight, 0.0)
                st["public_heard"] |= bit
                continue
            idx = xp.flatnonzero((term > 0) & ((st["heard"] & bit) == 0))
            st["evidence"][idx] += weight[idx // n]
            st["heard"][idx] |= bit

    def _deciders(self, eng):
        """Who decides this step (sorted flat indices)."""
        st, xp, R, n = eng.data, eng.xp, eng.R, eng.n
        if eng.order == "sequential":
            rows = xp.flatnonzero(st["n_decided"] < n)
            return st["order"].reshape(R, n)[rows, st["n_decided"][rows]]
        undecided = st["choice"] == 0
        if self.values["observe"] == "all":
            return xp.flatnonzero(undecided)
        seen = (eng.counts + st["rejected"]) > 0
        nobody_yet = xp.repeat(st["n_decided"] == 0, n)
        return xp.flatnonzero(undecided & (seen | nobody_yet))

    def _cascade_from_belief(self, eng) -> None:
        """``observe = all``: a cascade is in force when the public log-odds make the next person ignore
        their signal."""
        st, xp = eng.data, eng.xp
        base = st["belief"] + st["public"]
        hi = _choose(xp, base + self.lam, 1, self.values["tie"])
        lo = _choose(xp, base - self.lam, -1, self.values["tie"])
        direction = xp.where((hi == lo) & (hi != 0), hi, 0).astype(xp.int8)
        began = (direction != 0) & (direction != st["cascade_dir"])
        st["since"] = xp.where(direction == 0, -1, xp.where(began, st["n_decided"], st["since"]))
        st["cascade_dir"] = direction

    def _cascade_from_choices(self, eng, r, choice, herded, n_before) -> None:
        """``observe = contacts``: a cascade is in force while the latest people to decide all herded alike."""
        st, xp, R = eng.data, eng.xp, eng.R
        n_now = xp.bincount(r, minlength=R)
        up = xp.bincount(r[herded & (choice > 0)], minlength=R)
        down = xp.bincount(r[herded & (choice < 0)], minlength=R)
        direction = xp.where(up == n_now, 1, xp.where(down == n_now, -1, 0)).astype(xp.int8)
        moved = n_now > 0
        began = moved & (direction != 0) & (direction != st["cascade_dir"])
        st["since"] = xp.where(moved & (direction == 0), -1, xp.where(began, n_before, st["since"]))
        st["cascade_dir"] = xp.where(moved, direction, st["cascade_dir"]).astype(xp.int8)

    def may_change(self, eng, n_new):
        st, xp, n = eng.data, eng.xp, eng.n
        if eng.order == "sequential":
            return eng.be.to_host(st["n_decided"] < n)
        undecided = st["choice"] == 0
        if self.values["observe"] == "contacts":
            undecided &= ((eng.counts + st["rejected"]) > 0) | xp.repeat(st["n_decided"] == 0, n)
        return eng.be.to_host(undecided.reshape(eng.R, n).any(axis=1))

    def counted(self, eng) -> dict:
        new = eng.be.to_host(eng.data["new_rejecters"])
        return {"new_rejecters": int(new[0]) if eng.R == 1 else new.copy()}

    def describe(self, summary: dict) -> list[str]:
        s = summary
        if s["cascade"] == "none":
            head = "no cascade at the end: the last people still followed their own hints"
        else:
            right = "the right choice" if s["correct_cascade"] else "the wrong choice"
            head = f"cascade: everyone {s['cascade']}s ({right}) since {s['cascade_start']:,} had decided"
        lines = [head, f"{s['decided']:,} decided, {s['rejecters']:,} rejected"]
        if s["herding_share"] is not None:
            lines[-1] += (f"; {100 * s['herding_share']:.0f} % followed the crowd whatever their hint, "
                          f"{100 * s['correct_share']:.0f} % chose right")
        return lines

    def picture(self, model, reveal: bool = False):
        """The row of people deciding one by one (:func:`sim.figures.cascade.decision_row`)."""
        from sim.figures.cascade import decision_row

        state = model.rule_state if model.rule_state is not None else model.engine.rule_state(0)
        return decision_row(state, self.truth, reveal=reveal)

    # -- results --------------------------------------------------------------------------------------

    def summary(self, state: dict, model) -> dict:
        direction = int(state["cascade_dir"][0])
        choice = state["choice"]
        chose = (choice != 0) & (model.state.channel != SEED)
        k = int(chose.sum())
        return {
            "cascade": {1: "adopt", -1: "reject", 0: "none"}[direction],
            "cascade_start": int(state["since"][0]) if direction else None,
            "correct_cascade": direction == self.truth,
            "wrong_cascade": direction == -self.truth,
            "decided": int((choice != 0).sum()),
            "rejecters": int((choice < 0).sum()),
            "correct_share": float((choice[chose] == self.truth).mean()) if k else None,
            "herding_share": float(state["herded"][chose].mean()) if k else None,
        }
