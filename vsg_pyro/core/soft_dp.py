"""Exact soft (entropy-regularised) dynamic programming for one agent (Definition 5.1, Prop. 5.2).

Agent ``i`` holds a policy ``pi_i`` and an opponent model ``p_i(a_-i | s)``.  With temperature
``beta`` (optimality likelihood ``P(O=1 | s, a) ∝ exp(beta r_i(s, a))``) and prior ``pi0_i``, its
soft value in reward units is the ELBO (eq. 3) divided by ``beta``:

    V_t(s) = E_{a_-i ~ p, a_i ~ pi_i}[ Q_t(s, a) - (1/beta) log(pi_i(a_i | .) / pi0_i(a_i | s)) ]
             - (1/beta) KL(p_i(. | s) || pi_-i(. | s)),
    Q_t(s, a) = r_i(s, a) + gamma * sum_s' P(s' | s, a) V_{t+1}(s').

(``gamma = 1`` and ``V_H = 0`` for a finite horizon.)  The KL term vanishes for the exact opponent
model and is included when the true opponents' joint policy is passed.  The soft best response is
Prop. 5.2: ``pi_i ∝ pi0_i exp(beta Q)`` for the paper's *conditional* family
``pi_i(a_i | s, a_-i)``, and ``pi_i ∝ pi0_i exp(beta E_{a_-i ~ p} Q)`` for the *factorized* family
``pi_i(a_i | s)``.

Shapes (``J = (A_1, ..., A_N)``, a leading ``(H,)`` time axis only for finite-horizon games):
policy ``(H?, S, *J)`` (conditional) or ``(H?, S, A_i)`` (factorized); opponent model
``(H?, S, *J)`` with size 1 at agent ``i``'s axis; ``Q`` ``(H?, S, *J)``; ``V`` ``(H+1, S)`` or ``(S,)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, NamedTuple

import torch

from vsg_pyro.core.joint import agent_view, expect_over_others, joint_axis
from vsg_pyro.games.tabular import TabularGame

__all__ = [
    "Family",
    "FAMILIES",
    "SoftEvaluation",
    "SoftBestResponse",
    "uniform_log_prior",
    "check_family",
    "soft_evaluate",
    "soft_best_response",
    "continuation_q",
    "discounted_transition_lu",
]

Family = Literal["conditional", "factorized"]
FAMILIES: tuple[str, ...] = ("conditional", "factorized")


class SoftEvaluation(NamedTuple):
    """Soft values of one agent's policy.  ``q``: ``(H?, S, *J)``; ``v``: ``(H+1, S)`` or ``(S,)``;
    ``value``: ``E_{s0 ~ initial} V_0(s0)`` (a 0-dim tensor)."""

    q: torch.Tensor
    v: torch.Tensor
    value: torch.Tensor


class SoftBestResponse(NamedTuple):
    """The soft best response (Prop. 5.2) ``policy`` with its ``q``, ``v`` and ``value``."""

    policy: torch.Tensor
    q: torch.Tensor
    v: torch.Tensor
    value: torch.Tensor


def check_family(family: str) -> None:
    if family not in FAMILIES:
        raise ValueError(f"family: must be one of {FAMILIES}, got {family!r}")


def uniform_log_prior(game: TabularGame, agent: int) -> torch.Tensor:
    """``log pi0_i(a_i | s) = -log A_i``: ``(S, A_i)``."""
    a = game.action_counts[agent]
    return game.rewards.new_full((game.n_states, a), -math.log(a))


def _at(x: torch.Tensor, t: int, game: TabularGame) -> torch.Tensor:
    return x[t] if game.horizon is not None else x


def continuation_q(game: TabularGame, agent: int, v_next: torch.Tensor) -> torch.Tensor:
    """``Q(s, a) = r_i(s, a) + gamma sum_s' P(s'|s, a) v_next(s')``: ``(S,)`` -> ``(S, *J)``."""
    discount = 1.0 if game.gamma is None else game.gamma
    return game.rewards[agent] + discount * (game.transitions @ v_next)


def _weights(policy_b: torch.Tensor, opponent_model: torch.Tensor) -> torch.Tensor:
    return policy_b * opponent_model


def _per_state_kl(p: torch.Tensor, q: torch.Tensor, n: int) -> torch.Tensor:
    """``KL(p || q)`` over the last ``n`` axes: ``(..., *J) -> (...)``."""
    axes = list(range(-n, 0))
    return (torch.special.xlogy(p, p) - torch.special.xlogy(p, q)).sum(axes)


def _stage_value(
    q: torch.Tensor,
    policy_b: torch.Tensor,
    log_prior_b: torch.Tensor,
    opponent_model: torch.Tensor,
    beta: float,
    n: int,
) -> torch.Tensor:
    """``E_w[Q - (1/beta) log(pi/pi0)]`` per state: ``(S, *J) -> (S,)``."""
    w = _weights(policy_b, opponent_model)
    log_ratio_term = torch.special.xlogy(w, policy_b) - w * log_prior_b
    return (w * q - log_ratio_term / beta).sum(list(range(-n, 0)))


def _lift(policy: torch.Tensor, agent: int, game: TabularGame) -> torch.Tensor:
    """A factorized ``(.., S, A_i)`` policy viewed as ``(.., S, 1..A_i..1)``; conditional unchanged."""
    lead = 2 if game.horizon is not None else 1
    if policy.ndim == lead + 1:
        return agent_view(policy, agent, game.n_agents)
    return policy


def soft_evaluate(
    game: TabularGame,
    agent: int,
    policy: torch.Tensor,
    opponent_model: torch.Tensor,
    beta: float,
    log_prior: torch.Tensor | None = None,
    opponents_policy: torch.Tensor | None = None,
    transition_lu: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> SoftEvaluation:
    """Soft policy evaluation (Definition 5.1) of agent ``agent``'s ``policy`` (either family).

    Args:
        policy: ``(H?, S, *J)`` conditional or ``(H?, S, A_i)`` factorized probabilities.
        opponent_model: ``(H?, S, *J)``, size 1 at the agent's axis.
        beta: inverse temperature (> 0).
        log_prior: ``(S, A_i)``; uniform by default.
        opponents_policy: the others' true joint policy, same shape as ``opponent_model``; when
            given, ``-(1/beta) KL(p || pi_-i)`` enters each stage (eq. 3).
        transition_lu: discounted games: ``torch.linalg.lu_factor(I - gamma P_w)`` of this
            evaluation's weights ``w = pi_i p`` (:func:`discounted_transition_lu`), when the
            caller shares one factorisation between agents whose weights are the same joint
            policy (the factorized family with the exact opponent model); else computed here.
    """
    n = game.n_agents
    lp = uniform_log_prior(game, agent) if log_prior is None else log_prior
    lp_b = agent_view(lp, agent, n)
    pol_b = _lift(policy, agent, game)

    def stage(t: int, q: torch.Tensor) -> torch.Tensor:
        p_t = _at(opponent_model, t, game)
        v = _stage_value(q, _at(pol_b, t, game), lp_b, p_t, beta, n)
        if opponents_policy is not None:
            v = v - _per_state_kl(p_t, _at(opponents_policy, t, game), n) / beta
        return v

    if game.horizon is not None:
        v_next = game.rewards.new_zeros(game.n_states)
        qs, vs = [], [v_next]
        for t in reversed(range(game.horizon)):
            q = continuation_q(game, agent, v_next)
            v_next = stage(t, q)
            qs.append(q)
            vs.append(v_next)
        q_all = torch.stack(qs[::-1])
        v_all = torch.stack(vs[::-1])
        return SoftEvaluation(q_all, v_all, game.initial @ v_all[0])
    # Discounted: V = (I - gamma P_pi)^{-1} r_pi with r_pi = stage value of the immediate reward.
    r_pi = stage(0, game.rewards[agent])
    if transition_lu is None:
        transition_lu = discounted_transition_lu(game, _weights(pol_b, opponent_model))
    v = torch.linalg.lu_solve(*transition_lu, r_pi.unsqueeze(-1)).squeeze(-1)
    q = continuation_q(game, agent, v)
    return SoftEvaluation(q, v, game.initial @ v)


def discounted_transition_lu(game: TabularGame, joint: torch.Tensor
                             ) -> tuple[torch.Tensor, torch.Tensor]:
    """``torch.linalg.lu_factor(I - gamma P_w)`` with ``P_w(s, s') = sum_a w(s, a) P(s' | s,
    a)`` for a joint policy ``w`` ``(S, *J)`` of a discounted game (a batched matrix-vector
    product per state: no ``(S, *J, S')`` temporary)."""
    n_states = game.n_states
    flat = joint.expand(n_states, *game.action_counts).reshape(n_states, 1, -1)  # (S, 1, J)
    p_w = (flat @ game.transitions.reshape(n_states, flat.shape[-1], n_states))[:, 0]
    eye = torch.eye(n_states, dtype=p_w.dtype, device=p_w.device)
    return torch.linalg.lu_factor(eye - game.gamma * p_w)


def _soft_improve(
    q: torch.Tensor,
    opponent_model: torch.Tensor,
    log_prior: torch.Tensor,
    agent: int,
    n: int,
    beta: float,
    family: str,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Prop. 5.2 at one stage: returns (policy, soft value per state ``(S,)``)."""
    ax = joint_axis(agent, n)
    if family == "conditional":
        logits = agent_view(log_prior, agent, n) + beta * q  # (S, *J)
        lse = torch.logsumexp(logits, dim=ax, keepdim=True)
        v = (opponent_model * lse).sum(list(range(-n, 0))) / beta
        return torch.exp(logits - lse), v
    qbar = expect_over_others(q, opponent_model, agent, n)  # (S, A_i)
    logits = log_prior + beta * qbar
    lse = torch.logsumexp(logits, dim=-1, keepdim=True)
    return torch.exp(logits - lse), lse.squeeze(-1) / beta


def soft_best_response(
    game: TabularGame,
    agent: int,
    opponent_model: torch.Tensor,
    beta: float,
    family: Family = "conditional",
    log_prior: torch.Tensor | None = None,
    tol: float = 1e-12,
    max_iter: int = 10_000,
    evaluate: Callable[..., SoftEvaluation] | None = None,
) -> SoftBestResponse:
    """Exact soft best response of ``agent`` to ``opponent_model`` (Prop. 5.2).

    Finite horizon: backward induction.  Discounted: soft policy iteration (exact evaluation by a
    linear solve, then Prop. 5.2), stopped when the policy moves less than ``tol``;
    ``evaluate`` replaces :func:`soft_evaluate` there (e.g. the absorbing-state construction).
    """
    evaluate = soft_evaluate if evaluate is None else evaluate
    check_family(family)
    if not beta > 0:
        raise ValueError(f"beta: must be > 0, got {beta}")
    n = game.n_agents
    lp = uniform_log_prior(game, agent) if log_prior is None else log_prior
    if game.horizon is not None:
        v_next = game.rewards.new_zeros(game.n_states)
        pols, qs, vs = [], [], [v_next]
        for t in reversed(range(game.horizon)):
            q = continuation_q(game, agent, v_next)
            pol, v_next = _soft_improve(q, opponent_model[t], lp, agent, n, beta, family)
            pols.append(pol)
            qs.append(q)
            vs.append(v_next)
        v_all = torch.stack(vs[::-1])
        return SoftBestResponse(
            torch.stack(pols[::-1]), torch.stack(qs[::-1]), v_all, game.initial @ v_all[0]
        )
    zero = game.rewards.new_zeros(game.n_states)
    policy, _ = _soft_improve(
        continuation_q(game, agent, zero), opponent_model, lp, agent, n, beta, family
    )
    for _ in range(max_iter):
        ev = evaluate(game, agent, policy, opponent_model, beta, lp)
        new_policy, _ = _soft_improve(ev.q, opponent_model, lp, agent, n, beta, family)
        delta = (new_policy - policy).abs().max().item()
        policy = new_policy
        if delta < tol:
            break
    ev = evaluate(game, agent, policy, opponent_model, beta, lp)
    return SoftBestResponse(policy, ev.q, ev.v, ev.value)
