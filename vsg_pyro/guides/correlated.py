"""Guides of the correlated-equilibrium programs (:mod:`vsg_pyro.models.correlated`).

* :class:`SignalPolicyGuide`: agent ``i``'s policy given its observation of the signal,
  ``pi_i(a_i | m, o_i)`` (factorized) or ``pi_i(a_i | m, o_i, a_-i)`` (conditional), a tabular
  softmax with parameter ``"{agent}/signal_policy_logits"`` ``(M, K_i, A_i)`` or
  ``(M, K_i, *J)``; the signal and the opponents' actions follow their current (exact)
  distributions, so their KL terms vanish.
* :class:`SignalGuide`: the signal distribution ``sigma(omega | m)`` itself, parameter
  ``"{mediator}/signal_logits"`` ``(M, W)``.

Both record the probability of every parameter cell under the guide at each call (detached),
the diagonal preconditioner of :func:`vsg_pyro.infer.natural_gradient.natural_gradient`, so that one SVI step
is eq. (4) (agents) or the mediator's mirror step.
"""

from __future__ import annotations

import pyro
import pyro.distributions as dist
import torch
from pyro.ops.indexing import Vindex

from vsg_pyro.core.joint import joint_axis
from vsg_pyro.guides.tabular_logits import TabularLogits
from vsg_pyro.models.correlated import (
    CorrelatedInputs,
    MediatorInputs,
    sample_signal_and_opponents,
    signal_site,
)
from vsg_pyro.models.nash import action_site, plate_name

__all__ = ["SignalPolicyGuide", "SignalGuide"]

_ENUM = {"enumerate": "parallel"}


class SignalPolicyGuide(TabularLogits):
    """Agent ``agent_name``'s guide for :func:`~vsg_pyro.models.correlated.correlated_agent_model`.

    Args:
        agent_name, agent, action_counts: the agent's name, index and ``J``.
        observations: ``K_i``; rows: ``M``; family: ``"factorized"`` or ``"conditional"``.
        init_logits: initial logits of the family's shape (default zeros).
    """

    def __init__(
        self,
        agent_name: str,
        agent: int,
        action_counts: tuple[int, ...],
        observations: int,
        rows: int,
        family: str = "factorized",
        init_logits: torch.Tensor | None = None,
    ) -> None:
        if family not in ("conditional", "factorized"):
            raise ValueError(f"family: must be 'conditional' or 'factorized', got {family!r}")
        self.agent_name, self.agent, self.family = agent_name, agent, family
        self.action_counts = tuple(action_counts)
        shape = (rows, observations, *self.action_counts) if family == "conditional" else (
            rows, observations, self.action_counts[agent])
        self._init_logits(shape, init_logits)

    @property
    def policy_param_name(self) -> str:
        return f"{self.agent_name}/signal_policy_logits"

    def param_names(self) -> list[str]:
        return [self.policy_param_name]

    def _axis(self) -> int:
        n = len(self.action_counts)
        return joint_axis(self.agent, n) if self.family == "conditional" else -1

    def log_policy(self) -> torch.Tensor:
        """Normalised ``log pi_i`` (detached), the family's shape."""
        return torch.log_softmax(pyro.param(self.policy_param_name, self._init.clone()).detach(),
                                 dim=self._axis())

    def __call__(self, inputs: CorrelatedInputs) -> None:
        name = inputs.name
        if name != self.agent_name:
            raise ValueError(f"inputs: for agent {name!r}, but this guide is {self.agent_name!r}")
        logits = pyro.param(self.policy_param_name, self._init.clone())
        rows = torch.arange(inputs.rows)
        with pyro.plate(plate_name(name), inputs.rows):
            omega, acts = sample_signal_and_opponents(inputs, _ENUM)
            obs = inputs.observations[self.agent][omega]
            if self.family == "conditional":
                index = [acts.get(j, slice(None)) for j in range(len(self.action_counts))]
                own_logits = Vindex(logits)[(rows, obs, *index)]
            else:
                own_logits = Vindex(logits)[rows, obs, :]
            pyro.sample(action_site(name), dist.Categorical(logits=own_logits), infer=_ENUM)
        pi = torch.softmax(logits.detach(), dim=self._axis())
        w = inputs.observation_weights.reshape(*inputs.observation_weights.shape,
                                               *([1] * (pi.ndim - 2)))
        if self.family == "conditional":
            self._fisher[self.policy_param_name] = w * inputs.opponent_model * pi
        else:
            self._fisher[self.policy_param_name] = w * pi


class SignalGuide(TabularLogits):
    """The mediator's guide: ``omega ~ sigma(. | m)`` with learnable logits ``(M, W)``."""

    def __init__(self, name: str, rows: int, signals: int,
                 init_logits: torch.Tensor | None = None) -> None:
        self.agent_name = name  # the natural-gradient optimiser finds parameters by this prefix
        self._init_logits((rows, signals), init_logits)

    @property
    def param_name(self) -> str:
        return f"{self.agent_name}/signal_logits"

    def param_names(self) -> list[str]:
        return [self.param_name]

    def log_signal(self) -> torch.Tensor:
        """Normalised ``log sigma`` ``(M, W)`` (detached)."""
        return torch.log_softmax(pyro.param(self.param_name, self._init.clone()).detach(), -1)

    def __call__(self, inputs: MediatorInputs) -> None:
        logits = pyro.param(self.param_name, self._init.clone())
        with pyro.plate(plate_name(inputs.name), logits.shape[0]):
            pyro.sample(signal_site(inputs.name), dist.Categorical(logits=logits), infer=_ENUM)
        self._fisher[self.param_name] = torch.softmax(logits.detach(), -1)

