"""Mechanisms as pure functions (sim/mechanisms/): no Mesa, no model."""

import numpy as np
import pytest

from sim import coins
from sim.errors import ConfigError
from sim.mechanisms import media, seeding
from sim.rules.bass import bass_decision
from sim.rules.threshold import threshold_met


def test_bass_decision_credits_in_proportion_to_the_terms():
    """Over many draws the media share of adoptions is m / (m + w)."""
    rng = np.random.default_rng(0)
    n = 200_000
    u = rng.random(n)
    m, w = np.full(n, 0.1), np.full(n, 0.3)
    by_media, by_wom = bass_decision(u, m, w, 1.0)
    assert not (by_media & by_wom).any()
    total = by_media.sum() + by_wom.sum()
    # binomial: P(adopt) = 0.4, sd of the rate ~ 0.0011; media share 0.25, sd ~ 0.0015; tolerance ~ 3 sd
    assert abs(total / n - 0.4) < 0.004
    assert abs(by_media.sum() / total - 0.25) < 0.005


def test_bass_decision_is_clipped_and_uses_dt():
    u = np.array([0.0, 0.49, 0.51, 0.999])
    _, by_wom = bass_decision(u, None, np.full(4, 1.0), 0.5)
    assert by_wom.tolist() == [True, True, False, False]
    by_media, by_wom = bass_decision(u, np.full(4, 3.0), np.full(4, 3.0), 1.0)
    assert (by_media | by_wom).all()  # probability clipped to 1


def test_threshold_tolerance_and_isolated_people():
    counts = np.array([1, 2, 0, 3])
    degree = np.array([10, 10, 0, 10])
    phi = np.array([0.1, 0.2 + 5e-10, 0.0, 0.31])
    assert threshold_met(counts, degree, phi).tolist() == [True, True, False, False]


def test_cascade_coin_rate():
    live = coins.live(coins.coin_key(np.random.default_rng(1)), np.arange(100_000), 0.05)
    assert abs(live.mean() - 0.05) < 0.0018  # sd 0.0007, 2.5 sd


def test_medium_contacts_its_audience_only():
    m = media.Medium("tv", p=0.5, reach=1.0, start=2, stop=4, cost_per_contact=1.0, audience=np.array([1, 3]))
    term = np.zeros(5)
    assert m.contact(term, np.random.default_rng(0)) == 2
    assert term.tolist() == [0, 0.5, 0, 0.5, 0]
    assert [m.is_on(t) for t in range(1, 6)] == [False, True, True, True, False]
    assert m.may_act_after(3) and not m.may_act_after(4)


def test_top_degree_ties_broken_by_index():
    assert seeding.choose("top_degree", 3, n=5, out_degree=np.array([2, 2, 2, 2, 9]),
                          rng=np.random.default_rng(0)).tolist() == [0, 1, 4]


def test_random_seeds_are_distinct_and_seeded():
    a = seeding.choose("random", 50, n=60, out_degree=np.ones(60), rng=np.random.default_rng(3))
    b = seeding.choose("random", 50, n=60, out_degree=np.ones(60), rng=np.random.default_rng(3))
    assert len(set(a.tolist())) == 50 and np.array_equal(a, b)


def test_friend_of_random_needs_enough_reachable_people():
    with pytest.raises(ConfigError, match="someone's contact"):
        seeding.choose("friend_of_random", 3, n=4, out_degree=np.array([1, 1, 0, 0]),
                       rng=np.random.default_rng(0), friend_of=lambda p, r: np.zeros(len(p), dtype=int))


def test_seed_count_from_fraction():
    # Python's round: halves go to the even neighbour (4.5 -> 4, 5.5 -> 6), the rest to the nearest
    assert [seeding.n_seeds(None, f, n) for f, n in [(0.5, 9), (0.5, 11), (0.01, 1234), (1.0, 7)]] == [4, 6, 12, 7]
    with pytest.raises(ConfigError, match="seeding.count must be <= the number of people"):
        seeding.n_seeds(11, None, 10)
