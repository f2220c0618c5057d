"""Opponent models of Algorithm 1 as objects: how agent ``i``'s model ``p_i(a_-i | s)`` is
formed each round.  Pass one to the Nash solvers (``opponent=...``); the solvers have no mode
strings.

* :class:`ExactOpponent`: ``p_i = prod_{j != i} pi_bar_j``, the others' executed policies
  (the default; exact and SVI);
* :class:`OptimisticOpponent`: ``p_i`` is a free parameter of agent ``i``'s guide, fitted by
  its own ELBO (control-as-inference optimism, as in ROMMEO; SVI only);
* :class:`ExternalOpponent`: ``p_i`` comes from a callable, e.g. an opponent-modelling module
  such as the replay model of §5.1.2 (SVI only);
* :class:`~vsg_pyro.equilibria.zero_sum.ZeroSumOpponent`: §5.4's soft response of the
  opponent to ``pi_i`` (two-player zero-sum games; exact and SVI).

Shapes: ``executed`` rows per agent ``(M, A_j)``; a joint model ``(H?, S, *J)`` with size 1 at
agent ``i``'s axis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

__all__ = ["OpponentModel", "ExactOpponent", "OptimisticOpponent", "ExternalOpponent",
           "ExternalOpponentModel"]

# (agent, executed policies (H?, S, A_j) of everyone) -> per opponent j != i, p_j (H?, S, A_j)
ExternalOpponentModel = Callable[[int, Sequence[torch.Tensor]], Sequence[torch.Tensor]]


class OpponentModel:
    """Base class.  ``guide_mode``: what a :class:`~vsg_pyro.guides.TabularPolicyGuide` does
    with the opponent sites (``"exact"``: take ``inputs.opponent_model``; ``"optimistic"``:
    its own parameters; ``"external"``: as exact).  ``exact_solver``: usable by the exact
    solver.  ``kl_to_opponents``: the ELBO charges ``KL(p_i || pi_-i)`` (eq. 3)."""

    guide_mode: str = "exact"
    exact_solver: bool = True
    kl_to_opponents: bool = True
    n_players: int | None = None

    def rows(self, agent: int, executed: Sequence[torch.Tensor],
             guide_rows: Sequence[torch.Tensor], unfold: Callable[[torch.Tensor], torch.Tensor],
             fold: Callable[[torch.Tensor], torch.Tensor]) -> list[torch.Tensor]:
        """Per opponent ``j != agent`` (agent order) the model's marginal rows ``(M, A_j)``.
        ``guide_rows``: the guide's own opponent marginals (its table)."""
        return [e for j, e in enumerate(executed) if j != agent]

    def respond(self, game, agent: int, policy: torch.Tensor, joint: torch.Tensor,
                q: torch.Tensor, beta: float, alpha: float,
                opponent_log_prior: torch.Tensor | None) -> torch.Tensor | None:
        """A model that replaces ``joint`` after evaluating ``Q_i`` under it, or ``None``."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ExactOpponent(OpponentModel):
    """``p_i`` = the others' executed policies (Algorithm 1's exact opponent model)."""


class OptimisticOpponent(OpponentModel):
    """``p_i`` = free guide parameters, fitted by the agent's own ELBO (SVI only)."""

    guide_mode = "optimistic"
    exact_solver = False

    def rows(self, agent, executed, guide_rows, unfold, fold):
        return list(guide_rows)


class ExternalOpponent(OpponentModel):
    """``p_i`` from ``model(agent, executed)`` (executed policies ``(H?, S, A_j)`` of every
    agent -> one ``(H?, S, A_j)`` marginal per opponent), e.g.
    :class:`~vsg_pyro.opponent.replay_model.ReplayOpponentModel` (SVI only)."""

    guide_mode = "external"
    exact_solver = False

    def __init__(self, model: ExternalOpponentModel) -> None:
        if not callable(model):
            raise TypeError(f"ExternalOpponent: model must be callable, got {type(model).__name__}")
        self.model = model

    def rows(self, agent, executed, guide_rows, unfold, fold):
        supplied = self.model(agent, [unfold(e) for e in executed])
        expected = len(executed) - 1
        if len(supplied) != expected:
            raise ValueError(f"external_opponent_model: returned {len(supplied)} marginals for "
                             f"agent {agent}, expected {expected}")
        return [fold(torch.as_tensor(p, dtype=torch.float64)) for p in supplied]

    def __repr__(self) -> str:
        return f"ExternalOpponent({self.model!r})"
