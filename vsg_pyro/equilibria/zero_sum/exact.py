"""Two-player zero-sum equilibrium (§5.4) by exact updates: Algorithm 1 in which each agent's
opponent model is the opponent's soft response to its policy, computed from its own ``Q``
(:class:`~vsg_pyro.equilibria.zero_sum.response.ZeroSumOpponent`); with both agents doing so
this is the predictive (extragradient) update of entropy-regularised games.  The certificate
is the Nash one (:mod:`vsg_pyro.equilibria.nash.certificate`) with the *exact* opponent models:
the logit residual of the policies, a quantal response equilibrium's fixed-point residual.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import torch

from vsg_pyro.core.joint import product_of_marginals
from vsg_pyro.core.protocol import Run
from vsg_pyro.equilibria.nash import exact as nash_exact
from vsg_pyro.equilibria.nash.exact import VPGState
from vsg_pyro.equilibria.results import NashSolution, ZeroSumSolution
from vsg_pyro.equilibria.zero_sum.response import ZeroSumOpponent
from vsg_pyro.games.tabular import TabularGame, require_cpu_float64
from vsg_pyro.metrics.correlated import cce_gap, ce_gap, welfare
from vsg_pyro.reference import check_zero_sum, shapley_value_iteration

__all__ = ["Solver", "as_zero_sum_solution"]


def as_zero_sum_solution(game: TabularGame, solution: NashSolution) -> ZeroSumSolution:
    """The zero-sum result: ``solution``'s fields with the joint (product of the policies),
    its CE/CCE gaps and welfare, agent 0's value and the Shapley minimax value."""
    base = {f.name: getattr(solution, f.name) for f in dataclasses.fields(NashSolution)}
    joint = product_of_marginals(solution.policies)
    return ZeroSumSolution(**{**base, "concept": "zero-sum"}, joint=joint,
                           ce_gap=ce_gap(game, joint), cce_gap=cce_gap(game, joint),
                           welfare=welfare(game, joint), value=float(solution.report.values[0]),
                           reference=shapley_value_iteration(game).value)


class Solver(nash_exact.Solver):
    """The Nash exact solver with the zero-sum opponent model (two-player zero-sum games;
    family ``"factorized"`` by default, where the conditional family's executed policies
    measurably miss the equilibrium; ``response``: ``"tempered"`` or the paper's
    ``"literal"``, :mod:`~vsg_pyro.equilibria.zero_sum.response`)."""

    concept = "zero-sum"

    def __init__(self, game: TabularGame, family: str = "factorized", init: str = "uniform",
                 log_priors: Sequence[torch.Tensor] | None = None,
                 certificate_tol: float = 1e-6, response: str = "tempered") -> None:
        require_cpu_float64(game, "the zero-sum solver")
        check_zero_sum(game)
        super().__init__(game, family, init, log_priors, ZeroSumOpponent(response),  # type: ignore[arg-type]
                         certificate_tol)

    def result(self, state: VPGState, run: Run, **fields) -> ZeroSumSolution:
        return as_zero_sum_solution(self.game, super().result(state, run, **fields))
