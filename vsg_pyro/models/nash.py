"""Agent i's model of the paper's Figure 1 (Nash equilibrium) as Pyro programs.

Figure 1: in state ``s`` the opponents act (``a_-i ~ pi_-i(. | s)``, their current executed
policies), agent ``i`` acts under its prior (``a_i ~ pi0_i(. | s)``), and the optimality
variable enters as a likelihood ``P(O_i = 1 | s, a) ∝ exp(beta r_i(s, a))``:
``pyro.factor(beta * r_i)``.  With a guide ``q(a_-i, a_i | s) = p(a_-i | s) pi_i(a_i | s, a_-i)``
the ELBO is the paper's eq. (3):

    E_q[beta r_i] - KL(pi_i || pi0_i) - KL(p || pi_-i)        (per step, in units of beta r).

Two programs:

* :func:`nash_model`, the **one-step soft-Bellman** program used for learning: a
  ``pyro.plate`` over rows ``m`` = (t, s) (all states, and all times of a finite horizon); its
  factor is ``beta * Q_i(t, s, a)`` with ``Q_i = r_i + gamma sum_s' P V_{t+1}`` the Definition 5.1
  action value of the *current* guide, computed outside (detached) by exact backward induction.
  Per row its ELBO is the soft Bellman objective whose maximiser is Prop. 5.2's policy, so SVI
  and VPG share fixed points; with natural gradients one SVI step *is* eq. (4).
* :func:`nash_trajectory_model`, the **full-trajectory** program (states are latent and follow
  ``P``): its exact ELBO (guide-side enumeration) is eq. (3) summed over time.  Its cost grows
  exponentially with the horizon; it is a cross-check for horizons <= 10.

Sample-site names carry the agent's name (:func:`action_site`, :func:`opponent_site`), so
several agents' programs coexist in one trace and one param store.
"""

from __future__ import annotations

from typing import NamedTuple

import pyro
import pyro.distributions as dist
import torch
from pyro import poutine
from pyro.ops.indexing import Vindex

__all__ = [
    "NashInputs",
    "action_site",
    "opponent_site",
    "state_site",
    "plate_name",
    "nash_model",
    "nash_trajectory_model",
]


def action_site(agent_name: str) -> str:
    """Site of agent ``agent_name``'s own action ``a_i``."""
    return f"{agent_name}/action"


def opponent_site(agent_name: str, other_name: str) -> str:
    """Site of ``other_name``'s action as seen by ``agent_name`` (``a_j``, j != i)."""
    return f"{agent_name}/opponent/{other_name}"


def state_site(agent_name: str, t: int) -> str:
    """Site of the state at time ``t`` in the full-trajectory program."""
    return f"{agent_name}/state_{t}"


def plate_name(agent_name: str) -> str:
    return f"{agent_name}/rows"


class NashInputs(NamedTuple):
    """Everything agent ``i``'s model and guide see at one SVI step (both receive it).

    ``M`` rows: the states (discounted) or the (t, s) pairs, time-major (finite horizon).
    ``J = (A_1, ..., A_N)``.

    Attributes:
        agent: index ``i``; ``agent_names``: all agents' names (``agent_names[i]`` names sites
            and parameters).
        action_counts: ``J``.
        q: ``(M, *J)`` Definition 5.1 action values of the current guide (detached).
        opponent_policies: per opponent ``j != i`` (agent order) ``(M, A_j)``: the others'
            executed policies, the model's distribution of ``a_j``.
        opponent_model: per opponent ``(M, A_j)``: the guide's ``p(a_j | s)`` in the ``exact``
            and ``external`` modes (ignored by an ``optimistic`` guide).
        log_prior: ``(M, A_i)`` log prior policy ``pi0_i``.
        beta: inverse temperature.
        row_weights: ``(M,)`` plate weights (``None``: every row weighs 1).
        game: the :class:`~vsg_pyro.games.TabularGame` (used by the trajectory program).
        horizon_rows: ``(H, S)`` or ``(S,)``: how rows fold back into (time, state).
    """

    agent: int
    agent_names: tuple[str, ...]
    action_counts: tuple[int, ...]
    q: torch.Tensor
    opponent_policies: tuple[torch.Tensor, ...]
    opponent_model: tuple[torch.Tensor, ...]
    log_prior: torch.Tensor
    beta: float
    row_weights: torch.Tensor | None
    game: object
    horizon_rows: tuple[int, ...]

    @property
    def name(self) -> str:
        return self.agent_names[self.agent]

    @property
    def rows(self) -> int:
        return int(self.q.shape[0])

    @property
    def others(self) -> list[int]:
        return [j for j in range(len(self.agent_names)) if j != self.agent]


def _joint_index(inputs: NashInputs, own: torch.Tensor, opponents: dict[int, torch.Tensor]):
    """Index tuple ``(rows, a_1, ..., a_N)`` for Vindex into a ``(M, *J)`` tensor."""
    rows = torch.arange(inputs.rows)
    acts = [own if j == inputs.agent else opponents[j] for j in range(len(inputs.agent_names))]
    return (rows, *acts)


def nash_model(inputs: NashInputs) -> None:
    """One-step soft-Bellman model of agent ``i`` (Figure 1 per (t, s) row).

    Sites: ``opponent_site(i, j)`` ~ ``pi_j(. | s)`` for ``j != i``; ``action_site(i)`` ~
    ``pi0_i(. | s)``; factor ``beta * Q_i(t, s, a)``.
    """
    name = inputs.name
    scale = 1.0 if inputs.row_weights is None else inputs.row_weights
    with pyro.plate(plate_name(name), inputs.rows), poutine.scale(scale=scale):
        opponents = {}
        for k, j in enumerate(inputs.others):
            other = inputs.agent_names[j]
            opponents[j] = pyro.sample(
                opponent_site(name, other), dist.Categorical(probs=inputs.opponent_policies[k])
            )
        own = pyro.sample(action_site(name), dist.Categorical(logits=inputs.log_prior))
        q = Vindex(inputs.q)[_joint_index(inputs, own, opponents)]
        pyro.factor(f"{name}/optimality", inputs.beta * q)


def nash_trajectory_model(inputs: NashInputs) -> None:
    """Full-trajectory model of agent ``i`` for a finite-horizon game (Figure 1 unrolled).

    ``s_0 ~ initial``, then per step: opponents ~ ``pi_-i(. | t, s_t)``, own ~ ``pi0_i``,
    factor ``beta * r_i(s_t, a_t)``, ``s_{t+1} ~ P(. | s_t, a_t)``.  Uses ``inputs.game``;
    ``inputs.q`` is not used.  Rows of ``opponent_policies`` / ``log_prior`` are (t, s).
    """
    game = inputs.game
    name, n_states = inputs.name, game.n_states
    state = pyro.sample(state_site(name, 0), dist.Categorical(probs=game.initial))
    for t in range(game.horizon):
        row = t * n_states + state
        opponents = {}
        for k, j in enumerate(inputs.others):
            probs = Vindex(inputs.opponent_policies[k])[row, :]
            opponents[j] = pyro.sample(f"{opponent_site(name, inputs.agent_names[j])}_{t}",
                                       dist.Categorical(probs=probs))
        own = pyro.sample(f"{action_site(name)}_{t}",
                          dist.Categorical(logits=Vindex(inputs.log_prior)[row, :]))
        acts = [own if j == inputs.agent else opponents[j] for j in range(game.n_agents)]
        pyro.factor(f"{name}/optimality_{t}",
                    inputs.beta * Vindex(game.rewards[inputs.agent])[(state, *acts)])
        if t + 1 < game.horizon:
            nxt = Vindex(game.transitions)[(state, *acts, slice(None))]
            state = pyro.sample(state_site(name, t + 1), dist.Categorical(probs=nxt))
