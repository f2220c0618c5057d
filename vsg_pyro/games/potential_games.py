"""Markov potential games by construction (Definition 5.4), for Theorem 5.8 (issue 15).

* :func:`identical_interest_game`: every agent gets the same reward ``r(s, a)``; the potential
  is the common value.  Random rewards and Dirichlet transitions that depend on the actions.
* :func:`exogenous_congestion_game`: a congestion game whose demand level (the state) follows
  a Markov chain the agents do not influence.  Each stage game is a congestion game with
  Rosenthal's potential ``phi(s, a) = -sum_k w_k(s) n_k (n_k + 1) / 2`` (agent ``i`` on
  facility ``k`` pays ``w_k(s) n_k``), and with action-independent transitions the discounted
  sum of ``phi`` is a Markov potential (Leonardos et al. 2022, Prop. 3.2).

Both pass :func:`vsg_pyro.metrics.potential.mpg_cycle_defect` (tested).  The distancing game
:func:`~vsg_pyro.games.markov_congestion_game` is *not* an MPG: its state depends on the
actions, and the checker finds cycles summing to thousands.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from vsg_pyro.games.tabular import TabularGame

__all__ = ["identical_interest_game", "exogenous_congestion_game",
           "exogenous_congestion_potential"]


def identical_interest_game(n_states: int = 3, action_counts: Sequence[int] = (2, 2),
                            seed: int = 0, gamma: float = 0.9) -> TabularGame:
    """A random identical-interest discounted game: one reward ``r(s, a)`` uniform on [-1, 1]
    for every agent, ``P(. | s, a)`` Dirichlet(1) (depending on the joint action)."""
    counts = tuple(int(c) for c in action_counts)
    if n_states < 1 or not counts or min(counts) < 1:
        raise ValueError(f"n_states/action_counts: need >= 1 each, got {n_states}, {counts}")
    rng = np.random.default_rng(seed)
    reward = rng.uniform(-1.0, 1.0, size=(n_states, *counts))
    transitions = rng.dirichlet(np.ones(n_states), size=(n_states, *counts))
    name = f"identical_interest_{n_states}s_" + "x".join(map(str, counts)) + f"_s{seed}"
    return TabularGame(transitions, np.stack([reward] * len(counts)), gamma=gamma, name=name)


def _congestion(n_agents: int, n_facilities: int) -> np.ndarray:
    """``n_k`` per joint action: ``(K, F, ..., F)``."""
    grid = np.indices((n_facilities,) * n_agents)
    return np.stack([(grid == k).sum(0) for k in range(n_facilities)])


def exogenous_congestion_game(n_agents: int = 3,
                              weights: Sequence[Sequence[float]] = ((1.0, 2.0), (2.0, 1.0)),
                              demand: Sequence[Sequence[float]] = ((0.8, 0.2), (0.3, 0.7)),
                              gamma: float = 0.9) -> TabularGame:
    """The congestion game with exogenous demand (module docstring).

    Args:
        n_agents: agents, each choosing one facility.
        weights: ``(S, F)`` per-user cost of each facility in each demand state.
        demand: ``(S, S)`` the demand chain, independent of the actions.
        gamma: discount factor.
    """
    w = np.asarray(weights, dtype=np.float64)
    p = np.asarray(demand, dtype=np.float64)
    if w.ndim != 2 or p.shape != (w.shape[0], w.shape[0]):
        raise ValueError(f"weights/demand: need (S, F) weights and an (S, S) chain, got "
                         f"{w.shape} and {p.shape}")
    if n_agents < 1:
        raise ValueError(f"n_agents: need at least 1, got {n_agents}")
    n_states, n_fac = w.shape
    counts = _congestion(n_agents, n_fac)  # (F, F..F)
    grid = np.indices((n_fac,) * n_agents)
    rewards = np.stack([np.stack([-w[s][grid[i]] * np.take_along_axis(counts, grid[i][None], 0)[0]
                                  for s in range(n_states)]) for i in range(n_agents)])
    shape = (n_states,) + (n_fac,) * n_agents + (n_states,)
    transitions = np.broadcast_to(p.reshape(n_states, *([1] * n_agents), n_states), shape)
    return TabularGame(np.ascontiguousarray(transitions), rewards, gamma=gamma,
                       name=f"exogenous_congestion_{n_agents}",
                       state_names=tuple(f"demand{s}" for s in range(n_states)))


def exogenous_congestion_potential(game: TabularGame,
                                   weights: Sequence[Sequence[float]] = ((1.0, 2.0), (2.0, 1.0))
                                   ) -> torch.Tensor:
    """Rosenthal's stage potential ``(S, F, ..., F)`` of :func:`exogenous_congestion_game`
    built with ``weights``."""
    w = np.asarray(weights, dtype=np.float64)
    n = game.n_agents
    counts = _congestion(n, w.shape[1])  # (F, F..F)
    phi = np.stack([-(w[s].reshape(-1, *([1] * n)) * counts * (counts + 1) / 2.0).sum(0)
                    for s in range(w.shape[0])])
    return torch.as_tensor(phi)
