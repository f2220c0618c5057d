"""What every baseline agent of :mod:`vsg_pyro.continuous.baselines` shares: a critic and its
target copy, an actor and its target copy, their Adam optimisers, and the critic's input.

A subclass sets :attr:`BaselineAgent.algo` and :attr:`BaselineAgent.centralised_critic` (the
critic sees every agent's action, ``Q_i(s, a_1, ..., a_N)``, or only its own, ``Q_i(s, a_i)``)
and implements :meth:`~BaselineAgent.make_actor`, :meth:`~BaselineAgent.deterministic`,
:meth:`~BaselineAgent.act` and :meth:`~BaselineAgent.actor_loss`.  The networks are built in
one order for every baseline (critic, then actor), so a seed fixes them.

Shapes: states ``(B, state_dim)``, joint actions ``(B, sum_i d_i)``.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod

import torch

from vsg_pyro.continuous.baselines.config import BaselineConfig
from vsg_pyro.continuous.transition_buffer import TransitionBatch
from vsg_pyro.games.continuous_base import ContinuousGame
from vsg_pyro.guides.neural import mlp

__all__ = ["BaselineAgent", "actor_input", "soft_update"]


def actor_input(states: torch.Tensor) -> torch.Tensor:
    """The actors' input: the states, or one zero feature per state in a stateless game."""
    return states if states.shape[-1] else torch.zeros(*states.shape[:-1], 1)


def soft_update(net: torch.nn.Module, target: torch.nn.Module, tau: float) -> None:
    """Polyak averaging ``target <- (1 - tau) target + tau net``."""
    with torch.no_grad():
        for p, t in zip(net.parameters(), target.parameters(), strict=True):
            t.mul_(1 - tau).add_(tau * p)


class BaselineAgent(ABC):
    """Agent ``index`` of a baseline (module docstring)."""

    #: The baseline's name in :data:`~vsg_pyro.continuous.baselines.BASELINES`.
    algo: str
    #: Whether the critic sees the joint action (else only the agent's own).
    centralised_critic: bool

    def __init__(self, game: ContinuousGame, index: int, config: BaselineConfig) -> None:
        self.config, self.index = config, index
        dims = game.action_dims
        self.own = slice(sum(dims[:index]), sum(dims[: index + 1]))
        self.low, self.high = game.lows[index].float(), game.highs[index].float()
        s_in = max(game.state_dim, 1)
        critic_in = game.state_dim + (sum(dims) if self.centralised_critic else dims[index])
        self.critic = mlp([critic_in, *config.hidden, 1])
        self.critic_target = copy.deepcopy(self.critic)
        self.critic_optim = torch.optim.Adam(self.critic.parameters(), lr=config.critic_lr)
        self.actor = self.make_actor(s_in, dims[index])
        self.actor_target = copy.deepcopy(self.actor)
        self.actor_optim = torch.optim.Adam(self.actor.parameters(), lr=config.actor_lr)

    @abstractmethod
    def make_actor(self, state_in: int, action_dim: int) -> torch.nn.Module:
        """The actor network from ``state_in`` inputs to this agent's ``action_dim`` actions."""

    @abstractmethod
    def deterministic(self, states: torch.Tensor, target: bool = False) -> torch.Tensor:
        """The actor's (or the target actor's) deterministic actions ``(B, d_i)``."""

    @abstractmethod
    def act(self, state: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """The exploring action ``(d_i,)`` in ``state`` ``(state_dim,)``."""

    @abstractmethod
    def actor_loss(self, batch: TransitionBatch, beta: float) -> torch.Tensor:
        """The actor's loss on ``batch`` (the other agents' actions from the batch)."""

    def state_dict(self) -> dict:
        """Every network's parameters (for checkpoints)."""
        return {"actor": self.actor.state_dict(), "actor_target": self.actor_target.state_dict(),
                "critic": self.critic.state_dict(), "critic_target": self.critic_target.state_dict()}

    def q(self, states: torch.Tensor, joint: torch.Tensor, target: bool = False) -> torch.Tensor:
        """The critic (or its target) ``(B,)`` at ``states`` and the joint actions ``joint``."""
        net = self.critic_target if target else self.critic
        actions = joint if self.centralised_critic else joint[:, self.own]
        return net(torch.cat([states, actions], -1)).squeeze(-1)
