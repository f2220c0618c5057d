"""The discounted Markov equations' closed-form Jacobian (vsg_pyro.equilibria.nash.markov_path
.DiscountedSystem), issue 13.

Independent truths: central finite differences of the equations written here in numpy (the
policy evaluation by a linear solve), and torch autograd through the torch implementation
``markov_equations``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vsg_pyro.equilibria.nash.markov_path import DiscountedSystem, markov_equations
from vsg_pyro.games import random_stochastic_game

GAMES = [random_stochastic_game(3, [3, 3], seed=2, gamma=0.9),
         random_stochastic_game(2, [2, 3, 2], seed=1, gamma=0.8),
         random_stochastic_game(4, [4], seed=5, gamma=0.5)]


def _np_equations(game, log_priors: list[np.ndarray], z: np.ndarray) -> np.ndarray:
    """The module's H(z) from its definition, for two or three agents (einsum by hand)."""
    rewards, trans, g = game.rewards.numpy(), game.transitions.numpy(), game.gamma
    n, S, counts = game.n_agents, game.n_states, game.action_counts
    y, beta = z[:-1], z[-1]
    ys, k = [], 0
    for a in counts:
        ys.append(y[k:k + S * a].reshape(S, a))
        k += S * a
    pis = [np.exp(v) for v in ys]
    if n == 1:
        joint = pis[0]
    elif n == 2:
        joint = np.einsum("sa,sb->sab", *pis)
    else:
        joint = np.einsum("sa,sb,sc->sabc", *pis)
    flat_joint = joint.reshape(S, -1)
    p_mu = np.einsum("sj,sjt->st", flat_joint, trans.reshape(S, -1, S))
    out = []
    for i in range(n):
        r = rewards[i].reshape(S, -1)
        kl = (pis[i] * (ys[i] - log_priors[i])).sum(1)
        u = np.linalg.solve(np.eye(S) - g * p_mu, beta * (flat_joint * r).sum(1) - kl)
        w = (beta * r + g * trans.reshape(S, -1, S) @ u).reshape(S, *counts)
        others = joint / np.expand_dims(pis[i], [1 + j for j in range(n) if j != i])
        axes = tuple(1 + j for j in range(n) if j != i)
        wbar = (w * others).sum(axes)
        lp = log_priors[i]
        out.append(pis[i].sum(1) - 1.0)
        out.append((ys[i][:, 1:] - ys[i][:, :1] - (lp[:, 1:] - lp[:, :1])
                    - (wbar[:, 1:] - wbar[:, :1])).reshape(-1))
    return np.concatenate(out)


@pytest.mark.parametrize("game", GAMES, ids=["2p", "3p", "1p"])
def test_closed_form_jacobian_equals_finite_differences_and_autograd(game):
    rng = np.random.default_rng(7)
    priors = [np.log(rng.dirichlet(np.ones(a), game.n_states)) for a in game.action_counts]
    m = game.n_states * sum(game.action_counts)
    # off the curve (probabilities need not sum to 1), strictly positive
    z = np.concatenate([np.log(rng.uniform(0.05, 0.9, m)), [2.3]])
    system = DiscountedSystem(game, [torch.from_numpy(p) for p in priors])
    h, jac = system.evaluate(z)
    np.testing.assert_allclose(h, _np_equations(game, priors, z), atol=1e-12)
    assert system.evaluate(z, jacobian=False)[1] is None
    step, fd = 1e-6, np.empty_like(jac)
    for k in range(len(z)):
        e = np.zeros_like(z)
        e[k] = step
        fd[:, k] = (_np_equations(game, priors, z + e)
                    - _np_equations(game, priors, z - e)) / (2 * step)
    # central differences: error ~ step^2 * third derivative ~ 1e-9 here; a wrong block is O(1)
    np.testing.assert_allclose(jac, fd, atol=1e-7)
    auto = torch.autograd.functional.jacobian(
        lambda v: markov_equations(game, [torch.from_numpy(p) for p in priors], v),
        torch.from_numpy(z))
    np.testing.assert_allclose(jac, auto.numpy(), atol=1e-11)


def test_discounted_system_refuses_a_finite_horizon():
    game = random_stochastic_game(2, [2, 2], seed=0, horizon=3)
    with pytest.raises(ValueError, match="discounted"):
        DiscountedSystem(game, [torch.zeros(2, 2), torch.zeros(2, 2)])
