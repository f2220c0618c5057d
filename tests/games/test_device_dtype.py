"""TabularGame(device=, dtype=): float32 (and CUDA where present) through the exact Nash solver
and the exact exploitability, against float64 and a numpy logit-QRE iteration written here;
every other solver refuses such a game."""

import numpy as np
import pytest
import torch

from vsg_pyro import qre_batch, solve
from vsg_pyro.games import get_game, random_stochastic_game
from vsg_pyro.metrics.exploitability import exploitability


def numpy_qre(pay: np.ndarray, beta: float) -> list[np.ndarray]:
    """Damped x_i <- softmax(beta E_{x_-i} u_i) for a bimatrix game (numpy, float64)."""
    x, y = np.full(pay.shape[1], 1 / pay.shape[1]), np.full(pay.shape[2], 1 / pay.shape[2])
    for _ in range(100_000):
        u, v = pay[0] @ y, x @ pay[1]
        bx, by = np.exp(beta * (u - u.max())), np.exp(beta * (v - v.max()))
        nx, ny = 0.8 * x + 0.2 * bx / bx.sum(), 0.8 * y + 0.2 * by / by.sum()
        if max(abs(nx - x).max(), abs(ny - y).max()) < 1e-15:
            return [nx, ny]
        x, y = nx, ny
    raise AssertionError("no convergence")


def test_float32_game_keeps_its_dtype_and_converts_back():
    game = get_game("chicken")
    low = game.to(dtype=torch.float32)
    assert low.rewards.dtype == low.transitions.dtype == low.initial.dtype == torch.float32
    assert not low.is_cpu_float64 and "float32" in low.describe()
    back = low.to(dtype=torch.float64)
    assert back.is_cpu_float64
    # chicken's payoffs are small integers: exact in float32, so the round trip is exact
    assert torch.equal(back.rewards, game.rewards)


@pytest.mark.parametrize("kwargs, match", [
    (dict(dtype=torch.float16), "dtype"),
    (dict(dtype="float32"), "dtype"),
    (dict(device="not-a-device"), "device"),
    (dict(device="meta"), "device"),
])
def test_bad_device_or_dtype_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        get_game("chicken").to(**kwargs)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_cuda_without_cuda_is_refused():
    with pytest.raises(ValueError, match="CUDA is not available"):
        get_game("chicken").to(device="cuda")


def test_float32_factorized_nash_is_the_numpy_qre():
    game = get_game("chicken").to(dtype=torch.float32)
    # beta 1: chicken's logit QRE is unique there (at beta 2 there are several)
    result = solve(game, method="exact", family="factorized", beta=1.0)
    pay = get_game("chicken").rewards.numpy().reshape(2, 2, 2)
    expected = numpy_qre(pay, 1.0)  # independent float64 iteration
    assert result.converged and result.policies[0].dtype == torch.float32
    for got, want in zip(result.policies, expected, strict=True):
        np.testing.assert_allclose(got.reshape(-1).double().numpy(), want, atol=1e-5)


@pytest.mark.parametrize("family", ["factorized", "conditional"])
@pytest.mark.parametrize("name", ["rock_paper_scissors", "random_sg16_3x3_s0"])
def test_float32_agrees_with_float64(name, family):
    game = get_game(name)
    high = solve(game, method="exact", family=family, beta=2.0)
    low = solve(game.to(dtype=torch.float32), method="exact", family=family, beta=2.0)
    assert high.converged and low.converged
    assert low.certificate.threshold == 1e-5 and low.parameters["certificate_tol"] is None
    gap = max((a - b.double()).abs().max().item()
              for a, b in zip(high.policies, low.policies, strict=True))
    assert gap <= 1e-5  # measured <= 4.3e-6
    assert abs(high.exploitability - low.exploitability) <= 1e-5


def test_float32_exploitability_matches_float64():
    game = random_stochastic_game(6, (3, 2), seed=2, gamma=0.8)
    gen = torch.Generator().manual_seed(0)
    pols = [torch.softmax(torch.randn(6, a, generator=gen, dtype=torch.float64), -1)
            for a in (3, 2)]
    high = exploitability(game, pols)
    low = exploitability(game.to(dtype=torch.float32), [p.float() for p in pols])
    np.testing.assert_allclose(low.gains.double().numpy(), high.gains.numpy(), atol=1e-5)


@pytest.mark.parametrize("options, match", [
    (dict(method="svi"), "SVI"),
    (dict(method="path"), "path following"),
    (dict(concept="zero-sum", method="exact"), "zero-sum"),
    (dict(concept="correlated", method="exact"), "correlated"),
])
def test_other_solvers_refuse_a_float32_game(options, match):
    game = get_game("matching_pennies").to(dtype=torch.float32)
    with pytest.raises(ValueError, match=match):
        solve(game, **options)


def test_qre_batch_refuses_a_float32_game():
    with pytest.raises(ValueError, match="qre_batch"):
        qre_batch([get_game("chicken").to(dtype=torch.float32)], 1.0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")
def test_cuda_game_solves_like_the_cpu():
    game = get_game("random_sg16_3x3_s0")
    cpu = solve(game, method="exact", family="factorized", beta=2.0)
    gpu = solve(game.to(device="cuda"), method="exact", family="factorized", beta=2.0)
    assert gpu.converged and gpu.policies[0].device.type == "cuda"
    gap = max((a - b.cpu()).abs().max().item()
              for a, b in zip(cpu.policies, gpu.policies, strict=True))
    assert gap <= 1e-9
