"""Finite mean-field games (§5.2): a representative agent in a population described by the
state-action mean field ``L_t(s, a) = mu_t(s) pi_t(a | s)``.

A :class:`MeanFieldGame` has ``S`` states, ``A`` actions, a horizon of ``T`` decision steps, an
initial distribution, and two vectorised torch functions of the mean field ``L`` ``(S, A)``:

* ``reward(L)`` -> ``(S, A)``: ``r(s, a, L)``;
* ``transition(L)`` -> either a dense kernel ``(S, A, S)`` ``P(s' | s, a, L)``, or, for
  deterministic moves (large grids), the next-state index ``(S, A)`` (a long tensor).

:func:`push` and :func:`pull` apply either kind of kernel without materialising a dense one,
so a grid of 10,000 states costs ``O(S A)`` per step.

The built-ins follow published definitions; each docstring says which and what was fixed where
the paper leaves a choice open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from vsg_pyro.games.tabular import as_float64_tensor, check_distribution

__all__ = [
    "MeanFieldGame",
    "push",
    "pull",
    "left_right",
    "rock_paper_scissors_mfg",
    "sis_epidemic",
    "beach_bar",
    "grid_crowd",
]

Kernel = torch.Tensor  # (S, A, S) float64, or (S, A) long: deterministic next state


@dataclass(frozen=True, eq=False)
class MeanFieldGame:
    """A finite-horizon mean-field game (module docstring).

    Args:
        n_states, n_actions, horizon: ``S``, ``A`` and ``T`` (>= 1 each).
        reward: ``L (S, A) -> (S, A)``.
        transition: ``L (S, A) -> (S, A, S)`` probabilities or ``(S, A)`` next-state indices.
        initial: ``(S,)`` initial state distribution.
        name, state_names, action_names: labels.

    Invalid sizes or an invalid initial distribution raise ``ValueError`` naming the field; the
    functions' outputs are checked by :meth:`check`.
    """

    n_states: int
    n_actions: int
    horizon: int
    reward: Callable[[torch.Tensor], torch.Tensor]
    transition: Callable[[torch.Tensor], Kernel]
    initial: torch.Tensor
    name: str = "mean_field_game"
    state_names: tuple[str, ...] | None = None
    action_names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for field in ("n_states", "n_actions", "horizon"):
            value = getattr(self, field)
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"{field}: must be an integer >= 1, got {value!r}")
        initial = as_float64_tensor(self.initial, "initial")
        if tuple(initial.shape) != (self.n_states,):
            raise ValueError(f"initial: expected shape ({self.n_states},), got {tuple(initial.shape)}")
        check_distribution(initial, "initial", "the initial distribution")
        object.__setattr__(self, "initial", initial)
        for field, count in (("state_names", self.n_states), ("action_names", self.n_actions)):
            names = getattr(self, field)
            if names is not None and len(names) != count:
                raise ValueError(f"{field}: expected {count} names, got {len(names)}")

    def check(self, mean_field: torch.Tensor | None = None) -> None:
        """Evaluate ``reward`` and ``transition`` at ``mean_field`` (uniform by default) and
        raise ``ValueError`` if their shapes or probabilities are wrong."""
        s, a = self.n_states, self.n_actions
        L = mean_field if mean_field is not None else torch.full((s, a), 1.0 / (s * a),
                                                                 dtype=torch.float64)
        r = self.reward(L)
        if tuple(r.shape) != (s, a) or not torch.isfinite(r).all():
            raise ValueError(f"reward: must return finite (S, A) = {(s, a)}, got {tuple(r.shape)}")
        p = self.transition(L)
        if p.dtype == torch.long:
            if tuple(p.shape) != (s, a) or p.min() < 0 or p.max() >= s:
                raise ValueError(f"transition: next-state indices must be (S, A) = {(s, a)} "
                                 f"in [0, {s})")
        else:
            if tuple(p.shape) != (s, a, s):
                raise ValueError(f"transition: expected (S, A, S) = {(s, a, s)}, got "
                                 f"{tuple(p.shape)}")
            check_distribution(p, "transition", "P(. | s, a, L)")

    def describe(self) -> str:
        return (f"{self.name}: mean-field game, {self.n_states} states, {self.n_actions} actions, "
                f"horizon {self.horizon}")

    def __repr__(self) -> str:
        return f"MeanFieldGame({self.describe()})"


def push(kernel: Kernel, weights: torch.Tensor) -> torch.Tensor:
    """``mu'(s') = sum_{s, a} P(s' | s, a) weights(s, a)``: ``(S, A) -> (S,)`` (the forward,
    Kolmogorov, step)."""
    if kernel.dtype == torch.long:
        out = torch.zeros(weights.shape[0], dtype=weights.dtype)
        return out.index_add_(0, kernel.reshape(-1), weights.reshape(-1))
    return torch.einsum("sa,sat->t", weights, kernel)


def pull(kernel: Kernel, values: torch.Tensor) -> torch.Tensor:
    """``E[v(s') | s, a] = sum_s' P(s' | s, a) v(s')``: ``(S,) -> (S, A)`` (the backward step)."""
    if kernel.dtype == torch.long:
        return values[kernel]
    return kernel @ values


# ---------------------------------------------------------------------------- built-ins
def _state_marginal(L: torch.Tensor) -> torch.Tensor:
    return L.sum(-1)


def left_right(horizon: int = 10) -> MeanFieldGame:
    """Left-right (Cui & Koeppl, AISTATS 2021, "Approximately solving mean field games via
    entropy-regularized deep reinforcement learning", §5).  States (center, left, right), actions
    (left, right); everyone starts in the center.  From the center an action moves to that
    side; from a side every action returns to the center.  Being on a side costs the fraction of
    the population there: ``r(s, a, L) = -mu(s)`` for ``s`` in {left, right}, 0 in the center.
    The equilibrium splits the population evenly.
    """
    nxt = torch.tensor([[1, 2], [0, 0], [0, 0]], dtype=torch.long)

    def reward(L: torch.Tensor) -> torch.Tensor:
        mu = _state_marginal(L)
        crowd = torch.stack([torch.zeros((), dtype=L.dtype), mu[1], mu[2]])
        return (-crowd).unsqueeze(-1).expand(3, 2).clone()

    return MeanFieldGame(3, 2, horizon, reward, lambda L: nxt,
                         torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64), "left_right",
                         ("center", "left", "right"), ("left", "right"))


def rock_paper_scissors_mfg(horizon: int = 7) -> MeanFieldGame:
    """Rock-paper-scissors mean-field game, structured as in Cui & Koeppl (2021, §5): states
    (start, rock, paper, scissors), actions (rock, paper, scissors); an action moves to its state.
    In a hand state the reward is that hand's payoff against the population's hands,
    ``r(s) = sum_s' A[s, s'] mu(s')``.  The payoffs are fixed here (they are not copied from the
    paper): a biased RPS matrix in which rock beats scissors for 2, paper beats rock for 1 and
    scissors beat paper for 3 (losses mirror the wins), so the equilibrium is not uniform.  The
    start state pays 0.
    """
    win = torch.tensor([[0.0, -1.0, 2.0], [1.0, 0.0, -3.0], [-2.0, 3.0, 0.0]], dtype=torch.float64)
    nxt = torch.tensor([[1, 2, 3]] * 4, dtype=torch.long)

    def reward(L: torch.Tensor) -> torch.Tensor:
        mu = _state_marginal(L)
        hand = win @ mu[1:]
        r = torch.cat([torch.zeros(1, dtype=L.dtype), hand])
        return r.unsqueeze(-1).expand(4, 3).clone()

    return MeanFieldGame(4, 3, horizon, reward, lambda L: nxt,
                         torch.tensor([1.0, 0.0, 0.0, 0.0], dtype=torch.float64), "rps_mfg",
                         ("start", "rock", "paper", "scissors"), ("rock", "paper", "scissors"))


def sis_epidemic(horizon: int = 50, infection: float = 0.8, recovery: float = 0.2,
                 infected_cost: float = 1.0, distancing_cost: float = 0.5) -> MeanFieldGame:
    """SIS epidemic (Cui & Koeppl 2021, §5). States (susceptible, infected), actions (go out,
    keep distance).  A susceptible agent going out is infected with probability
    ``infection * mu(infected)`` (never when keeping distance); an infected one recovers with
    probability ``recovery``.  Rewards: ``-infected_cost`` when infected, ``-distancing_cost``
    for keeping distance.  Initially 60% infected.
    """

    def transition(L: torch.Tensor) -> torch.Tensor:
        p_inf = infection * _state_marginal(L)[1]
        p = torch.zeros(2, 2, 2, dtype=L.dtype)
        p[0, 0, 1] = p_inf
        p[0, 0, 0] = 1.0 - p_inf
        p[0, 1, 0] = 1.0
        p[1, :, 0] = recovery
        p[1, :, 1] = 1.0 - recovery
        return p

    def reward(L: torch.Tensor) -> torch.Tensor:
        r = torch.zeros(2, 2, dtype=L.dtype)
        r[1] -= infected_cost
        r[:, 1] -= distancing_cost
        return r

    return MeanFieldGame(2, 2, horizon, reward, transition,
                         torch.tensor([0.4, 0.6], dtype=torch.float64), "sis_epidemic",
                         ("susceptible", "infected"), ("go_out", "keep_distance"))


def beach_bar(n_states: int = 20, horizon: int = 20, noise: float = 0.1,
              crowd_aversion: float = 1.0, move_cost: float = 0.1) -> MeanFieldGame:
    """Beach bar process (Perrin et al., NeurIPS 2020, "Fictitious play for mean field games",
    §6): a ring of ``n_states`` positions with a bar at position ``n_states // 2``; actions
    (left, stay, right) move one step, and with probability ``noise`` the agent is pushed one
    step to a uniformly chosen side instead.  Reward
    ``r = -dist(s, bar) / S - crowd_aversion * log(mu(s) + 1e-8) - move_cost * |a|``
    (ring distance; the ``+1e-8`` keeps the reward finite where nobody stands).  Uniform
    initial distribution.
    """
    if n_states < 3:
        raise ValueError(f"n_states: need >= 3 positions on the ring, got {n_states}")
    s = torch.arange(n_states)
    bar = n_states // 2
    dist = torch.minimum((s - bar).abs(), n_states - (s - bar).abs()).to(torch.float64)
    kernel = torch.zeros(n_states, 3, n_states, dtype=torch.float64)
    for a, move in enumerate((-1, 0, 1)):
        kernel[s, a, (s + move) % n_states] += 1.0 - noise
        kernel[s, a, (s - 1) % n_states] += noise / 2
        kernel[s, a, (s + 1) % n_states] += noise / 2
    cost = move_cost * torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)

    def reward(L: torch.Tensor) -> torch.Tensor:
        mu = _state_marginal(L)
        per_state = -dist / n_states - crowd_aversion * torch.log(mu + 1e-8)
        return per_state.unsqueeze(-1) - cost

    return MeanFieldGame(n_states, 3, horizon, reward, lambda L: kernel,
                         torch.full((n_states,), 1.0 / n_states, dtype=torch.float64), "beach_bar")


def grid_crowd(side: int = 10, horizon: int = 20, crowd_aversion: float = 1.0,
               move_cost: float = 0.01) -> MeanFieldGame:
    """A crowd on a ``side x side`` grid (``side^2`` states; 100 x 100 = 10,000), in the spirit of
    the exploration / crowd-modelling grids of Laurière et al. (ICML 2022, "Scalable deep
    reinforcement learning algorithms for mean field games"): actions (stay, up, down, left,
    right) move deterministically (walls block), the reward attracts to the exit at the
    bottom-right corner and repels crowds,
    ``r = -manhattan(s, exit) / (2 side) - crowd_aversion * log(mu(s) + 1e-8) - move_cost [a != stay]``.
    Everyone starts at the top-left corner.  The kernel is a next-state index, so a step costs
    ``O(S A)``.
    """
    if side < 2:
        raise ValueError(f"side: need >= 2, got {side}")
    n = side * side
    row, col = torch.arange(n) // side, torch.arange(n) % side
    moves = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]
    nxt = torch.stack([
        (row + dr).clamp(0, side - 1) * side + (col + dc).clamp(0, side - 1) for dr, dc in moves
    ], 1)
    exit_dist = ((side - 1 - row) + (side - 1 - col)).to(torch.float64) / (2 * side)
    cost = move_cost * torch.tensor([0.0, 1.0, 1.0, 1.0, 1.0], dtype=torch.float64)
    initial = torch.zeros(n, dtype=torch.float64)
    initial[0] = 1.0

    def reward(L: torch.Tensor) -> torch.Tensor:
        mu = _state_marginal(L)
        return (-exit_dist - crowd_aversion * torch.log(mu + 1e-8)).unsqueeze(-1) - cost

    return MeanFieldGame(n, 5, horizon, reward, lambda L: nxt, initial, f"grid_crowd_{side}x{side}",
                         None, ("stay", "up", "down", "left", "right"))

