"""Deprecated: :func:`solve` moved to :mod:`vsg_pyro.equilibria` (issue 12) and ``SolveResult``
became :class:`vsg_pyro.equilibria.results.Solution`; this path goes in the next release.
:func:`solve` here keeps the old signature (``family`` third, ``opponent_mode`` / ``elbo``
strings, ``correlated_options`` / ``mean_field_options`` dicts) and calls the new one."""

import warnings

from vsg_pyro.equilibria import solve as _solve
from vsg_pyro.equilibria.mean_field.exact import iteration_callback
from vsg_pyro.equilibria.results import Solution
from vsg_pyro.equilibria.solve import CONCEPTS, METHODS, OPTIMIZERS

warnings.warn("vsg_pyro.equilibrium moved to vsg_pyro.equilibria; the old path goes in the next "
              "release", DeprecationWarning, stacklevel=2)

SolveResult = Solution

__all__ = ["SolveResult", "solve", "CONCEPTS", "METHODS", "OPTIMIZERS"]


def solve(game, concept="nash", family=None, method="svi", beta=1.0, beta_schedule=None,
          steps=2000, seed=0, optimizer="natural", eta=None, lr=0.05, lr_decay=1.0,
          opponent_mode="exact", external_opponent_model=None, guides=None, init=None, tol=1e-8,
          log_priors=None, adaptive_step=True, elbo="enumerated", callback=None,
          correlated_options=None, mean_field_options=None):
    """The old signature; each concept gets the options it takes, as the old solve() did."""
    if concept == "mean-field":
        return _solve(game, "mean-field", method, beta=beta, beta_schedule=beta_schedule,
                      steps=steps, callback=iteration_callback(callback),
                      **(mean_field_options or {}))
    if mean_field_options:
        raise ValueError("mean_field_options: only for concept='mean-field'")
    if correlated_options and concept != "correlated":
        raise ValueError("correlated_options: only for concept='correlated'")
    common = dict(family=family, beta=beta, beta_schedule=beta_schedule, steps=steps, seed=seed,
                  eta=eta, init=init, tol=tol, log_priors=log_priors, callback=callback)
    common = {k: v for k, v in common.items() if v is not None}
    if concept == "correlated":
        if guides is not None or optimizer != "natural" or external_opponent_model is not None \
                or elbo != "enumerated" or opponent_mode != "exact":
            raise ValueError("optimizer/external_opponent_model/elbo/guides/opponent_mode: "
                             "concept='correlated' runs natural-gradient SVI with the "
                             "enumerated ELBO only")
        options = {"adaptive_step": False, **(correlated_options or {})}
        if options.get("signal", "private") == "private":
            options.pop("signal_size", None)
        return _solve(game, "correlated", method, **common, **options)
    svi = {} if method == "exact" else dict(guides=guides, optimizer=optimizer,
                                            **({"lr": lr, "lr_decay": lr_decay}
                                               if optimizer == "adam" else {}))
    if method == "svi" and elbo != "enumerated":
        svi["elbo"] = elbo
    if concept == "zero-sum":
        if opponent_mode != "exact":
            raise ValueError(f"opponent_mode: 'zero-sum' sets its own opponent model; "
                             f"got {opponent_mode!r}")
        adaptive = adaptive_step if eta is not None and optimizer == "natural" else None
        return _solve(game, "zero-sum", method, adaptive_step=adaptive, **common, **svi)
    nash = {} if (opponent_mode, external_opponent_model) == ("exact", None) else dict(
        opponent_mode=opponent_mode, external_opponent_model=external_opponent_model)
    adaptive = adaptive_step if optimizer == "natural" else None
    return _solve(game, concept, method, adaptive_step=adaptive, **common, **svi, **nash)
