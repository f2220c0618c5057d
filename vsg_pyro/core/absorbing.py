"""§4's infinite-horizon construction, literally: a gamma-scaled kernel and an absorbing state.

The paper makes an infinite-horizon game undiscounted: it scales the kernel,
``P~(s' | s, a) = gamma P(s' | s, a)``, and adds an absorbing state ``s^`` with
``P~(s^ | s, a) = 1 - gamma`` and ``P~(s^ | s^, a) = 1``, where rewards are 0.  The soft value is
then the *total* (undiscounted) ELBO until absorption:

    V(s) = c(s) + sum_{s'} P~_w(s' | s) V(s'),   s in S ∪ {s^},

with ``c`` the soft stage value of Definition 5.1 and ``P~_w`` the chain under the agent's
weights.  On the transient states this is ``(I - gamma P_w) V_S = c_S + (1 - gamma) V(s^)``.

**The prior-play condition.**  In ``s^`` the agents still act, and a step there is worth
``c(s^) = -(1/beta) KL(play || prior)``; the chain never leaves ``s^``, so ``V(s^) = c(s^) +
V(s^)`` is finite only when play in ``s^`` *is* the prior (``c(s^) = 0``, ``V(s^) = 0``), and
every other play gives every state the value ``-inf``.  Under prior play the construction is
exactly discounting (tested to 1e-12 on values, 1e-10 on soft best responses and VPG fixed
points); here the absorbing state's play is the prior by construction.

:func:`absorbing_soft_evaluate` solves the ``(S + 1)``-state system as written (the absorbing
state's row included) rather than the discounted formula; it is the evaluation of
``infinite_horizon="absorbing"`` in the exact Nash solver.
"""

from __future__ import annotations

import torch

from vsg_pyro.core.joint import agent_view
from vsg_pyro.core.soft_dp import SoftEvaluation, uniform_log_prior
from vsg_pyro.games.tabular import TabularGame

__all__ = ["absorbing_kernel", "absorbing_soft_evaluate", "INFINITE_HORIZONS"]

INFINITE_HORIZONS: tuple[str, ...] = ("discount", "absorbing")


def absorbing_kernel(game: TabularGame) -> torch.Tensor:
    """``P~`` ``(S + 1, *J, S + 1)``: ``gamma P`` plus ``1 - gamma`` into the absorbing state
    (the last), which keeps itself (discounted games)."""
    if game.gamma is None:
        raise ValueError("game: the absorbing-state construction is for discounted games")
    s = game.n_states
    shape = (s + 1, *game.action_counts, s + 1)
    kernel = game.rewards.new_zeros(shape)
    kernel[:s, ..., :s] = game.gamma * game.transitions
    kernel[:s, ..., s] = 1.0 - game.gamma
    kernel[s, ..., s] = 1.0
    return kernel


def absorbing_soft_evaluate(
    game: TabularGame,
    agent: int,
    policy: torch.Tensor,
    opponent_model: torch.Tensor,
    beta: float,
    log_prior: torch.Tensor | None = None,
    opponents_policy: torch.Tensor | None = None,
) -> SoftEvaluation:
    """Soft policy evaluation on the absorbing-state construction (module docstring); the same
    arguments and result as :func:`vsg_pyro.core.soft_dp.soft_evaluate` on the original
    states (``q`` ``(S, *J)``, ``v`` ``(S,)``)."""
    if opponents_policy is not None:
        raise ValueError("opponents_policy: the absorbing construction evaluates the exact "
                         "opponent model only")
    n, s = game.n_agents, game.n_states
    kernel = absorbing_kernel(game)
    lp = uniform_log_prior(game, agent) if log_prior is None else log_prior
    pol = agent_view(policy, agent, n) if policy.ndim == 2 else policy
    weights = pol * opponent_model  # (S, *J)
    axes = list(range(-n, 0))
    log_ratio = torch.special.xlogy(weights, pol) - weights * agent_view(lp, agent, n)
    stage = (weights * game.rewards[agent] - log_ratio / beta).sum(axes)  # (S,)
    # the absorbing state: reward 0 under prior play, so its stage value is 0
    stage_all = torch.cat([stage, stage.new_zeros(1)])
    chain = (weights.reshape(s, -1, 1) * kernel[:s].reshape(s, -1, s + 1)).sum(1)  # (S, S+1)
    absorbing_row = kernel[s].reshape(-1, s + 1)[0]  # every action: stay
    full = torch.cat([chain, absorbing_row[None]])  # (S+1, S+1)
    transient = torch.eye(s, dtype=full.dtype, device=full.device) - full[:s, :s]
    # V(s^) = 0 (prior play); V_S solves the transient rows of V = c + P~ V
    v_abs = stage.new_zeros(())
    v = torch.linalg.solve(transient, stage_all[:s] + full[:s, s] * v_abs)
    v_all = torch.cat([v, v_abs.reshape(1)])
    q = game.rewards[agent] + kernel[:s] @ v_all  # (S, *J): r + sum P~ V, absorbing included
    return SoftEvaluation(q, v, game.initial @ v)
