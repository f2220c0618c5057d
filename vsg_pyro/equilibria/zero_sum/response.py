"""The zero-sum opponent model of §5.4: the opponent's soft response computed from agent i's own
action values (no reward estimation).

In a two-player zero-sum game ``r_-i = -r_i``, so agent ``i`` knows the opponent's objective and
models it as responding softly to ``pi_i`` (§5.4):

    p*(a_-i | s) ∝ pi~_-i(a_-i | s) exp(-beta E_{a_i ~ pi_i}[Q_i(s, a_i, a_-i)]).

Two responses, by name (:data:`RESPONSES`):

* ``"tempered"`` (the default): the prior ``pi~_-i`` is the opponent's current executed policy,
  tempered by the step size, ``p* ∝ pi_bar_-i^(1 - alpha) (pi0_-i exp(-beta Qbar))^alpha``:
  the opponent's own NPG step (eq. 4) predicted by agent ``i``.  With both agents doing so
  this is the predictive ("extragradient") update of entropy-regularised games (Cen et al.
  2021), which converges in the last iterate where simultaneous NPG orbits; with a large
  ``beta`` and ``alpha * beta * max|Q|`` below ~1/2 its fixed point approaches the minimax
  equilibrium.
* ``"literal"``: the paper's formula as printed, ``p* ∝ pi0_-i exp(-beta Qbar)`` (the tempered
  one at ``alpha = 1``): the opponent's full soft best response to ``pi_i``.  Measured in the
  README and ``tests/equilibria/zero_sum``: it certifies where beta is small and cycles
  without converging on matching pennies at beta 5.

Agent ``i`` then takes its eq. (4) step against ``p*``.
"""

from __future__ import annotations

import math

import torch

from vsg_pyro.core.joint import agent_view, joint_axis
from vsg_pyro.equilibria.nash.opponents import OpponentModel
from vsg_pyro.games.tabular import TabularGame

__all__ = ["zero_sum_response", "zero_sum_step_size", "ZeroSumOpponent", "RESPONSES"]

RESPONSES: tuple[str, ...] = ("tempered", "literal")


def zero_sum_response(
    game: TabularGame,
    agent: int,
    policy: torch.Tensor,
    current_model: torch.Tensor,
    q: torch.Tensor,
    beta: float,
    alpha: float,
    opponent_log_prior: torch.Tensor | None = None,
) -> torch.Tensor:
    """``p*`` (module docstring) as agent ``agent``'s opponent model ``(H?, S, *J)`` (1 at i).

    Args:
        policy: agent ``i``'s policy, conditional ``(H?, S, *J)`` or factorized ``(H?, S, A_i)``.
        current_model: the opponent's current executed policy as a joint ``(H?, S, *J)``.
        q: ``Q_i`` ``(H?, S, *J)`` under (``policy``, ``current_model``).
        opponent_log_prior: ``(S, A_j)``; uniform by default.
    """
    n = game.n_agents
    if n != 2:
        raise ValueError(f"game: the zero-sum opponent model needs 2 players, got {n}")
    other = 1 - agent
    lead = 2 if game.horizon is not None else 1
    pol_b = agent_view(policy, agent, n) if policy.ndim == lead + 1 else policy
    q_bar = (pol_b * q).sum(joint_axis(agent, n), keepdim=True)  # E_{a_i ~ pi_i} Q_i
    if opponent_log_prior is None:
        log_prior = -math.log(game.action_counts[other])
    else:
        log_prior = agent_view(opponent_log_prior, other, n)
    logits = (1.0 - alpha) * torch.log(current_model.clamp_min(1e-300)) + alpha * (
        log_prior - beta * q_bar)
    return torch.softmax(logits, dim=joint_axis(other, n))


def zero_sum_step_size(game: TabularGame, beta: float, margin: float = 0.4) -> float:
    """Default ``alpha`` for zero-sum games: ``alpha * beta * max|r| * H = margin`` (<= 0.5)."""
    scale = beta * max(game.reward_range, 1e-12) * game.effective_horizon
    return min(0.5, margin / scale)


class ZeroSumOpponent(OpponentModel):
    """§5.4's opponent model as an object for the Nash solvers: after ``Q_i`` is evaluated
    under the others' executed policy, ``p_i`` becomes :func:`zero_sum_response` with the
    ``response`` of :data:`RESPONSES` (module docstring).  ``p*`` is the opponent's predicted
    response, not an estimate of ``pi_-i``: the ELBO charges no KL to the opponent's policy."""

    kl_to_opponents = False
    n_players = 2

    def __init__(self, response: str = "tempered") -> None:
        if response not in RESPONSES:
            raise ValueError(f"response: must be one of {RESPONSES}, got {response!r}")
        self.response = response

    def respond(self, game, agent, policy, joint, q, beta, alpha, opponent_log_prior):
        step = 1.0 if self.response == "literal" else alpha
        return zero_sum_response(game, agent, policy, joint, q, beta, step, opponent_log_prior)

    def __repr__(self) -> str:
        return f"ZeroSumOpponent(response={self.response!r})"
