"""Markov potential games: the 4-cycle checker against a brute-force loop written here,
Definition 5.4 on mixed policies by numpy, and Theorem 5.8 with Lemma 5.7's step."""

import itertools

import numpy as np
import pytest
import torch

from vsg_pyro.equilibria.nash.exact import executed_policies
from vsg_pyro.equilibria.nash.vpg_run import solve_vpg
from vsg_pyro.games import TabularGame, markov_congestion_game, random_stochastic_game
from vsg_pyro.games.potential_games import (
    exogenous_congestion_game,
    exogenous_congestion_potential,
    identical_interest_game,
)
from vsg_pyro.metrics.exploitability import vpg_epsilon
from vsg_pyro.metrics.potential import lemma_5_7_smoothness, mpg_cycle_defect, potential


def brute_force_defect(game):
    """Max |4-cycle sum| by explicit loops over deterministic stationary policies (numpy)."""
    p, r, g = game.transitions.numpy(), game.rewards.numpy(), game.gamma
    s = game.n_states
    pols = [list(itertools.product(range(a), repeat=s)) for a in game.action_counts]

    def values(profile):
        chain = np.array([p[(k, *[profile[i][k] for i in range(2)])] for k in range(s)])
        rew = np.array([[r[(i, k, *[profile[j][k] for j in range(2)])] for k in range(s)]
                        for i in range(2)])
        return np.linalg.solve(np.eye(s) - g * chain, rew.T).T  # (2, S)

    worst = 0.0
    for a, a2 in itertools.product(pols[0], repeat=2):
        for b, b2 in itertools.product(pols[1], repeat=2):
            total = (values((a2, b))[0] - values((a, b))[0] + values((a2, b2))[1]
                     - values((a2, b))[1] + values((a, b2))[0] - values((a2, b2))[0]
                     + values((a, b))[1] - values((a, b2))[1])
            worst = max(worst, float(np.abs(total).max()))
    return worst


def test_checker_equals_brute_force():
    game = random_stochastic_game(2, (2, 3), seed=4, gamma=0.8)
    check = mpg_cycle_defect(game)
    expected = brute_force_defect(game)
    assert expected > 0.1  # a random game is not an MPG
    assert check.defect == pytest.approx(expected, rel=1e-12)
    assert not check.holds()


@pytest.mark.parametrize("game", [identical_interest_game(3, (2, 3), seed=1),
                                  identical_interest_game(2, (2, 2, 2), seed=2),
                                  exogenous_congestion_game()],
                         ids=["identical-2", "identical-3", "exogenous-congestion"])
def test_builtin_potential_games_pass(game):
    check = mpg_cycle_defect(game)
    assert check.holds(rtol=1e-12), check


def test_distancing_congestion_game_is_not_an_mpg():
    check = mpg_cycle_defect(markov_congestion_game(n_agents=4))
    # measured 3,366 on values up to 9,900: far from rounding
    assert check.defect > 1000 and not check.holds()


def test_identical_interest_sharing_a_random_kernel_passes_but_its_general_sum_twin_fails():
    base = random_stochastic_game(3, (2, 2), seed=0, gamma=0.9)
    same = TabularGame(base.transitions, torch.stack([base.rewards[0]] * 2), gamma=0.9)
    assert mpg_cycle_defect(same).holds(rtol=1e-12)
    assert not mpg_cycle_defect(base).holds()


def numpy_value(game, policies, agent):
    p, r, g = game.transitions.numpy(), game.rewards.numpy(), game.gamma
    joint = policies[0]
    for q in policies[1:]:
        joint = joint[..., None] * q.reshape(q.shape[0], *([1] * (joint.ndim - 1)), -1)
    s = game.n_states
    chain = (joint.reshape(s, -1, 1) * p.reshape(s, -1, s)).sum(1)
    stage = (joint * r[agent]).reshape(s, -1).sum(1)
    return np.linalg.solve(np.eye(s) - g * chain, stage)


@pytest.mark.parametrize("which", ["identical", "congestion"])
def test_potential_satisfies_definition_5_4_on_mixed_policies(which):
    if which == "identical":
        game, phi = identical_interest_game(3, (2, 3), seed=5), None
    else:
        game = exogenous_congestion_game()
        phi = exogenous_congestion_potential(game)
    gen = torch.Generator().manual_seed(1)
    for trial in range(5):
        pols = [torch.softmax(torch.randn(game.n_states, a, generator=gen,
                                          dtype=torch.float64), -1) for a in game.action_counts]
        i = trial % game.n_agents
        alt = list(pols)
        alt[i] = torch.softmax(torch.randn(game.n_states, game.action_counts[i], generator=gen,
                                           dtype=torch.float64), -1)
        dv = numpy_value(game, [q.numpy() for q in pols], i) - \
            numpy_value(game, [q.numpy() for q in alt], i)
        dphi = (potential(game, pols, phi) - potential(game, alt, phi)).numpy()
        np.testing.assert_allclose(dphi, dv, atol=1e-10)


def test_potential_refuses_what_it_cannot_define():
    with pytest.raises(ValueError, match="identical-interest"):
        potential(random_stochastic_game(2, (2, 2), seed=0, gamma=0.9),
                  [torch.full((2, 2), 0.5, dtype=torch.float64)] * 2)
    game = random_stochastic_game(2, (2, 2), seed=0, gamma=0.9)
    with pytest.raises(ValueError, match="depend on the actions"):
        potential(game, [torch.full((2, 2), 0.5, dtype=torch.float64)] * 2,
                  stage_potential=torch.zeros(2, 2, 2))


@pytest.mark.parametrize("which", ["identical", "congestion"])
def test_theorem_5_8_potential_is_monotone_at_lemma_5_7_step(which):
    if which == "identical":
        game, phi = identical_interest_game(2, (2, 2), seed=0, gamma=0.5), None
    else:
        game = exogenous_congestion_game(gamma=0.5)
        phi = exogenous_congestion_potential(game)
    step = lemma_5_7_smoothness(game)
    beta, potentials = 5.0, []

    def record(state, _entry):
        potentials.append(potential(game, executed_policies(state), phi, beta=beta))

    result = solve_vpg(game, beta=beta, family="factorized", alpha=step.alpha,
                       adaptive_step=False, max_iter=20_000, tol=1e-10, init="random",
                       callback=record)
    trace = torch.stack(potentials)
    # the regularised potential never decreases (to rounding: measured min step >= -1.1e-14)
    assert (trace[1:] - trace[:-1]).min() >= -1e-12
    assert trace[-1].sum() > trace[0].sum() + 1e-3  # and it did move
    assert result.converged
    epsilon = vpg_epsilon(game, beta)
    # measured: exploitability 0.065 (identical) and 0.0072 (congestion) vs epsilon 0.277
    assert result.report.exploitability <= epsilon
