"""Deprecated: moved to :mod:`vsg_pyro.equilibria.correlated.exact`, with the mediator's pieces
in :mod:`vsg_pyro.equilibria.correlated.mediator` and the state in
:mod:`~vsg_pyro.equilibria.correlated.state` (issue 12); this path goes in the next release."""

import warnings

from vsg_pyro.core.rows import log_prior_rows
from vsg_pyro.equilibria.correlated.exact import (
    CorrelatedResult,
    CorrelatedTargets,
    correlated_step,
    correlated_targets,
    solve_correlated_exact,
)
from vsg_pyro.equilibria.correlated.mediator import (
    MediatorSettings,
    default_mediator,
    incentive_features,
    max_obedience_margin,
    obedience_margin,
    project_signal,
    recommendation_indicator,
)
from vsg_pyro.equilibria.correlated.state import (
    CorrelatedState,
    correlated_init,
    executed_signal_policies,
    largest_change,
    state_change,
)

warnings.warn("vsg_pyro.solvers.correlated moved to vsg_pyro.equilibria.correlated; the old "
              "path goes in the next release", DeprecationWarning, stacklevel=2)

__all__ = ["CorrelatedState", "CorrelatedTargets", "CorrelatedResult", "MediatorSettings",
           "incentive_features", "recommendation_indicator", "max_obedience_margin",
           "obedience_margin", "project_signal", "default_mediator", "correlated_init",
           "executed_signal_policies", "correlated_targets", "correlated_step", "state_change",
           "largest_change", "log_prior_rows", "solve_correlated_exact"]
