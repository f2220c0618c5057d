"""Baselines for MAI in the same harness (the paper's Figure 2): independent DDPG, MADDPG and a
MASQL-style ablation.  Plain torch (they are not inference programs); same replay buffer,
episodes, batch sizes and metrics as :func:`vsg_pyro.mai.train_mai`.

* ``"ddpg"`` (independent DDPG, Lillicrap et al. 2016): a deterministic actor ``mu_i(s)`` and a
  critic ``Q_i(s, a_i)`` of the agent's own action only; Gaussian exploration noise.
* ``"maddpg"`` (Lowe et al. 2017): the same actors with a centralised critic
  ``Q_i(s, a_1, ..., a_N)``; the actor gradient uses the other agents' actions from the batch,
  the critic target the target actors' actions.
* ``"masql"``: soft actor-critic with a centralised critic and an *unconditional* stochastic
  policy ``pi_i(a_i | s)``, and no opponent model (``a_-i`` from the batch), under the same
  ``beta`` schedule as MAI.  This is the paper's reading of MASQL as "MAI without opponent
  modelling", not Wei et al.'s SVGD sampler.

With ``gamma > 0`` every critic bootstraps from the target actors' deterministic actions, with
no entropy term (for ``masql`` not a soft target); the paper's two experiments use
``gamma = 0``.

Shapes: states ``(B, state_dim)``, joint actions ``(B, sum_i d_i)``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import torch

from vsg_pyro.episode_loop import run_episodes
from vsg_pyro.games.continuous import ContinuousGame
from vsg_pyro.guides.neural import GaussianHead, mlp, squashed_mode
from vsg_pyro.mai import MAIConfig, MAIResult

__all__ = ["BASELINES", "BaselineConfig", "train_baseline"]

BASELINES = ("ddpg", "maddpg", "masql")


@dataclass
class BaselineConfig(MAIConfig):
    """:class:`~vsg_pyro.mai.MAIConfig` plus ``noise``: the DDPG exploration standard deviation
    as a fraction of the action box's half-width."""

    noise: float = 0.1


def _soft_update(net: torch.nn.Module, target: torch.nn.Module, tau: float) -> None:
    with torch.no_grad():
        for p, t in zip(net.parameters(), target.parameters(), strict=True):
            t.mul_(1 - tau).add_(tau * p)


def _input(states: torch.Tensor) -> torch.Tensor:
    return states if states.shape[-1] else torch.zeros(*states.shape[:-1], 1)


class _Agent:
    def __init__(self, game: ContinuousGame, index: int, algo: str, config: BaselineConfig) -> None:
        self.algo, self.config, self.index = algo, config, index
        dims = game.action_dims
        self.own = slice(sum(dims[:index]), sum(dims[: index + 1]))
        self.low, self.high = game.lows[index].float(), game.highs[index].float()
        s_in = max(game.state_dim, 1)
        critic_in = game.state_dim + (dims[index] if algo == "ddpg" else sum(dims))
        self.critic = mlp([critic_in, *config.hidden, 1])
        self.critic_target = copy.deepcopy(self.critic)
        self.critic_optim = torch.optim.Adam(self.critic.parameters(), lr=config.critic_lr)
        if algo == "masql":
            self.actor = GaussianHead(s_in, dims[index], self.low, self.high, config.hidden)
        else:
            self.actor = mlp([s_in, *config.hidden, dims[index]])
        self.actor_target = copy.deepcopy(self.actor)
        self.actor_optim = torch.optim.Adam(self.actor.parameters(), lr=config.actor_lr)

    def state_dict(self) -> dict:
        return {"actor": self.actor.state_dict(), "actor_target": self.actor_target.state_dict(),
                "critic": self.critic.state_dict(), "critic_target": self.critic_target.state_dict()}

    def deterministic(self, states: torch.Tensor, target: bool = False) -> torch.Tensor:
        net = self.actor_target if target else self.actor
        if self.algo == "masql":
            return squashed_mode(net(_input(states)))
        centre, half = (self.high + self.low) / 2, (self.high - self.low) / 2
        return centre + half * torch.tanh(net(_input(states)))

    def act(self, state: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        with torch.no_grad():
            s = state.reshape(1, -1).float()
            if self.algo == "masql":
                return self.actor(_input(s)).sample()[0]
            a = self.deterministic(s)[0]
            half = (self.high - self.low) / 2
            noise = torch.randn(a.shape, generator=generator) * self.config.noise * half
            return torch.minimum(torch.maximum(a + noise, self.low), self.high)

    def q(self, states, joint, target=False):
        net = self.critic_target if target else self.critic
        actions = joint[:, self.own] if self.algo == "ddpg" else joint
        return net(torch.cat([states, actions], -1)).squeeze(-1)


def _update(agents: list[_Agent], batch, beta: float, config: BaselineConfig) -> float:
    losses = []
    with torch.no_grad():
        if config.gamma > 0:
            next_joint = torch.cat([a.deterministic(batch.next_states, target=True) for a in agents], -1)
    for a in agents:
        target = batch.rewards[:, a.index]
        if config.gamma > 0:
            with torch.no_grad():
                target = target + config.gamma * (1 - batch.done) * a.q(batch.next_states, next_joint,
                                                                         target=True)
        loss = ((a.q(batch.states, batch.actions) - target) ** 2).mean()
        a.critic_optim.zero_grad()
        loss.backward()
        a.critic_optim.step()
        losses.append(loss.item())
        # actor
        joint = batch.actions.clone()
        if a.algo == "masql":
            d = a.actor(_input(batch.states))
            own = d.rsample()
            joint[:, a.own] = own
            actor_loss = (d.log_prob(own) - beta * a.q(batch.states, joint)).mean()
        else:
            joint[:, a.own] = a.deterministic(batch.states)
            actor_loss = -a.q(batch.states, joint).mean()
        a.actor_optim.zero_grad()
        actor_loss.backward()
        a.actor_optim.step()
        _soft_update(a.critic, a.critic_target, config.tau)
        _soft_update(a.actor, a.actor_target, config.tau)
    return sum(losses) / len(losses)


def train_baseline(
    game: ContinuousGame,
    algo: str,
    config: BaselineConfig | None = None,
    callback: Callable[[dict, list], None] | None = None,
) -> MAIResult:
    """Train baseline ``algo`` (one of :data:`BASELINES`); metrics as :func:`~vsg_pyro.mai.train_mai`
    (``eval_reward``: every agent's deterministic action)."""
    if algo not in BASELINES:
        raise ValueError(f"algo: must be one of {BASELINES}, got {algo!r}")
    config = config or BaselineConfig()
    torch.manual_seed(config.seed)
    gen = torch.Generator().manual_seed(config.seed)
    agents = [_Agent(game, i, algo, config) for i in range(game.n_agents)]

    def evaluate(state: torch.Tensor) -> list[torch.Tensor]:
        with torch.no_grad():
            return [a.deterministic(state.reshape(1, -1).float())[0] for a in agents]

    metrics, seconds = run_episodes(
        game, config, agents, lambda s: [a.act(s, gen) for a in agents],
        lambda batch, beta: {"critic_loss": _update(agents, batch, beta, config),
                             "actor_loss": float("nan")},
        evaluate, gen, callback)
    return MAIResult(metrics, agents, config, seconds, {"algo": algo})
