"""Exact mean-field quantities: the forward (Kolmogorov) equation, policy values, best
responses and the mean-field exploitability (§5.2).

A policy is time dependent, ``pi_t(a | s)``: ``(T, S, A)``.  Its mean-field flow is
``L_t(s, a) = mu_t(s) pi_t(a | s)`` with ``mu_0`` the initial distribution and

    mu_{t+1}(s') = sum_{s, a} P(s' | s, a, L_t) L_t(s, a)          (Kolmogorov equation).

The **exploitability** of ``pi`` is unregularised: the best value a single agent can reach
against the flow ``pi`` induces minus the value of ``pi`` itself under that flow, both at the
initial distribution and computed exactly by backward induction.  It is zero exactly at a
mean-field Nash equilibrium.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from vsg_pyro.games.mean_field import MeanFieldGame, pull, push

__all__ = ["MeanFieldReport", "FlowKernels", "check_policy", "mean_field_flow", "evaluate_flow",
           "mf_policy_value", "mf_best_response", "mf_exploitability"]


class MeanFieldReport(NamedTuple):
    """``value`` of the policy, ``best_response_value`` and their difference
    ``exploitability`` (floats); ``flow``: the mean field ``(T, S, A)`` of the policy."""

    value: float
    best_response_value: float
    exploitability: float
    flow: torch.Tensor


def check_policy(game: MeanFieldGame, policy: torch.Tensor) -> torch.Tensor:
    """A ``(T, S, A)`` (or time-invariant ``(S, A)``) distribution over actions, as float64."""
    policy = torch.as_tensor(policy, dtype=torch.float64)
    shape = (game.horizon, game.n_states, game.n_actions)
    if tuple(policy.shape) == shape[1:]:
        policy = policy.expand(shape)
    if tuple(policy.shape) != shape:
        raise ValueError(f"policy: expected shape {shape} (or {shape[1:]}), got {tuple(policy.shape)}")
    if (policy < -1e-12).any() or not torch.isfinite(policy).all() or (
            (policy.sum(-1) - 1).abs() > 1e-8).any():
        raise ValueError("policy: every pi_t(. | s) must be a probability vector")
    return policy


def mean_field_flow(game: MeanFieldGame, policy: torch.Tensor) -> torch.Tensor:
    """``L_t(s, a)`` ``(T, S, A)`` by the forward equation (module docstring)."""
    policy = check_policy(game, policy)
    mu = game.initial
    flow = []
    for t in range(game.horizon):
        L = mu.unsqueeze(-1) * policy[t]
        flow.append(L)
        if t + 1 < game.horizon:
            mu = push(game.transition(L), L)
    return torch.stack(flow)


class FlowKernels(NamedTuple):
    """A mean-field ``flow`` ``(T, S, A)`` with the game's functions evaluated on it:
    ``rewards[t] = r(., ., L_t)`` ``(S, A)`` and ``kernels[t] = P(. | ., ., L_t)`` (dense or
    next-state indices; ``t < T - 1``).  The backward passes of one flow (a policy's value,
    the best response, soft Q) share them, so the game's functions, often the costly part
    (a Python environment's), run once per step of the flow."""

    flow: torch.Tensor
    rewards: tuple[torch.Tensor, ...]
    kernels: tuple[torch.Tensor, ...]


def evaluate_flow(game: MeanFieldGame, policy: torch.Tensor) -> FlowKernels:
    """:class:`FlowKernels` of ``policy``'s own flow, in one forward pass: each ``L_t``'s
    transition kernel serves both the forward equation and the backward passes."""
    policy = check_policy(game, policy)
    mu, flow_t, rewards, kernels = game.initial, [], [], []
    for t in range(game.horizon):
        L = mu.unsqueeze(-1) * policy[t]
        flow_t.append(L)
        rewards.append(game.reward(L))
        if t + 1 < game.horizon:
            kernels.append(game.transition(L))
            mu = push(kernels[-1], L)
    return FlowKernels(torch.stack(flow_t), tuple(rewards), tuple(kernels))


def _backward(game: MeanFieldGame, flow: torch.Tensor, policy: torch.Tensor | None,
              evaluated: FlowKernels | None = None):
    """Values ``(S,)`` at t = 0 of ``policy`` (``None``: the best response) against ``flow``
    (its rewards and kernels from ``evaluated`` when given)."""
    v = torch.zeros(game.n_states, dtype=torch.float64)
    greedy = []
    for t in reversed(range(game.horizon)):
        L = flow[t]
        q = game.reward(L) if evaluated is None else evaluated.rewards[t]
        if t + 1 < game.horizon:
            kernel = game.transition(L) if evaluated is None else evaluated.kernels[t]
            q = q + pull(kernel, v)
        if policy is None:
            v, arg = q.max(-1)
            greedy.append(arg)
        else:
            v = (policy[t] * q).sum(-1)
    return v, greedy[::-1]


def mf_policy_value(game: MeanFieldGame, policy: torch.Tensor,
                    flow: torch.Tensor | None = None) -> float:
    """``E_{s_0}[sum_t r(s_t, a_t, L_t)]`` of ``policy`` against ``flow`` (default: its own)."""
    policy = check_policy(game, policy)
    flow = mean_field_flow(game, policy) if flow is None else flow
    return float(game.initial @ _backward(game, flow, policy)[0])


def mf_best_response(game: MeanFieldGame, flow: torch.Tensor) -> tuple[torch.Tensor, float]:
    """A deterministic best response ``(T, S, A)`` to ``flow`` and its value."""
    v, greedy = _backward(game, flow, None)
    policy = torch.nn.functional.one_hot(torch.stack(greedy), game.n_actions).to(torch.float64)
    return policy, float(game.initial @ v)


def mf_exploitability(game: MeanFieldGame, policy: torch.Tensor,
                      evaluated: FlowKernels | None = None) -> MeanFieldReport:
    """Mean-field exploitability of ``policy`` (module docstring); ``evaluated``: its own
    flow's :func:`evaluate_flow`, when the caller has it (else computed here, once for both
    backward passes)."""
    policy = check_policy(game, policy)
    evaluated = evaluate_flow(game, policy) if evaluated is None else evaluated
    value = float(game.initial @ _backward(game, evaluated.flow, policy, evaluated)[0])
    best = float(game.initial @ _backward(game, evaluated.flow, None, evaluated)[0])
    return MeanFieldReport(value, best, max(best - value, 0.0), evaluated.flow)
