"""Cultural-market checks: Salganik, Dodds & Watts (2006) and Salganik & Watts (2008).

The ``hits`` scenario (:mod:`sim.market`) in its two displays, over paired
replicates: social influence must raise inequality (Gini) and
unpredictability (U) above the independent condition under both displays,
ranking by downloads must raise them more than the grid, and the best fifth
of products must rarely end in the bottom fifth of market shares (the worst
rarely in the top fifth). Then the self-fulfilling prophecy: products given
fake early downloads must win a larger share of real downloads.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.figures.canvas import subplots
from sim.validation.registry import FIGURES, Check, _mean_se, _register, _save, _seed, z_limit

__all__ = ["check_cultural_market", "check_self_fulfilling_prophecy"]

REF = ("Salganik, Dodds & Watts (2006), Science 311(5762); Salganik & Watts (2008), Social Psychology Quarterly "
       "71(4); the choice model: Krumme et al. (2012), PLoS ONE 7(5), and Abeliuk et al. (2015), PLoS ONE 10(4)")
SHARE_OK = 0.9  # the best fifth must stay out of the bottom fifth (the worst out of the top) in this share of worlds
PROMOTED = [44, 45, 46, 47, 48]  # the five products of least appeal


def _paired(x, y) -> tuple[float, float]:
    """Mean and standard error of the paired differences y - x."""
    return _mean_se(np.asarray(y, dtype=float) - np.asarray(x, dtype=float))


@_register
def check_cultural_market(folder: Path, quick: bool = False) -> Check:
    """Social influence raises inequality and unpredictability, ranking by downloads more than the grid."""
    from sim import config
    from sim.market.measures import SALGANIK_2006
    from sim.market.report import comparison_figure, market_comparison

    runs = 10 if quick else 40
    spec = config.load("hits")
    seeds = [_seed("cultural_market", r) for r in range(runs)]
    worlds, df, table = market_comparison(spec, seeds=seeds)
    by = {w.get("market.display"): df[df["arm"] == name].sort_values("replicate") for name, w in worlds.items()}
    ranked, grid = by["ranked"], by["grid"]
    tests = {}
    for display, part in by.items():
        for measure in ("gini", "unpredictability"):
            tests[f"{measure} {display}: social - independent"] = _paired(part[f"{measure}_independent"],
                                                                          part[f"{measure}_social"])
    for measure in ("gini", "unpredictability"):
        tests[f"{measure} social: ranked - grid"] = _paired(grid[f"{measure}_social"], ranked[f"{measure}_social"])
    z = z_limit(len(tests))
    rises = all(m > z * se for m, se in tests.values())
    best = float(np.mean([part["best_never_bottom"].mean() for part in by.values()]))
    worst = float(np.mean([part["worst_never_top"].mean() for part in by.values()]))
    ok = rises and best >= SHARE_OK and worst >= SHARE_OK
    folder.mkdir(parents=True, exist_ok=True)
    comparison_figure(worlds, df, table, folder / "cultural_market.png",
                      f"Cultural market (hits scenario): {runs} paired runs of each display")

    def means(part):
        return (f"Gini {part['gini_independent'].mean():.2f} → {part['gini_social'].mean():.2f}, U "
                f"{part['unpredictability_independent'].mean():.4f} → {part['unpredictability_social'].mean():.4f}")

    def paper(d):
        p = SALGANIK_2006[d]
        return (f"experiment {p['experiment']} ({d}): Gini {p['gini_independent']:.2f} → {p['gini_social']:.2f}, U "
                f"{p['unpredictability_independent']:.4f} → {p['unpredictability_social']:.4f}")

    return Check(
        name="cultural_market", title="Inequality and unpredictability in a cultural market",
        reference=REF,
        setting=f"the hits scenario: 48 products, 8 social worlds of 700 consumers and an independent world of "
                f"1,400, influence {spec.get('market.influence'):g}; ranked display and grid, {runs} paired runs "
                f"(same seeds)",
        expected=f"independent → social, the paper's values: {paper('grid')}; {paper('ranked')}. Social above "
                 f"independent under both displays, ranked above grid; the best fifth of products never in the "
                 f"bottom fifth of shares, the worst never in the top fifth, in ≥ {SHARE_OK:.0%} of worlds",
        simulated=f"grid: {means(grid)}; ranked: {means(ranked)}; best never bottom in {best:.0%} of social "
                  f"worlds, worst never top in {worst:.0%}",
        uncertainty="; ".join(f"{k} {m:+.4g} ± {se:.2g}" for k, (m, se) in tests.items()) + " (paired SE)",
        tolerance=f"every paired difference above {z:.2f} SE (Bonferroni over {len(tests)}); the quintile shares "
                  f"≥ {SHARE_OK:.0%}",
        passed=bool(ok), figure=f"{FIGURES}/cultural_market.png",
        values={"tests": {k: {"mean": m, "se": se} for k, (m, se) in tests.items()}, "best_never_bottom": best,
                "worst_never_top": worst,
                **{f"{d}_{k}": float(part[k].mean()) for d, part in by.items()
                   for k in ("gini_independent", "gini_social", "unpredictability_independent",
                             "unpredictability_social")}})


@_register
def check_self_fulfilling_prophecy(folder: Path, quick: bool = False) -> Check:
    """Fake early downloads for the worst products win them real downloads (Salganik & Watts 2008)."""
    from sim.market import MarketModel

    runs, fake = (10 if quick else 40), 20
    plain, promoted = [], []
    for r in range(runs):
        seed = _seed("self_fulfilling_prophecy", r)
        plain.append(MarketModel("hits", seed=seed, overrides={"market.promote": PROMOTED,
                                                               "market.promote_downloads": 0}).run())
        promoted.append(MarketModel("hits", seed=seed, overrides={"market.promote": PROMOTED,
                                                                  "market.promote_downloads": fake}).run())
    # market.promote with no fake download marks the products without changing a single draw
    base = np.array([m.summary()["promoted_share_social"] for m in plain])
    gain = np.array([m.summary()["promoted_share_social"] for m in promoted])
    independent = np.array([m.summary()["promoted_share_independent"] for m in promoted])
    dl_base = np.array([m.summary()["downloads_social"] for m in plain])
    dl = np.array([m.summary()["downloads_social"] for m in promoted])
    tests = {"with - without promotion": _paired(base, gain),
             "with promotion - independent": _paired(independent, gain)}
    z = z_limit(len(tests))
    ok = all(m > z * se for m, se in tests.values())
    fig, (ax1, ax2) = subplots(1, 2, figsize=(11, 4.4), constrained_layout=True)
    labels = ["independent world", "social worlds,\nno promotion", f"social worlds,\n{fake} fake downloads each"]
    values = [independent, base, gain]
    colours = ["#404040", "#fdae61", "#7b3294"]
    for i, (v, c) in enumerate(zip(values, colours)):
        ax1.bar(i, 100 * v.mean(), color=c, alpha=0.8, width=0.7)
        ax1.scatter(i + np.random.default_rng(i).uniform(-0.2, 0.2, v.size), 100 * v, s=9, color="black",
                    alpha=0.4, lw=0, zorder=3)
    ax1.set_xticks(range(3), labels)
    ax1.set(ylabel="real downloads won by the 5 worst products (%)",
            title="A self-fulfilling prophecy: promoted products win real downloads")
    ax2.scatter(100 * base, 100 * gain, s=16, color="#7b3294")
    top = 100 * max(gain.max(), base.max()) * 1.1
    ax2.plot([0, top], [0, top], color="#404040", ls="--", lw=1, label="no change")
    ax2.set(xlim=(0, top), ylim=(0, top), xlabel="share without promotion (%)", ylabel="share with promotion (%)",
            title=f"Paired runs (same seeds), {runs} of each")
    ax2.legend(frameon=False)
    for ax in (ax1, ax2):
        ax.grid(True, alpha=0.3)
    fig.suptitle("Self-fulfilling prophecy in the hits scenario (ranked display): the 5 products of least appeal "
                 "start each social world with fake downloads", fontsize=10)
    figure = _save(fig, folder, "self_fulfilling_prophecy")
    return Check(
        name="self_fulfilling_prophecy", title="Self-fulfilling prophecy: promoted products win real downloads",
        reference=REF,
        setting=f"the hits scenario (ranked display); the products of appeal ranks {PROMOTED[0]}–{PROMOTED[-1]} "
                f"of 48 start every social world with {fake} fake downloads (shown, not counted); {runs} paired runs",
        expected="the promoted products win a larger share of real downloads than without promotion and than in "
                 "the independent world (Salganik & Watts 2008: perceived popularity became real); fewer "
                 "downloads overall",
        simulated=f"share of real downloads: {100 * gain.mean():.1f} % with promotion, {100 * base.mean():.1f} % "
                  f"without, {100 * independent.mean():.1f} % independent; downloads per consumer "
                  f"{dl.mean():.2f} against {dl_base.mean():.2f}",
        uncertainty="; ".join(f"{k} {100 * m:+.2f} ± {100 * se:.2f} points" for k, (m, se) in tests.items())
                    + " (paired SE)",
        tolerance=f"both differences above {z:.2f} SE (Bonferroni over {len(tests)})",
        passed=bool(ok), figure=figure,
        values={"promoted_share": float(gain.mean()), "plain_share": float(base.mean()),
                "independent_share": float(independent.mean()), "downloads": float(dl.mean()),
                "downloads_plain": float(dl_base.mean())})
