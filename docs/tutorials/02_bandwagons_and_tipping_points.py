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
# # Bandwagons and tipping points
#
# *For a teacher and a student; about 25 minutes; runs in under a minute.*
#
# "At first people ask what a new medium is for; once a majority is on the train, the rest
# board without knowing why." That is a **threshold** model: each person joins once enough
# others have. Mark Granovetter (1978) showed that the outcome can hang on one person;
# Duncan Watts (2002) showed when a single person can tip a whole network.
#
# You will see: a crowd that riots or does not because of one person; a **critical mass**
# of early adopters below which a campaign stalls; and **Watts's window**, the range of
# connectedness in which one seed can start a global cascade.

# %%
import matplotlib.pyplot as plt
import numpy as np

import sim
from sim import analytic
from sim.figures import network as netplot

# %% [markdown]
# ## Step 1. Granovetter's crowd
#
# 100 people. Person *i* joins a riot once *i* others have joined: thresholds 0, 1, 2, …, 99.
# The person with threshold 0 starts, which lets the person with threshold 1 join, and so on.
# Now replace the person with threshold 1 by someone with threshold 2.
#
# The picture: round by round, how many have joined (in each round, everyone whose threshold is
# at most the number already in the street joins).

# %%
crowd_a = np.arange(100)
crowd_b = crowd_a.copy()
crowd_b[1] = 2
fig, ax = plt.subplots(figsize=(8, 4.5))
for crowd, label, colour in ((crowd_a, "thresholds 0, 1, 2, ..., 99", "#2b83ba"),
                             (crowd_b, "the same crowd, but 1 replaced by 2", "#e66101")):
    joined = [int((crowd <= 0).sum())]
    for _ in range(110):
        joined.append(int((crowd <= joined[-1]).sum()))
    final = analytic.granovetter_equilibrium(crowd)
    ax.plot(joined, lw=2.5, color=colour, label=f"{label}: {final} join in the end")
ax.set(xlabel="round", ylabel="people who have joined (of 100)", ylim=(0, 102),
       title="Granovetter's crowd: one person changes everything")
ax.legend(frameon=False, loc="upper left")
plt.show()

# %% [markdown]
# **Think about it.** The two crowds are almost the same people. A reporter would describe the
# first as "a violent crowd" and the second as "a calm crowd". What does that say about
# explaining what a group did from what its members are like?

# %% [markdown]
# ## Step 2. A tipping point in the spread of thresholds
#
# Now thresholds are spread around 25 (a normal distribution with standard deviation *sd*).
# With little spread, nobody has a low enough threshold to start; with more, the few
# radicals start a chain. Granovetter's calculation finds a critical spread.

# %%
sds = np.linspace(1, 30, 60)
finals = [analytic.granovetter_normal(25, sd, n=100) for sd in sds]
critical = analytic.granovetter_critical_sd(25.0, 100)
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.plot(sds, finals, color="#2b83ba", lw=2)
ax.axvline(critical, color="black", ls="--", lw=1, label=f"critical spread: sd = {critical:.1f}")
ax.set(xlabel="spread of thresholds (standard deviation)", ylabel="people who join (of 100)",
       title="Mean threshold 25: a small change in spread, a jump in the outcome")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# **Think about it.** Just below the critical spread almost nobody joins; just above, almost
# everyone. Where else have you seen a small cause with a huge effect?

# %% [markdown]
# ## Step 3. Critical mass on a network
#
# The `bandwagon` scenario: 2,000 people on a random network with about 10 contacts each;
# each adopts when the share of their contacts who adopted reaches their threshold (around
# 0.35). A campaign seeds a share of people at random. How many must it seed? We try seed
# shares from 1 % to 16 %, three runs each (three seeds).

# %%
shares = np.arange(1, 17)
fig, ax = plt.subplots(figsize=(8, 4.5))
for rep, colour in zip(range(3), ("#2b83ba", "#e66101", "#7b3294")):
    final = [sim.run("bandwagon", seed=rep, overrides={"network.n": 2000, "seeding.fraction": s / 100})
             .summary["final_fraction"] for s in shares]
    ax.plot(shares, 100 * np.array(final), "o-", color=colour, label=f"seed {rep}")
ax.plot(shares, shares, color="black", lw=1, ls="--", label="only the seeds")
ax.set(xlabel="people seeded by the campaign (%)", ylabel="people who adopted in the end (%)",
       title="Below the critical mass the bandwagon stalls; above it, nearly everyone boards")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# **Think about it.** Where is the critical mass? Why do the three runs disagree most near
# it? If seeding costs money per person, what is the worst amount to spend?

# %% [markdown]
# ## Step 4. Watts's window: when can ONE person tip the network?
#
# Now everyone has the same threshold, 0.18, and the campaign seeds a single person. We vary
# how connected people are (mean number of contacts *z*) and count, out of 20 runs, how often
# the seed started a **global cascade** (here: more than 20 % adopted). Watts's theory says
# cascades happen only inside a window of *z* (shaded); Gleeson's formula gives the chance.

# %%
phi = 0.18
zs = np.arange(1, 17)
hits = []
for z in zs:
    runs = [sim.run("bandwagon", seed=rep, overrides={
        "network.n": 2000, "network.mean_degree": float(z), "wom.threshold": phi, "wom.threshold_sd": 0.0,
        "seeding.count": 1}) for rep in range(20)]
    hits.append(np.mean([r.summary["final_fraction"] > 0.2 for r in runs]))
lo, hi = analytic.watts_window(phi)
zz = np.linspace(0.5, 16, 200)
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.axvspan(lo, hi, color="#fdb863", alpha=0.35, label=f"Watts's window: {lo:.1f} < z < {hi:.1f}")
ax.plot(zz, [analytic.gleeson_cascade(z, phi)["trigger_probability"] for z in zz], color="black", lw=1.5,
        label="chance of a cascade (Gleeson's formula)")
ax.plot(zs, hits, "o", color="#2b83ba", ms=8, label="share of 20 simulated runs")
ax.set(xlabel="mean number of contacts z", ylabel="chance that one seed tips the network", ylim=(-0.02, 1.02),
       title="Too few contacts: the news cannot travel. Too many: nobody is moved by one friend")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# **Think about it.** Why does having *more* friends make a single seed *less* likely to start a
# cascade? (With 20 contacts and a threshold of 0.18, how many friends must adopt before you
# do?) What does this suggest about products that spread in small, tight communities?

# %% [markdown]
# ## Step 5. See it: stalled or tipped
#
# The same network of 400 people, seeded at 4 % and at 12 %. Purple: seeded; blue: joined
# through their contacts; grey: never joined.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 5.4))
for ax, share in zip(axes, (0.04, 0.12)):
    run = sim.run("bandwagon", overrides={"network.n": 400, "seeding.fraction": share})
    codes = netplot.state_codes(run.model.state.channel)
    netplot.draw_network(ax, netplot.model_layout(run.model), codes)
    ax.set_title(f"{100 * share:.0f} % seeded: {100 * run.summary['final_fraction']:.0f} % adopted in the end")
fig.legend(handles=netplot.legend_handles(), loc="lower center", ncol=4, frameon=False)
fig.suptitle("Below and above the critical mass, on the same network")
plt.show()

# %% [markdown]
# **Think about it.** In the stalled network, where are the few blue people? Would seeding
# the best-connected people instead (`seeding.strategy = "top_degree"`) need fewer seeds?
# Try it with `bouche viz bandwagon` (the seeding selector and the seeds slider), or
# `bouche animate bandwagon --set network.n=800 --set seeding.fraction=0.07 --out stall.gif`.
