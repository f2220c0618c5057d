"""Soft policy evaluation (Def. 5.1) and soft best responses (Prop. 5.2) against independent
numpy computations: trajectory enumeration of the ELBO (eq. 3) and soft value iteration."""

import itertools

import numpy as np
import pytest
import torch

from vsg_pyro.core.joint import product_of_marginals
from vsg_pyro.core.soft_dp import soft_best_response, soft_evaluate
from vsg_pyro.games import random_stochastic_game


def _random_conditional(game, agent, rng):
    lead = (game.horizon, game.n_states) if game.horizon else (game.n_states,)
    logits = rng.normal(size=(*lead, *game.action_counts))
    axis = agent - game.n_agents
    p = np.exp(logits) / np.exp(logits).sum(axis, keepdims=True)
    return torch.as_tensor(p)


def _opponent(game, agent, rng):
    lead = (game.horizon, game.n_states) if game.horizon else (game.n_states,)
    ms = [torch.as_tensor(rng.dirichlet(np.ones(a), size=lead)) for a in game.action_counts]
    return product_of_marginals(ms, exclude=agent), ms


def _elbo_by_enumeration(game, agent, policy, model, beta, true_opp=None):
    """E[sum_t r - (1/beta)(log pi/pi0) - (1/beta) KL(p || pi_-i)] over every trajectory."""
    P, R = game.transitions.numpy(), game.rewards[agent].numpy()
    pol, p = policy.numpy(), model.numpy()
    log_pi0 = -np.log(game.action_counts[agent])
    joint_actions = list(itertools.product(*[range(a) for a in game.action_counts]))
    total = 0.0
    for states in itertools.product(range(game.n_states), repeat=game.horizon):
        for acts in itertools.product(joint_actions, repeat=game.horizon):
            prob, ret = game.initial[states[0]].item(), 0.0
            for step, (s, a) in enumerate(zip(states, acts, strict=True)):
                a_others = tuple(0 if j == agent else x for j, x in enumerate(a))
                w_opp = p[step][s][a_others]
                w_own = pol[step][s][a]
                prob *= w_opp * w_own
                ret += R[s][a] - (np.log(w_own) - log_pi0) / beta
                if true_opp is not None:
                    q = true_opp.numpy()[step][s]
                    pp = p[step][s]
                    ret -= (pp * (np.log(pp) - np.log(q))).sum() / beta
                if step + 1 < game.horizon:
                    prob *= P[s][a][states[step + 1]]
            total += prob * ret
    return total


@pytest.mark.parametrize("seed", [0, 1])
def test_finite_horizon_value_equals_trajectory_enumeration(seed):
    rng = np.random.default_rng(seed)
    game = random_stochastic_game(2, [2, 2], seed=seed, horizon=3)
    policy = _random_conditional(game, 0, rng)
    model, _ = _opponent(game, 0, rng)
    true_opp, _ = _opponent(game, 0, rng)
    ev = soft_evaluate(game, 0, policy, model, 2.0)
    assert ev.value.item() == pytest.approx(_elbo_by_enumeration(game, 0, policy, model, 2.0),
                                            abs=1e-10)
    ev = soft_evaluate(game, 0, policy, model, 2.0, opponents_policy=true_opp)
    assert ev.value.item() == pytest.approx(
        _elbo_by_enumeration(game, 0, policy, model, 2.0, true_opp), abs=1e-10
    )


@pytest.mark.parametrize("family", ["conditional", "factorized"])
@pytest.mark.parametrize("time", [dict(horizon=4), dict(gamma=0.85)])
def test_soft_best_response_is_the_fixed_point_of_prop_5_2(family, time):
    rng = np.random.default_rng(3)
    game = random_stochastic_game(3, [2, 3], seed=7, **time)
    beta, agent = 1.5, 1
    model, _ = _opponent(game, agent, rng)
    br = soft_best_response(game, agent, model, beta, family)
    ev = soft_evaluate(game, agent, br.policy, model, beta)
    assert ev.value.item() == pytest.approx(br.value.item(), abs=1e-10)
    # Prop. 5.2: pi ∝ exp(beta Q^pi) (uniform prior), Q averaged over p for the factorized family.
    axis = agent - game.n_agents
    q = ev.q
    if family == "factorized":
        q = (q * model).sum(dim=[d for d in range(-game.n_agents, 0) if d != axis])
        axis = -1
    target = torch.softmax(beta * q, dim=axis)
    assert torch.allclose(br.policy, target, atol=1e-10)
    # No policy of the family does better (spot check with random policies).
    for _ in range(20):
        if family == "conditional":
            pol = _random_conditional(game, agent, rng)
        else:
            lead = (game.horizon, game.n_states) if game.horizon else (game.n_states,)
            pol = torch.as_tensor(rng.dirichlet(np.ones(3), size=lead))
        assert soft_evaluate(game, agent, pol, model, beta).value <= br.value + 1e-12


def test_discounted_soft_best_response_equals_soft_value_iteration():
    """Independent numpy soft value iteration for the factorized family."""
    rng = np.random.default_rng(5)
    game = random_stochastic_game(4, [3, 2], seed=9, gamma=0.9)
    beta = 3.0
    model, ms = _opponent(game, 0, rng)
    other = ms[1].numpy()  # (S, A_2)
    R = np.einsum("sab,sb->sa", game.rewards[0].numpy(), other)
    P = np.einsum("sabt,sb->sat", game.transitions.numpy(), other)
    v = np.zeros(game.n_states)
    for _ in range(2000):
        q = R + 0.9 * P @ v
        v = np.log(np.mean(np.exp(beta * q), axis=1)) / beta
    br = soft_best_response(game, 0, model, beta, "factorized")
    np.testing.assert_allclose(br.v.numpy(), v, atol=1e-10)


def test_bad_beta_and_family():
    game = random_stochastic_game(2, [2, 2], seed=0, gamma=0.5)
    model, _ = _opponent(game, 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="family"):
        soft_best_response(game, 0, model, 1.0, "joint")
    with pytest.raises(ValueError, match="beta"):
        soft_best_response(game, 0, model, -1.0)
