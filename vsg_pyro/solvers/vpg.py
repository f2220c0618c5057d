"""Deprecated: moved to :mod:`vsg_pyro.equilibria.nash.exact` (issue 12); this path goes in the
next release.  :func:`vpg_step` and :func:`solve_vpg` here still take the old
``opponent_response="exact" | "zero_sum"`` string (the new ones take ``opponent=`` objects)."""

import warnings

from vsg_pyro.equilibria.nash import exact as _exact
from vsg_pyro.equilibria.nash import vpg_run as _vpg_run
from vsg_pyro.equilibria.nash.exact import (
    VPGState,
    exact_opponent_models,
    executed_policies,
    vpg_init,
    vpg_step_size,
)
from vsg_pyro.equilibria.nash.opponents import ExactOpponent
from vsg_pyro.equilibria.nash.vpg_run import VPGResult
from vsg_pyro.equilibria.zero_sum.response import ZeroSumOpponent

warnings.warn("vsg_pyro.solvers.vpg moved to vsg_pyro.equilibria.nash.exact; the old path goes "
              "in the next release", DeprecationWarning, stacklevel=2)

__all__ = ["VPGState", "VPGResult", "vpg_step_size", "vpg_init", "executed_policies",
           "exact_opponent_models", "vpg_step", "solve_vpg", "OPPONENT_RESPONSES"]

OPPONENT_RESPONSES = ("exact", "zero_sum")


def _opponent(opponent_response):
    if opponent_response not in OPPONENT_RESPONSES:
        raise ValueError(f"opponent_response: must be one of {OPPONENT_RESPONSES}, "
                         f"got {opponent_response!r}")
    return ExactOpponent() if opponent_response == "exact" else ZeroSumOpponent()


def vpg_step(game, state, beta, alpha, log_priors=None, opponent_response="exact"):
    """The old signature of :func:`vsg_pyro.equilibria.nash.exact.vpg_step`."""
    return _exact.vpg_step(game, state, beta, alpha, log_priors, _opponent(opponent_response))


def solve_vpg(game, *args, opponent_response="exact", **kwargs):
    """The old signature of :func:`vsg_pyro.equilibria.nash.vpg_run.solve_vpg`."""
    if opponent_response == "zero_sum":
        from vsg_pyro.reference import check_zero_sum

        check_zero_sum(game)
    return _vpg_run.solve_vpg(game, *args, opponent=_opponent(opponent_response), **kwargs)
