"""A continuous game with a state and discounting: two agents meeting on a line (issue 15).

Agent ``i`` stands at ``x_i`` in ``[-2, 2]``, moves by its action ``a_i`` in ``[-1, 1]``
(``x_i' = clip(x_i + a_i)``) and pays for the distance and its own effort:

    r_i(x, a) = -(x_1 - x_2)^2 - c a_i^2.

Episodes start uniformly in ``[-1, 1]^2`` and last ``episode_length`` steps; the discount is the
learner's (MAI's ``gamma``), so MAI's eq. (9) bootstrap is exercised.  Away from the walls it is
a linear-quadratic game in the distance ``d = x_1 - x_2``, ``d' = d + a_1 - a_2``, whose
symmetric Nash equilibrium is linear, ``a_1 = -k d``, ``a_2 = k d``, with ``k`` the fixed point
of the discounted Riccati equation of one agent facing the other's gain (solved independently
in the tests); the entropy-regularised (soft) equilibrium has the same mean actions (linear-
quadratic-Gaussian certainty equivalence).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from vsg_pyro.games.continuous_base import ContinuousGame

__all__ = ["LineCoordinationGame", "line_coordination_game"]


class LineCoordinationGame(ContinuousGame):
    """The game of the module docstring (``effort``: ``c``)."""

    def __init__(self, effort: float = 0.5, episode_length: int = 20) -> None:
        if not effort > 0:
            raise ValueError(f"effort: must be > 0, got {effort!r}")
        if episode_length < 1:
            raise ValueError(f"episode_length: must be >= 1, got {episode_length!r}")
        self.name = "line_coordination"
        self.effort, self.episode_length = float(effort), int(episode_length)
        self.n_agents, self.state_dim, self.action_dims = 2, 2, (1, 1)
        box = torch.tensor([1.0])
        self.lows, self.highs = (-box, -box), (box, box)

    def reset(self, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.rand(2, generator=generator) * 2.0 - 1.0

    def step(self, state: torch.Tensor, actions: Sequence[torch.Tensor]
             ) -> tuple[torch.Tensor, torch.Tensor, bool]:
        a = torch.stack([torch.as_tensor(x).reshape(()).float().clamp(-1, 1) for x in actions])
        distance = state[0] - state[1]
        rewards = -(distance ** 2) - self.effort * a ** 2
        return (state + a).clamp(-2.0, 2.0), rewards, False


def line_coordination_game(effort: float = 0.5, episode_length: int = 20) -> LineCoordinationGame:
    """:class:`LineCoordinationGame`."""
    return LineCoordinationGame(effort, episode_length)
