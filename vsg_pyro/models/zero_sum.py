"""Two-player zero-sum games (§5.4): agent i's model of its opponent's soft response.

In a zero-sum game ``r_-i = -r_i``, so ``log P(O^-i | s, a) = -log P(O^i | s, a)``: agent ``i``
knows the opponent's objective and needs no reward estimation (Table 1: no opponent model to
learn).  The opponent's optimal policy given ``pi_i`` is the posterior of a Pyro program in which
the opponent acts under a prior, agent ``i`` acts by its current policy, and the opponent's
optimality enters as ``pyro.factor(-beta * Q_i)``:

    p*(a_-i | s) ∝ prior(a_-i | s) exp(-beta E_{a_i ~ pi_i}[Q_i(s, a_i, a_-i)])      (§5.4).

:func:`opponent_response_model` is that program with the prior and temperature of the
*predicted opponent step*: prior ``∝ pi_bar_-i^(1 - alpha) pi0_-i^alpha`` and factor
``-alpha * beta * Q_i``, so its posterior is the opponent's own eq. (4) step
(``alpha = 1``: the paper's formula with prior ``pi0_-i``).  :func:`opponent_response` computes
that posterior exactly with ``TraceEnum_ELBO.compute_marginals``; it equals the closed form
:func:`vsg_pyro.equilibria.zero_sum.response.zero_sum_response` used by the solvers (tested).  Agent ``i``
then takes its own step on :func:`vsg_pyro.models.nash.nash_model` with ``p*`` as the guide's
opponent model.

Shapes: ``M`` rows (states, or (t, s) pairs), ``J = (A_0, A_1)``.
"""

from __future__ import annotations

from typing import NamedTuple

import pyro
import pyro.distributions as dist
import torch
from pyro.infer import TraceEnum_ELBO, config_enumerate
from pyro.ops.indexing import Vindex

from vsg_pyro.models.nash import plate_name

__all__ = ["ZeroSumInputs", "opponent_response_model", "opponent_response", "response_site"]


def response_site(agent_name: str, other_name: str) -> str:
    """Site of the opponent's action in agent ``agent_name``'s response program."""
    return f"{agent_name}/response/{other_name}"


class ZeroSumInputs(NamedTuple):
    """Inputs of agent ``i``'s opponent-response program.

    Attributes:
        agent: ``i`` (0 or 1); ``agent_names``: both names.
        q: ``(M, A_0, A_1)`` agent ``i``'s action values ``Q_i`` (Definition 5.1, detached).
        policy: ``(M, A_0, A_1)`` agent ``i``'s policy ``pi_i(a_i | s, a_-i)`` (a factorized
            policy repeated along the opponent's axis), normalised along ``i``'s axis.
        opponent_policy: ``(M, A_-i)`` the opponent's current executed policy ``pi_bar_-i``.
        opponent_log_prior: ``(M, A_-i)`` the opponent's log prior ``log pi0_-i``.
        beta: inverse temperature; ``alpha``: the step in (0, 1].
    """

    agent: int
    agent_names: tuple[str, str]
    q: torch.Tensor
    policy: torch.Tensor
    opponent_policy: torch.Tensor
    opponent_log_prior: torch.Tensor
    beta: float
    alpha: float

    @property
    def other(self) -> int:
        return 1 - self.agent


def opponent_response_model(inputs: ZeroSumInputs) -> None:
    """Agent ``i``'s program for its opponent (module docstring).  One latent site, the
    opponent's action ``response_site(i, -i)`` in the plate ``plate_name(i)``, and the factor
    ``-alpha * beta * E_{a_i ~ pi_i}[Q_i]``.

    Agent ``i``'s action is averaged *inside* the factor, not sampled as a second latent: the
    opponent does not see ``a_i`` when it acts.  (A latent ``a_i`` would give the optimistic
    posterior ``∝ prior * E_{pi_i}[exp(-beta Q_i)]`` of control as inference, not §5.4's
    response.)"""
    i, j = inputs.agent, inputs.other
    name, other = inputs.agent_names[i], inputs.agent_names[j]
    a = inputs.alpha
    prior_logits = (1.0 - a) * torch.log(inputs.opponent_policy.clamp_min(1e-300)) + (
        a * inputs.opponent_log_prior)
    q_bar = (inputs.policy * inputs.q).sum(1 + i)  # (M, A_-i): E_{a_i ~ pi_i(. | s, a_-i)} Q_i
    rows = torch.arange(q_bar.shape[0])
    with pyro.plate(plate_name(name), q_bar.shape[0]):
        opp = pyro.sample(response_site(name, other), dist.Categorical(logits=prior_logits))
        pyro.factor(f"{name}/opponent_optimality", -a * inputs.beta * Vindex(q_bar)[rows, opp])


def opponent_response(inputs: ZeroSumInputs) -> torch.Tensor:
    """The exact posterior ``p*(a_-i | s)`` ``(M, A_-i)`` of :func:`opponent_response_model`
    (enumeration, ``TraceEnum_ELBO.compute_marginals``)."""
    model = config_enumerate(opponent_response_model, "parallel")
    site = response_site(inputs.agent_names[inputs.agent], inputs.agent_names[inputs.other])
    with torch.no_grad():
        marginals = TraceEnum_ELBO(max_plate_nesting=1).compute_marginals(
            model, lambda _inputs: None, inputs)
    logits = marginals[site].logits
    return torch.softmax(logits, -1)
