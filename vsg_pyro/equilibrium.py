"""Deprecated: :func:`solve` moved to :mod:`vsg_pyro.equilibria` (issue 12) and ``SolveResult``
became :class:`vsg_pyro.equilibria.results.Solution`; this path goes in the next release."""

import warnings

from vsg_pyro.equilibria.results import Solution
from vsg_pyro.equilibria.solve import CONCEPTS, METHODS, OPTIMIZERS, solve

warnings.warn("vsg_pyro.equilibrium moved to vsg_pyro.equilibria; the old path goes in the next "
              "release", DeprecationWarning, stacklevel=2)

SolveResult = Solution

__all__ = ["SolveResult", "solve", "CONCEPTS", "METHODS", "OPTIMIZERS"]
