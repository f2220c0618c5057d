"""Correlated-equilibrium metrics of a joint action distribution (normal-form and stochastic).

For a joint distribution ``sigma(a)`` over joint actions and payoffs ``u_i(a)``:

* **CE gap** = ``max_i sum_{a_i} max_{a_i'} sum_{a_-i} sigma(a_i, a_-i) [u_i(a_i', a_-i) - u_i(a)]``:
  the most any player gains by the best *swap* (replacing each recommended action);
* **CCE gap** = ``max_i max_{a_i'} sum_a sigma(a) [u_i(a_i', a_-i) - u_i(a)]``: the most a player
  gains by ignoring the recommendation and always playing one action.

Both are >= 0 and are 0 exactly at (coarse) correlated equilibria.  For a stochastic game with a
stationary (or per-step) correlated policy ``sigma(a | s)``, ``u_i`` is replaced by the
continuation action value ``Q_i(s, a) = r_i(s, a) + gamma sum_s' P(s' | s, a) V_i(s')`` with
``V_i`` the value of the correlated policy itself, and the gaps are taken per state (per
(t, s) for a finite horizon) and maximised over states: a one-shot-deviation criterion.
"""

from __future__ import annotations

import torch

from vsg_pyro.core.joint import joint_axis
from vsg_pyro.games.normal_form import payoff_tensor
from vsg_pyro.games.tabular import TabularGame

__all__ = ["ce_gap", "cce_gap", "welfare", "joint_values", "stage_payoffs", "deviation_gains"]


def _check_joint(game: TabularGame, joint: torch.Tensor) -> torch.Tensor:
    joint = torch.as_tensor(joint, dtype=torch.float64)
    lead = (game.horizon, game.n_states) if game.horizon is not None else (game.n_states,)
    full = (*lead, *game.action_counts)
    if game.is_normal_form and tuple(joint.shape) == game.action_counts:
        joint = joint.reshape(full)
    if tuple(joint.shape) != full:
        raise ValueError(f"joint: expected shape {full} (or {game.action_counts} for a normal-form "
                         f"game), got {tuple(joint.shape)}")
    n = game.n_agents
    if (joint < -1e-9).any() or not torch.isfinite(joint).all():
        raise ValueError("joint: must be a finite, non-negative distribution")
    sums = joint.sum(list(range(-n, 0)))
    if ((sums - 1).abs() > 1e-6).any():
        raise ValueError(f"joint: must sum to 1 over joint actions, sums {sums.flatten()[:4]}")
    return joint


def joint_values(
    game: TabularGame, joint: torch.Tensor, stage_bonus: torch.Tensor | None = None
) -> torch.Tensor:
    """Values ``(N, S)`` (at t = 0) of every player under the correlated policy ``joint``.

    ``stage_bonus``: optional ``(N, H?, S)`` added to every stage's expected reward (e.g. an
    entropy term ``-(1/beta) KL(pi_i || pi0_i)`` for soft values)."""
    return _values_and_q(game, _check_joint(game, joint), stage_bonus)[0]


def stage_payoffs(
    game: TabularGame, joint: torch.Tensor, stage_bonus: torch.Tensor | None = None
) -> torch.Tensor:
    """``Q_i(s, a) = r_i(s, a) + gamma sum_s' P(s' | s, a) V_i(s')`` of the correlated policy:
    ``(N, H?, S, *J)`` (the payoffs, normal form); ``stage_bonus`` as in :func:`joint_values`."""
    return _values_and_q(game, _check_joint(game, joint), stage_bonus)[1]


def _values_and_q(
    game: TabularGame, joint: torch.Tensor, bonus: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    n, axes = game.n_agents, list(range(-game.n_agents, 0))
    if game.horizon is not None:
        v = torch.zeros(n, game.n_states, dtype=torch.float64)
        qs = []
        for t in reversed(range(game.horizon)):
            q = game.rewards + (game.transitions @ v.T).movedim(-1, 0)
            qs.append(q)
            v = (joint[t] * q).sum(axes)
            if bonus is not None:
                v = v + bonus[:, t]
        return v, torch.stack(qs[::-1], dim=1)
    r_pi = (joint * game.rewards).sum(axes)  # (N, S)
    if bonus is not None:
        r_pi = r_pi + bonus
    p_pi = (joint.unsqueeze(-1) * game.transitions).sum([a - 1 for a in axes])  # (S, S')
    eye = torch.eye(game.n_states, dtype=torch.float64)
    v = torch.linalg.solve(eye - game.gamma * p_pi, r_pi.T).T
    return v, game.rewards + game.gamma * (game.transitions @ v.T).movedim(-1, 0)


def deviation_gains(joint: torch.Tensor, q: torch.Tensor, agent: int, n_agents: int) -> torch.Tensor:
    """``G[..., a_i, a_i'] = sum_{a_-i} joint(a) [q(a_i', a_-i) - q(a)]``: the expected gain of
    agent ``agent`` from playing ``a_i'`` whenever ``a_i`` is recommended.

    ``joint``, ``q``: ``(..., *J)``; returns ``(..., A_i, A_i)``."""
    ax = joint_axis(agent, n_agents)
    sig = joint.movedim(ax, -1)  # (..., a_-i..., A_i)
    qm = q.movedim(ax, -1)
    lead = sig.ndim - n_agents
    other_axes = list(range(lead, lead + n_agents - 1))
    # sum_{a_-i} sigma(a_i, a_-i) Q(a_i', a_-i)  and  sum_{a_-i} sigma(a_i, a_-i) Q(a_i, a_-i)
    cross = torch.einsum("...i,...j->...ij", sig, qm)
    own = sig * qm
    if other_axes:
        cross, own = cross.sum(other_axes), own.sum(other_axes)
    return cross - own.unsqueeze(-1)


def _gains(game: TabularGame, joint: torch.Tensor, agent: int) -> torch.Tensor:
    """:func:`deviation_gains` under the correlated policy's own ``Q``: ``(H?, S, A_i, A_i)``."""
    return deviation_gains(joint, stage_payoffs(game, joint)[agent], agent, game.n_agents)


def ce_gap(game: TabularGame, joint: torch.Tensor) -> float:
    """CE gap (module docstring); ``joint``: ``(A_1..A_N)`` or ``(H?, S, A_1..A_N)``."""
    joint = _check_joint(game, joint)
    gaps = [_gains(game, joint, i).max(-1).values.sum(-1) for i in range(game.n_agents)]
    return float(torch.stack(gaps).max().clamp_min(0.0))


def cce_gap(game: TabularGame, joint: torch.Tensor) -> float:
    """CCE gap (module docstring)."""
    joint = _check_joint(game, joint)
    gaps = [_gains(game, joint, i).sum(-2).max(-1).values for i in range(game.n_agents)]
    return float(torch.stack(gaps).max().clamp_min(0.0))


def welfare(game: TabularGame, joint: torch.Tensor) -> float:
    """Total expected payoff ``sum_i V_i`` at the initial distribution."""
    if game.is_normal_form:
        joint = _check_joint(game, joint)
        return float((payoff_tensor(game) * joint.reshape(game.action_counts)).sum())
    return float((joint_values(game, joint) @ game.initial).sum())
