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
# # Your first diffusion model: mass media against word of mouth
#
# *For a teacher and a student; about 20 minutes; runs in under a minute.*
#
# A new product comes out. Some people buy it because they saw an advert (**mass media**);
# others because people they know have it (**word of mouth**). Frank Bass (1969) put the two
# in one line: each week, someone who has not bought yet buys with probability
#
# $$ p + q \times (\text{share of their contacts who bought}) $$
#
# where **p** is the pull of advertising and **q** the pull of imitation. Published studies
# find on average p ≈ 0.03 and q ≈ 0.38 (Sultan, Farley & Lehmann 1990).
#
# In this tutorial you run that model on 2,000 simulated people, watch who bought through
# which channel, and see what changes when people only hear from a few friends.
#
# Each step has a figure and a question to think about.

# %%
import matplotlib.pyplot as plt
import numpy as np

import sim
from sim import analytic
from sim.figures import network as netplot
from sim.figures.adoption import CHANNEL_COLOURS, CHANNEL_LABELS

N = 2000  # people in the market

# %% [markdown]
# ## Step 1. Run the Bass scenario
#
# `sim.run` runs a shipped scenario (`bouche scenarios` lists them) and returns its time
# series: one row per step, with the new adopters of each channel. Here everyone hears
# from everyone (a *complete* graph), as in Bass's original model.

# %%
r = sim.run("bass", overrides={"network.n": N})
ts = r.timeseries
print(f"{r.summary['final_adopters']:,} of {N:,} adopted in {r.summary['steps_run']} steps;",
      "by channel:", r.summary["adopters_by_channel"])

fig, ax = plt.subplots(figsize=(8, 4.5))
bottom = np.zeros(len(ts))
for c in ("media", "wom"):
    share = 100 * ts[f"new_by_{c}"].to_numpy() / N
    ax.bar(ts["step"], share, bottom=bottom, color=CHANNEL_COLOURS[c], label=CHANNEL_LABELS[c], width=0.9)
    bottom += share
ax.set(xlabel="week (step)", ylabel="new adopters (% of the market)",
       title="New adopters each week, by the channel that convinced them")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# **Think about it.** In the first weeks almost every buyer comes from the orange bars (mass
# media). Later the blue bars (word of mouth) take over. Why does word of mouth need time to
# start? What would happen to the blue bars if the advertising stopped after week 3?

# %% [markdown]
# ## Step 2. The same thing with a formula
#
# On a complete graph the simulation follows Bass's formula for the share who have bought
# by time t (`sim.analytic.bass_cdf`), up to the randomness of 2,000 people and the fact
# that the simulation moves in whole weeks (`bass_discrete` is the formula in whole weeks).

# %%
p, q = 0.03, 0.38
t = np.linspace(0, ts["step"].iloc[-1], 200)
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.plot(ts["step"], 100 * ts["adopted_fraction"], "o", color="black", label="simulation (2,000 people)")
ax.plot(np.arange(len(ts)), 100 * analytic.bass_discrete(p, q, len(ts) - 1), "-", color="#2b83ba",
        label="Bass formula, week by week")
ax.plot(t, 100 * analytic.bass_cdf(t, p, q), "--", color="#999999", label="Bass formula, continuous time")
ax.set(xlabel="week (step)", ylabel="people who adopted (%)", title="The S-curve: simulation and formula")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# **Think about it.** The curve is an S: slow, then fast, then slow again. Which part of the
# formula makes it speed up, and what makes it slow down at the end?

# %% [markdown]
# ## Step 3. Media only, word of mouth only
#
# Switch one channel off at a time with an override: `wom.q = 0` leaves only the advert;
# `media.p = 0` leaves only imitation, so we seed 1 % of people to get it started. The same
# seed gives the same random numbers, so the three runs differ only by the channel.

# %%
runs = {
    "both channels": sim.run("bass", overrides={"network.n": N}),
    "mass media only (q = 0)": sim.run("bass", overrides={"network.n": N, "wom.q": 0.0}),
    "word of mouth only (p = 0, 1 % seeded)": sim.run(
        "bass", overrides={"network.n": N, "media.p": 0.0, "seeding.strategy": "random", "seeding.fraction": 0.01}),
}
fig, ax = plt.subplots(figsize=(8, 4.5))
for (label, run), colour in zip(runs.items(), ("black", CHANNEL_COLOURS["media"], CHANNEL_COLOURS["wom"])):
    ax.plot(run.timeseries["step"], 100 * run.timeseries["adopted_fraction"], lw=2, color=colour, label=label)
ax.set(xlabel="week (step)", ylabel="people who adopted (%)", ylim=(0, 102),
       title="Each channel alone is slower than both together")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# **Think about it.** Advertising alone grows steadily but slowly; word of mouth alone starts
# slowly but accelerates. Why is the combination faster than either? If you had to cut the
# budget, when would you stop advertising?

# %% [markdown]
# ## Step 4. Real people have a few contacts, not everyone
#
# Now people only hear from their contacts on a social network: a random network where each
# person has about 4 or about 20 contacts (`network.kind = "erdos_renyi"`).

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
for label, ov, colour in (("everyone hears from everyone", {}, "black"),
                          ("about 20 contacts each", {"network.kind": "erdos_renyi", "network.mean_degree": 20},
                           "#2b83ba"),
                          ("about 4 contacts each", {"network.kind": "erdos_renyi", "network.mean_degree": 4},
                           "#abd9e9")):
    run = sim.run("bass", overrides={"network.n": N, **ov})
    ax.plot(run.timeseries["step"], 100 * run.timeseries["adopted_fraction"], lw=2, color=colour, label=label)
ax.set(xlabel="week (step)", ylabel="people who adopted (%)", title="Word of mouth on a network")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# **Think about it.** The share of one's contacts who bought is what drives imitation. With 4
# contacts, one friend who bought is already 25 %; with everyone, one buyer is nothing. So why
# is the network with few contacts *not* faster? (Hint: who are your friends' friends?)

# %% [markdown]
# ## Step 5. Look at the network
#
# A small network of 300 people with 4 contacts each, at three moments. Grey: not yet;
# orange: convinced by the advert; blue: by word of mouth. The layout is fixed, so the same
# person stays in the same place.

# %%
small = sim.run("bass", overrides={"network.n": 300, "network.kind": "erdos_renyi", "network.mean_degree": 4})
lay = netplot.model_layout(small.model)
st = small.model.state
fig, axes = plt.subplots(1, 3, figsize=(13, 4.8))
for ax, week in zip(axes, (3, 8, 15)):
    codes = netplot.state_codes(st.channel, st.adopted_at, week)
    netplot.draw_network(ax, lay, codes)
    counts = netplot.state_counts(codes)
    ax.set_title(f"week {week}: {300 - counts['unaware']} of 300 adopted")
fig.legend(handles=netplot.legend_handles(), loc="lower center", ncol=4, frameon=False)
fig.suptitle("Who adopted, and how, on a network of 300 people")
plt.show()

# %% [markdown]
# **Think about it.** Do the blue people sit next to other coloured people? Where do the
# orange ones appear? What does that tell you about where word of mouth can and cannot reach?
#
# **Try it live.** `bouche viz bass` opens this model in your browser, with sliders for p, q
# and the network; `bouche animate bass --set network.kind=erdos_renyi --set network.n=500
# --out bass.gif` makes an animation for your slides.
