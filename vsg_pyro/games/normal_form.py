"""Normal-form games as one-state, one-step :class:`TabularGame` s, and a library of classics.

Payoff arrays have shape ``(N, A_1, ..., A_N)``: ``payoffs[i, a_1, ..., a_N]`` is player ``i``'s
payoff.  Every built-in cites the usual source of its payoff numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from vsg_pyro.games.tabular import TabularGame, as_float64_tensor

__all__ = [
    "normal_form_game",
    "bimatrix_game",
    "payoff_tensor",
    "prisoners_dilemma",
    "matching_pennies",
    "battle_of_the_sexes",
    "chicken",
    "stag_hunt",
    "rock_paper_scissors",
    "biased_rock_paper_scissors",
    "shapley_game",
    "three_player_matching_pennies",
    "random_normal_form_game",
]


def normal_form_game(
    payoffs: object,
    name: str = "normal-form game",
    agent_names: Sequence[str] | None = None,
    action_names: Sequence[Sequence[str]] | None = None,
) -> TabularGame:
    """Wrap a payoff array ``(N, A_1, ..., A_N)`` as a one-state, one-step game."""
    pay = as_float64_tensor(payoffs, "payoffs")
    if pay.ndim < 2 or pay.ndim != pay.shape[0] + 1:
        raise ValueError(
            f"payoffs: expected shape (N, A_1, ..., A_N) with one action axis per player, "
            f"got {tuple(pay.shape)}"
        )
    counts = tuple(pay.shape[1:])
    return TabularGame(
        transitions=torch.ones(1, *counts, 1, dtype=torch.float64),
        rewards=pay.unsqueeze(1),
        initial=torch.ones(1, dtype=torch.float64),
        horizon=1,
        name=name,
        agent_names=tuple(agent_names) if agent_names is not None else None,
        action_names=tuple(tuple(a) for a in action_names) if action_names is not None else None,
    )


def bimatrix_game(
    row: object,
    column: object,
    name: str = "bimatrix game",
    action_names: Sequence[Sequence[str]] | None = None,
) -> TabularGame:
    """Two-player game from the row player's matrix ``(A_1, A_2)`` and the column player's."""
    a = np.asarray(row, dtype=np.float64)
    b = np.asarray(column, dtype=np.float64)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"row/column: need two matrices of one shape, got {a.shape} and {b.shape}")
    return normal_form_game(np.stack([a, b]), name=name, action_names=action_names)


def payoff_tensor(game: TabularGame) -> torch.Tensor:
    """``(N, A_1, ..., A_N)`` payoffs of a normal-form game."""
    if not game.is_normal_form:
        raise ValueError(f"game: {game.name!r} is not a normal-form (one-state, one-step) game")
    return game.rewards[:, 0]


def prisoners_dilemma() -> TabularGame:
    """Prisoner's dilemma, actions (Cooperate, Defect), payoffs T=5 > R=3 > P=1 > S=0 (Axelrod)."""
    a = [[3.0, 0.0], [5.0, 1.0]]
    return bimatrix_game(a, np.transpose(a), "prisoners_dilemma", [["C", "D"], ["C", "D"]])


def matching_pennies() -> TabularGame:
    """Matching pennies: the row player wins 1 on a match; zero-sum, unique NE (1/2, 1/2)."""
    a = np.array([[1.0, -1.0], [-1.0, 1.0]])
    return bimatrix_game(a, -a, "matching_pennies", [["H", "T"], ["H", "T"]])


def battle_of_the_sexes() -> TabularGame:
    """Battle of the sexes, actions (Opera, Football), payoffs 3/2 on agreement, 0 otherwise."""
    a = [[3.0, 0.0], [0.0, 2.0]]
    b = [[2.0, 0.0], [0.0, 3.0]]
    return bimatrix_game(a, b, "battle_of_the_sexes", [["O", "F"], ["O", "F"]])


def chicken() -> TabularGame:
    """Chicken with Aumann's (1974) correlated-equilibrium numbers, actions (Dare, Chicken).

    (D,D)=(0,0), (D,C)=(7,2), (C,D)=(2,7), (C,C)=(6,6).  Nash equilibria: the two pure ones
    (welfare 9) and the mixed one with P(D) = 1/3 (welfare 28/3, the best); max-welfare
    correlated equilibrium 10.5.
    """
    a = [[0.0, 7.0], [2.0, 6.0]]
    return bimatrix_game(a, np.transpose(a), "chicken", [["D", "C"], ["D", "C"]])


def stag_hunt() -> TabularGame:
    """Stag hunt, actions (Stag, Hare): 4 for a joint stag, 3 for hare whatever the other does."""
    a = [[4.0, 0.0], [3.0, 3.0]]
    return bimatrix_game(a, np.transpose(a), "stag_hunt", [["S", "H"], ["S", "H"]])


def rock_paper_scissors() -> TabularGame:
    """Rock-paper-scissors, win 1 / lose -1; zero-sum, unique NE uniform, value 0."""
    a = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    return bimatrix_game(a, -a, "rock_paper_scissors", [["R", "P", "S"]] * 2)


def biased_rock_paper_scissors() -> TabularGame:
    """Biased rock-paper-scissors: wins are worth R>S: 1, P>R: 2, S>P: 3 (losses the negative).

    Zero-sum and symmetric, value 0, unique NE (1/2, 1/6, 1/3) for both players.
    """
    a = np.array([[0.0, -2.0, 1.0], [2.0, 0.0, -3.0], [-1.0, 3.0, 0.0]])
    return bimatrix_game(a, -a, "biased_rock_paper_scissors", [["R", "P", "S"]] * 2)


def shapley_game() -> TabularGame:
    """Shapley's (1964) 3x3 game on which fictitious play cycles; unique NE uniform for both.

    Row payoff ``I`` (1 on the diagonal), column payoff the cyclic shift ``B[a, (a+1) % 3] = 1``.
    """
    a = np.eye(3)
    b = np.roll(np.eye(3), 1, axis=1)
    return bimatrix_game(a, b, "shapley_game", [["0", "1", "2"]] * 2)


def three_player_matching_pennies() -> TabularGame:
    """Jordan's (1993) three-player matching pennies: player 1 wants to match player 2,
    player 2 to match player 3, player 3 to mismatch player 1 (payoffs +-1).
    Unique Nash equilibrium: everyone mixes (1/2, 1/2)."""
    pay = np.zeros((3, 2, 2, 2))
    for a1 in range(2):
        for a2 in range(2):
            for a3 in range(2):
                pay[0, a1, a2, a3] = 1.0 if a1 == a2 else -1.0
                pay[1, a1, a2, a3] = 1.0 if a2 == a3 else -1.0
                pay[2, a1, a2, a3] = 1.0 if a3 != a1 else -1.0
    return normal_form_game(pay, "three_player_matching_pennies", action_names=[["H", "T"]] * 3)


def random_normal_form_game(
    action_counts: Sequence[int], seed: int = 0, low: float = -1.0, high: float = 1.0
) -> TabularGame:
    """Payoffs i.i.d. uniform on ``[low, high]`` from ``numpy.random.default_rng(seed)``."""
    counts = tuple(int(c) for c in action_counts)
    if len(counts) < 1 or min(counts) < 1:
        raise ValueError(f"action_counts: need at least one player with >= 1 action, got {counts}")
    if not high > low:
        raise ValueError(f"low/high: need low < high, got {low}, {high}")
    rng = np.random.default_rng(seed)
    pay = rng.uniform(low, high, size=(len(counts), *counts))
    name = "random_" + "x".join(map(str, counts)) + f"_s{seed}"
    return normal_form_game(pay, name)
