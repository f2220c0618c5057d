"""The logit QRE's equations in a normal-form game (issue 13; the curve :mod:`.path`
follows): with ``y_i = log pi_i``,

    H_i,a(y, beta) = y_ia - y_i0 - (log pi0_ia - log pi0_i0) - beta (u_ia - u_i0),  a = 1..A_i-1
    H_i,0(y, beta) = sum_a exp(y_ia) - 1,

``u_i(a) = E_{a_-i ~ pi_-i} r_i(a, a_-i)``.  :func:`logit_equations` is the torch version
(differentiable, autograd's reference); :class:`LogitSystem` gives the equations and their
Jacobian in closed form in numpy (the path follower's: a step is a few small dense
operations, where torch's per-operation overhead would dominate):

    dH_i,a / dy_i,b = [a = b] - [b = 0],   dH_i,0 / dy_i,b = pi_ib,
    dH_i,a / dy_j,b = -beta pi_jb (E_{a_-ij} r_i(a, b, .) - E_{a_-ij} r_i(0, b, .)),  j != i,
    dH_i,a / dbeta = -(u_ia - u_i0).

Shapes: ``z = (y, beta)`` ``(n + 1,)`` with ``n = sum_i A_i``; payoffs per agent
``(A_1, ..., A_N)``; log priors per agent ``(A_i,)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from vsg_pyro.core.joint import expect_except
from vsg_pyro.games.tabular import TabularGame

__all__ = ["LogitSystem", "difference_rows", "expected_payoffs", "logit_equations", "logit_residual",
           "payoff_tensors"]


def payoff_tensors(game: TabularGame) -> list[torch.Tensor]:
    """Per agent the payoff tensor ``(A_1, ..., A_N)`` of a normal-form game."""
    return [game.rewards[i].reshape(game.action_counts) for i in range(game.n_agents)]


def expected_payoffs(payoffs: Sequence[torch.Tensor], pis: Sequence[torch.Tensor],
                      i: int) -> torch.Tensor:
    """``u_i(a, pi_-i)`` ``(A_i,)``: contract every axis but ``i``."""
    x = payoffs[i]
    for j in reversed(range(len(pis))):
        if j != i:
            x = torch.tensordot(x, pis[j], dims=([j], [0]))
    return x


def logit_equations(payoffs: Sequence[torch.Tensor], log_priors: Sequence[torch.Tensor],
                    z: torch.Tensor) -> torch.Tensor:
    """``H(z)`` ``(n,)`` of the module docstring (torch, differentiable in ``z``)."""
    counts = [p.shape[i] for i, p in enumerate(payoffs)]
    y, beta = z[:-1], z[-1]
    ys = list(torch.split(y, counts))
    pis = [torch.exp(v) for v in ys]
    out = []
    for i, (v, lp) in enumerate(zip(ys, log_priors, strict=True)):
        u = expected_payoffs(payoffs, pis, i)
        out.append(torch.exp(v).sum(0, keepdim=True) - 1.0)
        out.append(v[1:] - v[0] - (lp[1:] - lp[0]) - beta * (u[1:] - u[0]))
    return torch.cat(out)


def logit_residual(payoffs: Sequence[torch.Tensor], log_priors: Sequence[torch.Tensor],
                   pis: Sequence[torch.Tensor], beta: float) -> float:
    """``max_i max |pi_i - softmax(log pi0_i + beta u_i(., pi_-i))|``."""
    worst = 0.0
    for i, (pi, lp) in enumerate(zip(pis, log_priors, strict=True)):
        br = torch.softmax(lp + beta * expected_payoffs(payoffs, pis, i), 0)
        worst = max(worst, (pi - br).abs().max().item())
    return worst


def difference_rows(counts: Sequence[int]) -> np.ndarray:
    """The constant part ``(n, n + 1)`` of the Jacobian of equations laid out as here (per
    agent: the normalisation row, then ``y_ia - y_i0 - ...`` for ``a >= 1``): ``+1`` at
    ``y_ia``, ``-1`` at ``y_i0`` in the action rows."""
    offsets = np.cumsum([0, *counts])
    n = int(offsets[-1])
    base = np.zeros((n, n + 1))
    for i, a_i in enumerate(counts):
        start = int(offsets[i])
        base[start + 1:start + a_i, start + 1:start + a_i] = np.eye(a_i - 1)
        base[start + 1:start + a_i, start] = -1.0
    return base


class LogitSystem:
    """:func:`logit_equations` and their Jacobian ``(n, n + 1)`` in closed form (module
    docstring), in numpy; ``evaluate(z)`` returns both for ``z`` ``(n + 1,)``,
    ``evaluate(z, jacobian=False)`` the equations alone (Jacobian ``None``)."""

    def __init__(self, payoffs: Sequence[torch.Tensor],
                 log_priors: Sequence[torch.Tensor]) -> None:
        self.payoffs = [p.detach().numpy()[None] for p in payoffs]  # (1, A_1..A_N) each
        self.counts = tuple(p.shape[i] for i, p in enumerate(payoffs))
        self.prior_gaps = [(lp[1:] - lp[0]).detach().numpy() for lp in log_priors]
        self.offsets = np.cumsum([0, *self.counts])
        self.base = difference_rows(self.counts)

    def evaluate(self, z: np.ndarray, jacobian: bool = True
                 ) -> tuple[np.ndarray, np.ndarray | None]:
        off, beta, n_agents = self.offsets, z[-1], len(self.counts)
        ys = [z[off[i]:off[i + 1]] for i in range(n_agents)]
        pis = [np.exp(v)[None] for v in ys]  # (1, A_i)
        jac = self.base.copy() if jacobian else None
        eqs = []
        for i, (v, pay) in enumerate(zip(ys, self.payoffs, strict=True)):
            u = expect_except(pay, pis, (i,))[0]  # (A_i,)
            eqs.append(np.exp(v).sum(keepdims=True) - 1.0)
            eqs.append(v[1:] - v[0] - self.prior_gaps[i] - beta * (u[1:] - u[0]))
            if jac is None:
                continue
            start, a_i = int(off[i]), self.counts[i]
            jac[start, start:start + a_i] = pis[i][0]
            jac[start + 1:start + a_i, -1] = -(u[1:] - u[0])
            for j in range(n_agents):
                if j == i:
                    continue
                pair = expect_except(pay, pis, (min(i, j), max(i, j)))[0]
                pair = pair if i < j else pair.T  # (A_i, A_j)
                d = pair * pis[j]  # d u_i(a) / d y_j(b)
                jac[start + 1:start + a_i, off[j]:off[j + 1]] = -beta * (d[1:] - d[:1])
        return np.concatenate(eqs), jac
