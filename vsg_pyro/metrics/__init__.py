"""Equilibrium metrics computed exactly (dynamic programming)."""

from vsg_pyro.metrics.exploitability import (
    ExploitabilityReport,
    best_response,
    entropy_bound,
    exploitability,
    induced_mdp,
    opponent_error_bound,
    policy_value,
    state_exploitability,
    vpg_epsilon,
)
from vsg_pyro.metrics.regularized import regularized_gap

__all__ = [
    "ExploitabilityReport",
    "best_response",
    "entropy_bound",
    "exploitability",
    "induced_mdp",
    "opponent_error_bound",
    "policy_value",
    "regularized_gap",
    "state_exploitability",
    "vpg_epsilon",
]
