"""Markov potential games (Definition 5.4): potentials and an exact checker (issue 15).

Definition 5.4: a game is a Markov potential game (MPG) when a function ``Phi(s; pi)``
satisfies ``V_i(s; pi_i, pi_-i) - V_i(s; pi_i', pi_-i) = Phi(s; pi_i, pi_-i) - Phi(s; pi_i',
pi_-i)`` for every agent, state and policies.

**Potentials** (:func:`potential`), ``(S,)`` per state, unregularised unless ``beta`` is given:

* identical-interest games (every agent has the same reward ``r``): ``Phi = V`` of ``r``;
* games whose every stage game has an exact potential ``phi(s, a)`` and whose transitions do not
  depend on the actions (Leonardos et al. 2022, Prop. 3.2): ``Phi(s; pi) = E[sum_t gamma^t
  phi(s_t, a_t) | s_0 = s]`` (pass ``stage_potential``).

With ``beta`` the potential adds every agent's entropy bonus ``-(1/beta) KL(pi_j || uniform)``
at each step, the objective whose NPG Prop. 5.6 compares with VPG (exact for one state; in a
stochastic game the agents' soft values share it only up to O(1/beta)).

**The checker** (:func:`mpg_cycle_defect`).  Restricted to deterministic stationary policies,
an MPG is, at every state ``s``, an exact potential game whose "strategies" are those policies
and whose payoffs are ``V_i(s; .)``; by Monderer and Shapley (1996, Cor. 2.9) that holds iff
every 4-cycle of unilateral deviations by two agents ``i, j``,

    V_i(a', b) - V_i(a, b) + V_j(a', b') - V_j(a', b) + V_i(a, b') - V_i(a', b') + V_j(a, b) - V_j(a, b'),

sums to zero (``a, a'`` agent i's, ``b, b'`` agent j's policies, the others' fixed).  The
checker evaluates every deterministic stationary profile exactly (one linear solve each,
batched) and returns the largest cycle sum; a nonzero value proves that the game is *not* an
MPG, zero (to rounding) that it is one on deterministic stationary policies.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import NamedTuple

import torch

from vsg_pyro.core.joint import product_of_marginals
from vsg_pyro.games.tabular import TabularGame

__all__ = ["MPGCheck", "mpg_cycle_defect", "potential", "deterministic_policy_count",
           "CHECK_LIMIT", "Smoothness", "lemma_5_7_smoothness"]

CHECK_LIMIT = 2_000_000
"""Deterministic stationary joint profiles :func:`mpg_cycle_defect` evaluates at most."""


class MPGCheck(NamedTuple):
    """``defect``: the largest |4-cycle sum| over agents, states and policies; ``scale``: the
    largest |V_i| over the profiles (the defect's yardstick); ``witness``: (i, j, state) of the
    largest cycle; ``profiles``: how many joint profiles were evaluated."""

    defect: float
    scale: float
    witness: tuple[int, int, int] | None
    profiles: int

    def holds(self, rtol: float = 1e-9) -> bool:
        """The game passes: every cycle sums to zero up to ``rtol`` of the value scale."""
        return self.defect <= rtol * max(self.scale, 1.0)


def deterministic_policy_count(game: TabularGame) -> int:
    """Deterministic stationary joint profiles: ``prod_i A_i^S``."""
    return math.prod(a ** game.n_states for a in game.action_counts)


def _profile_values(game: TabularGame) -> torch.Tensor:
    """``V_i(s; profile)`` for every deterministic stationary joint profile: ``(N, P_1, ...,
    P_N, S)`` with ``P_i = A_i^S`` (discounted games)."""
    n, s = game.n_agents, game.n_states
    choices = [torch.tensor(list(itertools.product(range(a), repeat=s))) for a in
               game.action_counts]  # (P_i, S) actions per state
    grids = torch.meshgrid(*[torch.arange(len(c)) for c in choices], indexing="ij")
    flat = [g.reshape(-1) for g in grids]
    count = flat[0].numel()
    actions = [choices[i][flat[i]] for i in range(n)]  # (P, S) each
    states = torch.arange(s).expand(count, s)
    rewards = game.rewards[(slice(None), states, *actions)]  # (N, P, S)
    chain = game.transitions[(states, *actions)]  # (P, S, S')
    eye = torch.eye(s, dtype=chain.dtype)
    values = torch.linalg.solve(eye - game.gamma * chain, rewards.permute(1, 2, 0))  # (P, S, N)
    return values.permute(2, 0, 1).reshape(n, *[len(c) for c in choices], s)


def mpg_cycle_defect(game: TabularGame) -> MPGCheck:
    """The largest 4-cycle sum over deterministic stationary policies (module docstring).

    Discounted games with at most :data:`CHECK_LIMIT` deterministic stationary joint profiles.
    """
    if game.gamma is None:
        raise ValueError("game: the checker takes discounted games (Definition 5.4's values)")
    count = deterministic_policy_count(game)
    if count > CHECK_LIMIT:
        raise ValueError(f"game: {count:,} deterministic stationary profiles exceed the "
                         f"checker's limit {CHECK_LIMIT:,}")
    n = game.n_agents
    values = _profile_values(game)
    worst, witness = 0.0, None
    for i, j in itertools.combinations(range(n), 2):
        vi = values[i].movedim((i, j), (0, 1))  # (P_i, P_j, others..., S)
        vj = values[j].movedim((i, j), (0, 1))
        # axes (a, a', b, b', others..., S): the cycle (a, b) -> (a', b) -> (a', b') -> (a, b')
        d_i = vi.unsqueeze(0) - vi.unsqueeze(1)  # [a, a', b]: V_i(a', b) - V_i(a, b)
        d_j = vj.unsqueeze(1) - vj.unsqueeze(2)  # [a, b, b']: V_j(a, b') - V_j(a, b)
        total = (d_i.unsqueeze(3) + d_j.unsqueeze(0)  # d_i(a, a', b) + d_j(a', b, b')
                 - d_i.unsqueeze(2) - d_j.unsqueeze(1))  # - d_i(a, a', b') - d_j(a, b, b')
        value = float(total.abs().max())
        if value > worst:
            flat = int(total.abs().argmax())
            state = flat % game.n_states
            worst, witness = value, (i, j, state)
    return MPGCheck(worst, float(values.abs().max()), witness, count)


def potential(game: TabularGame, policies: Sequence[torch.Tensor],
              stage_potential: torch.Tensor | None = None,
              beta: float | None = None) -> torch.Tensor:
    """``Phi(s; pi)`` ``(S,)`` of a discounted game (module docstring).

    Args:
        policies: per agent ``(S, A_i)``.
        stage_potential: ``(S, *J)`` the stage games' exact potential, for a game whose
            transitions do not depend on the actions; ``None`` for an identical-interest game.
        beta: add every agent's ``-(1/beta) KL(pi_j || uniform)`` per step.
    """
    if game.gamma is None:
        raise ValueError("game: potentials are defined here for discounted games")
    n, s = game.n_agents, game.n_states
    if stage_potential is None:
        if not all(torch.equal(game.rewards[0], game.rewards[i]) for i in range(1, n)):
            raise ValueError("game: not identical-interest; give its stage_potential")
        phi = game.rewards[0]
    else:
        phi = torch.as_tensor(stage_potential, dtype=game.rewards.dtype)
        if tuple(phi.shape) != (s, *game.action_counts):
            raise ValueError(f"stage_potential: expected shape {(s, *game.action_counts)}, "
                             f"got {tuple(phi.shape)}")
        moves = game.transitions - game.transitions.reshape(s, -1, s)[:, :1].reshape(
            s, *([1] * n), s)
        if moves.abs().max() > 1e-12:
            raise ValueError("stage_potential: the transitions depend on the actions, so a "
                             "stage potential does not give a Markov potential")
    joint = product_of_marginals(list(policies))  # (S, *J)
    stage = (joint * phi).reshape(s, -1).sum(-1)
    if beta is not None:
        for p in policies:
            stage = stage - (torch.special.xlogy(p, p).sum(-1) + math.log(p.shape[-1])) / beta
    chain = (joint.reshape(s, -1, 1) * game.transitions.reshape(s, -1, s)).sum(1)
    eye = torch.eye(s, dtype=chain.dtype)
    return torch.linalg.solve(eye - game.gamma * chain, stage)


class Smoothness(NamedTuple):
    """Lemma 5.7's constant ``L`` and the step it implies: ``eta = 1 / L`` (the rate under
    which the potential is non-decreasing, citing Agarwal et al.) and eq. (4)'s ``alpha = eta
    / (1 - gamma)``."""

    L: float
    eta: float
    alpha: float


def lemma_5_7_smoothness(game: TabularGame) -> Smoothness:
    """Lemma 5.7's smoothness constant of the potential, as we read it.

    The statement is partly illegible in the text we have; we read

        L = 2 (n + 1)^2 / (1 - gamma)^3 + 2 (n^2 + n + 1) (1 + log max_i |A_i|) / (1 - gamma)^2
            + (3n + 2) / (1 - gamma),

    the three terms that Appendix A.3's bound adds up.  A larger ``L`` only shortens the step,
    so a misreading towards larger terms keeps the monotonicity claim testable.
    """
    if game.gamma is None:
        raise ValueError("game: Lemma 5.7 is stated for discounted games")
    n, g = game.n_agents, game.gamma
    log_a = math.log(max(game.action_counts))
    big_l = (2 * (n + 1) ** 2 / (1 - g) ** 3 + 2 * (n * n + n + 1) * (1 + log_a) / (1 - g) ** 2
             + (3 * n + 2) / (1 - g))
    eta = 1.0 / big_l
    return Smoothness(big_l, eta, eta / (1 - g))
