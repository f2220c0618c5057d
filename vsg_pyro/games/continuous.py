"""Continuous-action games for MAI (Algorithm 2): the paper's differential game and the
registry of continuous built-ins (:data:`CONTINUOUS_GAMES`, :func:`get_continuous_game`).

The interface they implement, :class:`ContinuousGame`, lives in
:mod:`vsg_pyro.games.continuous_base` (re-exported here), so that
:mod:`vsg_pyro.games.routing` can implement it without importing this registry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from vsg_pyro.games.continuous_base import ContinuousGame
from vsg_pyro.games.line_coordination import line_coordination_game
from vsg_pyro.games.routing import routing_game

__all__ = ["ContinuousGame", "DifferentialGame", "differential_game", "CONTINUOUS_GAMES",
           "get_continuous_game"]


@dataclass
class DifferentialGame(ContinuousGame):
    """The differential game of the paper's §5.1 experiments (from Wei et al. 2018, MASQL):
    two agents, actions in ``[-10, 10]``, one shared reward ``max(f1, f2)`` with

        f1 = 0.8 [-((a1 + 5) / 3)^2 - ((a2 + 5) / 3)^2],
        f2 = 1.0 [-(a1 - 5)^2 - (a2 - 5)^2] + 10.

    ``f1`` is a broad hill with its top (value 0) at (-5, -5), a local optimum; ``f2`` a narrow
    peak with the global optimum 10 at (5, 5).  ``variant="divide_by_3"`` is the version in some
    public code, ``f1 = 0.8 [-(a1 + 5)^2 / 3 - (a2 + 5)^2 / 3]``, whose hill is steeper.  It is
    stateless (``state_dim = 0``); an episode is ``episode_length`` (25) independent plays.
    """

    variant: str = "paper"
    episode_length: int = 25

    def __post_init__(self) -> None:
        if self.variant not in ("paper", "divide_by_3"):
            raise ValueError(f"variant: 'paper' or 'divide_by_3', got {self.variant!r}")
        if self.episode_length < 1:
            raise ValueError(f"episode_length: must be >= 1, got {self.episode_length}")
        self.name = "differential_game" if self.variant == "paper" else "differential_game_div3"
        self.n_agents, self.state_dim, self.action_dims = 2, 0, (1, 1)
        box = torch.tensor([10.0])
        self.lows, self.highs = (-box, -box), (box, box)

    def reward(self, a1: torch.Tensor, a2: torch.Tensor) -> torch.Tensor:
        """The shared reward, elementwise over ``a1``, ``a2`` of one shape."""
        if self.variant == "paper":
            f1 = 0.8 * (-((a1 + 5) / 3) ** 2 - ((a2 + 5) / 3) ** 2)
        else:
            f1 = 0.8 * (-((a1 + 5) ** 2) / 3 - ((a2 + 5) ** 2) / 3)
        f2 = -((a1 - 5) ** 2) - (a2 - 5) ** 2 + 10.0
        return torch.maximum(f1, f2)

    def reset(self, generator: torch.Generator | None = None) -> torch.Tensor:
        """The empty state ``(0,)`` (the game is stateless)."""
        return torch.zeros(0)

    def step(self, state: torch.Tensor, actions: Sequence[torch.Tensor]
             ) -> tuple[torch.Tensor, torch.Tensor, bool]:
        """Both agents get :meth:`reward` of the actions clipped to ``[-10, 10]``; never done."""
        a1, a2 = (torch.as_tensor(a).reshape(()).clamp(-10, 10) for a in actions)
        r = self.reward(a1, a2)
        return state, torch.stack([r, r]), False


def differential_game(variant: str = "paper", episode_length: int = 25) -> DifferentialGame:
    """:class:`DifferentialGame` (the paper's by default)."""
    return DifferentialGame(variant, episode_length)


def _braess_routing(**options) -> ContinuousGame:
    """The routing game of Figure 2b on the Braess network (options: ``n_agents``,
    ``episode_length``)."""
    return routing_game("braess", **options)


CONTINUOUS_GAMES = {"differential_game": differential_game, "braess_routing": _braess_routing,
                    "line_coordination": line_coordination_game}


def get_continuous_game(name: str, **options) -> ContinuousGame:
    """A continuous-action built-in by name, with its keyword options (e.g.
    ``get_continuous_game("differential_game", variant="divide_by_3")``)."""
    if name not in CONTINUOUS_GAMES:
        raise ValueError(f"game: unknown continuous game {name!r}; built-ins: {sorted(CONTINUOUS_GAMES)}")
    return CONTINUOUS_GAMES[name](**options)
