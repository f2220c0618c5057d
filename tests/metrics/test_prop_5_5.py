"""Prop. 5.5 where it says something: the action-value error of an opponent model with
KL(p || pi_-i) <= eps_p, computed here in numpy, against opponent_error_bound's delta."""

import numpy as np
import pytest

from vsg_pyro.games import random_stochastic_game
from vsg_pyro.metrics.exploitability import opponent_error_bound


def soft_q(p, r, gamma, pi, model, true):
    """Definition 5.1 (beta 1, uniform prior) for agent 0 of a two-player game, numpy:
    weights pi(a_0|s) model(a_1|s); stage KL terms of pi to uniform and of model to true."""
    s, a0, a1 = r.shape
    w = pi[:, :, None] * model[:, None, :]
    kl_own = (pi * np.log(pi * a0)).sum(1)
    kl_opp = (model * np.log(model / true)).sum(1)
    c = (w * r).sum((1, 2)) - kl_own - kl_opp
    chain = np.einsum("sab,sabt->st", w, p)
    v = np.linalg.solve(np.eye(s) - gamma * chain, c)
    return r + gamma * p @ v


@pytest.mark.parametrize("mix", [1e-3, 1e-2, 5e-2])
def test_q_error_is_within_delta(mix):
    game = random_stochastic_game(4, (2, 3), seed=8, gamma=0.5)  # rewards in [-1, 1]
    rng = np.random.default_rng(0)
    pi = rng.dirichlet(np.ones(2), size=4)
    true = rng.dirichlet(np.ones(3), size=4)
    model = (1 - mix) * true + mix * rng.dirichlet(np.ones(3), size=4)
    eps_p = float((model * np.log(model / true)).sum(1).max())
    p, r = game.transitions.numpy(), game.rewards[0].numpy()
    error = np.abs(soft_q(p, r, 0.5, pi, model, true) - soft_q(p, r, 0.5, pi, true, true)).max()
    delta = opponent_error_bound(game, eps_p)
    # non-vacuous: delta is below the Q range 2 / (1 - gamma) = 4 here
    assert delta < 4.0
    assert error <= delta
    # how tight (measured 2026-12-03): error / delta 0.004-0.011, i.e. 90-260x to spare
    assert error / delta > 1e-3
