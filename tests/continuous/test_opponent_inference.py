"""Algorithm 3 for continuous actions: the energy fitted by eqs. (6)-(7) recovers a known
opponent reward where the opponent acts, eq. (5)'s model follows it, and the inverse soft
Bellman reward matches a quadrature written here."""

import math

import numpy as np
import pytest
import torch

from vsg_pyro.continuous.mai import MAIConfig, train_mai
from vsg_pyro.continuous.opponent_inference import OpponentEnergy
from vsg_pyro.games.continuous import get_continuous_game
from vsg_pyro.guides.neural import OpponentModel

BETA = 2.0
LOW, HIGH = torch.tensor([-1.0]), torch.tensor([1.0])


def true_reward(a):
    return -4.0 * (a - 0.3) ** 2


def observed_actions(n=4000, seed=0):
    """Draws of the soft-optimal opponent p(a) ∝ exp(beta r(a)) on [-1, 1] (inverse CDF on a
    fine grid, numpy)."""
    grid = np.linspace(-1, 1, 20001)
    cdf = np.cumsum(np.exp(BETA * true_reward(grid)))
    cdf /= cdf[-1]
    u = np.random.default_rng(seed).uniform(size=n)
    return torch.tensor(np.interp(u, cdf, grid), dtype=torch.float32).reshape(-1, 1), grid


@pytest.fixture(scope="module")
def fitted():
    torch.manual_seed(0)
    obs, grid = observed_actions()
    empty = torch.zeros(len(obs), 0)
    energy = OpponentEnergy(0, 1, 0, LOW, HIGH, hidden=(32, 32), samples=32)
    prior = OpponentModel(0, 1, LOW, HIGH, hidden=(32, 32))
    e_opt = torch.optim.Adam(energy.parameters(), 3e-3)
    p_opt = torch.optim.Adam(prior.parameters(), 3e-3)
    for _ in range(1500):
        idx = torch.randint(0, len(obs), (128,))
        loss = energy.loss(empty[idx], obs[idx], empty[idx], BETA, prior)
        e_opt.zero_grad()
        loss.backward()
        e_opt.step()
        p_loss = energy.prior_loss(prior, empty[idx], empty[idx], BETA)
        p_opt.zero_grad()
        p_loss.backward()
        p_opt.step()
    return energy, prior, grid


def test_energy_recovers_the_reward_where_the_opponent_acts(fitted):
    energy, _, _ = fitted
    a = torch.linspace(-0.2, 0.8, 11).reshape(-1, 1)  # within 0.5 of the opponent's optimum
    with torch.no_grad():
        f = energy(torch.zeros(11, 0), a, torch.zeros(11, 0)).numpy()
    r = true_reward(a.numpy()[:, 0])
    centre = 5  # a = 0.3
    # rewards are identified up to a constant; measured max error 0.13 on a range of 1.0
    assert np.abs((f - f[centre]) - (r - r[centre])).max() < 0.25
    assert np.corrcoef(f, r)[0, 1] > 0.95


def test_prior_follows_equation_5(fitted):
    _, prior, grid = fitted
    p = np.exp(BETA * true_reward(grid))
    mean = float((grid * p).sum() / p.sum())  # 0.298
    with torch.no_grad():
        draws = prior(torch.zeros(4000, 0)).sample()
    # measured 0.250 (a squashed Gaussian fitted by KL(P || p_psi))
    assert abs(float(draws.mean()) - mean) < 0.08


def test_inferred_reward_is_the_inverse_soft_bellman_equation():
    torch.manual_seed(1)
    energy = OpponentEnergy(1, 1, 1, LOW, HIGH, hidden=(8,), samples=20000)
    s, o, a = torch.tensor([[0.2]]), torch.tensor([[0.1]]), torch.tensor([[-0.4]])
    s2, a2 = torch.tensor([[0.5]]), torch.tensor([[0.3]])
    uniform = lambda states: torch.distributions.Independent(  # noqa: E731
        torch.distributions.Uniform(LOW.expand(states.shape[0], 1),
                                    HIGH.expand(states.shape[0], 1)), 1)
    got = energy.inferred_reward(s, o, a, s2, a2, BETA, 0.9, uniform)
    # V_f(s') = (1/beta) log of the mean of exp(beta f) over the box, by a fine grid
    grid = torch.linspace(-1, 1, 20001).reshape(-1, 1)
    with torch.no_grad():
        f_next = energy(s2.expand(len(grid), 1), grid, a2.expand(len(grid), 1)).double()
        v_next = (torch.logsumexp(BETA * f_next, 0) - math.log(len(grid))) / BETA
        expected = energy(s, o, a).double() - 0.9 * v_next
    assert float(got) == pytest.approx(float(expected), abs=2e-3)
    assert torch.equal(energy.inferred_reward(s, o, a, s2, a2, BETA, 0.0, uniform),
                       energy(s, o, a).detach())


@pytest.mark.parametrize("name", ["differential_game", "braess_routing", "line_coordination"])
def test_mai_with_reward_inference_runs_on_every_continuous_game(name):
    game = get_continuous_game(name)
    config = MAIConfig(episodes=3, learning_starts=16, batch_size=16, hidden=(8,),
                       opponent="reward-inference", opponent_samples=4)
    result = train_mai(game, config)
    assert len(result.metrics) == 3 and all(np.isfinite(m["critic_loss"]) for m in result.metrics)
    assert "opponent_energy" in result.agents[0].state_dict()


def test_unknown_opponent_method_is_refused():
    with pytest.raises(ValueError, match="opponent"):
        MAIConfig(opponent="maximum-likelihood")


def test_baselines_refuse_the_opponent_options():
    from vsg_pyro.continuous.baselines import BaselineConfig

    with pytest.raises(ValueError, match="do not apply to the baselines"):
        BaselineConfig(opponent="reward-inference")
    assert BaselineConfig().opponent == "behaviour-cloning"  # the inherited default is fine
