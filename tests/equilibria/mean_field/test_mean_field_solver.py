"""Algorithm 4 (mean-field Bayesian Q-learning) with exact steps: eq. (11) by hand, eq. (12)'s
fixed points, and the exploitability it reaches on built-ins (measured; README)."""

import math

import pytest
import torch

from vsg_pyro.core.schedules import geometric_beta
from vsg_pyro.equilibria.mean_field.exact import relative_entropy_step, soft_q, solve_mean_field_exact
from vsg_pyro.equilibria.mean_field.svi import svi_policy_step
from vsg_pyro.games import beach_bar, left_right, rock_paper_scissors_mfg, sis_epidemic
from vsg_pyro.metrics.mean_field import mean_field_flow, mf_exploitability


def test_soft_q_by_hand():
    """Left-right, horizon 2, everybody splits evenly.  t = 1: each side pays -mu_1(side) = -1/2,
    the centre 0.  t = 0: everybody is in the centre, so the sides pay 0 and lead back to the
    centre (V_1 = 0); from the centre, either action leads to a side whose soft value under the
    uniform prior is (1/beta) log sum_a 0.5 exp(beta * -1/2) = -1/2."""
    game = left_right(horizon=2)
    prior = torch.full((2, 3, 2), 0.5, dtype=torch.float64)
    q = soft_q(game, mean_field_flow(game, prior), prior, beta=2.0)
    assert q[1].tolist() == [[0.0, 0.0], [-0.5, -0.5], [-0.5, -0.5]]
    expected = torch.tensor([[-0.5, -0.5], [0.0, 0.0], [0.0, 0.0]], dtype=torch.float64)
    assert torch.allclose(q[0], expected, atol=1e-12)


def test_relative_entropy_step_fixed_points_are_equilibria():
    game = left_right(horizon=3)
    split = torch.full((3, 3, 2), 0.5, dtype=torch.float64)
    q = soft_q(game, mean_field_flow(game, split), split, beta=1.0)
    assert torch.allclose(relative_entropy_step(split, q, 1.0), split, atol=1e-15)
    assert mf_exploitability(game, split).exploitability == pytest.approx(0.0, abs=1e-15)


def test_left_right_reaches_its_known_equilibrium():
    """Left-right (MFGLib's): the equilibrium is the even split (by symmetry of the two
    destinations, closed form); from 90% left, mirror descent at beta 1 gets there."""
    res = solve_mean_field_exact(left_right(), beta=1.0, iterations=100, target=1e-6,
                                 initial_policy=torch.tensor([[0.9, 0.1]] * 3,
                                                             dtype=torch.float64))
    assert res.exploitability <= 1e-6
    assert res.trace[0]["exploitability"] > 1.0  # it started far off
    # the centre (state 0) sends the crowd left (1) or right (2) at odd times: half each
    arrivals = mean_field_flow(left_right(), res.policy)[1::2].sum(-1)[:, 1:]
    assert torch.allclose(arrivals, torch.full_like(arrivals, 0.5), atol=1e-6)


def test_optimistic_steps_converge_where_plain_mirror_descent_cycles():
    """Rock-paper-scissors is monotone but not strictly: at step 0.3 the plain iteration cycles
    (measured 16.6 after 100 iterations), the optimistic one converges (0.015, then 1e-4 at 200)."""
    game = rock_paper_scissors_mfg()
    plain = solve_mean_field_exact(game, beta=0.3, iterations=200, target=-1.0)
    optimistic = solve_mean_field_exact(game, beta=0.3, iterations=200, target=-1.0, optimistic=True)
    assert max(e["exploitability"] for e in plain.trace[100:]) > 5.0
    assert optimistic.exploitability < 1e-3


def test_relent_fixed_point_is_the_regularised_equilibrium():
    """With a fixed uniform prior the iteration's fixed point pi = softmax(beta Q(pi)) against
    its own mean field is the entropy-regularised equilibrium; its unregularised exploitability
    is within T log|A| / beta (SIS, beta 10: measured 0.333 against the bound 3.47)."""
    game, beta = sis_epidemic(), 10.0
    res = solve_mean_field_exact(game, beta=beta, iterations=300, damping=0.3, prior="uniform",
                                 target=-1.0)
    uniform = torch.full_like(res.policy, 0.5)
    q = soft_q(game, mean_field_flow(game, res.policy), uniform, beta)
    assert torch.allclose(relative_entropy_step(uniform, q, beta), res.policy, atol=1e-8)
    assert res.exploitability <= game.horizon * math.log(2) / beta


def test_averaging_tames_rock_paper_scissors():
    """The last iterate cycles on the RPS game (measured 2.3 -> 12.8 over 300 iterations at
    beta 0.1); the mean-field-weighted average of the iterates settles (2.0 -> 0.26)."""
    game = rock_paper_scissors_mfg()
    last = solve_mean_field_exact(game, beta=0.1, iterations=300, target=-1.0)
    averaged = solve_mean_field_exact(game, beta=0.1, iterations=300, target=-1.0, average=True)
    assert last.exploitability > 5.0
    assert averaged.exploitability < 0.3
    assert averaged.trace[99]["exploitability"] > averaged.exploitability


def test_solver_validation():
    with pytest.raises(ValueError, match="damping"):
        solve_mean_field_exact(left_right(), damping=0.0)
    with pytest.raises(ValueError, match="prior"):
        solve_mean_field_exact(left_right(), prior="flat")
    with pytest.raises(ValueError, match="positive"):
        solve_mean_field_exact(left_right(), prior=torch.tensor([[1.0, 0.0]] * 3))
    with pytest.raises(ValueError, match="optimistic"):
        solve_mean_field_exact(left_right(), prior="uniform", optimistic=True)
    with pytest.raises(ValueError, match="beta"):
        soft_q(left_right(), mean_field_flow(left_right(), torch.full((3, 2), 0.5)),
               torch.full((10, 3, 2), 0.5, dtype=torch.float64), beta=0.0)


def test_svi_policy_steps_agree_with_the_exact_steps():
    game = beach_bar(n_states=6, horizon=5)
    exact = solve_mean_field_exact(game, beta=0.1, iterations=15, target=-1.0)
    svi = solve_mean_field_exact(game, beta=0.1, iterations=15, target=-1.0,
                                 policy_step=svi_policy_step())
    assert (exact.policy - svi.policy).abs().max().item() < 1e-4
    for a, b in zip(exact.trace, svi.trace, strict=True):
        assert a["exploitability"] == pytest.approx(b["exploitability"], abs=1e-4)


def test_svi_policy_steps_agree_with_a_fixed_prior_and_a_schedule():
    game = sis_epidemic(horizon=6)
    options = dict(beta=geometric_beta(1.0, 3.0, 5), iterations=8, damping=0.5, prior="uniform",
                   target=-1.0)
    exact = solve_mean_field_exact(game, **options)
    svi = solve_mean_field_exact(game, policy_step=svi_policy_step(), **options)
    assert (exact.policy - svi.policy).abs().max().item() < 1e-4
    assert [e["beta"] for e in exact.trace] == pytest.approx([geometric_beta(1.0, 3.0, 5)(k)
                                                               for k in range(8)])


def test_each_flow_is_evaluated_once_per_iteration():
    # The certificate's policy is the next step's: the game's reward and transition run once
    # per (iteration, time step) (they ran ~5 times before), and the iterates are the same
    # as with every pass evaluating them afresh (soft_q without the shared kernels, here).
    import torch

    from vsg_pyro import solve
    from vsg_pyro.equilibria.mean_field.exact import soft_q
    from vsg_pyro.games.mean_field import sis_epidemic
    from vsg_pyro.metrics.mean_field import evaluate_flow, mean_field_flow

    game = sis_epidemic(horizon=8)
    calls = {"reward": 0, "transition": 0}
    reward, transition = game.reward, game.transition

    def counted_reward(L):
        calls["reward"] += 1
        return reward(L)

    def counted_transition(L):
        calls["transition"] += 1
        return transition(L)

    object.__setattr__(game, "reward", counted_reward)
    object.__setattr__(game, "transition", counted_transition)
    steps = 10
    res = solve(game, concept="mean-field", method="exact", beta=0.5, steps=steps, target=-1.0)
    assert res.iterations == steps
    # init + one flow per iteration (its certificate's, reused by the next step) + the result's
    assert calls["reward"] <= (steps + 2) * game.horizon
    assert calls["transition"] <= (steps + 2) * (game.horizon - 1)
    # the shared kernels change nothing: soft Q from them equals soft Q evaluated afresh
    policy = res.policies[0]
    flow = mean_field_flow(game, policy)
    shared = soft_q(game, flow, policy, 0.5, evaluate_flow(game, policy))
    assert torch.equal(shared, soft_q(game, flow, policy, 0.5))
