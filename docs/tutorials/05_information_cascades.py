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
# # Information cascades: following the crowd, right or wrong
#
# *For a teacher and a student; about 20 minutes; runs in under a minute.*
#
# A restaurant with a queue and an empty one next door: you join the queue, though your own
# guide book preferred the empty one. You are not weak-willed: the queue is information.
# Bikhchandani, Hirshleifer & Welch (1992) showed where this leads. When people decide one
# after another, each from a private hint and what the others chose, a crowd soon stops
# listening to its own hints: an **information cascade**, right or wrong.
#
# You will see: one row of people deciding; how often crowds go the wrong way, against
# BHW's formula; and whether a public review can break a wrong cascade.

# %%
import matplotlib.pyplot as plt
import numpy as np

import sim
from sim.reports.cascades import decision_trace, review_runs
from sim.rules.observational import p_correct_cascade, p_no_cascade
from sim.validation.cascades import cascade_runs

# %% [markdown]
# ## Step 1. One row of people
#
# Forty people; adopting is right. Each has a hint that is right 60 % of the time and sees
# every earlier choice. Run it and draw, person by person, their hint and their choice.

# %%
ov = {"network.n": 40, "run.steps": 40, "media": []}
r = sim.run("cascades", overrides=ov)
trace = decision_trace(r.model)
x = np.arange(1, len(trace) + 1)
fig, ax = plt.subplots(figsize=(10, 2.8))
ax.scatter(x, np.ones(len(x)), marker="^", c=np.where(trace["hint"] > 0, "#1a9641", "#ffffff"),
           edgecolors="#1a9641", label="hint: adopt (filled) or reject (hollow)")
ax.scatter(x, np.zeros(len(x)), marker="s", c=np.where(trace["choice"] > 0, "#1a9641", "#d7191c"),
           label="choice: adopt (green) or reject (red)")
ax.set(yticks=[0, 1], yticklabels=["choice", "hint"], ylim=(-0.6, 1.6), xlabel="people, in turn",
       title=f"cascade: {r.summary['cascade']}, from person {(r.summary['cascade_start'] or 0) + 1}")
ax.legend(frameon=False, fontsize=8, loc="center right")
plt.show()
print(r.summary["cascade"], r.summary["cascade_start"], f"{r.summary['herding_share']:.0%} ignored their hint")

# %% [markdown]
# **Think about it.** After the cascade begins, do choices still follow hints? Why does a person
# with a "reject" hint adopt once two more have adopted than rejected?

# %% [markdown]
# ## Step 2. How often is the crowd wrong?
#
# BHW: the chance that no cascade has begun after *m* people is (p − p²)^(m/2), and the chance
# that the cascade is the right one tends to p(p + 1) / (2(1 − p + p²)). Compare with 600 runs
# of 30 people at each precision.

# %%
precisions = [0.55, 0.6, 0.7, 0.8, 0.9]
right, late = [], []
for p in precisions:
    res = cascade_runs(p, 30, 600, lambda k, p=p: 7 + 1000 * k)
    right.append(np.mean([s["correct_cascade"] for s in res]))
    late.append(np.mean([s["cascade"] == "none" or s["cascade_start"] > 2 for s in res]))
grid = np.linspace(0.51, 0.99, 60)
fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
a1.plot(grid, [p_correct_cascade(g) for g in grid], color="black", label="BHW")
a1.plot(precisions, right, "o", color="#1a9641", label="600 runs each")
a1.set(xlabel="hint precision p", ylabel="share of right cascades", title="Right cascades")
a2.plot(grid, [p_no_cascade(g, 2) for g in grid], color="black", label="BHW: p − p²")
a2.plot(precisions, late, "o", color="#2b83ba", label="600 runs each")
a2.set(xlabel="hint precision p", ylabel="share", title="No cascade yet after two people")
for a in (a1, a2):
    a.legend(frameon=False)
plt.show()

# %% [markdown]
# **Think about it.** With hints right 60 % of the time, how many crowds end up wrong? What would it
# take for that share to be near zero?

# %% [markdown]
# ## Step 3. Can a review break a wrong cascade?
#
# The shipped scenario adds an independent review, right 85 % of the time, that everyone
# sees. Run the same 200 crowds (same people, same hints) with the review at step 1, 20 or
# 60, or never.

# %%
base = sim.DiffusionModel("cascades")
runs = review_runs(base.spec, [1, 20, 60, None], 200, graph=base.graph)
labels, right, chose = [], [], []
for date, group in runs.groupby(runs["date"].fillna(0)):
    labels.append("no review" if date == 0 else f"review at step {int(date)}")
    right.append(100 * group["correct_cascade"].mean())
    chose.append(100 * group["correct_share"].mean())
fig, ax = plt.subplots(figsize=(9, 4))
at = np.arange(len(labels))
ax.bar(at - 0.2, right, 0.4, color="#1a9641", label="runs ending in the right cascade (%)")
ax.bar(at + 0.2, chose, 0.4, color="#2b83ba", label="people who chose right (%)")
ax.set(xticks=at, xticklabels=labels, ylim=(0, 100), title="The same 200 crowds, with the review at each date")
ax.legend(frameon=False, loc="lower left")
plt.show()

# %% [markdown]
# A cascade rests on about two hints' worth of information, however long it is, so a more
# credible public message overturns it whenever it comes: the share of right cascades hardly
# depends on the date. What the date decides is how many people chose wrongly before it.
#
# **Think about it.** A launch that starts badly (a wrong cascade of rejections): is it too
# late for an independent test in a magazine? What does the delay cost?

# %% [markdown]
# ## Step 4. Only your friends' choices
#
# In BHW everyone sees everyone. On a social network people see only their contacts' choices
# (`wom.observe = "contacts"`: each adoption seen counts as one hint for, each rejection as one
# against). Compare, without the review, how many ignored their own hint and how many chose
# right, on networks of growing density.

# %%
degrees = [2, 4, 8, 16, 32]
herd, ok = {"all": [], "contacts": []}, {"all": [], "contacts": []}
for k in degrees:
    for observe in ("all", "contacts"):
        res = [sim.run("cascades", seed=s, overrides={"media": [], "wom.observe": observe,
                                                      "network.mean_degree": k}).summary for s in range(40)]
        herd[observe].append(100 * np.mean([s["herding_share"] for s in res]))
        ok[observe].append(100 * np.mean([s["correct_share"] for s in res]))
fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
for observe, style in (("all", "--"), ("contacts", "-o")):
    name = "everyone seen" if observe == "all" else "contacts seen"
    a1.plot(degrees, herd[observe], style, label=name)
    a2.plot(degrees, ok[observe], style, label=name)
a1.set(xscale="log", xlabel="contacts per person", ylabel="ignored their own hint (%)", title="Herding")
a2.set(xscale="log", xlabel="contacts per person", ylabel="chose right (%)", title="Getting it right")
for a in (a1, a2):
    a.set_xticks(degrees, [str(d) for d in degrees])
    a.minorticks_off()
    a.legend(frameon=False)
plt.show()

# %% [markdown]
# **Think about it.** Why do people who see few others herd less? Is a crowd that herds less
# always a crowd that gets it right more often?
#
# *To try in class*: `bouche viz cascades`, with the hints hidden, asks the class to guess
# each person's hint from their choice; tick *show private hints* to check.
