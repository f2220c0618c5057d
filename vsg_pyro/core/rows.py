"""Row folding, in one place: tabular solvers and Pyro programs work on ``M`` rows.

A tabular game's per-state tensors have leading axes ``(S,)`` (discounted) or ``(H, S)``
(finite horizon; :attr:`~vsg_pyro.games.TabularGame.row_shape`).  The Pyro programs put one
``pyro.plate`` over the ``M = prod(row_shape)`` rows, time-major.  These helpers fold
``(H?, S, ...) -> (M, ...)`` and back.
"""

from __future__ import annotations

import math

import torch

from vsg_pyro.core.soft_dp import uniform_log_prior
from vsg_pyro.games.tabular import TabularGame

__all__ = ["n_rows", "fold_rows", "unfold_rows", "log_prior_rows"]


def n_rows(game: TabularGame) -> int:
    """``M``: the number of (time, state) rows."""
    return math.prod(game.row_shape)


def fold_rows(game: TabularGame, x: torch.Tensor) -> torch.Tensor:
    """``(H?, S, ...) -> (M, ...)``."""
    lead = game.row_shape
    return x.reshape(math.prod(lead), *x.shape[len(lead):])


def unfold_rows(game: TabularGame, x: torch.Tensor) -> torch.Tensor:
    """``(M, ...) -> (H?, S, ...)``."""
    return x.reshape(*game.row_shape, *x.shape[1:])


def log_prior_rows(game: TabularGame, agent: int, log_prior: torch.Tensor | None) -> torch.Tensor:
    """``log pi0_i`` per row ``(M, A_i)`` from ``(S, A_i)`` (uniform when ``None``); a finite
    horizon repeats the prior at every time."""
    lp = uniform_log_prior(game, agent) if log_prior is None else torch.as_tensor(
        log_prior, dtype=torch.float64)
    if game.horizon is not None:
        lp = lp.expand(game.horizon, *lp.shape)
    return fold_rows(game, lp)
