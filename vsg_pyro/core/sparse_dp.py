"""Policy evaluation on a sparse kernel (:class:`~vsg_pyro.games.sparse.SparseTabularGame`).

For a joint policy ``w(a | s)`` ``(S, *J)`` the state chain is

    P_w(s, s') = sum_a w(a | s) sum_k next_probs[s, a, k] [next_states[s, a, k] = s'],

a sparse ``(S, S)`` matrix with at most ``prod(J) K`` entries per row.  Its pattern does not
depend on ``w``: :class:`SparseKernel` finds the distinct (s, s') pairs once and then fills
the values of a ``scipy.sparse`` CSR matrix by one weighted ``bincount`` per policy.

Values solve ``(I - gamma P_w) V = c`` (Definition 5.1 when ``c`` is the soft stage value,
the unregularised value when ``c = E_w r``).  :meth:`SparseKernel.solve` runs scipy's
BiCGSTAB from a warm start and then *checks* the answer: since ``P_w`` is row-stochastic,
``||(I - gamma P_w)^{-1}||_inf <= 1 / (1 - gamma)``, so the residual ``r = c - (I - gamma
P_w) V`` bounds the error ``||V - V*||_inf <= ||r||_inf / (1 - gamma)``.  When BiCGSTAB stops
short of ``tol``, value-iteration sweeps ``V <- c + gamma P_w V`` (a ``gamma``-contraction)
finish the job; the bound is returned with the values, never assumed.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
import torch

__all__ = ["SparseKernel", "Evaluation"]


class Evaluation(NamedTuple):
    """``values`` ``(S,)`` and ``error_bound``: a certified bound on ``||values - V*||_inf``."""

    values: torch.Tensor
    error_bound: float


class SparseKernel:
    """The CSR pattern of a sparse game's kernel and the linear algebra on it.

    Args:
        next_states: ``(S, *J, K)`` int64 next-state indices; ``next_probs``: ``(S, *J, K)``.
        gamma: the discount factor.
    """

    def __init__(self, next_states: torch.Tensor, next_probs: torch.Tensor, gamma: float) -> None:
        self.n_states = int(next_states.shape[0])
        self.gamma = float(gamma)
        self.next_states, self.next_probs = next_states, next_probs
        s = self.n_states
        per_row = next_states[0].numel()
        rows = np.repeat(np.arange(s, dtype=np.int64), per_row)
        keys = rows * s + next_states.reshape(-1).numpy()
        unique, self._slot = np.unique(keys, return_inverse=True)
        self._indices = (unique % s).astype(np.int32 if s < 2**31 else np.int64)
        self._indptr = np.zeros(s + 1, dtype=np.int64)
        np.cumsum(np.bincount(unique // s, minlength=s), out=self._indptr[1:])
        self._probs = next_probs.reshape(s, -1, next_probs.shape[-1])
        # the kernel itself as an (S prod(J), S) CSR matrix over the game's own buffers
        k = next_states.shape[-1]
        rows_total = next_states[..., 0].numel()
        self._kernel = sp.csr_matrix(
            (next_probs.reshape(-1).numpy(), next_states.reshape(-1).numpy(),
             np.arange(0, rows_total * k + 1, k, dtype=np.int64)), shape=(rows_total, s))
        self._joint_shape = tuple(next_states.shape[:-1])

    @property
    def nnz(self) -> int:
        """Distinct (state, next state) pairs."""
        return int(self._indices.shape[0])

    def matrix(self, joint: torch.Tensor) -> sp.csr_matrix:
        """``P_w`` as a CSR matrix for the joint policy ``joint`` ``(S, *J)``."""
        s = self.n_states
        weights = (joint.reshape(s, -1, 1) * self._probs).reshape(-1).numpy()
        data = np.bincount(self._slot, weights=weights, minlength=self.nnz)
        return sp.csr_matrix((data, self._indices, self._indptr), shape=(s, s))

    def expected_next(self, values: torch.Tensor) -> torch.Tensor:
        """``sum_s' P(s' | s, a) values(s')``: ``(S,)`` -> ``(S, *J)``."""
        return torch.from_numpy(self._kernel @ values.numpy()).reshape(self._joint_shape)

    def solve(self, p_w: sp.csr_matrix, rhs: torch.Tensor, x0: torch.Tensor | None = None,
              tol: float = 1e-10, max_sweeps: int = 100_000) -> Evaluation:
        """``V`` with ``(I - gamma P_w) V = rhs`` to ``||V - V*||_inf <= tol`` (module
        docstring), starting from ``x0`` (``(S,)``; zeros by default).  ``rhs``: ``(S,)``."""
        g = self.gamma
        b = rhs.numpy()
        if g == 0.0:
            return Evaluation(rhs.clone(), 0.0)
        x = np.zeros_like(b) if x0 is None else x0.numpy().copy()

        def bound(v: np.ndarray) -> tuple[float, np.ndarray]:
            pv = p_w @ v
            return float(np.abs(b + g * pv - v).max()) / (1.0 - g), pv

        err, pv = bound(x)
        if err > tol:
            operator = spla.LinearOperator(p_w.shape, matvec=lambda v: v - g * (p_w @ v),
                                           dtype=np.float64)
            y, _info = spla.bicgstab(operator, b, x0=x, rtol=0.0,
                                     atol=tol * (1.0 - g) * 0.5, maxiter=1000)
            if np.all(np.isfinite(y)):
                err_y, pv_y = bound(y)
                if err_y < err:
                    x, err, pv = y, err_y, pv_y
        for _ in range(max_sweeps):
            if err <= tol:
                break
            # value iteration, a gamma-contraction, certified by the same residual bound
            x = b + g * pv
            err, pv = bound(x)
        if not math.isfinite(err):
            raise FloatingPointError("sparse policy evaluation: the values are not finite")
        return Evaluation(torch.from_numpy(x), err)
