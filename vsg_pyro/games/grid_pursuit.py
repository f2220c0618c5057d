"""A pursuit game on a grid with ``size^4`` states: the large sparse benchmark of issue 14.

Two agents, a pursuer and an evader, move on a ``size x size`` grid; the state is the pair of
cells (``S = size^4``: 104,976 states at ``size=18``).  Each picks one of ``stay, up, down,
left, right`` (walls block); a move fails with probability ``slip`` (the agent stays), so a
joint action leads to at most 4 next states.  After the move the pursuer receives minus the
Manhattan distance between them and the evader plus it, both normalised by ``2 (size - 1)``,
and every agent pays ``move_cost`` for a move: a general-sum game (zero-sum when
``move_cost = 0``), discounted by ``gamma``.
"""

from __future__ import annotations

import torch

from vsg_pyro.games.sparse import SparseTabularGame

__all__ = ["grid_pursuit_game", "MOVES"]

MOVES: tuple[str, ...] = ("stay", "up", "down", "left", "right")
_DELTAS = ((0, 0), (0, 1), (0, -1), (-1, 0), (1, 0))


def grid_pursuit_game(size: int = 18, slip: float = 0.1, gamma: float = 0.9,
                      move_cost: float = 0.01) -> SparseTabularGame:
    """The pursuit game (module docstring) as a :class:`~vsg_pyro.games.sparse.SparseTabularGame`.

    Args:
        size: grid side (>= 2); ``size^4`` states.
        slip: probability in [0, 1) that an agent's move fails.
        gamma: discount factor in [0, 1).
        move_cost: cost of a move (>= 0), in units where the largest distance is 1.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 2:
        raise ValueError(f"size: must be an integer >= 2, got {size!r}")
    if not 0.0 <= slip < 1.0:
        raise ValueError(f"slip: must lie in [0, 1), got {slip!r}")
    if not move_cost >= 0.0:
        raise ValueError(f"move_cost: must be >= 0, got {move_cost!r}")
    cells = size * size
    x, y = torch.arange(cells) // size, torch.arange(cells) % size
    moved = torch.stack([((x + dx).clamp(0, size - 1)) * size + (y + dy).clamp(0, size - 1)
                         for dx, dy in _DELTAS], -1)  # (C, 5)
    pursuer = torch.arange(cells).repeat_interleave(cells)  # state s = p * C + e
    evader = torch.arange(cells).repeat(cells)
    # outcomes k: (pursuer's move succeeds, evader's move succeeds)
    outcomes = ((1, 1), (1, 0), (0, 1), (0, 0)) if slip > 0 else ((1, 1),)
    nexts, probs = [], []
    for ok_p, ok_e in outcomes:
        p_next = moved[pursuer] if ok_p else pursuer[:, None].expand(-1, 5)  # (S, 5)
        e_next = moved[evader] if ok_e else evader[:, None].expand(-1, 5)
        nexts.append(p_next[:, :, None] * cells + e_next[:, None, :])  # (S, 5, 5)
        prob = (1.0 - slip if ok_p else slip) * (1.0 - slip if ok_e else slip)
        probs.append(torch.full(nexts[-1].shape, prob, dtype=torch.float64))
    next_states, next_probs = torch.stack(nexts, -1), torch.stack(probs, -1)  # (S, 5, 5, K)
    dist_of = ((x[:, None] - x[None, :]).abs() + (y[:, None] - y[None, :]).abs()).reshape(-1)
    distance = (next_probs * dist_of[next_states].to(torch.float64)).sum(-1) / (2 * (size - 1))
    cost = move_cost * (torch.arange(5) > 0).to(torch.float64)
    rewards = torch.stack([-distance - cost[:, None], distance - cost[None, :]])
    names = tuple(MOVES)
    return SparseTabularGame(next_states, next_probs, rewards, gamma,
                             name=f"grid_pursuit_{size}", agent_names=("pursuer", "evader"),
                             action_names=(names, names))
