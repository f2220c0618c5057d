"""The certificate of a (regularised) Nash equilibrium: the fixed-point residual of Prop. 5.2's
soft best response.

With exact opponent models ``p_i = prod_{j != i} pi_bar_j`` and ``Q_i`` of Definition 5.1
under ``(pi_i, p_i)``, the policies are a fixed point of Algorithm 1 exactly when every agent's
policy equals its soft improvement

    BR_i = softmax(log pi0_i + beta Q_i)            (conditional family, along a_i)
    BR_i = softmax(log pi0_i + beta E_{p_i} Q_i)    (factorized family)

(soft policy iteration's fixed point is the soft best response of Prop. 5.2) *and* the
opponent models the state holds are the ones its executed policies induce (for the conditional
family the policy table can be a soft best response to a model that the executed marginals
no longer produce: in a normal-form game ``Q_i = r_i`` does not depend on the model at all).
The certificate is the larger of ``max_i max |pi_i - BR_i|`` and ``max_i max |p_i - prod_{j !=
i} pi_bar_j|``, in probability.  For a factorized normal-form
game this is the logit residual ``max_i |x_i - softmax(beta u_i(., x_-i))|`` of a quantal
response equilibrium.  It does not depend on the step size: a run whose step has collapsed
keeps its residual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from vsg_pyro.core.joint import agent_view, expect_over_others, joint_axis
from vsg_pyro.core.soft_dp import SoftEvaluation, soft_evaluate, uniform_log_prior
from vsg_pyro.games.tabular import TabularGame

__all__ = ["soft_best_response_residual", "model_consistency", "residual_name"]


def soft_best_response_residual(
    game: TabularGame,
    log_policies: Sequence[torch.Tensor],
    opponent_models: Sequence[torch.Tensor],
    beta: float,
    log_priors: Sequence[torch.Tensor] | None = None,
    evaluate: Callable[..., SoftEvaluation] | None = None,
) -> float:
    """``max_i max |pi_i - BR_i|`` (module docstring).

    Args:
        log_policies: per agent ``(H?, S, *J)`` (conditional) or ``(H?, S, A_i)``
            (factorized), normalised.
        opponent_models: per agent the exact model ``(H?, S, *J)`` (1 at the agent's axis).
        evaluate: the soft policy evaluation (default :func:`~vsg_pyro.core.soft_dp.
            soft_evaluate`).
    """
    evaluate = soft_evaluate if evaluate is None else evaluate
    n, worst = game.n_agents, 0.0
    for i, log_pi in enumerate(log_policies):
        lp = uniform_log_prior(game, i) if log_priors is None else log_priors[i]
        pi = log_pi.exp()
        q = evaluate(game, i, pi, opponent_models[i], beta, lp).q
        if log_pi.ndim == q.ndim:  # conditional
            br = torch.softmax(agent_view(lp, i, n) + beta * q, dim=joint_axis(i, n))
        else:
            br = torch.softmax(lp + beta * expect_over_others(q, opponent_models[i], i, n), -1)
        worst = max(worst, (pi - br).abs().max().item())
    return worst


def model_consistency(held: Sequence[torch.Tensor], induced: Sequence[torch.Tensor]) -> float:
    """``max_i max |p_i - p_i'|``: the opponent models a state holds against those its executed
    policies induce (both ``(H?, S, *J)``, 1 at the agent's axis)."""
    return max((a - b).abs().max().item() for a, b in zip(held, induced, strict=True))


def residual_name(game: TabularGame, family: str) -> str:
    """``"logit residual"`` (factorized normal-form games) or ``"soft best-response
    residual"``."""
    if family == "factorized" and game.is_normal_form:
        return "logit residual"
    return f"soft best-response residual ({family})"
