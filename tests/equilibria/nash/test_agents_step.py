"""The all-agents eq. (4) step (factorized and conditional, discounted) against a numpy
re-implementation of one iteration written here, with uniform and non-uniform priors."""

import numpy as np
import pytest
import torch

from vsg_pyro.equilibria.nash.exact import VPGState, vpg_init, vpg_step
from vsg_pyro.games import random_stochastic_game


def view(x, i, n):
    """(S, A_i) -> (S, 1, .., A_i, .., 1)."""
    shape = [x.shape[0]] + [1] * n
    shape[1 + i] = x.shape[1]
    return x.reshape(shape)


def sum_others(x, i, n):
    axes = tuple(1 + j for j in range(n) if j != i)
    return x.sum(axis=axes) if axes else x.reshape(x.shape[0], -1)


def numpy_step(game, logs, models, priors, beta, alpha, family):
    """One iteration of Algorithm 1 / eq. (4) with exact opponent models, in numpy."""
    n, s = game.n_agents, game.n_states
    p, r, g = game.transitions.numpy(), game.rewards.numpy(), game.gamma
    pis = [np.exp(lp) for lp in logs]
    if family == "factorized":
        executed = [x / x.sum(1, keepdims=True) for x in pis]
    else:
        executed = [sum_others(x * m, i, n) for i, (x, m) in enumerate(zip(pis, models, strict=True))]
        executed = [x / x.sum(1, keepdims=True) for x in executed]
    new_models, new_logs, values = [], [], []
    for i in range(n):
        model = np.ones([s] + [1] * n)
        for j in range(n):
            if j != i:
                model = model * view(executed[j], j, n)
        new_models.append(model)
        pol = view(pis[i], i, n) if family == "factorized" else pis[i]
        w = pol * model
        lp0 = view(priors[i], i, n)
        c = (w * (r[i] - (np.log(pol) - lp0) / beta)).reshape(s, -1).sum(1)
        chain = np.einsum("sj,sjt->st", w.reshape(s, -1), p.reshape(s, -1, s))
        v = np.linalg.solve(np.eye(s) - g * chain, c)
        q = r[i] + g * p @ v
        values.append(game.initial.numpy() @ v)
        if family == "factorized":
            target = priors[i] + beta * sum_others(q * model, i, n)
            axis = 1
        else:
            target = lp0 + beta * q
            axis = 1 + i
        x = (1 - alpha) * logs[i] + alpha * target
        x = x - x.max(axis, keepdims=True)
        new_logs.append(x - np.log(np.exp(x).sum(axis, keepdims=True)))
    return new_logs, new_models, np.array(values)


@pytest.mark.parametrize("family", ["factorized", "conditional"])
@pytest.mark.parametrize("counts", [(3, 3), (2, 3, 2), (4,)])
@pytest.mark.parametrize("uniform", [True, False])
def test_one_step_equals_numpy(family, counts, uniform):
    game = random_stochastic_game(5, counts, seed=3, gamma=0.85)
    state = vpg_init(game, family, "random", seed=1)
    # move the models off the state's own policies' once: a conditional step reads them
    state, _ = vpg_step(game, state, 1.5, 0.3)
    gen = torch.Generator().manual_seed(7)
    priors = [torch.log_softmax(torch.randn(5, a, generator=gen, dtype=torch.float64), -1)
              for a in counts]
    if uniform:
        priors_np = [np.full((5, a), -np.log(a)) for a in counts]
        given = None
    else:
        priors_np = [lp.numpy() for lp in priors]
        given = priors
    new, values = vpg_step(game, state, 2.5, 0.4, log_priors=given)
    logs, models, expected = numpy_step(
        game, [lp.numpy() for lp in state.log_policies],
        [m.numpy() for m in state.opponent_models], priors_np, 2.5, 0.4, family)
    for ours, theirs in zip(new.log_policies, logs, strict=True):
        np.testing.assert_allclose(ours.numpy(), theirs, atol=1e-12)
    for ours, theirs in zip(new.opponent_models, models, strict=True):
        np.testing.assert_allclose(ours.numpy(), np.broadcast_to(theirs, ours.shape), atol=1e-14)
    np.testing.assert_allclose(values.numpy(), expected, atol=1e-12)
    assert isinstance(new, VPGState) and new.iteration == state.iteration + 1


def test_alpha_one_is_soft_policy_iteration():
    game = random_stochastic_game(4, (2, 2), seed=0, gamma=0.9)
    state = vpg_init(game, "factorized", "random", seed=0)
    new, _ = vpg_step(game, state, 2.0, 1.0)
    logs, _, _ = numpy_step(game, [lp.numpy() for lp in state.log_policies],
                            [m.numpy() for m in state.opponent_models],
                            [np.full((4, 2), -np.log(2))] * 2, 2.0, 1.0, "factorized")
    for ours, theirs in zip(new.log_policies, logs, strict=True):
        np.testing.assert_allclose(ours.numpy(), theirs, atol=1e-12)
