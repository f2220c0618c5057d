"""Equilibrium concepts, one package each, with ``exact.py`` and ``svi.py`` exposing ``Solver``
(the protocol of :mod:`vsg_pyro.core.protocol`) and the concept's ``solve``:
:mod:`~vsg_pyro.equilibria.nash` (§5.1), :mod:`~vsg_pyro.equilibria.zero_sum` (§5.4),
:mod:`~vsg_pyro.equilibria.correlated` (§5.3) and :mod:`~vsg_pyro.equilibria.mean_field`
(§5.2); :func:`solve` is the table over them; results in :mod:`.results`."""

from vsg_pyro.equilibria.results import (
    CorrelatedSolution,
    MeanFieldSolution,
    NashSolution,
    Solution,
    ZeroSumSolution,
)
from vsg_pyro.equilibria.solve import CONCEPTS, METHODS, SOLVERS, solve

__all__ = ["solve", "CONCEPTS", "METHODS", "SOLVERS", "Solution", "NashSolution",
           "ZeroSumSolution", "CorrelatedSolution", "MeanFieldSolution"]
