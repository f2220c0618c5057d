"""Independent DDPG (Lillicrap et al. 2016) as a baseline for MAI: a deterministic actor
``mu_i(s)``, tanh-squashed onto the agent's action box, and a critic ``Q_i(s, a_i)`` of the
agent's own action only; Gaussian exploration noise (``config.noise`` times the box's
half-width), clipped to the box."""

from __future__ import annotations

import torch

from vsg_pyro.continuous.baselines.agent import BaselineAgent, actor_input
from vsg_pyro.continuous.transition_buffer import TransitionBatch
from vsg_pyro.guides.neural import mlp

__all__ = ["DDPGAgent"]


class DDPGAgent(BaselineAgent):
    """Agent ``index`` of independent DDPG (module docstring)."""

    algo = "ddpg"
    centralised_critic = False

    def make_actor(self, state_in: int, action_dim: int) -> torch.nn.Module:
        """An MLP to the pre-squashing action."""
        return mlp([state_in, *self.config.hidden, action_dim])

    def deterministic(self, states: torch.Tensor, target: bool = False) -> torch.Tensor:
        """``centre + half_width * tanh(mu(s))``."""
        net = self.actor_target if target else self.actor
        centre, half = (self.high + self.low) / 2, (self.high - self.low) / 2
        return centre + half * torch.tanh(net(actor_input(states)))

    def act(self, state: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """The deterministic action plus Gaussian noise, clipped to the box."""
        with torch.no_grad():
            s = state.reshape(1, -1).float()
            a = self.deterministic(s)[0]
            half = (self.high - self.low) / 2
            noise = torch.randn(a.shape, generator=generator) * self.config.noise * half
            return torch.minimum(torch.maximum(a + noise, self.low), self.high)

    def actor_loss(self, batch: TransitionBatch, beta: float) -> torch.Tensor:
        """``-Q(s, mu(s), a_-i)``, averaged over the batch (``beta`` unused)."""
        joint = batch.actions.clone()
        joint[:, self.own] = self.deterministic(batch.states)
        return -self.q(batch.states, joint).mean()
