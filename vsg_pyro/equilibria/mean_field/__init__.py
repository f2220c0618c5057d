"""Mean-field Nash equilibrium (§5.2, Algorithm 4): :mod:`.exact` (eq. (12) in closed form) and
:mod:`.svi` (eq. (12) by SVI) expose ``Solver``; :func:`solve` runs either in the one loop."""

from __future__ import annotations

from collections.abc import Callable

import torch

from vsg_pyro.core.loop import LoopOptions
from vsg_pyro.equilibria._common import check_method, record, refuse, run
from vsg_pyro.equilibria.mean_field import exact, svi
from vsg_pyro.equilibria.mean_field.exact import (
    MeanFieldState,
    relative_entropy_step,
    soft_q,
    solve_mean_field_exact,
)
from vsg_pyro.equilibria.mean_field.svi import svi_policy_step
from vsg_pyro.equilibria.results import MeanFieldSolution
from vsg_pyro.games.mean_field import MeanFieldGame
from vsg_pyro.games.registry import get_mean_field_game

MeanFieldExact = exact.Solver
MeanFieldSVI = svi.Solver

__all__ = ["solve", "exact", "svi", "MeanFieldExact", "MeanFieldSVI", "MeanFieldState",
           "soft_q", "relative_entropy_step", "svi_policy_step", "solve_mean_field_exact"]


def solve(
    game: MeanFieldGame | str,
    method: str = "svi",
    *,
    beta: float = 0.1,
    beta_schedule: Callable[[int], float] | None = None,
    steps: int = 2000,
    damping: float = 1.0,
    average: bool = False,
    target: float = 0.0,
    prior: str | torch.Tensor = "previous",
    optimistic: bool = False,
    initial_policy: torch.Tensor | None = None,
    alpha: float = 1.0,
    validate: bool | None = None,
    callback: Callable[[int, dict], None] | None = None,
    progress: bool = False,
) -> MeanFieldSolution:
    """Algorithm 4 on a mean-field game (a :class:`~vsg_pyro.games.MeanFieldGame` or a
    mean-field built-in name) until the exploitability is at most ``target`` or ``steps``
    iterations have run.

    Args:
        beta / beta_schedule: eq. (12)'s inverse temperature, or ``k -> beta_k``.
        damping, average, prior, optimistic, initial_policy: see
            :class:`~vsg_pyro.equilibria.mean_field.exact.Solver`.
        target: the certificate: ``converged`` means exploitability <= ``target``.
        alpha: step 3 as ``pi^(1 - alpha) (prior exp(beta Q))^alpha`` (1: eq. (12)).
        validate: SVI only: Pyro's argument validation during the steps (default off: the
            built-in guide's iterates do not change; :mod:`vsg_pyro.infer.validation`).
    """
    parameters = record(locals())
    check_method(method)
    game = get_mean_field_game(game)
    if method == "exact":
        refuse("method='exact' runs no Pyro program", validate=validate)
        solver = exact.Solver(game, damping, prior, optimistic, average, initial_policy, target)
    else:
        solver = svi.Solver(game, damping, prior, optimistic, average, initial_policy, target,
                            validate=bool(validate))
    options = LoopOptions(steps=steps, stop_on="certificate", adaptive_step=False,
                          progress=progress)
    return run(solver, beta_schedule or beta, alpha, options, 0, callback, parameters)
