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

Discounted games have the Jacobian in closed form (:class:`DiscountedSystem`, numpy: a step
of the branch is a handful of small dense operations, where autograd's per-operation overhead
would dominate).  With ``M = I - gamma P_mu``, ``C = gamma P M^{-1}`` ``(S, *J, S0)``,
``Q_i(s, a_i, s0) = E_{a_-i ~ pi_-i} C(s, a, s0)`` and, for a variable ``y_j(s0, b)``,

    G_ij(s0, b) = pi_j(s0, b) (E_{a_-j} W_i(s0, b, a_-j) - [i = j] (y_i - log pi0_i + 1)(s0, b)),

    d Wbar_i(s, a_i) / d y_j(s0, b) = Q_i(s, a_i, s0) G_ij(s0, b)
                                       + [s = s0, j != i] pi_j(s, b) E_{a_-ij} W_i(s, a_i, b, .),
    d Wbar_i(s, a_i) / d beta = E_{a_-i} r_i(s, a) + sum_s0 Q_i(s, a_i, s0) r_mu,i(s0)

(``r_mu,i = E_mu r_i``: the perturbation of ``U_i`` through ``M^{-1}`` enters the state it
starts in, ``s0``).  Finite-horizon games use autograd through :func:`markov_equations`.

Shapes: ``y_i`` ``(H?, S, A_i)`` flattened in agent order; ``W_i`` ``(H?, S, *J)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from vsg_pyro.core.joint import expect_plan, product_of_marginals, sum_others
from vsg_pyro.games.tabular import TabularGame

__all__ = ["DiscountedSystem", "markov_equations", "split_policies"]


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


class DiscountedSystem:
    """:func:`markov_equations` of a discounted game and their Jacobian ``(n, n + 1)`` in
    closed form (module docstring), in numpy; ``evaluate(z)`` returns both for ``z`` ``(n +
    1,)``, ``evaluate(z, jacobian=False)`` the equations alone (``(n,)``, Jacobian ``None``).

    ``log_priors``: per agent ``(S, A_i)``."""

    def __init__(self, game: TabularGame, log_priors: Sequence[torch.Tensor]) -> None:
        if game.horizon is not None:
            raise ValueError("DiscountedSystem: a discounted game only (finite horizon: "
                             "markov_equations with autograd)")
        self.trans = game.transitions.detach().numpy()  # (S, *J, S')
        self.rewards = game.rewards.detach().numpy()  # (N, S, *J)
        self.gamma = float(game.gamma)
        self.counts = tuple(game.action_counts)
        self.n_states = game.n_states
        self.log_priors = [np.broadcast_to(lp.detach().numpy(), (self.n_states, a))
                           for lp, a in zip(log_priors, self.counts, strict=True)]
        self.offsets = np.cumsum([0] + [self.n_states * a for a in self.counts])
        S, m = self.n_states, int(self.offsets[-1])
        self.eye = np.eye(S)
        # the Jacobian's constant part (y_i(s, a) - y_i(s, 0) in the action rows) and the
        # positions of the normalisation rows' entries, per agent
        self.base = np.zeros((m, m + 1))
        self.norm_index = []
        rows = np.arange(S)[:, None]
        for i, a_i in enumerate(self.counts):
            start = int(self.offsets[i])
            own = start + rows * a_i  # (S, 1): the column of y_i(s, 0)
            self.norm_index.append((start + rows, own + np.arange(a_i)))
            act = np.arange(1, a_i)
            action_rows = start + S + rows * (a_i - 1) + (act - 1)  # (S, A_i - 1)
            self.base[action_rows, own + act] = 1.0
            self.base[action_rows, np.broadcast_to(own, action_rows.shape)] = -1.0
        self.log_prior_gaps = [(lp[:, 1:] - lp[:, :1]) for lp in self.log_priors]
        # einsum plans (subscripts, the agents whose policies enter) and, per agent pair, the
        # flat positions of the same-state blocks [s, :, s, :] in a (S, A_i, S0, A_j) array
        n = len(self.counts)
        self.plan_mu = expect_plan(n, (), "Z")
        self.plan_total = expect_plan(n, ())
        self.plan_own = [expect_plan(n, (i,)) for i in range(n)]
        self.plan_q = [expect_plan(n, (i,), "Z") for i in range(n)]
        self.plan_pair = {(i, j): expect_plan(n, (min(i, j), max(i, j)))
                          for i in range(n) for j in range(n) if i != j}
        self.same_state = {}
        for (i, j) in self.plan_pair:
            a_i, a_j = self.counts[i], self.counts[j]
            grid = np.arange(S * a_i * S * a_j).reshape(S, a_i, S, a_j)
            self.same_state[i, j] = grid[np.arange(S), :, np.arange(S), :].reshape(-1)

    def evaluate(self, z: np.ndarray, jacobian: bool = True
                 ) -> tuple[np.ndarray, np.ndarray | None]:
        S, counts, gamma, trans = self.n_states, self.counts, self.gamma, self.trans
        y, beta, off = z[:-1], z[-1], self.offsets
        m, n = int(off[-1]), len(counts)
        logs = [y[off[i]:off[i + 1]].reshape(S, a) for i, a in enumerate(counts)]
        pis = [np.exp(v) for v in logs]

        def expect(x: np.ndarray, plan: tuple[str, tuple[int, ...]]) -> np.ndarray:
            return np.einsum(plan[0], x, *[pis[k] for k in plan[1]])

        minv = np.linalg.inv(self.eye - gamma * expect(trans, self.plan_mu))  # M^{-1}
        c = gamma * (trans @ minv) if jacobian else None  # (S, *J, S0)
        jac = self.base.copy() if jacobian else None
        eqs = []
        for i, a_i in enumerate(counts):
            r, lp, v = self.rewards[i], self.log_priors[i], logs[i]
            if jac is None:
                r_mu = expect(r, self.plan_total)  # (S,)
            else:
                r_bar = expect(r, self.plan_own[i])  # (S, A_i)
                r_mu = (r_bar * pis[i]).sum(-1)
            u = minv @ (beta * r_mu - (pis[i] * (v - lp)).sum(-1))  # U_i (S,)
            w = beta * r + gamma * (trans @ u)  # W_i (S, *J)
            wbar = expect(w, self.plan_own[i])  # (S, A_i)
            eqs.append(pis[i].sum(-1) - 1.0)
            eqs.append((v[:, 1:] - v[:, :1] - self.log_prior_gaps[i]
                        - (wbar[:, 1:] - wbar[:, :1])).reshape(-1))
            if jac is None:
                continue
            q = expect(c, self.plan_q[i])  # Q_i (S, A_i, S0)
            dw = np.empty((S, a_i, m + 1))  # d Wbar_i / dz
            for j in range(n):
                if j == i:
                    g = pis[i] * (wbar - (v - lp + 1.0))  # G_ii (S0, A_i)
                    dw[:, :, off[j]:off[j + 1]] = (q[:, :, :, None] * g).reshape(S, a_i, -1)
                    continue
                pair = w if n == 2 else expect(w, self.plan_pair[i, j])
                pair = pair if i < j else pair.transpose(0, 2, 1)  # (S, A_i, A_j)
                g = pis[j] * np.einsum("sab,sa->sb", pair, pis[i])  # G_ij (S0, A_j)
                d = (q[:, :, :, None] * g).reshape(-1)  # (S, A_i, S0, A_j) flat
                d[self.same_state[i, j]] += (pair * pis[j][:, None, :]).reshape(-1)
                dw[:, :, off[j]:off[j + 1]] = d.reshape(S, a_i, -1)
            dw[:, :, m] = r_bar + q @ r_mu
            start = int(off[i])
            jac[self.norm_index[i]] = pis[i]
            jac[start + S:start + S * a_i] -= (dw[:, 1:] - dw[:, :1]).reshape(-1, m + 1)
        return np.concatenate(eqs), jac
