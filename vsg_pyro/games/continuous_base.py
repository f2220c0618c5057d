"""The interface of a continuous-action game, shared by MAI (Algorithm 2), the baselines and
every continuous game (:mod:`vsg_pyro.games.continuous`, :mod:`vsg_pyro.games.routing`,
:mod:`vsg_pyro.games.pettingzoo_adapter`).

A :class:`ContinuousGame` has ``n_agents`` agents, a state vector of ``state_dim`` (0 for a
stateless repeated game), per agent an action box ``[low_i, high_i]`` of ``action_dims[i]``,
and episodes of ``episode_length`` steps.  ``reset(generator)`` returns the first state
``(state_dim,)``; ``step(state, actions)`` takes one action vector per agent and returns
``(next_state, rewards (n_agents,), done)``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import torch

__all__ = ["ContinuousGame"]


class ContinuousGame(ABC):
    """Interface of a continuous-action game (module docstring); subclasses set the attributes
    below and implement :meth:`reset` and :meth:`step`."""

    name: str = "continuous_game"
    n_agents: int
    state_dim: int
    action_dims: tuple[int, ...]
    lows: tuple[torch.Tensor, ...]
    highs: tuple[torch.Tensor, ...]
    episode_length: int

    @abstractmethod
    def reset(self, generator: torch.Generator | None = None) -> torch.Tensor:
        """The first state ``(state_dim,)`` of an episode."""

    @abstractmethod
    def step(self, state: torch.Tensor, actions: Sequence[torch.Tensor]
             ) -> tuple[torch.Tensor, torch.Tensor, bool]:
        """``(next_state, rewards (n_agents,), done)`` after one action vector per agent."""
