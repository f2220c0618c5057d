"""SparseKernel: the policy chain, expected next values and the certified solve, against dense
numpy linear algebra written here."""

import numpy as np
import pytest
import scipy.sparse.linalg as spla
import torch

from vsg_pyro.core.sparse_dp import SparseKernel
from vsg_pyro.games import random_stochastic_game
from vsg_pyro.games.sparse import SparseTabularGame


@pytest.fixture
def pair():
    dense = random_stochastic_game(12, (2, 3), seed=7, gamma=0.95, concentration=0.3)
    sparse = SparseTabularGame.from_dense(dense)
    return dense, sparse, SparseKernel(sparse.next_states, sparse.next_probs, sparse.gamma)


def random_joint(shape, seed):
    w = torch.rand(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return w / w.reshape(shape[0], -1).sum(-1).reshape(-1, 1, 1)


def test_policy_matrix_equals_dense_contraction(pair):
    dense, _sparse, kernel = pair
    joint = random_joint((12, 2, 3), 0)
    expected = np.einsum("sab,sabt->st", joint.numpy(), dense.transitions.numpy())
    np.testing.assert_allclose(kernel.matrix(joint).toarray(), expected, atol=1e-15)


def test_expected_next_equals_dense_contraction(pair):
    dense, _sparse, kernel = pair
    v = torch.randn(12, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    expected = dense.transitions.numpy() @ v.numpy()
    np.testing.assert_allclose(kernel.expected_next(v).numpy(), expected, atol=1e-14)


def test_solve_is_certified_against_numpy(pair):
    dense, _sparse, kernel = pair
    joint = random_joint((12, 2, 3), 2)
    rhs = torch.randn(12, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    p = np.einsum("sab,sabt->st", joint.numpy(), dense.transitions.numpy())
    exact = np.linalg.solve(np.eye(12) - 0.95 * p, rhs.numpy())
    ev = kernel.solve(kernel.matrix(joint), rhs, tol=1e-12)
    error = np.abs(ev.values.numpy() - exact).max()
    assert ev.error_bound <= 1e-12
    assert error <= ev.error_bound + 1e-14  # the bound bounds the true error


def test_value_iteration_finishes_when_bicgstab_fails(pair, monkeypatch):
    dense, _sparse, kernel = pair
    joint = random_joint((12, 2, 3), 4)
    rhs = torch.ones(12, dtype=torch.float64)
    # a broken Krylov solve (returns its start): the value-iteration sweeps must still certify
    monkeypatch.setattr(spla, "bicgstab", lambda op, b, x0, **kw: (x0, 1))
    ev = kernel.solve(kernel.matrix(joint), rhs, tol=1e-9)
    # provenance: constant reward 1 gives V = 1 / (1 - gamma) = 20 in every state
    assert ev.error_bound <= 1e-9
    assert np.abs(ev.values.numpy() - 20.0).max() <= 1e-9


def test_gamma_zero_is_the_reward():
    game = SparseTabularGame(torch.zeros(2, 1, 1, dtype=torch.int64),
                             torch.ones(2, 1, 1, dtype=torch.float64),
                             torch.zeros(1, 2, 1), gamma=0.0)
    kernel = SparseKernel(game.next_states, game.next_probs, 0.0)
    rhs = torch.tensor([1.0, -2.0], dtype=torch.float64)
    ev = kernel.solve(kernel.matrix(torch.ones(2, 1, dtype=torch.float64)), rhs)
    assert torch.equal(ev.values, rhs) and ev.error_bound == 0.0
