"""Agent i's one-step model for continuous actions (MAI, Algorithm 2, eqs. 8-10).

For a batch of states (a ``pyro.plate``), the opponents act under ``P(a_-i | s)`` (agent i's
estimate of their behaviour, e.g. fitted to the replay buffer), agent i acts under a uniform
prior on its action box, and optimality enters as ``pyro.factor(beta * Q_omega(s, a_i, a_-i))``
with the soft critic ``Q_omega`` of eq. (9).  With the guide
``q = rho_phi(a_-i | s) pi_theta(a_i | s, a_-i)`` (:class:`vsg_pyro.guides.neural.ContinuousAgentGuide`)
the ELBO per state is

    E_q[beta Q] + H(pi_theta) - KL(rho_phi || P) - log |box|,

eq. (3) with ``Q`` in place of the return.  Its gradient in ``theta`` under reparameterisation
(``a_i = f_theta(eps; s, a_-i)``) is minus eq. (10) in units of ``beta``:

    grad_theta J = E[grad_theta log pi(a | s, a_-i)
                     + (grad_a log pi(a | s, a_-i) - beta grad_a Q(s, a, a_-i)) grad_theta f],

so one ``Trace_ELBO`` SVI step is MAI's actor (and opponent-model) update (tested to 1e-5).
Shapes: states ``(B, state_dim)``, actions ``(B, own_dim)`` and ``(B, others_dim)``; ``Q``
``(B,)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pyro
import pyro.distributions as dist
import torch
from pyro import poutine
from torch.distributions import constraints

__all__ = ["ContinuousInputs", "BoxPrior", "continuous_agent_model", "own_action_site",
           "opponent_action_site", "optimality_site", "plate_name"]


def own_action_site(name: str) -> str:
    return f"{name}/action"


def opponent_action_site(name: str) -> str:
    return f"{name}/opponents"


def optimality_site(name: str) -> str:
    return f"{name}/optimality"


def plate_name(name: str) -> str:
    return f"{name}/states"


class BoxPrior(dist.TorchDistribution):
    """The uniform prior on ``[low, high]`` (one event of ``action_dim``), with a constant
    log-density ``-log |box|`` everywhere: a squashed sample on the boundary (float32 ``tanh``
    saturates) keeps a finite density."""

    arg_constraints: dict = {}
    has_rsample = True

    def __init__(self, low: torch.Tensor, high: torch.Tensor, batch_shape=(),
                 validate_args=None) -> None:
        self.low, self.high = low, high
        super().__init__(torch.Size(batch_shape), low.shape, validate_args=False)

    @constraints.dependent_property
    def support(self):
        return constraints.independent(constraints.interval(self.low, self.high), 1)

    def expand(self, batch_shape, _instance=None):
        return BoxPrior(self.low, self.high, batch_shape)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(torch.Size(sample_shape))
        return self.low + (self.high - self.low) * torch.rand(shape, dtype=self.low.dtype)

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        volume = torch.log(self.high - self.low).sum()
        return torch.zeros(value.shape[:-1], dtype=value.dtype) - volume


class ContinuousInputs(NamedTuple):
    """Inputs of :func:`continuous_agent_model`.

    Args:
        name: agent i's name (prefix of every site).
        states: ``(B, state_dim)``.
        critic: ``(states, own (B, own_dim), others (B, others_dim)) -> Q (B,)``.
        opponent_prior: ``states -> distribution over (B, others_dim)``, ``P(a_-i | s)``.  It
            is an input, not learned by SVI: parameters it reads are hidden from the trace.
        low, high: agent i's action box ``(own_dim,)``.
        beta: inverse temperature (the entropy weight is ``1 / beta``).
    """

    name: str
    states: torch.Tensor
    critic: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
    opponent_prior: Callable[[torch.Tensor], dist.Distribution]
    low: torch.Tensor
    high: torch.Tensor
    beta: float


def continuous_agent_model(inputs: ContinuousInputs) -> None:
    """Agent i's model (module docstring)."""
    name, states = inputs.name, inputs.states
    with poutine.block(hide_types=["param"]):  # P is fitted elsewhere (maximum likelihood)
        prior = inputs.opponent_prior(states)
    with pyro.plate(plate_name(name), states.shape[0]):
        others = pyro.sample(opponent_action_site(name), prior)
        own = pyro.sample(own_action_site(name), BoxPrior(inputs.low, inputs.high))
        pyro.factor(optimality_site(name), inputs.beta * inputs.critic(states, own, others))

