"""SparseTabularGame and the grid pursuit game against dense tensors and a brute-force
re-implementation written here."""

import itertools

import numpy as np
import pytest
import torch

from vsg_pyro.games import random_stochastic_game, resource_commons
from vsg_pyro.games.grid_pursuit import MOVES, grid_pursuit_game
from vsg_pyro.games.sparse import SparseTabularGame


def test_dense_round_trip_is_exact():
    dense = random_stochastic_game(6, (2, 3), seed=4, gamma=0.8)
    sparse = SparseTabularGame.from_dense(dense)
    back = sparse.to_dense()
    # provenance: the dense game's own tensors
    assert torch.equal(back.transitions, dense.transitions)
    assert torch.equal(back.rewards, dense.rewards)
    assert torch.equal(back.initial, dense.initial)
    assert back.agent_names == dense.agent_names and back.gamma == dense.gamma


def test_from_dense_keeps_only_successors():
    dense = resource_commons()
    if dense.gamma is None:
        pytest.skip("resource_commons is finite-horizon here")
    sparse = SparseTabularGame.from_dense(dense)
    # K = the largest number of nonzero successors of any (state, joint action), counted here
    k = int((dense.transitions > 0).reshape(-1, dense.n_states).sum(-1).max())
    assert sparse.next_states.shape[-1] == k


def test_finite_horizon_refused():
    dense = random_stochastic_game(3, (2, 2), seed=0, horizon=4)
    with pytest.raises(ValueError, match="finite horizon"):
        SparseTabularGame.from_dense(dense)


@pytest.mark.parametrize("change, match", [
    (dict(next_states=torch.full((2, 2, 2, 1), 2)), "next_states: indices must lie"),
    (dict(next_states=torch.zeros(2, 2, 2, 1)), "next_states: must be integers"),
    (dict(next_probs=torch.full((2, 2, 2, 1), 0.5, dtype=torch.float64)), "next_probs"),
    (dict(next_probs=torch.ones(2, 2, 1, dtype=torch.float64)), "next_probs: expected shape"),
    (dict(gamma=1.0), "gamma"),
    (dict(gamma=float("nan")), "gamma"),
    (dict(rewards=torch.full((2, 2, 2, 2), float("nan"))), "rewards"),
    (dict(initial=torch.tensor([0.7, 0.7])), "initial"),
    (dict(agent_names=("a", "a")), "agent_names"),
    (dict(action_names=(("x",), ("y", "z"))), "action_names"),
])
def test_invalid_input_names_the_field(change, match):
    fields = dict(next_states=torch.zeros(2, 2, 2, 1, dtype=torch.int64),
                  next_probs=torch.ones(2, 2, 2, 1, dtype=torch.float64),
                  rewards=torch.zeros(2, 2, 2, 2), gamma=0.5)
    fields.update(change)
    with pytest.raises(ValueError, match=match):
        SparseTabularGame(**fields)


def test_to_dense_refuses_huge_games():
    game = grid_pursuit_game(12)  # 20,736 states: 20,736^2 x 25 dense entries
    with pytest.raises(ValueError, match="exceeds the limit"):
        game.to_dense()


def brute_force_pursuit(size, slip, gamma, move_cost):
    """The pursuit game's dense tensors by plain loops (module docstring of grid_pursuit)."""
    deltas = {"stay": (0, 0), "up": (0, 1), "down": (0, -1), "left": (-1, 0), "right": (1, 0)}
    cells = [(x, y) for x in range(size) for y in range(size)]

    def move(cell, action):
        dx, dy = deltas[action]
        return (min(max(cell[0] + dx, 0), size - 1), min(max(cell[1] + dy, 0), size - 1))

    n = len(cells) ** 2
    trans = np.zeros((n, 5, 5, n))
    rew = np.zeros((2, n, 5, 5))
    for s, (p, e) in enumerate(itertools.product(cells, cells)):
        for a, b in itertools.product(range(5), range(5)):
            for ok_p, ok_e in itertools.product((True, False), repeat=2):
                prob = ((1 - slip) if ok_p else slip) * ((1 - slip) if ok_e else slip)
                p2 = move(p, MOVES[a]) if ok_p else p
                e2 = move(e, MOVES[b]) if ok_e else e
                s2 = cells.index(p2) * len(cells) + cells.index(e2)
                trans[s, a, b, s2] += prob
                d = (abs(p2[0] - e2[0]) + abs(p2[1] - e2[1])) / (2 * (size - 1))
                rew[0, s, a, b] -= prob * d
                rew[1, s, a, b] += prob * d
            rew[0, s, a, b] -= move_cost * (a > 0)
            rew[1, s, a, b] -= move_cost * (b > 0)
    return trans, rew


@pytest.mark.parametrize("slip", [0.0, 0.2])
def test_grid_pursuit_matches_brute_force(slip):
    game = grid_pursuit_game(3, slip=slip, gamma=0.9, move_cost=0.05)
    trans, rew = brute_force_pursuit(3, slip, 0.9, 0.05)
    dense = game.to_dense()
    np.testing.assert_allclose(dense.transitions.numpy(), trans, atol=1e-15)
    np.testing.assert_allclose(dense.rewards.numpy(), rew, atol=1e-15)
    assert game.n_states == 81 and game.agent_names == ("pursuer", "evader")


def test_grid_pursuit_size_and_memory():
    game = grid_pursuit_game(6)
    assert game.n_states == 6 ** 4
    # next_states + next_probs (S x 25 x 4, 8 bytes each), rewards (2 x S x 25), initial (S)
    expected = 6 ** 4 * (25 * 4 * 16 + 2 * 25 * 8 + 8)
    assert game.nbytes == expected
