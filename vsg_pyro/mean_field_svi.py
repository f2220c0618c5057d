"""Deprecated: moved to :mod:`vsg_pyro.equilibria.mean_field` (issue 12); ``solve_mean_field`` is
:func:`vsg_pyro.equilibria.mean_field.solve`.  This path goes in the next release."""

import warnings

from vsg_pyro.equilibria.mean_field import solve as solve_mean_field
from vsg_pyro.equilibria.mean_field.svi import svi_policy_step

warnings.warn("vsg_pyro.mean_field_svi moved to vsg_pyro.equilibria.mean_field; the old path "
              "goes in the next release", DeprecationWarning, stacklevel=2)

__all__ = ["svi_policy_step", "solve_mean_field"]
