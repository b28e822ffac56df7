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
# # What did the campaign really do?
#
# *For a teacher and a student; about 25 minutes; runs in under a minute.*
#
# A brand buys ads on a social platform. The dashboard reports impressions, likes, an
# engagement rate, and the sales of people who saw the ad ("attributed" sales). These
# numbers are **precise** (counted to the unit) but are they **accurate**? Would those people
# have bought anyway?
#
# A simulation can answer what no real campaign can: run the same world twice, once with the
# campaign and once without, with the *same* random numbers for everything else (common
# random numbers). The difference is the campaign's **true effect**, or *lift*.
#
# The `measurement` scenario: 20,000 people on a social network, 10 % already customers; the
# brand buys 1,000 impressions a step for 20 steps and shows them to its *fans* (followers of
# its page, mostly existing customers).

# %%
import matplotlib.pyplot as plt

import sim

# %% [markdown]
# ## Step 1. The dashboard
#
# One run, and the numbers the platform would show the brand.

# %%
r = sim.run("measurement")
s = r.summary
print(f"impressions {s['impressions']:,}; likes {s['likes']:,}; engagement rate "
      f"{100 * s['engagement_rate']:.1f} %; sales by people who saw the ad: {s['attributed_adoptions']:,}; "
      f"cost per attributed sale {s['cost_per_attributed']:.2f}")

ts = r.timeseries
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.plot(ts["step"], ts["likes"].cumsum(), color="#e66101", lw=2, label="likes (cumulative)")
ax.plot(ts["step"], ts["attributed"].cumsum(), color="#2b83ba", lw=2, label="sales attributed to the ad")
ax.set(xlabel="step", ylabel="count", title="What the dashboard shows: likes and attributed sales keep rising")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# **Think about it.** The ad is shown to fans, most of whom are already customers. Who is likely
# to like it? Does a like mean the ad changed anyone's mind?

# %% [markdown]
# ## Step 2. The twin world without the campaign
#
# Same scenario, same seed, but no impressions bought (`measurement.impressions = 0`). The
# network, the customers and every person's random draws for word of mouth are the same, so
# the gap between the two curves is what the campaign caused.

# %%
off = sim.run("measurement", overrides={"measurement.impressions": 0})
gap = r.timeseries["adopters"] - off.timeseries["adopters"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
ax1.plot(r.timeseries["step"], r.timeseries["adopters"], color="#e66101", lw=2, label="with the campaign")
ax1.plot(off.timeseries["step"], off.timeseries["adopters"], color="#555555", lw=2, ls="--",
         label="twin world without it")
ax1.set(xlabel="step", ylabel="customers", title="Two worlds, the same random numbers")
ax1.legend(frameon=False)
ax2.plot(r.timeseries["step"], gap, color="#7b3294", lw=2, label="true effect (difference)")
ax2.plot(ts["step"], ts["attributed"].cumsum(), color="#2b83ba", lw=2, label="what the dashboard credits")
ax2.set(xlabel="step", ylabel="customers", title="The campaign's true effect against its attributed sales")
ax2.legend(frameon=False)
plt.show()
print(f"true effect: {int(gap.iloc[-1]):,} more customers; the dashboard credits {s['attributed_adoptions']:,}")

# %% [markdown]
# **Think about it.** The two curves end up close. Do they count the same people? Some of the
# "attributed" customers would have bought anyway (they were fans, often already close to
# buying); some of the true effect comes from people who never saw the ad but heard from a
# friend the ad convinced. Which of the two numbers would you show your boss, and why?

# %% [markdown]
# ## Step 3. How sure are we? Twins against strangers
#
# One pair of runs could be luck. `sim.compare` runs 12 pairs of twins (each pair with its
# own seed) and gives the mean difference with a 95 % confidence interval. It also computes
# the interval we would get from *unpaired* runs, as if the two worlds had unrelated random
# numbers.

# %%
c = sim.compare("measurement", change={"measurement.impressions": 0}, replicates=12)
d = c.difference("final_adopters")
lift = -d["mean"]  # changed (no campaign) - base: negative when the campaign helped
paired = (-d["ci_high"], -d["ci_low"])
unpaired = (-d["unpaired_ci_high"], -d["unpaired_ci_low"])
fig, ax = plt.subplots(figsize=(8, 3.8))
for y, (lo, hi), label, colour in ((1, paired, "twins (common random numbers)", "#7b3294"),
                                   (0, unpaired, "unrelated runs", "#999999")):
    ax.errorbar([lift], [y], xerr=[[lift - lo], [hi - lift]], fmt="o", color=colour, capsize=6, lw=2, ms=8)
    ax.text(hi, y + 0.15, f"  {label}: {lo:,.0f} to {hi:,.0f}", color=colour, va="bottom", ha="right")
ax.axvline(0, color="black", lw=1)
ax.set(yticks=[], ylim=(-0.6, 1.8), xlabel="extra customers caused by the campaign (95 % interval, 12 pairs)",
       title="The same 12 replicates: twins pin the effect down, unrelated runs cannot")
plt.show()
print(f"twins need about {d['variance_ratio']:.0f} times fewer runs than unrelated runs for the same precision")

# %% [markdown]
# **Think about it.** Why does giving both worlds the same random numbers shrink the interval
# so much? Does a real marketer ever get to see the twin world? What is the closest real
# thing (hint: a randomised hold-out group)?

# %% [markdown]
# ## Step 4. Where should the impressions go?
#
# The same 1,000 impressions a step, shown to three audiences: the brand's *fans*, people
# who are *not* fans, or *everyone*. For each, the engagement rate (what the dashboard
# ranks) and the true effect (twin runs, 8 pairs each).

# %%
targets = {"fans": "fans", "not fans": "non_fans", "everyone": "all"}
engagement, true_lift = {}, {}
for label, target in targets.items():
    cmp = sim.compare("measurement", change={"measurement.impressions": 0}, replicates=8,
                      overrides={"measurement.target": target})
    base = cmp.runs[cmp.runs["arm"] == "base"]
    engagement[label] = 100 * base["engagement_rate"].mean()
    true_lift[label] = -cmp.difference("final_adopters")["mean"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
colours = ["#e66101", "#2b83ba", "#7b3294"]
ax1.bar(list(engagement), list(engagement.values()), color=colours)
ax1.set(ylabel="engagement rate (% of impressions liked)", title="What the dashboard ranks")
ax2.bar(list(true_lift), list(true_lift.values()), color=colours)
ax2.set(ylabel="extra customers (twin runs)", title="What the campaign really did")
fig.suptitle("The same budget, three audiences")
plt.show()

# %% [markdown]
# **Think about it.** Which audience "wins" on the dashboard, and which one really brings new
# customers? Why can the two rankings be reversed? What would you put in a report to the
# brand instead of the engagement rate?
#
# **Try it.** `bouche compare measurement --set measurement.impressions=0` does steps 2–3 from
# the command line; `bouche viz measurement` shows the campaign live.
