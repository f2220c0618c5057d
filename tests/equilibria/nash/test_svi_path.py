"""The SVI path on stochastic games (vsg_pyro.equilibria.nash.svi_path), issue 13 item 3.

Independent truths: the soft Markov equilibrium's fixed point pi_i ∝ pi0_i exp(Wbar_i),
with W_i = beta Q_i evaluated here in numpy (a linear solve when discounted, backward
induction for a finite horizon); and the closed-form / autograd Markov path
(vsg_pyro.equilibria.nash.path with markov_path's equations), whose own Jacobian is checked
against finite differences in test_markov_path.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from vsg_pyro import solve
from vsg_pyro.core.loop import LoopOptions, run_solver
from vsg_pyro.equilibria.nash import path, svi_path
from vsg_pyro.games import get_game, random_stochastic_game

GAMES = [random_stochastic_game(3, [2, 3], seed=4, gamma=0.8),
         random_stochastic_game(2, [2, 2], seed=1, horizon=3)]


def _np_fixed_point_residual(game, pis: list[np.ndarray], beta: float) -> float:
    """max |pi_i - softmax(log pi0_i + Wbar_i)| for two agents under uniform priors, with
    W_i(s, a) = beta r_i(s, a) + gamma sum_s' P(s' | s, a) (E_mu W_i(s') - KL_i(s'))
    (discounted, policies (S, A_i)) or backward induction (finite horizon, (H, S, A_i))."""
    r, p = game.rewards.numpy(), game.transitions.numpy()
    S = game.n_states
    worst = 0.0
    for i in range(2):
        lp = -np.log(game.action_counts[i])

        def wbar(w, pi_stage, i=i):  # E_{a_-i} W_i(s, a) (S, A_i)
            return (np.einsum("sab,sb->sa", w, pi_stage[1]) if i == 0
                    else np.einsum("sab,sa->sb", w, pi_stage[0]))

        def soft_value(w, pi_stage, i=i, lp=lp):  # E_mu W_i - KL_i (S,)
            joint = np.einsum("sa,sb->sab", *pi_stage)
            own = pi_stage[i]
            return (joint * w).sum((1, 2)) - (own * (np.log(own) - lp)).sum(1)

        if game.horizon is None:
            stages = [pis]
            joint = np.einsum("sa,sb->sab", *pis)
            p_mu = np.einsum("sab,sabt->st", joint, p)
            own = pis[i]
            u = np.linalg.solve(np.eye(S) - game.gamma * p_mu,
                                beta * (joint * r[i]).sum((1, 2))
                                - (own * (np.log(own) - lp)).sum(1))
            ws = [beta * r[i] + game.gamma * p @ u]
        else:
            stages = [[x[t] for x in pis] for t in range(game.horizon)]
            ws, u = [None] * game.horizon, np.zeros(S)
            for t in reversed(range(game.horizon)):
                ws[t] = beta * r[i] + p @ u
                u = soft_value(ws[t], stages[t])
        for w, stage in zip(ws, stages, strict=True):
            logits = lp + wbar(w, stage)
            target = np.exp(logits - logits.max(1, keepdims=True))
            target /= target.sum(1, keepdims=True)
            worst = max(worst, float(np.abs(stage[i] - target).max()))
    return worst


@pytest.mark.parametrize("game", GAMES, ids=["discounted", "finite-horizon"])
def test_svi_path_follows_the_markov_branch(game):
    options = LoopOptions(steps=500, stop_on="certificate", adaptive_step=False)
    mine, exact = svi_path.Solver(game), path.Solver(game)
    state_s, state_e = mine.init(), exact.init()
    for beta in (0.5, 1.5, 3.0):
        state_s, run_s = run_solver(mine, beta, 5.0, options, state=state_s)
        state_e, run_e = run_solver(exact, beta, 5.0, options, state=state_e)
        assert run_s.converged and run_e.converged
        pis = [p.numpy() for p in mine.policies(state_s)]
        assert [p.shape for p in pis] == [(*game.row_shape, a) for a in game.action_counts]
        for a, b in zip(pis, exact.policies(state_e), strict=True):
            np.testing.assert_allclose(a, b.numpy(), atol=1e-6)
        # the fixed point itself; at beta 3 a policy off by 1e-6 fails this by far
        assert _np_fixed_point_residual(game, pis, beta) <= 1e-9
    # the check is not vacuous: the uniform policy is far from the fixed point at beta 3
    uniform = [np.full((*game.row_shape, a), 1.0 / a) for a in game.action_counts]
    assert _np_fixed_point_residual(game, uniform, 3.0) > 1e-2


def test_svi_path_on_a_stochastic_game_through_solve():
    res = solve("resource_commons", method="svi-path", beta=2.0)
    ref = solve("resource_commons", method="path", beta=2.0)
    assert res.method == "svi-path" and res.converged and res.certificate.value <= 1e-8
    for a, b in zip(res.policies, ref.policies, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-8)


def _np_exploitability(game, pis: list[np.ndarray]) -> float:
    """Largest best-response gain over two agents and every initial state of a discounted
    game: the policy's value by a linear solve, the optimum by value iteration to rounding."""
    r, p, g, S = game.rewards.numpy(), game.transitions.numpy(), game.gamma, game.n_states
    worst = 0.0
    for i in range(2):
        spec_r, spec_p = ("sab,sb->sa", "sabt,sb->sat") if i == 0 else ("sab,sa->sb",
                                                                          "sabt,sa->sbt")
        ri, pi_ = np.einsum(spec_r, r[i], pis[1 - i]), np.einsum(spec_p, p, pis[1 - i])
        own = np.linalg.solve(np.eye(S) - g * np.einsum("sa,sat->st", pis[i], pi_),
                              (pis[i] * ri).sum(1))
        v = np.zeros(S)
        for _ in range(int(np.ceil(np.log(1e-17) / np.log(g)))):
            v = (ri + g * pi_ @ v).max(1)
        worst = max(worst, float((v - own).max()))
    return worst


def test_limit_by_the_svi_path_is_the_same_equilibrium():
    # The branch's limit followed on the agents' ELBOs selects what the closed-form branch
    # selects; its exploitability from every state by value iteration here.
    from vsg_pyro.equilibria.nash.branch import limit_equilibrium

    game = random_stochastic_game(3, [2, 2], seed=3, gamma=0.8)
    mine = limit_equilibrium(game, tol=1e-3, method="svi-path")
    ref = limit_equilibrium(game, tol=1e-3)
    assert mine.pure == ref.pure
    for a, b in zip(mine.policies, ref.policies, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=5e-2)  # both within 0.05 of it
    gap = _np_exploitability(game, [p.numpy() for p in mine.policies])
    assert gap <= 1e-3 and gap == pytest.approx(mine.exploitability, abs=1e-12)
    with pytest.raises(ValueError, match="method"):
        limit_equilibrium(game, method="exact")


def test_cli_beta_list_and_limit_by_the_svi_path(capsys):
    import json

    from vsg_pyro.cli import main

    assert main(["solve", "resource_commons", "--method", "svi-path", "--beta-list", "1,2",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ref = solve("resource_commons", method="path", beta=2.0)
    assert doc["method"] == "svi-path" and [p["beta"] for p in doc["points"]] == [1.0, 2.0]
    assert all(p["converged"] and p["soft_best_response_residual"] <= 1e-8
               for p in doc["points"])
    for a, b in zip(doc["points"][1]["policies"], ref.policies, strict=True):
        np.testing.assert_allclose(np.array(a), b.numpy(), atol=1e-8)
    assert main(["qre", "resource_commons", "--limit", "--method", "svi-path", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["method"] == "svi-path" and doc["exploitability"] <= 1e-3
    assert _np_exploitability(get_game("resource_commons"), [np.array(p) for p in doc["policies"]]) <= 1e-3


def test_trace_branch_refuses_stochastic_games_and_qre_at_takes_them():
    from vsg_pyro.equilibria.nash.branch import qre_at, trace_branch

    game = GAMES[0]
    with pytest.raises(ValueError, match="normal-form"):
        trace_branch(game, 2.0)
    (beta, pis, residual), = qre_at(game, [2.0], method="svi-path")
    assert beta == 2.0 and residual <= 1e-8
    assert [tuple(p.shape) for p in pis] == [(3, 2), (3, 3)]
    assert _np_fixed_point_residual(game, [p.numpy() for p in pis], 2.0) <= 1e-9
