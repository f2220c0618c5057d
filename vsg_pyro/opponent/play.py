"""Simulated play of a tabular game and the replay buffer of Algorithm 1 ("save the experience
in the replay buffer"), :class:`PlayRecordBuffer`, which keeps whole :class:`PlayRecord` s.

:func:`simulate_play` draws ``n_steps`` transitions from everyone's executed policies: finite
horizon games (normal-form ones included, ``H = 1``) as whole episodes from the initial
distribution, discounted games as one long trajectory.  A :class:`PlayRecord` stores them as
tensors; ``rows`` index policies the way :mod:`vsg_pyro.models.opponent` does (``t * S + s``
for a finite horizon, ``s`` when discounted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import torch

from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.metrics.exploitability import check_marginals

__all__ = ["PlayRecord", "simulate_play", "PlayRecordBuffer", "action_counts"]


class PlayRecord(NamedTuple):
    """``N`` transitions: ``episode``, ``time``, ``state``, ``rows`` ``(N,)`` long and
    ``actions`` ``(N, n_agents)`` long."""

    episode: torch.Tensor
    time: torch.Tensor
    state: torch.Tensor
    rows: torch.Tensor
    actions: torch.Tensor

    def __len__(self) -> int:
        return int(self.state.shape[0])

    def last(self, n: int) -> PlayRecord:
        """The most recent ``n`` transitions."""
        return PlayRecord(*(x[-n:] for x in self))

    @staticmethod
    def concat(records: Sequence[PlayRecord]) -> PlayRecord:
        """The records one after another, as one record."""
        return PlayRecord(*(torch.cat(parts) for parts in zip(*records, strict=True)))


def simulate_play(
    game: TabularGame,
    marginals: Sequence[torch.Tensor],
    n_steps: int,
    seed: int | torch.Generator = 0,
    first_episode: int = 0,
    initial: torch.Tensor | None = None,
) -> PlayRecord:
    """``n_steps`` transitions of everyone playing ``marginals`` (per agent ``(H, S, A_i)`` or
    ``(S, A_i)``).  A finite horizon plays ``ceil(n_steps / H)`` whole episodes and keeps the
    first ``n_steps`` transitions.  ``initial`` ``(S,)`` replaces the game's initial
    distribution."""
    if n_steps < 1:
        raise ValueError(f"n_steps: must be >= 1, got {n_steps}")
    marginals = check_marginals(game, marginals)
    gen = seed if isinstance(seed, torch.Generator) else torch.Generator().manual_seed(int(seed))
    n, s_count = game.n_agents, game.n_states
    start = game.initial if initial is None else torch.as_tensor(initial, dtype=torch.float64)
    if game.horizon is not None:
        h = game.horizon
        episodes = -(-n_steps // h)
        state = torch.multinomial(start, episodes, replacement=True, generator=gen)
        times, states, acts = [], [], []
        for t in range(h):
            a = torch.stack([torch.multinomial(marginals[i][t][state], 1, generator=gen).squeeze(-1)
                             for i in range(n)], -1)
            times.append(torch.full((episodes,), t, dtype=torch.long))
            states.append(state)
            acts.append(a)
            if t + 1 < h:
                nxt = game.transitions[(state, *a.unbind(-1))]  # (E, S')
                state = torch.multinomial(nxt, 1, generator=gen).squeeze(-1)
        time = torch.stack(times, 1).reshape(-1)[:n_steps]
        state_all = torch.stack(states, 1).reshape(-1)[:n_steps]
        actions = torch.stack(acts, 1).reshape(-1, n)[:n_steps]
        episode = (torch.arange(episodes).repeat_interleave(h) + first_episode)[:n_steps]
        return PlayRecord(episode, time, state_all, time * s_count + state_all, actions)
    state = int(torch.multinomial(start, 1, generator=gen))
    states, acts = [], []
    for _ in range(n_steps):
        a = [int(torch.multinomial(marginals[i][state], 1, generator=gen)) for i in range(n)]
        states.append(state)
        acts.append(a)
        state = int(torch.multinomial(game.transitions[(state, *a)], 1, generator=gen))
    state_t = torch.tensor(states, dtype=torch.long)
    return PlayRecord(torch.full_like(state_t, first_episode), torch.zeros_like(state_t), state_t,
                      state_t, torch.tensor(acts, dtype=torch.long))


def action_counts(record: PlayRecord, agent: int, n_rows: int, n_actions: int) -> torch.Tensor:
    """``(n_rows, n_actions)`` counts of ``agent``'s actions per row."""
    flat = record.rows * n_actions + record.actions[:, agent]
    return torch.bincount(flat, minlength=n_rows * n_actions).reshape(n_rows, n_actions).to(
        torch.float64)


class PlayRecordBuffer:
    """The experience of Algorithm 1: whole :class:`PlayRecord` s (one per round of play), the
    oldest dropped while the rest still hold at least ``capacity`` transitions."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity: must be >= 1, got {capacity}")
        self.capacity = capacity
        self._records: list[PlayRecord] = []
        self._size = 0

    def add(self, record: PlayRecord) -> None:
        """Keep ``record``; drop the oldest records the others make unnecessary."""
        self._records.append(record)
        self._size += len(record)
        while self._size - len(self._records[0]) >= self.capacity:
            self._size -= len(self._records.pop(0))

    def __len__(self) -> int:
        return self._size

    def data(self) -> PlayRecord:
        """All kept transitions, oldest first."""
        if not self._records:
            raise ValueError("the replay buffer is empty")
        return PlayRecord.concat(self._records)


#: The name of :class:`PlayRecordBuffer` before issue 12 (``vsg_pyro.play.ReplayBuffer``), kept
#: for one release so that the old import path still offers it.
ReplayBuffer = PlayRecordBuffer
