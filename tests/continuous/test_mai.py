"""MAI pieces (Algorithm 2, eqs. 8-10): squashed-Gaussian guides, the one-step continuous
model, the actor gradient against eq. (10) by hand, the differential game, the buffer."""

import math

import pyro
import pytest
import torch
from pyro import poutine
from pyro.infer import Trace_ELBO

from vsg_pyro.continuous.mai import MAIConfig, train_mai
from vsg_pyro.continuous.transition_buffer import ContinuousTransitionBuffer
from vsg_pyro.games.continuous import differential_game
from vsg_pyro.guides.neural import (
    ConditionalPolicy,
    ContinuousAgentGuide,
    OpponentModel,
    mlp,
    squashed_gaussian,
)
from vsg_pyro.models.continuous import (
    BoxPrior,
    ContinuousInputs,
    continuous_agent_model,
    opponent_action_site,
    own_action_site,
)


@pytest.fixture
def float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def test_squashed_gaussian_log_density_is_the_change_of_variables(float64):
    low, high = torch.tensor([-10.0, 0.0]), torch.tensor([10.0, 1.0])
    mu, log_std = torch.tensor([[0.3, -1.0]]), torch.tensor([[0.2, -0.5]])
    d = squashed_gaussian(mu, log_std, low, high)
    a = d.rsample(torch.Size([1000]))
    assert ((a > low) & (a < high)).all()
    u = torch.atanh((a - (high + low) / 2) / ((high - low) / 2))
    normal = torch.distributions.Normal(mu, log_std.exp())
    by_hand = (normal.log_prob(u) - torch.log1p(-torch.tanh(u) ** 2)
               - torch.log((high - low) / 2)).sum(-1)
    assert torch.allclose(d.log_prob(a), by_hand, atol=1e-8)
    # it integrates to one (1-d case, trapezoid on a fine grid)
    one = squashed_gaussian(torch.tensor([[0.5]]), torch.tensor([[0.0]]), low[:1], high[:1])
    grid = torch.linspace(-10 + 1e-9, 10 - 1e-9, 200_001).reshape(-1, 1, 1)
    assert torch.trapezoid(one.log_prob(grid).exp().reshape(-1), grid.reshape(-1)).item() == \
        pytest.approx(1.0, abs=1e-4)
    # scoring the boundary (float32 tanh saturates there) stays finite
    assert torch.isfinite(d.log_prob(high.reshape(1, 2)))
    assert d.has_rsample


def test_box_prior_density_is_constant():
    prior = BoxPrior(torch.tensor([-10.0]), torch.tensor([10.0])).expand([5])
    x = prior.sample()
    assert x.shape == (5, 1) and ((x >= -10) & (x <= 10)).all()
    assert torch.allclose(prior.log_prob(torch.tensor([[10.0]] * 5)), torch.full((5,), -math.log(20)))


def _setup(beta=0.7):
    torch.manual_seed(0)
    low, high = -10 * torch.ones(1), 10 * torch.ones(1)
    policy = ConditionalPolicy(2, 1, 1, low, high, init_log_std=-0.5)
    opponent = OpponentModel(2, 1, low, high)
    guide = ContinuousAgentGuide("a0", policy, opponent)
    qnet = mlp([4, 32, 1])

    def critic(s, a, o):
        return qnet(torch.cat([s, a, o], -1)).squeeze(-1)

    def prior(s):
        return squashed_gaussian(torch.zeros(s.shape[0], 1), torch.zeros(s.shape[0], 1), low, high)

    inputs = ContinuousInputs("a0", torch.randn(8, 2), critic, prior, low, high, beta)
    return policy, opponent, guide, critic, prior, inputs


def test_svi_actor_gradient_is_eq_10(float64):
    """The Trace_ELBO gradient in theta equals eq. (10) by hand, with the same noise eps:
    E[grad log pi(a | s, a_-i) + (grad_a log pi - beta grad_a Q) grad_theta f(eps; s, a_-i)]."""
    policy, opponent, guide, critic, prior, inputs = _setup()
    params = list(policy.parameters())
    pyro.set_rng_seed(1)
    loss = Trace_ELBO().differentiable_loss(continuous_agent_model, guide, inputs)
    svi_grad = torch.autograd.grad(loss, params)

    pyro.set_rng_seed(1)
    tr = poutine.trace(guide).get_trace(inputs)
    a = tr.nodes[own_action_site("a0")]["value"].detach()
    others = tr.nodes[opponent_action_site("a0")]["value"].detach()
    states = inputs.states
    centre, half = (inputs.high + inputs.low) / 2, (inputs.high - inputs.low) / 2
    base = policy(states, others).base_dist.base_dist
    eps = ((torch.atanh((a - centre) / half) - base.loc) / base.scale).detach()
    term1 = torch.autograd.grad(policy(states, others).log_prob(a).sum(), params)
    a_var = a.clone().requires_grad_(True)
    score = policy(states, others).log_prob(a_var).sum() - inputs.beta * critic(states, a_var, others).sum()
    direction = torch.autograd.grad(score, a_var)[0]
    base = policy(states, others).base_dist.base_dist
    f = centre + half * torch.tanh(base.loc + base.scale * eps)  # a = f_theta(eps; s, a_-i)
    term2 = torch.autograd.grad((f * direction).sum(), params)
    for g, t1, t2 in zip(svi_grad, term1, term2, strict=True):
        assert (g - (t1 + t2)).abs().max().item() < 1e-5 * max(1.0, g.abs().max().item())


def test_elbo_is_eq_3_with_the_critic(float64):
    """One sample: -loss = beta Q + log U(a_i) + log P(a_-i) - log pi - log rho, summed over the
    plate (E[beta Q] + H(pi) - KL(rho || P) - log|box| in expectation)."""
    policy, opponent, guide, critic, prior, inputs = _setup(beta=1.3)
    pyro.set_rng_seed(3)
    loss = Trace_ELBO().loss(continuous_agent_model, guide, inputs)
    pyro.set_rng_seed(3)
    tr = poutine.trace(guide).get_trace(inputs)
    a = tr.nodes[own_action_site("a0")]["value"]
    o = tr.nodes[opponent_action_site("a0")]["value"]
    s = inputs.states
    elbo = (1.3 * critic(s, a, o) - math.log(20) + prior(s).log_prob(o)
            - policy(s, o).log_prob(a) - opponent(s).log_prob(o)).sum()
    assert -loss == pytest.approx(elbo.item(), rel=1e-9)


def test_differential_game_rewards():
    game = differential_game()
    t = torch.tensor
    assert game.reward(t(5.0), t(5.0)).item() == 10.0
    assert game.reward(t(-5.0), t(-5.0)).item() == 0.0
    assert game.reward(t(0.0), t(0.0)).item() == pytest.approx(0.8 * -2 * 25 / 9)
    div3 = differential_game("divide_by_3")
    assert div3.reward(t(0.0), t(0.0)).item() == pytest.approx(0.8 * -2 * 25 / 3)
    _, r, done = game.step(game.reset(), [t([5.0]), t([5.0])])
    assert r.tolist() == [10.0, 10.0] and not done
    with pytest.raises(ValueError, match="variant"):
        differential_game("other")


def test_transition_buffer():
    buf = ContinuousTransitionBuffer(3, 1, 2, 2)
    for k in range(5):
        buf.add([k], [k, -k], [1.0, 2.0], [k + 1], k == 4)
    assert len(buf) == 3 and sorted(buf.states.reshape(-1).tolist()) == [2.0, 3.0, 4.0]
    batch = buf.sample(10, torch.Generator().manual_seed(0))
    assert batch.actions.shape == (10, 2) and set(batch.done.tolist()) <= {0.0, 1.0}
    with pytest.raises(ValueError):
        ContinuousTransitionBuffer(3, 1, 2, 2).sample(1)


def test_mai_is_reproducible_and_names_parameters_per_agent():
    """Same seed, same run (bitwise, every metric but the wall time); another seed, another
    run; every agent's guide parameters carry its name."""
    def metrics(seed):
        res = train_mai(differential_game(episode_length=5),
                        MAIConfig(episodes=3, learning_starts=4, batch_size=8, seed=seed))
        return [{k: v for k, v in m.items() if k != "seconds"} for m in res.metrics]

    first, again, other = metrics(0), metrics(0), metrics(1)
    assert first == again and first != other
    assert [m["episode"] for m in first] == [0, 1, 2]
    assert all(math.isfinite(m["reward"]) and math.isfinite(m["eval_reward"]) for m in first)
    names = list(pyro.get_param_store().keys())
    assert any(n.startswith("agent0/guide.") for n in names)
    assert any(n.startswith("agent1/guide.") for n in names)
    with pytest.raises(ValueError, match="gamma"):
        MAIConfig(gamma=1.0)


def test_mai_parameters_are_namespaced_and_svi_leaves_the_opponent_prior_alone():
    """Every parameter in the store belongs to one agent's guide or opponent prior; the SVI step
    (actor + opponent model) does not move P, which only its maximum-likelihood step fits."""
    from vsg_pyro.continuous.mai import MAIAgent

    game = differential_game(episode_length=5)
    cfg = MAIConfig(episodes=1, learning_starts=4, batch_size=8)
    agents = [MAIAgent(game, i, cfg) for i in range(2)]
    buf = ContinuousTransitionBuffer(50, 0, 2, 2)
    for k in range(20):
        buf.add(torch.zeros(0), torch.tensor([k / 4.0, -k / 4.0]), torch.zeros(2), torch.zeros(0), False)
    batch = buf.sample(8, torch.Generator().manual_seed(0))
    prior_before = [p.detach().clone() for p in agents[1].prior.parameters()]
    agents[1].svi.step(agents[1].inputs(batch.states, 1.0))
    assert all(torch.equal(a, b.detach()) for a, b in zip(prior_before, agents[1].prior.parameters(),
                                                             strict=True))
    agents[1].update(batch, 1.0)
    assert any(not torch.equal(a, b.detach()) for a, b in zip(prior_before, agents[1].prior.parameters(),
                                                                 strict=True))
    names = list(pyro.get_param_store().keys())
    assert names and all(n.split(".")[0] in {"agent0/guide", "agent1/guide", "agent0/prior",
                                             "agent1/prior"} for n in names)


def test_mai_runs_are_reproducible_in_one_process():
    cfg = MAIConfig(episodes=3, learning_starts=4, batch_size=8, seed=2)
    first = train_mai(differential_game(episode_length=5), cfg).metrics
    second = train_mai(differential_game(episode_length=5), cfg).metrics
    assert [m["eval_reward"] for m in first] == [m["eval_reward"] for m in second]
