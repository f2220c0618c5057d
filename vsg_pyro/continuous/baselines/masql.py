"""A MASQL-style ablation of MAI: soft actor-critic with a centralised critic and an
*unconditional* stochastic policy ``pi_i(a_i | s)`` (a tanh-squashed Gaussian on the action
box), and no opponent model (``a_-i`` from the batch), under MAI's ``beta`` schedule.  This is
the paper's reading of MASQL as "MAI without opponent modelling", not Wei et al.'s SVGD
sampler."""

from __future__ import annotations

import torch

from vsg_pyro.continuous.baselines.agent import BaselineAgent, actor_input
from vsg_pyro.continuous.transition_buffer import TransitionBatch
from vsg_pyro.guides.neural import GaussianHead, squashed_mode

__all__ = ["MASQLAgent"]


class MASQLAgent(BaselineAgent):
    """Agent ``index`` of the MASQL-style baseline (module docstring)."""

    algo = "masql"
    centralised_critic = True

    def make_actor(self, state_in: int, action_dim: int) -> torch.nn.Module:
        """A squashed-Gaussian head on the agent's action box."""
        return GaussianHead(state_in, action_dim, self.low, self.high, self.config.hidden)

    def deterministic(self, states: torch.Tensor, target: bool = False) -> torch.Tensor:
        """The policy's (or the target policy's) squashed mode."""
        net = self.actor_target if target else self.actor
        return squashed_mode(net(actor_input(states)))

    def act(self, state: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """A draw of the policy (from torch's global generator; ``generator`` unused)."""
        with torch.no_grad():
            s = state.reshape(1, -1).float()
            return self.actor(actor_input(s)).sample()[0]

    def actor_loss(self, batch: TransitionBatch, beta: float) -> torch.Tensor:
        """``E[log pi(a_i | s) - beta Q(s, a_i, a_-i)]``, ``a_i`` reparameterised."""
        joint = batch.actions.clone()
        d = self.actor(actor_input(batch.states))
        own = d.rsample()
        joint[:, self.own] = own
        return (d.log_prob(own) - beta * self.q(batch.states, joint)).mean()
