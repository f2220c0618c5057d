"""Two-player zero-sum equilibrium (§5.4): the agents' opponent model is the opponent's soft
response to their own policy (:mod:`.response`); :mod:`.exact` and :mod:`.svi` expose
``Solver``; :func:`solve` runs either in the one loop."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import pyro
import torch
from pyro.optim import PyroOptim

from vsg_pyro.core.loop import LoopOptions
from vsg_pyro.equilibria._common import check_method, record, refuse, run, svi_optim
from vsg_pyro.equilibria.nash import family_of
from vsg_pyro.equilibria.nash.exact import vpg_step_size
from vsg_pyro.equilibria.results import ZeroSumSolution
from vsg_pyro.equilibria.zero_sum import exact, svi
from vsg_pyro.equilibria.zero_sum.response import (
    ZeroSumOpponent,
    zero_sum_response,
    zero_sum_step_size,
)
from vsg_pyro.games.registry import get_game
from vsg_pyro.games.tabular import TabularGame

ZeroSumExact = exact.Solver
ZeroSumSVI = svi.Solver

__all__ = ["solve", "exact", "svi", "ZeroSumExact", "ZeroSumSVI", "ZeroSumOpponent",
           "zero_sum_response", "zero_sum_step_size"]


def solve(
    game: TabularGame | str,
    method: str = "svi",
    *,
    family: str | None = None,
    beta: float = 1.0,
    beta_schedule: Callable[[int], float] | None = None,
    steps: int = 2000,
    seed: int = 0,
    tol: float = 1e-8,
    certificate_tol: float = 1e-6,
    eta: float | None = None,
    adaptive_step: bool | None = None,
    init: str = "uniform",
    log_priors: Sequence[torch.Tensor] | None = None,
    guides: Sequence[Callable] | None = None,
    loss: pyro.infer.ELBO | None = None,
    optim: PyroOptim | Sequence[PyroOptim] | None = None,
    optimizer: str | None = None,
    lr: float | None = None,
    lr_decay: float | None = None,
    validate: bool | None = None,
    callback: Callable[[int, dict], None] | None = None,
    progress: bool = False,
    response: str = "tempered",
) -> ZeroSumSolution:
    """Zero-sum equilibrium of a two-player zero-sum ``game`` (arguments as
    :func:`vsg_pyro.equilibria.nash.solve`, without ``opponent``; the family defaults to
    ``"factorized"``, where the conditional family's executed policies measurably miss the
    equilibrium).

    Without ``eta`` the step follows beta, ``alpha = zero_sum_step_size(game, beta)``
    (``alpha * beta * max|r| * H = 0.4``), is not adapted, and the run stops when the change
    *per unit step* (change / alpha) is below ``tol`` (at beta 300 the step is ~4e-4, so a
    change below ``tol`` would still leave a residual of ``tol / alpha``); with ``eta`` the step
    is fixed, adapted unless ``adaptive_step=False``, and the run stops on the change itself.

    ``response``: the opponent model's response, ``"tempered"`` (default: the opponent's
    predicted eq. (4) step) or ``"literal"`` (§5.4's formula as printed, the full soft best
    response to the prior; it diverges where beta is large, measured in the README).
    """
    parameters = record(locals())
    check_method(method)
    game = get_game(game)
    family = family_of(family, guides, "factorized")
    agents_optim = None
    if method == "exact":
        refuse("method='exact' uses tabular policies and exact soft evaluation", guides=guides,
               loss=loss, optim=optim, optimizer=optimizer, lr=lr, lr_decay=lr_decay,
               validate=validate)
    else:
        agents_optim = svi_optim(optimizer, lr, lr_decay, optim, game.n_agents)
        if agents_optim is not None and adaptive_step:
            raise ValueError("adaptive_step: only with the natural-gradient optimiser")
    if eta is None:
        if adaptive_step:
            raise ValueError("adaptive_step: the default zero-sum step follows beta; give eta "
                             "for a fixed, adaptive step")
        alpha, adaptive, stop_on = partial(zero_sum_step_size, game), False, "change_per_step"
    else:
        adaptive = agents_optim is None if adaptive_step is None else adaptive_step
        alpha, stop_on = vpg_step_size(game, eta), "change"
    if method == "exact":
        solver = exact.Solver(game, family, init, log_priors, certificate_tol, response)
    else:
        solver = svi.Solver(game, family, init, log_priors, guides, loss, agents_optim,
                            certificate_tol, validate, response)
    options = LoopOptions(steps=steps, tol=tol, stop_on=stop_on, adaptive_step=adaptive,
                          progress=progress)
    return run(solver, beta_schedule or beta, alpha, options, seed, callback, parameters)
