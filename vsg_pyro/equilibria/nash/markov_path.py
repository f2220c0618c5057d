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
import scipy.linalg.lapack
import torch

from vsg_pyro.core.joint import JointIndex, product_of_marginals, sum_others
from vsg_pyro.equilibria.nash.logit import difference_rows
from vsg_pyro.games.tabular import TabularGame

__all__ = ["DiscountedSystem", "markov_equations", "scaled_values", "split_policies"]


def split_policies(game: TabularGame, y: torch.Tensor) -> list[torch.Tensor]:
    """``y`` ``(n,)`` -> per agent log-policies ``(H?, S, A_i)``."""
    lead = game.row_shape
    sizes = [int(torch.tensor(lead).prod()) * a for a in game.action_counts]
    return [v.reshape(*lead, a) for v, a in zip(torch.split(y, sizes), game.action_counts,
                                                 strict=True)]


def scaled_values(game: TabularGame, i: int, joint: torch.Tensor, kl: torch.Tensor,
                   beta: torch.Tensor) -> torch.Tensor:
    """``W_i = beta Q_i`` ``(H?, S, *J)`` of agent ``i`` (module docstring; torch,
    differentiable) under ``joint`` ``(H?, S, *J)`` (the product of the policies) with
    agent ``i``'s ``kl`` ``(H?, S)`` (``KL(pi_i || pi0_i)`` per row) at inverse temperature
    ``beta``."""
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
        w = scaled_values(game, i, joint, kl, beta)
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

    The joint action is flattened (:class:`~vsg_pyro.core.joint.JointIndex`: ``J`` joint
    actions, the agents' own actions in ``A`` columns), so that every agent is handled by the
    same few array operations: per state, ``mu = exp(Y E^T)`` ``(S, J)`` and the others'
    product ``mu_-i = exp(Y E^T - Y_own_i)``, with ``Y`` ``(S, A)`` the log-policies side by
    side.  Equations and Jacobian rows come in :func:`markov_equations`' order.

    ``log_priors``: per agent ``(S, A_i)``."""

    def __init__(self, game: TabularGame, log_priors: Sequence[torch.Tensor]) -> None:
        if game.horizon is not None:
            raise ValueError("DiscountedSystem: a discounted game only (finite horizon: "
                             "markov_equations with autograd)")
        counts = tuple(game.action_counts)
        n, S = len(counts), game.n_states
        index = JointIndex(counts)
        J, A, agent, start = index.onehot.shape[0], int(index.start[-1]), index.agent, index.start
        self.gamma, self.n_states, self.counts = float(game.gamma), S, counts
        self.trans = game.transitions.detach().numpy().reshape(S, J, S)  # (S, J, S')
        self.rewards = np.ascontiguousarray(
            game.rewards.detach().numpy().reshape(n, S, J).transpose(1, 0, 2))  # (S, N, J)
        self.onehot, self.onehot_t = index.onehot, np.ascontiguousarray(index.onehot.T)
        self.agent = agent
        self.own_by_column = index.own[agent]  # (A, J): column c's agent's action in j
        self.rewards_by_column = np.ascontiguousarray(self.rewards[:, agent])  # (S, A, J)
        offsets = np.cumsum([0] + [S * a for a in counts])
        m = int(offsets[-1])
        # y's position of (s, column c): agent-major, then state, then action
        y_index = np.empty((S, A), dtype=np.intp)
        for i, a in enumerate(counts):
            y_index[:, start[i]:start[i + 1]] = (offsets[i] + np.arange(S)[:, None] * a
                                                 + np.arange(a))
        self.y_index = y_index
        self.log_prior = np.concatenate(
            [np.broadcast_to(lp.detach().numpy(), (S, a)) for lp, a in
             zip(log_priors, counts, strict=True)], axis=1)  # (S, A)
        self.by_agent = (agent[:, None] == np.arange(n)).astype(np.float64)  # (A, N)
        self.own_columns = np.ascontiguousarray(self.by_agent.T)  # (N, A)
        # the action equations difference each column c_r against its agent's first (a = 0)
        first = start[:-1][agent]
        rest = np.flatnonzero(np.arange(A) != first)  # c_r, r = 0..A-N-1
        self.difference = difference_rows(counts)[rest, :-1]  # (A - N, A)
        self.difference_t = np.ascontiguousarray(self.difference.T)
        self.row_agent = agent[rest]  # (A - N,)
        self.row_cross = (agent[rest][:, None] != agent[None, :]).astype(np.float64)  # (A-N, A)
        # output rows in markov_equations' order (per agent: S normalisations, then the
        # (S, A_i - 1) action equations); columns in y's order, then beta
        actions = rest - start[agent[rest]]  # a >= 1
        sizes = np.array(counts)[agent[rest]]
        norm_rows = offsets[:-1][None, :] + np.arange(S)[:, None]  # (S, N)
        action_rows = (offsets[agent[rest]][None] + S + np.arange(S)[:, None] * (sizes - 1)
                       + (actions - 1))  # (S, A - N)
        self.norm_rows, self.action_rows = norm_rows.ravel(), action_rows.ravel()
        # flat positions in the (m, m + 1) Jacobian: the normalisation rows' pi_i(s, c) at
        # y(s, c); the action rows' (s, r) entries at y(s0, c') (S, A - N, S0, A) and beta
        width = m + 1
        self.norm_entries = norm_rows[:, agent] * width + y_index  # (S, A)
        self.action_entries = (action_rows[:, :, None, None] * width
                               + y_index[None, None])  # (S, A - N, S0, A)
        self.beta_entries = action_rows * width + m  # (S, A - N)
        # the action rows' constant part: y(s, c_r) - y(s, first_r)
        eye_s = np.eye(S)
        self.action_constant = eye_s[:, None, :, None] * self.difference[None, :, None, :]
        self.states = np.arange(S)
        self.eye = eye_s
        self.gamma_trans = self.gamma * self.trans  # (S, J, S')
        self.ones_j, self.ones_s = np.ones(J), np.ones(S)
        self.m = m

    def evaluate(self, z: np.ndarray, jacobian: bool = True
                 ) -> tuple[np.ndarray, np.ndarray | None]:
        # (written for few numpy calls: at these sizes each call's overhead, not its
        # arithmetic, is the cost)
        y, beta = z[:-1], z[-1]
        logs = y[self.y_index]  # Y (S, A)
        pis = np.exp(logs)
        log_joint = logs @ self.onehot_t  # (S, J)
        mu = np.exp(log_joint)
        # mu_-i(s, j) for column c's agent i, where j plays c (else 0): (S, A, J)
        others_c = np.exp(log_joint[:, None, :] - logs[:, self.own_by_column]) * self.onehot_t
        lu, piv, minv, info = scipy.linalg.lapack.dgesv(
            self.eye - (mu[:, None, :] @ self.gamma_trans)[:, 0], self.eye)  # M^{-1}
        if info != 0:  # I - gamma P_mu is singular only for a diverging (non-finite) iterate
            minv = np.full(minv.shape, np.nan)
        r_mu = (self.rewards @ mu[:, :, None])[..., 0]  # (S, N)
        entropy = logs - self.log_prior
        u = minv @ (beta * r_mu - (pis * entropy) @ self.by_agent)  # U (S, N)
        w = beta * self.rewards + (self.gamma_trans @ u).transpose(0, 2, 1)  # W (S, N, J)
        weighted = w[:, self.agent] * others_c  # (S, A, J)
        d = entropy - weighted @ self.ones_j  # y - log pi0 - Wbar (S, A)
        h = np.empty(self.m)
        h[self.norm_rows] = (pis @ self.by_agent).ravel()
        h[self.norm_rows] -= 1.0
        h[self.action_rows] = (d @ self.difference_t).ravel()
        if not jacobian:
            return h, None
        # Q differenced over the rows' actions: (D Q)(s, r, s0), Q = gamma E_-i[P] M^{-1}
        q = (self.difference @ (others_c @ self.gamma_trans)) @ minv  # (S, A - N, S0)
        g = ((w * mu[:, None]) @ self.onehot
             - self.own_columns * (pis * (entropy + 1.0))[:, None])  # G_ij (S0, N, A)
        dw = q[:, :, :, None] * g[:, self.row_agent].transpose(1, 0, 2)  # (S, A-N, S0, A)
        dw[self.states, :, self.states, :] += (self.difference @ (weighted @ self.onehot)
                                               * self.row_cross)  # [s = s0, j != i]
        d_beta = ((self.rewards_by_column * others_c) @ self.ones_j @ self.difference_t
                  + (q * r_mu[:, self.row_agent].T) @ self.ones_s)  # (S, A - N)
        jac = np.zeros((self.m, self.m + 1))
        flat = jac.reshape(-1)  # a view
        flat[self.norm_entries] = pis
        flat[self.action_entries] = self.action_constant - dw
        flat[self.beta_entries] = -d_beta
        return h, jac
