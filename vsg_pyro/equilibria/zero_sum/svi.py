"""Two-player zero-sum equilibrium (§5.4) by SVI: every agent runs SVI on its Pyro model with the
zero-sum opponent model (:class:`~vsg_pyro.equilibria.zero_sum.response.ZeroSumOpponent`), as
:class:`vsg_pyro.equilibria.nash.svi.Solver` does for Nash; state, certificate and result as in
:mod:`vsg_pyro.equilibria.zero_sum.exact`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyro
import torch
from pyro.optim import PyroOptim

from vsg_pyro.core.protocol import Run
from vsg_pyro.equilibria.nash import svi as nash_svi
from vsg_pyro.equilibria.nash.exact import VPGState
from vsg_pyro.equilibria.results import ZeroSumSolution
from vsg_pyro.equilibria.zero_sum.exact import as_zero_sum_solution
from vsg_pyro.equilibria.zero_sum.response import ZeroSumOpponent
from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.reference import check_zero_sum

__all__ = ["Solver"]


class Solver(nash_svi.Solver):
    """The Nash SVI solver with the zero-sum opponent model (arguments as
    :class:`vsg_pyro.equilibria.nash.svi.Solver`, without ``opponent``; ``response`` as the
    exact solver's)."""

    concept = "zero-sum"

    def __init__(self, game: TabularGame, family: str = "factorized", init: str = "uniform",
                 log_priors: Sequence[torch.Tensor] | None = None,
                 guides: Sequence[Callable] | None = None, loss: pyro.infer.ELBO | None = None,
                 optim: PyroOptim | Sequence[PyroOptim] | None = None,
                 certificate_tol: float = 1e-6, validate: bool | None = None,
                 response: str = "tempered") -> None:
        check_zero_sum(game)
        super().__init__(game, family, init, log_priors, ZeroSumOpponent(response), guides,  # type: ignore[arg-type]
                         loss, optim, certificate_tol, validate)

    def result(self, state: VPGState, run: Run, **fields) -> ZeroSumSolution:
        return as_zero_sum_solution(self.game, super().result(state, run, **fields))
