"""A ring buffer of continuous-game transitions (MAI's replay buffer ``D``, Algorithm 2), also
the baselines' (:mod:`vsg_pyro.continuous.baselines`).

Stores per step the state ``(state_dim,)``, every agent's action concatenated ``(sum_i d_i,)``,
the rewards ``(n_agents,)``, the next state and ``done``; :meth:`sample` draws a batch with
replacement.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

__all__ = ["TransitionBatch", "ContinuousTransitionBuffer"]


class TransitionBatch(NamedTuple):
    """``states (B, S)``, ``actions (B, sum d_i)``, ``rewards (B, n)``, ``next_states (B, S)``,
    ``done (B,)`` (float 0/1)."""

    states: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    next_states: torch.Tensor
    done: torch.Tensor


class ContinuousTransitionBuffer:
    """Fixed-capacity ring buffer (module docstring)."""

    def __init__(self, capacity: int, state_dim: int, action_dim: int, n_agents: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity: must be >= 1, got {capacity}")
        self.capacity = capacity
        self.states = torch.zeros(capacity, state_dim)
        self.actions = torch.zeros(capacity, action_dim)
        self.rewards = torch.zeros(capacity, n_agents)
        self.next_states = torch.zeros(capacity, state_dim)
        self.done = torch.zeros(capacity)
        self.size = 0
        self._next = 0

    def add(self, state: torch.Tensor, actions: torch.Tensor, rewards: torch.Tensor,
            next_state: torch.Tensor, done: bool) -> None:
        """Store one transition (anything ``torch.as_tensor`` takes), over the oldest when full."""
        k = self._next
        self.states[k] = torch.as_tensor(state)
        self.actions[k] = torch.as_tensor(actions)
        self.rewards[k] = torch.as_tensor(rewards)
        self.next_states[k] = torch.as_tensor(next_state)
        self.done[k] = float(done)
        self._next = (k + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def __len__(self) -> int:
        return self.size

    def sample(self, batch_size: int, generator: torch.Generator | None = None) -> TransitionBatch:
        """``batch_size`` stored transitions drawn uniformly with replacement."""
        if self.size == 0:
            raise ValueError("the buffer is empty")
        idx = torch.randint(self.size, (batch_size,), generator=generator)
        return TransitionBatch(self.states[idx], self.actions[idx], self.rewards[idx],
                     self.next_states[idx], self.done[idx])


#: The names of :class:`TransitionBatch` and :class:`ContinuousTransitionBuffer` before issue 12
#: (``vsg_pyro.transition_buffer.Batch``, ``.TransitionBuffer``), kept for one release so that
#: the old import path still offers them.
Batch = TransitionBatch
TransitionBuffer = ContinuousTransitionBuffer
