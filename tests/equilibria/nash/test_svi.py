"""The Pyro programs (models/nash.py, guides/tabular.py) and the decentralized SVI driver against
the exact solver: eq. (3) values, eq. (4) steps, gradients of the full-trajectory program, and
fixed points."""

import numpy as np
import pyro
import pytest
import torch
from pyro.infer import TraceEnum_ELBO

from vsg_pyro import solve
from vsg_pyro.core.soft_dp import soft_evaluate
from vsg_pyro.equilibria.nash.exact import vpg_init, vpg_step, vpg_step_size
from vsg_pyro.equilibria.nash.opponents import ExactOpponent, ExternalOpponent, OptimisticOpponent
from vsg_pyro.equilibria.nash.svi import DecentralizedNashSVI, tabular_guides
from vsg_pyro.games import get_game, random_stochastic_game
from vsg_pyro.guides import TabularPolicyGuide
from vsg_pyro.infer.elbo import EnumeratedGuideELBO
from vsg_pyro.infer.natural_gradient import natural_gradient
from vsg_pyro.models import NashInputs, nash_model, nash_trajectory_model

FIXED_POINT_CASES = [
    ("prisoners_dilemma", 1.0),
    ("battle_of_the_sexes", 1.0),
    ("chicken", 2.0),
    ("stag_hunt", 1.0),
    ("biased_rock_paper_scissors", 1.0),
    ("three_player_matching_pennies", 1.0),
    ("resource_commons", 2.0),  # discounted stochastic game, 3 states
    ("random_sg3_2x3_s1", 2.0),  # discounted random stochastic game
]


def _finite_horizon_game():
    return random_stochastic_game(2, [2, 3], seed=4, horizon=4)


@pytest.mark.parametrize("family", ["conditional", "factorized"])
@pytest.mark.parametrize("case", FIXED_POINT_CASES + [("finite_horizon", 2.0)],
                         ids=lambda c: c[0])
def test_svi_reaches_the_exact_fixed_point(case, family):
    name, beta = case
    game = _finite_horizon_game() if name == "finite_horizon" else get_game(name)
    kwargs = dict(family=family, beta=beta, init="random", seed=1, steps=3000, tol=1e-10)
    exact = solve(game, method="exact", **kwargs)
    svi = solve(game, method="svi", **kwargs)
    assert exact.converged and svi.converged
    diff = max((a - b).abs().max().item() for a, b in zip(svi.policies, exact.policies, strict=True))
    assert diff <= 1e-4
    assert svi.exploitability == pytest.approx(exact.exploitability, abs=1e-4)
    assert svi.elbo[0][-1] == pytest.approx(exact.elbo[0][-1], abs=1e-4)


@pytest.mark.parametrize("family", ["conditional", "factorized"])
def test_one_natural_gradient_svi_step_is_eq_4(family):
    game = random_stochastic_game(3, [3, 2], seed=2, gamma=0.8)
    eta = 0.06  # alpha = eta / (1 - gamma) = 0.3
    beta = 1.5
    alpha = vpg_step_size(game, eta)
    guides = tabular_guides(game, family, ExactOpponent(), "random", 5)
    pyro.clear_param_store()
    runner = DecentralizedNashSVI(game, guides, [natural_gradient([g], alpha) for g in guides])
    state = vpg_init(game, family, "random", 5)
    for _ in range(3):
        runner.step(beta)
        state, _ = vpg_step(game, state, beta, alpha)
        for guide, log_pi in zip(guides, state.log_policies, strict=True):
            ours = guide.policy_probs().reshape(log_pi.shape)
            assert (ours - log_pi.exp()).abs().max().item() <= 1e-6


def _inputs(game, family, beta, rng, agent=0):
    rows = game.n_states * (game.horizon or 1)
    counts = game.action_counts
    shape = (rows, *counts) if family == "conditional" else (rows, counts[agent])
    guide = TabularPolicyGuide(game.agent_names[agent], agent, counts, rows, family, "optimistic",
                               torch.randn(shape, generator=rng, dtype=torch.float64))
    others = [j for j in range(game.n_agents) if j != agent]
    true_opp = tuple(torch.softmax(torch.randn(rows, counts[j], generator=rng,
                                               dtype=torch.float64), -1) for j in others)
    log_prior = torch.full((rows, counts[agent]), -np.log(counts[agent]), dtype=torch.float64)
    inputs = NashInputs(agent, game.agent_names, counts,
                        torch.zeros(rows, *counts, dtype=torch.float64), true_opp, true_opp,
                        log_prior, beta, None, game,
                        (game.horizon, game.n_states) if game.horizon else (game.n_states,))
    guide.policy_logits()
    guide.opponent_probs(inputs)  # create the optimistic parameters, then move them off pi_-i
    for j in others:
        pyro.get_param_store()[guide.opponent_param_name(game.agent_names[j])] = torch.randn(
            rows, counts[j], generator=rng, dtype=torch.float64)
    return guide, inputs


def _tables(game, guide, agent=0):
    lead = (game.horizon, game.n_states) if game.horizon else (game.n_states,)
    pol = guide.policy_probs().reshape(*lead, *guide.policy_probs().shape[1:])
    name = guide.opponent_param_name(game.agent_names[1 - agent])
    p = torch.softmax(pyro.param(name).detach(), -1).reshape(*lead, -1)
    return pol, p


@pytest.mark.parametrize("family", ["conditional", "factorized"])
def test_elbo_equals_analytic_eq_3_normal_form(family):
    """Optimistic opponent model p != pi_-i, so the KL(p || pi_-i) term of eq. (3) is live."""
    pyro.clear_param_store()
    game = get_game("random_3x2_s3")
    guide, inputs = _inputs(game, family, 1.3, torch.Generator().manual_seed(0))
    inputs = inputs._replace(q=game.rewards[0].clone())  # one step: Q = r
    loss = TraceEnum_ELBO(max_plate_nesting=1).loss(nash_model, guide, inputs)
    pol, p = _tables(game, guide)
    true = inputs.opponent_policies[0].reshape(1, 1, 1, -1)
    ev = soft_evaluate(game, 0, pol, p.unsqueeze(-2), 1.3, opponents_policy=true)
    assert -loss == pytest.approx(1.3 * ev.value.item(), abs=1e-10)


@pytest.mark.parametrize("horizon", [1, 2, 3, 5])
@pytest.mark.parametrize("family", ["conditional", "factorized"])
def test_one_step_model_equals_full_enumeration(family, horizon):
    """The full-trajectory ELBO (exact by guide-side enumeration) is eq. (3); the one-step model
    weighted by the agent's state-visitation probabilities has exactly its gradient."""
    pyro.clear_param_store()
    game = random_stochastic_game(2, [2, 2], seed=horizon, horizon=horizon)
    beta = 1.2
    guide, inputs = _inputs(game, family, beta, torch.Generator().manual_seed(horizon))
    pol, p = _tables(game, guide)
    true = inputs.opponent_policies[0].reshape(horizon, 2, 1, -1)
    ev = soft_evaluate(game, 0, pol, p.unsqueeze(-2), beta, opponents_policy=true)
    elbo = TraceEnum_ELBO(max_plate_nesting=1)
    traj_loss = elbo.differentiable_loss(nash_trajectory_model, guide.trajectory, inputs)
    assert -traj_loss.item() == pytest.approx(beta * ev.value.item(), abs=1e-10)
    params = [pyro.param(n).unconstrained() for n in guide.param_names(game.agent_names)]
    traj_grads = torch.autograd.grad(traj_loss, params)
    # state-visitation d_t(s) under the agent's own view (p, pi_i), by forward recursion
    pol_b = pol if family == "conditional" else pol.unsqueeze(-1)
    w = pol_b * p.unsqueeze(-2)  # (H, S, A_1, A_2)
    visits = [game.initial]
    for t in range(horizon - 1):
        visits.append(torch.einsum("s,sab,sabt->t", visits[-1], w[t], game.transitions))
    weights = torch.stack(visits).reshape(-1)
    one_step = inputs._replace(q=ev.q.reshape(-1, 2, 2), row_weights=weights)
    step_loss = elbo.differentiable_loss(nash_model, guide, one_step)
    step_grads = torch.autograd.grad(step_loss, params)
    for a, b in zip(traj_grads, step_grads, strict=True):
        assert torch.allclose(a, b, atol=1e-10)


def test_optimistic_opponent_model_is_not_the_real_opponent():
    """Documented behaviour: a free opponent model converges to an optimistic p, not to pi_-i:
    the agent expects more reward from its model than the real opponent gives it."""
    game = get_game("matching_pennies")
    res = solve(game, method="svi", opponent=OptimisticOpponent(), family="factorized", beta=2.0,
                init="random", seed=0, steps=600, tol=1e-9)
    guide = res.guides[0]
    p = torch.softmax(pyro.param(guide.opponent_param_name("agent1")).detach(), -1).reshape(-1)
    own = res.policies[0].reshape(-1)
    real = res.policies[1].reshape(-1)
    payoff = game.rewards[0, 0]
    expected_under_model = own @ payoff @ p
    expected_for_real = own @ payoff @ real
    assert (p - real).abs().max().item() > 0.1
    assert expected_under_model.item() > expected_for_real.item() + 0.1


def test_external_opponent_model_is_consumed():
    game = get_game("chicken")
    fixed = torch.tensor([[[0.9, 0.1]]], dtype=torch.float64)  # (H, S, A): opponent mostly Dares
    res = solve(game, method="svi", opponent=ExternalOpponent(lambda i, executed: [fixed]),
                family="factorized", beta=3.0, steps=500, tol=1e-10)
    # against a Dare-heavy opponent, a soft best response chickens out: softmax(3 * E[r])
    u = game.rewards[0, 0] @ fixed[0, 0]
    expected = torch.softmax(3.0 * u, -1)
    assert torch.allclose(res.policies[0].reshape(-1), expected, atol=1e-8)


def test_solve_errors():
    with pytest.raises(ValueError, match="method"):
        solve("chicken", method="mcmc")
    with pytest.raises(ValueError, match="opponent_mode"):
        solve("chicken", opponent_mode="psychic")
    with pytest.raises(ValueError, match="external_opponent_model"):
        solve("chicken", opponent_mode="external")
    with pytest.raises(ValueError, match="concept"):
        solve("chicken", concept="evolutionary")


@pytest.mark.parametrize("family", ["conditional", "factorized"])
def test_enumerated_guide_elbo_equals_trace_enum(family):
    from vsg_pyro.infer.elbo import EnumeratedGuideELBO

    pyro.clear_param_store()
    game = random_stochastic_game(3, [2, 3, 2], seed=8, gamma=0.7)
    guide, inputs = _inputs(game, family, 0.8, torch.Generator().manual_seed(3), agent=1)
    gen = torch.Generator().manual_seed(4)
    inputs = inputs._replace(q=torch.randn(3, 2, 3, 2, generator=gen, dtype=torch.float64),
                             row_weights=torch.rand(3, generator=gen, dtype=torch.float64))
    params = [pyro.param(n).unconstrained() for n in guide.param_names(game.agent_names)]
    ours = EnumeratedGuideELBO().differentiable_loss(nash_model, guide, inputs)
    theirs = TraceEnum_ELBO(max_plate_nesting=1).differentiable_loss(nash_model, guide, inputs)
    assert ours.item() == pytest.approx(theirs.item(), abs=1e-12)
    for a, b in zip(torch.autograd.grad(ours, params), torch.autograd.grad(theirs, params),
                    strict=True):
        assert torch.allclose(a, b, atol=1e-12)


def test_trace_enum_path_gives_the_same_run():
    kwargs = dict(family="conditional", beta=2.0, init="random", seed=2, steps=300, tol=1e-10)
    a = solve("battle_of_the_sexes", loss=EnumeratedGuideELBO(), **kwargs)
    b = solve("battle_of_the_sexes", loss=TraceEnum_ELBO(max_plate_nesting=1), **kwargs)
    assert a.iterations == b.iterations
    for x, y in zip(a.policies, b.policies, strict=True):
        assert torch.allclose(x, y, atol=1e-10)


@pytest.mark.parametrize("family", ["conditional", "factorized"])
@pytest.mark.parametrize("mode", ["exact", "optimistic"])
def test_guide_fast_tables_equal_traced_tables(family, mode):
    from vsg_pyro.infer.guide_tables import guide_tables

    pyro.clear_param_store()
    game = random_stochastic_game(2, [3, 2, 2], seed=1, gamma=0.5)
    guide, inputs = _inputs(game, family, 1.0, torch.Generator().manual_seed(9), agent=2)
    guide.opponent_mode = mode
    fast, traced = guide.tables(inputs), guide_tables(guide, inputs)
    assert torch.allclose(fast.policy, traced.policy, atol=1e-14)
    for a, b in zip(fast.opponent_marginals, traced.opponent_marginals, strict=True):
        assert torch.allclose(a, b, atol=1e-14)


def test_exact_method_calls_back_with_the_elbo():
    seen = []
    # fallback=False: 50 steps do not certify, and the fall-back's path steps are not reported
    res = solve("chicken", method="exact", beta=2.0, steps=50, fallback=False,
                callback=lambda step, info: seen.append((step, info["elbo"])))
    assert [s for s, _ in seen] == list(range(res.iterations))
    assert seen[-1][1] == pytest.approx([t[-1] for t in res.elbo])
