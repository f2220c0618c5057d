"""TabularGame validation, built-ins, the file format and the registry."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vsg_pyro.games import (
    TabularGame,
    builtin_game_names,
    get_game,
    load_game,
    markov_congestion_game,
    normal_form_game,
    payoff_tensor,
    random_stochastic_game,
    resource_commons,
    save_game,
)


def _valid(n_states=2, counts=(2, 3)):
    rng = np.random.default_rng(0)
    return dict(
        transitions=rng.dirichlet(np.ones(n_states), size=(n_states, *counts)),
        rewards=rng.normal(size=(len(counts), n_states, *counts)),
        initial=np.full(n_states, 1.0 / n_states),
        gamma=0.9,
    )


def test_sizes_of_a_valid_game():
    g = TabularGame(**_valid())
    assert (g.n_agents, g.n_states, g.action_counts) == (2, 2, (2, 3))
    assert g.effective_horizon == pytest.approx(10.0)
    assert g.rewards.dtype == torch.float64


@pytest.mark.parametrize(
    "change, field",
    [
        (dict(rewards=np.zeros((2, 2, 2))), "rewards"),
        (dict(transitions=np.full((2, 2, 3, 2), 0.7)), "transitions"),
        (dict(transitions=np.ones((2, 2, 2, 2)) / 2), "transitions"),
        (dict(initial=[0.2, 0.2]), "initial"),
        (dict(initial=[1.5, -0.5]), "initial"),
        (dict(initial=[1.0, 0.0, 0.0]), "initial"),
        (dict(gamma=1.0), "gamma"),
        (dict(gamma=None), "horizon/gamma"),
        (dict(horizon=3), "horizon/gamma"),
        (dict(gamma=None, horizon=0), "horizon"),
        (dict(agent_names=("a", "a")), "agent_names"),
        (dict(action_names=(("x",), ("y", "z", "w"))), "action_names"),
    ],
)
def test_invalid_fields_are_named(change, field):
    kwargs = {**_valid(), **change}
    with pytest.raises(ValueError, match=f"^{field}"):
        TabularGame(**kwargs)


@settings(max_examples=40, deadline=None)
@given(
    flat=st.integers(0, 23),
    bad=st.sampled_from([float("nan"), float("inf"), -float("inf")]),
    field=st.sampled_from(["rewards", "transitions"]),
)
def test_nonfinite_entries_are_rejected(flat, bad, field):
    kwargs = _valid()
    arr = np.array(kwargs[field], dtype=float)
    arr.reshape(-1)[flat % arr.size] = bad
    kwargs[field] = arr
    with pytest.raises(ValueError, match=f"^{field}: contains NaN or infinite"):
        TabularGame(**kwargs)


@settings(max_examples=40, deadline=None)
@given(
    idx=st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 2)),
    shift=st.floats(0.01, 5.0),
    negative=st.booleans(),
)
def test_non_normalised_or_negative_transitions_are_rejected(idx, shift, negative):
    kwargs = _valid()
    p = np.array(kwargs["transitions"])
    if negative:  # rows still sum to one, but one entry is negative
        p[idx] = [-shift, 1.0 + shift]
        message = "negative probability"
    else:
        p[idx + (0,)] += shift
        message = "must sum to 1"
    kwargs["transitions"] = p
    with pytest.raises(ValueError, match=f"^transitions: .*{message}"):
        TabularGame(**kwargs)


def test_normal_form_is_one_state_one_step():
    g = get_game("chicken")
    assert g.is_normal_form and g.horizon == 1 and g.n_states == 1
    np.testing.assert_array_equal(payoff_tensor(g)[0].numpy(), [[0, 7], [2, 6]])
    np.testing.assert_array_equal(payoff_tensor(g)[1].numpy(), [[0, 2], [7, 6]])
    with pytest.raises(ValueError, match="payoffs"):
        normal_form_game(np.zeros((3, 2, 2)))


def test_every_builtin_loads_and_survives_the_file_format(tmp_path):
    """Every built-in loads under its own name and comes back from a .npz file unchanged
    (the file format's round trip, tensor by tensor)."""
    for name in builtin_game_names():
        g = get_game(name)
        assert g.name == name
        if g.n_states * np.prod(g.action_counts) > 10_000:
            continue  # markov_congestion: 65,536 joint actions, its own tests cover it
        path = tmp_path / f"{name}.npz"
        save_game(g, path)
        back = load_game(path)
        assert torch.equal(back.rewards, g.rewards) and torch.equal(back.transitions,
                                                                      g.transitions), name
        assert back.horizon == g.horizon and back.gamma == g.gamma, name


def pure_nash(pay):
    """Pure Nash equilibria of a bimatrix game by brute force: (a, b) where neither player
    gains by a unilateral deviation."""
    u, v = pay
    return {(a, b) for a in range(u.shape[0]) for b in range(u.shape[1])
            if u[a, b] >= u[:, b].max() and v[a, b] >= v[a, :].max()}


# each classic's defining property, from its textbook definition (Osborne & Rubinstein 1994,
# ch. 2-3; Shapley 1964 for Shapley's game), checked by brute force rather than pinned numbers
CLASSICS = {
    "prisoners_dilemma": lambda u, v: (u[1, 0] > u[0, 0] > u[1, 1] > u[0, 1]  # T > R > P > S
                                       and 2 * u[0, 0] > u[1, 0] + u[0, 1]
                                       and np.array_equal(v, u.T)
                                       and pure_nash((u, v)) == {(1, 1)}),  # defect, defect
    "matching_pennies": lambda u, v: (np.array_equal(u, -v) and pure_nash((u, v)) == set()),
    "battle_of_the_sexes": lambda u, v: (pure_nash((u, v)) == {(0, 0), (1, 1)}
                                         and u[0, 0] > u[1, 1] and v[1, 1] > v[0, 0]),
    "chicken": lambda u, v: (pure_nash((u, v)) == {(0, 1), (1, 0)}  # one dares, one yields
                             and u[0, 0] < u.min(initial=np.inf, where=u != u[0, 0])
                             and np.array_equal(v, u.T)),
    "stag_hunt": lambda u, v: (pure_nash((u, v)) == {(0, 0), (1, 1)}
                               and u[0, 0] > u[1, 1]  # stag payoff-dominant
                               and u[1, :].sum() > u[0, :].sum()),  # hare risk-dominant
    "rock_paper_scissors": lambda u, v: (np.array_equal(u, -v) and pure_nash((u, v)) == set()
                                         and all(u[(k + 1) % 3, k] == 1 for k in range(3))),
    "shapley_game": lambda u, v: pure_nash((u, v)) == set(),
}


@pytest.mark.parametrize("name", list(CLASSICS))
def test_classic_games_have_their_defining_properties(name):
    game = get_game(name)
    pay = game.rewards.reshape(2, *game.action_counts).numpy()
    assert CLASSICS[name](pay[0], pay[1])


def test_resource_commons_dynamics():
    g = resource_commons()
    assert g.n_states == 3
    # One grazer in "high": earns 4 alone, pasture drops to "medium" w.p. 0.4.
    assert g.rewards[0, 2, 1, 0].item() == 4.0 and g.rewards[1, 2, 1, 0].item() == 0.0
    assert g.transitions[2, 1, 0].tolist() == pytest.approx([0.0, 0.4, 0.6])
    # Both graze in "medium": 2/2 - 0.5 each.
    assert g.rewards[:, 1, 1, 1].tolist() == [0.5, 0.5]
    # General-sum: the rewards do not add up to a constant.
    total = g.rewards.sum(0)
    assert total.max() - total.min() > 1.0


def test_congestion_game_matches_leonardos_definition():
    g = markov_congestion_game()
    assert (g.n_agents, g.n_states, g.action_counts) == (8, 2, (4,) * 8)
    assert g.gamma == 0.99
    everyone_on_a = (0,) * 8
    assert g.rewards[3, 0][everyone_on_a].item() == 8.0  # w_A * n_A = 1 * 8
    spread = (0, 0, 1, 1, 2, 2, 3, 3)
    assert g.rewards[7, 0][spread].item() == 12.0  # w_D * 2
    assert g.rewards[7, 1][spread].item() == 12.0 - 100.0
    # safe -> distancing iff > N/2 = 4 agents share a facility
    assert g.transitions[0][(3, 3, 3, 3, 0, 0, 1, 1)].tolist() == [1.0, 0.0]
    assert g.transitions[0][(3, 3, 3, 3, 3, 0, 1, 1)].tolist() == [0.0, 1.0]
    # distancing -> safe iff no facility holds more than N/4 = 2 agents
    assert g.transitions[1][spread].tolist() == [1.0, 0.0]
    assert g.transitions[1][(0, 0, 0, 1, 1, 2, 2, 3)].tolist() == [0.0, 1.0]


@pytest.mark.parametrize("suffix", [".json", ".npz"])
@pytest.mark.parametrize("time", [dict(gamma=0.7), dict(horizon=4)])
def test_file_format_round_trip(tmp_path, suffix, time):
    g = random_stochastic_game(3, [2, 3], seed=5, **time)
    path = tmp_path / f"game{suffix}"
    save_game(g, path)
    h = load_game(path)
    assert torch.equal(h.rewards, g.rewards) and torch.equal(h.transitions, g.transitions)
    assert torch.equal(h.initial, g.initial)
    assert (h.horizon, h.gamma, h.name) == (g.horizon, g.gamma, g.name)
    assert get_game(str(path)).action_counts == (2, 3)


def test_file_format_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "vsg-tabular-game", "version": 1, "rewards": [[[0]]]}')
    with pytest.raises(ValueError, match="missing required key 'transitions'"):
        load_game(bad)
    bad.write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="'format' must be"):
        load_game(bad)
    with pytest.raises(FileNotFoundError):
        load_game(tmp_path / "none.json")
    with pytest.raises(ValueError, match="neither a built-in game"):
        get_game("no_such_game")


def test_random_specs_are_seeded():
    a, b = get_game("random_3x2_s7"), get_game("random_3x2_s7")
    assert torch.equal(a.rewards, b.rewards) and a.action_counts == (3, 2)
    assert not torch.equal(a.rewards, get_game("random_3x2_s8").rewards)
    sg = get_game("random_sg4_2x2_s1")
    assert sg.n_states == 4 and sg.gamma == 0.9


def test_documented_example_loads(tmp_path):
    import re
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "game-format.md").read_text()
    example = re.search(r"```json\n(.*?)```", doc, re.S).group(1)
    path = tmp_path / "mp.json"
    path.write_text(example)
    g = load_game(path)
    assert g.is_normal_form and g.action_names == (("H", "T"), ("H", "T"))
    assert payoff_tensor(g)[0].tolist() == [[1.0, -1.0], [-1.0, 1.0]]


def test_a_file_named_like_a_zero_sum_spec_is_a_file(tmp_path):
    # issue 16: 'zs_matrix_rps.nfg' was read as the zero-sum transform of 'matrix_rps.nfg'
    path = tmp_path / "zs_matrix_rps.nfg"
    path.write_text('NFG 1 R "rps" { "A" "B" } { 2 2 }\n1 -1 -1 1 -1 1 1 -1\n')
    game = get_game(str(path))
    assert game.action_counts == (2, 2)
    # Gambit's payoff order: (row, column) payoff pairs with the first player's index fastest
    assert game.rewards[0].reshape(2, 2).tolist() == [[1.0, -1.0], [-1.0, 1.0]]
    with pytest.raises(FileNotFoundError):
        get_game(str(tmp_path / "zs_missing.nfg"))
