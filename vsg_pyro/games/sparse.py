"""Discounted stochastic games with a sparse kernel: next-state indices instead of a dense
``(S, *J, S)`` tensor (issue 14, large state spaces).

A dense :class:`~vsg_pyro.games.TabularGame` stores ``S^2 prod(J)`` transition entries, which
caps it at a few thousand states (4.8 GB at 8,192 states and 9 joint actions).  Most large
games move each joint action to a handful of states; :class:`SparseTabularGame` stores

* ``next_states``: ``(S, A_1, ..., A_N, K)`` int64, the ``K`` possible next states of each
  (state, joint action) (repeats allowed);
* ``next_probs``: ``(S, A_1, ..., A_N, K)`` float64, their probabilities (summing to 1 over
  ``K``);
* ``rewards``: ``(N, S, A_1, ..., A_N)`` as in :class:`~vsg_pyro.games.TabularGame`;
* ``initial``: ``(S,)``; ``gamma`` in [0, 1): discounted games only.

so ``P(s' | s, a) = sum_k next_probs[s, a, k] [next_states[s, a, k] = s']``.  Memory is
``O(S prod(J) K)``.  The solvers that take it are listed in the README (partial: Nash,
factorized family, exact VPG, :mod:`vsg_pyro.equilibria.nash.sparse_exact`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from vsg_pyro.games.tabular import TabularGame, as_float64_tensor, check_distribution

__all__ = ["SparseTabularGame", "DENSE_LIMIT"]

DENSE_LIMIT = 50_000_000
"""Entries of the dense transition tensor :meth:`SparseTabularGame.to_dense` builds at most
(400 MB in float64)."""


@dataclass(frozen=True, eq=False)
class SparseTabularGame:
    """A discounted N-agent stochastic game with a sparse transition kernel (module docstring).

    Args:
        next_states: ``(S, A_1, ..., A_N, K)`` next-state indices in ``[0, S)``.
        next_probs: ``(S, A_1, ..., A_N, K)`` their probabilities.
        rewards: ``(N, S, A_1, ..., A_N)``.
        gamma: discount factor in [0, 1).
        initial: ``(S,)``; default uniform.
        name, agent_names, action_names: labels (states are numbered).

    Invalid input raises ``ValueError`` naming the field.
    """

    next_states: torch.Tensor
    next_probs: torch.Tensor
    rewards: torch.Tensor
    gamma: float
    initial: torch.Tensor | None = None
    name: str = "game"
    agent_names: tuple[str, ...] | None = None
    action_names: tuple[tuple[str, ...], ...] | None = None
    _action_counts: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        rewards = as_float64_tensor(self.rewards, "rewards")
        if rewards.ndim < 3 or rewards.ndim != rewards.shape[0] + 2:
            raise ValueError(f"rewards: expected shape (N, S, A_1, ..., A_N), got "
                             f"{tuple(rewards.shape)}")
        if not torch.isfinite(rewards).all():
            raise ValueError("rewards: contains NaN or infinite values")
        n_states, counts = int(rewards.shape[1]), tuple(int(c) for c in rewards.shape[2:])
        if n_states < 1 or min(counts) < 1:
            raise ValueError(f"rewards: every axis needs at least one entry, got "
                             f"{tuple(rewards.shape)}")
        probs = as_float64_tensor(self.next_probs, "next_probs")
        if probs.ndim != len(counts) + 2 or tuple(probs.shape[:-1]) != (n_states, *counts) \
                or probs.shape[-1] < 1:
            raise ValueError(f"next_probs: expected shape (S, A_1, ..., A_N, K) = "
                             f"({n_states}, {', '.join(map(str, counts))}, K), got "
                             f"{tuple(probs.shape)}")
        check_distribution(probs, "next_probs", "next-state probabilities")
        index = torch.as_tensor(self.next_states)
        if index.is_floating_point() or index.is_complex() or index.dtype == torch.bool:
            raise ValueError(f"next_states: must be integers, got {index.dtype}")
        index = index.to(torch.int64)
        if tuple(index.shape) != tuple(probs.shape):
            raise ValueError(f"next_states: expected the shape of next_probs "
                             f"{tuple(probs.shape)}, got {tuple(index.shape)}")
        if index.numel() and (int(index.min()) < 0 or int(index.max()) >= n_states):
            raise ValueError(f"next_states: indices must lie in [0, {n_states}), got "
                             f"[{int(index.min())}, {int(index.max())}]")
        g = float(self.gamma)
        if math.isnan(g) or not 0.0 <= g < 1.0:
            raise ValueError(f"gamma: must lie in [0, 1), got {self.gamma!r}")
        if self.initial is None:
            initial = torch.full((n_states,), 1.0 / n_states, dtype=torch.float64)
        else:
            initial = as_float64_tensor(self.initial, "initial")
            if tuple(initial.shape) != (n_states,):
                raise ValueError(f"initial: expected shape ({n_states},), got "
                                 f"{tuple(initial.shape)}")
            check_distribution(initial, "initial", "the initial distribution")
        set_(self, "rewards", rewards)
        set_(self, "next_probs", probs)
        set_(self, "next_states", index)
        set_(self, "gamma", g)
        set_(self, "initial", initial)
        set_(self, "_action_counts", counts)
        set_(self, "agent_names", TabularGame._labels(self.agent_names, len(counts),
                                                     "agent_names", "agent"))
        if self.action_names is None:
            names = tuple(tuple(str(k) for k in range(c)) for c in counts)
        else:
            names = tuple(tuple(str(a) for a in acts) for acts in self.action_names)
            if tuple(len(a) for a in names) != counts:
                raise ValueError(f"action_names: expected {counts} names per agent, got "
                                 f"{tuple(len(a) for a in names)}")
        set_(self, "action_names", names)

    # ------------------------------------------------------------------ sizes
    @property
    def n_agents(self) -> int:
        return int(self.rewards.shape[0])

    @property
    def n_states(self) -> int:
        return int(self.rewards.shape[1])

    @property
    def action_counts(self) -> tuple[int, ...]:
        return self._action_counts

    @property
    def horizon(self) -> None:
        """Always ``None``: sparse games are discounted."""
        return None

    @property
    def row_shape(self) -> tuple[int, ...]:
        return (self.n_states,)

    @property
    def is_normal_form(self) -> bool:
        return False

    @property
    def reward_range(self) -> float:
        return float(self.rewards.abs().max())

    @property
    def nbytes(self) -> int:
        """Bytes held by the kernel, rewards and initial distribution."""
        return sum(t.numel() * t.element_size() for t in
                   (self.next_states, self.next_probs, self.rewards, self.initial))

    def describe(self) -> str:
        acts = "x".join(str(c) for c in self.action_counts)
        k = self.next_states.shape[-1]
        return (f"{self.name}: {self.n_agents} agents, {self.n_states} states, actions {acts}, "
                f"gamma {self.gamma}, sparse kernel ({k} next states per joint action)")

    def __repr__(self) -> str:
        return f"SparseTabularGame({self.describe()})"

    # ------------------------------------------------------------------ conversions
    @classmethod
    def from_dense(cls, game: TabularGame) -> SparseTabularGame:
        """The same game with its kernel's nonzeros as next-state indices (``K`` = the largest
        number of successors of any (state, joint action); shorter rows are padded with
        probability-0 entries).  Discounted games only."""
        if game.gamma is None:
            raise ValueError(f"game: {game.name!r} has a finite horizon; sparse games are "
                             "discounted")
        p = game.transitions.reshape(-1, game.n_states)
        k = max(int((p > 0).sum(-1).max()), 1)
        probs, index = torch.topk(p, k, dim=-1)
        shape = (game.n_states, *game.action_counts, k)
        return cls(index.reshape(shape), probs.reshape(shape), game.rewards, game.gamma,
                   game.initial, game.name, game.agent_names, game.action_names)

    def to_dense(self) -> TabularGame:
        """The dense :class:`~vsg_pyro.games.TabularGame` (refused above
        :data:`DENSE_LIMIT` transition entries)."""
        s, joint = self.n_states, math.prod(self.action_counts)
        if s * s * joint > DENSE_LIMIT:
            raise ValueError(f"to_dense: {s} states x {joint} joint actions x {s} next states "
                             f"= {s * s * joint:,} entries exceeds the limit {DENSE_LIMIT:,}")
        flat_index = self.next_states.reshape(s * joint, -1)
        dense = torch.zeros(s * joint, s, dtype=torch.float64)
        dense.scatter_add_(1, flat_index, self.next_probs.reshape(s * joint, -1))
        return TabularGame(dense.reshape(s, *self.action_counts, s), self.rewards,
                           initial=self.initial, gamma=self.gamma, name=self.name,
                           agent_names=self.agent_names, action_names=self.action_names)

