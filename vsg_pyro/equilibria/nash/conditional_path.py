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
executed policies).  Stochastic games: not yet (the conditional soft DP couples the states).

Shapes: ``m_i`` ``(A_i,)``; ``sigma_i`` ``(A_1, ..., A_N)`` normalised along axis ``i``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from vsg_pyro.core.joint import expect_except
from vsg_pyro.core.protocol import Certificate
from vsg_pyro.equilibria.nash import path
from vsg_pyro.equilibria.nash.certificate import soft_best_response_residual
from vsg_pyro.equilibria.nash.exact import exact_opponent_models
from vsg_pyro.equilibria.nash.logit import difference_rows
from vsg_pyro.games.tabular import TabularGame

__all__ = ["ConditionalLogitSystem", "Solver", "conditional_policies"]


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


class Solver(path.Solver):
    """:class:`~.path.Solver` on the conditional family's equations (normal-form games)."""

    family = "conditional"

    def __init__(self, game: TabularGame, log_priors: Sequence[torch.Tensor] | None = None,
                 certificate_tol: float = 1e-6, h0: float = 0.05) -> None:
        if not game.is_normal_form:
            raise ValueError("method='path' with family='conditional': normal-form games only "
                             "for now (stochastic games: family='factorized')")
        super().__init__(game, log_priors, certificate_tol, h0)
        self.system = ConditionalLogitSystem(self.payoffs, self.log_priors)

    def _h(self, z: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(self.system.evaluate(z.detach().numpy(), False)[0])

    def certificate(self, state: path.PathState, beta: float) -> Certificate:
        name = "soft best-response residual (conditional, path)"
        if not state.done or abs(float(state.z[-1]) - beta) > 1e-12:
            return Certificate(name, float("inf"), self.certificate_tol)
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
