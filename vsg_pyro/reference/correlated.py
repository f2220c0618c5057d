"""The max-welfare (coarse) correlated equilibrium of a normal-form game by linear programming
(scipy's HiGHS): the reference the correlated-equilibrium solvers of §5.3 are checked against.

Nothing here is variational.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from scipy.optimize import linprog

from vsg_pyro.games.normal_form import payoff_tensor
from vsg_pyro.games.tabular import TabularGame

__all__ = ["CorrelatedEquilibriumLP", "max_welfare_correlated_equilibrium"]


class CorrelatedEquilibriumLP(NamedTuple):
    """``joint``: ``(A_1, ..., A_N)`` distribution; ``values``: ``(N,)`` expected payoffs."""

    joint: torch.Tensor
    welfare: float
    values: torch.Tensor


def _deviation_rows(payoffs: np.ndarray, coarse: bool) -> np.ndarray:
    """Rows ``g`` of the incentive constraints ``g . sigma <= 0`` (sigma flattened C-order)."""
    n = payoffs.shape[0]
    counts = payoffs.shape[1:]
    rows = []
    for i in range(n):
        u = np.moveaxis(payoffs[i], i, 0)  # (A_i, rest...)
        for dev in range(counts[i]):
            gain = u[dev][None] - u  # gain[a_i, rest] = u_i(dev, a_-i) - u_i(a_i, a_-i)
            if coarse:
                rows.append(np.moveaxis(gain, 0, i).reshape(-1))
                continue
            for rec in range(counts[i]):
                if rec == dev:
                    continue
                g = np.zeros_like(gain)
                g[rec] = gain[rec]
                rows.append(np.moveaxis(g, 0, i).reshape(-1))
    return np.array(rows)


def max_welfare_correlated_equilibrium(
    game: TabularGame, coarse: bool = False
) -> CorrelatedEquilibriumLP:
    """The (coarse) correlated equilibrium of a normal-form game maximising total payoff.

    CE: for every player ``i`` and recommended/deviating actions ``a_i != a_i'``,
    ``sum_{a_-i} sigma(a_i, a_-i) [u_i(a_i', a_-i) - u_i(a_i, a_-i)] <= 0``; CCE: for every
    ``i, a_i'``, ``sum_a sigma(a) [u_i(a_i', a_-i) - u_i(a)] <= 0``.
    """
    payoffs = payoff_tensor(game).numpy()
    counts = payoffs.shape[1:]
    size = int(np.prod(counts))
    welfare = payoffs.sum(0).reshape(-1)
    a_ub = _deviation_rows(payoffs, coarse)
    res = linprog(-welfare, A_ub=a_ub, b_ub=np.zeros(len(a_ub)), A_eq=np.ones((1, size)),
                  b_eq=[1.0], bounds=[(0, None)] * size, method="highs")
    if res.status != 0:
        raise RuntimeError(f"HiGHS failed on the correlated-equilibrium LP: {res.message}")
    joint = torch.as_tensor(np.clip(res.x, 0, None).reshape(counts))
    joint = joint / joint.sum()
    values = torch.as_tensor(payoffs.reshape(len(payoffs), -1) @ joint.reshape(-1).numpy())
    return CorrelatedEquilibriumLP(joint, float(-res.fun), values)
