"""Path following for the conditional family in normal-form games (issue 13): the paper's
``pi_i(a_i | a_-i)`` (Prop. 5.2) with the exact opponent model.

In a one-step game the conditional soft best response does not depend on the others' play:
``sigma_i(a_i | a_-i) = softmax_a_i(log pi0_i + beta r_i(a_i, a_-i))``.  What the agents
actually play is its marginal under the opponent model, and the exact model is the product
of the others' executed marginals, so the equilibrium is the fixed point

    m_i(a) = G_i(a) := E_{a_-i ~ prod_j m_j} sigma_i(a | a_-i)      (per agent i),

written, as for the logit QRE (:mod:`.logit`), with ``y_i = log m_i``:

    H_i,0 = sum_a exp(y_ia) - 1,    H_i,a = y_ia - y_i0 - (log G_ia - log G_i0),  a >= 1,

``z = (y, beta)``; at beta = 0, ``sigma_i = pi0_i`` and the curve starts at ``y = log pi0``.
Jacobian (closed form): ``d log G_ia / d y_jb = m_jb E_{a_-ij} sigma_i(a | b, .) / G_ia``
(``j != i``) and ``d log G_ia / d beta = E_{a_-i}[sigma_i(a | .) (r_i(a, .) - E_sigma_i
r_i(., .))] / G_ia``.  The continuation is :class:`~.path.Solver`'s.

The certificate is the larger of the soft best-response residual of ``sigma`` against the
exact models and the fixed-point residual ``max_i |m_i - G_i|`` (the models match the
executed policies).

**Stochastic games** (:func:`conditional_markov_equations`): ``sigma_i`` depends on the
continuation, and the continuation on everyone's play.  With ``W_i = beta Q_i`` (Definition
5.1 scaled by beta, as in :mod:`.markov_path`) and ``U_i = beta V_i`` at the soft best
response (the KL of the exact opponent model is 0):

    W_i(row, a) = beta r_i(s, a) + gamma sum_s' P(s' | s, a) U_i(next row of s'),
    U_i(row) = E_{a_-i ~ m_-i(row)} log sum_a_i pi0_i(a_i | s) exp(W_i(row, a)),
    sigma_i(a_i | row, a_-i) = softmax_a_i(log pi0_i + W_i(row, ., a_-i)),
    m_i(row, a) = G_i(row, a) := E_{a_-i ~ m_-i(row)} sigma_i(a | row, a_-i)

(rows: states, or (stage, state) pairs with ``U = 0`` past the horizon and ``gamma = 1``).
The unknowns are ``z = (y, U, beta)``, ``y = log m``: per agent and row the normalisation
and action equations above, and ``U_i - E log sum exp`` (one per agent and row).  At beta 0,
``W = gamma P U`` and ``U = 0``, ``m = pi0`` solve them exactly.  The Jacobian is torch
autograd's (the continuation's chord corrector); the certificate is the normal-form one on
the rows.

Shapes: ``m_i`` ``(A_i,)`` (a stochastic game: ``(H?, S, A_i)``); ``sigma_i`` ``(A_1, ...,
A_N)`` normalised along axis ``i`` (``(H?, S, A_1, ..., A_N)``); ``U_i`` ``(H?, S)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from vsg_pyro.core.joint import agent_view, expect_except, product_of_marginals, sum_others
from vsg_pyro.core.protocol import Certificate
from vsg_pyro.equilibria.nash import path
from vsg_pyro.equilibria.nash.certificate import soft_best_response_residual
from vsg_pyro.equilibria.nash.exact import exact_opponent_models
from vsg_pyro.equilibria.nash.logit import difference_rows
from vsg_pyro.games.tabular import TabularGame

__all__ = ["ConditionalLogitSystem", "Solver", "conditional_policies",
           "conditional_markov_equations"]


def conditional_policies(payoffs: Sequence[np.ndarray], log_priors: Sequence[np.ndarray],
                         beta: float) -> list[np.ndarray]:
    """``sigma_i`` ``(A_1, ..., A_N)`` per agent (module docstring)."""
    out = []
    for i, (pay, lp) in enumerate(zip(payoffs, log_priors, strict=True)):
        shape = [1] * pay.ndim
        shape[i] = -1
        logits = lp.reshape(shape) + beta * pay
        logits = logits - logits.max(axis=i, keepdims=True)
        e = np.exp(logits)
        out.append(e / e.sum(axis=i, keepdims=True))
    return out


class ConditionalLogitSystem:
    """The equations ``H(z)`` and their Jacobian ``(n, n + 1)`` (module docstring), in numpy,
    like :class:`~.logit.LogitSystem`."""

    def __init__(self, payoffs: Sequence[torch.Tensor],
                 log_priors: Sequence[torch.Tensor]) -> None:
        self.payoffs = [p.detach().numpy() for p in payoffs]  # (A_1..A_N) each
        self.log_priors = [lp.detach().numpy() for lp in log_priors]
        self.counts = tuple(p.shape[i] for i, p in enumerate(self.payoffs))
        self.offsets = np.cumsum([0, *self.counts])
        self.base = difference_rows(self.counts)

    def evaluate(self, z: np.ndarray, jacobian: bool = True
                 ) -> tuple[np.ndarray, np.ndarray | None]:
        off, beta, n_agents = self.offsets, float(z[-1]), len(self.counts)
        ys = [z[off[i]:off[i + 1]] for i in range(n_agents)]
        ms = [np.exp(v)[None] for v in ys]  # (1, A_i): one row
        sigmas = conditional_policies(self.payoffs, self.log_priors, beta)
        jac = self.base.copy() if jacobian else None
        eqs = []
        for i, (v, sigma) in enumerate(zip(ys, sigmas, strict=True)):
            g = expect_except(sigma[None], ms, (i,))[0]  # G_i (A_i,)
            log_g = np.log(g)
            eqs.append(np.exp(v).sum(keepdims=True) - 1.0)
            eqs.append(v[1:] - v[0] - (log_g[1:] - log_g[0]))
            if jac is None:
                continue
            start, a_i, pay = int(off[i]), self.counts[i], self.payoffs[i]
            jac[start, start:start + a_i] = ms[i][0]
            # d sigma_i / d beta = sigma_i (r_i - E_sigma_i r_i), then E over the others
            mean = (sigma * pay).sum(axis=i, keepdims=True)
            dg_beta = expect_except((sigma * (pay - mean))[None], ms, (i,))[0] / g
            jac[start + 1:start + a_i, -1] = -(dg_beta[1:] - dg_beta[0])
            for j in range(n_agents):
                if j == i:
                    continue
                pair = expect_except(sigma[None], ms, (min(i, j), max(i, j)))[0]
                pair = pair if i < j else pair.T  # (A_i, A_j): E_{a_-ij} sigma_i(a | b, .)
                d = pair * ms[j] / g[:, None]  # d log G_ia / d y_jb
                jac[start + 1:start + a_i, off[j]:off[j + 1]] = -(d[1:] - d[:1])
        return np.concatenate(eqs), jac


def _markov_parts(game: TabularGame, log_priors: Sequence[torch.Tensor], z: torch.Tensor
                  ) -> tuple[list[torch.Tensor], list[torch.Tensor], list[torch.Tensor],
                             list[torch.Tensor]]:
    """Per agent, at ``z = (y, U, beta)``: ``log m_i`` ``(H?, S, A_i)``, ``U_i`` ``(H?, S)``,
    ``log sigma_i`` ``(H?, S, *J)`` and the log-sum-exp ``(H?, S, *J)`` (size 1 at ``i``)."""
    lead, counts, n = game.row_shape, game.action_counts, game.n_agents
    rows = math.prod(lead)
    sizes = [rows * a for a in counts]
    parts = torch.split(z[:-1], [*sizes, rows * n])
    logs = [v.reshape(*lead, a) for v, a in zip(parts[:n], counts, strict=True)]
    us = list(parts[n].reshape(n, *lead))
    beta = z[-1]
    log_sigmas, lses = [], []
    for i in range(n):
        if game.horizon is None:
            cont = game.gamma * (game.transitions @ us[i])  # (S, *J)
        else:  # U of the next stage, 0 past the horizon
            nxt = torch.cat([us[i][1:], torch.zeros_like(us[i][:1])])  # (H, S')
            cont = torch.einsum("s...t,ht->hs...", game.transitions, nxt)  # (H, S, *J)
        logits = agent_view(log_priors[i], i, n) + beta * game.rewards[i] + cont
        lse = torch.logsumexp(logits, dim=logits.ndim - n + i, keepdim=True)
        log_sigmas.append(logits - lse)
        lses.append(lse)
    return logs, us, log_sigmas, lses


def conditional_markov_equations(game: TabularGame, log_priors: Sequence[torch.Tensor],
                                 z: torch.Tensor) -> torch.Tensor:
    """``H(z)`` of the module docstring's stochastic games (torch, differentiable in ``z =
    (y, U, beta)``): per agent its normalisations, action equations and value equations,
    row-major.  ``log_priors``: per agent ``(S, A_i)``."""
    n = game.n_agents
    logs, us, log_sigmas, lses = _markov_parts(game, log_priors, z)
    ms = [torch.exp(v) for v in logs]
    out = []
    for i in range(n):
        others = product_of_marginals(ms, exclude=i)  # (H?, S, *J), 1 at i
        log_g = torch.log(sum_others(torch.exp(log_sigmas[i]) * others, i, n))  # (H?, S, A_i)
        u_bar = (lses[i] * others).sum(dim=tuple(range(-n, 0)))  # (H?, S)
        out.append((ms[i].sum(-1) - 1.0).reshape(-1))
        out.append((logs[i][..., 1:] - logs[i][..., :1]
                    - (log_g[..., 1:] - log_g[..., :1])).reshape(-1))
        out.append((us[i] - u_bar).reshape(-1))
    return torch.cat(out)


class Solver(path.Solver):
    """:class:`~.path.Solver` on the conditional family's equations: in closed form for
    normal-form games (:class:`ConditionalLogitSystem`), by autograd through
    :func:`conditional_markov_equations` for stochastic games (module docstring)."""

    family = "conditional"

    def __init__(self, game: TabularGame, log_priors: Sequence[torch.Tensor] | None = None,
                 certificate_tol: float = 1e-6, h0: float = 0.05) -> None:
        super().__init__(game, log_priors, certificate_tol, h0)
        self.rows = math.prod(game.row_shape)
        self.system = (ConditionalLogitSystem(self.payoffs, self.log_priors)
                       if game.is_normal_form else None)

    def _h(self, z: torch.Tensor) -> torch.Tensor:
        if self.markov:
            return conditional_markov_equations(self.game, self.state_priors, z)
        return torch.from_numpy(self.system.evaluate(z.detach().numpy(), False)[0])

    def init(self, seed: int = 0) -> path.PathState:
        """The branch's start at beta = 0: ``m = pi0`` (and, in a stochastic game, ``U = 0``);
        ``seed`` is not used."""
        if not self.markov:
            return super().init(seed)
        lead = self.game.row_shape
        y = torch.cat([lp.expand(*lead, lp.shape[-1]).reshape(-1) for lp in self.state_priors])
        z = torch.cat([y, torch.zeros(self.rows * self.n_agents + 1, dtype=y.dtype)])
        return self._start(z, (torch.exp(y),))

    def _log_marginals(self, z: torch.Tensor) -> list[torch.Tensor]:
        """Per agent ``(R, A_i)`` log executed marginals (``y``; U and beta dropped)."""
        sizes = [self.rows * a for a in self.counts]
        parts = torch.split(z[:sum(sizes)], sizes)
        return [v.reshape(self.rows, -1) for v in parts]

    def step(self, state: path.PathState, beta: float, alpha: float):
        new, info = super().step(state, beta, alpha)
        if self.markov and len(new.points) > len(state.points):
            # the base class stores exp(z[:-1]); here z also holds U: store the marginals
            new = new._replace(points=(*state.points, torch.cat(
                [torch.exp(v).reshape(-1) for v in self._log_marginals(new.z)])))
        return new, info

    def _marginals(self, z: torch.Tensor) -> list[torch.Tensor]:
        """Per agent the executed marginals ``(R, A_i)`` at ``z`` (stochastic games)."""
        out = [torch.exp(v) for v in self._log_marginals(z.detach())]
        return [p / p.sum(-1, keepdim=True) for p in out]

    def row_policies(self, state: path.PathState) -> list[np.ndarray]:
        if not self.markov:
            return super().row_policies(state)
        return [p.numpy() for p in self._marginals(state.z)]

    def policies(self, state: path.PathState) -> list[torch.Tensor]:
        """Per agent the executed marginals ``(H?, S, A_i)`` (``(1, 1, A_i)`` in a normal-form
        game)."""
        if not self.markov:
            return super().policies(state)
        return [p.reshape(*self.game.row_shape, -1) for p in self._marginals(state.z)]

    def certificate(self, state: path.PathState, beta: float) -> Certificate:
        name = "soft best-response residual (conditional, path)"
        if not state.done or abs(float(state.z[-1]) - beta) > 1e-12:
            return Certificate(name, float("inf"), self.certificate_tol)
        if self.markov:
            return Certificate(name, self._markov_residual(state.z.detach(), beta),
                               self.certificate_tol)
        marginals = [p.reshape(-1) for p in self.policies(state)]
        sigmas = conditional_policies([p.numpy() for p in self.payoffs],
                                      [lp.numpy() for lp in self.log_priors], beta)
        lead = tuple(self.game.row_shape)
        log_sigmas = [torch.log(torch.from_numpy(s)).reshape(*lead, *s.shape) for s in sigmas]
        models = exact_opponent_models([m.reshape(*lead, -1) for m in marginals])
        value = soft_best_response_residual(self.game, log_sigmas, models, beta,
                                            self.state_priors)
        ms = [m.numpy()[None] for m in marginals]
        for i, s in enumerate(sigmas):  # the executed marginals reproduce themselves
            induced = expect_except(s[None], ms, (i,))[0]
            value = max(value, float(np.abs(induced - ms[i][0]).max()))
        return Certificate(name, value, self.certificate_tol)

    def _markov_residual(self, z: torch.Tensor, beta: float) -> float:
        """The larger of the soft best-response residual of the conditional policies
        ``sigma_i`` against the exact models of the executed marginals and the marginals'
        fixed-point residual ``max |m_i - E_{m_-i} sigma_i|`` (stochastic games)."""
        _, _, log_sigmas, _ = _markov_parts(self.game, self.state_priors, z)
        marginals = [p.reshape(*self.game.row_shape, -1) for p in self._marginals(z)]
        models = exact_opponent_models(marginals)
        value = soft_best_response_residual(self.game, log_sigmas, models, beta,
                                            self.state_priors)
        n = self.n_agents
        for i, (log_sigma, m) in enumerate(zip(log_sigmas, marginals, strict=True)):
            induced = sum_others(torch.exp(log_sigma) * models[i], i, n)
            value = max(value, float((induced - m).abs().max()))
        return value
