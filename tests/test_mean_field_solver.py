"""Algorithm 4 (mean-field Bayesian Q-learning) with exact steps: eq. (11) by hand, eq. (12)'s
fixed points, and the exploitability it reaches on built-ins (measured; README)."""

import pytest
import torch

from vsg_pyro.games import beach_bar, grid_crowd, left_right, rock_paper_scissors_mfg
from vsg_pyro.mean_field_svi import svi_policy_step
from vsg_pyro.metrics.mean_field import mean_field_flow, mf_exploitability
from vsg_pyro.solvers.mean_field import relative_entropy_step, soft_q, solve_mean_field_exact


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


@pytest.mark.parametrize("game, target", [(beach_bar(), 0.1), (grid_crowd(side=10), 0.2)],
                         ids=["beach_bar", "grid_crowd_10x10"])
def test_exploitability_falls_below_a_target(game, target):
    """Measured with beta = 0.1, 400 iterations: beach bar 0.069, 10x10 grid crowd 0.143 (from
    2.7 and 33 after one iteration)."""
    res = solve_mean_field_exact(game, beta=0.1, iterations=400, target=target)
    assert res.exploitability <= target
    assert res.trace[0]["exploitability"] > 10 * target


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
