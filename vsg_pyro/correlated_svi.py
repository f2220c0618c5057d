"""Deprecated: moved to :mod:`vsg_pyro.equilibria.correlated` (issue 12); ``solve_correlated`` is
:func:`vsg_pyro.equilibria.correlated.solve`.  This path goes in the next release."""

import warnings

from vsg_pyro.equilibria.correlated import solve as solve_correlated
from vsg_pyro.equilibria.correlated.svi import DecentralizedCorrelatedSVI

warnings.warn("vsg_pyro.correlated_svi moved to vsg_pyro.equilibria.correlated; the old path "
              "goes in the next release", DeprecationWarning, stacklevel=2)

__all__ = ["DecentralizedCorrelatedSVI", "solve_correlated"]
