"""Deprecated package (issue 12): the exact solvers moved to :mod:`vsg_pyro.core` (soft dynamic
programming, step control) and :mod:`vsg_pyro.equilibria` (one package per concept); this
package and its modules go in the next release."""

import warnings

from vsg_pyro.core.soft_dp import (
    FAMILIES,
    Family,
    SoftBestResponse,
    SoftEvaluation,
    soft_best_response,
    soft_evaluate,
    uniform_log_prior,
)
from vsg_pyro.equilibria.nash.exact import (
    VPGState,
    exact_opponent_models,
    executed_policies,
    vpg_init,
    vpg_step,
    vpg_step_size,
)
from vsg_pyro.equilibria.nash.vpg_run import VPGResult, solve_vpg

warnings.warn("vsg_pyro.solvers moved to vsg_pyro.core and vsg_pyro.equilibria; the old path "
              "goes in the next release", DeprecationWarning, stacklevel=2)

__all__ = [
    "FAMILIES",
    "Family",
    "SoftBestResponse",
    "SoftEvaluation",
    "soft_best_response",
    "soft_evaluate",
    "uniform_log_prior",
    "VPGResult",
    "VPGState",
    "executed_policies",
    "exact_opponent_models",
    "solve_vpg",
    "vpg_init",
    "vpg_step",
    "vpg_step_size",
]
