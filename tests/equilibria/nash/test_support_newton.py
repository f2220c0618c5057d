"""Newton on the branch's support (vsg_pyro.equilibria.nash.support_newton), issue 13.

Independent truths: matching pennies' unique equilibrium (1/2, 1/2) and the prisoner's
dilemma's (defect, defect) (textbook); per-state best-response gains by numpy value iteration
(discounted) or backward induction (finite horizon) written here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vsg_pyro.equilibria.nash.support_newton import (
    StageValues,
    branch_support,
    support_newton,
)
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


def _set_d_like(seed: int) -> TabularGame:
    rng = np.random.default_rng(seed)
    rewards, trans = rng.uniform(0, 1, (2, 3, 3, 3)), rng.dirichlet(np.ones(3), (3, 3, 3))
    return TabularGame(transitions=trans, rewards=rewards, initial=np.full(3, 1 / 3),
                       gamma=0.9, name=f"d{seed}")


@pytest.mark.parametrize("game", [_set_d_like(9399), _set_d_like(9397),
                                  random_stochastic_game(3, [2, 3], seed=8, horizon=3)],
                         ids=["discounted-9399", "discounted-9397", "horizon-3"])
def test_equilibrium_on_the_branchs_support(game):
    # Start from the branch's point far out (beta >= 300), then check the answer by value
    # iteration / backward induction: exact, and near the branch's point.
    from vsg_pyro.equilibria.nash.path import Solver

    solver = Solver(game)
    state = solver.init()
    while float(state.z[-1]) < 300:
        state, _ = solver.step(state, 1e5, max(50.0, float(state.z[-1])))
    branch = [p.numpy() for p in solver.policies(state)]
    assert _np_gain(game, branch) > 1e-6  # the branch's own point is not yet exact
    rows = [p.reshape(-1, p.shape[-1]) for p in branch]
    found = support_newton(StageValues(game), rows)
    assert found is not None
    found = [f.reshape(b.shape) for f, b in zip(found, branch, strict=True)]
    assert _np_gain(game, found) <= 1e-12
    assert max(np.abs(a - b).max() for a, b in zip(found, branch, strict=True)) <= 0.05


def test_limit_of_a_finite_horizon_game_is_a_markov_equilibrium():
    # The limit on a 3-stage game, checked by backward induction (its exploitability too).
    from vsg_pyro.equilibria.nash.branch import limit_equilibrium

    game = random_stochastic_game(3, [2, 3], seed=3, horizon=3)
    point = limit_equilibrium(game, tol=1e-3)
    pis = [p.numpy() for p in point.policies]
    assert [p.shape for p in pis] == [(3, 3, 2), (3, 3, 3)]
    gap = _np_gain(game, pis)
    assert gap <= 1e-3 and gap == pytest.approx(point.exploitability, abs=1e-12)


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
        assert values.one_shot_gain(pis, first_stage=True) == g  # one stage: the same rows
    # Finite horizon: the first stage's gain bounds the exploitability from below, every
    # stage's (times H) from above; a later stage's gain alone may exceed the exploitability.
    game = random_stochastic_game(3, [2, 2], seed=4, horizon=3)
    values = StageValues(game)
    for _ in range(5):
        pis = [rng.dirichlet(np.ones(2), (3, 3)) for _ in range(2)]
        flat = [p.reshape(-1, 2) for p in pis]
        gap = _np_gain(game, pis)
        assert values.one_shot_gain(flat, first_stage=True) - 1e-12 <= gap
        assert gap <= 3 * values.one_shot_gain(flat) + 1e-12


def test_an_empty_support_row_returns_none():
    # A support threshold above every probability of a row leaves it without actions.
    game = get_game("matching_pennies")
    pis = [np.array([[0.5, 0.5]])] * 2
    masks = branch_support(pis, support_tol=0.9)
    assert not masks[0].any() and support_newton(StageValues(game), pis, masks) is None


def test_the_support_keeps_best_responses_fading_as_one_over_beta():
    # Probabilities at beta and beta / 2: 0.004 (from 0.008, ~1/beta) stays, 1e-9 (from 1e-5,
    # ~exp(-beta gap)) goes, as does anything below 1e-12.
    now = [np.array([[0.996, 0.004, 1e-9]])]
    half = [np.array([[0.99, 0.008, 1e-5]])]
    assert branch_support(now, half)[0].tolist() == [[True, True, False]]
    assert branch_support(now)[0].tolist() == [[True, False, False]]


def test_closed_form_value_jacobian_equals_finite_differences():
    # dQbar/dpi in closed form against central differences of the action values (whose
    # correctness the exploitability checks above establish); a wrong block is O(1).
    for game in [random_stochastic_game(3, [3, 2], seed=11, gamma=0.8),
                 random_stochastic_game(2, [2, 3, 2], seed=1, gamma=0.7)]:
        values = StageValues(game)
        rng = np.random.default_rng(0)
        pis = [rng.dirichlet(np.ones(a), game.n_states) for a in game.action_counts]
        flat = np.concatenate([p.ravel() for p in pis])

        def qbar(x: np.ndarray, pis=pis, values=values) -> np.ndarray:
            parts, k = [], 0
            for p in pis:
                parts.append(x[k:k + p.size].reshape(p.shape))
                k += p.size
            return np.concatenate([q.ravel() for q in values.values(parts)[0]])

        step = 1e-6
        fd = np.stack([(qbar(flat + step * e) - qbar(flat - step * e)) / (2 * step)
                       for e in np.eye(len(flat))], 1)
        np.testing.assert_allclose(values.jacobian(pis), fd, atol=1e-8)
    with pytest.raises(ValueError, match="discounted"):
        StageValues(random_stochastic_game(2, [2, 2], seed=0, horizon=2)).jacobian(
            [np.full((4, 2), 0.5)] * 2)


def test_state_gains_equal_value_iteration_and_the_torch_metric():
    # Per-state exact gains (numpy policy iteration / backward induction) against value
    # iteration written here (the largest, two agents) and, entry by entry, against
    # metrics.state_exploitability (torch policy iteration); random policies are far from
    # equilibrium, so gains are O(0.1) and a wrong best response is visible.
    import torch

    from vsg_pyro.metrics import state_exploitability

    rng = np.random.default_rng(5)
    for game in [random_stochastic_game(3, [3, 2], seed=11, gamma=0.8),
                 random_stochastic_game(4, [2, 2], seed=2, gamma=0.95),
                 random_stochastic_game(3, [2, 3], seed=4, horizon=3)]:
        values = StageValues(game)
        for _ in range(3):
            lead = (game.horizon, game.n_states) if game.horizon else (game.n_states,)
            pis = [rng.dirichlet(np.ones(a), lead) for a in game.action_counts]
            gains = values.state_gains([p.reshape(-1, p.shape[-1]) for p in pis])
            assert gains.shape == (2, game.n_states)
            assert gains.max() == pytest.approx(_np_gain(game, pis), abs=1e-10)
            assert gains.max() > 1e-3  # the check is not vacuous
            torch_gains = state_exploitability(game, [torch.from_numpy(p) for p in pis])
            np.testing.assert_allclose(gains, torch_gains.numpy(), atol=1e-10)
    game = random_stochastic_game(2, [2, 3, 2], seed=1, gamma=0.7)  # three agents
    pis = [rng.dirichlet(np.ones(a), 2) for a in game.action_counts]
    np.testing.assert_allclose(
        StageValues(game).state_gains(pis),
        state_exploitability(game, [torch.from_numpy(p) for p in pis]).numpy(), atol=1e-10)
