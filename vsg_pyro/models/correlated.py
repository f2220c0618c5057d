"""Correlated equilibrium as Pyro programs (the paper's Figure 3, §5.3).

Figure 3 adds a correlation signal ``omega`` to Figure 1: in each row ``m`` (a state, or a
(t, s) pair) ``omega ~ sigma(. | m)``, every agent acts on its observation ``o_i(omega)``
(:mod:`vsg_pyro.equilibria.correlated.signals`: the public signal itself, or its private
recommendation), and agent
``i``'s optimality is ``pyro.factor(beta * Q_i(m, a))``.  Two programs per round:

* :func:`correlated_agent_model`, agent ``i``'s model: the signal and the opponents' actions
  follow their current distributions (``sigma``; ``pi_bar_j(. | m, o_j(omega))``), the agent's
  own action its prior.  With the guide
  ``q = sigma(omega) prod_j pi_bar_j(a_j | o_j) pi_i(a_i | m, o_i(omega) [, a_-i])``
  (:class:`vsg_pyro.guides.SignalPolicyGuide`) the ELBO is eq. (3) on the state augmented with
  the signal, ``E_q[beta Q_i] - KL(pi_i || pi0_i)``, and a natural-gradient step is eq. (4) per
  ``(m, o_i)``.
* :func:`mediator_model`, the signal's own program: ``omega`` under a uniform prior, scored by
  ``pyro.factor(beta_sigma * score(m, omega))``.  Its guide
  (:class:`vsg_pyro.guides.SignalGuide`) *is* ``sigma``: SVI learns the signal distribution.
  ``score`` is computed outside (detached) by :mod:`vsg_pyro.equilibria.correlated.exact`: the welfare
  of obedient play minus the incentive constraints' multipliers (private recommendations), or
  the welfare of the agents' play given the signal (public).

Shapes: ``M`` rows, ``W`` signals, ``K_i`` observations of agent ``i``, ``J = (A_1..A_N)``.
"""

from __future__ import annotations

from typing import NamedTuple

import pyro
import pyro.distributions as dist
import torch
from pyro.ops.indexing import Vindex

from vsg_pyro.models.nash import action_site, opponent_site, plate_name

__all__ = [
    "CorrelatedInputs",
    "MediatorInputs",
    "signal_site",
    "correlated_agent_model",
    "mediator_model",
]


def signal_site(name: str) -> str:
    """Site of the correlation signal in ``name``'s program (an agent or the mediator)."""
    return f"{name}/signal"


class CorrelatedInputs(NamedTuple):
    """What agent ``i``'s model and guide see at one step.

    Attributes:
        agent, agent_names, action_counts: as in :class:`~vsg_pyro.models.NashInputs`.
        q: ``(M, *J)`` the agent's soft action values (detached).
        signal_probs: ``(M, W)`` the current signal distribution ``sigma``.
        observations: per agent ``(W,)`` long: ``o_j(omega)``.
        opponent_policies: per opponent ``j != i`` (agent order) ``(M, K_j, A_j)``: executed
            policies given the observation.
        log_prior: ``(M, A_i)``; beta: inverse temperature.
        observation_weights: ``(M, K_i)`` ``P(o_i | m)``; opponent_model: ``(M, K_i, *J)``
            ``p_i(a_-i | m, o_i)`` (1 at ``i``); both only for the natural-gradient
            preconditioner.
    """

    agent: int
    agent_names: tuple[str, ...]
    action_counts: tuple[int, ...]
    q: torch.Tensor
    signal_probs: torch.Tensor
    observations: tuple[torch.Tensor, ...]
    opponent_policies: tuple[torch.Tensor, ...]
    log_prior: torch.Tensor
    beta: float
    observation_weights: torch.Tensor
    opponent_model: torch.Tensor

    @property
    def name(self) -> str:
        return self.agent_names[self.agent]

    @property
    def rows(self) -> int:
        return int(self.q.shape[0])

    @property
    def others(self) -> list[int]:
        return [j for j in range(len(self.agent_names)) if j != self.agent]


class MediatorInputs(NamedTuple):
    """The mediator's inputs: its ``name``, ``scores`` ``(M, W)`` (detached) and ``beta``."""

    name: str
    scores: torch.Tensor
    beta: float


def sample_signal_and_opponents(
    inputs: CorrelatedInputs, infer: dict | None = None
) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
    """The signal and the opponents' actions, as in both the model and the guide (call inside
    the plate).  Returns the signal and ``{j: a_j}``."""
    name, rows = inputs.name, torch.arange(inputs.rows)
    infer = infer or {}
    omega = pyro.sample(signal_site(name), dist.Categorical(probs=inputs.signal_probs),
                        infer=infer)
    acts = {}
    for k, j in enumerate(inputs.others):
        obs = inputs.observations[j][omega]
        probs = Vindex(inputs.opponent_policies[k])[rows, obs, :]
        acts[j] = pyro.sample(opponent_site(name, inputs.agent_names[j]),
                              dist.Categorical(probs=probs), infer=infer)
    return omega, acts


def correlated_agent_model(inputs: CorrelatedInputs) -> None:
    """Agent ``i``'s Figure-3 model (module docstring).  Sites: ``signal_site(i)``,
    ``opponent_site(i, j)``, ``action_site(i)`` in the plate ``plate_name(i)``; factor
    ``beta * Q_i``."""
    name = inputs.name
    with pyro.plate(plate_name(name), inputs.rows):
        _omega, acts = sample_signal_and_opponents(inputs)
        own = pyro.sample(action_site(name), dist.Categorical(logits=inputs.log_prior))
        rows = torch.arange(inputs.rows)
        index = tuple(own if j == inputs.agent else acts[j]
                      for j in range(len(inputs.agent_names)))
        pyro.factor(f"{name}/optimality", inputs.beta * Vindex(inputs.q)[(rows, *index)])


def mediator_model(inputs: MediatorInputs) -> None:
    """The signal's program: ``omega ~ Uniform(W)`` per row, ``factor(beta_sigma * score)``."""
    rows, width = inputs.scores.shape
    with pyro.plate(plate_name(inputs.name), rows):
        omega = pyro.sample(signal_site(inputs.name), dist.Categorical(
            logits=torch.zeros(rows, width, dtype=inputs.scores.dtype)))
        pyro.factor(f"{inputs.name}/welfare",
                    inputs.beta * Vindex(inputs.scores)[torch.arange(rows), omega])
