"""Deprecated: moved to :mod:`vsg_pyro.equilibria.mean_field` (issue 12); this path goes in the
next release.  :func:`solve_mean_field` keeps its old signature and callback contract; it calls
:func:`vsg_pyro.equilibria.mean_field.solve`."""

import warnings

from vsg_pyro.equilibria import mean_field as _mean_field
from vsg_pyro.equilibria.mean_field.exact import iteration_callback
from vsg_pyro.equilibria.mean_field.svi import svi_policy_step

warnings.warn("vsg_pyro.mean_field_svi moved to vsg_pyro.equilibria.mean_field; the old path "
              "goes in the next release", DeprecationWarning, stacklevel=2)

__all__ = ["svi_policy_step", "solve_mean_field"]


def solve_mean_field(game, method="svi", beta=0.1, steps=300, damping=1.0, average=False,
                     target=0.0, callback=None, prior="previous", optimistic=False):
    """The old signature (``beta`` a float or a schedule; ``callback(k, entry)`` from k = 1)."""
    schedule = beta if callable(beta) else None
    return _mean_field.solve(game, method, beta=0.1 if schedule else beta,
                             beta_schedule=schedule, steps=steps, damping=damping,
                             average=average, target=target, prior=prior,
                             optimistic=optimistic, callback=iteration_callback(callback))
