"""Fictitious play for finite-horizon mean-field games: the standard baseline (MFGLib and
OpenSpiel ship it), for comparison with Algorithm 4.

Perrin et al. (2020): keep the average state-action flow of all best responses so far,

    pi_BR^k = argmax_pi V(pi; L_bar^k)              (exact backward induction),
    L_bar^{k+1} = L_bar^k + (L(pi_BR^k) - L_bar^k) / (k + 1),

and play the policy that generates it, ``pi_bar_t(a | s) = L_bar_t(s, a) / sum_a L_bar_t(s,
a)`` (uniform where ``L_bar_t(s) = 0``).  When the dynamics do not depend on the mean field,
``pi_bar``'s own flow *is* ``L_bar`` (tested); otherwise it is its natural policy, and the
exploitability is always that of ``pi_bar`` on its own flow.  Its exploitability falls as fast
as the averaging allows (about ``1 / k``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch

from vsg_pyro.games.mean_field import MeanFieldGame
from vsg_pyro.metrics.mean_field import check_policy, mean_field_flow, mf_best_response, mf_exploitability

__all__ = ["FictitiousPlayResult", "fictitious_play"]


class FictitiousPlayResult(NamedTuple):
    """``policy`` ``(T, S, A)`` generating the average flow ``average_flow``; its exact
    ``exploitability``; ``trace``: the exploitability after every iteration."""

    policy: torch.Tensor
    average_flow: torch.Tensor
    exploitability: float
    trace: list[float]


def _natural_policy(flow: torch.Tensor) -> torch.Tensor:
    mass = flow.sum(-1, keepdim=True)
    uniform = torch.full_like(flow, 1.0 / flow.shape[-1])
    return torch.where(mass > 0, flow / mass.clamp_min(1e-300), uniform)


def fictitious_play(game: MeanFieldGame, iterations: int = 100,
                    initial_policy: torch.Tensor | None = None,
                    callback: Callable[[int, float], None] | None = None) -> FictitiousPlayResult:
    """Run fictitious play for ``iterations`` best responses (module docstring), starting from
    ``initial_policy`` ``(T, S, A)`` (uniform by default)."""
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise ValueError(f"iterations: must be an integer >= 1, got {iterations!r}")
    shape = (game.horizon, game.n_states, game.n_actions)
    policy = torch.full(shape, 1.0 / game.n_actions, dtype=torch.float64) \
        if initial_policy is None else check_policy(game, initial_policy)
    average = mean_field_flow(game, policy)
    trace = []
    for k in range(1, iterations + 1):
        response, _ = mf_best_response(game, average)
        average = average + (mean_field_flow(game, response) - average) / (k + 1)
        policy = _natural_policy(average)
        trace.append(mf_exploitability(game, policy).exploitability)
        if callback is not None:
            callback(k, trace[-1])
    return FictitiousPlayResult(policy, average, trace[-1], trace)
