"""VPG on a sparse kernel against the dense exact solver, a numpy fixed-point check written
here, and brute-force best responses over all deterministic stationary policies."""

import itertools

import numpy as np
import pytest
import torch

from vsg_pyro import solve
from vsg_pyro.equilibria.nash import exact, sparse_exact
from vsg_pyro.games import random_stochastic_game
from vsg_pyro.games.grid_pursuit import grid_pursuit_game
from vsg_pyro.games.sparse import SparseTabularGame
from vsg_pyro.metrics.sparse_exploitability import sparse_exploitability


def test_iterates_equal_the_dense_solver():
    dense = random_stochastic_game(16, (3, 3), seed=1, gamma=0.9)
    a = sparse_exact.Solver(SparseTabularGame.from_dense(dense), init="random")
    b = exact.Solver(dense, family="factorized", init="random")
    sa, sb = a.init(0), b.init(0)
    for _ in range(30):
        sa, ia = a.step(sa, 2.0, 0.5)
        sb, ib = b.step(sb, 2.0, 0.5)
    # provenance: the dense VPG (LU solves); the sparse evaluation is certified to 1e-11
    diff = max((x - y).abs().max().item()
               for x, y in zip(sa.log_policies, sb.log_policies, strict=True))
    assert diff < 1e-10
    np.testing.assert_allclose(ia.elbo, ib.elbo, rtol=1e-10)
    ca, cb = a.certificate(sa, 2.0), b.certificate(sb, 2.0)
    assert abs(ca.value - cb.value) < 1e-9 and ca.value >= cb.value - 1e-12


def numpy_soft_fixed_point_residual(dense, policies, beta):
    """max |pi_i - softmax(log(1/A) + beta E_{a_-i} Q_i)| with soft values by numpy.linalg."""
    p, r, g = dense.transitions.numpy(), dense.rewards.numpy(), dense.gamma
    x, y = (q.numpy() for q in policies)
    joint = x[:, :, None] * y[:, None, :]
    chain = np.einsum("sab,sabt->st", joint, p)
    worst = 0.0
    for i, pi in enumerate((x, y)):
        kl = (pi * np.log(pi * pi.shape[1])).sum(1)
        c = (joint * r[i]).sum((1, 2)) - kl / beta
        v = np.linalg.solve(np.eye(len(c)) - g * chain, c)
        q = r[i] + g * p @ v
        qbar = (q * y[:, None, :]).sum(2) if i == 0 else (q * x[:, :, None]).sum(1)
        z = beta * qbar
        br = np.exp(z - z.max(1, keepdims=True))
        worst = max(worst, np.abs(pi - br / br.sum(1, keepdims=True)).max())
    return worst


def test_solve_certifies_a_fixed_point_checked_in_numpy():
    dense = random_stochastic_game(8, (2, 3), seed=3, gamma=0.9)
    result = solve(SparseTabularGame.from_dense(dense), method="exact", beta=3.0, tol=1e-11)
    assert result.converged and result.certificate.value <= 1e-6
    assert result.family == "factorized" and result.method == "exact"
    # the certificate is an upper bound of the true residual (computed independently here)
    true = numpy_soft_fixed_point_residual(dense, result.policies, 3.0)
    assert true <= result.certificate.value + 1e-12
    assert true <= 1e-6


def brute_force_gains(dense, policies):
    """Best responses by enumerating every deterministic stationary policy (numpy)."""
    p, r, g, mu0 = (dense.transitions.numpy(), dense.rewards.numpy(), dense.gamma,
                    dense.initial.numpy())
    pols = [q.numpy() for q in policies]
    s = dense.n_states

    def value(i, own):
        x = own if i == 0 else pols[0]
        y = own if i == 1 else pols[1]
        joint = x[:, :, None] * y[:, None, :]
        chain = np.einsum("sab,sabt->st", joint, p)
        return mu0 @ np.linalg.solve(np.eye(s) - g * chain, (joint * r[i]).sum((1, 2)))

    gains = []
    for i in range(2):
        a = dense.action_counts[i]
        best = max(value(i, np.eye(a)[list(choice)])
                   for choice in itertools.product(range(a), repeat=s))
        gains.append(best - value(i, pols[i]))
    return np.array(gains)


def test_sparse_exploitability_equals_brute_force():
    dense = random_stochastic_game(4, (3, 2), seed=5, gamma=0.85)
    gen = torch.Generator().manual_seed(0)
    policies = [torch.softmax(torch.randn(4, a, generator=gen, dtype=torch.float64), -1)
                for a in (3, 2)]
    report = sparse_exploitability(SparseTabularGame.from_dense(dense), policies)
    expected = brute_force_gains(dense, policies)  # 3^4 and 2^4 deterministic policies
    np.testing.assert_allclose(report.gains.numpy(), expected, atol=1e-10)
    assert report.exploitability == pytest.approx(expected.max(), abs=1e-10)


def test_pursuit_equilibrium_is_certified_and_less_exploitable_at_higher_beta():
    game = grid_pursuit_game(3)
    soft = solve(game, method="exact", beta=2.0)
    sharp = solve(game, method="exact", beta=20.0)
    assert soft.converged and sharp.converged
    assert len(soft.state.log_policies) == 2
    # the unregularised gain shrinks as the regularisation (1/beta) does (both measured exactly
    # by sparse policy iteration, checked against brute force above)
    assert sharp.exploitability < 0.15 * soft.exploitability  # measured 0.151 vs 1.887


@pytest.mark.parametrize("options, match", [
    (dict(method="svi"), "method='exact'"),
    (dict(method="path"), "method='exact'"),
    (dict(method="exact", family="conditional"), "factorized"),
    (dict(method="exact", lr=0.1), "lr"),
    (dict(method="exact", validate=True), "validate"),
])
def test_inapplicable_options_are_refused(options, match):
    with pytest.raises(ValueError, match=match):
        solve(grid_pursuit_game(2), **options)


def test_other_concepts_refuse_a_sparse_game():
    with pytest.raises(ValueError, match="SparseTabularGame"):
        solve(grid_pursuit_game(2), concept="correlated", method="exact")


def test_all_zero_rewards_give_the_uniform_policy_at_once():
    game = SparseTabularGame(torch.zeros(3, 2, 2, 1, dtype=torch.int64),
                             torch.ones(3, 2, 2, 1, dtype=torch.float64),
                             torch.zeros(2, 3, 2, 2), gamma=0.99)
    result = solve(game, method="exact", beta=4.0)
    # provenance: with no rewards the soft best response is the (uniform) prior
    assert result.converged and result.exploitability == 0.0
    for p in result.policies:
        assert torch.allclose(p, torch.full((3, 2), 0.5, dtype=torch.float64), atol=1e-15)
