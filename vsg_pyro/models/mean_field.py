"""The representative agent's model of a mean-field game (§5.2) as a Pyro program.

Given the mean field ``L_t`` (an input, like the opponents' policies of Figure 1), the
representative agent acts under the *previous* policy as its prior (the relative-entropy prior
of §5.2) and its optimality enters as ``pyro.factor(beta * Q_t(s, a))`` with ``Q`` the soft
action value of eq. (11) (computed outside, detached, by
:func:`vsg_pyro.equilibria.mean_field.exact.soft_q`).  With the tabular time-dependent guide
:class:`vsg_pyro.guides.MeanFieldPolicyGuide` ``pi_t(a | s)``, the ELBO per row ``(t, s)`` is
``E_pi[beta Q] - KL(pi || pi_prior)``, maximised by eq. (12): ``pi ∝ pi_prior exp(beta Q)``.

Rows ``M = T * S`` are ``(t, s)`` pairs, time-major.
"""

from __future__ import annotations

from typing import NamedTuple

import pyro
import pyro.distributions as dist
import torch
from pyro.ops.indexing import Vindex

from vsg_pyro.models.nash import action_site, plate_name

__all__ = ["MeanFieldInputs", "mean_field_model"]


class MeanFieldInputs(NamedTuple):
    """``name`` (the agent's, for sites and parameters), ``q`` ``(M, A)`` soft action values,
    ``log_prior`` ``(M, A)`` the previous policy, ``beta``."""

    name: str
    q: torch.Tensor
    log_prior: torch.Tensor
    beta: float


def mean_field_model(inputs: MeanFieldInputs) -> None:
    """``a ~ pi_prior(. | t, s)`` per row, ``factor(beta * Q_t(s, a))``."""
    rows = inputs.q.shape[0]
    with pyro.plate(plate_name(inputs.name), rows):
        a = pyro.sample(action_site(inputs.name), dist.Categorical(logits=inputs.log_prior))
        pyro.factor(f"{inputs.name}/optimality",
                    inputs.beta * Vindex(inputs.q)[torch.arange(rows), a])
