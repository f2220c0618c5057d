"""Mean-field games: the forward equation, and exact exploitability against brute force and
hand-computed values."""

import itertools

import pytest
import torch

from vsg_pyro.games import (
    MeanFieldGame,
    beach_bar,
    grid_crowd,
    left_right,
    rock_paper_scissors_mfg,
    sis_epidemic,
)
from vsg_pyro.games.mean_field import push
from vsg_pyro.metrics.mean_field import (
    mean_field_flow,
    mf_best_response,
    mf_exploitability,
    mf_policy_value,
)

BUILTINS = [left_right(), rock_paper_scissors_mfg(), sis_epidemic(horizon=10),
            beach_bar(n_states=8, horizon=6), grid_crowd(side=5, horizon=8)]


def _random_policy(game, seed):
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(game.horizon, game.n_states, game.n_actions, generator=gen,
                         dtype=torch.float64)
    return torch.softmax(logits, -1)


@pytest.mark.parametrize("game", BUILTINS, ids=lambda g: g.name)
def test_forward_equation_conserves_mass(game):
    game.check()
    flow = mean_field_flow(game, _random_policy(game, 0))
    assert flow.shape == (game.horizon, game.n_states, game.n_actions)
    assert (flow >= 0).all()
    torch.testing.assert_close(flow.sum((1, 2)), torch.ones(game.horizon, dtype=torch.float64))


def test_ten_thousand_state_grid():
    game = grid_crowd(side=100, horizon=30)
    flow = mean_field_flow(game, torch.full((100 * 100, 5), 0.2, dtype=torch.float64))
    assert abs(flow[-1].sum().item() - 1.0) < 1e-12
    assert mf_exploitability(game, torch.full((100 * 100, 5), 0.2, dtype=torch.float64)
                             ).exploitability > 0


def _brute_force_best_value(game, flow):
    """Max over every deterministic time-dependent policy of its value against ``flow``,
    each evaluated forward (the agent's own state distribution), not by backward induction."""
    best = -float("inf")
    cells = game.horizon * game.n_states
    for choice in itertools.product(range(game.n_actions), repeat=cells):
        acts = torch.tensor(choice).reshape(game.horizon, game.n_states)
        dist, value = game.initial, 0.0
        for t in range(game.horizon):
            pol = torch.nn.functional.one_hot(acts[t], game.n_actions).to(torch.float64)
            weights = dist.unsqueeze(-1) * pol
            value += float((weights * game.reward(flow[t])).sum())
            dist = push(game.transition(flow[t]), weights)
        best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(3))
def test_best_response_equals_brute_force(seed):
    game = left_right(horizon=3)  # 2^(3 * 3) = 512 deterministic policies
    flow = mean_field_flow(game, _random_policy(game, seed))
    _policy, value = mf_best_response(game, flow)
    assert value == pytest.approx(_brute_force_best_value(game, flow), abs=1e-12)


def test_sis_best_response_equals_brute_force():
    game = sis_epidemic(horizon=4)  # 2^(4 * 2) = 256 policies, stochastic transitions
    flow = mean_field_flow(game, _random_policy(game, 5))
    assert mf_best_response(game, flow)[1] == pytest.approx(
        _brute_force_best_value(game, flow), abs=1e-12)


def test_left_right_by_hand():
    game = left_right(horizon=2)
    always_left = torch.tensor([[1.0, 0.0]] * 3, dtype=torch.float64)
    report = mf_exploitability(game, always_left)
    # everybody goes left: -1 at t = 1; going right instead earns 0
    assert report.value == pytest.approx(-1.0)
    assert report.best_response_value == pytest.approx(0.0)
    assert report.exploitability == pytest.approx(1.0)
    split = torch.full((3, 2), 0.5, dtype=torch.float64)
    assert mf_exploitability(game, split).exploitability == pytest.approx(0.0, abs=1e-15)
    assert mf_policy_value(game, split) == pytest.approx(-0.5)


def test_validation():
    with pytest.raises(ValueError, match="horizon"):
        MeanFieldGame(2, 2, 0, lambda L: L, lambda L: L, torch.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match="initial"):
        MeanFieldGame(2, 2, 3, lambda L: L, lambda L: L, torch.tensor([0.7, 0.7]))
    bad = MeanFieldGame(2, 2, 3, lambda L: torch.zeros(2, 2, dtype=torch.float64),
                        lambda L: torch.full((2, 2, 2), 0.3, dtype=torch.float64),
                        torch.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match="transition"):
        bad.check()
    with pytest.raises(ValueError, match="policy"):
        mean_field_flow(left_right(), torch.ones(3, 3))
