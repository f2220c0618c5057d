"""The equations of the Markov soft equilibrium for path following in stochastic games
(issue 13): the factorized family's fixed point of Algorithm 1 (Prop. 5.2 per state),
written so that it is smooth at beta = 0.

With ``W_i = beta Q_i`` (Definition 5.1 scaled by beta) and ``U_i = beta V_i``:

    U_i(s) = sum_a mu(a | s) W_i(s, a) - KL(pi_i(. | s) || pi0_i(. | s)),
    W_i(s, a) = beta r_i(s, a) + gamma sum_s' P(s' | s, a) U_i(s')

(discounted: one linear solve; finite horizon: backward induction, ``U_H = 0``), ``mu`` the
product of the agents' policies, and the fixed point is ``log pi_i = log pi0_i + Wbar_i -
log Z`` with ``Wbar_i(s, a_i) = E_{a_-i ~ pi_-i} W_i(s, a)``.  As for normal-form games
(:mod:`.path`), per agent and row: ``sum_a exp(y) - 1 = 0`` and ``y_a - y_0 - (log pi0_a -
log pi0_0) - (Wbar_a - Wbar_0) = 0``.  At beta = 0, ``W = 0`` and ``y = log pi0``.

Shapes: ``y_i`` ``(H?, S, A_i)`` flattened in agent order; ``W_i`` ``(H?, S, *J)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from vsg_pyro.core.joint import product_of_marginals, sum_others
from vsg_pyro.games.tabular import TabularGame

__all__ = ["markov_equations", "split_policies"]


def split_policies(game: TabularGame, y: torch.Tensor) -> list[torch.Tensor]:
    """``y`` ``(n,)`` -> per agent log-policies ``(H?, S, A_i)``."""
    lead = game.row_shape
    sizes = [int(torch.tensor(lead).prod()) * a for a in game.action_counts]
    return [v.reshape(*lead, a) for v, a in zip(torch.split(y, sizes), game.action_counts,
                                                 strict=True)]


def _scaled_values(game: TabularGame, i: int, joint: torch.Tensor, kl: torch.Tensor,
                   beta: torch.Tensor) -> torch.Tensor:
    """``W_i`` ``(H?, S, *J)`` (module docstring)."""
    n = game.n_agents
    axes = list(range(-n, 0))
    reward = beta * game.rewards[i]  # (S, *J)
    trans = game.transitions  # (S, *J, S')
    if game.horizon is None:
        r_mu = (joint * reward).sum(axes)  # (S,)
        p_mu = (joint.unsqueeze(-1) * trans).sum(list(range(-n - 1, -1)))  # (S, S')
        eye = torch.eye(game.n_states, dtype=reward.dtype)
        u = torch.linalg.solve(eye - game.gamma * p_mu, r_mu - kl)
        return reward + game.gamma * trans @ u
    ws, u = [], torch.zeros(game.n_states, dtype=reward.dtype)
    for t in reversed(range(game.horizon)):
        w = reward if t + 1 == game.horizon else reward + trans @ u
        u = (joint[t] * w).sum(axes) - kl[t]
        ws.append(w)
    return torch.stack(ws[::-1])


def markov_equations(game: TabularGame, log_priors: Sequence[torch.Tensor],
                     z: torch.Tensor) -> torch.Tensor:
    """``H(z)`` of the module docstring (differentiable in ``z = (y, beta)``).

    ``log_priors``: per agent ``(S, A_i)``."""
    y, beta = z[:-1], z[-1]
    n = game.n_agents
    logs = split_policies(game, y)
    pis = [torch.exp(v) for v in logs]
    joint = product_of_marginals(pis)
    out = []
    for i, (v, lp) in enumerate(zip(logs, log_priors, strict=True)):
        kl = (pis[i] * (v - lp)).sum(-1)  # (H?, S)
        w = _scaled_values(game, i, joint, kl, beta)
        others = product_of_marginals(pis, exclude=i)
        wbar = sum_others(w * others, i, n)  # (H?, S, A_i)
        lp_b = lp.expand_as(v)
        out.append((torch.exp(v).sum(-1) - 1.0).reshape(-1))
        out.append((v[..., 1:] - v[..., :1] - (lp_b[..., 1:] - lp_b[..., :1])
                    - (wbar[..., 1:] - wbar[..., :1])).reshape(-1))
    return torch.cat(out)
