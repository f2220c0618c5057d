"""Newton on the branch's support (vsg_pyro.equilibria.nash.support_newton), issue 13.

Independent truths: matching pennies' unique equilibrium (1/2, 1/2) and the prisoner's
dilemma's (defect, defect) (textbook); per-state best-response gains by numpy value iteration
(discounted) or backward induction (finite horizon) written here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vsg_pyro.equilibria.nash.support_newton import StageValues, support_newton
from vsg_pyro.games import get_game, random_stochastic_game
from vsg_pyro.games.tabular import TabularGame


def _np_gain(game, pis: list[np.ndarray]) -> float:
    """Largest best-response gain over agents and initial states, two agents: the policy's
    value by a linear solve / backward induction, the optimum by value iteration (discounted:
    sweeps until gamma^k is below rounding) / backward induction."""
    rewards, trans = game.rewards.numpy(), game.transitions.numpy()
    worst = 0.0
    for i in range(2):
        spec_r = "sab,sb->sa" if i == 0 else "sab,sa->sb"
        spec_p = "sabt,sb->sat" if i == 0 else "sabt,sa->sbt"
        if game.horizon is None:
            other, own_pi = pis[1 - i], pis[i]
            r = np.einsum(spec_r, rewards[i], other)
            p = np.einsum(spec_p, trans, other)
            own = np.linalg.solve(np.eye(game.n_states) - game.gamma
                                  * np.einsum("sa,sat->st", own_pi, p), (own_pi * r).sum(1))
            v = np.zeros(game.n_states)
            for _ in range(int(math.ceil(math.log(1e-17) / math.log(game.gamma)))):
                v = (r + game.gamma * p @ v).max(1)
        else:
            own, v = np.zeros(game.n_states), np.zeros(game.n_states)
            for t in reversed(range(game.horizon)):
                other, own_pi = pis[1 - i][t], pis[i][t]
                r = np.einsum(spec_r, rewards[i], other)
                p = np.einsum(spec_p, trans, other)
                own = (own_pi * (r + p @ own)).sum(1)
                v = (r + p @ v).max(1)
        worst = max(worst, float((v - own).max()))
    return worst


def test_matching_pennies_mixed_equilibrium():
    game = get_game("matching_pennies")
    start = [np.array([[0.6, 0.4]]), np.array([[0.3, 0.7]])]
    found = support_newton(StageValues(game), start)
    assert found is not None
    for p in found:  # the unique equilibrium (1/2, 1/2) for both
        np.testing.assert_allclose(p, [[0.5, 0.5]], atol=1e-12)


def test_a_wrong_support_is_revised():
    # Prisoner's dilemma: the full support has no equilibrium (defection dominates); Newton's
    # negative probability drops cooperation, leaving (defect, defect).
    game = get_game("prisoners_dilemma")
    found = support_newton(StageValues(game), [np.array([[0.5, 0.5]])] * 2)
    assert found is not None
    for p in found:
        np.testing.assert_allclose(p, [[0.0, 1.0]], atol=1e-12)


@pytest.mark.parametrize("seed", [9399, 9397])
def test_discounted_equilibrium_on_the_branchs_support(seed):
    # Set (d)'s kind: start from a perturbed point near the limit the branch reaches
    # (found here by following the branch far out), then check the answer by value iteration.
    from vsg_pyro.equilibria.nash.path import Solver

    rng = np.random.default_rng(seed)
    rewards, trans = rng.uniform(0, 1, (2, 3, 3, 3)), rng.dirichlet(np.ones(3), (3, 3, 3))
    game = TabularGame(transitions=trans, rewards=rewards, initial=np.full(3, 1 / 3),
                       gamma=0.9, name="d")
    solver = Solver(game)
    state = solver.init()
    while float(state.z[-1]) < 300:
        state, _ = solver.step(state, 1e5, max(50.0, float(state.z[-1])))
    branch = [p.numpy() for p in solver.policies(state)]
    assert _np_gain(game, branch) > 1e-6  # the branch's own point is not yet exact
    found = support_newton(StageValues(game), branch)
    assert found is not None
    assert _np_gain(game, found) <= 1e-12
    assert max(np.abs(a - b).max() for a, b in zip(found, branch, strict=True)) <= 0.05


def test_finite_horizon_markov_equilibrium():
    # A 3-stage game: the branch's limit on its support, checked by backward induction.
    from vsg_pyro.equilibria.nash.branch import limit_equilibrium

    game = random_stochastic_game(3, [2, 3], seed=3, horizon=3)
    point = limit_equilibrium(game, tol=1e-3)
    pis = [p.numpy() for p in point.policies]
    assert [p.shape for p in pis] == [(3, 3, 2), (3, 3, 3)]
    assert point.support_newton and _np_gain(game, pis) <= 1e-12


def test_one_shot_gain_brackets_the_exploitability():
    # g <= exploitability <= g / (1 - gamma) (the one-shot deviation principle), on random
    # stationary policies; exploitability by value iteration here.
    game = random_stochastic_game(3, [3, 2], seed=11, gamma=0.8)
    values = StageValues(game)
    rng = np.random.default_rng(0)
    for _ in range(5):
        pis = [rng.dirichlet(np.ones(a), 3) for a in game.action_counts]
        g, gap = values.one_shot_gain(pis), _np_gain(game, pis)
        assert g - 1e-12 <= gap <= g / (1 - 0.8) + 1e-12
        assert values.upper_bound_factor() == pytest.approx(5.0)


def test_an_empty_support_row_returns_none():
    # A support threshold above every probability of a row leaves it without actions.
    game = get_game("matching_pennies")
    assert support_newton(StageValues(game), [np.array([[0.5, 0.5]])] * 2,
                          support_tol=0.9) is None
