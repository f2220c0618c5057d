"""Exact references by linear programming (scipy's HiGHS), against which the variational
solvers are checked: the max-welfare (coarse) correlated equilibrium of a normal-form game
(:mod:`.correlated`), minimax values of matrix games and Shapley's value iteration for
two-player zero-sum stochastic games (:mod:`.minimax`)."""

from vsg_pyro.reference.correlated import CorrelatedEquilibriumLP, max_welfare_correlated_equilibrium
from vsg_pyro.reference.minimax import (
    MatrixGameSolution,
    ShapleySolution,
    check_zero_sum,
    shapley_value_iteration,
    solve_matrix_game,
)

__all__ = [
    "CorrelatedEquilibriumLP",
    "MatrixGameSolution",
    "ShapleySolution",
    "max_welfare_correlated_equilibrium",
    "solve_matrix_game",
    "shapley_value_iteration",
    "check_zero_sum",
]
