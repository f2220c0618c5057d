"""The representative agent's guide for :func:`vsg_pyro.models.mean_field.mean_field_model`:
a tabular, time-dependent softmax policy ``pi_t(a | s)``, parameter ``"{name}/policy_logits"``
``(M, A)`` over rows ``M = T * S``, with the natural-gradient preconditioner recorded (so one
SVI step with rate ``alpha`` is ``pi <- pi^(1 - alpha) (pi_prior exp(beta Q))^alpha / Z``)."""

from __future__ import annotations

import pyro
import pyro.distributions as dist
import torch

from vsg_pyro.guides.tabular_logits import TabularLogits
from vsg_pyro.models.mean_field import MeanFieldInputs
from vsg_pyro.models.nash import action_site, plate_name

__all__ = ["MeanFieldPolicyGuide"]


class MeanFieldPolicyGuide(TabularLogits):
    """``name``: the agent's name; ``rows``/``actions``: ``M``, ``A``; ``init_logits`` ``(M, A)``."""

    def __init__(self, name: str, rows: int, actions: int,
                 init_logits: torch.Tensor | None = None) -> None:
        self.agent_name = name
        self._init_logits((rows, actions), init_logits)

    @property
    def param_name(self) -> str:
        return f"{self.agent_name}/policy_logits"

    def param_names(self) -> list[str]:
        return [self.param_name]

    def policy(self) -> torch.Tensor:
        """``pi`` ``(M, A)`` (detached)."""
        return torch.softmax(pyro.param(self.param_name, self._init.clone()).detach(), -1)

    def __call__(self, inputs: MeanFieldInputs) -> None:
        logits = pyro.param(self.param_name, self._init.clone())
        with pyro.plate(plate_name(inputs.name), logits.shape[0]):
            pyro.sample(action_site(inputs.name), dist.Categorical(logits=logits),
                        infer={"enumerate": "parallel"})
        self._fisher[self.param_name] = torch.softmax(logits.detach(), -1)
