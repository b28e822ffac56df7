# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Hits: are they better, or lucky?
#
# *For a teacher and a student; about 25 minutes; runs in under a minute.*
#
# A few songs, books and films sell many times more than the rest, yet experts cannot say in
# advance which ones. Are hits simply better? Or do people like what others seem to like, so
# that a small early lead grows, and luck decides who gets it?
#
# Salganik, Dodds & Watts (2006) tested this on the web: 14,341 people listened to 48 songs by
# unknown bands and downloaded those they liked. Some chose alone; the others were split into
# eight separate "worlds", each seeing how often each song had been downloaded *in its own
# world*. Same songs, same kind of people: history ran eight times.
#
# The `hits` scenario rebuilds that experiment: 48 products, 8 social worlds of 700 consumers,
# an independent world of 1,400 who see no counts. A consumer listens to 3 songs (picked by
# their place on the page and, in a social world, by their downloads) and downloads each with
# a probability equal to its **appeal**, which the model knows and the consumers do not.

# %%
import matplotlib.pyplot as plt
import numpy as np

import sim

# %% [markdown]
# ## Step 1. One market, nine histories
#
# One run. For each world, the market share of every song, songs sorted by appeal (best on the
# left).

# %%
r = sim.run("hits")
m = r.model
social, independent = m.market_shares()
by_appeal = np.argsort(-m.quality)
fig, ax = plt.subplots(figsize=(10, 4.5))
x = np.arange(1, 49)
for j in range(3):
    ax.plot(x, 100 * social[j, by_appeal], marker="o", ms=3, lw=1, alpha=0.8, label=f"social world {j + 1}")
ax.plot(x, 100 * independent[by_appeal], color="black", lw=2.5, label="independent world")
ax.set(xlabel="song, from the most appealing (1) to the least (48)", ylabel="market share (%)",
       title="The same 48 songs in three social worlds and the independent world")
ax.legend(frameon=False)
plt.show()
print(f"the most downloaded song has {100 * independent.max():.1f} % of downloads in the independent world; "
      f"in the social worlds: " + ", ".join(f"{100 * s.max():.1f} %" for s in social))

# %% [markdown]
# **Think about it.** In the independent world, success follows appeal quite closely. What
# happens in the social worlds? Is the top song the same in every world?

# %% [markdown]
# ## Step 2. Would the same songs be hits again?
#
# The rank of the ten most appealing songs in each of the eight social worlds (1 = the most
# downloaded).

# %%
ranks = np.argsort(np.argsort(-social, axis=1), axis=1) + 1  # rank of each song in each world
fig, ax = plt.subplots(figsize=(10, 4.5))
for k, song in enumerate(by_appeal[:10]):
    ax.scatter(np.full(8, k + 1), ranks[:, song], color="#d7191c", alpha=0.6)
    ax.scatter([k + 1], [np.argsort(np.argsort(-independent))[song] + 1], color="black", marker="D", s=50)
ax.set(xlabel="the ten most appealing songs (1 = the best)", ylabel="rank of its downloads (1 = top)",
       title="Red: its rank in each social world; black: in the independent world", ylim=(49, 0))
plt.show()

# %% [markdown]
# **Think about it.** The best songs rarely do badly, but how far does a very good song's rank
# move from world to world? If you were a record label watching only one world, what would you
# conclude about the song at the top?

# %% [markdown]
# ## Step 3. Measuring inequality and unpredictability
#
# Two numbers from the paper. **Inequality**: the Gini coefficient of market shares (0 = every
# song the same share, 1 = one song takes all). **Unpredictability** U: for each song, how much
# its share differs between two worlds, averaged over all pairs of worlds and all songs. The
# independent world is split into two halves of 700, so that its U compares worlds of the same
# size. Five runs of each display: songs ranked by downloads (the paper's experiment 2), and a
# grid in random order (experiment 1).

# %%
rows = {}
for display in ("grid", "ranked"):
    runs = [sim.run("hits", seed=s, overrides={"market.display": display}).summary for s in range(5)]
    rows[display] = {k: np.mean([x[k] for x in runs]) for k in
                     ("gini_independent", "gini_social", "unpredictability_independent", "unpredictability_social")}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
for ax, measure in ((ax1, "gini"), (ax2, "unpredictability")):
    for i, display in enumerate(rows):
        ax.bar(3 * i, rows[display][f"{measure}_independent"], color="#404040", label="independent" if i == 0 else None)
        ax.bar(3 * i + 1, rows[display][f"{measure}_social"], color="#d7191c", label="social" if i == 0 else None)
    ax.set_xticks([0.5, 3.5], ["grid (experiment 1)", "ranked (experiment 2)"])
    ax.set_title("Inequality (Gini)" if measure == "gini" else "Unpredictability (U)")
    ax.legend(frameon=False)
plt.show()
print("the paper: Gini 0.26 -> 0.34 (grid), 0.20 -> 0.50 (ranked); U 0.0045 -> 0.0084, 0.0061 -> 0.0125")

# %% [markdown]
# **Think about it.** Social influence makes success both more unequal and less predictable.
# Why does a list ranked by downloads do it more than a grid? (Hint: who sees the song at the
# top of the list?)

# %% [markdown]
# ## Step 4. Turning social influence up
#
# `market.influence` is what one download adds to a song's chance of being picked for a
# listen (0: consumers see nothing, as in the independent world). Three runs at each value.

# %%
levels = [0.0, 0.02, 0.06, 0.15]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
for display, colour in (("grid", "#2b83ba"), ("ranked", "#d7191c")):
    g, u = [], []
    for level in levels:
        runs = [sim.run("hits", seed=s, overrides={"market.display": display, "market.influence": level}).summary
                for s in range(3)]
        g.append(np.mean([x["gini_social"] for x in runs]))
        u.append(np.mean([x["unpredictability_social"] for x in runs]))
    ax1.plot(levels, g, marker="o", color=colour, label=display)
    ax2.plot(levels, u, marker="o", color=colour, label=display)
ax1.set(xlabel="social influence", ylabel="Gini of the social worlds", title="Inequality")
ax2.set(xlabel="social influence", ylabel="U of the social worlds", title="Unpredictability")
ax1.legend(frameon=False)
plt.show()

# %% [markdown]
# **Think about it.** With influence 0 the social worlds are just more independent worlds. Why
# does the ranked list jump as soon as there is any influence at all?

# %% [markdown]
# ## Step 5. A self-fulfilling prophecy
#
# Salganik & Watts (2008) went further: they showed false download counts. Here the five
# *least* appealing songs start every social world with 20 fake downloads (shown, never counted
# as success). Same seeds with and without the fake downloads.

# %%
worst = {"market.promote": [44, 45, 46, 47, 48]}
plain, faked = [], []
for s in range(5):
    plain.append(sim.run("hits", seed=s, overrides={**worst, "market.promote_downloads": 0}).summary)
    f = sim.run("hits", seed=s, overrides={**worst, "market.promote_downloads": 20}).summary
    faked.append(f)
share = [100 * np.mean([x["promoted_share_independent"] for x in faked]),
         100 * np.mean([x["promoted_share_social"] for x in plain]),
         100 * np.mean([x["promoted_share_social"] for x in faked])]
fig, ax = plt.subplots(figsize=(8, 4))
ax.bar(["independent world", "social worlds", "social worlds,\n20 fake downloads each"], share,
       color=["#404040", "#fdae61", "#7b3294"])
ax.set(ylabel="real downloads won by the 5 worst songs (%)", title="Perceived popularity becomes real popularity")
plt.show()

# %% [markdown]
# **Think about it.** Buying fake early popularity works here. What does that say about
# download counts, likes and "best-seller" lists as measures of quality? What else did the
# fake downloads change for the market as a whole (look at `downloads_social` in the
# summaries)?
#
# **Try it.** `bouche run hits` draws `hits.png` (inequality and unpredictability beside the
# paper's values) and `success.png`; `bouche sweep hits_influence` sweeps the influence.
