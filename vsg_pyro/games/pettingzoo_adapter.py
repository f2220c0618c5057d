"""A PettingZoo ``ParallelEnv`` with continuous ``Box`` actions as a :class:`ContinuousGame`,
so MAI (``vsg_pyro.continuous.mai``) and the baselines train on it unchanged.

The adapter's state is every agent's observation, flattened and concatenated in
``env.possible_agents`` order (MAI's critics and opponent models are centralised).  Actions
are clipped to each ``Box``; an episode ends when any agent terminates or is truncated, or
after ``episode_length`` steps (then the env is reset).  Requires ``pettingzoo`` (the
``[pettingzoo]`` extra); only the adapter imports it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from vsg_pyro.games.continuous_base import ContinuousGame

__all__ = ["PettingZooGame"]


class PettingZooGame(ContinuousGame):
    """Wrap ``env_factory()`` (a ``pettingzoo.ParallelEnv``; module docstring).

    Args:
        env_factory: builds the environment (called once).
        episode_length: steps per episode for the trainers (the env may end episodes earlier).
        name: label (default: the env's ``metadata["name"]`` or its class name).
    """

    def __init__(self, env_factory: Callable[[], object], episode_length: int = 25,
                 name: str | None = None) -> None:
        try:
            from gymnasium.spaces import Box
        except ImportError as err:  # pragma: no cover - depends on the extra
            raise ImportError("PettingZooGame needs pettingzoo (pip install 'vsg-pyro[pettingzoo]')"
                              ) from err
        self.env = env_factory()
        self.agents = list(self.env.possible_agents)
        spaces = [self.env.action_space(a) for a in self.agents]
        for agent, space in zip(self.agents, spaces, strict=True):
            if not isinstance(space, Box):
                raise ValueError(f"agent {agent!r}: action space {space} is not a continuous Box")
            if not (np.isfinite(space.low).all() and np.isfinite(space.high).all()):
                raise ValueError(f"agent {agent!r}: the Box {space} must be bounded (the policies "
                                 "are squashed onto it)")
        self._spaces = spaces
        self._obs_sizes = [int(np.prod(self.env.observation_space(a).shape)) for a in self.agents]
        self.n_agents = len(self.agents)
        self.state_dim = sum(self._obs_sizes)
        self.action_dims = tuple(int(np.prod(s.shape)) for s in spaces)
        self.lows = tuple(torch.as_tensor(s.low, dtype=torch.float32).reshape(-1) for s in spaces)
        self.highs = tuple(torch.as_tensor(s.high, dtype=torch.float32).reshape(-1) for s in spaces)
        if episode_length < 1:
            raise ValueError(f"episode_length: must be >= 1, got {episode_length}")
        self.episode_length = episode_length
        metadata = getattr(self.env, "metadata", {}) or {}
        self.name = name or metadata.get("name", type(self.env).__name__)

    def _state(self, observations: dict) -> torch.Tensor:
        parts = [np.asarray(observations.get(a, np.zeros(n)), dtype=np.float32).reshape(-1)
                 for a, n in zip(self.agents, self._obs_sizes, strict=True)]
        return torch.as_tensor(np.concatenate(parts) if parts else np.zeros(0, np.float32))

    def reset(self, generator: torch.Generator | None = None) -> torch.Tensor:
        seed = None if generator is None else int(torch.randint(2 ** 31 - 1, (1,), generator=generator))
        observations, _ = self.env.reset(seed=seed)
        return self._state(observations)

    def step(self, state, actions):
        act = {}
        for agent, space, a in zip(self.agents, self._spaces, actions, strict=True):
            value = np.asarray(torch.as_tensor(a).detach().numpy(), dtype=space.dtype).reshape(space.shape)
            act[agent] = np.clip(value, space.low, space.high)
        observations, rewards, terminations, truncations, _ = self.env.step(act)
        r = torch.tensor([float(rewards.get(a, 0.0)) for a in self.agents])
        done = any(terminations.values()) or any(truncations.values()) or not self.env.agents
        return self._state(observations), r, bool(done)
