"""Minimax references by linear programming (scipy's HiGHS): the value and optimal mixed
strategies of a matrix game, and Shapley's (1953) value iteration for two-player zero-sum
stochastic games (the truths the zero-sum solvers of §5.4 are checked against).

Nothing here is variational.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np
import torch
from scipy.optimize import linprog

from vsg_pyro.games.tabular import TabularGame

__all__ = [
    "MatrixGameSolution",
    "ShapleySolution",
    "solve_matrix_game",
    "shapley_value_iteration",
    "check_zero_sum",
]


class MatrixGameSolution(NamedTuple):
    """Minimax solution of ``max_x min_y x^T A y``: the value and optimal mixed strategies."""

    value: float
    row: torch.Tensor
    column: torch.Tensor


class ShapleySolution(NamedTuple):
    """Values ``(S,)`` (or ``(H+1, S)``), stationary (or per-step) strategies, iterations."""

    values: torch.Tensor
    row: torch.Tensor
    column: torch.Tensor
    value: float
    iterations: int


def solve_matrix_game(matrix: object) -> MatrixGameSolution:
    """``max_x min_y x^T A y`` for a payoff matrix ``A`` ``(m, n)`` of the row (maximising) player.

    LP: maximise ``v`` s.t. ``A^T x >= v 1``, ``x`` in the simplex; the column strategy comes
    from the dual LP.
    """
    a = np.asarray(matrix, dtype=np.float64)
    if a.ndim != 2 or not np.isfinite(a).all():
        raise ValueError(f"matrix: need a finite 2-d payoff matrix, got shape {a.shape}")
    m, n = a.shape

    def primal(mat: np.ndarray) -> tuple[float, np.ndarray]:
        rows, cols = mat.shape
        c = np.zeros(rows + 1)
        c[-1] = -1.0  # maximise v
        a_ub = np.hstack([-mat.T, np.ones((cols, 1))])  # v - x^T A_j <= 0
        a_eq = np.hstack([np.ones((1, rows)), np.zeros((1, 1))])
        bounds = [(0, None)] * rows + [(None, None)]
        res = linprog(c, A_ub=a_ub, b_ub=np.zeros(cols), A_eq=a_eq, b_eq=[1.0], bounds=bounds,
                      method="highs")
        if res.status != 0:
            raise RuntimeError(f"HiGHS failed on the matrix-game LP: {res.message}")
        x = np.clip(res.x[:rows], 0, None)
        return float(res.x[-1]), x / x.sum()

    value, x = primal(a)
    _, y = primal(-a.T)
    return MatrixGameSolution(value, torch.as_tensor(x), torch.as_tensor(y))


def check_zero_sum(game: TabularGame, atol: float = 1e-9) -> None:
    """``ValueError`` unless ``game`` has two players whose rewards sum to zero everywhere."""
    if game.n_agents != 2:
        raise ValueError(f"game: a zero-sum game needs 2 players, {game.name!r} has {game.n_agents}")
    total = (game.rewards[0] + game.rewards[1]).abs().max().item()
    if total > atol:
        raise ValueError(f"game: {game.name!r} is not zero-sum (max |r_1 + r_2| = {total:.3g})")


def shapley_value_iteration(
    game: TabularGame, tol: float = 1e-10, max_iter: int = 100_000
) -> ShapleySolution:
    """Shapley's (1953) value iteration for a two-player zero-sum stochastic game.

    Player 0 maximises ``r_0``.  Each sweep solves one matrix game (LP) per state:
    ``V(s) = val[r_0(s, ., .) + gamma sum_s' P(s' | s, ., .) V(s')]``; discounted games iterate to
    ``tol`` (a gamma-contraction), finite horizons use backward induction.
    """
    check_zero_sum(game)
    r = game.rewards[0].numpy()
    p = game.transitions.numpy()
    n_states = game.n_states
    a1, a2 = game.action_counts
    discount = 1.0 if game.gamma is None else game.gamma

    def sweep(v_next: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        q = r + discount * p @ v_next  # (S, A1, A2)
        sols = [solve_matrix_game(q[s]) for s in range(n_states)]
        return (np.array([sol.value for sol in sols]), np.stack([sol.row.numpy() for sol in sols]),
                np.stack([sol.column.numpy() for sol in sols]))

    if game.horizon is not None:
        v = np.zeros(n_states)
        values, rows, cols = [v], [], []
        for _ in range(game.horizon):
            v, x, y = sweep(v)
            values.append(v)
            rows.append(x)
            cols.append(y)
        values_t = torch.as_tensor(np.stack(values[::-1]))
        return ShapleySolution(values_t, torch.as_tensor(np.stack(rows[::-1])),
                               torch.as_tensor(np.stack(cols[::-1])),
                               float(game.initial @ values_t[0]), game.horizon)
    v = np.zeros(n_states)
    for it in itertools.count(1):
        new_v, x, y = sweep(v)
        done = np.abs(new_v - v).max() < tol * (1 - discount)
        v = new_v
        if done or it >= max_iter:
            break
    values_t = torch.as_tensor(v)
    return ShapleySolution(values_t, torch.as_tensor(x), torch.as_tensor(y),
                           float(game.initial @ values_t), it)
