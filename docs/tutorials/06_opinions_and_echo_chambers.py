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
# # Opinions and echo chambers
#
# *For a teacher and a student; about 25 minutes; runs in under a minute.*
#
# Adoption is yes or no, once. Opinions move back and forth, a little at a time, as people
# talk. Physicists and sociologists have a small zoo of models for this; you will meet three:
# the **voter model** (copy someone), **bounded confidence** (listen only to people who
# already think roughly like you) and the **algorithmic bias** (a feed chooses whom you
# listen to). The question at the end: *does the feed, not the people, split the public?*

# %%
import matplotlib.pyplot as plt
import numpy as np

import sim
from sim.figures.opinions import histograms, opinion_history

COMPLETE = {"network.kind": "complete", "media": [], "seeding.strategy": "none", "run.order": "random_sequential"}

# %% [markdown]
# ## Step 1. The voter model: who wins?
#
# Everyone holds opinion 0 or 1. At each tick a random person copies a random other person.
# Start with 30 % holding 1. How often does the whole group end up at 1?

# %%
wins, times = [], []
for seed in range(120):
    r = sim.run("bass", seed=seed, overrides={**COMPLETE, "network.n": 50, "wom.rule": "voter",
                                               "population.opinions": "split", "population.share": 0.3,
                                               "run.steps": 5000})
    wins.append(r.summary["mean_opinion"] > 0.5)
    times.append(r.summary["consensus_step"])
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.hist(times, bins=20, color="#2b83ba")
ax.set(xlabel="steps until everyone agrees (50 interactions each)", ylabel="runs",
       title=f"Opinion 1 won {np.mean(wins):.0%} of 120 runs, starting from 30 %")
plt.show()

# %% [markdown]
# **Think about it.** The answer is close to 30 %: in the voter model the chance that an
# opinion takes over equals its initial share. Nobody is persuaded by arguments here; why
# does the majority still usually win?

# %% [markdown]
# ## Step 2. Bounded confidence: camps
#
# Now opinions lie between 0 and 1. Two people who meet move halfway toward each other, but
# only if they differ by less than ε (Deffuant et al. 2000). Watch 300 people for several ε.

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
for ax, eps in zip(axes, (0.1, 0.2, 0.4)):
    m = sim.DiffusionModel("bass", seed=1, overrides={**COMPLETE, "network.n": 300, "wom.rule": "deffuant",
                                                       "wom.epsilon": eps, "run.steps": 80, "run.stop": "steps"})
    hist = histograms(m)
    opinion_history(ax, hist, title=f"ε = {eps}: {int(m.timeseries()['major_clusters'].iloc[-1])} camps")
plt.show()

# %% [markdown]
# **Think about it.** Deffuant found about 1/(2ε) camps. Why would people who listen only to
# those close to them end in several camps rather than one?

# %% [markdown]
# ## Step 3. The same people, a different feed
#
# On a social network of 500 people, let a feed pick whom you meet, favouring the like-minded
# with strength γ (Sîrbu et al. 2019). γ = 0 is meeting contacts at random.

# %%
gammas = [0.0, 0.5, 1.0, 1.5]
camps_ = []
for g in gammas:
    rs = [sim.run("echo-chambers", seed=s, overrides={"wom.gamma": g, "media": [], "run.steps": 150})
          for s in range(2)]
    camps_.append(np.mean([r.summary["major_clusters"] for r in rs]))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(gammas, camps_, "o-", color="#d7191c")
ax.set(xlabel="feed bias γ", ylabel="camps of at least 2 %", title="Same people, same contacts, another feed")
plt.show()

# %% [markdown]
# **Think about it.** Nobody changed their tolerance (ε is the same in every run). What did
# the feed change?

# %% [markdown]
# ## Step 4. A broadcaster everyone can hear
#
# Add a public broadcaster holding the middle opinion (0.5) that reaches 5 % of people each
# step: a stubborn voice. Compare the same runs with and without it (twin runs).

# %%
rows = []
for media in (False, True):
    ov = {"run.steps": 150, **({} if media else {"media": []})}
    rows.append([sim.run("echo-chambers", seed=s, overrides=ov).summary["polarisation"] for s in range(3)])
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.bar(["no broadcaster", "with the broadcaster"], [np.mean(r) for r in rows], color=["#bbbbbb", "#2b83ba"])
ax.set(ylabel="polarisation (4 × variance)", title="The biased feed (γ = 1), with and without a public voice")
plt.show()

# %% [markdown]
# **Think about it.** The broadcaster lowers polarisation but does not bring everyone
# together. Who does it fail to reach, and why? Try it live: `bouche viz echo-chambers`,
# turn γ and ε, press Reset and watch the camps form.
