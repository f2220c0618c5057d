"""§4's absorbing-state construction against discounting: values, soft best responses and VPG
fixed points, plus the construction's kernel checked entry by entry."""

import numpy as np
import pytest
import torch

from vsg_pyro import solve
from vsg_pyro.core.absorbing import absorbing_kernel, absorbing_soft_evaluate
from vsg_pyro.core.joint import product_of_marginals
from vsg_pyro.core.soft_dp import soft_best_response, soft_evaluate
from vsg_pyro.games import get_game, random_stochastic_game


@pytest.fixture
def game():
    return random_stochastic_game(5, (2, 3), seed=11, gamma=0.85)


def test_kernel_is_the_papers_construction(game):
    kernel = absorbing_kernel(game).numpy()
    s = game.n_states
    # provenance: §4, P~ = gamma P on S, 1 - gamma into s^, s^ absorbing
    np.testing.assert_allclose(kernel[:s, :, :, :s], 0.85 * game.transitions.numpy(), atol=0)
    np.testing.assert_allclose(kernel[:s, :, :, s], 0.15, atol=1e-16)
    assert np.all(kernel[s, :, :, s] == 1.0) and np.all(kernel[s, :, :, :s] == 0.0)
    np.testing.assert_allclose(kernel.sum(-1), 1.0, atol=1e-15)


@pytest.mark.parametrize("family", ["factorized", "conditional"])
def test_values_equal_discounting(game, family):
    gen = torch.Generator().manual_seed(0)
    if family == "factorized":
        policy = torch.softmax(torch.randn(5, 2, generator=gen, dtype=torch.float64), -1)
    else:
        policy = torch.softmax(torch.randn(5, 2, 3, generator=gen, dtype=torch.float64), 1)
    other = torch.softmax(torch.randn(5, 3, generator=gen, dtype=torch.float64), -1)
    model = product_of_marginals([torch.ones(5, 2, dtype=torch.float64), other], exclude=0)
    a = absorbing_soft_evaluate(game, 0, policy, model, 3.0)
    b = soft_evaluate(game, 0, policy, model, 3.0)
    np.testing.assert_allclose(a.v.numpy(), b.v.numpy(), atol=1e-12)
    np.testing.assert_allclose(a.q.numpy(), b.q.numpy(), atol=1e-12)


def test_soft_best_response_equals_discounting(game):
    other = torch.full((5, 3), 1 / 3, dtype=torch.float64)
    model = product_of_marginals([torch.ones(5, 2, dtype=torch.float64), other], exclude=0)
    a = soft_best_response(game, 0, model, 4.0, "factorized", evaluate=absorbing_soft_evaluate)
    b = soft_best_response(game, 0, model, 4.0, "factorized")
    np.testing.assert_allclose(a.policy.numpy(), b.policy.numpy(), atol=1e-10)
    np.testing.assert_allclose(a.v.numpy(), b.v.numpy(), atol=1e-10)


@pytest.mark.parametrize("family", ["factorized", "conditional"])
def test_vpg_fixed_point_equals_discounting(game, family):
    a = solve(game, method="exact", family=family, beta=2.0, infinite_horizon="absorbing",
              tol=1e-12)
    b = solve(game, method="exact", family=family, beta=2.0, tol=1e-12)
    assert a.converged and b.converged
    for x, y in zip(a.policies, b.policies, strict=True):
        np.testing.assert_allclose(x.numpy(), y.numpy(), atol=1e-10)
    assert a.parameters["infinite_horizon"] == "absorbing"


def test_inapplicable_uses_are_refused():
    finite = get_game("chicken")  # horizon 1
    with pytest.raises(ValueError, match="discounted"):
        solve(finite, method="exact", infinite_horizon="absorbing")
    with pytest.raises(ValueError, match="infinite_horizon"):
        solve(random_stochastic_game(2, (2, 2), gamma=0.9), method="svi",
              infinite_horizon="absorbing")
    with pytest.raises(ValueError, match="infinite_horizon"):
        solve(random_stochastic_game(2, (2, 2), gamma=0.9), method="path",
              infinite_horizon="absorbing")
    with pytest.raises(ValueError, match="infinite_horizon"):
        solve(random_stochastic_game(2, (2, 2), gamma=0.9), method="exact",
              infinite_horizon="undiscounted")
