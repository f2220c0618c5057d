"""Linear-programming references (HiGHS) and correlated-equilibrium gaps, against hand-computed
values and independent checks."""

import itertools

import numpy as np
import pytest
import torch

from vsg_pyro.games import TabularGame, get_game, random_normal_form_game, random_stochastic_game
from vsg_pyro.metrics import exploitability
from vsg_pyro.metrics.correlated import cce_gap, ce_gap, joint_values, welfare
from vsg_pyro.reference import (
    check_zero_sum,
    max_welfare_correlated_equilibrium,
    shapley_value_iteration,
    solve_matrix_game,
)


def _zero_sum(game):
    return TabularGame(game.transitions, torch.stack([game.rewards[0], -game.rewards[0]]),
                       game.initial, horizon=game.horizon, gamma=game.gamma, name=game.name)


def test_chicken_max_welfare_ce_is_aumanns():
    sol = max_welfare_correlated_equilibrium(get_game("chicken"))
    assert sol.welfare == pytest.approx(10.5)
    np.testing.assert_allclose(sol.joint.numpy(), [[0, 0.25], [0.25, 0.5]], atol=1e-9)
    assert sol.values.tolist() == pytest.approx([5.25, 5.25])


def test_battle_of_the_sexes_max_welfare_ce_is_a_pure_equilibrium():
    sol = max_welfare_correlated_equilibrium(get_game("battle_of_the_sexes"))
    assert sol.welfare == pytest.approx(5.0)


@pytest.mark.parametrize("seed", range(6))
def test_lp_equilibria_have_zero_gaps_and_cce_welfare_dominates(seed):
    game = random_normal_form_game([3, 2, 2] if seed % 2 else [3, 3], seed)
    ce = max_welfare_correlated_equilibrium(game)
    cce = max_welfare_correlated_equilibrium(game, coarse=True)
    assert ce_gap(game, ce.joint) < 1e-8 and cce_gap(game, cce.joint) < 1e-8
    assert cce_gap(game, ce.joint) < 1e-8  # every CE is a CCE
    assert cce.welfare >= ce.welfare - 1e-9
    assert welfare(game, ce.joint) == pytest.approx(ce.welfare, abs=1e-9)


def test_gaps_by_hand():
    g = get_game("chicken")
    uniform = torch.full((2, 2), 0.25, dtype=torch.float64)
    # recommended D: following earns (0 + 7)/4, swapping to C earns (2 + 6)/4: gain 0.25
    assert ce_gap(g, uniform) == pytest.approx(0.25)
    assert cce_gap(g, uniform) == pytest.approx(0.25)  # always C: 4 vs 3.75
    both_chicken = torch.tensor([[0.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    assert ce_gap(g, both_chicken) == pytest.approx(1.0)  # dare instead: 7 - 6
    with pytest.raises(ValueError, match="joint"):
        ce_gap(g, torch.full((2, 2), 0.3, dtype=torch.float64))


@pytest.mark.parametrize(
    "matrix, value, row",
    [
        ([[1, -1], [-1, 1]], 0.0, [0.5, 0.5]),
        ([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], 0.0, [1 / 3] * 3),
        ([[0, -2, 1], [2, 0, -3], [-1, 3, 0]], 0.0, [1 / 2, 1 / 6, 1 / 3]),
        ([[2, -1], [-1, 1]], 0.2, [0.4, 0.6]),  # (ad - bc) / (a + d - b - c) = 1/5
        ([[3, 1], [2, 4]], 2.5, [0.5, 0.5]),
    ],
)
def test_matrix_game_values_by_hand(matrix, value, row):
    sol = solve_matrix_game(matrix)
    assert sol.value == pytest.approx(value, abs=1e-9)
    np.testing.assert_allclose(sol.row.numpy(), row, atol=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_matrix_game_solution_certifies_itself(seed):
    a = np.random.default_rng(seed).uniform(-1, 1, size=(2 + seed % 4, 3 + seed % 3))
    sol = solve_matrix_game(a)
    x, y = sol.row.numpy(), sol.column.numpy()
    assert (x @ a).min() == pytest.approx(sol.value, abs=1e-9)  # row guarantees the value
    assert (a @ y).max() == pytest.approx(sol.value, abs=1e-9)  # column holds it there


@pytest.mark.parametrize("time", [dict(gamma=0.8), dict(horizon=4)])
def test_shapley_strategies_are_an_equilibrium(time):
    game = _zero_sum(random_stochastic_game(3, [2, 3], seed=2, **time))
    sol = shapley_value_iteration(game)
    rep = exploitability(game, [sol.row, sol.column])
    assert rep.exploitability < 1e-7
    assert rep.values[0].item() == pytest.approx(sol.value, abs=1e-8)


def test_shapley_one_state_without_future_is_the_matrix_game():
    game = _zero_sum(random_stochastic_game(1, [3, 3], seed=5, gamma=0.0))
    assert shapley_value_iteration(game).value == pytest.approx(
        solve_matrix_game(game.rewards[0, 0]).value, abs=1e-10)


def test_zero_sum_check():
    with pytest.raises(ValueError, match="not zero-sum"):
        check_zero_sum(get_game("chicken"))
    with pytest.raises(ValueError, match="2 players"):
        check_zero_sum(get_game("three_player_matching_pennies"))


def test_correlated_values_of_a_product_policy_match_policy_values():
    game = random_stochastic_game(2, [2, 2], seed=3, gamma=0.7)
    rng = np.random.default_rng(0)
    m = [torch.as_tensor(rng.dirichlet(np.ones(2), size=2)) for _ in range(2)]
    joint = m[0][:, :, None] * m[1][:, None, :]
    rep = exploitability(game, m)
    v = joint_values(game, joint) @ game.initial
    np.testing.assert_allclose(v.numpy(), rep.values.numpy(), atol=1e-12)
    assert all(x >= 0 for x in itertools.chain([ce_gap(game, joint), cce_gap(game, joint)]))
