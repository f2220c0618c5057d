"""Built-in stochastic games with more than one state.

* :func:`resource_commons`: a 3-state general-sum commons game (defined here).
* :func:`markov_congestion_game`: the distancing congestion game of Leonardos et al. (2022),
  "Global convergence of multi-agent policy gradient in Markov potential games", ICLR, §6.
* :func:`random_stochastic_game`: seeded random games for tests and benchmarks.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import torch

from vsg_pyro.games.tabular import TabularGame

__all__ = ["resource_commons", "markov_congestion_game", "random_stochastic_game"]


def _time_kwargs(horizon: int | None, gamma: float | None, default_gamma: float) -> dict:
    if horizon is not None and gamma is not None:
        raise ValueError("horizon/gamma: give at most one")
    if horizon is not None:
        return {"horizon": horizon}
    return {"gamma": default_gamma if gamma is None else gamma}


def resource_commons(horizon: int | None = None, gamma: float | None = None) -> TabularGame:
    """Two herders share a pasture with three levels: low, medium, high (general-sum, 3 states).

    Each herder either *waits* (action 0) or *grazes* (action 1).  A lone grazer earns the level's
    yield ``v = (1, 2, 4)``; two grazers split it and each pays a crowding cost 0.5 (so reward
    ``v/2 - 0.5``).  Waiting earns 0.  The pasture regrows one level w.p. 0.8 when nobody grazes,
    drops one level w.p. 0.4 (else stays) under one grazer and w.p. 0.9 under two.  Start: high.
    Discounted with ``gamma = 0.9`` unless ``horizon`` or ``gamma`` is given.
    """
    yields = np.array([1.0, 2.0, 4.0])
    n_states = 3
    rewards = np.zeros((2, n_states, 2, 2))
    transitions = np.zeros((n_states, 2, 2, n_states))
    drop_prob = {0: 0.0, 1: 0.4, 2: 0.9}
    for s, a1, a2 in itertools.product(range(n_states), range(2), range(2)):
        grazers = a1 + a2
        if grazers == 1:
            rewards[0, s, a1, a2] = yields[s] * a1
            rewards[1, s, a1, a2] = yields[s] * a2
        elif grazers == 2:
            rewards[:, s, a1, a2] = yields[s] / 2 - 0.5
        if grazers == 0:
            up = min(s + 1, n_states - 1)
            transitions[s, a1, a2, up] += 0.8
            transitions[s, a1, a2, s] += 0.2
        else:
            down = max(s - 1, 0)
            transitions[s, a1, a2, down] += drop_prob[grazers]
            transitions[s, a1, a2, s] += 1.0 - drop_prob[grazers]
    return TabularGame(
        transitions=transitions,
        rewards=rewards,
        initial=[0.0, 0.0, 1.0],
        name="resource_commons",
        agent_names=("herder0", "herder1"),
        action_names=(("wait", "graze"), ("wait", "graze")),
        state_names=("low", "medium", "high"),
        **_time_kwargs(horizon, gamma, 0.9),
    )


def markov_congestion_game(
    n_agents: int = 8,
    weights: Sequence[float] = (1.0, 2.0, 4.0, 6.0),
    penalty: float = 100.0,
    reward_scale: float = 1.0,
    horizon: int | None = None,
    gamma: float | None = None,
) -> TabularGame:
    """The distancing Markov congestion game of Leonardos et al. (2022, §6).

    ``n_agents`` agents each pick one of the facilities A, B, C, D (weights ``w = (1, 2, 4, 6)``).
    In the *safe* state an agent on facility ``k`` earns ``w_k * n_k`` (``n_k`` = number of agents
    on ``k``); in the *distancing* state it earns ``w_k * n_k - penalty``.  From safe the game moves
    to distancing when more than ``N/2`` agents share a facility; from distancing it returns to
    safe only when no facility holds more than ``N/4`` agents.  Initial distribution (1/2, 1/2)
    and ``gamma = 0.99`` as in the original experiment; ``reward_scale`` multiplies every reward
    (use ``1 / max|r|`` to meet the |r| <= 1 assumption of Prop. 5.5).  Joint actions: ``4**N``
    (65,536 for 8 agents).

    It is **not** a Markov potential game (Definition 5.4): the state moves with the agents'
    actions, and :func:`vsg_pyro.metrics.potential.mpg_cycle_defect` finds 4-cycles of
    deterministic stationary policies summing to 3,366 (4 agents, values up to 9,900).  For
    Theorem 5.8 use :mod:`vsg_pyro.games.potential_games` (verified by the checker).
    """
    if n_agents < 1:
        raise ValueError(f"n_agents: need at least 1, got {n_agents}")
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size < 1:
        raise ValueError(f"weights: need a non-empty list of facility weights, got {weights}")
    n_fac = w.size
    grid = np.indices((n_fac,) * n_agents)  # grid[i, a_1..a_N] = a_i
    # n_{a_i}: agents on agent i's facility (itself included), then w_{a_i} * n_{a_i}.
    own = np.stack([(grid == grid[i]).sum(0) * w[grid[i]] for i in range(n_agents)])
    max_count = np.stack([(grid == k).sum(0) for k in range(n_fac)]).max(0)
    rewards = np.stack([own, own - penalty], axis=1) * reward_scale  # (N, S=2, A..A)
    to_distancing = np.stack([max_count > n_agents / 2, max_count > n_agents / 4])  # (2, A..A)
    transitions = np.stack([1.0 - to_distancing, to_distancing.astype(float)], axis=-1)
    return TabularGame(
        transitions=transitions,
        rewards=rewards,
        initial=[0.5, 0.5],
        name="markov_congestion",
        action_names=(tuple("ABCD"[:n_fac] if n_fac <= 4 else map(str, range(n_fac))),) * n_agents,
        state_names=("safe", "distancing"),
        **_time_kwargs(horizon, gamma, 0.99),
    )


def random_stochastic_game(
    n_states: int,
    action_counts: Sequence[int],
    seed: int = 0,
    horizon: int | None = None,
    gamma: float | None = None,
    concentration: float = 1.0,
) -> TabularGame:
    """Rewards uniform on [-1, 1]; each ``P(. | s, a)`` Dirichlet(``concentration``); seeded."""
    counts = tuple(int(c) for c in action_counts)
    if n_states < 1 or not counts or min(counts) < 1:
        raise ValueError(f"n_states/action_counts: need >= 1 each, got {n_states}, {counts}")
    rng = np.random.default_rng(seed)
    rewards = rng.uniform(-1.0, 1.0, size=(len(counts), n_states, *counts))
    transitions = rng.dirichlet(np.full(n_states, concentration), size=(n_states, *counts))
    initial = rng.dirichlet(np.ones(n_states))
    name = f"random_sg_{n_states}s_" + "x".join(map(str, counts)) + f"_s{seed}"
    return TabularGame(
        transitions=torch.as_tensor(transitions),
        rewards=torch.as_tensor(rewards),
        initial=torch.as_tensor(initial),
        name=name,
        **_time_kwargs(horizon, gamma, 0.9),
    )


def zero_sum_game(game: TabularGame, name: str | None = None) -> TabularGame:
    """The two-player zero-sum game with agent 0's rewards: ``r_1 = -r_0`` (same dynamics)."""
    if game.n_agents != 2:
        raise ValueError(f"game: a zero-sum version needs 2 players, got {game.n_agents}")
    return TabularGame(
        transitions=game.transitions,
        rewards=torch.stack([game.rewards[0], -game.rewards[0]]),
        initial=game.initial,
        horizon=game.horizon,
        gamma=game.gamma,
        name=name or f"zs_{game.name}",
        agent_names=game.agent_names,
        action_names=game.action_names,
        state_names=game.state_names,
    )
