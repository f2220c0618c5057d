"""Deprecated: moved to :mod:`vsg_pyro.equilibria.correlated` (issue 12); this path goes in the
next release.  :func:`solve_correlated` keeps its old signature; it calls
:func:`vsg_pyro.equilibria.correlated.solve`."""

import warnings

from vsg_pyro.equilibria import correlated as _correlated
from vsg_pyro.equilibria.correlated.svi import DecentralizedCorrelatedSVI

warnings.warn("vsg_pyro.correlated_svi moved to vsg_pyro.equilibria.correlated; the old path "
              "goes in the next release", DeprecationWarning, stacklevel=2)

__all__ = ["DecentralizedCorrelatedSVI", "solve_correlated"]


def solve_correlated(game, signal="private", signal_size=4, family="factorized", method="svi",
                     beta=1.0, beta_schedule=None, steps=2000, seed=0, eta=None, init=None,
                     tol=1e-8, callback=None, mediator_beta=None, margin=2.0, warmup=200,
                     adaptive_step=False, log_priors=None, mediator_name="mediator"):
    """The old signature (``signal_size`` is ignored for private signals, as it was)."""
    return _correlated.solve(
        game, method, signal=signal, signal_size=None if signal == "private" else signal_size,
        family=family, beta=beta, beta_schedule=beta_schedule, steps=steps, seed=seed, eta=eta,
        init=init, tol=tol, callback=callback, mediator_beta=mediator_beta, margin=margin,
        warmup=warmup, adaptive_step=adaptive_step, log_priors=log_priors,
        mediator_name=mediator_name)
