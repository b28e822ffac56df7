"""The diffusion model (sim/model.py): dynamics, attribution, randomness, stop rules."""

import numpy as np
import pytest

import sim
from sim.model import TIMESERIES_COLUMNS, DiffusionModel

ER = {"network.kind": "erdos_renyi", "network.n": 2000, "network.mean_degree": 8}


def run(overrides, seed=1, scenario="bass"):
    return sim.run(scenario, seed=seed, overrides=overrides)


def test_timeseries_columns_and_step_zero_is_seeding():
    r = run({**ER, "seeding.strategy": "random", "seeding.count": 25, "seeding.cost_per_seed": 2.0,
             "run.steps": 10})
    ts = r.timeseries
    assert tuple(ts.columns) == TIMESERIES_COLUMNS
    assert ts.loc[0, "new_by_seed"] == 25 and ts.loc[0, "adopters"] == 25 and ts.loc[0, "cost"] == 50.0
    assert (ts["new_by_seed"].iloc[1:] == 0).all()


@pytest.mark.parametrize("rule", ["bass", "threshold", "complex", "cascade", "none"])
def test_channels_sum_to_adopters_and_adopters_never_decrease(rule):
    r = run({**ER, "wom.rule": rule, "wom.threshold": 0.1, "wom.beta": 0.3, "seeding.strategy": "random",
             "seeding.fraction": 0.02, "media.p": 0.01, "media.reach": 0.5, "run.steps": 40})
    ts = r.timeseries
    new = ts[["new_by_seed", "new_by_media", "new_by_wom"]].sum(axis=1)
    assert (new == ts["new_adopters"]).all()
    assert (ts["new_adopters"].cumsum() == ts["adopters"]).all()
    assert (np.diff(ts["adopters"]) >= 0).all()
    assert sum(r.summary["adopters_by_channel"].values()) == r.summary["final_adopters"]
    st = r.model.state
    assert st.n_adopted == st.adopted.sum() == (st.adopted_at >= 0).sum() == (st.channel >= 0).sum()


def test_same_seed_same_numbers_different_seed_different_numbers():
    a = run({**ER, "run.steps": 15}, seed=4).timeseries
    b = run({**ER, "run.steps": 15}, seed=4).timeseries
    c = run({**ER, "run.steps": 15}, seed=5).timeseries
    assert a.equals(b)
    assert not a["adopters"].equals(c["adopters"])


def test_switching_media_off_leaves_word_of_mouth_draws_unchanged():
    """A medium that persuades nobody (p = 0) must not move any other draw: twin runs coincide."""
    base = {**ER, "seeding.strategy": "random", "seeding.count": 20, "run.steps": 25, "run.stop": "steps"}
    for rule in ("bass", "threshold", "cascade"):
        off = run({**base, "wom.rule": rule, "media": []}, seed=9)
        silent = run({**base, "wom.rule": rule, "media.p": 0.0, "media.reach": 0.7}, seed=9)
        assert np.array_equal(off.model.state.adopted_at, silent.model.state.adopted_at), rule
        assert silent.timeseries["media_contacts"].sum() > 0


@pytest.mark.parametrize("rule", ["bass", "threshold"])
def test_media_reaching_everyone_as_one_number_change_nothing(rule):
    """Media of reach 1 without an audience enter the decision as one number, not a per-person array.

    The twin whose media target everyone by name (an audience listing every
    person) takes the array path: the two must agree bit for bit, two media and
    a schedule included. Observers see the number and change nothing.
    """
    media = [{"name": "tv", "p": 0.01, "reach": 1.0, "cost_per_contact": 0.2, "start": 3},
             {"name": "radio", "p": 0.007, "reach": 1.0, "stop": 12}]
    ov = {**ER, "wom.rule": rule, "wom.threshold": 0.2, "seeding.strategy": "random", "seeding.count": 10,
          "media": media, "run.steps": 30, "run.stop": "steps"}
    plain = DiffusionModel("bass", seed=3, overrides=ov).run()
    listed = [{**m, "target": "top_degree", "audience": 1.0} for m in media]
    arrays = DiffusionModel("bass", seed=3, overrides={**ov, "media": listed})
    assert arrays.media[0].audience is not None and len(arrays.media[0].audience) == arrays.n
    seen = []
    arrays.observers.append(lambda model, t, term, new_media, new_wom: seen.append(term))
    arrays.run()
    assert plain.timeseries().equals(arrays.timeseries())
    assert np.array_equal(plain.state.channel, arrays.state.channel)
    assert plain.timeseries()["new_by_media"].sum() > 0
    assert isinstance(seen[5], np.ndarray) and np.allclose(seen[5], 0.017)  # steps 3-12: both media
    watched, numbers = DiffusionModel("bass", seed=3, overrides=ov), []
    watched.observers.append(lambda model, t, term, new_media, new_wom: numbers.append(term))
    assert watched.run().timeseries().equals(plain.timeseries())  # an observer switches no code path
    assert numbers[5] == pytest.approx(0.017) and not isinstance(numbers[5], np.ndarray)


def test_media_on_changes_only_through_media():
    """With a real campaign, people who adopted by word of mouth in the twin without it still adopt no later."""
    base = {**ER, "wom.rule": "threshold", "wom.threshold": 0.15, "seeding.strategy": "random",
            "seeding.count": 40, "run.steps": 30, "run.stop": "steps"}
    off = run({**base, "media": []}, seed=3).model.state
    on = run({**base, "media.p": 0.02}, seed=3).model.state
    early = off.adopted_at >= 0
    assert (on.adopted_at[early] <= off.adopted_at[early]).all() and (on.adopted_at[early] >= 0).all()


def test_zero_reach_means_no_media_adoptions():
    r = run({**ER, "media.reach": 0.0, "seeding.strategy": "random", "seeding.count": 5})
    assert r.summary["adopters_by_channel"]["media"] == 0
    assert r.timeseries["media_contacts"].sum() == 0


def test_media_schedule_and_cost():
    r = run({**ER, "wom.rule": "none", "media.p": 0.05, "media.start": 3, "media.stop": 5,
             "media.cost_per_contact": 0.5, "run.steps": 8, "run.stop": "steps"})
    ts = r.timeseries.set_index("step")
    on = ts.loc[3:5, "media_contacts"]
    assert (on == 2000).all() and ts.drop(index=range(3, 6))["media_contacts"].sum() == 0
    assert ts["cost"].sum() == pytest.approx(0.5 * 3 * 2000)
    assert r.summary["total_cost"] == pytest.approx(3000.0)


def test_quiescence_stops_threshold_runs_early_and_steps_rule_runs_on():
    spec = {**ER, "wom.rule": "threshold", "wom.threshold": 0.5, "media": [], "seeding.strategy": "random",
            "seeding.count": 10, "run.steps": 200}
    quick = run(spec)
    assert quick.summary["steps_run"] < 20
    full = run({**spec, "run.stop": "steps"})
    assert full.summary["steps_run"] == 200
    assert full.summary["final_adopters"] == quick.summary["final_adopters"]


def test_bass_with_media_forever_runs_to_everyone_or_steps():
    r = run({"network.n": 500, "run.steps": 400})
    assert r.summary["final_fraction"] == 1.0 and r.summary["steps_run"] < 400


def test_time_column_uses_dt():
    r = run({"network.n": 300, "run.dt": 0.25, "run.steps": 8, "run.stop": "steps"})
    assert r.timeseries["time"].tolist() == [0.25 * k for k in range(9)]


@pytest.mark.slow
def test_cascade_extremes():
    g = {"network.kind": "ring", "network.n": 400, "network.k": 4, "wom.rule": "cascade", "media": [],
         "seeding.strategy": "nodes", "seeding.nodes": [0], "run.steps": 1000}
    assert run({**g, "wom.beta": 1.0}).summary["final_adopters"] == 400
    assert run({**g, "wom.beta": 0.0}).summary["final_adopters"] == 1
    # one chance per edge: on a ring with k = 2 and beta = 0.5 the spread is two geometric runs
    sizes = [run({**g, "network.k": 2, "wom.beta": 0.5}, seed=s).summary["final_adopters"] for s in range(400)]
    # E[size] = 1 + 2 * (beta / (1 - beta)) = 3; sd of the mean over 400 runs ~ 0.1, tolerance 2.5 sd
    assert abs(np.mean(sizes) - 3.0) < 0.25


def test_complex_contagion_on_a_ring_needs_two_neighbours():
    g = {"network.kind": "ring", "network.n": 100, "network.k": 4, "wom.rule": "complex", "wom.count": 2,
         "media": [], "seeding.strategy": "nodes", "run.steps": 500}
    assert run({**g, "seeding.nodes": [0]}).summary["final_adopters"] == 1
    assert run({**g, "seeding.nodes": [0, 1]}).summary["final_adopters"] == 100


def test_threshold_uses_greater_or_equal():
    # a star: centre 0 with 5 leaves; leaves have one contact, the centre five.
    edges = {"network.kind": "ring", "network.n": 10, "network.k": 2, "wom.rule": "threshold",
             "wom.threshold": 0.5, "media": [], "seeding.strategy": "nodes", "seeding.nodes": [0], "run.steps": 50}
    # each node has 2 contacts; one adopted contact = 0.5 >= 0.5, so the whole ring adopts
    assert run(edges).summary["final_adopters"] == 10
    assert run({**edges, "wom.threshold": 0.5000001}).summary["final_adopters"] == 1


def test_targeted_media_only_reach_their_audience():
    sbm = {"network.kind": "stochastic_block", "network.sizes": [300, 200], "network.p_in": 0.05,
           "network.p_out": 0.002, "wom.rule": "none", "media.p": 0.2, "media.target": "segment",
           "media.segment": "1", "run.steps": 5, "run.stop": "steps"}
    r = run(sbm)
    st, seg = r.model.state, r.model.graph.segments
    assert st.adopted[seg == 1].sum() > 0 and st.adopted[seg == 0].sum() == 0
    assert (r.timeseries["media_contacts"].iloc[1:] == 200).all()
    top = run({**ER, "wom.rule": "none", "media.p": 1.0, "media.target": "top_degree", "media.audience": 0.05,
               "run.steps": 1})
    deg = top.model.graph.out_degree
    adopted = top.model.state.adopted
    assert adopted.sum() == 100 and deg[adopted].min() >= deg[~adopted].max()


def test_segment_target_needs_segments():
    with pytest.raises(sim.ConfigError, match="media.target = segment needs a network with segments"):
        run({**ER, "media.target": "segment", "media.segment": "0"})
    with pytest.raises(sim.ConfigError, match=r"media.segment must be one of the network's segments \(0, 1\)"):
        run({"network.kind": "stochastic_block", "network.sizes": [10, 10], "media.target": "segment",
             "media.segment": "7"})


def test_seeding_strategies():
    base = {"network.kind": "barabasi_albert", "network.n": 3000, "network.m": 2, "wom.rule": "none",
            "media": [], "run.steps": 1}
    deg = {}
    for strategy in ("random", "top_degree", "friend_of_random"):
        m = run({**base, "seeding.strategy": strategy, "seeding.count": 100}, seed=2).model
        assert m.state.n_adopted == 100
        deg[strategy] = m.graph.out_degree[m.state.adopted].mean()
    assert deg["random"] < deg["friend_of_random"] < deg["top_degree"]
    m = run({**base, "seeding.strategy": "nodes", "seeding.nodes": [5, 7, 5]}).model
    assert np.flatnonzero(m.state.adopted).tolist() == [5, 7]
    with pytest.raises(sim.ConfigError, match=r"seeding.nodes must be node ids in \[0, 2999\]; got 3000"):
        run({**base, "seeding.strategy": "nodes", "seeding.nodes": [3000]})


def test_people_are_mesa_agents_over_the_arrays():
    import mesa

    model = DiffusionModel("bass", seed=2, overrides={**ER, "network.n": 200, "run.steps": 3})
    model.run()
    people = model.people
    assert len(people) == 200 and all(isinstance(p, mesa.Agent) for p in people)
    adopted = [p.index for p in people if p.adopted]
    assert adopted == np.flatnonzero(model.state.adopted).tolist()
    p = model.person(adopted[0])
    assert p.channel in ("media", "wom") and p.adopted_at >= 1
    assert sorted(p.contacts) == sorted(model.graph.in_neighbours(p.index).tolist())
    assert len(model.agents) == 200


def test_mesa_step_counter_matches_recorded_steps():
    model = DiffusionModel("bass", seed=2, overrides={"network.n": 100, "run.steps": 7, "run.stop": "steps"})
    model.run()
    assert model.steps == 7 == model.timeseries()["step"].iloc[-1]
