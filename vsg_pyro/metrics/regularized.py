"""The regularised gap: how far each agent is from its soft best response (eq. 3, Prop. 5.2)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from vsg_pyro.core.soft_dp import Family, soft_best_response, soft_evaluate
from vsg_pyro.games.tabular import TabularGame

__all__ = ["regularized_gap"]


def regularized_gap(
    game: TabularGame,
    policies: Sequence[torch.Tensor],
    opponent_models: Sequence[torch.Tensor],
    beta: float,
    family: Family,
    log_priors: Sequence[torch.Tensor] | None = None,
) -> torch.Tensor:
    """Per agent ``(N,)``: soft best-response value minus the soft value of its own policy,
    both against its own opponent model (the ELBO gap of eq. 3, in reward units)."""
    gaps = []
    for i in range(game.n_agents):
        lp = None if log_priors is None else log_priors[i]
        br = soft_best_response(game, i, opponent_models[i], beta, family, lp)
        own = soft_evaluate(game, i, policies[i], opponent_models[i], beta, lp)
        gaps.append(br.value - own.value)
    return torch.stack(gaps)
